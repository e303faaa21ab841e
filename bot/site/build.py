"""Writing the site: only what changed, atomically, and removing what no longer exists.

Each built file is recorded in `.paperbot-site.json` with two hashes: of what
it was made from (its data, the templates and the rendering code) and of its
content. A page whose inputs are unchanged is not even rendered; one that is
rendered is written only if its content changed, through a temporary file and
a rename, so a reader never sees half a page. Files of an earlier build that
the site no longer has are removed; files paperbot did not write (a CNAME, a
README) are left alone. The search index is rebuilt only for the months whose
searchable pages changed (see `search`). One build at a time per folder (a lock file): the bot's refresh and a
`paperbot site` run never write the same site at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..store import Store
from .options import SiteOptions
from .pages import Page, SitePages
from .render import STATIC, code_hash, static_file
from .search import bundle_of, index_bundles, index_language, missing
from .snapshot import Snapshot

log = logging.getLogger(__name__)

MANIFEST = ".paperbot-site.json"
LOCK = ".paperbot-site.lock"


@dataclass
class BuildReport:
    pages: int = 0  # files the site has
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)  # the months whose search index was rebuilt
    seconds: float = 0.0
    search_seconds: float = 0.0  # of which Pagefind

    def line(self, out: Path) -> str:
        index = (f", search index of {len(self.indexed)} month{'s' * (len(self.indexed) != 1)} rebuilt "
                 f"({self.search_seconds:.1f} s)") if self.indexed else ""
        return (f"site in {out}: {self.pages} files, {len(self.written)} written, {len(self.removed)} removed"
                f"{index}, {self.seconds:.1f} s")


def build_site(store: Store, out: Path, options: SiteOptions, *, search: bool = True) -> BuildReport:
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        snap = Snapshot.load(store, channels=list(options.channels) if options.channels else None,
                             threshold=options.threshold)
        pages = SitePages(snap, options).all()
        pages += [Page(name, None, lambda name=name: static_file(name)) for name in STATIC]
        report, changed = _write(out, pages)
        if search:
            _index(out, pages, changed, report,
                   language=index_language([d.language for ds in snap.days.values() for d in ds]))
    report.seconds = time.perf_counter() - started
    log.info(report.line(out))
    return report


def _index(out: Path, pages: list[Page], changed: set[str], report: BuildReport, *, language: str) -> None:
    """Re-index the months of the searchable pages that changed (or whose index is missing or was left
    unfinished by an interrupted build: the manifest keeps them until they are done)."""
    bundles: dict[str, list[str]] = {}
    for page in pages:
        if page.indexed:
            bundles.setdefault(bundle_of(page.path), []).append(page.path)
    todo = {bundle_of(path) for path in changed} | missing(out, bundles) | set(_read_manifest(out, "reindex"))
    if not todo:
        return
    _set_manifest(out, "reindex", sorted(todo))
    started = time.perf_counter()
    index_bundles(out, bundles, todo, language=language)
    _set_manifest(out, "reindex", [])
    report.indexed, report.search_seconds = sorted(todo & set(bundles)), time.perf_counter() - started


def _write(out: Path, pages: list[Page]) -> tuple[BuildReport, set[str]]:
    """Write what changed; returns the report and the searchable pages that changed or went."""
    before = _read_manifest(out, "files")
    after: dict[str, dict] = {}
    report, changed = BuildReport(pages=len(pages)), set()
    code = code_hash()
    for page in pages:
        inputs = None if page.inputs is None else _hash(code, json.dumps(page.inputs, sort_keys=True, default=str))
        old = before.get(page.path)
        target = out / page.path
        if inputs and old and old.get("inputs") == inputs and target.exists():
            after[page.path] = old  # made from the same data by the same code: the same page
            continue
        content = page.make()
        output = _hash(content)
        if not (old and old.get("output") == output and target.exists()):
            _atomic_write(target, content)
            report.written.append(page.path)
            if page.indexed:
                changed.add(page.path)
        after[page.path] = {"inputs": inputs, "output": output, "indexed": page.indexed}
    for path in sorted(set(before) - set(after)):
        if not _inside(out, path):
            continue
        _remove(out, path)
        report.removed.append(path)
        if before[path].get("indexed"):
            changed.add(path)
    _set_manifest(out, "files", after)
    return report, changed


def _hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _read_manifest(out: Path, key: str):
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or data.get("version") != 1:
        data = {}
    return data.get(key) or ({} if key == "files" else [])


def _set_manifest(out: Path, key: str, value) -> None:
    data = {"version": 1, "files": _read_manifest(out, "files"), "reindex": _read_manifest(out, "reindex"), key: value}
    _atomic_write(out / MANIFEST, json.dumps(data, indent=0, sort_keys=True).encode())


def _atomic_write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def _inside(out: Path, path: str) -> bool:
    return (out / path).resolve().is_relative_to(out.resolve())


def _remove(out: Path, path: str) -> None:
    target = out / path
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != out and folder.is_dir() and not any(folder.iterdir()):  # no empty folders left behind
        folder.rmdir()
        folder = folder.parent


@contextmanager
def _locked(out: Path):
    with open(out / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits for a build in progress (another process or thread)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
