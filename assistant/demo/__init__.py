"""The demo company: a realistic, deterministic French B2B services SME for `relance demo`."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_SEED", "DemoSummary", "build_demo", "demo_summary"]


def __getattr__(name: str) -> Any:
    """Loaded on first use, so that `from assistant.demo.catalog import …` (the CLI's default
    seed) does not build the whole demo machinery at start."""
    if name in __all__:
        from assistant.demo import build

        return getattr(build, name)
    raise AttributeError(name)
