"""Which Discord reactions are votes. The config names vote emoji as Slack does ("star", "+1");
Discord's reaction events carry the emoji itself ("⭐") or, for a server's custom emoji, its name."""

from __future__ import annotations

import re

import emoji

# Skin tones and the emoji-presentation selector make 👍🏽 and ❤️ the same vote as 👍 and ❤.
_VARIANTS_RE = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F]")


def _plain(text: str) -> str:
    return _VARIANTS_RE.sub("", text)


class VoteEmoji:
    def __init__(self, names: tuple[str, ...]):
        self.names = names
        # A name the emoji library does not know stays itself: a custom emoji of the server.
        self.shown = tuple(self.show(name) for name in names)
        self._by_reaction = {_plain(shown): name for shown, name in zip(self.shown, names)}

    def show(self, name: str) -> str:
        """How a configured name is shown: the emoji itself, or a custom emoji's name."""
        return emoji.emojize(f":{name}:", language="alias").replace(f":{name}:", name)

    def name_of(self, reaction: str) -> str | None:
        """The configured name a reaction counts as, None when it is not a vote emoji."""
        return self._by_reaction.get(_plain(reaction))
