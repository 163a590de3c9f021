"""Compile the next group's SQL while the backend runs the current one."""

from __future__ import annotations

import queue
import threading


def compile_ahead(items):
    """Iterate ``items`` in a worker thread, one item ahead of the caller.

    The groups' SQL is built and compiled (pure Python, ~2 s for the catalogue) while DuckDB runs
    the previous group's query with the GIL released. Errors of the worker are raised in the caller;
    when the caller stops early, the worker stops at its next hand-over."""
    results: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(message) -> bool:
        while not stop.is_set():
            try:
                results.put(message, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work():
        try:
            for item in items:
                if not hand_over((True, item)):
                    return
        except BaseException as error:  # raised in the caller
            hand_over((False, error))
            return
        hand_over((False, None))

    worker = threading.Thread(target=work, name="jiqun-compile", daemon=True)
    worker.start()
    try:
        while True:
            ok, item = results.get()
            if ok:
                yield item
            elif item is None:
                return
            else:
                raise item
    finally:
        stop.set()
        worker.join()
