"""Fault isolation at the article boundary: one bad input never ends a batch.

Every batch path (ingest, the worker pool, ``timex``, ``predict``, uploads,
Spark) runs one article at a time through ``isolate``: an exception becomes a
``Problem`` naming the input, the stage, the exception type and a stable
fingerprint, and the batch goes on with the next article.  ``time_budget``
bounds how long one article may take, so a pathological input costs seconds,
not hours.

Only ``Exception`` is caught: Ctrl-C (``KeyboardInterrupt``) and
``SystemExit`` still end the run, after the caller has brought the derived
tables up to date.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .messages import Message
from .model import InputError, Problem

#: Seconds one article may take to extract before it is given up (a 435-word
#: article takes about 40 ms; the largest accepted file, about 15 s).
DEFAULT_TIME_BUDGET = 120.0

_PACKAGE = Path(__file__).resolve().parent


class TimeBudgetExceeded(Exception):
    """An article took longer than its time budget to extract."""


def _innermost_own_frame(err: BaseException) -> str:
    """``module.function`` of the deepest frame inside quotetrail that the error passed through."""
    where = ""
    for frame in traceback.extract_tb(err.__traceback__):
        path = Path(frame.filename)
        try:
            relative = path.resolve().relative_to(_PACKAGE)
        except (ValueError, OSError):
            continue
        where = f"{'.'.join(relative.with_suffix('').parts)}.{frame.name}"
    return where


def problem_from_exception(path: str, stage: str, err: BaseException) -> Problem:
    """A Problem for an unexpected exception, with a fingerprint that groups the same failure."""
    if isinstance(err, InputError):
        return err.problem()
    kind = type(err).__name__
    # Where a budget ran out is chance; every overrun is one kind of failure.
    where = "" if isinstance(err, TimeBudgetExceeded) else _innermost_own_frame(err)
    fingerprint = hashlib.sha1(f"{stage}|{kind}|{where}".encode()).hexdigest()[:12]
    head = f"{kind} in {where or 'a library'} while in stage {stage!r}: "
    text = str(err).strip() or kind
    if len(head) + len(text) > 500:  # a stored reason stays one readable line
        text = text[: 497 - len(head)] + "..."
    if where:
        message = Message(
            "{kind} in {where} while in stage {stage!r}: {text}", kind=kind, where=where, stage=stage, text=text
        )
    else:
        message = Message("{kind} in a library while in stage {stage!r}: {text}", kind=kind, stage=stage, text=text)
    return Problem.of(path, stage, message, error=kind, fingerprint=fingerprint)


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise ``TimeBudgetExceeded`` inside the block once ``seconds`` have passed.

    Uses a real-time interval timer, which only the main thread of a process
    can receive; elsewhere (a web server's worker thread) the block runs
    without a budget, and the byte limit bounds it instead.
    """
    usable = seconds is not None and seconds > 0 and threading.current_thread() is threading.main_thread()
    if not usable or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise TimeBudgetExceeded(f"extraction took longer than the {seconds:g} s budget per article")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


__all__ = ["DEFAULT_TIME_BUDGET", "TimeBudgetExceeded", "problem_from_exception", "time_budget"]
