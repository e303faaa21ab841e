"""Prompts are files (prompts/*.toml), rendered with variables; a missing variable raises.

Each file has `version`, `system` and `user`. Templates use `$name` placeholders
(string.Template), so JSON braces in prompt text need no escaping, and the
values are substituted once: a `$` inside an abstract is never expanded.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template

PROMPTS_PACKAGE = "bot.prompt_files"

# Delimiter tags around untrusted text: a paper (or a chat user's question) that
# writes "</paper>" must not be able to close the data block early and speak as the instructions.
_DELIMITER_RE = re.compile(r"<\s*(/?)\s*(papers?|question|conversation)\b", re.IGNORECASE)


class PromptError(Exception):
    pass


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: str

    def render(self, **variables: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self._fill(self.system, variables)},
            {"role": "user", "content": self._fill(self.user, variables)},
        ]

    def _fill(self, text: str, variables: dict[str, str]) -> str:
        try:
            return Template(text).substitute(variables).strip()
        except KeyError as exc:
            raise PromptError(f"prompt {self.name} needs variable {exc.args[0]}") from None
        except ValueError as exc:
            raise PromptError(f"prompt {self.name} has a bad placeholder: {exc}") from None


def as_data(text: str) -> str:
    """Untrusted text made safe to place between our delimiter tags."""
    return _DELIMITER_RE.sub(lambda m: f"<{m.group(1)} {m.group(2)}", text)


@cache
def load(name: str) -> Prompt:
    source = resources.files(PROMPTS_PACKAGE).joinpath(f"{name}.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    missing = {"version", "system", "user"} - data.keys()
    if missing:
        raise PromptError(f"prompt {name} lacks {', '.join(sorted(missing))}")
    return Prompt(name=name, version=str(data["version"]), system=data["system"], user=data["user"])


def available() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in resources.files(PROMPTS_PACKAGE).iterdir()
                  if p.name.endswith(".toml"))
