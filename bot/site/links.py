"""Where each page lives in the site, relative links between pages, and links back to the chat.

Every link is relative and names its file (`paper/2602.12281/index.html`), so
the site works at a domain's root, under a sub-path (a GitHub Pages project
site) and opened from disk, where a link to a folder shows a directory listing.

Chat links: a Slack message needs the workspace's address for a permalink
(`[site] slack_workspace_url`: https://team.slack.com/archives/C0123/p1700000000000100);
without it the link opens the channel (slack.com/app_redirect). A Discord message
link needs the server (guild) id, known only when `[discord] guild_ids` names
exactly one server; otherwise there is no Discord link.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def channel_slug(channel: str) -> str:
    """'slack:C0123' -> 'slack-C0123': a folder name, the same on every file system."""
    return _UNSAFE.sub("-", channel).strip("-") or "channel"


def home_path() -> str:
    return "index.html"


def search_path() -> str:
    return "search/index.html"


def channel_path(channel: str) -> str:
    return f"channel/{channel_slug(channel)}/index.html"


def day_path(channel: str, date: str) -> str:
    return f"channel/{channel_slug(channel)}/{date}/index.html"


def must_read_path(channel: str) -> str:
    return f"channel/{channel_slug(channel)}/must-read/index.html"


def digests_feed_path(channel: str) -> str:
    return f"channel/{channel_slug(channel)}/digests.atom"


def must_read_feed_path(channel: str) -> str:
    return f"channel/{channel_slug(channel)}/must-read.atom"


def paper_path(paper_id: str) -> str:
    # Old-style ids keep their slash (paper/hep-th/9901001/): the path mirrors arXiv's.
    return "paper/" + "/".join(_UNSAFE.sub("-", part) for part in paper_id.split("/")) + "/index.html"


def relative(from_page: str, to: str) -> str:
    """The link from one site path to another (both relative to the site's root)."""
    target = posixpath.relpath(to, posixpath.dirname(from_page) or ".")
    return target if not to.endswith("/") else target + "/"


@dataclass(frozen=True)
class ChatLinks:
    slack_workspace_url: str = ""
    discord_guild: str | None = None

    def message(self, channel: str, post: dict | None) -> tuple[str, str] | None:
        """(label, url) of a posted message, or None when the platform's link cannot be made."""
        if post is None:
            return None
        platform, _, channel_id = channel.partition(":")
        if platform == "slack":
            return self._slack(channel_id, post)
        if platform == "discord" and self.discord_guild:
            where = post.get("thread") or channel_id  # a reply in a thread is a message of the thread
            parts = (quote(part, safe="") for part in (self.discord_guild, where, post["message"]))
            return "Discord message", "https://discord.com/channels/" + "/".join(parts)
        return None

    def _slack(self, channel_id: str, post: dict) -> tuple[str, str]:
        if not self.slack_workspace_url:
            return "Slack channel", "https://slack.com/app_redirect?" + urlencode({"channel": channel_id})
        base = self.slack_workspace_url.rstrip("/")
        url = f"{base}/archives/{quote(channel_id, safe='')}/p{quote(post['message'].replace('.', ''), safe='')}"
        if post.get("thread"):
            url += "?" + urlencode({"thread_ts": post["thread"], "cid": channel_id})
        return "Slack message", url
