"""`Deadline`: the bound holds even against code that, like psycopg facing a stalled server,
answers the first cancellation by waiting again; and it leaves no cancellation behind.
(tests/test_faults.py stalls a real PostgreSQL under load.)"""

import asyncio
import time

import pytest

from app.db.deadline import Deadline, DeadlineExpired


async def _stubborn_wait() -> None:
    """What psycopg does on a cancelled query: ask the server to cancel it and wait for the
    answer (here, forever); only a second cancellation gets through."""
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        await asyncio.sleep(60)
        raise


@pytest.mark.parametrize("lead", [0.0, 0.1])
async def test_a_block_that_waits_out_the_first_cancellation_still_ends_at_the_bound(
    lead: float,
) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExpired):
        async with Deadline(0.4, lead=lead):
            await _stubborn_wait()
    assert 0.35 < time.monotonic() - started < 1.0
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    await asyncio.sleep(0.3)  # and no cancellation is left pending for what follows


async def test_the_first_cancellation_comes_lead_seconds_before_the_bound() -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExpired):
        async with Deadline(0.4, lead=0.1):
            await asyncio.sleep(60)
    assert 0.25 < time.monotonic() - started < 0.35


async def test_a_block_that_ends_in_time_is_left_alone() -> None:
    async with Deadline(0.2):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.4)  # past the bound: nothing cancels it


async def test_the_blocks_own_error_is_raised_unchanged() -> None:
    with pytest.raises(TimeoutError, match="not ours"):
        async with Deadline(5):
            raise TimeoutError("not ours")


async def test_a_cancellation_from_outside_stays_a_cancellation() -> None:
    entered = asyncio.Event()

    async def bounded() -> None:
        async with Deadline(0.3):
            entered.set()
            await _stubborn_wait()

    task = asyncio.create_task(bounded())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
