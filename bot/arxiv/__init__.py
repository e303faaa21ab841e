"""arXiv: the day's announcement (RSS), metadata (API), full texts, ids, the one 3 s pacer."""
