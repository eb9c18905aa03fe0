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
from textual.binding import Binding, BindingsMap
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
    ours = _ours()
    for cls in _classes(DOMNode):
        merged = cls.__dict__.get("_merged_bindings")
        if _mine(cls) and isinstance(merged, BindingsMap):
            _relabel_map(merged, ours)
    # the app, every screen of every mode (shown or not), installed screens already built
    nodes: list[DOMNode] = [app]
    nodes += [s for s in app._installed_screens.values() if isinstance(s, DOMNode)]
    for stack in app._screen_stacks.values():
        nodes += stack
    seen: set[int] = set()
    for node in nodes:
        for each in (node, *node.walk_children(with_self=False)):
            if id(each) not in seen and _mine(type(each)):
                seen.add(id(each))
                _relabel_map(each._bindings, ours)
    for screen in {id(s): s for s in app._screen_stacks.get(app.current_mode, [])}.values():
        screen.refresh_bindings()


def _ours() -> set[tuple[str, str]]:
    """(action, French description) of the bindings our classes declare with `words`: only
    those change (an inherited Textual binding that happens to read "Select" keeps its words)."""
    found: set[tuple[str, str]] = set()
    for cls in _classes(DOMNode):
        if not _mine(cls):
            continue
        for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            if b.description in _PAIRS:
                found.add((b.action, _PAIRS[b.description][0]))
    return found


def _relabel_map(bindings: BindingsMap, ours: set[tuple[str, str]]) -> None:
    for key, found in bindings.key_to_bindings.items():
        bindings.key_to_bindings[key] = [_relabelled(b, ours) for b in found]


def _relabelled(binding: Binding, ours: set[tuple[str, str]]) -> Binding:
    pair = _PAIRS.get(binding.description)
    if pair is None or (binding.action, pair[0]) not in ours:
        return binding
    return dataclasses.replace(binding, description=tr(*pair))


def _mine(cls: type) -> bool:
    """A class of this UI (Textual's own widgets keep their own words)."""
    return cls.__module__.startswith("tui.")


def _classes(root: type) -> Iterator[type]:
    for sub in root.__subclasses__():
        yield sub
        yield from _classes(sub)
