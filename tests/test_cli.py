"""The command line, one section per command: what each prints, exit codes (2 for usage
errors), one-line errors without tracebacks, atomic output, signals. The library behind each
command is tested in that capability's module."""
import json
import multiprocessing
import os
import random
import stat
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner
from reference.apriori import brute_itemsets, brute_rules
from reference.ngrams import count_ngrams as ref_count

import nlpzero
from nlpzero import Lexicon, Segmenter, WordVectors, discover, load_vectors
from nlpzero._testing import SMALL_LEXICON as LEX
from nlpzero._testing import WORD_CLASSES, class_corpus, random_transactions, zipf_corpus
from nlpzero.apriori import min_count_for
from nlpzero.cli import main

nx = pytest.importorskip("networkx")


@pytest.fixture()
def run():
    def _run(*args, input=None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input)
    return _run


def parse(tsv):
    lines = tsv.splitlines()
    body = [line for line in lines if not line.startswith("#")]
    return lines, {g: int(c) for g, c in (line.split("\t") for line in body)}


def test_counts_match_reference(run, sample_path, sample_lines):
    result = run("ngrams", sample_path, "-n", 3, "--min-count", 4, "-q")
    assert result.exit_code == 0, result.output
    lines, got = parse(result.stdout)
    assert lines[0] == "#ngram\tcount"
    ref, _ = ref_count(sample_lines, 3, 4)
    assert got == ref
    counts = [int(line.split("\t")[1]) for line in lines[1:]]
    assert counts == sorted(counts, reverse=True)


def test_a_budget_that_forces_partitions_changes_no_byte(run, tmp_path, sample_path):
    """`ngrams --max-memory` small enough to count in hash partitions (and, from standard input,
    to copy the input first) writes exactly the unbounded listing."""
    whole = tmp_path / "whole.tsv"
    assert run("ngrams", sample_path, "-n", 4, "-q", "-o", whole).exit_code == 0
    small = tmp_path / "small.tsv"
    res = run("ngrams", sample_path, "-n", 4, "-q", "--max-memory", "512K", "-o", small)
    assert res.exit_code == 0, res.output
    assert small.read_bytes() == whole.read_bytes()
    text = open(sample_path, encoding="utf-8").read()
    res = run("ngrams", "-", "-n", 4, "-q", "--max-memory", "512K", input=text)
    assert res.exit_code == 0, res.output
    assert res.stdout == whole.read_text(encoding="utf-8")


def test_order_stdin_and_output_file(run, tmp_path):
    result = run("ngrams", "-", "-n", 2, "--order", 2, "--no-header", input="今天天气不错\n天气很好\n")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "天气\t2" and len(result.stdout.splitlines()) == 7
    out = tmp_path / "out.tsv"
    result = run("ngrams", "-", "-n", 2, "-o", out, input="今天天气不错\n")
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("#ngram\tcount\n")
    assert [p.name for p in tmp_path.iterdir()] == ["out.tsv"]        # no temp file left over


def test_empty_file_gives_empty_result(run, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run("ngrams", empty)
    assert result.exit_code == 0 and result.stdout == "#ngram\tcount\n"


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "bad.txt").write_bytes("中文".encode() + b"\xff") and d / "bad.txt",
         "cannot decode byte offset 6 as utf-8"),
        (lambda d: (d / "x.bin").write_bytes(b"\x00\x01\x02binary") and d / "x.bin", "binary file"),
    ],
)
def test_bad_input_is_one_line_exit_1(run, tmp_path, make, expected):
    result = run("ngrams", make(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and expected in result.stderr
    assert result.stderr.startswith("nlpzero: error:") and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["-n", "0"], ["-n", "-3"], ["--min-count", "0"], ["--min-count", "-1"],
                                  ["--max-memory", "lots"], ["-n", "2", "--order", "3"]])
def test_bad_parameters_are_usage_errors(run, sample_path, args):
    result = run("ngrams", sample_path, *args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_output_into_missing_directory_leaves_nothing(run, tmp_path, sample_path):
    target = tmp_path / "nope" / "out.tsv"
    result = run("ngrams", sample_path, "-o", target)
    assert result.exit_code == 1 and "directory does not exist" in result.stderr
    assert not target.parent.exists()


def test_failed_run_keeps_previous_output(run, tmp_path):
    out = tmp_path / "out.tsv"
    out.write_text("previous\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff")
    assert run("ngrams", bad, "-o", out).exit_code == 1
    assert out.read_text() == "previous\n" and sorted(os.listdir(tmp_path)) == ["bad.txt", "out.tsv"]


def test_version_help_and_python_dash_m(run):
    assert run("--version").stdout.strip() == f"nlpzero, version {nlpzero.__version__}"
    assert "ngrams" in run("--help").stdout
    proc = subprocess.run([sys.executable, "-m", "nlpzero", "ngrams", "-", "-n", "1", "--no-header"],
                          input="中中文", capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.splitlines() == ["中\t2", "文\t1"]


@pytest.mark.parametrize("args", [
    ["cluster", "X", "-k", "0"], ["cluster", "X", "--min-count", "0"], ["communities", "X", "--num-trials", "0"],
    ["communities", "X", "--teleportation", "1.5"], ["segment", "X", "--jobs", "0"],
    ["discover", "X", "--min-count", "0"], ["apriori", "X", "--min-support", "2"],
    ["similar", "X", "X", "--vectors", "X", "-k", "0"],
])
def test_every_command_reports_bad_numbers_as_usage_errors(run, sample_path, args):
    result = run(*[sample_path if a == "X" else a for a in args])
    assert result.exit_code == 2 and "Invalid value" in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------------- nlpzero segment
def test_cli_segment_file_and_stdin(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    d = tmp_path / "d.tsv"
    d.write_text("#word\tcount\n" + "".join(f"{w}\t{c}\n" for w, c in LEX.items()), encoding="utf-8")
    src = tmp_path / "in.txt"
    src.write_text("今天天气不错！\n北京大学生\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["segment", str(src), "--lexicon", str(d), "-o", str(tmp_path / "o.txt"), "-q"])
    assert res.exit_code == 0, res.output
    seg = Segmenter(LEX)
    want = "今天 天气 不错 ！\n" + " ".join(seg.lcut("北京大学生")) + "\n"
    assert (tmp_path / "o.txt").read_text(encoding="utf-8") == want
    res = runner.invoke(main, ["segment", "-", "--dict", str(d), "-d", "/", "-q"], input="今天天气\n")
    assert res.exit_code == 0 and res.output == "今天/天气\n"


def test_segment_errors(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    src = tmp_path / "in.txt"
    src.write_text("今天\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("今天 10\n天气 x y z\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["segment", str(src), "--dict", str(bad)])
    assert res.exit_code == 1 and f"{bad}, line 2" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["segment", str(src), "--dict", str(bad), "--lexicon", str(bad)])
    assert res.exit_code == 2
    res = runner.invoke(main, ["segment", str(src), "--dict", str(bad), "-o", str(tmp_path / "x" / "o")])
    assert res.exit_code == 1
    # standard input is copied to a temporary file to learn from it; too little text to learn
    # from is one line, exit 1
    res = runner.invoke(main, ["segment", "-"], input="今天\n")
    assert res.exit_code == 1 and "too small to learn from" in res.output and "Traceback" not in res.output


@pytest.mark.slow
def test_cli_max_word_len_reaches_the_learned_segmenter(tmp_path, sample_path):
    from click.testing import CliRunner

    from nlpzero import segment_unsupervised
    from nlpzero.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["segment", sample_path, "--max-word-len", "2", "-q"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [" ".join(toks) for toks in segment_unsupervised(sample_path, max_word_len=2)]
    assert res.output != runner.invoke(main, ["segment", sample_path, "-q"]).output
    res = runner.invoke(main, ["segment", sample_path, "--dict", "jieba", "--max-word-len", "2"])
    assert res.exit_code == 2 and "--max-word-len" in res.output


def test_cli_long_words_option_reaches_the_learned_segmenter(tmp_path):
    """--no-long-words learns the joint model without its merges (as long_words=False), the
    default and --long-words with them, in `segment` (the model's own segmentation) and in
    `learn` (its perceptron); --long-words with nvbe or a given segmenter is a usage error."""
    from click.testing import CliRunner

    from nlpzero import learn_segmenter, segment_unsupervised
    from nlpzero.cli import main

    path = tmp_path / "in.txt"
    lines = ["我们喜欢自然语言处理。"] * 30 + ["自然语言很美"] * 15
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    outs = {}
    for flag in ("--long-words", "--no-long-words", None):
        res = runner.invoke(main, ["segment", str(path), "-q", *([flag] if flag else [])])
        assert res.exit_code == 0, res.output
        outs[flag] = res.output.splitlines()
    for flag, long_words in (("--long-words", True), ("--no-long-words", False)):
        assert outs[flag] == [" ".join(toks) for toks in segment_unsupervised(str(path), long_words=long_words)]
    assert outs[None] == outs["--long-words"] != outs["--no-long-words"]
    model = tmp_path / "m.nlpz"
    assert runner.invoke(main, ["learn", str(path), "-q", "--no-long-words", "-o", str(model)]).exit_code == 0
    res = runner.invoke(main, ["segment", str(path), "-q", "--model", str(model)])
    seg = learn_segmenter(str(path), long_words=False)
    assert res.output.splitlines() == [" ".join(toks) for toks in seg.cut_lines(lines)]
    res = runner.invoke(main, ["segment", str(path), "--long-words", "--method", "nvbe"])
    assert res.exit_code == 2 and "--long-words" in res.output
    res = runner.invoke(main, ["segment", str(path), "--no-long-words", "--dict", "jieba"])
    assert res.exit_code == 2 and "long-words" in res.output


JIEBA_CLI_CUTS = {
    "--hmm": lambda jb, s: jb.lcut(s),
    "--cut search": lambda jb, s: jb.lcut_for_search(s, HMM=False),
    "--cut full": lambda jb, s: jb.lcut(s, cut_all=True),
    "--hmm --cut search": lambda jb, s: jb.lcut_for_search(s),
}


@pytest.mark.slow
@pytest.mark.parametrize("flags", sorted(JIEBA_CLI_CUTS))
def test_cli_segment_jieba_cuts(tmp_path, flags):
    jieba = pytest.importorskip("jieba")
    jieba.setLogLevel(60)
    lines = ["他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所", "iPhone12 售价 7999 元，贵 3.5%",
             "C++ 和 C# 是语言", "１２月３１日，ＡＢＣ公司", "", "工信处女干事每月经过下属科室"]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["segment", str(src), "--dict", "jieba", "-q", *flags.split()])
    assert res.exit_code == 0, res.output
    expected = [[w for w in JIEBA_CLI_CUTS[flags](jieba, s) if w.strip()] for s in lines]
    assert res.output == "".join(" ".join(t) + "\n" for t in expected)


def test_cli_segment_force_dict_and_usage_errors(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("超市南门店开业[捂脸]\n", encoding="utf-8")
    force = tmp_path / "force.tsv"
    force.write_text("南门\t\n[捂脸]\t2\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["segment", str(src), "--dict", "jieba", "--mode", "nlpzero", "-q",
                               "--force-dict", str(force)])
    assert res.exit_code == 0 and res.output == "超市 南门 店 开业 [捂脸]\n", res.output
    for args in (["--mode", "nlpzero", "--hmm"], ["--force-dict", str(force)], ["--mode", "nlpzero", "--cut", "full"],
                 ["--start-method", "teleport"]):
        res = runner.invoke(main, ["segment", str(src), "--dict", "jieba", "-q", *args])
        assert res.exit_code == 2 and "Traceback" not in res.output, args
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("南门 3\n[捂脸]\t3\n", encoding="utf-8")
    res = runner.invoke(main, ["segment", str(src), "--dict", "jieba", "-q", "--user-dict", str(mixed)])
    assert res.exit_code == 1 and "mixed.txt, line 2" in res.output and "Traceback" not in res.output


START_METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


@pytest.mark.slow
@pytest.mark.parametrize("method", START_METHODS)
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_cli_signal_stops_workers_and_leaves_no_file(tmp_path, signame, method):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    sig = getattr(signal, signame)
    d = tmp_path / "d.tsv"
    d.write_text("".join(f"{w}\t{c}\n" for w, c in LEX.items()), encoding="utf-8")
    out = tmp_path / "out.txt"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nlpzero", "segment", "-", "--dict", str(d), "-j", "2", "-q", "-o", str(out),
         "--start-method", method],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
    proc.stdin.write(("今天天气不错北京大学生\n" * 200000).encode())       # ~6 MB, stdin left open
    proc.stdin.flush()

    def children(pids):
        if not pids:
            return []
        return subprocess.run(["ps", "-o", "pid=", "--ppid", ",".join(pids)], capture_output=True,
                              text=True).stdout.split()

    workers = []
    for _ in range(200):
        kids = children([str(proc.pid)])
        workers = kids + children(kids)        # forkserver's workers are its server's children
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    assert len(workers) >= 2
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
    assert proc.wait(timeout=30) == 128 + sig
    assert b"Traceback" not in proc.stderr.read()

    def alive():
        return [pid for pid in workers if os.path.exists(f"/proc/{pid}")
                and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]

    deadline = time.time() + 5
    while alive() and time.time() < deadline:
        time.sleep(0.1)
    assert os.listdir(tmp_path) == ["d.tsv"]
    assert alive() == []
    proc.stdin.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_full_disk_leaves_no_file(tmp_path, small_pool, monkeypatch, jobs):
    import errno

    from click.testing import CliRunner

    import nlpzero._io
    from nlpzero.cli import main

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nlpzero._io.os, "fsync", full)
    d = tmp_path / "d.tsv"
    d.write_text("".join(f"{w}\t{c}\n" for w, c in LEX.items()), encoding="utf-8")
    src = tmp_path / "in.txt"
    src.write_text("今天天气不错\n" * 5000, encoding="utf-8")
    res = CliRunner().invoke(main, ["segment", str(src), "--dict", str(d), "-j", str(jobs), "-o",
                                    str(tmp_path / "out.txt")])
    assert res.exit_code == 1 and "No space left on device" in res.output
    assert sorted(os.listdir(tmp_path)) == ["d.tsv", "in.txt"]


# ---------------------------------------------------------------------- nlpzero discover
def test_cli_discover_tsv_and_jsonl(tmp_path):
    _, lines = zipf_corpus(1, 400)
    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join("".join(ws) for ws in lines) + "\n", encoding="utf-8")
    out = tmp_path / "lex.tsv"
    r = CliRunner().invoke(main, ["discover", str(corpus), "-o", str(out), "--min-count", "3", "-q"])
    assert r.exit_code == 0, r.output
    lex = Lexicon.load(out)
    assert len(lex) > 10 and lex.words == discover(str(corpus), min_count=3).words
    r = CliRunner().invoke(main, ["discover", str(corpus), "--method", "min-entropy", "--top", "5",
                                  "--format", "jsonl", "-q"])
    assert r.exit_code == 0
    recs = [json.loads(x) for x in r.output.splitlines()]
    assert len(recs) == 5 and {"word", "count", "new", "cohesion"} <= set(recs[0])


def test_cli_discover_errors(tmp_path):
    small = tmp_path / "small.txt"
    small.write_text("你好\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["discover", str(small)])
    assert r.exit_code == 1 and "too small" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["discover", str(small), "--min-count", "0"])
    assert r.exit_code == 2
    r = CliRunner().invoke(main, ["discover", str(tmp_path / "missing.txt")])
    assert r.exit_code == 1 and "no such file" in r.output


def test_cli_discover_known_files(tmp_path):
    rng = random.Random(0)
    words = ["自然", "语言", "处理", "我们", "喜欢", "很", "美", "的", "北京大学", "研究生"]
    corpus = tmp_path / "c.txt"
    corpus.write_text("".join("".join(rng.choices(words, k=12)) + "\n" for _ in range(300)), encoding="utf-8")
    mine = tmp_path / "mine.txt"
    mine.write_text("研究生\n北京大学 3\n", encoding="utf-8")
    base = ["discover", str(corpus), "--method", "min-entropy", "--min-count", "5", "-q"]
    r = CliRunner().invoke(main, [*base, "--known", str(mine), "--no-known-jieba", "--new-only"])
    assert r.exit_code == 0, r.output
    new = {line.split("\t")[0] for line in r.output.splitlines()[1:]}
    assert new == set(words) - {"研究生", "北京大学"}
    assert new == set(discover(str(corpus), method="min_entropy", min_count=5, known=[str(mine)],
                               known_jieba=False).new_words())
    bad = tmp_path / "bad.txt"
    bad.write_text("研究生\n北京 x y z\n", encoding="utf-8")
    r = CliRunner().invoke(main, [*base, "--known", str(mine), "--known", str(bad)])
    assert r.exit_code == 1 and f"{bad}, line 2" in r.stderr and r.stderr.count("\n") == 1
    r = CliRunner().invoke(main, [*base, "--known", str(tmp_path)])          # a directory: usage error
    assert r.exit_code == 2 and "Traceback" not in r.output


# ---------------------------------------------------------------------- nlpzero apriori
def _parse_tsv(text):
    lines = text.splitlines()
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def test_cli_itemsets_and_rules(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    tr = random_transactions(5, 50, 8, 0.5, dup=False)
    p = tmp_path / "tr.txt"
    p.write_text("".join(" ".join(map(str, t)) + "\n" for t in tr), encoding="utf-8")
    str_tr = [[str(x) for x in t] for t in tr]
    runner = CliRunner()
    res = runner.invoke(main, ["apriori", str(p), "--min-count", "4", "-q"])
    assert res.exit_code == 0, res.output
    header, rows = _parse_tsv(res.stdout)
    assert header == ["itemset", "size", "count", "support"]
    got = {frozenset(r[0].split(" ")): int(r[2]) for r in rows}
    assert got == brute_itemsets(str_tr, 4)
    counts = [int(r[2]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert all(int(r[1]) == len(r[0].split(" ")) for r in rows)

    out = tmp_path / "rules.tsv"
    res = runner.invoke(main, ["apriori", str(p), "--min-support", "0.08", "--rules", "--min-confidence", "0.6",
                               "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "rules in" in res.stderr
    header, rows = _parse_tsv(out.read_text(encoding="utf-8"))
    assert header == ["antecedent", "consequent", "count", "support", "confidence", "lift"]
    want = brute_rules(brute_itemsets(str_tr, min_count_for(0.08, 50)), 50, 0.6)
    got = {(frozenset(r[0].split(" ")), frozenset(r[1].split(" "))): (int(r[2]), float(r[4]), float(r[5]))
           for r in rows}
    assert got.keys() == want.keys()
    for k, (c, conf, lift) in want.items():
        assert got[k][0] == c
        assert got[k][1] == pytest.approx(conf, rel=1e-5) and got[k][2] == pytest.approx(lift, rel=1e-5)

    res = runner.invoke(main, ["apriori", "-", "--min-count", "4", "--sep", " ", "-q"], input=p.read_text())
    assert res.exit_code == 0
    assert {frozenset(r[0].split(" ")): int(r[2]) for r in _parse_tsv(res.stdout)[1]} == brute_itemsets(str_tr, 4)


def test_cli_rule_options(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    tr = random_transactions(9, 60, 8, 0.5, dup=False)
    p = tmp_path / "tr.csv"
    p.write_text("".join(",".join(map(str, t)) + "\n" for t in tr), encoding="utf-8")
    str_tr = [[str(x) for x in t] for t in tr]
    res = CliRunner().invoke(main, ["apriori", str(p), "--sep", ",", "--min-count", "5", "--rules",
                                    "--min-confidence", "0.5", "--min-lift", "1.05", "--max-consequent-size", "0",
                                    "-q"])
    assert res.exit_code == 0, res.output
    rows = _parse_tsv(res.stdout)[1]
    got = {(frozenset(r[0].split(",")), frozenset(r[1].split(","))) for r in rows}
    want = brute_rules(brute_itemsets(str_tr, 5), 60, 0.5, 1.05 * (1 - 1e-12), None)
    assert got == set(want) and any(len(k[1]) > 1 for k in want)
    confs = [(float(r[4]), float(r[5])) for r in rows]
    assert confs == sorted(confs, reverse=True)


def test_apriori_errors(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["apriori", str(tmp_path / "nope.txt"), "--min-count", "2"])
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "nope.txt" in res.stderr
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"a b\n\xff\n")
    res = runner.invoke(main, ["apriori", str(bad), "--min-count", "1"])
    assert res.exit_code == 1 and "byte offset 4" in res.stderr and "Traceback" not in res.stderr
    good = tmp_path / "t.txt"
    good.write_text("a b c d e f g h\n" * 3, encoding="utf-8")
    res = runner.invoke(main, ["apriori", str(good), "--min-count", "1", "--max-itemsets", "50"])
    assert res.exit_code == 1 and "more than 50 frequent itemsets" in res.stderr
    for bad_option in (["--min-count", "0"], ["--min-support", "1.5"], ["--min-support", "0"],
                       ["--min-count", "1", "--min-confidence", "2"]):
        res = runner.invoke(main, ["apriori", str(good), *bad_option])
        assert res.exit_code == 2 and "Invalid value" in res.stderr, bad_option   # usage errors
    res = runner.invoke(main, ["apriori", str(good)])
    assert res.exit_code == 2 and "exactly one of --min-support and --min-count" in res.stderr
    out = tmp_path / "out.tsv"
    out.write_text("keep me", encoding="utf-8")
    res = runner.invoke(main, ["apriori", str(bad), "--min-count", "1", "-o", str(out)])
    assert res.exit_code == 1 and out.read_text(encoding="utf-8") == "keep me"  # never half-written


# ---------------------------------------------------------------------- nlpzero cluster
def test_cli_cluster(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    path = tmp_path / "seg.txt"
    path.write_text("\n".join(" ".join(s) for s in class_corpus(2000)) + "\n", encoding="utf-8")
    out = tmp_path / "classes.tsv"
    npz = tmp_path / "v.npz"
    res = CliRunner().invoke(
        main, ["cluster", str(path), "--segmented", "-k", "5", "--window", "2", "--min-count", "1",
               "--num-trials", "2", "-o", str(out), "--save-vectors", str(npz)]
    )
    assert res.exit_code == 0, res.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["word", "class", "flow"] and len(rows) == 33
    cls = {w: c for w, c, _ in rows[1:]}
    assert len({cls[w] for w in WORD_CLASSES["place"]}) == 1
    assert WordVectors.load(npz).vectors.shape[0] == 32
    res = CliRunner().invoke(main, ["cluster", str(path), "--segmented", "--min-count", "100000"])
    assert res.exit_code == 1 and "min_count" in res.output and "Traceback" not in res.output
    assert "--segmented" in CliRunner().invoke(main, ["cluster", "--help"]).output
    res = CliRunner().invoke(main, ["cluster", str(path), "--segmented", "--dict", "jieba"])
    assert res.exit_code == 2 and "--segmented" in res.output


@pytest.mark.slow
def test_cli_cluster_raw_text(tmp_path, sample_path):
    # the bundled reviews, raw: learned segmenter by default, or a lexicon from `discover`
    from click.testing import CliRunner

    from nlpzero.cli import main

    out = tmp_path / "classes.tsv"
    res = CliRunner().invoke(main, ["cluster", sample_path, "-q", "--num-trials", "2", "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    cls = {w: c for w, c, _ in rows}
    assert len(cls) > 1000 and max(map(len, cls)) > 2            # words, not characters
    # a heuristic: check quality bounds, not one exact partition. Words of one topic share a
    # class far more often than chance (about 1 in 100 classes here).
    def majority(words):
        found = [cls[w] for w in words if w in cls]
        return max(found.count(c) for c in found) / len(found), len(found)

    share, n = majority(["女儿", "儿子", "宝宝", "两岁", "三岁"])        # children's books
    assert n >= 4 and share >= 0.75
    assert len(set(cls.values())) >= 20
    # delivery: only 3-4 of these words are frequent enough, so one InfoMap run's share is 1/3,
    # 2/3 or 1 by chance as much as by the vectors; the mean over three seeds is the bound
    shares = []
    for seed in (0, 1, 2):
        if seed:
            res = CliRunner().invoke(main, ["cluster", sample_path, "-q", "--num-trials", "2", "--seed",
                                            str(seed), "-o", str(out)])
            assert res.exit_code == 0, res.output
            rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()[1:]]
            cls = {w: c for w, c, _ in rows}
        share, n = majority(["发货", "快递", "送货", "物流", "到货"])
        assert n >= 3
        shares.append(share)
    assert sum(shares) / 3 >= 0.6, shares
    lex = tmp_path / "lex.tsv"
    assert CliRunner().invoke(main, ["discover", sample_path, "-q", "-o", str(lex)]).exit_code == 0
    res = CliRunner().invoke(main, ["cluster", sample_path, "-q", "--num-trials", "1", "--lexicon", str(lex),
                                    "--min-count", "20", "-o", str(out)])
    assert res.exit_code == 0, res.output
    words = [line.split("\t")[0] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert any(len(w) > 1 for w in words)


# ---------------------------------------------------------------------- nlpzero communities
def test_cli_communities_reads_other_encodings(tmp_path):
    from click.testing import CliRunner

    edges = tmp_path / "e.txt"
    edges.write_bytes("甲 乙\n乙 丙\n甲 丙\n丁 戊\n".encode("gb18030"))
    res = CliRunner().invoke(main, ["communities", str(edges), "-q"])
    assert res.exit_code == 1 and "--encoding" in res.stderr and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["communities", str(edges), "-q", "--encoding", "gb18030"])
    assert res.exit_code == 0, res.output
    assert {line.split("\t")[0] for line in res.stdout.splitlines()[1:]} == set("甲乙丙丁戊")


def test_cli_communities(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    G = nx.ring_of_cliques(3, 4)
    path = tmp_path / "e.tsv"
    path.write_text("".join(f"{u}\t{v}\n" for u, v in G.edges()))
    out = tmp_path / "out.tsv"
    res = CliRunner().invoke(main, ["communities", str(path), "-o", str(out), "--num-trials", "2"])
    assert res.exit_code == 0, res.output
    lines = out.read_text().splitlines()
    assert lines[0] == "node\tmodule\tflow" and len(lines) == 13
    assert {line.split("\t")[1] for line in lines[1:]} == {"1", "2", "3"}
    res = CliRunner().invoke(main, ["communities", "-", "--directed", "-q"], input="a b\nb c\nc a\n")
    assert res.exit_code == 0 and res.output.startswith("node\tmodule\tflow\n")
    bad = tmp_path / "bad.tsv"
    bad.write_text("a b -2\n")
    res = CliRunner().invoke(main, ["communities", str(bad)])
    assert res.exit_code == 1 and "line 1" in res.output and "Traceback" not in res.output


def test_cli_zero_weight_edge_leaves_two_isolated_nodes():
    from click.testing import CliRunner

    from nlpzero.cli import main

    res = CliRunner().invoke(main, ["communities", "-", "-q"], input="a b 0\n")
    assert res.exit_code == 0, res.output
    rows = [line.split("\t") for line in res.stdout.splitlines()[1:]]
    assert sorted((node, module) for node, module, _ in rows) == [("a", "1"), ("b", "2")] or \
        sorted((node, module) for node, module, _ in rows) == [("a", "2"), ("b", "1")]


# ---------------------------------------------------------------------- nlpzero similar
def test_cli_similar(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    (tmp_path / "v.txt").write_text("3 2\n猫 0 0\n狗 3 4\n吃 0 1\n", encoding="utf-8")
    (tmp_path / "q.txt").write_text("猫 吃\n鱼\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text("狗 吃\n猫\n\n鱼 鱼\n吃 吃 猫\n", encoding="utf-8")
    runner = CliRunner()
    args = ["similar", str(tmp_path / "q.txt"), str(tmp_path / "d.txt"), "--vectors", str(tmp_path / "v.txt")]
    res = runner.invoke(main, args + ["-k", "2", "-q"])
    assert res.exit_code == 0, res.output
    rows = [line.split("\t") for line in res.stdout.splitlines()]
    assert rows[0] == ["query", "rank", "doc", "distance", "text"]
    assert [r[:3] for r in rows[1:]] == [["1", "1", "5"], ["1", "2", "2"]]
    assert float(rows[1][3]) == pytest.approx(1 / 6)
    out = tmp_path / "out.tsv"
    res = runner.invoke(main, args + ["--metric", "wrd", "-o", str(out)])
    assert res.exit_code == 0 and "query line 2" in res.stderr
    # 猫 is the zero vector (no weight under WRD): docs 2, 3 and 4 are empty and never listed
    assert out.read_text(encoding="utf-8").count("\n") == 1 + 2
    # the same through .npz vectors and stdin documents
    load_vectors(tmp_path / "v.txt").save(tmp_path / "v.npz")
    res = runner.invoke(main, ["similar", str(tmp_path / "q.txt"), "-", "--vectors", str(tmp_path / "v.npz"), "-q"],
                        input="猫\n")
    assert res.exit_code == 0 and res.stdout.splitlines()[1].startswith("1\t1\t1\t0.5\t猫")
    bad = runner.invoke(main, args[:-1] + [str(tmp_path / "missing.txt")])
    assert bad.exit_code == 1 and bad.stderr.startswith("nlpzero: error:") and "Traceback" not in bad.output
    (tmp_path / "bad.txt").write_text("a 1 2\nb 3\n", encoding="utf-8")
    bad = runner.invoke(main, args[:-1] + [str(tmp_path / "bad.txt")])
    assert bad.exit_code == 1 and "line 2" in bad.stderr
    assert runner.invoke(main, ["similar", str(tmp_path / "q.txt")]).exit_code == 2
    assert runner.invoke(main, args + ["-k", "0"]).exit_code == 2


# ---------------------------------------------------------------------- the exception policy
@pytest.fixture()
def short_corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("今天天气不错\n天气很好\n" * 20, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["ngrams", "{c}", "--min-count", str(10**20)],
        ["ngrams", "{c}", "--max-memory", "inf"],
        ["ngrams", "{c}", "--max-memory", "1e30"],
        ["ngrams", "{c}", "--max-memory", "nan"],
        ["ngrams", "{c}", "-n", "33"],
        ["apriori", "{c}", "--min-count", str(10**20)],
        ["apriori", "{c}", "--min-count", "1", "--max-size", str(10**20)],
        ["apriori", "{c}", "--min-count", "1", "--min-lift", "inf"],
        ["cluster", "{c}", "--segmented", "--window", str(10**20)],
        ["cluster", "{c}", "--segmented", "--num-trials", "99999999999"],
        ["communities", "{c}", "--num-trials", "99999999999"],
        ["communities", "{c}", "--seed", str(10**30)],
        ["segment", "{c}", "--dict", "jieba", "--jobs", "100000"],
        ["discover", "{c}", "--top", str(10**30)],
        ["similar", "{c}", "{c}", "--vectors", "{c}", "-k", str(10**20)],
    ],
)
def test_cli_huge_values_are_usage_errors(args, short_corpus):
    res = CliRunner().invoke(main, [a.format(c=short_corpus) for a in args])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and not isinstance(res.exception, (OverflowError, ValueError))


def test_cli_library_bug_keeps_its_traceback(monkeypatch, short_corpus):
    import nlpzero.discovery

    def broken(*args, **kwargs):
        raise ValueError("a bug inside nlpzero")

    monkeypatch.setattr(nlpzero.discovery, "discover", broken)
    res = CliRunner().invoke(main, ["discover", str(short_corpus)])
    assert isinstance(res.exception, ValueError) and res.exit_code == 1   # propagated, not a one-liner
    assert "nlpzero: error" not in res.output


def test_cli_user_errors_are_one_line(short_corpus, tmp_path):
    res = CliRunner().invoke(main, ["ngrams", str(tmp_path / "missing.txt")])
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and res.stderr.startswith("nlpzero: error:")
    res = CliRunner().invoke(main, ["apriori", str(short_corpus), "--min-count", "1", "--max-itemsets", "1"])
    assert res.exit_code == 1 and "more than 1 frequent itemsets" in res.stderr, res.output


# ---------------------------------------------------------------------- output streams (real processes)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args, stdin=None, stdout=subprocess.PIPE, env=None, shell_redirect=""):
    """Run ``python -m nlpzero ARGS`` in a real process (real file descriptors)."""
    full_env = dict(os.environ, PYTHONPATH=ROOT, **(env or {}))
    full_env.pop("NLPZERO_DEBUG", None)
    if shell_redirect:
        cmd = " ".join([f"'{sys.executable}'", "-m", "nlpzero", *[f"'{a}'" for a in args], shell_redirect])
        return subprocess.run(["sh", "-c", cmd], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                              env=full_env, cwd=ROOT, timeout=120)
    return subprocess.run([sys.executable, "-m", "nlpzero", *map(str, args)], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, env=full_env, cwd=ROOT, timeout=120)


@pytest.fixture()
def long_corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("今天天气不错，我们去公园散步吧。\n天气很好\n" * 4000, encoding="utf-8")
    return path


def one_error_line(stderr: bytes, *needles):
    text = stderr.decode("utf-8")
    assert "Traceback" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nlpzero: error:"), text
    for needle in needles:
        assert needle in lines[0], text


def test_cli_output_keeps_mode_and_symlink(long_corpus, tmp_path):
    out = tmp_path / "out.tsv"
    out.write_text("old")
    os.chmod(out, 0o600)
    res = cli("ngrams", long_corpus, "-n", 2, "-q", "-o", out)
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600 and out.read_text(encoding="utf-8").startswith("#ngram")
    link = tmp_path / "link.tsv"
    link.symlink_to(out)
    res = cli("ngrams", long_corpus, "-n", 1, "-q", "-o", link)
    assert res.returncode == 0 and link.is_symlink() and "#ngram" in out.read_text(encoding="utf-8")


def test_cli_fifo_output(long_corpus, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    def read():
        with open(fifo, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=read)
    reader.start()
    res = cli("ngrams", long_corpus, "-n", 2, "-q", "-o", fifo)
    reader.join(30)
    assert res.returncode == 0, res.stderr
    assert got and got[0].startswith(b"#ngram") and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("unbuffered", [False, True])
@pytest.mark.parametrize("command", [["ngrams", "-n", "3"], ["discover", "--min-count", "2"]])
def test_cli_full_disk_on_stdout_is_exit_1(long_corpus, unbuffered, command):
    env = {"PYTHONUNBUFFERED": "1"} if unbuffered else {}
    with open("/dev/full", "wb") as full:
        res = cli(command[0], long_corpus, *command[1:], "-q", stdout=full, env=env)
    assert res.returncode == 1
    one_error_line(res.stderr, "No space left on device")


@pytest.mark.parametrize("unbuffered", [False, True])
def test_cli_short_writes_are_not_silent(tmp_path, unbuffered):
    """A file size limit makes the kernel accept part of a write, then refuse the rest (as a
    filling disk does): the tail must not vanish with exit 0."""
    resource = pytest.importorskip("resource")
    import random
    import signal

    rng = random.Random(0)
    chars = [chr(0x4E00 + i) for i in range(300)]
    big = tmp_path / "big.txt"
    big.write_text("\n".join("".join(rng.choice(chars) for _ in range(30)) for _ in range(3000)), encoding="utf-8")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

    env = dict(os.environ, PYTHONPATH=ROOT, **({"PYTHONUNBUFFERED": "1"} if unbuffered else {}))
    with open(tmp_path / "out.tsv", "wb") as out:
        res = subprocess.run([sys.executable, "-m", "nlpzero", "ngrams", str(big), "-n", "2", "-q"], stdout=out,
                             stderr=subprocess.PIPE, env=env, cwd=ROOT, preexec_fn=limit, timeout=120)
    assert res.returncode == 1
    one_error_line(res.stderr, "<stdout>", "File too large")


def test_cli_full_disk_on_output_file_is_exit_1(long_corpus, tmp_path, private_device):
    node = private_device("full", 7)
    res = cli("ngrams", long_corpus, "-q", "-o", node)
    assert res.returncode == 1 and stat.S_ISCHR(os.lstat(node).st_mode)
    one_error_line(res.stderr, str(node), "No space left on device")


def test_cli_closed_stdout_and_stdin(long_corpus):
    res = cli("ngrams", long_corpus, "-q", shell_redirect=">&-")
    assert res.returncode == 1
    one_error_line(res.stderr, "standard output is closed")
    res = cli("ngrams", "-", "-q", shell_redirect="<&-")
    assert res.returncode == 1
    one_error_line(res.stderr, "standard input is closed")


def test_cli_broken_pipe_is_quiet(long_corpus):
    full_env = dict(os.environ, PYTHONPATH=ROOT)
    cmd = f"'{sys.executable}' -m nlpzero ngrams '{long_corpus}' -n 4 -q | head -n 1; exit ${{PIPESTATUS:-0}}"
    res = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd}"], capture_output=True, env=full_env, cwd=ROOT,
                         timeout=120)
    assert res.stdout.decode("utf-8").startswith("#ngram")
    assert res.stderr == b"" and res.returncode == 0


# ---------------------------------------------------------------- reliability: guards and messages


def test_cli_empty_lexicon_is_one_line(tmp_path):
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["segment", str(empty), "--lexicon", str(empty)])
    assert res.exit_code == 1 and "no words" in res.stderr


def test_cli_resource_guards_are_one_line(tmp_path):
    seg = tmp_path / "seg.txt"
    seg.write_text("a b c d\n" * 10, encoding="utf-8")
    res = CliRunner().invoke(main, ["cluster", str(seg), "--segmented", "--num-trials", "20000"])
    assert res.exit_code == 2 and "--num-trials" in res.output
    res = CliRunner().invoke(main, ["segment", str(seg), "--dict", "jieba", "--jobs", "1000"])
    assert res.exit_code == 2 and "--jobs" in res.output


def test_decode_hints_fit_the_command(tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_bytes(b"a b\n\xff\xfe c\n")
    res = CliRunner().invoke(main, ["communities", str(edges)])
    assert res.exit_code == 1 and "--encoding" in res.stderr and "--errors" not in res.stderr
    res = CliRunner().invoke(main, ["ngrams", str(edges)])
    assert res.exit_code == 1 and "--errors replace" in res.stderr
    bad_dict = tmp_path / "dict.txt"
    bad_dict.write_bytes(b"\xff\xfe 3\n")
    text = tmp_path / "t.txt"
    text.write_text("天气\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["segment", str(text), "--dict", str(bad_dict)])
    assert res.exit_code == 1 and "dictionaries and lexicons are UTF-8" in res.stderr
    assert "--errors" not in res.stderr


def test_a_huge_bad_line_is_not_echoed(tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text("a b\n" + "x " * 100_000 + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["communities", str(edges)])
    assert res.exit_code == 1 and "line 2" in res.stderr and len(res.stderr) < 400


def test_discover_help_does_not_advertise_a_top_cut_lexicon_for_segment():
    """`discover --top 5000` then `segment --lexicon` segmented PKU worse (F1 0.681) than the whole
    lexicon (0.731): the help must not suggest feeding a cut lexicon to segment."""
    text = CliRunner().invoke(main, ["discover", "--help"]).output
    lines = [line for line in text.splitlines() if line.strip().startswith("nlpzero discover")]
    assert lines and not any({"--top", "-o"} <= set(line.split()) for line in lines)


# ----------------------------------------------------------------------------- templates, parse


def test_cli_templates_and_parse(run, tmp_path):
    from test_templates import corpus_lines

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    out = tmp_path / "t.jsonl"
    r = run("templates", corpus, "--segmented", "--format", "jsonl", "-o", out, "--min-proba", "1e-3")
    assert r.exit_code == 0, r.output
    assert "saving" in r.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "nlpzero_templates" in rows[0]
    assert ["据", "新华社", None, "电"] in [row["template"] for row in rows[1:]]
    r = run("templates", corpus, "--segmented", "-o", tmp_path / "derived.tsv")
    assert r.exit_code == 0, r.output
    assert "min_proba derived: " in r.stderr.splitlines()[-1]
    r = run("templates", corpus, "--segmented", "--top", "2", "-q", "--min-proba", "1e-3")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 4 and r.stdout.startswith("# nlpzero_templates {")
    assert r.stdout.splitlines()[1].startswith("template\t")
    r = run("parse", corpus, "--segmented", "--templates", out)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert len(lines) == len(corpus_lines())
    for src, got in zip(corpus_lines(), lines):
        assert got.replace("[", "").replace("]", "").replace("(", "").replace(")", "").split() == src.split()


def test_cli_bad_input(run, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"template": ["在", null, "中"]}\n{"templat": 1}\n', encoding="utf-8")
    corpus = tmp_path / "c.txt"
    corpus.write_text("据 新华社 北京 电\n", encoding="utf-8")
    r = run("parse", corpus, "--segmented", "--templates", bad)
    assert r.exit_code == 1 and "bad.jsonl, line 2" in r.stderr and "Traceback" not in r.stderr
    r = run("templates", corpus, "--segmented")
    assert r.exit_code == 1 and "too small" in r.stderr and r.stderr.count("\n") == 1
    r = run("templates", corpus, "--segmented", "--window", "0")
    assert r.exit_code == 2
    raw = tmp_path / "raw.txt"
    raw.write_text("今天天气不错我们一起去公园散步吧\n" * 30, encoding="utf-8")
    r = run("templates", raw, "--segmented")
    assert r.exit_code == 1 and "warning" in r.stderr and "single token" in r.stderr


# ----------------------------------------------------------------------------- --scheduler (Dask)
_NO_DASK = "raise ImportError('dask is not installed here')\n"


@pytest.fixture()
def no_dask(tmp_path):
    """An environment in which ``import dask`` and ``import distributed`` fail."""
    for name in ("dask", "distributed"):
        (tmp_path / "shim" / name).mkdir(parents=True)
        (tmp_path / "shim" / name / "__init__.py").write_text(_NO_DASK)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "shim"), root]))


def _scheduler_corpus(tmp_path):
    """About 250 KB of Zipf-corpus text with punctuation and ASCII: 4 blocks on 2 workers."""
    import random

    gen = random.Random(5)
    seps = ["", "", "，", "。", "ABC", "１２", " "]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join("".join(w + gen.choice(seps) for w in ws) for ws in zipf_corpus(5, 2500)[1]) + "\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["ngrams", "-n", "3"], ["discover", "--method", "min-entropy"], ["learn"],
                                     ["segment"], ["segment", "--dict", "jieba"]])
def test_cli_scheduler_writes_the_same_bytes(tmp_path, dask_client, command):
    corpus = _scheduler_corpus(tmp_path)
    address = dask_client.scheduler.address
    one, two = tmp_path / "one.out", tmp_path / "two.out"
    r1 = CliRunner().invoke(main, [command[0], str(corpus), *command[1:], "-q", "-o", str(one)])
    r2 = CliRunner().invoke(main, [command[0], str(corpus), *command[1:], "-q", "-o", str(two),
                                   "--scheduler", address])
    assert r1.exit_code == 0 and r2.exit_code == 0, r2.output
    assert two.read_bytes() == one.read_bytes() and one.stat().st_size > 1000


def test_cli_scheduler_local_n_and_urls(tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'nlpzero[dask]')")
    corpus = _scheduler_corpus(tmp_path)
    one, two = tmp_path / "one.tsv", tmp_path / "two.tsv"
    assert CliRunner().invoke(main, ["ngrams", str(corpus), "-q", "-o", str(one)]).exit_code == 0
    r = CliRunner().invoke(main, ["ngrams", corpus.as_uri(), "-q", "-o", str(two), "--scheduler", "local:1"])
    assert r.exit_code == 0, r.output
    assert two.read_bytes() == one.read_bytes()


@pytest.mark.parametrize("spec", ["local:0", "local:abc", "local:", "tcp://host", "nohost", "tcp://h:99999"])
def test_cli_bad_scheduler_is_a_usage_error(run, sample_path, spec):
    r = run("ngrams", sample_path, "-q", "--scheduler", spec)
    assert r.exit_code == 2 and "--scheduler" in r.output and "Traceback" not in r.output


def test_cli_unreachable_scheduler_is_one_line_within_the_timeout(sample_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'nlpzero[dask]')")
    import socket

    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="1s")
    proc = subprocess.run([sys.executable, "-m", "nlpzero", "ngrams", sample_path, "-q", "--scheduler",
                           f"tcp://127.0.0.1:{port}"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"nlpzero: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} within 1 s (OSError); "
        "is it running?"]


def test_cli_scheduler_without_dask_says_how_to_install_it(sample_path, no_dask):
    proc = subprocess.run([sys.executable, "-m", "nlpzero", "ngrams", sample_path, "-q", "--scheduler", "local:2"],
                          capture_output=True, text=True, env=no_dask, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Error: --scheduler needs Dask, which is not installed: pip install 'nlpzero[dask]'" in proc.stderr
    code = ("import nlpzero\nfrom nlpzero.errors import DependencyError\ntry:\n"
            "    nlpzero.count_ngrams(['abc'], client=object())\nexcept DependencyError as e:\n    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=no_dask, timeout=120)
    assert proc.stdout.strip() == "Dask is not installed: pip install 'nlpzero[dask]'"


def test_commands_without_scheduler_never_import_dask(tmp_path, sample_path):
    code = ("import sys\nimport nlpzero\nfrom click.testing import CliRunner\nfrom nlpzero.cli import main\n"
            f"for args in (['ngrams', {sample_path!r}, '-n', '2'], ['discover', {sample_path!r}],\n"
            f"             ['segment', {sample_path!r}, '--dict', 'jieba'], ['learn', {sample_path!r}, '-o', "
            f"{str(tmp_path / 'm')!r}, '--method', 'nvbe']):\n"
            "    assert CliRunner().invoke(main, args + ['-q']).exit_code == 0, args\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'fsspec')))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_learning_from_a_sample_of_a_larger_input(tmp_path):
    """Past learn_sample_chars(--max-memory) characters, `segment` learns from an evenly spread
    sample of the lines and segments every line, exactly as `learn` + `segment --model`, also
    from standard input; a budget too small for any sample is one clear line naming one that works."""
    from nlpzero._testing import zipf_corpus
    from nlpzero.unsupervised import learn_sample_chars

    _, lines = zipf_corpus(7, 900)
    text = "".join("".join(ws) + "。\n" for ws in lines)
    assert len(text) > 3 * learn_sample_chars(1 << 20)
    src = tmp_path / "in.txt"
    src.write_text(text, encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["segment", str(src), "--max-memory", "1M", "-q", "-o", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["learn", str(src), "--max-memory", "1M", "-q", "-o", str(tmp_path / "m")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["segment", str(src), "--model", str(tmp_path / "m"), "-q", "-o", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    out = (tmp_path / "a").read_text(encoding="utf-8")
    assert out == (tmp_path / "b").read_text(encoding="utf-8")
    assert len(out.splitlines()) == len(lines) and out.replace(" ", "") == text
    r = runner.invoke(main, ["segment", "-", "--max-memory", "1M", "-q"], input=text.encode("utf-8"))
    assert r.exit_code == 0 and r.stdout == out
    long = tmp_path / "long.txt"
    long.write_text(("".join(lines[0]) * 40 + "\n") * 50, encoding="utf-8")
    r = runner.invoke(main, ["learn", str(long), "--max-memory", "64K", "-q", "-o", str(tmp_path / "m2")])
    assert r.exit_code != 0 and "--max-memory" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
