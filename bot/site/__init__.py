"""The archive: a static site of every digest, paper and must-read list, searchable, with feeds.

`build_site(store, out, options)` writes plain files for any static host:
`snapshot` reads the store at once, `digests` rebuilds each stored day as the
Digest it was posted from, `documents` builds the day and paper pages as
neutral documents (from the chat's own builders), `html` renders documents
(escaped; links only from `Span.url`), `pages` says which pages exist and what
each is made from, `feeds` writes Atom, `search` runs Pagefind, `build` writes
only what changed, and `serve` serves a built site on 127.0.0.1.
"""

from .build import BuildReport, build_site
from .options import SiteOptions

__all__ = ["BuildReport", "SiteOptions", "build_site"]
