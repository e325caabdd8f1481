"""`nlpzero ngrams` and the CLI conventions: one-line errors, exit codes, atomic output."""
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import nlpzero
from nlpzero.cli import main

from reference import count_ngrams as ref_count


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
