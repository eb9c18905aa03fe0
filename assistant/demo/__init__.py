"""The demo company: a realistic, deterministic French B2B services SME for `relance demo`."""

from assistant.demo.build import DEFAULT_SEED, DemoSummary, build_demo, demo_summary

__all__ = ["DEFAULT_SEED", "DemoSummary", "build_demo", "demo_summary"]
