"""Where a home's policy files come from (docs/policies-db.md): one abstraction, two kinds.

- `FileSource`: the home's `policies/` folder (SQLite, the single-user way, as always).
- `DbSource`: the `policy_files` table of the team's database (PostgreSQL): every desk reads
  and edits the same files; a save is a compare-and-set on the file's version.

Either way a file the source does not hold is the shipped default. Every reader (YAML policies,
templates, the editor, the policy version) asks `source_for(home)`: a PostgreSQL store attaches
itself to its home when a `Service` opens it (`attach`), so readers that only get the home find
the database. Nothing is cached across operations: the next operation of a desk sees what
another desk saved.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant.errors import UserError
from assistant.i18n import tr

if TYPE_CHECKING:
    from assistant.storage.db import Store

VERSIONS = ".versions"  # the file source keeps each replaced file there
POLICY_SUFFIXES = (".yaml", ".yml", ".j2")


@dataclass(frozen=True)
class OwnPolicy:
    """A file the source holds (edited): its text, and on the database its version."""

    path: str
    text: str
    version: int | None = None
    updated_at: str | None = None
    updated_by: str | None = None


def is_policy_name(relative: str) -> bool:
    name = Path(relative).name
    return not name.startswith((".", "_")) and Path(relative).suffix in POLICY_SUFFIXES


class PolicySource(Protocol):
    kind: str  # "files" | "database"

    def own(self, relative: str) -> OwnPolicy | None: ...

    def own_all(self, prefix: str = "") -> dict[str, OwnPolicy]: ...

    def label(self, relative: str) -> str: ...

    def write(
        self, texts: Mapping[str, str], seen: Mapping[str, int | None], actor: str, now: datetime
    ) -> dict[str, int | None]: ...


class StalePolicy(UserError):
    """The file changed since the person read it: nothing was written."""

    def __init__(self, relative: str, by: str | None, seen: int | None, now: int | None) -> None:
        super().__init__(
            tr(
                "{f} : modifié entre-temps par {who} (version {a} → {b}), rechargez-le ;"
                " rien n'a été enregistré",
                "{f}: changed meanwhile by {who} (version {a} → {b}), reload it; nothing was saved",
                f=relative,
                who=by or tr("quelqu'un", "someone"),
                a=seen if seen else "—",
                b=now if now is not None else "—",
            )
        )


class FileSource:
    """The home's `policies/` folder (SQLite): each save keeps the replaced file in
    `policies/.versions/`; no version, no compare-and-set (one person)."""

    kind = "files"

    def __init__(self, home: Path) -> None:
        self.root = home / "policies"

    def own(self, relative: str) -> OwnPolicy | None:
        path = self.root / relative
        if not path.is_file():
            return None
        return OwnPolicy(relative, path.read_text(encoding="utf-8"))

    def own_all(self, prefix: str = "") -> dict[str, OwnPolicy]:
        if not self.root.is_dir():
            return {}
        found = {}
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root).as_posix()
            if relative.startswith(VERSIONS) or not path.is_file():
                continue
            if relative.startswith(prefix) and is_policy_name(relative):
                found[relative] = OwnPolicy(relative, path.read_text(encoding="utf-8"))
        return found

    def path(self, relative: str) -> Path:
        return self.root / relative

    def label(self, relative: str) -> str:
        return str(self.root / relative)

    def write(
        self, texts: Mapping[str, str], seen: Mapping[str, int | None], actor: str, now: datetime
    ) -> dict[str, int | None]:
        for relative, text in texts.items():
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_file():
                keep = self.root / VERSIONS / f"{relative.replace('/', '__')}.{now:%Y%m%dT%H%M%S}"
                keep.parent.mkdir(parents=True, exist_ok=True)
                keep.write_bytes(target.read_bytes())
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
        return {relative: None for relative in texts}


class DbSource:
    """The `policy_files` table (PostgreSQL): the same files on every desk."""

    kind = "database"

    def __init__(self, store: Store) -> None:
        self.store = store

    def own(self, relative: str) -> OwnPolicy | None:
        from assistant.storage import policy_repo

        row = policy_repo.get(self.store, relative)
        return _own(row) if row else None

    def own_all(self, prefix: str = "") -> dict[str, OwnPolicy]:
        from assistant.storage import policy_repo

        return {p: _own(r) for p, r in policy_repo.all_rows(self.store, prefix).items()}

    def version(self, relative: str) -> int | None:
        from assistant.storage import policy_repo

        return policy_repo.version_of(self.store, relative)

    def label(self, relative: str) -> str:
        return relative

    def write(
        self, texts: Mapping[str, str], seen: Mapping[str, int | None], actor: str, now: datetime
    ) -> dict[str, int | None]:
        """Every file or none (one transaction): a file whose version is no longer the one
        read (`seen`) refuses the whole write with the line naming who saved it."""
        from assistant.storage import policy_repo

        done: dict[str, int | None] = {}
        with self.store.transaction():
            for relative, text in texts.items():
                expected = seen.get(relative)
                version = policy_repo.put(self.store, relative, text, expected, actor)
                if version is None:
                    row = policy_repo.get(self.store, relative)
                    raise StalePolicy(
                        relative,
                        row.updated_by if row else None,
                        expected,
                        row.version if row else None,
                    )
                done[relative] = version
        return done


def _own(row: object) -> OwnPolicy:
    return OwnPolicy(
        row.path,  # type: ignore[attr-defined]
        row.text,  # type: ignore[attr-defined]
        row.version,  # type: ignore[attr-defined]
        row.updated_at,  # type: ignore[attr-defined]
        row.updated_by,  # type: ignore[attr-defined]
    )


# home -> the open database stores of that home (the last one serves): see `attach`
_ATTACHED: dict[Path, list[Store]] = {}
_LOCK = threading.Lock()


def _key(home: Path) -> Path:
    return Path(os.path.abspath(home))


def attach(home: Path, store: Store) -> None:
    """Policies of `home` now come from `store`'s database (a PostgreSQL store)."""
    with _LOCK:
        _ATTACHED.setdefault(_key(home), []).append(store)


def detach(home: Path, store: Store) -> None:
    with _LOCK:
        stores = _ATTACHED.get(_key(home), [])
        if store in stores:
            stores.remove(store)
        if not stores:
            _ATTACHED.pop(_key(home), None)


def source_for(home: Path | None) -> PolicySource | None:
    """The home's policy source; None (no home): only the shipped defaults."""
    if home is None:
        return None
    with _LOCK:
        stores = _ATTACHED.get(_key(home))
        store = stores[-1] if stores else None
    return DbSource(store) if store is not None else FileSource(home)


def store_source(store: Store, home: Path) -> PolicySource:
    """The source a store implies: the database on PostgreSQL, the home's folder on SQLite."""
    return DbSource(store) if store.kind != "sqlite" else FileSource(home)
