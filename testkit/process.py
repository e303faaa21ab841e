"""Running `paperbot` as a real process, for what is the process's own business: exit codes, stderr,
start-up and interrupts."""

from __future__ import annotations

import os
import subprocess
import sys


def paperbot(*args, env: dict | None = None, timeout: float = 60) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m paperbot ARGS` with this environment (plus `env`)."""
    result = subprocess.run([sys.executable, "-m", "paperbot", *map(str, args)], capture_output=True, text=True,
                            env={**os.environ, **(env or {})}, timeout=timeout)
    return result.returncode, result.stdout, result.stderr
