"""The commands, one module each. A command module has `NAME`, `HELP`, `arguments(parser)` and
`async run(config, args, started) -> exit code`; `ALL` lists them in the order `--help` shows."""

from . import backup, digest, paper, post, recap, run, site, taste

ALL = [digest, paper, post, recap, run, taste, site, backup]
