"""Binding descriptions that follow the interface language at run time.

Textual copies a class's `BINDINGS` once, when the class is created (import time), into
`_merged_bindings`, and each node copies those when it is built. A description written with
`words("Ouvrir", "Open")` is remembered with both its texts, so `relabel(app)` can give every
binding (the classes' copies, for nodes built later, and each live node's) the text of the
language now in force, then ask the screens to refresh their footers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from textual.app import App
from textual.binding import BindingsMap
from textual.dom import DOMNode

from assistant.i18n import tr

# either text of a description -> (français, English)
_PAIRS: dict[str, tuple[str, str]] = {}


def words(fr: str, en: str, /) -> str:
    """`tr(fr, en)` for a binding's description, remembered to be translated again later."""
    _PAIRS[fr] = _PAIRS[en] = (fr, en)
    return tr(fr, en)


def relabel(app: App[object]) -> None:
    """Every binding description in the current language; the footers show them at once."""
    for cls in _classes(DOMNode):
        merged = cls.__dict__.get("_merged_bindings")
        if isinstance(merged, BindingsMap):
            _relabel_map(merged)
    # the app, every screen of every mode (shown or not), installed screens already built
    nodes: list[DOMNode] = [app]
    nodes += [s for s in app._installed_screens.values() if isinstance(s, DOMNode)]
    for stack in app._screen_stacks.values():
        nodes += stack
    seen: set[int] = set()
    for node in nodes:
        for each in (node, *node.walk_children(with_self=False)):
            if id(each) not in seen:
                seen.add(id(each))
                _relabel_map(each._bindings)
    for screen in {id(s): s for s in app._screen_stacks.get(app.current_mode, [])}.values():
        screen.refresh_bindings()


def _relabel_map(bindings: BindingsMap) -> None:
    for key, found in bindings.key_to_bindings.items():
        bindings.key_to_bindings[key] = [_relabelled(b) for b in found]


def _relabelled(binding):  # type: ignore[no-untyped-def]
    pair = _PAIRS.get(binding.description)
    if pair is None:
        return binding
    return dataclasses.replace(binding, description=tr(*pair))


def _classes(root: type) -> Iterator[type]:
    for sub in root.__subclasses__():
        yield sub
        yield from _classes(sub)
