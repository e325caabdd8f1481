import os
import signal

import pytest

# The signal tests send SIGINT to real child processes. A test run started in the background of
# a non-interactive shell (``pytest &``, some CI runners) inherits SIGINT ignored, and every child
# would inherit that too (a process keeps an ignored SIGINT ignored, as it should): give this
# process a handler, so that its children start with the default disposition.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "nlpzero", "data")
SAMPLE = os.path.abspath(os.path.join(DATA, "reviews.txt"))


@pytest.fixture(scope="session", autouse=True)
def numba_kernels():
    """Compile (or load from Numba's disk cache) every Numba kernel once per session, before any
    test runs, so no test pays the JIT and the first test of a file is not the slow one."""
    import numpy as np

    import nlpzero
    from nlpzero import _vectors_core

    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    for directed in (False, True):
        nlpzero.infomap(edges, num_trials=2, directed=directed)
        nlpzero.codelength(edges, {v: v // 3 for v in range(6)}, directed=directed)
    _vectors_core.window_pairs(np.arange(6, dtype=np.int64), 2)
    _vectors_core.csr_matmul(np.array([0, 1, 2], dtype=np.int64), np.array([0, 1], dtype=np.int64),
                             np.ones(2), np.ones((2, 2)))


@pytest.fixture(scope="session")
def sample_path():
    """The bundled sample corpus (real Chinese product reviews)."""
    return SAMPLE


@pytest.fixture(scope="session")
def sample_lines():
    with open(SAMPLE, encoding="utf-8") as f:
        return f.read().splitlines()


@pytest.fixture
def small_pool(monkeypatch):
    """Let segment_file use worker processes and cut huge lines even on tiny inputs."""
    from nlpzero import batch

    monkeypatch.setattr(batch, "SMALL_INPUT_BYTES", 0)
    monkeypatch.setattr(batch, "FIRST_CHUNK_CHARS", 64)
    return batch


@pytest.fixture
def private_device(tmp_path):
    """``make(name, minor)``: a private copy of /dev/null (minor 3) or /dev/full (minor 7) in
    ``tmp_path`` (tests never point a writer at the real device nodes, so a regression cannot
    replace them; as root it would). Skips the test where device nodes cannot be made."""
    import stat

    def make(name, minor):
        node = tmp_path / name
        try:
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
            with open(node, "wb") as f:
                f.write(b"")
        except OSError:
            pytest.skip("cannot create or use a device node here")
        return node

    return make


@pytest.fixture(scope="module")
def dask_client():
    """A real Dask cluster shared by the tests of a module (``client=`` in test_distributed.py,
    ``--scheduler`` in test_cli.py): a LocalCluster of 2 worker processes with one thread each,
    started once per module and stopped after it, so no other module sees its processes
    (skipped without Dask). A
    task is retried once after its worker died (``allowed-failures=1``), so a job whose worker is
    killed for good fails after two deaths instead of four."""
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (pip install 'nlpzero[dask]')")
    import logging

    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                           dashboard_address=":0", silence_logs=logging.ERROR)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
