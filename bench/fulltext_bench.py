"""Benchmark the deep analysis's full-text path: extraction, budget, and `paperbot paper --deep`.

    python -m bench.fulltext_bench [--pages 30] [--repeat 5]   (from the repository root)

For a generated long paper (`long_doc(pages=30)`), a long paper whose method section is
titled with the method's name (`method_named_doc(pages=30)`: "3 DeepGen", acknowledgements
inside the conclusion) and the ~5-page `sample_doc()`, rendered both as arXiv's HTML and as
a two-column PDF:
1. times the extractors in-process (`extract_html`, `extract_pdf`, and pypdf alone
   via `read_pages`), median of --repeat runs; HTML's ms/page divides by the page
   count of the same paper's PDF;
2. runs the real CLI as a subprocess against the loopback fakes (one paper id with
   HTML, another with only a PDF, so HTML 404s first) and reads the tokens sent to
   the model (the fake's recorded request, the `llm_calls` table, paperbot's own
   footer), the sections kept / shortened / left out, and how much of the method section
   the request holds (tokens, share of the section, share of the full text sent).
arXiv pacing is off (min_interval_s = 0) so the wall time is paperbot's own work.
Prints figures and informational PASS/MISS goals (each request within the budget;
a paper under half the budget sent whole): exit 0 unless `paperbot` itself fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.fulltext.budget import fit
from bot.fulltext.document import NEVER_SENT, estimate_tokens
from bot.fulltext.html import extract_html
from bot.fulltext.pdf import extract_pdf, read_pages
from testkit.arxiv_fake import ApiPaper, FakeArxiv
from testkit.llm_fake import FakeLLM
from testkit.paper_docs import latexml_html, long_doc, method_named_doc, sample_doc, two_column_pdf
from testkit.samples import smart_responder

ROOT = Path(__file__).resolve().parent.parent

BUDGET = 12000  # [llm] deep_max_input_tokens, the default
FOOTER_RE = re.compile(r"^_Written from the arXiv .*$", re.MULTILINE)
PER_MESSAGE_TOKENS = 8  # chat framing per message, as bot/deep_input.py counts it
ABOUT_RE = re.compile(r"about ([\d,]+) of ([\d,]+) input tokens")
FULLTEXT_RE = re.compile(r"\nFull text \(.*?\):\n(.*)\n</paper>$", re.DOTALL)


def method_sent(request_text: str, title: str, section_tokens: int) -> str:
    """'sent tokens (share of the section, share of the full text sent)' for the section `title`."""
    fulltext = FULLTEXT_RE.search(request_text)[1]
    part = next((p for p in re.split(r"\n\n(?=## )", fulltext) if p.startswith(f"## {title}\n")), "")
    sent = estimate_tokens(part) if part else 0
    return f"{sent:,} ({100 * sent / section_tokens:.0f}%, {100 * sent / estimate_tokens(fulltext):.0f}%)"


def median_ms(fn, repeat: int) -> tuple[float, object]:
    """(median wall ms of `repeat` calls after one untimed warm-up, the last result)."""
    times, result = [], fn()
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def extraction(doc, html: str, pdf: bytes, repeat: int, method: str) -> dict[str, dict]:
    vid = f"{doc.arxiv_id}v1"
    pypdf_ms = statistics.median([read_pages(pdf).seconds * 1000 for _ in range(repeat + 1)][1:])  # after a warm-up
    out = {}
    for path, run in (("html", lambda: extract_html(html, vid)), ("pdf", lambda: extract_pdf(pdf, vid))):
        ms, fulltext = median_ms(run, repeat)
        fit_ms, _ = median_ms(lambda: fit(fulltext, BUDGET), repeat)
        sendable = [s for s in fulltext.sections if s.role not in NEVER_SENT]
        out[path] = {"ms": ms, "fit_ms": fit_ms, "words": fulltext.words, "pages": fulltext.pages,
                     "tokens": sum(s.tokens for s in sendable),
                     "sections": f"{len(sendable)}/{len(fulltext.sections)}",
                     "method": next(s for s in fulltext.sections if s.title == method)}
    out["pdf"]["pypdf_ms"] = pypdf_ms
    out["html"]["pages"] = out["pdf"]["pages"]  # HTML has no pages: the same paper's PDF page count
    return out


def write_config(tmp: Path, arxiv: FakeArxiv, llm: FakeLLM) -> Path:
    path = tmp / "paperbot.toml"
    path.write_text(f"""\
[arxiv]
categories = ["cs.CV"]
api_url = "{arxiv.url}/api/query"
html_url = "{arxiv.url}/html"
pdf_url = "{arxiv.url}/pdf"
min_interval_s = 0
retry_backoff_s = 0
[llm]
base_url = "{llm.base_url}"
model = "fake-model"
language = "en"
deep_max_input_tokens = {BUDGET}
[storage]
path = "paperbot.db"
""", encoding="utf-8")
    return path


def run_deep(arxiv: FakeArxiv, llm: FakeLLM, tmp: Path, paper_id: str) -> dict:
    """`paperbot -v paper <id> --deep` in a fresh interpreter and a fresh store; what it sent and said."""
    arxiv.clear_requests()
    llm.clear_requests()
    config = write_config(tmp, arxiv, llm)
    script = Path(sys.executable).with_name("paperbot")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "paperbot.cli"]
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "PAPERBOT_CONFIG")}
    env |= {"OPENAI_API_KEY": "sk-bench-not-a-real-key", "NO_PROXY": "127.0.0.1,localhost"}
    started = time.perf_counter()
    child = subprocess.run([*cmd, "-v", "paper", paper_id, "--deep", "--config", str(config)],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"paperbot exited {child.returncode}:\n{child.stderr}")
    deep = [c for c in llm.calls if '"abstract_translation"' in c["messages"][0]["content"]]
    footer = FOOTER_RE.search(child.stdout)
    footer = footer[0] if footer else "(no footer)"
    about = ABOUT_RE.search(footer)
    with sqlite3.connect(tmp / "paperbot.db") as con:
        db_tokens = con.execute("select sum(prompt_tokens) from llm_calls where purpose like 'deep%'").fetchone()[0]
        context = json.loads(con.execute("select context from analyses where kind like 'deep%'").fetchone()[0])
    return {"wall": wall, "footer": footer, "request": deep[0]["messages"][1]["content"],
            "about": about[1] if about else "?", "db_tokens": db_tokens or 0,
            "sent": sum(estimate_tokens(m["content"]) for c in deep for m in c["messages"]),
            "messages": sum(len(c["messages"]) for c in deep), "calls": f"{len(deep)} deep of {len(llm.calls)}",
            "arxiv": [r.path for r in arxiv.requests],
            "log": [ln for ln in child.stderr.splitlines() if "text for" in ln or "full text of" in ln],
            "kept": len(context["kept"]), "shortened": len(context["shortened"]), "dropped": len(context["dropped"])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=30, help="pages of the long generated paper (default 30)")
    ap.add_argument("--repeat", type=int, default=5, help="extraction repeats, median reported (default 5)")
    args = ap.parse_args()

    # One paper per (size, path), same content: the HTML id has HTML and PDF, the PDF id only a PDF.
    # (name, paper, the id of its PDF-only twin, its method section's title)
    docs = [(f"long {args.pages}p", long_doc("2602.20001", pages=args.pages), "2602.20002", "3 Method"),
            (f"named {args.pages}p", method_named_doc("2602.20003", pages=args.pages), "2602.20004", "3 DeepGen"),
            ("sample", sample_doc("2602.12281"), "2602.12282", "3 Method")]
    rows, notes, goals = [], [], []
    with FakeArxiv() as arxiv, FakeLLM() as llm, tempfile.TemporaryDirectory(prefix="paperbot-bench-") as tmpdir:
        llm.responder = smart_responder
        for name, html_doc, pdf_id, method in docs:
            pdf_doc = dataclasses.replace(html_doc, arxiv_id=pdf_id)
            html, pdf = latexml_html(html_doc), two_column_pdf(html_doc)
            ext = extraction(html_doc, html, pdf, args.repeat, method)
            for path, doc in (("html", html_doc), ("pdf", pdf_doc)):
                arxiv.add_paper(ApiPaper(doc.arxiv_id, title=doc.title, abstract=doc.abstract, authors=doc.authors))
                if path == "html":
                    arxiv.set_html(f"{doc.arxiv_id}v1", html)
                arxiv.set_pdf(f"{doc.arxiv_id}v1", pdf if path == "html" else two_column_pdf(doc))
                run_dir = Path(tmpdir) / f"{doc.arxiv_id}-{path}"
                run_dir.mkdir()
                e2e = run_deep(arxiv, llm, run_dir, doc.arxiv_id)
                x = ext[path]
                rows.append([f"{name} {path.upper()}", str(x["pages"]), f"{x['ms']:.1f}", f"{x['ms'] / x['pages']:.2f}",
                             f"{x['pypdf_ms'] / x['pages']:.2f}" if path == "pdf" else "-", f"{x['words']:,}",
                             x["sections"], f"{x['fit_ms']:.2f}", f"{e2e['sent']:,}", f"{e2e['db_tokens']:,}",
                             e2e["about"], f"{BUDGET:,}", f"{e2e['kept']}/{e2e['shortened']}/{e2e['dropped']}",
                             f"{x['method'].role}", method_sent(e2e["request"], method, x["method"].tokens),
                             f"{e2e['wall']:.2f}"])
                framed = e2e["sent"] + PER_MESSAGE_TOKENS * e2e["messages"]
                goals.append((f"{name} {path.upper()}: request within the budget", f"{framed:,} <= {BUDGET:,}",
                              framed <= BUDGET))
                if x["tokens"] * 2 < BUDGET:  # the text is under half the budget: nothing need be cut
                    goals.append((f"{name} {path.upper()}: fits, so sent whole",
                                  f"{e2e['shortened']} shortened, {e2e['dropped']} left out",
                                  not e2e["shortened"] and not e2e["dropped"]))
                notes.append((f"{name} {path.upper()} ({doc.arxiv_id}, {e2e['calls']} LLM calls)",
                              ["arXiv: " + ", ".join(e2e["arxiv"]), *e2e["log"], e2e["footer"]]))

    print(f"Full text: extraction median of {args.repeat}, then `paperbot -v paper <id> --deep` end to end "
          f"(fake arXiv with min_interval_s = 0, fake LLM with no latency), budget {BUDGET:,} tokens\n")
    head = ["path", "pages", "extract ms", "ms/page", "pypdf ms/pg", "words", "sections", "fit ms",
            "sent est", "llm_calls", "paperbot", "budget", "kept/short/drop", "method role", "method sent",
            "e2e s"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    print("""
  pages: the PDF's page count; the HTML rows divide by the same paper's PDF pages.
  pypdf ms/pg: pypdf's extract_text alone (read_pages); extract ms adds our heading and paragraph finding.
  words, sections: words of the sendable sections; sections sendable/total (front matter, acknowledgements
    and references are never sent). fit ms: budget.fit at the full 12,000 tokens, timing only.
  sent est: estimate_tokens (UTF-8 bytes / 3.5) over the deep request's messages, as the fake LLM got them;
    llm_calls: prompt_tokens paperbot logged (the fake's chars / 4); paperbot: the footer's "about N" figure.
  kept/short/drop: sections sent whole / shortened / left out (the stored coverage); e2e s: the CLI's wall time.
  method role: the role the extractor gave the method section ("3 Method", "3 DeepGen"); method sent: its
    tokens in the request (estimate_tokens), as a share of the whole section and of the full text sent.
""")
    for title, lines in notes:
        print(title)
        for line in lines:
            print(f"  {line}")
    print("\nGoals (informational; sent est + 8 tokens of framing per message)")
    width = max(len(g[0]) for g in goals)
    for title, figure, ok in goals:
        print(f"  {title:<{width}}  {figure}  {'PASS' if ok else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
