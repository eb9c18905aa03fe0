"""Load a YAML policy file into a pydantic model; errors read `file: field.path: what is wrong`.

The manager's copy (in `<home>/policies/`, or on PostgreSQL in the database: docs/policies-db.md)
wins over the shipped one. Every policy loader uses this,
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
from assistant.policy_source import DbSource, is_policy_name, source_for

M = TypeVar("M", bound=BaseModel)


def _money(value: object) -> int:
    """Policy money is text in euros ("10000", "10 000,00"), never a float."""
    if isinstance(value, float):
        raise ValueError(
            tr(
                'montant à écrire comme du texte, ex. "10000" (pas de nombre à virgule)',
                'write amounts as text, e.g. "10000" (no float)',
            )
        )
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(tr("montant attendu", "amount expected"))
    return parse_amount(value)


def _decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise ValueError(
            tr(
                'nombre à écrire comme du texte, ex. "12.15"',
                'write the number as text, e.g. "12.15" (no float)',
            )
        )
    try:
        return Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation as exc:
        raise ValueError(tr("nombre attendu", "number expected")) from exc


MoneyCents = Annotated[int, BeforeValidator(_money)]
ExactDecimal = Annotated[Decimal, BeforeValidator(_decimal)]


def policy_path(home: Path | None, relative: str) -> Path:
    return resource_path(home, "policies", relative)


# YAML problems in words; `context` says the line to name is where the construct started
# (a missing `:` is found on the next line, an unclosed `[` at the end of the list).
_YAML_PROBLEMS: tuple[tuple[str, tuple[str, str], bool], ...] = (
    ("cannot start any token", ("tabulation ou caractère interdit : indentez avec des espaces",
                                "tab or forbidden character: indent with spaces"), False),
    ("mapping values are not allowed", ("« : » inattendu (indentation, ou texte à mettre entre"
                                        " guillemets ?)", "unexpected ':' (indentation, or text"
                                        " to quote?)"), False),
    ("could not find expected ':'", ("« : » manquant après le nom du champ",
                                     "missing ':' after the field name"), True),
    ("expected ',' or ']'", ("liste entre [ ] mal fermée", "list in [ ] not closed"), True),
    ("expected ',' or '}'", ("dictionnaire entre { } mal fermé", "mapping in { } not closed"),
     True),
    ("expected <block end>", ("indentation incohérente (ou guillemet non fermé)",
                              "inconsistent indentation (or an unclosed quote)"), False),
    ("unexpected end of stream", ("fin de fichier inattendue : guillemet non fermé ?",
                                  "unexpected end of file: unclosed quote?"), True),
)  # fmt: skip


def yaml_problem(exc: yaml.YAMLError, source: Path | str) -> str:
    """`file: ligne N : what is wrong`, in the interface's language, at the line to fix."""
    problem = str(getattr(exc, "problem", None) or exc)
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    words = problem
    for needle, (fr, en), at_context in _YAML_PROBLEMS:
        if needle in problem:
            words = tr(fr, en)
            if at_context and context is not None:
                mark = context
            elif context is not None and mark is not None and context.line < mark.line:
                words += tr(" ; bloc commencé ligne {n}", "; block started on line {n}",
                            n=context.line + 1)  # fmt: skip
            break
    where = f"{tr('ligne', 'line')} {mark.line + 1}" if mark else "yaml"
    return f"{source}: {where}: {words}"


def _french(item: dict) -> str:  # type: ignore[type-arg]
    """A pydantic error in the interface's language (the types are stable; the messages not)."""
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", item["msg"]))
    texts: dict[str, tuple[str, str]] = {
        "extra_forbidden": ("champ inconnu (faute de frappe ?)", "unknown field (a typo?)"),
        "missing": ("champ obligatoire manquant", "required field missing"),
        "literal_error": ("valeur attendue : {expected}", "expected value: {expected}"),
        "int_parsing": ("nombre entier attendu", "whole number expected"),
        "int_type": ("nombre entier attendu", "whole number expected"),
        "int_from_float": ("nombre entier attendu", "whole number expected"),
        "bool_parsing": ("true ou false attendu", "true or false expected"),
        "bool_type": ("true ou false attendu", "true or false expected"),
        "string_type": ("texte attendu", "text expected"),
        "list_type": ("liste attendue", "list expected"),
        "tuple_type": ("liste attendue", "list expected"),
        "dict_type": ("dictionnaire attendu", "mapping expected"),
        "model_type": ("dictionnaire attendu", "mapping expected"),
        "model_attributes_type": ("dictionnaire attendu", "mapping expected"),
        "float_parsing": ("nombre attendu", "number expected"),
        "float_type": ("nombre attendu", "number expected"),
        "greater_than_equal": ("doit être ≥ {ge}", "must be ≥ {ge}"),
        "less_than_equal": ("doit être ≤ {le}", "must be ≤ {le}"),
        "greater_than": ("doit être > {gt}", "must be > {gt}"),
        "less_than": ("doit être < {lt}", "must be < {lt}"),
        "too_short": ("au moins {min_length} élément(s)", "at least {min_length} item(s)"),
        "too_long": ("au plus {max_length} élément(s)", "at most {max_length} item(s)"),
        "string_too_short": ("au moins {min_length} caractère(s)",
                             "at least {min_length} character(s)"),
        "string_too_long": ("au plus {max_length} caractère(s)",
                            "at most {max_length} character(s)"),
        "string_pattern_mismatch": ("format attendu : {pattern}", "expected format: {pattern}"),
    }  # fmt: skip
    pair = texts.get(kind)
    if pair is None:
        return str(item["msg"])
    values = {k: str(v) for k, v in ctx.items()}
    if "expected" in values:  # "'a', 'b' or 'c'"
        values["expected"] = values["expected"].replace(" or ", tr(" ou ", " or "))
    try:
        return tr(*pair, **values)
    except (KeyError, IndexError):
        return str(item["msg"])


def format_validation_error(path: Path | str, error: ValidationError) -> str:
    """One line per problem: `file: field.path: message` (French first)."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or tr("(racine)", "(root)")
        lines.append(f"{path}: {where}: {_french(dict(item))}")
    return "\n".join(lines)


# The last valid text of each immutable (frozen) policy model and what it parsed to: one
# operation reads the scenario several times (plan, brief, call), it is parsed once.
_PARSED: dict[type[BaseModel], tuple[str, BaseModel]] = {}


def parse_policy_text(text: str, model: type[M], source: Path | str) -> M:
    """Validate YAML text (e.g. an edit not yet saved) into `model`, or raise PolicyError.
    A frozen model parsed from the same text as last time is that same (immutable) value."""
    frozen = bool(model.model_config.get("frozen"))
    if frozen and (last := _PARSED.get(model)) is not None and last[0] == text:
        return last[1]  # type: ignore[return-value]
    parsed = _parse(text, model, source)
    if frozen:
        _PARSED[model] = (text, parsed)
    return parsed


def _parse(text: str, model: type[M], source: Path | str) -> M:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(yaml_problem(exc, source)) from exc
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


def policy_text(home: Path | None, relative: str) -> tuple[str, str]:
    """The text in effect of `<policies>/<relative>` and how errors name it: the home's
    source (its folder, or the team's database: `assistant.policy_source`) if it holds the
    file, else the shipped file."""
    source = source_for(home)
    label = source.label(relative) if source is not None else relative
    try:
        own = source.own(relative) if source is not None else None
        if own is not None:
            return own.text, label
        path = bundled_dir("policies") / relative
        label = str(path)
        return path.read_text(encoding="utf-8"), label
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{label}: {tr('illisible', 'unreadable')}: {exc}") from exc


def load_policy(home: Path | None, relative: str, model: type[M]) -> M:
    """Load the home's `<relative>` policy (its file, or its database row), else the shipped
    file."""
    text, label = policy_text(home, relative)
    return parse_policy_text(text, model, label)


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
    """Content hash of the policies and templates in effect (recorded on every draft); the
    same files give the same hash from the home's folder or from the database."""
    digest = hashlib.sha256()
    source = source_for(home)
    if not isinstance(source, DbSource):
        for name, path in effective_policy_files(home).items():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()[:12]
    shipped = bundled_dir("policies")
    own = {name: p.text for name, p in source.own_all().items() if is_policy_name(name)}
    names = {p.relative_to(shipped).as_posix() for p in shipped.rglob("*") if p.is_file()}
    for name in sorted({n for n in names if is_policy_name(n)} | set(own)):
        data = own[name].encode() if name in own else (shipped / name).read_bytes()
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()[:12]
