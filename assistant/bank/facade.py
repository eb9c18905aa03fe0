"""The bank part of the `Service` façade (a mixin, so the façade stays one class): statements,
matches, freshness of the payment data and its gate."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.roles import guarded

if TYPE_CHECKING:  # loaded lazily, by the methods that use them (start-up time)
    from assistant.bank.freshness import Freshness
    from assistant.bank.importer import BankImportReport
    from assistant.bank.policy import BankPolicy
    from assistant.config import Settings
    from assistant.daily import DailyReport
    from assistant.storage.bank_repo import MatchView
    from assistant.storage.db import Store


class StaleDataError(UserError):
    """A required payment source is too old: `draft` and `send` refuse (one line)."""

    def __init__(self, state: Freshness) -> None:
        super().__init__(state.message())
        self.state = state


class BankFeatures:
    store: Store
    actor: str
    home: Path
    settings: Settings

    def bank_policy(self) -> BankPolicy:
        from assistant.bank.policy import load_bank_policy

        return load_bank_policy(self.home)

    @guarded("import bank")
    def import_bank(
        self,
        path: Path,
        *,
        dry_run: bool = False,
        account: str | None = None,
        closing: date | None = None,
        match: bool = True,
    ) -> BankImportReport:
        """Import a bank statement (CAMT.053, CFONB 120, OFX, CSV); credits are matched."""
        from assistant.bank.importer import import_statement

        return import_statement(
            self.store, path, self.bank_policy(), actor=self.actor, dry_run=dry_run,
            account=account, closing=closing, match=match,
        )  # fmt: skip

    def matches(self, status: str | None = None) -> list[MatchView]:
        from assistant.bank.model import MatchStatus
        from assistant.storage import bank_repo

        try:
            wanted = MatchStatus(status) if status else None
        except ValueError:
            raise UserError(
                tr("statut inconnu : {s} ({all})", "unknown status: {s} ({all})", s=status,
                   all=", ".join(s.value for s in MatchStatus))
            ) from None  # fmt: skip
        return bank_repo.list_matches(self.store, wanted)

    def match(self, match_id: int) -> MatchView:
        from assistant.bank import decisions

        return decisions.get(self.store, match_id)

    @guarded("match")
    def apply_match(
        self, match_id: int, invoices: list[str] | None = None, on: date | None = None
    ) -> MatchView:
        """A person applies the proposal (or the credit to the invoices given, in order)."""
        from assistant.bank import decisions

        view = self.match(match_id)
        with self.store.transaction():
            rank = (
                0
                if not invoices
                else decisions.choose_invoices(self.store, view, invoices, self.actor)
            )
            decisions.apply(
                self.store, self.match(match_id), rank, actor=self.actor,
                on=on or self.store.today(),
            )  # fmt: skip
        return self.match(match_id)

    @guarded("match")
    def reject_match(
        self, match_id: int, reason: str | None = None, on: date | None = None
    ) -> MatchView:
        from assistant.bank import decisions

        view = self.match(match_id)
        with self.store.transaction():
            decisions.reject(self.store, view, reason, actor=self.actor,
                             on=on or self.store.today())  # fmt: skip
        return self.match(match_id)

    @guarded("match")
    def undo_match(self, match_id: int, on: date | None = None) -> MatchView:
        from assistant.bank import decisions

        view = self.match(match_id)
        with self.store.transaction():
            decisions.undo(self.store, view, actor=self.actor, on=on or self.store.today())
        return self.match(match_id)

    # -- freshness ------------------------------------------------------------------------
    def freshness(self, as_of: date) -> Freshness:
        """Each payment source, the date its data reaches, its age; stale or not."""
        from assistant.bank.freshness import assess

        return assess(self.store, self.bank_policy().freshness, as_of)

    def check_fresh(self, command: str, as_of: date, accept_stale: str | None = None) -> None:
        """Refuse (StaleDataError) when a required source is stale, unless a person accepts it
        for this run with a reason (recorded as an event)."""
        state = self.freshness(as_of)
        if not state.stale:
            return
        if accept_stale is None:
            raise StaleDataError(state)
        if not accept_stale.strip():
            raise UserError(tr("--accept-stale demande --reason", "--accept-stale needs --reason"))
        with self.store.transaction():
            self.store.record_event(
                "freshness.overridden",
                actor=self.actor,
                on_date=as_of,
                data={
                    "command": command,
                    "reason": accept_stale.strip(),
                    "stale": [s.as_json() for s in state.sources if s.stale],
                    "message": state.message(),
                },
            )

    # -- the daily routine --------------------------------------------------------------------
    @property
    def watch_folder(self) -> Path:
        """Where `relance daily` looks for exports and statements (RELANCE_WATCH_DIR)."""
        return self.settings.watch_dir or self.home / "a-importer"

    @guarded("daily")
    def daily(
        self,
        as_of: date,
        *,
        folder: Path | None = None,
        offline: bool = False,
        accept_stale: str | None = None,
    ) -> DailyReport:
        """Import the watched folder, fetch replies, draft, and say what awaits a person."""
        from assistant.daily import run_daily

        return run_daily(
            self,  # type: ignore[arg-type]
            folder or self.watch_folder,
            as_of,
            offline=offline,
            accept_stale=accept_stale,
        )

    def mail_summary(self, to: str, subject: str, text: str) -> None:
        """E-mail a summary to a person (the accountant), through the configured transport."""
        from email.message import EmailMessage

        from assistant.company import load_company
        from assistant.delivery.setup import email_transport

        sender = self.settings.sender or load_company(self.home).email
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, to, subject
        msg["X-Relance-Draft"] = f"daily-{self.store.today().isoformat()}"
        msg.set_content(text)
        transport = email_transport(self.settings, self.home)
        try:
            transport.send(msg)
        except Exception as exc:  # transports raise their own kinds; one line for the user
            raise UserError(tr("résumé non envoyé : {e}", "summary not sent: {e}", e=exc)) from None
        finally:
            transport.close()
