"""A fake OpenAI-compatible chat-completions server on 127.0.0.1.

    with FakeLLM() as fx:
        fx.responder = lambda req: '{"score": 3}'          # str or Reply
        fx.script(Reply.rate_limited(), "first real answer")  # consumed first, FIFO
        client = openai.OpenAI(base_url=fx.base_url, api_key="test", max_retries=2)
        client.chat.completions.create(model="m", messages=[...])
        assert fx.calls[0]["model"] == "m"

How the real openai client (3.52) sees what this fake sends:

- 429 with `retry-after-ms: 1` is retried after 1 ms (that header wins over
  `retry-after`). `retry-after: 0` alone is NOT a short wait: the client only
  honours values > 0 and otherwise backs off 0.5 s, 1 s, ... so use
  Reply.rate_limited() (which sends both) to keep tests fast.
- Reply.insufficient_quota() is also a 429, so the client retries it like any
  429 before giving up; it raises openai.RateLimitError whose `.code` and
  `.type` are "insufficient_quota" (the client unwraps the "error" object into
  `.body`, so `.body["code"]` works too). Send `x-should-retry: false` in
  Reply.headers to stop the retries, as some gateways do.
- finish_reason="length" is visible as `completion.choices[0].finish_reason`.
"""

from __future__ import annotations

import collections
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .server import FakeServer, Recorded, Response

__all__ = ["FakeLLM", "Reply"]

CHAT_PATH = "/v1/chat/completions"

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
}


@dataclass
class Reply:
    """One scripted answer. status != 200 sends an OpenAI error body instead."""

    content: str = ""
    finish_reason: str = "stop"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None  # merged over the default error object
    refusal: str | None = None  # OpenAI structured outputs: the refusal text, content then null
    reasoning_content: str | None = None  # what vLLM/DeepSeek servers send beside the answer

    @classmethod
    def rate_limited(cls, retry_after_ms: int = 1) -> "Reply":
        """A transient 429 that the client retries almost at once."""
        return cls(
            status=429,
            headers={"retry-after-ms": str(retry_after_ms), "retry-after": "0"},
            error={"message": "Rate limit reached for requests", "type": "requests",
                   "code": "rate_limit_exceeded"},
        )

    @classmethod
    def insufficient_quota(cls) -> "Reply":
        """OpenAI's out-of-credit answer: a 429 that waiting will not clear."""
        return cls(
            status=429,
            headers={"retry-after-ms": "1"},  # keeps the client's retries instant
            error={"message": "You exceeded your current quota, please check your plan "
                              "and billing details.",
                   "type": "insufficient_quota", "code": "insufficient_quota"},
        )

    @classmethod
    def server_error(cls, status: int = 500) -> "Reply":
        return cls(status=status, headers={"retry-after-ms": "1"},
                   error={"message": "The server had an error while processing your request.",
                          "type": "server_error"})


Responder = Callable[[dict[str, Any]], "Reply | str"]


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _prompt_text(request: dict[str, Any]) -> str:
    """The text of all messages; content may be a string or a list of parts."""
    parts: list[str] = []
    for message in request.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict))
    return "\n".join(parts)


class FakeLLM(FakeServer):
    """POST /v1/chat/completions (not streamed: paperbot does not stream)."""

    def __init__(self) -> None:
        super().__init__()
        self.responder: Responder = lambda request: "{}"
        self.latency_s = 0.0
        self._script: collections.deque[Reply | str] = collections.deque()
        self._script_lock = threading.Lock()
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Parsed JSON bodies of every chat request, in arrival order (failed ones too)."""
        out = []
        for req in self.requests_to(CHAT_PATH):
            try:
                out.append(json.loads(req.body))
            except ValueError:
                out.append({"_unparseable_body": req.body})
        return out

    def script(self, *replies: Reply | str) -> None:
        """Queue answers used, in order, before falling back to the responder."""
        with self._script_lock:
            self._script.extend(replies)

    # -- HTTP ------------------------------------------------------------------
    def route(self, req: Recorded) -> Response:
        if req.method != "POST" or req.path != CHAT_PATH:
            return _error_response(Reply(status=404, error={"message": f"no route {req.path}"}))
        try:
            request = json.loads(req.body)
            assert isinstance(request, dict)
        except (ValueError, AssertionError):
            return _error_response(Reply(status=400, error={"message": "body is not a JSON object"}))

        with self._script_lock:
            scripted = self._script.popleft() if self._script else None
        reply = scripted if scripted is not None else self.responder(request)
        if isinstance(reply, str):
            reply = Reply(content=reply)

        # Sleep in this request's own thread so concurrent requests overlap.
        if self.latency_s > 0:
            time.sleep(self.latency_s)
        if reply.status != 200:
            return _error_response(reply)
        if request.get("stream"):
            return _error_response(Reply(status=400, error={"message": "the fake does not stream"}))
        return _json(200, self._completion(request, reply), reply.headers)

    def _completion(self, request: dict[str, Any], reply: Reply) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake-model"),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": None if reply.refusal else reply.content,
                            "refusal": reply.refusal,
                            **({"reasoning_content": reply.reasoning_content} if reply.reasoning_content else {})},
                "finish_reason": reply.finish_reason,
            }],
            "usage": self._usage(request, reply),
        }

    @staticmethod
    def _usage(request: dict[str, Any], reply: Reply) -> dict[str, int]:
        prompt = _estimate_tokens(_prompt_text(request))
        completion = _estimate_tokens(reply.content)
        return {"prompt_tokens": prompt, "completion_tokens": completion,
                "total_tokens": prompt + completion}


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(payload).encode(), dict(headers or {}),
                    content_type="application/json")


def _error_response(reply: Reply) -> Response:
    error = {
        "message": f"fake error {reply.status}",
        "type": _ERROR_TYPES.get(reply.status, "server_error"),
        "param": None,
        "code": None,
        **(reply.error or {}),
    }
    return _json(reply.status, {"error": error}, reply.headers)
