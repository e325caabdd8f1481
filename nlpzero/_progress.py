"""Progress on standard error for long jobs: bytes done, rate, and an ETA when the size is known."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable

#: Inputs smaller than this show no progress (they finish before anyone would look).
MIN_BYTES_FOR_PROGRESS = 4 << 20


class Progress:
    """A throttled one-line progress meter on stderr.

    Parameters
    ----------
    total : int or None
        Total bytes expected, if known.
    desc : str
        What is being done ("counting", "segmenting", ...).
    enabled : bool
        False makes every call a no-op (``-q``).
    """

    def __init__(self, total: int | None = None, desc: str = "", enabled: bool = True, stream=None):
        self.total = total
        self.desc = desc
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and (total is None or total >= MIN_BYTES_FOR_PROGRESS)
        self.done = 0
        self.items = 0
        self.start = time.perf_counter()
        self._last = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._interval = 0.25 if self._tty else 10.0
        self._shown = False

    def update(self, nbytes: int = 0, items: int = 0) -> None:
        """Add ``nbytes`` processed bytes and ``items`` processed items (lines, ...)."""
        self.done += nbytes
        self.items += items
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last >= self._interval and now - self.start >= 0.5:
            self._last = now
            self._render(now)

    def _render(self, now: float, final: bool = False) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed / 1e6
        parts = [f"{self.desc}: {self.done / 1e6:,.1f} MB"]
        if self.total:
            pct = 100.0 * self.done / self.total
            parts[0] += f" / {self.total / 1e6:,.1f} MB ({pct:.0f}%)"
        parts.append(f"{rate:.1f} MB/s")
        if self.items:
            parts.append(f"{self.items / elapsed:,.0f} lines/s")
        if self.total and rate > 0 and not final:
            parts.append(f"ETA {max(self.total - self.done, 0) / 1e6 / rate:.0f}s")
        if final:
            parts.append(f"{elapsed:.1f}s")
        line = ", ".join(parts)
        end = "\n" if (final or not self._tty) else ""
        self.stream.write(("\r" + line + "\x1b[K" if self._tty else line) + end)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Print the final line (only if progress was shown at all)."""
        if self.enabled and self._shown:
            self._render(time.perf_counter(), final=True)
        self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


ProgressArg = bool | Progress | Callable[[int], None] | None


def make_progress(progress: ProgressArg, total: int | None, desc: str) -> Progress:
    """Turn the public ``progress=`` argument into a :class:`Progress` (disabled for False/None)."""
    if isinstance(progress, Progress):
        return progress
    if callable(progress):
        return _CallbackProgress(progress, total, desc)
    return Progress(total, desc, enabled=bool(progress))


class _CallbackProgress(Progress):
    def __init__(self, callback: Callable[[int], None], total, desc):
        super().__init__(total, desc, enabled=False)
        self._callback = callback

    def update(self, nbytes: int = 0, items: int = 0) -> None:
        super().update(nbytes, items)
        self._callback(self.done)
