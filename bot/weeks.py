"""ISO weeks and a channel's week: what a weekly recap is keyed by (`2026-W23`), which week a recap posted
on a day is of, a week's bounds in a channel's time zone, and the neutral recap every renderer draws from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .models import Paper

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
FRIDAY = 4


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """'2026-W23' -> IsoWeek(2026, 23); ValueError with a sentence saying how to write one."""
        m = _WEEK_RE.match(text.strip())
        try:
            if m is None:
                raise ValueError
            date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO week; write it as YYYY-Www, e.g. 2026-W23") from None
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def recapped_on(cls, day: date) -> IsoWeek:
        """The week a recap posted on `day` is of: arXiv's week (Monday to Friday) once its Friday has
        come, so Friday to Sunday recap this week and Monday to Thursday the week before."""
        return cls.of(day if day.weekday() >= FRIDAY else day - timedelta(days=7))

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[Monday 00:00, next Monday 00:00) in the time zone `tz`, as UTC."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.monday, time(0), tzinfo=zone)
        end = datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=zone)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class WeekPaper:
    """A paper in a recap's list: its votes or asks that week, and where its message is (a permalink)."""

    paper: Paper
    votes: int = 0
    asks: int = 0
    questions: int = 0  # answered questions in its threads ("Ask the paper")
    read: bool = False  # marked read (/mustread done)
    link: str | None = None  # the paper's own message in the channel, when the platform gives a link


@dataclass(frozen=True)
class WeekCounts:
    announced: int = 0  # papers in the announcements of the week's morning posts
    posted: int = 0  # papers posted (morning posts and /paper answers)
    voted: int = 0  # papers that got a vote
    read: int = 0  # papers marked read


@dataclass(frozen=True)
class WeekRecap:
    week: IsoWeek
    categories: tuple[str, ...]
    language: str
    threshold: int  # votes a paper needs for the must-read list
    mornings: int
    must_read: tuple[WeekPaper, ...]  # crossed the threshold this week, most votes first
    most_asked: tuple[WeekPaper, ...]
    picks: tuple[Paper, ...]  # the morning posts' papers, in the order they were posted
    counts: WeekCounts
    themes: str | None = None  # the LLM's paragraph
    themes_note: str | None = None  # why there is none, when there are picks
    most_discussed: tuple[WeekPaper, ...] = ()  # most questions asked in their threads

    @property
    def empty(self) -> bool:
        return not self.picks and not self.most_asked and not self.most_discussed
