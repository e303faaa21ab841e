"""What a site build is told: its title, where it is published, how to link to the chat, which channels."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Config
from ..errors import ConfigError
from .links import ChatLinks


@dataclass(frozen=True)
class SiteOptions:
    title: str = "paperbot archive"
    base_url: str = ""  # where the site is published; empty: the feeds' links are relative
    chat: ChatLinks = field(default_factory=ChatLinks)
    home_days: int = 7
    threshold: int = 2  # voters that put a paper on the must-read list ([votes] threshold)
    channels: tuple[str, ...] | None = None  # None: every channel in the store

    @classmethod
    def from_config(cls, config: Config, channel: str | None = None) -> SiteOptions:
        guilds = config.discord.guild_ids
        chat = ChatLinks(config.site.slack_workspace_url, str(guilds[0]) if len(guilds) == 1 else None)
        return cls(title=config.site.title, base_url=config.site.base_url, chat=chat,
                   home_days=config.site.home_days, threshold=config.votes.threshold,
                   channels=(check_channel(channel),) if channel else None)

    def fingerprint(self) -> dict:
        return {"title": self.title, "base_url": self.base_url, "chat": self.chat.__dict__,
                "home_days": self.home_days, "threshold": self.threshold}


def check_channel(text: str) -> str:
    """A channel as the store names it: "slack:C0123", "discord:110...", or "markdown"."""
    platform, sep, channel_id = text.partition(":")
    if text != "markdown" and not (sep and platform and channel_id):
        raise ConfigError(f"--channel {text!r} is not a channel; write it as platform:id, e.g. slack:C0123ABCD")
    return text


def channel_label(channel: str) -> str:
    """How a channel is named on the pages: 'Slack C0123ABCD', 'Markdown digest'."""
    if channel == "markdown":
        return "Markdown digest"
    platform, _, channel_id = channel.partition(":")
    return f"{platform.capitalize()} {channel_id}"
