"""SQLite storage: every table paperbot keeps, behind one `Store`.

`database` opens the file (WAL, migrations safe for several processes at once)
and runs each write in its own BEGIN IMMEDIATE; the other modules each add the
queries of one part of the data: papers and days, analyses and full texts,
what was posted and voted in the chats, the questions asked there, papers' new
versions, a channel's week (for its recap), and claims (leases) that keep two
processes from paying for the same analysis.
"""

from .analyses import AnalysisKey, StoredAnalysis, Usage
from .store import Store

__all__ = ["AnalysisKey", "Store", "StoredAnalysis", "Usage"]
