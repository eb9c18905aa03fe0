"""Search as people type: accents, case and punctuation ignored (`editions` finds
« Éditions La Ficelle »)."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: what a search compares."""
    nfkd = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in nfkd if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare).strip()


def matches(query: str, *texts: str) -> bool:
    """Every word of the query appears in one of the texts (folded)."""
    words = fold(query).split()
    hay = " ".join(fold(t) for t in texts)
    return all(w in hay for w in words)


def match_customers(names: dict[str, str], text: str) -> list[str]:
    """Customer ids for `text`: the id itself (any case), else one whose name is exactly the
    text, else every name holding all its words."""
    wanted = text.strip()
    by_id = {cid.casefold(): cid for cid in names}
    if wanted.casefold() in by_id:
        return [by_id[wanted.casefold()]]
    exact = [cid for cid, name in names.items() if fold(name) == fold(wanted)]
    if exact:
        return exact
    if not fold(wanted):
        return []
    return sorted(cid for cid, name in names.items() if matches(wanted, name))
