"""The demo company: a realistic, deterministic French B2B services SME for `relance demo`."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_SEED", "DemoSummary", "build_demo", "demo_summary"]

DEFAULT_SEED = 2026  # the demo's seed: the same seed, the same company (the CLI's default)


def __getattr__(name: str) -> Any:
    """Loaded on first use: the CLI and the façade read DEFAULT_SEED without the catalog and
    the demo machinery."""
    if name in __all__:
        from assistant.demo import build

        return getattr(build, name)
    raise AttributeError(name)
