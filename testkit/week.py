"""A week in tests and benches: a clock that is set, not slept, and a fake model that also writes the
weekly recap's themes and what changed in a new version."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from .samples import smart_responder

_NUMBERS_RE = re.compile(r"^\[(\d+)\]", re.MULTILINE)


class FakeClock:
    """The engine's clock in a test: `set` it to a moment or `advance` it; it never moves by itself."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, *args: int) -> datetime:
        """set(2026, 2, 9, 9, 5): that moment in UTC."""
        self.now = datetime(*args, tzinfo=timezone.utc)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def week_responder(request: dict) -> str:
    """smart_responder, and valid answers to the weekly themes and version changes prompts."""
    system, user = (m["content"] for m in request["messages"][:2])
    if '"paragraph"' in system:
        numbers = _NUMBERS_RE.findall(user) or ["1"]
        return json.dumps({"paragraph": f"This week the team read about scene representation ({numbers[0]}) "
                                        f"and compression ({numbers[-1]}), across {len(numbers)} papers."})
    if '"what_changed"' in system:
        return json.dumps({"what_changed": "The new version adds results on a second dataset and drops the "
                                           "claim about real-time speed."})
    return smart_responder(request)


def themes_calls(llm) -> list[dict]:
    return [c for c in llm.calls if '"paragraph"' in c["messages"][0]["content"]]


def change_calls(llm) -> list[dict]:
    return [c for c in llm.calls if '"what_changed"' in c["messages"][0]["content"]]
