"""The circuit breaker's states: closed, open for a cooldown, one trial at a time after it."""

import time

import pytest

from app.core.stores import StoreUnavailableError
from app.db.breaker import CircuitBreaker, CircuitOpenError

COOLDOWN = 0.2


@pytest.fixture
def breaker() -> CircuitBreaker:
    return CircuitBreaker("redis", failures=3, cooldown_seconds=COOLDOWN)


def _open(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failures):
        breaker.before_call()
        breaker.failed()


def test_it_opens_after_the_failures_in_a_row(breaker: CircuitBreaker) -> None:
    for _ in range(2):
        breaker.before_call()
        breaker.failed()
    breaker.before_call()  # two failures: still closed
    breaker.failed()

    with pytest.raises(CircuitOpenError) as raised:
        breaker.before_call()
    # answered like the store being down: its 503
    assert isinstance(raised.value, StoreUnavailableError)
    assert raised.value.store == "redis"


def test_a_success_starts_the_count_again(breaker: CircuitBreaker) -> None:
    for outcome in ("failed", "failed", "succeeded", "failed", "failed"):
        breaker.before_call()
        getattr(breaker, outcome)()
    breaker.before_call()
    assert not breaker.is_open


def test_after_the_cooldown_one_call_at_a_time_tries_again(breaker: CircuitBreaker) -> None:
    _open(breaker)
    time.sleep(COOLDOWN)
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # meanwhile, the others still skip
    breaker.succeeded()
    assert not breaker.is_open
    breaker.before_call()
    breaker.before_call()


def test_a_failed_trial_opens_it_for_another_cooldown(breaker: CircuitBreaker) -> None:
    _open(breaker)
    time.sleep(COOLDOWN)
    breaker.before_call()
    breaker.failed()
    with pytest.raises(CircuitOpenError):
        breaker.before_call()
    time.sleep(COOLDOWN)
    breaker.before_call()


def test_a_trial_without_a_verdict_lets_the_next_call_try(breaker: CircuitBreaker) -> None:
    _open(breaker)
    time.sleep(COOLDOWN)
    breaker.before_call()
    breaker.abandoned()  # e.g. the request was cancelled
    breaker.before_call()
    assert breaker.is_open
