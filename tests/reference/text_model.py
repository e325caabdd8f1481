"""The text model from its definition: normalisation, runs of word characters, and the
symbols of discovery (an ASCII letter/digit stretch is one symbol)."""
import re

# word characters: CJK ideographs (URO, ext. A, compatibility, planes 2-3), ASCII letters, digits
WORD_RUN = re.compile("[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")


def normalize(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xFF01 <= cp <= 0xFF5E:
            ch = chr(cp - 0xFEE0)
        elif cp == 0x3000:
            ch = " "
        out.append(ch)
    return "".join(out)


def runs(text, normalized=True):
    return WORD_RUN.findall(normalize(text) if normalized else text)


def symbols(text, collapse=True):
    """Reference text model: runs of symbols; an ASCII alnum stretch is one symbol '0' or 'A'."""
    text = normalize(text)
    runs, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch.isascii() and ch.isalnum():
            j = i
            while j < len(text) and text[j].isascii() and text[j].isalnum():
                j += 1
            stretch = text[i:j]
            cur.append("0" if stretch.isdigit() else "A")
            i = j
            continue
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            cur.append(ch)
        elif cur:
            runs.append(cur)
            cur = []
        i += 1
    if cur:
        runs.append(cur)
    return runs


def line_tokens(text, spans):
    """Tokens text[a:b] grouped by the '\\n'-separated line each starts on."""
    lines = [[] for _ in range(text.count("\n") + 1)]
    for a, b in spans:
        lines[text.count("\n", 0, a)].append(text[a:b])
    return lines


def tokens_utf8(text, spans, delimiter, mid_line):
    """The tokens joined by ``delimiter`` within a line and '\\n' between lines, as UTF-8; a
    delimiter before the first token when ``mid_line``; and whether the output ends inside a
    line that has a token."""
    lines = line_tokens(text, spans)
    parts = [delimiter.join(toks) for toks in lines]
    if mid_line and lines[0]:
        parts[0] = delimiter + parts[0]
    return "\n".join(parts).encode("utf-8"), bool(lines[-1]) or (mid_line and len(lines) == 1)
