"""Platform-neutral records shared by the core modules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Paper:
    """One arXiv paper, stored by base id; `version` is the newest we have seen."""

    id: str
    version: int
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    published: str | None = None  # ISO date, from the API
    updated: str | None = None
    comment: str | None = None
    pdf_url: str | None = None
    has_metadata: bool = False  # True once the API was asked for the rest (it may not know the paper)

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.versioned_id}"

    @property
    def pdf_link(self) -> str:
        return f"https://arxiv.org/pdf/{self.versioned_id}"

    @property
    def html_link(self) -> str:
        return f"https://arxiv.org/html/{self.versioned_id}"

    def with_metadata(self, **fields) -> "Paper":
        return replace(self, has_metadata=True, **fields)


@dataclass(frozen=True, order=True)
class ChannelRef:
    """A chat channel on one platform: the one name for a channel across the core and the adapters.

    Its text form `slack:C0123ABCD` is what the config, the command line and the store use.
    """

    platform: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> ChannelRef:
        platform, sep, channel_id = str(text).partition(":")
        if not sep or not platform or not channel_id:
            raise ValueError(f"{text!r} is not a channel; write it as platform:id, e.g. slack:C0123ABCD")
        return cls(platform, channel_id)


@dataclass(frozen=True)
class Listed:
    """A paper as one day's announcement lists it."""

    paper: Paper
    category: str  # the configured feed it came from first
    announce_type: str


@dataclass(frozen=True)
class Announcement:
    date: str  # ISO date of the announcement
    categories: tuple[str, ...]
    # Every (category, paper) of the kept announce types, in feed order: a cross-listed
    # paper is here once per feed; readers dedupe (see Store.announcement).
    listed: tuple[Listed, ...] = field(default_factory=tuple)
    other_types: int = 0  # items left out for their announce type (e.g. replacements)
    # The day's replacements (announce type replace / replace-cross), whatever types are wanted: never
    # the day's papers, but a paper a channel already got may have come back as a newer version.
    replaced: tuple[Listed, ...] = field(default_factory=tuple)
