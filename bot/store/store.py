"""The one Store class: the database file plus every part's queries (see the package docstring)."""

from __future__ import annotations

from .analyses import AnalysesStore
from .asks import AsksStore
from .chat import ChatStore
from .claims import ClaimsStore
from .papers import PapersStore


class Store(PapersStore, AnalysesStore, ChatStore, AsksStore, ClaimsStore):
    """Open with `Store(path, lease_s=...)`; close with `close()`. One per process is enough."""
