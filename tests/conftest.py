import os
import random

import pytest

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "nlpzero", "data")
SAMPLE = os.path.abspath(os.path.join(DATA, "reviews.txt"))


@pytest.fixture(scope="session", autouse=True)
def numba_kernels():
    """Compile (or load from Numba's disk cache) every Numba kernel once per session, before any
    test runs, so no test pays the JIT and the first test of a file is not the slow one."""
    import numpy as np

    import nlpzero
    from nlpzero import _vectors_core

    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    for directed in (False, True):
        nlpzero.infomap(edges, num_trials=2, directed=directed)
        nlpzero.codelength(edges, {v: v // 3 for v in range(6)}, directed=directed)
    _vectors_core.window_pairs(np.arange(6, dtype=np.int64), 2)
    _vectors_core.csr_matmul(np.array([0, 1, 2], dtype=np.int64), np.array([0, 1], dtype=np.int64),
                             np.ones(2), np.ones((2, 2)))


@pytest.fixture(scope="session")
def sample_path():
    """The bundled sample corpus (real Chinese product reviews)."""
    return SAMPLE


@pytest.fixture(scope="session")
def sample_lines():
    with open(SAMPLE, encoding="utf-8") as f:
        return f.read().splitlines()


def random_text(rng: random.Random, length: int) -> str:
    """Mixed-script text: common and rare CJK, planes 2-3, full-width, ASCII, punctuation, spaces."""
    pools = [
        "的一是在不了有和人这中大为上个国我以要他",      # frequent hanzi
        "\u3400\u3401\u4dbf\u9fff\uf900\ufaff",           # ext. A / URO end / compatibility
        "\U00020000\U0002a6d6\U00030000\U0003134a",       # planes 2 and 3
        "ＡＢｃ１２３　",                                  # full-width ASCII and ideographic space
        "abcXYZ0189",
        "，。！？、；：“”（）《》·—…",
        " \t\n",
        "éß\u00a0😀ア한",                                  # other scripts: boundaries
    ]
    weights = [40, 3, 3, 6, 10, 10, 6, 3]
    return "".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(length))
