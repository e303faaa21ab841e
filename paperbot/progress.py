"""A progress bar on stderr for long commands (hidden when stderr is not a terminal)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class TqdmProgress:
    def __init__(self) -> None:
        self.bar = tqdm(total=1, desc="paperbot", unit="step", file=sys.stderr, disable=None, leave=False)

    def total(self, steps: int) -> None:
        self.bar.total = steps
        self.bar.refresh()

    def advance(self, steps: int, label: str) -> None:
        self.bar.set_postfix_str(label, refresh=False)
        self.bar.update(steps)

    def note(self, text: str) -> None:
        self.bar.set_postfix_str(text)

    def close(self) -> None:
        self.bar.close()
