"""Long work in the background (后台任务): a shock scenario run from a page, with its progress.

A :class:`Jobs` runs each piece of work on its own worker thread (a few at a time) and keeps its state:
queued, running (with the step it is on), done (with its result) or failed (with the one-line reason).
The page that started it polls the state; other readers are never held up, because the work reads the
store only through :class:`jiqun.query.StoreReader`'s short cached reads and computes outside them.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

LOG = logging.getLogger(__name__)
#: Jobs kept (the oldest finished ones are forgotten first).
JOBS_KEPT = 64
#: Jobs running at once (the others wait, queued).
WORKERS = 2

STATES = ("queued", "running", "done", "failed")


@dataclass
class Job:
    """One piece of background work and where it stands."""

    job_id: str
    kind: str
    title: str
    state: str = "queued"
    step: int = 0
    steps: int = 1
    message_zh: str = "排队等待"
    message_en: str = "queued"
    result: object = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def as_dict(self) -> dict:
        """JSON-ready state (``result`` only once done)."""
        out = {"job_id": self.job_id, "kind": self.kind, "title": self.title, "state": self.state,
               "step": self.step, "steps": self.steps, "progress": round(self.step / self.steps, 3) if self.steps else 1.0,
               "message_zh": self.message_zh, "message_en": self.message_en, "error": self.error,
               "seconds": round((self.finished or time.time()) - self.started, 2)}
        if self.state == "done":
            out["result"] = self.result
        return out


class Jobs:
    """Background jobs of one server.

    Parameters
    ----------
    workers : int
        Jobs run at once.
    """

    def __init__(self, workers: int = WORKERS):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jiqun-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: str, title: str, work) -> Job:
        """Start ``work(progress)`` in the background; ``progress(step, steps, message_zh, message_en)``
        reports where it stands (``progress.job_id`` is the job's id). Returns the job (its id is what a
        page polls)."""
        job = Job(uuid.uuid4().hex[:12], kind, title)
        with self._lock:
            self._jobs[job.job_id] = job
            while len(self._jobs) > JOBS_KEPT:
                oldest = next((key for key, old in self._jobs.items() if old.state in ("done", "failed")), None)
                if oldest is None:
                    break
                del self._jobs[oldest]

        def progress(step: int, steps: int, message_zh: str, message_en: str) -> None:
            job.step, job.steps, job.message_zh, job.message_en = step, steps, message_zh, message_en

        progress.job_id = job.job_id  # the work may name its own outputs after its job

        def run() -> None:
            job.state = "running"
            try:
                job.result = work(progress)
            except Exception as exc:  # the job's one-line reason is shown on its page; nothing escapes
                if not isinstance(exc, (ValueError, LookupError, PermissionError)):
                    # not a refusal of the request but a fault: keep its traceback for whoever runs the server
                    LOG.exception("background job %s (%s) failed", job.job_id, kind)
                job.error = _one_line(exc)
                job.state, job.message_zh, job.message_en = "failed", "未完成", "failed"
            else:
                job.step = job.steps
                job.state, job.message_zh, job.message_en = "done", "已完成", "done"
            finally:
                job.finished = time.time()

        self._pool.submit(run)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id (None when unknown or forgotten)."""
        with self._lock:
            return self._jobs.get(job_id)

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
