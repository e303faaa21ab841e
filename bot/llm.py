"""One OpenAI-compatible chat client for the whole run.

What it adds to the `openai` package: a concurrency limit, a total timeout of
our own, retries we control (a 429 waits for Retry-After; a quota error or a
rejected key stops every further call of the run instead of being retried),
a fallback for servers without JSON modes, and one `llm_calls` row per call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from .config import LLMConfig
from .errors import LLMStopped
from .store import Store

log = logging.getLogger(__name__)

_MAX_RETRY_AFTER_S = 120.0


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int


class LLMClient:
    def __init__(self, cfg: LLMConfig, *, base_url: str, api_key: str, store: Store, run_id: str):
        self.cfg = cfg
        self.model = cfg.model
        self._store = store
        self._run_id = run_id
        self._limit = asyncio.Semaphore(cfg.concurrency)
        self._structured = cfg.structured_output
        self.stopped: str | None = None  # why further calls are refused, once they are
        self._paused_until = 0.0  # a 429's Retry-After holds back every call, not just the one refused
        self._base_url, self._api_key = base_url, api_key
        self._client = None  # built on the first call: a run served from the cache never loads openai

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    def _openai(self):
        if self._client is None:
            import openai  # noqa: PLC0415 - about 0.4 s to import; see _client above

            # Retries are ours (see the module docstring), so the package's own are off.
            self._client = openai.AsyncOpenAI(base_url=self._base_url, api_key=self._api_key,
                                              timeout=self.cfg.timeout_s, max_retries=0)
        return self._client

    async def complete(self, messages: list[dict], *, purpose: str, paper_id: str | None = None,
                       schema: dict | None = None, max_tokens: int | None = None) -> Completion:
        import openai  # noqa: PLC0415 - lazily, like the client itself

        attempt = 0
        while True:
            try:
                async with self._limit:
                    if self.stopped:  # checked after the wait: the stop may have come meanwhile
                        raise LLMStopped(self.stopped)
                    while (pause := self._paused_until - time.monotonic()) > 0:
                        await asyncio.sleep(pause)
                    return await self._call_once(messages, purpose, paper_id, schema, max_tokens or self.cfg.max_output_tokens)
            except openai.RateLimitError as exc:
                if _is_quota(exc):
                    self.stopped = f"the LLM API reports its quota is used up ({_message(exc)}); analyses resume once it is topped up"
                    raise LLMStopped(self.stopped) from exc
                delay = min(_retry_after(exc.response) or self.cfg.retry_backoff_s * 2**attempt, _MAX_RETRY_AFTER_S)
                self._paused_until = max(self._paused_until, time.monotonic() + delay)
            except openai.AuthenticationError as exc:
                self.stopped = f"the LLM API rejected the key in ${self.cfg.api_key_env}; check it"
                raise LLMStopped(self.stopped) from exc
            except openai.BadRequestError as exc:
                if self._structured == "none":
                    raise
                # Many OpenAI-compatible servers reject response_format: drop it and rely on our own validation.
                log.warning("the LLM server refused response_format=%s (%s); retrying without it", self._structured, _message(exc))
                self._structured = "none"
                continue
            except (openai.APIConnectionError, openai.InternalServerError, asyncio.TimeoutError) as exc:
                delay = self.cfg.retry_backoff_s * 2**attempt
                log.info("LLM call for %s failed (%s), attempt %d", purpose, type(exc).__name__, attempt + 1)
                if attempt >= self.cfg.max_retries:
                    raise
            if attempt >= self.cfg.max_retries:
                raise LLMStopped("the LLM API kept answering 429 (rate limit) after retries; try again later or lower [llm] concurrency")
            attempt += 1
            await asyncio.sleep(min(delay, _MAX_RETRY_AFTER_S))

    async def _call_once(self, messages, purpose, paper_id, schema, max_tokens) -> Completion:
        import openai  # noqa: PLC0415

        started = time.perf_counter()
        outcome, usage = "error", None
        try:
            response = await asyncio.wait_for(
                self._openai().chat.completions.create(
                    model=self.model, messages=messages, temperature=self.cfg.temperature,
                    max_tokens=max_tokens, **self._format_args(purpose, schema),
                ),
                timeout=self.cfg.timeout_s,
            )
            usage = response.usage
            choice = response.choices[0] if response.choices else None
            outcome = (choice.finish_reason or "stop") if choice else "empty"
            refusal = getattr(choice.message, "refusal", None) if choice else None
            if refusal:  # OpenAI's structured outputs put a refusal here, not in content
                outcome = "refusal"
            return Completion(
                text=(choice.message.content or "") if choice else "",
                finish_reason="refusal" if refusal else (choice.finish_reason if choice else None),
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
            )
        except asyncio.TimeoutError:
            outcome = "timeout"
            raise
        except openai.APIConnectionError:
            outcome = "unreachable"
            raise
        except asyncio.CancelledError:  # Ctrl-C: the call may still be billed; say so in the log
            outcome = "cancelled"
            raise
        except openai.APIStatusError as exc:
            outcome = f"http {exc.status_code}"
            raise
        finally:
            self._store.log_llm_call(
                run_id=self._run_id, purpose=purpose, paper_id=paper_id, model=self.model,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                latency_s=time.perf_counter() - started, outcome=outcome,
            )

    def _format_args(self, purpose: str, schema: dict | None) -> dict:
        if schema is None or self._structured == "none":
            return {}
        if self._structured == "json_object":
            return {"response_format": {"type": "json_object"}}
        return {"response_format": {"type": "json_schema", "json_schema": {"name": purpose, "schema": schema}}}


def llm_failure(exc: BaseException) -> str:
    """What went wrong with the LLM service, in words for the digest (no URL, no key, no model text)."""
    import openai  # noqa: PLC0415

    if isinstance(exc, openai.APITimeoutError | asyncio.TimeoutError):
        return "the LLM API did not answer in time"
    if isinstance(exc, openai.APIConnectionError):
        return "the LLM API could not be reached"
    if isinstance(exc, openai.APIStatusError):
        return f"the LLM API failed (HTTP {exc.status_code})"
    return f"the LLM call failed ({type(exc).__name__})"


def is_llm_error(exc: BaseException) -> bool:
    """Trouble with the LLM service (as opposed to a bug of ours)."""
    import openai  # noqa: PLC0415

    return isinstance(exc, (openai.APIError, asyncio.TimeoutError))


def _is_quota(exc) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    return "insufficient_quota" in (exc.code, body.get("type"), body.get("code"))


def _message(exc) -> str:
    return str(exc.message)[:200]


def _retry_after(response) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue
    return None
