"""Segmentation on a Dask cluster (internal): :func:`nlpzero.segment_file` with ``client=``.

The segmenter is sent once to every worker (``client.scatter(..., broadcast=True)``), each block
of the input is segmented on the worker that read it (:mod:`nlpzero.distributed` cuts the
input into blocks), and the results are written here in input order through the one atomic
writer (:mod:`nlpzero._io`): a failure leaves nothing at the destination. At most
:data:`IN_FLIGHT_PER_WORKER` blocks per worker are being segmented or written at once, so the
memory of a long output does not grow with the input; blocks of at most
:data:`SEGMENT_BLOCK_BYTES` keep the workers' memory small too.
"""
from __future__ import annotations

from collections import deque

from .distributed import _decode, _input, _lost_workers, _n_workers, _raise_decode, check_client

#: Blocks being segmented or written at once, per worker (bounds the memory of long outputs).
IN_FLIGHT_PER_WORKER = 3
#: Largest block segmented by one task: a worker's memory grows with the block it segments
#: (its text, codes and the segmenter's arrays per character) and this process holds up to
#: ``IN_FLIGHT_PER_WORKER`` outputs per worker, so blocks stay small (counting takes larger ones).
SEGMENT_BLOCK_BYTES = 4 << 20

def _segment_block(block, first, job, encoding, errors):
    """Segment one block (worker): ``(bytes in, output, error)``."""
    nbytes = len(block.encode("utf-8")) if isinstance(block, str) else len(block)
    text, error = _decode(block, first, encoding, errors)
    if error is not None:
        return nbytes, None, error
    return nbytes, job(text), None


def segment_file_on(client, corpus, output, segmenter, delimiter: str, encoding: str, errors: str,
                    progress=False):
    """:func:`nlpzero.segment_file` on a Dask cluster; the same output, byte for byte."""
    import time

    import dask

    from ._progress import make_progress
    from .batch import BatchResult, _SegmentLines, check_output, write_output

    check_client(client)
    start = time.perf_counter()
    inp = _input(corpus, encoding, errors, True, False)
    check_output(output)                              # fail before reading anything
    meter = make_progress(progress, inp.size, "segmenting on the cluster")
    totals = {"in": 0, "out": 0, "lines": 0, "last": b""}

    def run(write) -> None:
        with _lost_workers():
            job = client.scatter(_SegmentLines(segmenter, delimiter), broadcast=True, hash=False)
            window = IN_FLIGHT_PER_WORKER * _n_workers(client)
            pending: deque = deque()
            blocks = iter(inp.blocks(client, SEGMENT_BLOCK_BYTES))
            sizes: list = []
            index = 0
            while True:
                while len(pending) < window:
                    block = next(blocks, None)
                    if block is None:
                        break
                    if inp.url is not None:
                        task = dask.delayed(_segment_block, pure=False)(block, index == 0, job,
                                                                       inp.encoding, inp.errors)
                        pending.append(client.compute(task))
                    else:
                        pending.append(client.submit(_segment_block, block, index == 0, job, inp.encoding,
                                                     inp.errors, pure=False))
                    index += 1
                if not pending:
                    break
                future = pending.popleft()
                nbytes, data, error = future.result()
                future.release()
                if error is not None:
                    client.cancel(list(pending))
                    _raise_decode(inp, sizes, len(sizes), error)
                sizes.append(nbytes)
                write(data)
                nl = data.count(b"\n")
                totals["in"] += nbytes
                totals["out"] += len(data)
                totals["lines"] += nl
                if data:
                    totals["last"] = data[-1:]
                meter.update(nbytes, nl)

    try:
        write_output(output, run)
    finally:
        meter.close()
    lines = totals["lines"] + (1 if totals["last"] not in (b"", b"\n") else 0)
    return BatchResult(lines, totals["in"], totals["out"], time.perf_counter() - start, _n_workers(client))
