"""The service façade: the one entry point used by the CLI and the TUI.

Domain logic lives in the modules it calls (imports, rules, llm, delivery, stats); this class
wires them to the store and the settings, and keeps every write inside a transaction.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.config import Settings
from assistant.demo.build import DEFAULT_SEED, DemoSummary, build_demo, demo_summary
from assistant.demo.home import (
    HomeState,
    clear_demo_home,
    home_state,
    remove_database,
    write_marker,
)
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports import DEFAULT_TERMS_DAYS, ImportReport, import_fec, import_file
from assistant.paths import bundled_dir
from assistant.stats import PortfolioSummary, portfolio_summary
from assistant.storage.db import Clock, Store, open_store, utc_now


@dataclass(frozen=True)
class InitReport:
    home: Path
    database: Path
    policies_copied: list[str]


class Service:
    """Application façade over one home directory (database + editable policies)."""

    def __init__(self, settings: Settings, store: Store, *, actor: str = "user") -> None:
        self.settings = settings
        self.store = store
        self.actor = actor

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock = utc_now, actor: str = "user") -> Service:
        try:
            settings.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                tr("dossier inaccessible: {home} ({err})", "cannot use home: {home} ({err})",
                   home=settings.home, err=exc.strerror)
            ) from exc  # fmt: skip
        return cls(settings, open_store(settings.db_path, clock), actor=actor)

    @property
    def home(self) -> Path:
        return self.settings.home

    def close(self) -> None:
        self.store.close()

    # -- home -------------------------------------------------------------------------
    def init_home(self) -> InitReport:
        """Create the home, the database and editable copies of the shipped policies."""
        copied: list[str] = []
        source = bundled_dir("policies")
        target = self.home / "policies"
        for path in sorted(source.rglob("*")):
            if path.is_dir() or path.name.startswith((".", "_")):
                continue
            dest = target / path.relative_to(source)
            if dest.exists():
                continue  # never overwrite the manager's edits
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            copied.append(str(dest.relative_to(self.home)))
        with self.store.transaction():
            self.store.record_event("home.initialised", actor=self.actor, data={"copied": copied})
        return InitReport(self.home, self.settings.db_path, copied)

    # -- demo and portfolio summary -----------------------------------------------------
    @classmethod
    def demo(
        cls,
        settings: Settings,
        *,
        as_of: date | None = None,
        seed: int = DEFAULT_SEED,
        clock: Clock = utc_now,
    ) -> DemoHome:
        """Build a fresh demo in `settings.home`; refuse a home holding a non-demo database."""
        home = settings.home
        state = home_state(home)
        if state is HomeState.FOREIGN:
            raise UserError(
                tr("{db} existe et n'est pas une démo : refus de l'écraser. "
                   "Choisissez un autre dossier avec --home.",
                   "{db} exists and is not a demo: refusing to overwrite it. "
                   "Choose another directory with --home.", db=settings.db_path)
            )  # fmt: skip
        if state is HomeState.DEMO:
            clear_demo_home(home)
        service = cls.open(settings, clock=clock)
        try:
            summary = build_demo(service.store, as_of or service.store.today(), seed)
            write_marker(home, summary)
        except BaseException:
            service.close()
            remove_database(home)
            raise
        return DemoHome(service, summary, home, recreated=state is HomeState.DEMO)

    def demo_summary(self) -> DemoSummary:
        """The summary of the demo this home holds (UserError if it holds none)."""
        return demo_summary(self.store)

    def portfolio_summary(self, as_of: date) -> PortfolioSummary:
        """Open and overdue amounts, overdue by age bucket, disputes, pending promises."""
        return portfolio_summary(self.store, as_of)

    # -- imports ----------------------------------------------------------------------
    def import_file(self, kind: str, path: Path, *, dry_run: bool = False) -> ImportReport:
        """Import invoices, customers or payments from a CSV/XLSX file (all-or-nothing)."""
        return import_file(self.store, kind, path, actor=self.actor, dry_run=dry_run)

    def import_fec(
        self, path: Path, *, dry_run: bool = False, terms_days: int = DEFAULT_TERMS_DAYS
    ) -> ImportReport:
        """Customers and open receivables (accounts 411*) from a FEC file, using lettering."""
        return import_fec(
            self.store, path, actor=self.actor, dry_run=dry_run, terms_days=terms_days
        )


@dataclass
class DemoHome:
    """A freshly built demo: its open service (the caller closes it), summary and home."""

    service: Service
    summary: DemoSummary
    home: Path
    recreated: bool  # a previous demo in this home was replaced
