"""The text model: reading, decoding, errors, normalisation, runs."""
import io
import random

import numpy as np
import pytest
from reference import text_model as reference

from nlpzero._testing import random_text
from nlpzero.corpus import Corpus, is_word_char, normalize, runs, to_codes, word_mask
from nlpzero.errors import BinaryInputError, DecodeError, InputError, NotReiterableError


@pytest.mark.parametrize("chunk_bytes", [16, 23, 64, 1 << 20])
def test_lines_from_path_across_chunks(tmp_path, chunk_bytes):
    text = "第一行，中文\r\n第二行\n\n最后一行没有换行" + "长" * 50
    path = tmp_path / "t.txt"
    path.write_bytes(text.encode("utf-8"))
    corpus = Corpus(path, chunk_bytes=chunk_bytes)
    expected = ["第一行，中文", "第二行", "", "最后一行没有换行" + "长" * 50]
    assert list(corpus.lines()) == expected
    assert list(corpus) == expected                       # re-iterable
    assert "".join(corpus.texts()) == text
    assert corpus.size == len(text.encode()) and corpus.reiterable


def test_sources_of_every_kind(tmp_path):
    data = "甲乙\n丙丁\n"
    path = tmp_path / "t.txt"
    path.write_text(data, encoding="utf-8")
    with open(path, "rb") as fb, open(path, encoding="utf-8") as ft:
        for source in (str(path), path, fb, ft, ["甲乙", "丙丁"], ("甲乙\n", "丙丁\n")):
            corpus = Corpus(source)
            assert list(corpus.lines()) == ["甲乙", "丙丁"]
            assert list(corpus.lines()) == ["甲乙", "丙丁"]   # seekable files and lists re-read
    once = Corpus(line for line in ["甲乙", "丙丁"])
    assert not once.reiterable
    assert list(once.lines()) == ["甲乙", "丙丁"]
    with pytest.raises(NotReiterableError, match="only once"):
        list(once.lines())
    with pytest.raises(TypeError, match="str"):
        list(Corpus([b"bytes"]).lines())
    with pytest.raises(TypeError):
        Corpus(b"raw bytes")
    with pytest.raises(TypeError):
        Corpus(42)


def test_codes_are_code_points_in_chunks(tmp_path):
    rng = random.Random(5)
    text = random_text(rng, 3000)
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8", newline="")
    chunks = list(Corpus(path, chunk_bytes=100).codes())
    assert len(chunks) > 10
    assert np.concatenate(chunks).tolist() == [ord(c) for c in text]


@pytest.mark.parametrize("seed", range(4))
def test_codes_decode_utf8_like_the_text_decoder(tmp_path, seed):
    """codes() decodes strict UTF-8 in a compiled kernel: the same chunks as texts() (its
    reference, Python's decoder) over any block size, and the same DecodeError at bad bytes."""
    rng = random.Random(seed)
    pieces = [b"a", b"\n", "中".encode(), "é".encode(), "𠀀".encode(), "\uffff".encode(), "\U0010ffff".encode(),
              b"\x80", b"\xc0\xaf", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff",
              b"\xf0\x9f", b"\xe4\xb8", b"\xc3", b"\xf5\x80\x80\x80", b"\xed\x9f\xbf"]
    good = [p for p in pieces if _decodes(p)]
    path = tmp_path / "t.txt"
    for trial in range(150):
        data = b"".join(rng.choice(good) for _ in range(rng.randint(1, 80)))
        if trial % 2:       # one bad or cut-off piece somewhere
            at = rng.randint(0, len(data))
            data = data[:at] + rng.choice(pieces) + data[at:]
        path.write_bytes(data)
        chunk_bytes = rng.choice([16, 17, 18, 19, 1 << 20])
        expected, error = [], None
        try:
            expected = [[ord(c) for c in t] for t in Corpus(path, chunk_bytes=chunk_bytes).texts()]
        except DecodeError as exc:
            error = (exc.offset, str(exc))
        got, got_error = [], None
        try:
            for codes in Corpus(path, chunk_bytes=chunk_bytes).codes():
                assert codes.dtype == np.uint32 and codes.flags.writeable
                got.append(codes.tolist())
        except DecodeError as exc:
            got_error = (exc.offset, str(exc))
        assert got_error == error
        if error is None:
            assert got == expected


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_decode_error_names_file_offset_and_encoding(tmp_path):
    path = tmp_path / "bad.txt"
    prefix = "中文" * 20                                    # 120 bytes of valid UTF-8
    path.write_bytes(prefix.encode() + b"\xff\xfe" + "后".encode())
    for chunk_bytes in (16, 17, 1 << 20):
        with pytest.raises(DecodeError) as err:
            list(Corpus(path, chunk_bytes=chunk_bytes).texts())
        assert err.value.offset == 120 and err.value.encoding == "utf-8"
        assert str(path) in str(err.value) and "120" in str(err.value) and "utf-8" in str(err.value)
    # a multi-byte character cut off by end of file
    path.write_bytes("中文".encode() + "中".encode()[:2])
    with pytest.raises(DecodeError) as err:
        list(Corpus(path).texts())
    assert err.value.offset == 6
    # errors="replace" keeps going with U+FFFD
    assert list(Corpus(path, errors="replace").lines()) == ["中文\ufffd"]


def test_other_encodings(tmp_path):
    path = tmp_path / "gb.txt"
    path.write_bytes("简体中文，繁體中文\n".encode("gb18030"))
    assert list(Corpus(path, encoding="gb18030").lines()) == ["简体中文，繁體中文"]
    with pytest.raises(DecodeError, match="utf-8"):
        list(Corpus(path).lines())
    path16 = tmp_path / "u16.txt"
    path16.write_bytes("中文\n".encode("utf-16"))          # NUL bytes are normal in UTF-16
    assert list(Corpus(path16, encoding="utf-16").lines()) == ["中文"]
    with pytest.raises(ValueError, match="unknown encoding"):
        Corpus(path, encoding="no-such-codec")


def test_bad_paths_and_binary_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        Corpus(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        Corpus(tmp_path)
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
    with pytest.raises(BinaryInputError, match="binary"):
        list(Corpus(binary).lines())
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert list(Corpus(empty).lines()) == [] and list(Corpus(empty).codes()) == []


def test_normalisation_and_runs():
    rng = random.Random(11)
    for _ in range(20):
        text = random_text(rng, 200)
        assert normalize(text) == reference.normalize(text)
        assert len(normalize(text)) == len(text)           # one character to one character
        starts, ends = runs(text)
        normalized = reference.normalize(text)
        assert [normalized[s:e] for s, e in zip(starts, ends)] == reference.runs(text)
    assert to_codes("Ａ中", normalize=False).tolist() == [0xFF21, 0x4E2D]
    raw = to_codes("中,a１", normalize=False)
    assert word_mask(raw).tolist() == [True, False, True, True]
    assert word_mask(raw, normalize=False).tolist() == [True, False, True, False]
    assert is_word_char("𠀀") and is_word_char("㐀") and not is_word_char("。") and not is_word_char("ア")


def test_text_file_object_is_read_as_is():
    stream = io.StringIO("一\n二\n")
    corpus = Corpus(stream)
    assert list(corpus.lines()) == ["一", "二"] and list(corpus.lines()) == ["一", "二"]


@pytest.mark.parametrize("chunk_bytes", [16, 37, 1 << 20])
def test_blocks_are_the_raw_bytes_with_offsets(tmp_path, chunk_bytes):
    data = ("第一行，中文\r\n" * 20 + "尾").encode("gb18030")
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    corpus = Corpus(path, encoding="gb18030", chunk_bytes=chunk_bytes)
    assert corpus.is_binary
    for _ in range(2):                                      # re-readable like texts()
        blocks = list(corpus.blocks())
        assert b"".join(b for _, b in blocks) == data
        assert [o for o, _ in blocks] == list(range(0, len(data), chunk_bytes))
        assert all(len(b) == chunk_bytes for _, b in blocks[:-1])
    with open(path, "rb") as f:                             # offsets count from the file's position
        f.read(5)
        blocks = list(Corpus(f, chunk_bytes=chunk_bytes).blocks())
        assert b"".join(b for _, b in blocks) == data[5:] and blocks[0][0] == 0
    with pytest.raises(TypeError, match="text, not bytes"):
        list(Corpus(["甲乙"]).blocks())
    assert not Corpus(["甲乙"]).is_binary
    (tmp_path / "bin").write_bytes(b"abc\x00def")
    with pytest.raises(BinaryInputError, match="offset 3"):
        list(Corpus(tmp_path / "bin").blocks())
    import os

    r, w = os.pipe()                                        # an unseekable stream: one pass
    os.write(w, "甲乙".encode())
    os.close(w)
    with open(r, "rb") as pipe:
        once = Corpus(pipe)
        assert list(once.blocks()) == [(0, "甲乙".encode())]
        with pytest.raises(NotReiterableError):
            list(once.blocks())


def test_utf8_byte_order_mark_is_not_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "中文\n第二行\n".encode())
    corpus = Corpus(path)
    assert list(corpus.lines()) == ["中文", "第二行"]
    assert [offset for offset, _ in corpus.blocks()] == [3]          # offsets stay file offsets
    bad = tmp_path / "bom-bad.txt"
    bad.write_bytes(b"\xef\xbb\xbf" + "中".encode() + b"\xff")
    with pytest.raises(DecodeError) as err:
        list(Corpus(bad).lines())
    assert err.value.offset == 6
    # only UTF-8 files lose it; other encodings decode U+FEFF as they always do
    assert list(Corpus(path, encoding="latin-1").lines())[0].startswith("\xef\xbb\xbf")


def test_every_structured_file_reader_reports_bad_bytes_like_a_corpus(tmp_path):
    """Edge lists, dictionaries, lexicons and word2vec files are read through Corpus: undecodable
    bytes name the file and the byte offset, and a UTF-8 BOM is not part of the first line."""
    from nlpzero.community import read_edge_list
    from nlpzero.dictionary import read_dictionary
    from nlpzero.lexicon import Lexicon
    from nlpzero.vectors import load_vectors

    good = {
        "edges.tsv": ("甲 乙 2\n", lambda p: read_edge_list(p) == (["甲"], ["乙"], [2.0])),
        "dict.txt": ("自然语言 5\n", lambda p: read_dictionary(p) == [("自然语言", 5.0)]),
        "lex.tsv": ("#word\tcount\n自然\t5\n", lambda p: Lexicon.load(p).to_dict() == {"自然": 5}),
        "vec.txt": ("1 2\n猫 1.0 0.5\n", lambda p: load_vectors(p).words == ("猫",)),
    }
    for name, (text, check) in good.items():
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        assert check(str(path)), name
        bad = tmp_path / ("bad-" + name)
        data = text.encode()
        bad.write_bytes(data + b"\xff\n")
        reader = {"edges.tsv": read_edge_list, "dict.txt": read_dictionary,
                  "lex.tsv": Lexicon.load, "vec.txt": load_vectors}[name]
        with pytest.raises(DecodeError) as err:
            reader(str(bad))
        assert err.value.offset == len(data) and str(bad) in str(err.value), name
