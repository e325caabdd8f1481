"""Generators of test and benchmark data, shared by ``tests/`` and ``benchmarks/``.

Deterministic for a given seed, pure Python (networkx for the graphs), never used by the
library itself. In the package (rather than under ``tests/``) so that benchmarks import them
as ``nlpzero._testing`` however they are started.

- :func:`random_text` — mixed-script text that exercises every corner of the text model;
- :func:`zipf_corpus` — lines of words drawn from a Zipfian lexicon (word discovery and
  unsupervised segmentation have words to find);
- :data:`SMALL_LEXICON` — a small segmentation dictionary with the text model's corner cases;
- :data:`WORD_CLASSES` and :func:`class_corpus` — sentences from a tiny grammar over word
  classes, for word vectors and word clustering;
- :func:`random_transactions` — skewed transactions with duplicates and mixed item types;
- :func:`lfr` and :func:`planted_directed` — graphs with planted communities.
"""
from __future__ import annotations

import random

import numpy as np

__all__ = [
    "COMMON_HANZI",
    "SMALL_LEXICON",
    "WORD_CLASSES",
    "class_corpus",
    "lfr",
    "planted_directed",
    "random_text",
    "random_transactions",
    "zipf_corpus",
]

#: 500 frequent hanzi, the alphabet of :func:`zipf_corpus`.
COMMON_HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
    "后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它"
    "合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条"
    "只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资"
    "边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北"
    "造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车"
    "例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫"
    "且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克"
    "何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调"
    "满县局照参红细引听该铁价严龙飞"
)

_TEXT_POOLS = [
    "的一是在不了有和人这中大为上个国我以要他",      # frequent hanzi
    "\u3400\u3401\u4dbf\u9fff\uf900\ufaff",           # ext. A / URO end / compatibility
    "\U00020000\U0002a6d6\U00030000\U0003134a",       # planes 2 and 3
    "ＡＢｃ１２３　",                                  # full-width ASCII and ideographic space
    "abcXYZ0189",
    "，。！？、；：“”（）《》·—…",
    " \t\n",
    "éß\u00a0😀ア한",                                  # other scripts: boundaries
]
_TEXT_WEIGHTS = [40, 3, 3, 6, 10, 10, 6, 3]


def random_text(rng: random.Random, length: int) -> str:
    """Mixed-script text: common and rare CJK, planes 2-3, full-width, ASCII, punctuation, spaces.

    >>> len(random_text(random.Random(0), 50))
    50
    """
    return "".join(rng.choice(rng.choices(_TEXT_POOLS, _TEXT_WEIGHTS)[0]) for _ in range(length))


def zipf_corpus(seed: int = 0, n_lines: int = 600, n_words: int = 60) -> tuple[list[str], list[list[str]]]:
    """A lexicon of ``n_words`` random 1-4 character words (none a prefix of another) and
    ``n_lines`` lines of 5-15 words drawn with Zipfian weights ``1 / rank^0.9``.

    Returns
    -------
    words : list of str
        The lexicon, most frequent first.
    lines : list of list of str
        Each line as its words (join them for raw text).

    >>> words, lines = zipf_corpus(0, n_lines=3)
    >>> len(words), len(lines), all(w in words for line in lines for w in line)
    (60, 3, True)
    """
    rng = random.Random(seed)
    chars = list(COMMON_HANZI)
    rng.shuffle(chars)
    words: list[str] = []
    used = set()
    while len(words) < n_words:
        k = rng.choice((1, 2, 2, 2, 3, 3, 4))
        w = "".join(rng.choice(chars[:150]) for _ in range(k))
        if w not in used and all(w[:j] not in used for j in range(1, k)):
            used.add(w)
            words.append(w)
    weights = [1.0 / (r + 1) ** 0.9 for r in range(n_words)]
    lines = [rng.choices(words, weights, k=rng.randint(5, 15)) for _ in range(n_lines)]
    return words, lines


#: Word -> count: overlapping words (北京 / 北京大学 / 大学 / 大学生), single characters, and
#: dictionary words with ASCII inside (T恤, 卡拉OK).
SMALL_LEXICON = {"今天": 10, "天气": 8, "不错": 5, "今": 1, "天": 2, "北京": 6, "北京大学": 3, "大学": 5,
                 "大学生": 2, "学生": 4, "生": 1, "T恤": 2, "卡拉OK": 2, "OK": 1, "中国": 9, "国人": 2}

#: Five word classes of six words each: what :func:`class_corpus` sentences are made of.
WORD_CLASSES = {
    "pron": ["我", "你", "他", "她", "我们", "他们"],
    "verb": ["喜欢", "讨厌", "看见", "买了", "养了", "想要"],
    "noun": ["猫", "狗", "鱼", "鸟", "兔子", "马"],
    "adj": ["可爱", "漂亮", "聪明", "安静", "干净", "快乐"],
    "place": ["北京", "上海", "广州", "深圳", "杭州", "南京"],
}


def class_corpus(n: int, seed: int = 0) -> list[list[str]]:
    """``n`` tokenised sentences of three patterns: pron verb noun, noun 很 adj, pron 住在 place
    (words of one class share their contexts).

    >>> class_corpus(2, seed=1)
    [['我们', '喜欢', '鱼'], ['她', '买了', '鸟']]
    """
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        t = rng.randrange(3)
        if t == 0:
            out.append([rng.choice(WORD_CLASSES["pron"]), rng.choice(WORD_CLASSES["verb"]),
                        rng.choice(WORD_CLASSES["noun"])])
        elif t == 1:
            out.append([rng.choice(WORD_CLASSES["noun"]), "很", rng.choice(WORD_CLASSES["adj"])])
        else:
            out.append([rng.choice(WORD_CLASSES["pron"]), "住在", rng.choice(WORD_CLASSES["place"])])
    return out


def random_transactions(seed: int, n_trans: int, n_items: int, density: float, dup: bool = True) -> list:
    """Transactions over ``n_items`` items (two thirds ``"w<i>"`` strings, one third ints),
    item i present with probability about ``2 · density / (1 + i)^0.7`` (skewed like real
    data); with ``dup``, some transactions repeat items (which must count once).

    >>> len(random_transactions(0, 10, 30, 0.2))
    10
    """
    rng = random.Random(seed)
    items = [f"w{i}" for i in range(n_items - n_items // 3)] + list(range(n_items // 3))  # mixed types
    weights = [1.0 / (1 + i) ** 0.7 for i in range(n_items)]
    out = []
    for _ in range(n_trans):
        t = [x for x, w in zip(items, weights) if rng.random() < min(1.0, density * w * 2)]
        if dup and t and rng.random() < 0.3:
            t = t + rng.sample(t, min(len(t), 2))
        rng.shuffle(t)
        out.append(t)
    return out


def lfr(n: int, mu: float, seed: int = 1):
    """An LFR benchmark graph (networkx; tau1 = 3, tau2 = 1.5, average degree 20, maximum 50,
    communities of at least 20 nodes, self-loops removed) and its planted partition.

    Returns
    -------
    G : networkx.Graph
        Without node attributes.
    truth : dict node -> int
        The planted community of each node (its smallest member).
    """
    import networkx as nx

    G = nx.LFR_benchmark_graph(n, 3, 1.5, mu, average_degree=20, max_degree=50, min_community=20, seed=seed)
    G.remove_edges_from(nx.selfloop_edges(G))
    truth: dict[int, int] = {}
    for v in G:
        truth.setdefault(v, min(G.nodes[v]["community"]))
    for v in G:
        del G.nodes[v]["community"]
    return G, truth


def planted_directed(n: int, k: int, *, seed: int = 1, deg_in: float = 8, deg_out: float = 1):
    """A weighted directed graph with ``k`` planted groups (node a in group ``a % k``): Poisson
    ``deg_in`` links inside the group and ``deg_out`` links anywhere per node, weights uniform in
    [0.5, 2].

    Returns
    -------
    G : networkx.DiGraph
    groups : ndarray of int, shape (n,)

    >>> G, groups = planted_directed(40, 4, seed=0)
    >>> G.number_of_nodes(), groups[:6].tolist()
    (40, [0, 1, 2, 3, 0, 1])
    """
    import networkx as nx

    rng = np.random.default_rng(seed)
    comm = np.arange(n) % k
    members = [np.flatnonzero(comm == c) for c in range(k)]
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    for a in range(n):
        for _ in range(rng.poisson(deg_in)):
            b = int(rng.choice(members[comm[a]]))
            if b != a:
                G.add_edge(a, b, weight=float(rng.uniform(0.5, 2.0)))
        for _ in range(rng.poisson(deg_out)):
            b = int(rng.integers(n))
            if b != a:
                G.add_edge(a, b, weight=float(rng.uniform(0.5, 2.0)))
    return G, comm
