"""The chat platforms paperbot can run, each imported only when it is used.

A platform's service module has `run_<name>(core, stop)` (the bot, until
`stop`) and `connect(config)` (an async context manager yielding its
Conversation, for sending without the bot: `paperbot post`).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

from bot.config import Config


@dataclass(frozen=True)
class Platform:
    name: str
    token_env: str  # the bot token's variable: its presence alone makes `paperbot run` start the platform
    module: str

    def service(self):
        return importlib.import_module(self.module)

    def run(self):
        return getattr(self.service(), f"run_{self.name}")

    def connect(self, config: Config):
        return self.service().connect(config)


PLATFORMS = {
    "slack": Platform("slack", "SLACK_BOT_TOKEN", "adapters.slack.service"),
    "discord": Platform("discord", "DISCORD_BOT_TOKEN", "adapters.discord.service"),
}


def wanted(config: Config) -> list[Platform]:
    """The platforms to run: those with a configured channel or a token in the environment."""
    return [p for p in PLATFORMS.values()
            if any(c.platform == p.name for c in config.channels) or os.environ.get(p.token_env)]
