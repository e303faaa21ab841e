"""Progress reporting the engine can call without knowing who is watching."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def total(self, steps: int) -> None: ...
    def advance(self, steps: int, label: str) -> None: ...
    def note(self, text: str) -> None: ...


class _NoProgress:
    def total(self, steps: int) -> None:
        pass

    def advance(self, steps: int, label: str) -> None:
        pass

    def note(self, text: str) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()
