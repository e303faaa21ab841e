"""The few exceptions paperbot raises on purpose.

Every `PaperbotError` is an *expected* failure: the CLI prints its message (one
sentence that names the problem and the fix) and exits non-zero, no traceback.
Anything else is a bug and keeps its traceback.
"""


class PaperbotError(Exception):
    """An expected failure with a message written for the user."""

    exit_code = 1


class ConfigError(PaperbotError):
    exit_code = 2


class InvalidPaperId(PaperbotError):
    exit_code = 2


class UsageError(PaperbotError):
    """A command-line argument that cannot be used (a date that is not one, a bad language code)."""

    exit_code = 2


class PaperNotFound(PaperbotError):
    pass


class ArxivUnavailable(PaperbotError):
    """arXiv did not answer usefully after our bounded retries."""


class FeedMalformed(PaperbotError):
    pass


class NoAnnouncement(PaperbotError):
    """The feed has no announcement for the day: not an error, a fact to report."""

    exit_code = 0


class DayNotAvailable(PaperbotError):
    """Asked for a day that is neither the feed's current one nor stored."""

    exit_code = 2


class LLMStopped(PaperbotError):
    """The LLM cannot be used for the rest of this run (quota, bad key)."""


class AnalysisFailed(Exception):
    """The model gave no usable answer after the retry; recorded, not raised to the user."""


class NoFullText(PaperbotError):
    """Neither the HTML rendering nor the PDF gave us the paper's text; the message says why."""


class ChatError(PaperbotError):
    """A chat platform refused or could not be reached; the adapter wrote the sentence saying why."""


class StorageError(PaperbotError):
    """The database file cannot be opened, read or written; the message names the file and the fix."""
