"""User-facing text: French first, English available (RELANCE_LANG=en or --lang en).

Product strings are written inline as `tr("texte français", "English text")`, so each module
keeps its own wording next to its code and both languages are always present.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Literal

Lang = Literal["fr", "en"]

_current: ContextVar[Lang] = ContextVar(
    "relance_lang", default="en" if os.environ.get("RELANCE_LANG", "fr") == "en" else "fr"
)


def set_language(lang: str) -> None:
    _current.set("en" if lang == "en" else "fr")


def language() -> Lang:
    return _current.get()


def tr(fr: str, en: str, /, **values: object) -> str:
    """Pick the text for the current language and format it with `values`."""
    text = en if _current.get() == "en" else fr
    return text.format(**values) if values else text
