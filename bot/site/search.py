"""The search index: Pagefind over the built pages, one bundle per month, with no search server.

Pagefind (the `pagefind` package; its binary ships in the `pagefind_bin_extended`
wheel, which also segments Chinese and Japanese) writes a chunked index that the
browser loads piece by piece. It has no incremental mode: it reads every page it
is given. So the index is split by month, `pagefind/2026-02/` holding the days
of February 2026 and the papers whose arXiv id says they were submitted then
(2602.xxxxx), and a build re-indexes only the months whose searchable pages
changed: a morning refresh costs one or two months, not the whole archive. The
search page merges every month's bundle (Pagefind's `mergeIndex`).

Each bundle is written beside the live one and then swapped in, so a site being
served never shows a half-written index. One language per index: Pagefind
splits an index by the pages' languages and a search box reads only one of
them, so a site with English and Chinese digests would find only half of them.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import PaperbotError

log = logging.getLogger(__name__)

ROOT = "pagefind"
TIMEOUT_S = 600
# Pagefind's other front ends, which the search page does not load (a third of each bundle's size).
UNUSED = ("pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-highlight.js")
_DAY = re.compile(r"^channel/[^/]+/(\d{4})-(\d{2})-\d{2}/index\.html$")
_NEW_ID = re.compile(r"^paper/(\d{2})(\d{2})\.\d{4,5}/index\.html$")
_OLD_ID = re.compile(r"^paper/.+/(\d{2})(\d{2})\d{3}/index\.html$")  # hep-th/9901001


def bundle_of(path: str) -> str:
    """The month a searchable page is indexed under ("2026-02"), or "other"."""
    if day := _DAY.match(path):
        return f"{day[1]}-{day[2]}"
    if paper := (_NEW_ID.match(path) or _OLD_ID.match(path)):
        year = int(paper[1])
        return f"{1900 + year if year >= 91 else 2000 + year}-{paper[2]}"  # arXiv's ids start in 1991
    return "other"


def bundle_path(bundle: str) -> str:
    return f"{ROOT}/{bundle}/"


def index_bundles(out: Path, pages: dict[str, list[str]], todo: set[str], *, language: str) -> None:
    """Write the bundles in `todo` from their pages; remove bundles that no longer have any."""
    for bundle in sorted(todo):
        if pages.get(bundle):
            _index(out, bundle, pages[bundle], language)
    root = out / ROOT
    for stale in (p for p in root.iterdir() if p.is_dir() and p.name not in pages) if root.is_dir() else ():
        shutil.rmtree(stale)


def missing(out: Path, bundles) -> set[str]:
    return {b for b in bundles if not (out / ROOT / b / "pagefind.js").is_file()}


def _index(out: Path, bundle: str, files: list[str], language: str) -> None:
    fresh, old = out / ROOT / f".{bundle}-new", out / ROOT / f".{bundle}-old"
    for stale in (fresh, old):
        shutil.rmtree(stale, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(out), "--glob", "{" + ",".join(sorted(files)) + "}",
               "--output-path", str(fresh), "--keep-index-url", "--force-language", language, "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PaperbotError(f"the search index could not be built ({exc}); "
                            "reinstall paperbot, which brings pagefind") from None
    if done.returncode != 0 or not (fresh / "pagefind.js").exists():
        problem = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PaperbotError(f"the search index could not be built (pagefind: {problem[0]}); "
                            "check that the pagefind package is installed")
    for name in UNUSED:
        (fresh / name).unlink(missing_ok=True)
    live = out / ROOT / bundle
    if live.exists():
        live.rename(old)
    fresh.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    log.debug("search index of %s: %d pages", bundle, len(files))


def index_language(languages: list[str]) -> str:
    """The language the index is segmented for: the digests' most common one (Chinese needs its own)."""
    if not languages:
        return "en"
    return max(sorted(set(languages)), key=languages.count)
