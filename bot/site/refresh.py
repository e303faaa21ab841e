"""Building the site from a config, in a worker thread: for `paperbot site`, and after each morning post.

The store's connection belongs to the thread that opened it, and a build is
seconds of CPU and file writes that must not hold up the event loop (a Discord
heartbeat, a Slack ack): the build opens its own connection in its own thread
(WAL lets it read while the bot writes).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ..config import Config
from ..digest import Digest
from ..errors import ConfigError
from ..models import ChannelRef
from ..store import Store
from .build import BuildReport, build_site
from .options import SiteOptions

log = logging.getLogger(__name__)


def build_from_config(config: Config, out: Path, channel: str | None = None) -> BuildReport:
    """Build the site in `out` from the config's store (blocking: call it in a thread)."""
    if not config.db_path.exists():
        raise ConfigError(f"there is no store at {config.db_path} yet; run paperbot digest, post or run first, "
                          "or point [storage] path at the bot's database")
    options = SiteOptions.from_config(config, channel)
    store = Store(config.db_path, lease_s=config.storage.lease_s)
    try:
        if channel and channel not in (known := store.archive_channels()):
            raise ConfigError(f"channel {channel} has nothing in the store (channels with digests: "
                              f"{', '.join(known) or 'none'})")
        return build_site(store, out, options)
    finally:
        store.close()


class SiteRefresher:
    """An after-post hook (`Jobs.after_post`): refresh `[site] out_dir` once a channel's morning post is out."""

    __name__ = "site refresh"

    def __init__(self, config: Config):
        self.config = config
        self.out = config.site_dir
        self._lock = asyncio.Lock()  # two channels posting at once: one build after the other

    async def __call__(self, channel: ChannelRef, digest: Digest) -> None:
        async with self._lock:
            report = await asyncio.to_thread(build_from_config, self.config, self.out)
        log.info("after %s's post of %s: %s", channel, digest.date, report.line(self.out))
        log.debug("written: %s; removed: %s", ", ".join(report.written) or "nothing",
                  ", ".join(report.removed) or "nothing")
