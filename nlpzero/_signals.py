"""One SIGTERM/SIGINT path for every command.

SIGINT already raises ``KeyboardInterrupt``; :func:`install` makes SIGTERM (and SIGHUP) raise
:class:`nlpzero.errors.Terminated` in the main thread the same way. Both are ``BaseException`` subclasses, so
they unwind through every ``try/finally`` and ``except BaseException`` on the way out: the output
writer (:func:`nlpzero._io.atomic_write`) removes its temporary file, a worker pool
(:mod:`nlpzero.batch`) stops its workers, and the CLI prints one line and exits 128 + the
signal number (130 for Ctrl-C, 143 for SIGTERM).

Examples
--------
>>> import signal
>>> from nlpzero._signals import install, restore
>>> from nlpzero.errors import Terminated
>>> previous = install()
>>> try:
...     signal.raise_signal(signal.SIGTERM)
... except Terminated as exc:
...     print("terminated by", exc.signum == signal.SIGTERM)
... finally:
...     restore(previous)
terminated by True
"""
from __future__ import annotations

import signal
import threading

from .errors import Terminated

__all__ = ["install", "restore"]

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _raise(signum, frame):
    # ignore further terminate requests while unwinding, so cleanup is not cut short
    for sig in _SIGNALS:
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
    raise Terminated(signum)


def install() -> dict[int, object]:
    """Make SIGTERM/SIGHUP raise :class:`Terminated` (main thread only); returns the old
    handlers for :func:`restore`. Signals set to be ignored (e.g. by ``nohup``) stay ignored."""
    previous: dict[int, object] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for sig in _SIGNALS:
        old = signal.getsignal(sig)
        if old is signal.SIG_IGN:
            continue
        previous[sig] = old
        signal.signal(sig, _raise)
    return previous


def restore(previous: dict[int, object]) -> None:
    """Put back the handlers :func:`install` replaced."""
    for sig, handler in previous.items():
        signal.signal(sig, handler)  # type: ignore[arg-type]
