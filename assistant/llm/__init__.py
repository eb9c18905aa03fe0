"""LLM layer: tone policy, prompts, fact-locked rewrites with guardrails, call log, backends."""
