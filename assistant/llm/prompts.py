"""Prompt templates (prompts/*.j2; `<home>/prompts/` overrides) rendered in a Jinja sandbox.

Only tokens and non-identifying context reach a prompt. Values (a template's locked text, the
violations, untrusted customer notes) are passed as variables, never compiled as templates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined

from assistant.drafting.sandbox import LimitedSandbox, template_failure
from assistant.errors import PolicyError
from assistant.paths import bundled_dir


class PromptStore:
    def __init__(self, home: Path | None) -> None:
        search = []
        if home is not None and (home / "prompts").is_dir():
            search.append(str(home / "prompts"))
        search.append(str(bundled_dir("prompts")))
        # A store serves one operation (a batch of rewrites, a brief): each prompt file is read
        # once, not checked on disk again at every render (auto_reload).
        self.env = LimitedSandbox(
            loader=FileSystemLoader(search),
            undefined=StrictUndefined,
            autoescape=False,
            auto_reload=False,
        )

    def render(self, name: str, **values: Any) -> str:
        try:
            template = self.env.get_template(f"{name}.j2")
            with self.env.limited():
                return template.render(**values).strip()
        except Exception as exc:  # a broken prompt file: one line, whatever went wrong
            raise PolicyError(f"prompts/{name}.j2: {template_failure(exc)}") from exc
