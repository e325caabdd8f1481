"""One way to measure: every run in a fresh child process, warm-up first, medians of fresh runs.

Every benchmark in this package measures through this module, so every figure in the docs
means the same thing:

- **fresh child process** per run: nothing a previous run allocated, compiled or cached in
  memory leaks into the next one, and a timeout can stop a run cleanly (the child's whole
  process group is killed);
- **warm-up**: ``warmups`` discarded runs before the measured ones (page cache, on-disk caches
  such as the Numba cache and the trie cache are then warm), and an optional in-child
  ``warmup=Call(...)`` made just before the timed call (imports, first-call costs);
- **median of N fresh runs** for times (wall clock and CPU seconds), **maximum** for memory;
- **CPU seconds of the whole process tree**: the child's own CPU plus that of every
  descendant it waited for (worker pools), counted around the call only (not interpreter
  start-up, imports or :class:`Call` arguments built in the child);
- **peak RSS of the whole process tree**: the child's exact high-water mark (``VmHWM``) combined
  with the sum of the resident sizes of the child and all its descendants, sampled every 50 ms
  while the call runs (short peaks of worker processes can be missed by the sampling; the
  child's own peak never is).

Use from a benchmark module (run it as ``python -m benchmarks.bench_x`` from the repository
root)::

    from benchmarks import harness

    def count(path):                      # module-level, so the child can import it
        import nlpzero
        return len(nlpzero.count_ngrams(path, max_n=4))

    rows = {"nlpzero": harness.measure(count, "corpus.txt", repeat=3),
            "Counter": harness.measure(counter_count, "corpus.txt", repeat=1)}
    harness.report(rows, anchor="Counter")

A target is a module-level callable (or ``"module:function"``); its positional and keyword
arguments are pickled to the child, where any :class:`Call` among them is evaluated first,
untimed (e.g. ``Call(load_dataset, "pku")`` loads data inside the child). The return value is
pickled back (``Measurement.result`` is the first run's). :func:`run_command` measures an
external command the same way (its whole lifetime).
"""
from __future__ import annotations

import dataclasses
import gc
import importlib
import os
import pickle
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.05
MB = 1e6


# ------------------------------------------------------------------------------- targets


@dataclasses.dataclass(frozen=True)
class Call:
    """A call made inside the child: ``Call(fn, *args, **kwargs)``.

    As an argument of a measured target it is replaced by its value before the timed call (so
    data can be built or loaded in the child, untimed); as ``warmup=`` it is made once before
    the timed call and its result dropped.
    """

    fn: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __init__(self, fn: Callable | str, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "fn", reference(fn))
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "kwargs", kwargs)

    def __call__(self) -> Any:
        args = [_evaluate(a) for a in self.args]
        kwargs = {k: _evaluate(v) for k, v in self.kwargs.items()}
        return resolve(self.fn)(*args, **kwargs)


def _evaluate(value: Any) -> Any:
    return value() if isinstance(value, Call) else value


def reference(fn: Callable | str) -> str:
    """``"module:qualname"`` of a module-level callable, importable from a fresh process.

    A benchmark started as ``python benchmarks/bench_x.py`` runs as ``__main__``; its functions
    are referred to as ``benchmarks.bench_x:...`` so the child imports the module instead.
    """
    if isinstance(fn, str):
        return fn
    module, name = fn.__module__, fn.__qualname__
    if "<" in name:
        raise ValueError(f"{name} is not a module-level callable: the child process cannot import it")
    if module == "__main__":
        main = sys.modules["__main__"]
        spec = getattr(main, "__spec__", None)
        if spec is not None and spec.name:
            module = spec.name
        else:
            path = Path(main.__file__).resolve()
            try:
                rel = path.with_suffix("").relative_to(ROOT)
            except ValueError:
                raise ValueError(f"cannot import {path} from a child process: move {name} into a module") from None
            module = ".".join(rel.parts)
    return f"{module}:{name}"


def resolve(ref: str) -> Callable:
    module, _, name = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


# ------------------------------------------------------------------------------- /proc


def _status_kb(pid: int | str, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    """Process ids of every live descendant of ``root`` (one scan of /proc)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        parent[int(entry)] = int(fields[1])
    out, frontier = [], [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out.extend(kids)
        frontier.extend(kids)
    return out


class _TreeSampler(threading.Thread):
    """Sample the resident size of a process tree (the root plus its descendants)."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kb = 0             # largest sum over the tree
        self.hwm_kb: dict[int, int] = {}  # largest VmHWM seen per process
        self.cpu = 0.0               # this thread's own CPU time (subtracted from the call's)
        self._done = threading.Event()

    def sample(self) -> None:
        total = 0
        for pid in [self.root, *_descendants(self.root)]:
            total += _status_kb(pid, "VmRSS")
            hwm = _status_kb(pid, "VmHWM")
            if hwm:
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
        self.peak_kb = max(self.peak_kb, total)

    def run(self) -> None:
        t0 = time.thread_time()
        while not self._done.wait(SAMPLE_SECONDS):
            self.sample()
        self.cpu = time.thread_time() - t0

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree_cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _trim_heap() -> None:
    """Give freed heap pages back to the OS (glibc), so the call's peak is its own."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_hwm() -> bool:
    """Reset this process's RSS high-water mark (Linux >= 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ------------------------------------------------------------------------------- runs


@dataclasses.dataclass
class Run:
    """One fresh-process run. Times in seconds, memory in MB (10^6 bytes)."""

    wall: float = float("nan")          # wall clock of the call (of the process, for commands)
    cpu: float = float("nan")           # CPU seconds of the process tree during the call
    peak_mb: float = float("nan")       # peak RSS of the tree, process start to end of the call
    peak_main_mb: float = float("nan")  # peak RSS of the child process alone
    call_peak_mb: float = float("nan")  # peak RSS of the tree during the call minus RSS before it
    peak_worker_mb: float = 0.0         # largest peak RSS (VmHWM) seen of one worker (callables only)
    process_cpu: float = float("nan")   # CPU seconds of the whole child, start-up included
    result: Any = None
    error: str | None = None


def _child_main(spec_path: str) -> None:
    """Entry point of the child process: run the spec, pickle a :class:`Run` next to it."""
    with open(spec_path, "rb") as f:
        spec = pickle.load(f)
    run = Run()
    try:
        target = resolve(spec["target"])
        args = [_evaluate(a) for a in spec["args"]]
        kwargs = {k: _evaluate(v) for k, v in spec["kwargs"].items()}
        if spec["warmup"] is not None:
            spec["warmup"]()
        post = resolve(spec["post"]) if spec["post"] is not None else None
        gc.collect()
        _trim_heap()
        pre_hwm = _status_kb("self", "VmHWM")
        base = _status_kb("self", "VmRSS")
        reset = _reset_hwm()
        sampler = _TreeSampler(os.getpid())
        sampler.start()
        c0, t0 = _tree_cpu(), time.perf_counter()
        result = target(*args, **kwargs)
        run.wall = time.perf_counter() - t0
        cpu = _tree_cpu() - c0
        sampler.stop()
        call_hwm = _status_kb("self", "VmHWM")
        call_peak = max(call_hwm, sampler.peak_kb) if reset else max(sampler.peak_kb, base)
        run.cpu = cpu - sampler.cpu
        run.peak_main_mb = max(pre_hwm, call_hwm) * 1024 / MB
        run.peak_mb = max(pre_hwm, call_peak) * 1024 / MB
        run.call_peak_mb = (call_peak - base) * 1024 / MB
        run.peak_worker_mb = max([0, *(v for k, v in sampler.hwm_kb.items() if k != sampler.root)]) * 1024 / MB
        run.result = post(result) if post is not None else result
    except BaseException as exc:  # report it to the parent: one failed run must not kill the table
        run.error = f"{type(exc).__name__}: {str(exc)[:200]}"
    with open(spec_path + ".out", "wb") as f:
        try:
            pickle.dump(run, f, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            f.seek(0)
            f.truncate()
            run.result, run.error = None, f"result cannot be pickled: {exc}"
            pickle.dump(run, f, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.flush()
    os._exit(0 if run.error is None else 1)


def _child_env(env: Mapping[str, str] | None) -> dict:
    """The child imports what this process imports: the repository root, then this sys.path."""
    out = dict(os.environ if env is None else env)
    paths = [str(ROOT), *(p for p in sys.path if p and os.path.isdir(p)), *filter(None, [out.get("PYTHONPATH")])]
    out["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return out


def _wait(proc: subprocess.Popen, timeout: float | None, sampler: _TreeSampler | None):
    """Wait for ``proc`` with its rusage; kill its process group on timeout."""
    deadline = None if timeout is None else time.perf_counter() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage, False
        if deadline is not None and time.perf_counter() > deadline:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage, True
        if sampler is not None:
            sampler.sample()
        time.sleep(0.01 if sampler is None else SAMPLE_SECONDS)


def run_callable(target: Callable | str, *args: Any, timeout: float | None = None,
                 env: Mapping[str, str] | None = None, warmup: Call | None = None,
                 post: Callable | str | None = None, quiet: bool = True, **kwargs: Any) -> Run:
    """Run ``target(*args, **kwargs)`` once in a fresh child process and measure the call.

    ``post(result)``, if given, runs in the child after the measurement (untimed) and its value
    is what comes back (e.g. a checksum of a result too big to send). ``quiet`` sends the
    child's stdout to /dev/null (stderr is kept). Failures, crashes and timeouts come back as
    ``Run.error``, never as exceptions.
    """
    with tempfile.TemporaryDirectory(prefix="nlpzero-bench-") as tmp:
        spec_path = os.path.join(tmp, "spec.pkl")
        with open(spec_path, "wb") as f:
            pickle.dump({"target": reference(target), "args": args, "kwargs": kwargs, "warmup": warmup,
                         "post": None if post is None else reference(post)}, f)
        cmd = [sys.executable, "-c", "import sys; from benchmarks.harness import _child_main; _child_main(sys.argv[1])",
               spec_path]
        proc = subprocess.Popen(cmd, env=_child_env(env), start_new_session=True,
                                stdout=subprocess.DEVNULL if quiet else None)
        usage, timed_out = _wait(proc, timeout, None)
        if timed_out:
            return Run(error=f"timeout > {timeout:.0f}s")
        try:
            with open(spec_path + ".out", "rb") as f:
                run = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError):
            return Run(error=f"crashed (exit {proc.returncode})")
    run.process_cpu = usage.ru_utime + usage.ru_stime
    return run


# A small launcher between us and the command: Linux starts a new program's peak-RSS record
# (ru_maxrss) at the size of the process that forked it, so the command is forked from this
# ~10 MB interpreter, never from a large benchmark process; it reports the command's rusage.
_LAUNCHER = """
import os, resource, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{ru.ru_utime + ru.ru_stime} {ru.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_command(cmd: Sequence[str], *, timeout: float | None = None, env: Mapping[str, str] | None = None,
                stdout: Any = subprocess.DEVNULL, stderr: Any = None) -> Run:
    """Run an external command once and measure its whole lifetime (wall, CPU and RSS of its tree).

    CPU seconds and the largest single-process peak come from the kernel's accounting of the
    command and every descendant it waited for; the tree's summed peak is sampled every 50 ms.
    """
    with tempfile.TemporaryDirectory(prefix="nlpzero-bench-") as tmp:
        report = os.path.join(tmp, "rusage")
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER, report, *cmd], env=_child_env(env),
                                start_new_session=True, stdout=stdout, stderr=stderr)
        sampler = _TreeSampler(proc.pid)
        _, timed_out = _wait(proc, timeout, sampler)
        wall = time.perf_counter() - t0
        if timed_out:
            return Run(error=f"timeout > {timeout:.0f}s")
        try:
            with open(report) as f:
                cpu_text, maxrss_text = f.read().split()
        except (OSError, ValueError):
            return Run(error=f"crashed (exit {proc.returncode})")
    cpu, maxrss_kb = float(cpu_text), int(maxrss_text)
    launcher_kb = sampler.hwm_kb.get(proc.pid, 0)
    tree_kb = max(sampler.peak_kb - launcher_kb, 0)
    peak_kb = max(tree_kb, maxrss_kb)
    run = Run(wall=wall, cpu=cpu, process_cpu=cpu, peak_mb=peak_kb * 1024 / MB, peak_main_mb=maxrss_kb * 1024 / MB,
              call_peak_mb=peak_kb * 1024 / MB)
    if proc.returncode != 0:
        run.error = f"exit status {proc.returncode}"
    return run


# ------------------------------------------------------------------------------- medians


@dataclasses.dataclass
class Measurement:
    """Measured runs of one configuration: medians of the times, maxima of the memory figures."""

    runs: list[Run]
    error: str | None = None

    def _ok(self) -> list[Run]:
        return [r for r in self.runs if r.error is None]

    def _median(self, field: str) -> float:
        ok = self._ok()
        return statistics.median(getattr(r, field) for r in ok) if ok else float("nan")

    def _max(self, field: str) -> float:
        ok = self._ok()
        return max(getattr(r, field) for r in ok) if ok else float("nan")

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self._ok())

    @property
    def wall(self) -> float:
        return self._median("wall")

    @property
    def cpu(self) -> float:
        return self._median("cpu")

    @property
    def peak_mb(self) -> float:
        return self._max("peak_mb")

    @property
    def peak_main_mb(self) -> float:
        return self._max("peak_main_mb")

    @property
    def call_peak_mb(self) -> float:
        return self._max("call_peak_mb")

    @property
    def peak_worker_mb(self) -> float:
        return self._max("peak_worker_mb")

    @property
    def result(self) -> Any:
        ok = self._ok()
        return ok[0].result if ok else None


def measure(target: Callable | str, *args: Any, repeat: int = 3, warmups: int = 1, timeout: float | None = None,
            env: Mapping[str, str] | None = None, warmup: Call | None = None, post: Callable | str | None = None,
            quiet: bool = True, **kwargs: Any) -> Measurement:
    """``warmups`` discarded fresh runs, then ``repeat`` measured ones (see :func:`run_callable`).

    Stops at the first failed run (its error becomes ``Measurement.error``), so a timeout is
    paid once, not ``repeat`` times.
    """
    runs: list[Run] = []
    for i in range(warmups + repeat):
        run = run_callable(target, *args, timeout=timeout, env=env, warmup=warmup, post=post, quiet=quiet, **kwargs)
        if run.error is not None:
            return Measurement(runs, error=run.error)
        if i >= warmups:
            runs.append(run)
    return Measurement(runs)


def measure_command(cmd: Sequence[str], *, repeat: int = 3, warmups: int = 1, timeout: float | None = None,
                    env: Mapping[str, str] | None = None, **kwargs: Any) -> Measurement:
    """Like :func:`measure` for an external command (see :func:`run_command`)."""
    runs: list[Run] = []
    for i in range(warmups + repeat):
        run = run_command(cmd, timeout=timeout, env=env, **kwargs)
        if run.error is not None:
            return Measurement(runs, error=run.error)
        if i >= warmups:
            runs.append(run)
    return Measurement(runs)


def time_per_call(fn: Callable[[], Any], reps: int, rounds: int = 5, warmup: int = 1) -> float:
    """In-process micro timing: median over ``rounds`` of the mean CPU time of ``reps`` calls.

    For calls of microseconds, where a process per call would measure the process. Run it
    inside a measured child (so the process is still fresh) and after a ``warmup`` call.
    """
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(rounds):
        t = time.process_time()
        for _ in range(reps):
            fn()
        out.append((time.process_time() - t) / reps)
    return statistics.median(out)


# ------------------------------------------------------------------------------- report


METRICS = {"wall": ("wall s", "{:.3f}"), "cpu": ("CPU s", "{:.3f}"), "peak_mb": ("peak MB", "{:.0f}"),
           "call_peak_mb": ("call peak MB", "{:.1f}")}


def ratio(ours: float, anchor: float) -> float:
    """``ours / anchor`` (nan when the anchor is zero or missing)."""
    try:
        return ours / anchor if anchor else float("nan")
    except TypeError:
        return float("nan")


def report(rows: Mapping[str, Measurement], anchor: str, metrics: Iterable[str] = ("wall", "cpu", "peak_mb"),
           file: Any = None) -> None:
    """Print a markdown table: each metric and its ratio to the anchor's (``x`` < 1: less than the anchor)."""
    file = sys.stdout if file is None else file
    metrics = list(metrics)
    head = ["configuration"]
    for m in metrics:
        head += [METRICS[m][0], f"{METRICS[m][0]} / {anchor}"]
    print("| " + " | ".join(head) + " |", file=file)
    print("|" + "---|" * len(head), file=file)
    base = rows.get(anchor)
    for name, meas in rows.items():
        cells = [name]
        for m in metrics:
            if not meas.ok:
                cells += [meas.error or "failed", "-"]
                continue
            value = getattr(meas, m)
            anchor_value = getattr(base, m) if base is not None and base.ok else float("nan")
            cells += [METRICS[m][1].format(value), f"{ratio(value, anchor_value):.2f}x"]
        print("| " + " | ".join(cells) + " |", file=file)
    file.flush()
