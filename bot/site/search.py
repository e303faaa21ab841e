"""The search index: Pagefind, run over the built pages, with no search server.

Pagefind (the `pagefind` package; its binary ships in the `pagefind_bin_extended`
wheel, which also segments Chinese and Japanese) writes a chunked index into
`pagefind/`, which the browser loads piece by piece: a year of digests stays
quick to search. The index is written beside the live one and then swapped in,
so a site being served never shows a half-written index. One language for the
whole index: Pagefind splits an index by the pages' languages and a search box
only reads one of them, so a site with English and Chinese digests would find
only half of them.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import PaperbotError

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
TIMEOUT_S = 600


def index_site(out: Path, *, language: str) -> None:
    """(Re)write `out/pagefind/` from every page with `data-pagefind-body`."""
    fresh, old = out / f".{BUNDLE}-new", out / f".{BUNDLE}-old"
    for stale in (fresh, old):
        shutil.rmtree(stale, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(out), "--output-path", str(fresh),
               "--keep-index-url", "--force-language", language, "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PaperbotError(f"the search index could not be built ({exc}); reinstall paperbot, which brings pagefind") from None
    if done.returncode != 0 or not (fresh / "pagefind.js").exists():
        problem = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PaperbotError(f"the search index could not be built (pagefind: {problem[0]}); "
                            "check that the pagefind package is installed")
    live = out / BUNDLE
    if live.exists():
        live.rename(old)
    fresh.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    log.info("search index written to %s", live)


def index_language(languages: list[str]) -> str:
    """The language the index is segmented for: the digests' most common one (Chinese needs its own)."""
    if not languages:
        return "en"
    return max(sorted(set(languages)), key=languages.count)
