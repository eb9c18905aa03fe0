"""The manager's policy editor: list, read, validate, save (keeping every version).

A file is validated exactly as the tool will load it (pydantic model for YAML, sandboxed
Jinja render with sample facts for templates); an invalid text is refused with the reason
and nothing is written. Each save keeps the previous version in `policies/.versions/`; on
PostgreSQL the files are rows of the database (`assistant.policy_source`, docs/policies-db.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from jinja2 import TemplateSyntaxError, meta
from pydantic import BaseModel

from assistant.bank.policy import BankPolicy
from assistant.briefs.options import PaymentPlanPolicy
from assistant.company import Company
from assistant.drafting.facts import CONTEXT_VARS, FACT_VARS, TEMPLATE_VARS
from assistant.drafting.templates import HTML_CONTEXT, TemplateStore
from assistant.errors import PolicyError
from assistant.i18n import tr
from assistant.llm.tone import TonePolicy
from assistant.paths import bundled_dir
from assistant.policy_source import VERSIONS, DbSource, FileSource, OwnPolicy, source_for
from assistant.policy_verdict import CHECK_CACHE as CHECK_CACHE  # where the verdict is kept
from assistant.policy_verdict import remember, remembered
from assistant.policyfile import parse_policy_text
from assistant.replies.policy import RepliesPolicy
from assistant.rules.policy import ScenarioPolicy
from assistant.statutory.rates import RateTables, StatutoryPolicy

MODELS: dict[str, type[BaseModel]] = {
    "scenario.yaml": ScenarioPolicy,
    "tone.yaml": TonePolicy,
    "company.yaml": Company,
    "payment_plans.yaml": PaymentPlanPolicy,
    "replies.yaml": RepliesPolicy,
    "bank.yaml": BankPolicy,
}
# what `relance policy import` also accepts (files the editor does not list)
IMPORTABLE: dict[str, type[BaseModel]] = MODELS | {
    "statutory.yaml": StatutoryPolicy,
    "statutory_rates.yaml": RateTables,
}


def list_policies(home: Path) -> list[str]:
    """Editable files, relative to `policies/` (shipped ones and the manager's own, from the
    home's folder or the team's database)."""
    names = set(MODELS)
    root = bundled_dir("policies")
    if (root / "templates").is_dir():
        names |= {
            str(p.relative_to(root)) for p in (root / "templates").rglob("*.j2") if p.is_file()
        }
    source = source_for(home)
    if source is not None:
        names |= {n for n in source.own_all("templates/") if n.endswith(".j2")}
    return sorted(names, key=lambda n: (n.startswith("templates/"), n))


def _check_name(relative: str, models: Mapping[str, type[BaseModel]] = MODELS) -> None:
    if relative not in models and not (
        relative.startswith("templates/") and relative.endswith(".j2") and ".." not in relative
    ):
        raise PolicyError(tr("fichier inconnu : {f}", "unknown file: {f}", f=relative))


def policy_file(home: Path, relative: str) -> OwnPolicy:
    """The file in effect: the source's own (with its version on the database), else the
    shipped one (version 0 on the database: no row yet)."""
    _check_name(relative, IMPORTABLE)
    source = source_for(home)
    own = source.own(relative) if source is not None else None
    if own is not None:
        return own
    text = (bundled_dir("policies") / relative).read_text(encoding="utf-8")
    return OwnPolicy(relative, text, 0 if isinstance(source, DbSource) else None)


def read_policy(home: Path, relative: str) -> str:
    _check_name(relative)
    return policy_file(home, relative).text


def _own_variables(name: str | None) -> tuple[str, ...] | None:
    """The variables of a template with its own set (a formal notice), else None."""
    stem = (name or "").rsplit("/", 1)[-1].split(".", 1)[0]
    return TEMPLATE_VARS.get(stem)


def sample_context(name: str | None = None) -> dict[str, object]:
    own = _own_variables(name)
    if own is not None:
        return {var: f"<{var}>" for var in own}
    values: dict[str, object] = {var: f"<{var}>" for var in FACT_VARS}
    return values | {
        "several": True,
        "step": "reminder_1",
        "segment": "standard",
        "language": "fr",
        "has_credit": True,
        "reminded_before": True,
        "notified_before": True,
    }


def validate_policy(
    home: Path, relative: str, text: str, others: Mapping[str, str] | None = None
) -> None:
    """Raise PolicyError (`file: field: what is wrong`) unless the text would load. `others`:
    templates saved with it (an import), which it may include or extend."""
    _check_name(relative, IMPORTABLE)
    if relative in IMPORTABLE:
        parse_policy_text(text, IMPORTABLE[relative], relative)
        return
    name = relative.removeprefix("templates/")
    overrides = {
        n.removeprefix("templates/"): t
        for n, t in (others or {}).items()
        if n.startswith("templates/")
    }
    store = TemplateStore(home, overrides=overrides | {name: text})
    check_variables(store, name, text)
    store.render(name, sample_context(name))
    html_context = {"subject": "<subject>", "company_name": "<company>", "language": "fr"}
    store.render_html(name, "<body>", html_context)


def template_variables(name: str | None = None) -> list[str]:
    """Every variable a template may use: the facts, the context, and (html block) the text;
    a template with its own set (a formal notice) uses that set."""
    own = _own_variables(name)
    if own is not None:
        return sorted(own)
    return sorted({*FACT_VARS, *CONTEXT_VARS, *HTML_CONTEXT, "body_html"})


def check_variables(store: TemplateStore, name: str, text: str) -> None:
    """Refuse a template naming a variable it will never get (in any branch, not only the
    ones a sample render goes through)."""
    try:
        used = meta.find_undeclared_variables(store.env.parse(text, name))
    except TemplateSyntaxError as exc:
        raise PolicyError(
            f"templates/{name}: {tr('ligne', 'line')} {exc.lineno}: {exc.message}"
        ) from exc
    allowed = template_variables(name)
    unknown = sorted(used - set(allowed))
    if unknown:
        raise PolicyError(
            tr(
                "templates/{n} : variable(s) inconnue(s) : {u} (variables possibles : {a})",
                "templates/{n}: unknown variable(s): {u} (variables you may use: {a})",
                n=name,
                u=", ".join(unknown),
                a=", ".join(allowed),
            )
        )


def policy_problems(home: Path) -> list[str]:
    """Every problem of the policy files in effect, validated as the editor validates them
    (one validation everywhere): `file: field: what is wrong`, one per file at most."""
    problems = []
    for relative in list_policies(home):
        try:
            validate_policy(home, relative, read_policy(home, relative))
        except PolicyError as exc:
            problems.append(str(exc))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{relative}: {tr('illisible', 'unreadable')}: {exc}")
    return problems


def checked_policy_problems(home: Path, version: str) -> list[str]:
    """`policy_problems`, remembered in the home per policy version, code and language
    (`assistant.policy_verdict`): validating every file compiles every template (about a
    second), which a command that reads one customer must not pay each time."""
    found = remembered(home, version)
    if found is None:
        found = policy_problems(home)
        remember(home, version, found)
    return found


def save_policy(
    home: Path,
    relative: str,
    text: str,
    now: datetime,
    *,
    seen: int | None = None,
    actor: str = "user",
) -> int | None:
    """Validate, then write through the home's source: a file (the previous one kept in
    `policies/.versions/`), or a database row (compare-and-set on `seen`, the version read;
    `StalePolicy` if another desk saved since). Returns the new version (None for a file)."""
    validate_policy(home, relative, text)
    source = source_for(home) or FileSource(home)
    return source.write({relative: text}, {relative: seen}, actor, now)[relative]


def policy_versions(home: Path, relative: str) -> list[Path]:
    folder = home / "policies" / VERSIONS
    prefix = relative.replace("/", "__") + "."
    return sorted(p for p in folder.glob(prefix + "*")) if folder.is_dir() else []


def fact_changes(relative: str, old_text: str, new_text: str) -> list[dict[str, str]]:
    """What a saved `company.yaml` changes in the facts every message carries, in words
    (an IBAN change above all: it says where customers send money)."""
    if relative != "company.yaml":
        return []
    try:
        old = parse_policy_text(old_text, Company, relative)
    except PolicyError:
        return []
    new = parse_policy_text(new_text, Company, relative)
    labels = {
        "iban": ("IBAN", "IBAN"),
        "name": ("raison sociale", "company name"),
        "payment_link": ("lien de paiement", "payment link"),
        "email": ("e-mail", "e-mail"),
        "phone": ("téléphone", "phone"),
    }
    out = []
    for key, (fr, en) in labels.items():
        before, after = getattr(old, key), getattr(new, key)
        if before != after:
            out.append(
                {
                    "field": key,
                    "from": before,
                    "to": after,
                    "text": tr(
                        "{f} modifié : {a} → {b}",
                        "{f} changed: {a} → {b}",
                        f=tr(fr, en),
                        a=before or "—",
                        b=after or "—",
                    ),
                }
            )
    return out
