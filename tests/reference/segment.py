"""Dictionary segmentation from the definition: every candidate piece of every run, the best
route by a dict DP, then the text model's joins (repeated punctuation, a lone middle dot)."""


def _ascii_alnum(ch):
    return ch.isascii() and ch.isalnum()


def _norm(ch):
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if o == 0x3000:
        return " "
    return ch


def _cjk(o):
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3FFFF or 0xF900 <= o <= 0xFAFF


DOTS = "\u00b7\u2027\u30fb\uff65"


def ref_nlpzero(text, scores, unk, normalize=True):
    """Obviously-correct route: enumerate every candidate piece of every run, DP by dict lookups.
    ``scores`` maps normalised words to their full score (offset included). Then the two joins
    of the text model, one after the other: a repeated punctuation character is one token, and
    a lone middle dot glues the word ending right before it to the word starting right after."""
    norm = "".join(_norm(c) for c in text) if normalize else text
    spans, i, n = [], 0, len(text)          # (start, end, is_word)
    while i < n:
        c = norm[i]
        if _ascii_alnum(c) or _cjk(ord(c)):
            j = i
            while j < n and (_ascii_alnum(norm[j]) or _cjk(ord(norm[j]))):
                j += 1
            spans.extend((a, b, True) for a, b in _ref_run(norm, i, j, scores, unk))
            i = j
            continue
        if not text[i].isspace() and not c.isspace():
            spans.append((i, i + 1, False))
        i += 1
    merged = []
    for a, b, word in spans:
        prev = merged[-1] if merged else None
        if prev and not word and not prev[2] and prev[1] == a and text[prev[0]] == text[a]:
            merged[-1] = (prev[0], b, False)
        else:
            merged.append((a, b, word))
    out, k = [], 0
    while k < len(merged):
        a, b, word = merged[k]
        nxt = merged[k + 1] if k + 1 < len(merged) else None
        if (not word and b - a == 1 and text[a] in DOTS and out and out[-1][2] and out[-1][1] == a
                and nxt and nxt[2] and nxt[0] == b):
            out[-1] = (out[-1][0], nxt[1], True)
            k += 2
            continue
        out.append((a, b, word))
        k += 1
    return [text[a:b] for a, b, _ in out]


def _ref_run(norm, s, e, scores, unk):
    def inside(p):      # True if a cut at p would split an ASCII stretch
        return s < p < e and _ascii_alnum(norm[p - 1]) and _ascii_alnum(norm[p])

    best = {e: (0.0, e)}
    for p in range(e - 1, s - 1, -1):
        if inside(p):
            continue
        unit = p + 1
        while _ascii_alnum(norm[p]) and unit < e and _ascii_alnum(norm[unit]):
            unit += 1
        cands = []
        for m in range(p + 1, e + 1):
            if inside(m):
                continue
            w = norm[p:m]
            if w in scores:
                cands.append((scores[w] + best[m][0], m))
        if norm[p:unit] not in scores:
            cands.append((unk + best[unit][0], unit))
        best[p] = max(cands)
    spans, p = [], s
    while p < e:
        spans.append((p, best[p][1]))
        p = best[p][1]
    return spans
