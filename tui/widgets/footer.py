"""Textual's footer, rebuilt once per change of the keys it shows.

Textual's `Footer` rebuilds itself (one widget per key: about twenty on the queue) each time
its screen says the bindings may have changed. While the app starts that happens about ten
times (mount, focus, the mode switch, the descriptions put in the interface language), and
those rebuilds were most of the queue's first paint. Here the requests made before the next
refresh become one rebuild, and a rebuild that would show the same keys is skipped: the
footer shows the same thing at the same moments, built once.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _rebuild_pending = False
    _shown: Hashable = None  # what the last build showed

    def _keys(self) -> Hashable:
        """Everything `Footer.compose` reads to build the keys."""
        app = self.app
        shown = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return shown, self.compact, self.show_command_palette

    def compose(self) -> ComposeResult:
        self._shown = self._keys() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if self.is_attached and self._keys() != self._shown:
            await self.recompose()
