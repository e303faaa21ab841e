"""What every platform's service is given: the process's one engine, the commands and the jobs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ..engine import Engine
from .ask import Asker
from .desk import Desk
from .jobs import Jobs
from .votes import VoteBook


@dataclass
class Core:
    engine: Engine
    desk: Desk
    jobs: Jobs
    asker: Asker

    @classmethod
    def build(cls, engine: Engine, stop: asyncio.Event, *, platforms: int = 1) -> Core:
        v = engine.config.votes
        votes = VoteBook(engine.store, emoji=v.emoji, threshold=v.threshold, down_emoji=v.down_emoji)
        return cls(engine, Desk(engine, votes), Jobs(engine, stop, platforms=platforms), Asker(engine))
