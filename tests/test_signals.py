"""One SIGTERM/SIGINT path for every command: a real process, a real signal, no leftovers.

The signal must land while the output's temporary file exists. For most commands that window
is a few milliseconds (the result is computed first, then written), so the child runs the
real CLI with ``os.replace`` -- the final step of every atomic write -- slowed down by the test
(the production code is untouched): the temporary file is then complete and waiting, the test
sends the signal, and nothing but the original destination may remain.
"""
import os
import random
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# the child: the real CLI, with the rename that ends an atomic write delayed by 60 s
CHILD = """
import os, sys, time
_replace = os.replace
def slow_replace(src, dst, *a, **k):
    time.sleep(60)
    return _replace(src, dst, *a, **k)
os.replace = slow_replace
from nlpzero.cli import main
main(sys.argv[1:], prog_name="nlpzero")
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("signal-inputs")
    rng = random.Random(7)
    chars = [chr(0x4E00 + i) for i in range(300)]
    words = ["".join(rng.choices(chars, k=rng.choice((2, 2, 3)))) for _ in range(400)]
    cum = []
    total = 0.0
    for i in range(len(words)):
        total += 1.0 / (i + 1)
        cum.append(total)
    lines = [rng.choices(words, cum_weights=cum, k=10) for _ in range(1500)]
    (d / "seg.txt").write_text("\n".join(" ".join(line) for line in lines) + "\n", encoding="utf-8")
    (d / "raw.txt").write_text("\n".join("".join(line) for line in lines) + "\n", encoding="utf-8")
    items = [f"i{j}" for j in range(20)]
    (d / "tr.txt").write_text("\n".join(" ".join(rng.sample(items, 6)) for _ in range(300)) + "\n")
    edges = []
    for c in range(30):
        base = 4 * c
        edges += [f"n{base + a} n{base + b}" for a in range(4) for b in range(a + 1, 4)]
        edges.append(f"n{base} n{(base + 4) % 120}")
    (d / "edges.txt").write_text("\n".join(edges) + "\n")
    vocab = sorted({w for line in lines for w in line})
    (d / "vec.txt").write_text(f"{len(vocab)} 3\n" + "".join(
        f"{w} {rng.random():.4f} {rng.random():.4f} {rng.random():.4f}\n" for w in vocab), encoding="utf-8")
    (d / "dict.txt").write_text("".join(f"{w} {5 + i % 7}\n" for i, w in enumerate(vocab)), encoding="utf-8")
    return d


COMMANDS = {
    "ngrams": lambda d: ["ngrams", d / "raw.txt", "-n", "3"],
    "discover": lambda d: ["discover", d / "raw.txt", "--min-count", "2"],
    "apriori": lambda d: ["apriori", d / "tr.txt", "--min-count", "20"],
    "cluster": lambda d: ["cluster", d / "seg.txt", "--segmented", "--min-count", "2", "--num-trials", "1"],
    "communities": lambda d: ["communities", d / "edges.txt", "--num-trials", "1"],
    "similar": lambda d: ["similar", d / "seg.txt", d / "seg.txt", "--vectors", d / "vec.txt", "-k", "2"],
    "segment": lambda d: ["segment", d / "raw.txt", "--dict", d / "dict.txt", "-j", "1"],
}


def _run_and_signal(args, out_dir, sig, child=CHILD, timeout=300):
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("NLPZERO_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-c", child, *map(str, args), "-q", "-o", str(out_dir / "out.tsv")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=ROOT)
    deadline = time.monotonic() + timeout
    seen = False
    while time.monotonic() < deadline and proc.poll() is None:
        if any(name.endswith(".tmp") for name in os.listdir(out_dir)):
            seen = True
            break
        time.sleep(0.01)
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return seen, code, proc.stderr.read().decode("utf-8", "replace")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_sigterm_while_writing_leaves_only_the_old_output(name, inputs, tmp_path):
    out = tmp_path / "out.tsv"
    out.write_text("previous result\n")
    seen, code, stderr = _run_and_signal(COMMANDS[name](inputs), tmp_path, signal.SIGTERM)
    assert seen, f"{name} never started writing: {stderr}"
    assert code == 128 + signal.SIGTERM, (code, stderr, os.listdir(tmp_path))
    assert stderr.strip() == "nlpzero: terminated", stderr
    assert sorted(os.listdir(tmp_path)) == ["out.tsv"]            # no .out.tsv.XXXX.tmp left
    assert out.read_text() == "previous result\n"


def test_sigint_while_writing(inputs, tmp_path):
    seen, code, stderr = _run_and_signal(COMMANDS["apriori"](inputs), tmp_path, signal.SIGINT)
    assert seen and code == 130 and stderr.strip() == "nlpzero: interrupted", stderr
    assert os.listdir(tmp_path) == []


def test_sigterm_unpatched_cli(inputs, tmp_path):
    """The plain CLI (nothing slowed down): SIGTERM at whatever moment, never a leftover."""
    child = "import sys\nfrom nlpzero.cli import main\nmain(sys.argv[1:], prog_name='nlpzero')\n"
    for delay in (0.3, 1.0):
        env = dict(os.environ, PYTHONPATH=ROOT)
        proc = subprocess.Popen([sys.executable, "-c", child, "ngrams", str(inputs / "raw.txt"), "-n", "6", "-q",
                                 "-o", str(tmp_path / "out.tsv")], stderr=subprocess.PIPE, env=env, cwd=ROOT)
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        assert code in (0, -signal.SIGTERM, 128 + signal.SIGTERM), proc.stderr.read()   # -15: before start-up ended
        assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []


def test_signal_handler_unit():
    from nlpzero._signals import install, restore
    from nlpzero.errors import Terminated

    previous = install()
    try:
        with pytest.raises(Terminated) as info:
            signal.raise_signal(signal.SIGTERM)
        assert info.value.signum == signal.SIGTERM
    finally:
        restore(previous)
    assert signal.getsignal(signal.SIGTERM) == previous.get(signal.SIGTERM, signal.getsignal(signal.SIGTERM))


@pytest.mark.parametrize("exc, code", [(KeyboardInterrupt, 130), (None, 143)])
def test_interrupt_outside_the_writers_frames_leaves_no_temp_file(tmp_path, exc, code):
    """A signal can land inside contextlib's own frames, after the with-block and before the
    writer's generator resumes, so the writer's own cleanup never runs (the generator is left
    suspended). The CLI's exit path still removes the temporary file."""
    from nlpzero._io import atomic_write
    from nlpzero.cli import run_guarded
    from nlpzero.errors import Terminated

    held = []

    def body():
        cm = atomic_write(tmp_path / "out.tsv")
        held.append(cm)                         # keep the suspended generator alive
        cm.__enter__().write("partial")
        assert any(n.endswith(".tmp") for n in os.listdir(tmp_path))
        raise exc() if exc is not None else Terminated(signal.SIGTERM)

    with pytest.raises(SystemExit) as info:
        run_guarded(body)
    assert info.value.code == code
    assert os.listdir(tmp_path) == []
