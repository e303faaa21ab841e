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
    def build(cls, engine: Engine, stop: asyncio.Event) -> Core:
        votes = VoteBook(engine.store, emoji=engine.config.votes.emoji, threshold=engine.config.votes.threshold)
        return cls(engine, Desk(engine, votes), Jobs(engine, stop), Asker(engine))
