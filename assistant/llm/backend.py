"""Chat backends: any OpenAI-compatible server (openai SDK) or a langchain-core chat model.

The openai SDK does the transport work: timeouts, and retries with exponential backoff on
429, 5xx, timeouts and connection errors (honouring Retry-After). A failure after the retries
raises `BackendError`; callers fall back to the template, the batch goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import openai

if TYPE_CHECKING:
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
    """Chat completions over HTTP with the official SDK (OpenAI, Mistral, Ollama, vLLM...)."""

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
        # One HTTP client per batch (event loop); `aclose` ends it.
        if self._client is None:
            self._client = openai.AsyncOpenAI(**self._options)  # type: ignore[arg-type]
        return self._client

    async def complete(self, messages: list[Message]) -> Completion:
        extra = {"response_format": {"type": "json_object"}} if self.json_mode else {}
        try:
            resp = await self._get_client().chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=0.4,
                **extra,  # type: ignore[arg-type]
            )
        except openai.APITimeoutError as exc:
            raise BackendError("timeout") from exc
        except openai.APIStatusError as exc:
            raise BackendError(f"HTTP {exc.status_code}") from exc
        except openai.APIError as exc:
            raise BackendError(type(exc).__name__) from exc
        if not resp.choices:
            raise BackendError("empty response")
        usage = resp.usage
        return Completion(
            text=resp.choices[0].message.content or "",
            model=resp.model or self.model,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()


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
