"""Load a YAML policy file into a pydantic model; errors read `file: field.path: what is wrong`.

The manager's copy in `<home>/policies/` wins over the shipped one. Every policy loader uses this,
so all policy errors look the same and a bad file is refused before anything uses it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import PolicyError
from assistant.i18n import tr
from assistant.paths import resource_path

M = TypeVar("M", bound=BaseModel)


def policy_path(home: Path | None, relative: str) -> Path:
    return resource_path(home, "policies", relative)


def format_validation_error(path: Path | str, error: ValidationError) -> str:
    """One line per problem: `file: field.path: message`."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or tr("(racine)", "(root)")
        lines.append(f"{path}: {where}: {item['msg']}")
    return "\n".join(lines)


def parse_policy_text(text: str, model: type[M], source: Path | str) -> M:
    """Validate YAML text (e.g. an edit not yet saved) into `model`, or raise PolicyError."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{tr('ligne', 'line')} {mark.line + 1}" if mark else "yaml"
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(f"{source}: {where}: {problem}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(
            tr("{src}: (racine): un dictionnaire YAML est attendu",
               "{src}: (root): a YAML mapping is expected", src=source)
        )  # fmt: skip
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(format_validation_error(source, exc)) from exc


def load_policy(home: Path | None, relative: str, model: type[M]) -> M:
    """Load `<home>/policies/<relative>` if present, else the shipped file."""
    path = policy_path(home, relative)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: {tr('illisible', 'unreadable')}: {exc}") from exc
    return parse_policy_text(text, model, path)


def content_hash(paths: list[Path]) -> str:
    """Short sha256 over file names and contents: the policy version a draft was made under."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]
