"""The benchmark harness measures what it says: a fresh child per run, its result, its memory, its failures.

No speed is asserted here (speed is measured only by the benchmarks); these check the mechanics
every benchmark figure relies on.
"""
import os
import time

import pytest

from benchmarks import harness


def allocate(megabytes):
    """Touch ``megabytes`` MB and return the child's pid."""
    block = bytearray(int(megabytes * 1e6))
    block[::4096] = b"x" * len(block[::4096])
    return os.getpid(), len(block)


def fail():
    raise ValueError("bad input, on purpose")


def sleep(seconds):
    time.sleep(seconds)


def double(x):
    return 2 * x


def test_each_run_is_a_fresh_child_and_returns_its_result():
    m = harness.measure(allocate, 1, repeat=2, warmups=1)
    assert m.ok and len(m.runs) == 2
    pids = {r.result[0] for r in m.runs}
    assert len(pids) == 2 and os.getpid() not in pids
    assert m.result[1] == 1_000_000


def test_peak_memory_covers_what_the_call_allocated():
    small = harness.measure(allocate, 1, repeat=1, warmups=0)
    big = harness.measure(allocate, 80, repeat=1, warmups=0)
    assert big.call_peak_mb >= 75            # the 80 MB touched during the call
    assert big.peak_mb >= big.call_peak_mb
    assert small.call_peak_mb < 40            # the high-water mark was reset before the call


def test_call_arguments_are_built_in_the_child_untimed():
    m = harness.measure(double, harness.Call(double, 21), repeat=1, warmups=0)
    assert m.result == 84


def test_errors_and_timeouts_come_back_as_messages():
    m = harness.measure(fail, repeat=3)
    assert not m.ok and "ValueError: bad input, on purpose" in m.error and m.runs == []
    m = harness.measure(sleep, 30, repeat=1, warmups=0, timeout=1)
    assert not m.ok and m.error.startswith("timeout")


def test_local_functions_are_refused_with_a_reason():
    def local():
        return 1

    with pytest.raises(ValueError, match="module-level"):
        harness.measure(local)


def test_commands_are_measured_over_their_lifetime():
    m = harness.measure_command(["python", "-c", "x = bytearray(30_000_000); x[::4096] = b'y' * len(x[::4096])"],
                                repeat=1, warmups=0)
    assert m.ok and m.peak_mb >= 25 and m.cpu > 0
