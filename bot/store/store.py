"""The one Store class: the database file plus every part's queries (see the package docstring)."""

from __future__ import annotations

from .analyses import AnalysesStore
from .archive import ArchiveStore
from .asks import AsksStore
from .chat import ChatStore
from .claims import ClaimsStore
from .papers import PapersStore
from .taste import TasteStore
from .versions import VersionsStore
from .weekly import WeeklyStore


class Store(PapersStore, AnalysesStore, ChatStore, AsksStore, VersionsStore, WeeklyStore, ArchiveStore,
            TasteStore, ClaimsStore):
    """Open with `Store(path, lease_s=..., clock=...)`; close with `close()`. One per process is enough."""
