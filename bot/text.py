"""Splitting long text for chat platforms, whose messages and blocks have length limits."""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """`text` in chunks of at most `limit` characters, split at line breaks, else at a space; nothing dropped."""
    chunks, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:  # one line longer than a block: split at a space
            cut = line.rfind(" ", 0, limit) if " " in line[:limit] else limit
            cut = cut if cut > 0 else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            candidate = line
        current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]
