"""Running calls at the same moment, each in its own thread and database connection (the
concurrency tests on PostgreSQL)."""

from __future__ import annotations

import threading

from django.db import connections


def in_threads(*calls, timeout: float = 60) -> list:
    """Start the calls together (a barrier); each answer, or the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=timeout)
            results[i] = call()
        except Exception as error:  # handed back to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
