"""What is worth retrying, and how: one definition for every path.

Retryable: I/O errors (the disk, the share, a reader's OSError in the isolated child) and the
register's connection failing or timing out.  Nothing else: bad input gives the same answer
for the same bytes, and a defect of ours the same exception for the same code (it is stored as
an error and retried when the code changes; see extractors/pipeline.py).

How, from one `RetryPolicy` (tenacity's stop and wait strategies):
  - the plain path (`chidao ingest`, `chidao reextract`, the local watcher): `IO.call(fn, ...)`,
    tenacity's Retrying;
  - Prefect tasks: `IO.prefect_options()`, the same condition and delays as the task's own
    retries (Prefect must see each attempt to show it);
  - the watcher's second line, minutes apart: `RetryPolicy.delay_before(attempt)` gives the
    same strategies' answer without sleeping, so a waiting file holds no thread.

No Prefect import here: the CLI's plain path uses this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import tenacity


def is_retryable(exc: BaseException) -> bool:
    """An I/O error, or the register's connection failing or timing out."""
    from flows.isolate import StepError

    if isinstance(exc, StepError):
        return exc.is_io
    if isinstance(exc, (OSError, ConnectionError, TimeoutError)):
        return True
    try:
        from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError as PoolTimeout
    except ImportError:  # pragma: no cover - the register is not installed
        return False
    if isinstance(exc, (OperationalError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and bool(getattr(exc, "connection_invalidated", False))


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int          # tries in all
    first_wait: float      # seconds before the second try; doubles for each further one

    @property
    def stop(self) -> tenacity.stop.stop_base:
        return tenacity.stop_after_attempt(self.attempts)

    @property
    def wait(self) -> tenacity.wait.wait_base:
        return tenacity.wait_exponential(multiplier=self.first_wait, exp_base=2)

    def retrying(self) -> tenacity.Retrying:
        return tenacity.Retrying(retry=tenacity.retry_if_exception(is_retryable), stop=self.stop,
                                 wait=self.wait, reraise=True)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs), tried again after a retryable error; the last error is raised."""
        return self.retrying()(fn, *args, **kwargs)

    def delay_before(self, attempt: int) -> Optional[float]:
        """After try number ATTEMPT failed with a retryable error: seconds to wait before the
        next, or None when the policy gives up."""
        state = tenacity.RetryCallState(self.retrying(), None, (), {})
        state.attempt_number = attempt
        if self.stop(state):
            return None
        return self.wait(state)

    def delays(self) -> list[float]:
        """Every wait between tries, in order."""
        return [d for d in (self.delay_before(n) for n in range(1, self.attempts)) if d is not None]

    def prefect_options(self) -> dict:
        """Keyword arguments of prefect.task: the same condition and waits."""
        return dict(retries=self.attempts - 1, retry_delay_seconds=self.delays(),
                    retry_condition_fn=_prefect_condition)


def _prefect_condition(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn: retry a task run only when it raised a retryable error."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the task's error, to be classified
        return is_retryable(exc)
    return False


IO = RetryPolicy(attempts=3, first_wait=0.5)    # seconds: a share or a database that hiccupped
