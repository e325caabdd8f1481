"""The output writer (nlpzero._io): regular files replaced atomically keeping their mode,
symlinks written through, FIFOs and devices streamed, every write checked (full disk = exit 1),
closed or broken standard streams handled in one line."""
import os
import stat
import subprocess
import sys
import threading

import pytest

from nlpzero._io import atomic_write, open_output
from nlpzero.errors import OutputError

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
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("今天天气不错，我们去公园散步吧。\n天气很好\n" * 4000, encoding="utf-8")
    return path


def private_device(directory, name, minor):
    """A private copy of /dev/null (minor 3) or /dev/full (minor 7): the tests never point a
    writer at the real device nodes, so a regression cannot replace them (as root it would)."""
    node = directory / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        with open(node, "wb") as f:
            f.write(b"")
    except OSError:
        pytest.skip("cannot create or use a device node here")
    return node


def one_error_line(stderr: bytes, *needles):
    text = stderr.decode("utf-8")
    assert "Traceback" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nlpzero: error:"), text
    for needle in needles:
        assert needle in lines[0], text


# ---------------------------------------------------------------- API semantics


def test_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "out.tsv"
    target.write_text("old")
    os.chmod(target, 0o600)
    with atomic_write(target) as f:
        f.write("new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tsv"]


def test_new_file_gets_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "new.tsv") as f:
            f.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.tsv").st_mode) == 0o640


def test_symlink_written_through(tmp_path):
    real = tmp_path / "data" / "real.tsv"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.tsv"
    link.symlink_to(real)
    with atomic_write(link) as f:
        f.write("new\n")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n" and stat.S_IMODE(os.stat(real).st_mode) == 0o640
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "data" / "created.tsv")
    with atomic_write(dangling) as f:
        f.write("made\n")
    assert dangling.is_symlink() and (tmp_path / "data" / "created.tsv").read_text() == "made\n"


def test_failure_leaves_destination_and_no_temp_file(tmp_path):
    target = tmp_path / "out.tsv"
    target.write_text("keep")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as f:
            f.write("partial")
            raise RuntimeError("boom")
    assert target.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["out.tsv"]


def test_fifo_is_streamed_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    with atomic_write(fifo) as f:
        f.write("through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_device_is_streamed_not_replaced(tmp_path):
    node = private_device(tmp_path, "null", 3)
    with atomic_write(node) as f:
        f.write("nothing")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_full_device_is_an_output_error(tmp_path):
    node = private_device(tmp_path, "full", 7)
    with pytest.raises(OutputError, match="full: cannot write: No space left"):
        with open_output(node) as f:
            f.write("x" * 10)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_directory_and_missing_parent(tmp_path):
    with pytest.raises(OutputError, match="is a directory"):
        with open_output(tmp_path):
            pass
    with pytest.raises(OutputError, match="does not exist"):
        with open_output(tmp_path / "no" / "x.tsv"):
            pass


# ---------------------------------------------------------------- the CLI, real processes


def test_cli_output_keeps_mode_and_symlink(corpus, tmp_path):
    out = tmp_path / "out.tsv"
    out.write_text("old")
    os.chmod(out, 0o600)
    res = cli("ngrams", corpus, "-n", 2, "-q", "-o", out)
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600 and out.read_text(encoding="utf-8").startswith("#ngram")
    link = tmp_path / "link.tsv"
    link.symlink_to(out)
    res = cli("ngrams", corpus, "-n", 1, "-q", "-o", link)
    assert res.returncode == 0 and link.is_symlink() and "#ngram" in out.read_text(encoding="utf-8")


def test_cli_fifo_output(corpus, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    res = cli("ngrams", corpus, "-n", 2, "-q", "-o", fifo)
    reader.join(30)
    assert res.returncode == 0, res.stderr
    assert got and got[0].startswith("#ngram".encode()) and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("unbuffered", [False, True])
@pytest.mark.parametrize("command", [["ngrams", "-n", "3"], ["discover", "--min-count", "2"]])
def test_cli_full_disk_on_stdout_is_exit_1(corpus, unbuffered, command):
    env = {"PYTHONUNBUFFERED": "1"} if unbuffered else {}
    with open("/dev/full", "wb") as full:
        res = cli(command[0], corpus, *command[1:], "-q", stdout=full, env=env)
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


def test_unbuffered_stream_without_fd_gets_every_byte(monkeypatch):
    import io

    class Trickle(io.RawIOBase):          # accepts at most 7 bytes per call, like a short write
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            n = min(7, len(b))
            self.data += bytes(b[:n])
            return n

    raw = Trickle()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8", write_through=True))
    with open_output(None) as f:
        f.write("天气很好\n" * 100)
    assert raw.data.decode("utf-8") == "天气很好\n" * 100


def test_cli_full_disk_on_output_file_is_exit_1(corpus, tmp_path):
    node = private_device(tmp_path, "full", 7)
    res = cli("ngrams", corpus, "-q", "-o", node)
    assert res.returncode == 1 and stat.S_ISCHR(os.lstat(node).st_mode)
    one_error_line(res.stderr, str(node), "No space left on device")


def test_cli_closed_stdout_and_stdin(corpus):
    res = cli("ngrams", corpus, "-q", shell_redirect=">&-")
    assert res.returncode == 1
    one_error_line(res.stderr, "standard output is closed")
    res = cli("ngrams", "-", "-q", shell_redirect="<&-")
    assert res.returncode == 1
    one_error_line(res.stderr, "standard input is closed")


def test_cli_broken_pipe_is_quiet(corpus):
    full_env = dict(os.environ, PYTHONPATH=ROOT)
    cmd = f"'{sys.executable}' -m nlpzero ngrams '{corpus}' -n 4 -q | head -n 1; exit ${{PIPESTATUS:-0}}"
    res = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd}"], capture_output=True, env=full_env, cwd=ROOT,
                         timeout=120)
    assert res.stdout.decode("utf-8").startswith("#ngram")
    assert res.stderr == b"" and res.returncode == 0
