"""`relance policy list|export|import` (docs/policies-db.md): the policy files in effect as a
folder of files, and a folder of files made the policy, on either store.

An import is validated exactly as the policy editor validates a save (YAML schema, sandboxed
render with sample facts, the template limits) and is all-or-nothing: one bad file refuses the
whole import with `file: problem` lines and nothing is written. Only files whose text differs
from the one in effect are written (through the home's folder on SQLite, or as database rows
on PostgreSQL), each with a `policy.saved` event naming the person.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import policy_edit
from assistant.errors import PolicyError, UserError
from assistant.i18n import tr
from assistant.paths import bundled_dir
from assistant.policy_source import VERSIONS, DbSource, FileSource, is_policy_name, source_for

if TYPE_CHECKING:
    from assistant.storage.db import Store


@dataclass
class PolicyImport:
    folder: Path
    files: list[str]  # every policy file of the folder
    changed: list[str]  # those whose text differs from the one in effect (written unless dry)
    dry_run: bool
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "files": self.files,
            "changed": self.changed,
            "dry_run": self.dry_run,
            "notes": self.notes,
        }


def effective_names(home: Path) -> list[str]:
    """Every policy file in effect: the shipped set and the source's own."""
    shipped = bundled_dir("policies")
    names = {p.relative_to(shipped).as_posix() for p in shipped.rglob("*") if p.is_file()}
    source = source_for(home)
    if source is not None:
        names |= set(source.own_all())
    return sorted(n for n in names if is_policy_name(n))


def listing(home: Path) -> list[dict[str, Any]]:
    """One entry per file in effect: `file`, `origin` (database | home | shipped), `version`
    and `updated_at`/`updated_by` (database rows), `sha256` (the first 12 hex digits)."""
    source = source_for(home)
    own = source.own_all() if source is not None else {}
    origin = "database" if isinstance(source, DbSource) else "home"
    out = []
    for name in effective_names(home):
        mine = own.get(name)
        text = mine.text if mine else (bundled_dir("policies") / name).read_text("utf-8")
        out.append(
            {
                "file": name,
                "origin": origin if mine else "shipped",
                "version": mine.version if mine else None,
                "updated_at": mine.updated_at if mine else None,
                "updated_by": mine.updated_by if mine else None,
                "sha256": hashlib.sha256(text.encode()).hexdigest()[:12],
            }
        )
    return out


def export(home: Path, folder: Path) -> list[str]:
    """Write every file in effect under `folder` (created; same names overwritten)."""
    source = source_for(home)
    own = source.own_all() if source is not None else {}
    names = effective_names(home)
    try:
        for name in names:
            mine = own.get(name)
            text = mine.text if mine else (bundled_dir("policies") / name).read_text("utf-8")
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
    except OSError as exc:
        raise UserError(
            tr(
                "{d} : écriture impossible ({e})",
                "{d}: cannot write ({e})",
                d=folder,
                e=exc.strerror or exc,
            )
        ) from exc
    return names


def read_folder(folder: Path) -> tuple[dict[str, str], list[str]]:
    """The folder's files by name relative to it (hidden ones and `.versions/` skipped) and
    the problems met reading them (`file: problem`)."""
    if not folder.is_dir():
        raise UserError(tr("dossier introuvable : {d}", "no such folder: {d}", d=folder))
    texts: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or any(p.startswith(".") for p in relative.split("/")):
            continue
        if relative.startswith(VERSIONS):
            continue
        try:
            texts[relative] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{relative}: {tr('illisible', 'unreadable')}: {exc}")
    return texts, problems


def check_folder(home: Path, texts: dict[str, str]) -> list[str]:
    """Every file validated as the editor validates a save; templates of the folder may use
    one another. One `file: problem` line per bad file."""
    problems = []
    for relative, text in texts.items():
        try:
            policy_edit.validate_policy(home, relative, text, others=texts)
        except PolicyError as exc:
            problems.append(_named(relative, str(exc)))
    return problems


def _named(relative: str, problem: str) -> str:
    """Each line of a problem as `file: problem`, the file named as in the folder (the
    validators name templates with or without `templates/`, French puts a space before `:`)."""
    out = []
    for line in problem.splitlines() or [problem]:
        rest = line
        for prefix in (relative, relative.removeprefix("templates/")):
            if line.startswith(prefix):
                rest = line[len(prefix) :]
                rest = rest[2:] if rest.startswith(" :") else rest.removeprefix(":")
                break
        out.append(f"{relative}: {rest.strip()}")
    return "\n".join(out)


def import_folder(
    home: Path,
    store: Store,
    actor: str,
    policy_version: Callable[[], str],
    folder: Path,
    *,
    dry_run: bool = False,
) -> PolicyImport:
    texts, problems = read_folder(folder)
    if not texts and not problems:
        raise UserError(
            tr(
                "{d} : aucun fichier de politique à importer",
                "{d}: no policy file to import",
                d=folder,
            )
        )
    problems += check_folder(home, texts)
    if problems:
        raise UserError(
            tr(
                "import refusé, rien n'a été modifié :\n{p}",
                "import refused, nothing was changed:\n{p}",
                p="\n".join(problems),
            )
        )
    source = source_for(home) or FileSource(home)
    current = {name: policy_edit.policy_file(home, name) for name in texts}
    changed = [n for n, t in texts.items() if current[n].text != t]
    report = PolicyImport(folder, sorted(texts), changed, dry_run)
    if dry_run or not changed:
        return report
    before = policy_version()
    seen = {n: current[n].version for n in changed}  # what was read: another desk's save wins
    with store.transaction():
        versions = source.write({n: texts[n] for n in changed}, seen, actor, store.clock())
        after = policy_version()
        for name in changed:
            store.record_event(
                "policy.saved",
                actor=actor,
                data={
                    "file": name,
                    "from_version": before,
                    "to_version": after,
                    "file_version": versions.get(name),
                    "via": "import",
                    "folder": str(folder),
                },
            )
    return report
