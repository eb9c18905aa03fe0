"""Load a YAML policy file into a pydantic model; errors read `file: field.path: what is wrong`.

The manager's copy in `<home>/policies/` wins over the shipped one. Every policy loader uses this,
so all policy errors look the same and a bad file is refused before anything uses it.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ValidationError

from assistant.errors import PolicyError
from assistant.i18n import tr
from assistant.money import parse_amount
from assistant.paths import bundled_dir, resource_path

M = TypeVar("M", bound=BaseModel)


def _money(value: object) -> int:
    """Policy money is text in euros ("10000", "10 000,00"), never a float."""
    if isinstance(value, float):
        raise ValueError('write amounts as text, e.g. "10000" (no float)')
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("amount expected")
    return parse_amount(value)


def _decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise ValueError('write the number as text, e.g. "12.15" (no float)')
    try:
        return Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation as exc:
        raise ValueError("number expected") from exc


MoneyCents = Annotated[int, BeforeValidator(_money)]
ExactDecimal = Annotated[Decimal, BeforeValidator(_decimal)]


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
            tr(
                "{src}: (racine): un dictionnaire YAML est attendu",
                "{src}: (root): a YAML mapping is expected",
                src=source,
            )
        )
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


def effective_policy_files(home: Path | None) -> dict[str, Path]:
    """Every policy file in effect by relative name: the shipped set, home copies winning."""
    shipped = bundled_dir("policies")
    names = {p.relative_to(shipped).as_posix() for p in shipped.rglob("*") if p.is_file()}
    if home is not None and (home / "policies").is_dir():
        mine = home / "policies"
        names |= {p.relative_to(mine).as_posix() for p in mine.rglob("*") if p.is_file()}
    return {
        name: policy_path(home, name)
        for name in sorted(names)
        if not Path(name).name.startswith((".", "_"))
        and Path(name).suffix in (".yaml", ".yml", ".j2")
    }


def policy_version(home: Path | None) -> str:
    """Content hash of the policies and templates in effect (recorded on every draft)."""
    digest = hashlib.sha256()
    for name, path in effective_policy_files(home).items():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
