"""Text that may reach an e-mail header, a terminal or a one-line field: no line breaks, no
control characters, no invisible direction overrides.

`one_line` normalises (headers are built from it after every substitution); `control_in` finds
what a check must refuse. Line breaks are not only CR and LF: VT, FF, NEL (U+0085) and the
Unicode line and paragraph separators (U+2028, U+2029) end a line too for `str.splitlines`.
"""

from __future__ import annotations

import functools
import unicodedata

# Invisible characters that reorder or hide text (a subject that reads differently than it is).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@functools.cache
def _removal(chars: str) -> dict[int, None]:
    return dict.fromkeys(map(ord, chars))


def _bad(char: str) -> bool:
    if char in _BIDI or char in _LINE_BREAKS:
        return True
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def one_line(text: str) -> str:
    """`text` on one line: line breaks and control characters become spaces, bidirectional
    overrides go, runs of white space collapse."""
    if text.isprintable():  # the common case: nothing to do but collapse spaces
        return " ".join(text.split())
    cleaned = "".join("" if c in _BIDI else " " if _bad(c) else c for c in text)
    return " ".join(cleaned.split())


def control_in(text: str, *, allow: str = "") -> str | None:
    """The first line break or control character of `text` not in `allow` (e.g. "\\n\\t" for a
    body), as `U+000B`; None when the text is clean."""
    if text.isprintable() or (allow and text.translate(_removal(allow)).isprintable()):
        return None  # every character _bad flags is unprintable: the common case is quick
    for char in text:
        if char not in allow and _bad(char):
            return f"U+{ord(char):04X}"
    return None
