"""The templates file formats: JSONL (for programs and ``nlpzero parse``) and TSV (for people).

Both carry the same header (parameters, the code :func:`nlpzero.templates.parse` uses, the
training description length), so a set read back from either parses new text identically.
"""
from __future__ import annotations

import json
import os
from typing import Any

from ..errors import FormatError, InputError
from ._fit import DEFAULT_WORD_BITS
from ._results import Template, _check_elements, template_dict

_HEADER_KEY = "nlpzero_templates"


_TSV_HEADER_PREFIX = "# nlpzero_templates "


def _header(ts: Any) -> dict:
    """The header both formats carry: params, the code (what :func:`parse` needs) and training."""
    header: dict[str, Any] = {_HEADER_KEY: 1, "params": ts.params}
    if ts.code is not None:
        code = dict(ts.code)
        code["len_bits"] = [round(float(x), 4) for x in code["len_bits"]]
        code.pop("word_bits", None)
        header["code"] = code
    if ts.training is not None:
        header["training"] = dict(ts.training.__dict__)
    return header


def write_templates(ts: Any, out, format: str = "jsonl") -> None:
    """Write the :class:`~nlpzero.Templates` ``ts`` best first to the text stream ``out`` (``jsonl`` or ``tsv``).

    Both formats carry the same information for :func:`parse`, so a set read back from either
    codes (parses) new text identically.

    JSONL: a first line ``{"nlpzero_templates": 1, "params": ..., "code": ...}`` (what
    :func:`parse` needs to code new text the way the training corpus was coded), then one
    object per template, best first, ``null`` for each placeholder, with ``word_bits``
    (−log2 P_w of each of its words).

    TSV: a first comment line ``# nlpzero_templates {...}`` holding the same header object as
    JSON, the column names, then one row per template: its elements separated by spaces
    (``[X]`` for a placeholder), count, occurrences, min PMI, bits, and ``word_bits`` (one number
    per word, separated by spaces).
    """
    header = _header(ts)
    wbits = (ts.code or {}).get("word_bits", {})

    def word_bits(t: Template) -> list[float]:
        return [round(float(wbits.get(w, DEFAULT_WORD_BITS)), 4) for w in t.words]

    if format == "jsonl":
        encode = json.JSONEncoder(ensure_ascii=False).encode     # = json.dumps(ensure_ascii=False)
        lines = [encode(header)]
        # straight from the arrays (what iterating the set gives, without a Template per line)
        elems = [None if e < 0 else ts.words[e] for e in ts.elems.tolist()]
        off = ts.offsets.tolist()
        rows = zip(ts.counts.tolist(), ts.occurrences.tolist(), ts.pmi, ts.bits.tolist())
        for i, (c, o, p, b) in enumerate(rows):
            el = elems[off[i]:off[i + 1]]
            d = template_dict(el, c, o, p, b)
            if wbits:
                d["word_bits"] = [round(float(wbits.get(w, DEFAULT_WORD_BITS)), 4) for w in el if w is not None]
            lines.append(encode(d))
        lines.append("")
        out.write("\n".join(lines))
        return
    out.write(_TSV_HEADER_PREFIX + json.dumps({k: v for k, v in header.items() if k != _HEADER_KEY},
                                              ensure_ascii=False) + "\n")
    out.write("template\tcount\toccurrences\tmin_pmi\tbits" + ("\tword_bits" if wbits else "") + "\n")
    for t in ts:
        m = f"{min(t.pmi):.3f}" if t.pmi else ""
        text = " ".join("[X]" if w is None else w for w in t.elements)
        row = f"{text}\t{t.count}\t{t.occurrences}\t{m}\t{t.bits:.1f}"
        if wbits:
            row += "\t" + " ".join(repr(x) for x in word_bits(t))
        out.write(row + "\n")


def _parse_tsv_template(text: str) -> list[str | None]:
    """A TSV template column: elements separated by spaces, ``[X]`` for a placeholder."""
    return [None if e == "[X]" else e for e in text.split()]


def read_fields(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> dict[str, Any]:
    """Read a templates file (JSONL from ``--format jsonl`` / :meth:`Templates.save`, or TSV):
    ``elements`` (lists, None = X), ``counts``, ``occurrences``, ``bits``, ``pmi``, ``params``
    and ``code``, what :meth:`Templates.load` builds the set from."""
    from ..corpus import Corpus

    name = os.fspath(path)
    if not os.path.exists(name):
        raise InputError(f"{name}: no such file", name)
    elements: list[list[str | None]] = []
    counts: list[int] = []
    occ: list[int] = []
    bits: list[float] = []
    pmis: list[tuple[float, ...]] = []
    wbits: dict[str, float] = {}
    header: dict[str, Any] = {}
    tsv = None
    for k, line in enumerate(Corpus(name, encoding=encoding).lines(), 1):
        line = line.strip()
        if not line:
            continue
        if tsv is None:
            tsv = not line.startswith("{")
        if tsv and not elements and line.startswith("template\t"):
            continue
        try:
            if tsv and not elements and not header and line.startswith(_TSV_HEADER_PREFIX):
                obj = json.loads(line[len(_TSV_HEADER_PREFIX):])
                if not isinstance(obj, dict):
                    raise ValueError("the header must be a JSON object")
                header = obj
                continue
            if tsv:
                cols = line.split("\t")
                if len(cols) < 2:
                    raise ValueError("expected columns template<TAB>count[<TAB>...]")
                t = _parse_tsv_template(cols[0])
                c = int(cols[1])
                o = int(cols[2]) if len(cols) > 2 and cols[2] else c
                b = float(cols[4]) if len(cols) > 4 and cols[4] else 0.0
                p: tuple[float, ...] = ()
                if len(cols) > 5 and cols[5]:
                    words = [w for w in t if w is not None]
                    wb = [float(x) for x in cols[5].split()]
                    if len(wb) != len(words):
                        raise ValueError("word_bits must list one number per word")
                    for w, x in zip(words, wb):
                        wbits[w] = x
            else:
                obj = json.loads(line)
                if isinstance(obj, dict) and _HEADER_KEY in obj and not elements and not header:
                    header = obj
                    continue
                if not isinstance(obj, dict) or "template" not in obj:
                    raise ValueError('expected a JSON object with a "template" list')
                t = obj["template"]
                c = int(obj.get("count", 1))
                o = int(obj.get("occurrences", c))
                b = float(obj.get("bits", 0.0))
                p = tuple(float(x) for x in obj.get("pmi", ()))
                wb = obj.get("word_bits")
                if wb is not None:
                    words = [w for w in t if w is not None] if isinstance(t, list) else []
                    if not isinstance(wb, list) or len(wb) != len(words):
                        raise ValueError('"word_bits" must list one number per word')
                    for w, x in zip(words, wb):
                        wbits[w] = float(x)
            _check_elements(t, "template")
            if c < 0:
                raise ValueError(f"count must be ≥ 0, got {c}")
        except (ValueError, TypeError, KeyError) as exc:
            raise FormatError(name, k, f"not a template line ({exc})") from None
        elements.append(list(t))
        counts.append(c)
        occ.append(o)
        bits.append(b)
        pmis.append(p)
    if not elements:
        raise FormatError(name, 1, "no templates in the file")
    code = header.get("code")
    if isinstance(code, dict):
        try:
            code = {"blocks": float(code["blocks"]), "flat_bits": float(code["flat_bits"]),
                    "len_bits": [float(x) for x in code["len_bits"]], "word_bits": wbits}
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(name, 1, f"malformed header code ({exc})") from None
    else:
        code = {"word_bits": wbits} if wbits else None
    params = header.get("params") if isinstance(header.get("params"), dict) else {}
    return {"elements": elements, "counts": counts, "occurrences": occ, "bits": bits, "pmi": tuple(pmis),
            "params": params, "code": code}
