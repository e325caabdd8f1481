"""The output writer (nlpzero._io): regular files replaced atomically keeping their mode,
symlinks written through, FIFOs and devices streamed, every write checked. The same through
the command line (full disk = exit 1, closed or broken standard streams in one line) is in
test_cli.py."""
import os
import stat
import sys
import threading

import pytest

from nlpzero._io import atomic_write, open_output
from nlpzero.errors import OutputError


def _read(path):
    with open(path, "rb") as f:
        return f.read()


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
    with pytest.raises(RuntimeError), atomic_write(target) as f:
        f.write("partial")
        raise RuntimeError("boom")
    assert target.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["out.tsv"]


def test_fifo_is_streamed_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(_read(fifo)))
    reader.start()
    with atomic_write(fifo) as f:
        f.write("through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_device_is_streamed_not_replaced(tmp_path, private_device):
    node = private_device("null", 3)
    with atomic_write(node) as f:
        f.write("nothing")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_full_device_is_an_output_error(tmp_path, private_device):
    node = private_device("full", 7)
    with pytest.raises(OutputError, match="full: cannot write: No space left"), open_output(node) as f:
        f.write("x" * 10)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_directory_and_missing_parent(tmp_path):
    with pytest.raises(OutputError, match="is a directory"), open_output(tmp_path):
        pass
    with pytest.raises(OutputError, match="does not exist"), open_output(tmp_path / "no" / "x.tsv"):
        pass


# ---------------------------------------------------------------- the CLI, real processes


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
