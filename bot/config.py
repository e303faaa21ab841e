"""Configuration: TOML in, frozen validated settings out.

Defaults live here, in the models; `config.example.toml` is a commented copy of
them (a test keeps the two equal). Secrets never live in the file: the file only
names the environment variable that holds the LLM key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .arxiv.categories import is_known
from .errors import ConfigError
from .models import ChannelRef

CONFIG_ENV = "PAPERBOT_CONFIG"
LOCAL_PLACEHOLDER_KEY = "no-key-needed"  # what a keyless local server is sent (it ignores it)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArxivConfig(_Section):
    categories: tuple[str, ...] = ("cs.CV",)
    announce_types: tuple[Literal["new", "cross", "replace", "replace-cross"], ...] = ("new", "cross")
    rss_url: str = "https://rss.arxiv.org/rss"
    api_url: str = "https://export.arxiv.org/api/query"
    min_interval_s: float = Field(3.0, ge=0)
    timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(3, ge=0, le=10)
    retry_backoff_s: float = Field(5.0, ge=0)
    html_url: str = "https://arxiv.org/html"
    pdf_url: str = "https://arxiv.org/pdf"
    fulltext_max_mb: int = Field(50, ge=1, le=500)
    fulltext_timeout_s: float = Field(120.0, gt=0)

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one category, e.g. [\"cs.CV\"]")
        unknown = [c for c in value if not is_known(c)]
        if unknown:
            raise ValueError(f"unknown arXiv category {', '.join(unknown)} (see https://arxiv.org/category_taxonomy)")
        return value


class DigestConfig(_Section):
    max_papers: int = Field(10, ge=1, le=100)
    interests: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    deep_top_k: int = Field(0, ge=0, le=100)
    post_empty_days: bool = False
    catch_up_hours: float = Field(6.0, ge=0, le=48)
    # A paper this channel already got that comes back as a new version: a reply in its thread.
    follow_new_versions: bool = True


class LLMConfig(_Section):
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    language: str = Field("en", min_length=2)
    concurrency: int = Field(8, ge=1, le=64)
    timeout_s: float = Field(120.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10)
    retry_backoff_s: float = Field(2.0, ge=0)
    structured_output: Literal["json_schema", "json_object", "none"] = "json_object"
    max_output_tokens: int = Field(2000, ge=200)
    deep_max_input_tokens: int = Field(12000, ge=2000)
    deep_max_output_tokens: int = Field(6000, ge=500)
    temperature: float = Field(0.3, ge=0, le=2)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d$"


class RecapConfig(_Section):
    """The weekly recap of each channel, at `post_at` on `day` in the channel's time zone."""

    enabled: bool = True
    day: Weekday = "friday"
    post_at: str = Field("16:00", pattern=TIME_OF_DAY)


class ChannelConfig(_Section):
    """One chat channel that gets the morning post; unset overrides take the global setting."""

    platform: Literal["slack", "discord"]
    id: str = Field(min_length=1)
    post_at: str = Field("09:00", pattern=TIME_OF_DAY)
    timezone: str = "UTC"
    categories: tuple[str, ...] | None = None
    interests: str | None = None
    language: str | None = None
    max_papers: int | None = Field(None, ge=1, le=100)
    recap_enabled: bool | None = None  # the weekly recap's overrides; unset: [recap]
    recap_day: Weekday | None = None
    recap_post_at: str | None = Field(None, pattern=TIME_OF_DAY)

    @property
    def ref(self) -> ChannelRef:
        return ChannelRef(self.platform, self.id)

    @model_validator(mode="after")
    def _discord_ids_are_numbers(self) -> ChannelConfig:
        if self.platform == "discord" and not self.id.isdigit():
            raise ValueError(f"Discord channel ids are numbers ({self.id!r} is not): developer mode on, "
                             "right-click the channel, Copy Channel ID")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Europe/Berlin") from None
        return value


class SlackConfig(_Section):
    api_url: str = "https://slack.com/api/"
    mode: Literal["socket", "http"] = "socket"  # socket: SLACK_BOT_TOKEN + SLACK_APP_TOKEN, no public URL
    host: str = "0.0.0.0"  # http mode: the address Bolt listens on ("127.0.0.1" behind a local proxy)
    port: int = Field(3000, ge=1, le=65535)  # http mode: where Bolt listens (SLACK_SIGNING_SECRET)


class DiscordConfig(_Section):
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    # Commands synced to these servers appear at once; without any they are global (up to an hour).
    guild_ids: tuple[int, ...] = ()
    # How long discord.py waits for the servers' data after connecting before it calls itself ready.
    guild_ready_timeout_s: float = Field(2.0, gt=0, le=60)


class VotesConfig(_Section):
    emoji: tuple[str, ...] = ("star", "+1")
    # "Not for us": an explicit negative for the channel's taste, never a vote for the must-read list.
    down_emoji: tuple[str, ...] = ("-1",)
    threshold: int = Field(2, ge=1)

    @model_validator(mode="after")
    def _up_and_down_apart(self) -> VotesConfig:
        both = set(self.emoji) & set(self.down_emoji)
        if both:
            raise ValueError(f"{', '.join(sorted(both))} cannot be both a vote (emoji) and a down vote (down_emoji)")
        return self


class SiteConfig(_Section):
    """The static archive (`paperbot site`): where `paperbot run` keeps it fresh, and how it links out."""

    out_dir: str = ""  # set: `paperbot run` refreshes the site there after each morning post
    title: str = "paperbot archive"
    base_url: str = ""  # where the site is published: makes the feeds' links absolute
    slack_workspace_url: str = ""  # e.g. https://myteam.slack.com: links to the message, else to the channel
    home_days: int = Field(7, ge=1, le=365)  # how many of each channel's latest days the home page lists

    @field_validator("base_url", "slack_workspace_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not a web address; write it as https://...")
        return value


class RankingConfig(_Section):
    # Each channel's picks learn from what its people vote for (up and down), ask for (/paper) and
    # import; false: the interests ranking alone, exactly as without a taste.
    learn: bool = True
    # Picks kept for a paper unlike what the channel liked so far, so its votes teach something new.
    explore: int = Field(0, ge=0, le=5)
    # A paper posted this many days ago with no vote and no /paper request counts as a weak "not for us".
    unvoted_after_days: float = Field(3.0, ge=0)
    # The recent announcement days (and at most this many papers) a channel's taste is learned against.
    background_days: int = Field(10, ge=0, le=60)
    background_papers: int = Field(2000, ge=0, le=20000)


class AskConfig(_Section):
    """Questions asked in a paper's thread (a Slack mention, Discord's /ask), answered from the full text."""

    max_per_hour: int = Field(30, ge=1)  # questions per channel per hour
    max_per_hour_per_user: int = Field(10, ge=1)
    history_turns: int = Field(3, ge=0, le=10)  # earlier questions of the thread a follow-up keeps
    max_input_tokens: int = Field(6000, ge=1500)
    max_output_tokens: int = Field(800, ge=200)


class StorageConfig(_Section):
    path: str = "data/paperbot.db"
    # How long a claim on an analysis or a download holds without being renewed: a process that dies
    # while writing one releases it after this long, and another process takes over.
    lease_s: float = Field(60.0, ge=1, le=3600)


class Config(_Section):
    arxiv: ArxivConfig = ArxivConfig()
    digest: DigestConfig = DigestConfig()
    llm: LLMConfig = LLMConfig()
    storage: StorageConfig = StorageConfig()
    slack: SlackConfig = SlackConfig()
    discord: DiscordConfig = DiscordConfig()
    votes: VotesConfig = VotesConfig()
    ranking: RankingConfig = RankingConfig()
    recap: RecapConfig = RecapConfig()
    site: SiteConfig = SiteConfig()
    ask: AskConfig = AskConfig()
    channels: tuple[ChannelConfig, ...] = ()
    # Where relative paths resolve: the config file's folder, or the working directory.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @property
    def db_path(self) -> Path:
        return self.base_dir / self.storage.path

    @property
    def site_dir(self) -> Path | None:
        """`[site] out_dir`, resolved like the storage path; None when unset."""
        return self.base_dir / self.site.out_dir if self.site.out_dir else None

    @property
    def llm_base_url(self) -> str:
        # OPENAI_BASE_URL only overrides the default, never an explicit setting in the file.
        if "base_url" in self.llm.model_fields_set:
            return self.llm.base_url
        return os.environ.get("OPENAI_BASE_URL") or self.llm.base_url

    def llm_api_key(self) -> str | None:
        """The key from the environment; a local server (Ollama, vLLM, llama.cpp) needs none, but the client
        sends one, so it gets a placeholder. None for OpenAI itself without a key: analyses are off."""
        key = os.environ.get(self.llm.api_key_env)
        if key:
            return key
        return None if self.llm_is_openai else LOCAL_PLACEHOLDER_KEY

    @property
    def llm_is_openai(self) -> bool:
        host = urlsplit(self.llm_base_url).hostname or ""
        return host == "openai.com" or host.endswith(".openai.com")

    def channel(self, ref: ChannelRef | str) -> ChannelConfig:
        """The configured channel `slack:C0123`; an error naming the configured ones otherwise."""
        for channel in self.channels:
            if str(channel.ref) == str(ref):
                return channel
        known = ", ".join(str(c.ref) for c in self.channels) or "none"
        raise ConfigError(f"channel {ref} is not configured (configured: {known}); add a [[channels]] entry")

    def recap_schedule(self, channel: ChannelConfig) -> tuple[int, str] | None:
        """(weekday, 0 = Monday; "HH:MM") of the channel's weekly recap in its time zone; None: it has none."""
        enabled = channel.recap_enabled if channel.recap_enabled is not None else self.recap.enabled
        if not enabled:
            return None
        return WEEKDAYS.index(channel.recap_day or self.recap.day), channel.recap_post_at or self.recap.post_at

    def profile(self, ref: ChannelRef | None = None) -> Profile:
        """What a digest or an answer for `ref` is made from: the global settings with the channel's
        overrides. A channel that is not configured (a command in another channel) gets the global ones."""
        channel = next((c for c in self.channels if c.ref == ref), None) if ref else None
        d, c = self.digest, channel
        return Profile(
            ref=ref, categories=(c and c.categories) or self.arxiv.categories,
            interests=c.interests if c and c.interests is not None else d.interests,
            include=d.include, exclude=d.exclude, language=(c and c.language) or self.llm.language,
            max_papers=(c and c.max_papers) or d.max_papers, deep_top_k=d.deep_top_k)


@dataclass(frozen=True)
class Profile:
    """What is specific to one channel's request; it travels with the request to the shared engine."""

    ref: ChannelRef | None  # None: the Markdown digest, for no channel
    categories: tuple[str, ...]
    interests: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    language: str
    max_papers: int
    deep_top_k: int = 0

    @property
    def key(self) -> str:
        """The name the store keeps this profile's picks under."""
        return str(self.ref) if self.ref else "markdown"


def secret_from_env(name: str, what: str, setup: str) -> str:
    """A token from the environment (secrets never live in the config file), or one sentence saying which."""
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"set {name} ({what}); see the README's {setup} set-up")
    return value


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load `path`, else $PAPERBOT_CONFIG, else the bundled defaults."""
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        return Config()
    file = Path(chosen).expanduser()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {file} does not exist; pass an existing file with --config or copy config.example.toml") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {file} is not valid TOML ({exc}); fix that line") from None
    try:
        return Config(**data, base_dir=file.resolve().parent)
    except ValidationError as exc:
        raise ConfigError(f"config file {file}: {_first_problem(exc)}; fix it, or remove it to use the default") from None
    except TypeError as exc:  # e.g. a top-level key that is not a table
        raise ConfigError(f"config file {file}: {exc}; compare with config.example.toml") from None


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown setting '{where}'"
    message = err["msg"].removeprefix("Value error, ")
    return f"'{where}' {message}"
