"""The command line, one section per command: what each prints, exit codes (2 for usage
errors), one-line errors without tracebacks, atomic output, signals. The library behind each
command is tested in that capability's module."""
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import nlpzero
from nlpzero import Lexicon, Segmenter, WordVectors, discover, load_vectors
from nlpzero._testing import SMALL_LEXICON as LEX
from nlpzero._testing import WORD_CLASSES, class_corpus, random_transactions, zipf_corpus
from nlpzero.apriori import min_count_for
from nlpzero.cli import main
from reference.apriori import brute_itemsets, brute_rules
from reference.ngrams import count_ngrams as ref_count

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
    assert (tmp_path / "o.txt").read_text(encoding="utf-8") == "今天 天气 不错 ！\n" + " ".join(seg.lcut("北京大学生")) + "\n"
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

    from nlpzero import learn_segmenter
    from nlpzero.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["segment", sample_path, "--max-word-len", "2", "-q"])
    assert res.exit_code == 0, res.output
    seg = learn_segmenter(sample_path, max_word_len=2)
    with open(sample_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert res.output.splitlines() == [" ".join(toks) for toks in seg.cut_lines(lines)]
    assert res.output != runner.invoke(main, ["segment", sample_path, "-q"]).output
    res = runner.invoke(main, ["segment", sample_path, "--dict", "jieba", "--max-word-len", "2"])
    assert res.exit_code == 2 and "--max-word-len" in res.output


@pytest.mark.slow
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_cli_signal_stops_workers_and_leaves_no_file(tmp_path, signame):
    import signal
    import subprocess
    import sys
    import time

    sig = getattr(signal, signame)
    d = tmp_path / "d.tsv"
    d.write_text("".join(f"{w}\t{c}\n" for w, c in LEX.items()), encoding="utf-8")
    out = tmp_path / "out.txt"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nlpzero", "segment", "-", "--dict", str(d), "-j", "2", "-q", "-o", str(out)],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
    proc.stdin.write(("今天天气不错北京大学生\n" * 200000).encode())       # ~6 MB, stdin left open
    proc.stdin.flush()
    workers = []
    for _ in range(100):
        workers = subprocess.run(["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True,
                                 text=True).stdout.split()
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    assert len(workers) == 2
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
    assert proc.wait(timeout=20) == 128 + sig
    assert b"Traceback" not in proc.stderr.read()
    time.sleep(0.2)
    assert os.listdir(tmp_path) == ["d.tsv"]
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)
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
    got = {(frozenset(r[0].split(" ")), frozenset(r[1].split(" "))): (int(r[2]), float(r[4]), float(r[5])) for r in rows}
    assert got.keys() == want.keys()
    for k, (c, conf, lift) in want.items():
        assert got[k][0] == c and got[k][1] == pytest.approx(conf, rel=1e-5) and got[k][2] == pytest.approx(lift, rel=1e-5)

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
                                    "--min-confidence", "0.5", "--min-lift", "1.05", "--max-consequent-size", "0", "-q"])
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
    share, n = majority(["发货", "快递", "送货", "物流", "到货"])        # delivery
    assert n >= 3 and share >= 0.6
    assert len(set(cls.values())) >= 20
    lex = tmp_path / "lex.tsv"
    assert CliRunner().invoke(main, ["discover", sample_path, "-q", "-o", str(lex)]).exit_code == 0
    res = CliRunner().invoke(main, ["cluster", sample_path, "-q", "--num-trials", "1", "--lexicon", str(lex),
                                    "--min-count", "20", "-o", str(out)])
    assert res.exit_code == 0, res.output
    words = [line.split("\t")[0] for line in out.read_text(encoding="utf-8").splitlines()[1:]]
    assert any(len(w) > 1 for w in words)


# ---------------------------------------------------------------------- nlpzero communities
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
