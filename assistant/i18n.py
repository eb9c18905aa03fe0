"""User-facing text: French first, English available (RELANCE_LANG=en or --lang en).

Product strings are written inline as `tr("texte français", "English text")`, so each module
keeps its own wording next to its code and both languages are always present.

The language is process-wide (one person per process): UI worker threads and asyncio tasks
see the same language as the command that started them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

Lang = Literal["fr", "en"]

_current: list[Lang] = ["en" if os.environ.get("RELANCE_LANG", "fr") == "en" else "fr"]
# `using(lang)`: this thread/task renders in another language for a moment (reasons.render)
_override: ContextVar[Lang | None] = ContextVar("relance_lang_override", default=None)


def set_language(lang: str) -> None:
    _current[0] = "en" if lang == "en" else "fr"


def language() -> Lang:
    return _override.get() or _current[0]


@contextmanager
def using(lang: str) -> Iterator[None]:
    """`tr` (in this thread or task only) answers in `lang` inside the block."""
    token = _override.set("en" if lang == "en" else "fr")
    try:
        yield
    finally:
        _override.reset(token)


def tr(fr: str, en: str, /, **values: object) -> str:
    """Pick the text for the current language and format it with `values`."""
    text = en if (_override.get() or _current[0]) == "en" else fr
    return text.format(**values) if values else text


def tr_in(lang: str, fr: str, en: str, /, **values: object) -> str:
    """`tr` in a given language (e.g. a customer's), whatever the process language."""
    text = en if lang == "en" else fr
    return text.format(**values) if values else text


def ui_locale() -> str:
    """The number and date formats (babel locale) of the user's language."""
    return "en_GB" if language() == "en" else "fr_FR"
