"""The dependency direction: the core imports no platform, a platform imports no other platform."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_LIBRARIES = ("slack_bolt", "slack_sdk", "discord", "aiohttp")


def imports_of(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Every module a package's files import (absolute names; relative imports resolved), by file."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        package_parts = list(path.relative_to(root).parts[:-1])  # the package the file is in
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package_parts[: len(package_parts) - (node.level - 1)] if node.level else []
                names.add(".".join([*base, *([node.module] if node.module else [])]))
        found[str(path.relative_to(root))] = names
    return found


def offending(found: dict[str, set[str]], prefixes: tuple[str, ...]) -> list[str]:
    return [f"{file} imports {name}" for file, names in found.items() for name in sorted(names)
            if any(name == p or name.startswith(p + ".") for p in prefixes)]


def test_the_core_imports_no_platform_no_adapter_and_no_composition_root():
    assert offending(imports_of("bot"), (*PLATFORM_LIBRARIES, "adapters", "paperbot", "testkit", "tests")) == []


@pytest.mark.parametrize("platform, other", [("slack", "discord"), ("discord", "slack")])
def test_a_platform_imports_nothing_of_another(platform, other):
    other_libraries = ("discord",) if other == "discord" else ("slack_bolt", "slack_sdk")
    assert offending(imports_of(f"adapters/{platform}"), (f"adapters.{other}", *other_libraries, "paperbot")) == []


def test_the_checker_sees_an_import_when_there_is_one(tmp_path):
    # The test above must be able to fail: a core module that imports a platform is caught.
    (tmp_path / "bot" / "chat").mkdir(parents=True)
    (tmp_path / "bot" / "chat" / "leak.py").write_text("from ...adapters.slack import app\nimport discord.ext\n")
    assert offending(imports_of("bot", tmp_path), ("adapters", "discord")) == [
        "bot/chat/leak.py imports adapters.slack", "bot/chat/leak.py imports discord.ext"]
