"""Chat backends: any OpenAI-compatible server (openai SDK) or a langchain-core chat model.

The openai SDK does the transport work: timeouts, and retries with exponential backoff on
429, 5xx, timeouts and connection errors (honouring Retry-After). A failure after the retries
raises `BackendError`; callers fall back to the template, the batch goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the SDKs load only when a model is used: the CLI starts fast
    import openai
    from langchain_core.language_models import BaseChatModel

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class BackendError(Exception):
    """The provider could not answer (after retries): outage, timeout, refused request."""


class ChatBackend(Protocol):
    model: str

    async def complete(self, messages: list[Message]) -> Completion: ...


class OpenAIBackend:
    """Chat completions over HTTP with the official SDK (OpenAI, Mistral, Ollama, vLLM...).

    The request goes through the SDK's generic `post` (its documented way to call an endpoint
    with a plain body): same retries, timeouts and errors, without re-walking our plain-string
    messages through the SDK's typed-parameter transform, which cost ~2 ms of event-loop time
    per call (benchmarks/draft_bench.py).
    """

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 3,
        json_mode: bool = True,
    ) -> None:
        import openai  # here, not at module level: the CLI starts without the SDK

        self._sdk = openai
        self.model = model
        self.json_mode = json_mode
        self._options = {
            "api_key": api_key,
            "base_url": base_url,
            "timeout": timeout_s,
            "max_retries": max_retries,
        }
        self._client: openai.AsyncOpenAI | None = None

    def _get_client(self) -> openai.AsyncOpenAI:
        # One HTTP client per batch (event loop), made inside it; `aclose` ends it.
        if self._client is None:
            self._client = self._sdk.AsyncOpenAI(
                **self._options,  # type: ignore[arg-type]
                http_client=_aiohttp_client(self._sdk),
            )
        return self._client

    async def complete(self, messages: list[Message]) -> Completion:
        sdk = self._sdk
        body: dict[str, object] = {"model": self.model, "messages": messages, "temperature": 0.4}
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        try:
            text = await self._get_client().post("/chat/completions", body=body, cast_to=str)
            data = json.loads(text)
        except sdk.APITimeoutError as exc:
            raise BackendError("timeout") from exc
        except sdk.APIStatusError as exc:
            raise BackendError(f"HTTP {exc.status_code}") from exc
        except sdk.APIError as exc:
            raise BackendError(type(exc).__name__) from exc
        except ValueError as exc:  # not JSON at all
            raise BackendError("invalid response") from exc
        try:
            choice = data["choices"][0]["message"]
            usage = data.get("usage") or {}
            return Completion(
                text=choice.get("content") or "",
                model=data.get("model") or self.model,
                prompt_tokens=usage.get("prompt_tokens"),
                completion_tokens=usage.get("completion_tokens"),
            )
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise BackendError("empty response") from exc

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()


def _aiohttp_client(sdk: Any) -> Any:
    """The SDK's aiohttp transport (the `openai[aiohttp]` extra): same requests, retries,
    timeouts and errors as its default httpx transport, for about 1 ms less event-loop time
    per request (benchmarks/draft_bench.py). None (the default transport) without aiohttp."""
    make = getattr(sdk, "DefaultAioHttpClient", None)
    if make is None:
        return None
    try:
        return make()
    except RuntimeError:  # the extra is not installed
        return None


class LangChainBackend:
    """Any langchain-core chat model (the fake models of unit tests, or a user's own)."""

    def __init__(self, chat_model: BaseChatModel, model: str = "langchain") -> None:
        self.chat_model = chat_model
        self.model = model

    async def complete(self, messages: list[Message]) -> Completion:
        pairs = [(m["role"].replace("assistant", "ai"), m["content"]) for m in messages]
        try:
            result = await self.chat_model.ainvoke(pairs)
        except Exception as exc:  # a third-party model may raise anything: contain it
            raise BackendError(f"{type(exc).__name__}: {exc}") from exc
        usage = getattr(result, "usage_metadata", None) or {}
        return Completion(
            text=str(result.content),
            model=self.model,
            prompt_tokens=usage.get("input_tokens"),
            completion_tokens=usage.get("output_tokens"),
        )
