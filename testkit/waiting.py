"""Waiting in tests without fixed sleeps: short polls of a condition, with a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


async def wait_until(predicate: Callable[[], Any], timeout: float = 2.0, who: str = "wait_until") -> Any:
    """Poll `predicate` until it returns something truthy (returned); TimeoutError after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{who}: condition not met within {timeout} s")
        await asyncio.sleep(0.005)
    return result


def wait_until_sync(predicate: Callable[[], Any], timeout: float = 2.0, who: str = "wait_until") -> Any:
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{who}: condition not met within {timeout} s")
        time.sleep(0.005)
    return result
