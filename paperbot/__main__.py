"""The `paperbot` command's entry point: it imports the program itself, so that Ctrl-C while Python is
still loading it (a second or so) ends with exit 130 and one line, not a KeyboardInterrupt traceback."""

import sys

INTERRUPTED = "paperbot: interrupted; what was stored is kept, run again to resume\n"


def main() -> int:
    try:
        from paperbot.cli import main as run  # noqa: PLC0415 - the import is what is guarded
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED)
        return 130
    return run()


if __name__ == "__main__":
    sys.exit(main())
