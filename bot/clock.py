"""What time it is, as one injectable function: the scheduler's catch-up, the recap's week and the chat's
timestamps all ask the engine's clock, so a test moves through days without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]  # returns an aware datetime


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
