"""`relance import bank FILE`: store a statement all-or-nothing, match its credits, apply what is
certain, take back what a returned credit had paid.

Idempotent: a line is identified by the bank's own reference when it gives one (CAMT
`AcctSvcrRef`, OFX `FITID`, a CSV transaction id), else by a hash of its account, dates, amount,
texts and its rank among identical lines of the file; a file already imported adds nothing.
Debits are stored (for idempotency and reversals) but never matched. A dry run does the same
work and rolls it back.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from assistant.bank import decisions
from assistant.bank.accounts import display_iban
from assistant.bank.formats import parse_file
from assistant.bank.matching import Candidate, Credit, InvoiceIndex, Matcher
from assistant.bank.model import BankLine, MatchStatus, ParsedFile, Statement
from assistant.bank.names import ref_key
from assistant.bank.policy import BankPolicy
from assistant.i18n import tr
from assistant.money import cents_to_str, display_money
from assistant.storage import bank_repo
from assistant.storage.db import Store


@dataclass
class StatementSummary:
    account: str
    currency: str
    closing_date: date
    lines: int = 0
    added: int = 0
    credits: int = 0
    credit_cents: int = 0
    debits: int = 0
    debit_cents: int = 0
    already_imported: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "source": f"bank:{self.account}",
            "currency": self.currency,
            "closing_date": self.closing_date.isoformat(),
            "lines": self.lines,
            "added": self.added,
            "credits": self.credits,
            "credit_total": cents_to_str(self.credit_cents),
            "debits": self.debits,
            "debit_total": cents_to_str(self.debit_cents),
            "already_imported": self.already_imported,
        }


@dataclass
class BankImportReport:
    file: str
    sha256: str
    format: str
    dry_run: bool = False
    statements: list[StatementSummary] = field(default_factory=list)
    lines_read: int = 0
    added: int = 0
    unchanged: int = 0
    credits: int = 0
    applied: int = 0
    applied_cents: int = 0
    proposed: int = 0
    unmatched: int = 0
    reversals: int = 0
    reopened: list[str] = field(default_factory=list)
    match_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.lines_read,
            "added": self.added,
            "unchanged": self.unchanged,
            "credits": self.credits,
            "applied": self.applied,
            "proposed": self.proposed,
            "unmatched": self.unmatched,
            "reversals": self.reversals,
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "bank",
            "file": self.file,
            "sha256": self.sha256,
            "format": self.format,
            "dry_run": self.dry_run,
            **self.counts(),
            "applied_total": cents_to_str(self.applied_cents),
            "reopened_invoices": self.reopened,
            "match_ids": self.match_ids,
            "statements": [s.as_json() for s in self.statements],
        }

    def lines(self) -> list[str]:
        out = [
            tr(
                "{f} (relevé {fmt}) : {n} ligne(s) lue(s) · nouvelles : {a} · déjà importées : {u}",
                "{f} ({fmt} statement): {n} line(s) read · new: {a} · already imported: {u}",
                f=self.file, fmt=self.format, n=self.lines_read, a=self.added, u=self.unchanged,
            )
        ]  # fmt: skip
        for s in self.statements:
            out.append(
                tr(
                    "  compte {a} au {d} : {c} crédit(s) {ct} · {b} débit(s) {bt} (ignorés)",
                    "  account {a} as of {d}: {c} credit(s) {ct} · {b} debit(s) {bt} (ignored)",
                    a=display_iban(s.account), d=s.closing_date.isoformat(), c=s.credits,
                    ct=display_money(s.credit_cents, s.currency), b=s.debits,
                    bt=display_money(-s.debit_cents, s.currency),
                )
            )  # fmt: skip
        out.append(
            tr(
                "  encaissements : {ap} appliqué(s) ({t}) · {p} à confirmer · {u} sans facture",
                "  receipts: {ap} applied ({t}) · {p} to confirm · {u} without invoice",
                ap=self.applied, t=display_money(self.applied_cents), p=self.proposed,
                u=self.unmatched,
            )
        )  # fmt: skip
        if self.reversals:
            out.append(
                tr(
                    "  retours / rejets : {n} ; factures rouvertes : {i}",
                    "  returns / rejects: {n}; invoices reopened: {i}",
                    n=self.reversals, i=", ".join(self.reopened) or "-",
                )
            )  # fmt: skip
        if self.proposed or self.unmatched:
            out.append(
                tr(
                    "  à voir : relance matches --status proposed (ou l'écran Encaissements, F6)",
                    "  to review: relance matches --status proposed (or the Receipts screen, F6)",
                )
            )
        if self.dry_run:
            out.append(
                tr("  simulation (--dry-run) : rien n'a été enregistré",
                   "  dry run (--dry-run): nothing was saved")
            )  # fmt: skip
        return out


class _RollBack(Exception):
    pass


def line_keys(account: str, lines: list[BankLine]) -> list[str]:
    """The stable identity of each line (see the module docstring)."""
    seen: Counter[tuple] = Counter()
    keys = []
    for line in lines:
        if line.bank_ref:
            keys.append(f"{account}|ref|{line.bank_ref}")
            continue
        natural = (
            line.booking_date.isoformat(), line.value_date.isoformat() if line.value_date else "",
            line.amount_cents, line.currency, line.label, line.remittance, line.payer or "",
            line.payer_iban or "", line.end_to_end or "",
        )  # fmt: skip
        seen[natural] += 1
        digest = hashlib.sha256(repr((*natural, seen[natural])).encode()).hexdigest()[:32]
        keys.append(f"{account}|h|{digest}")
    return keys


class _Run:
    def __init__(self, store: Store, policy: BankPolicy, actor: str, match: bool) -> None:
        self.store = store
        self.policy = policy
        self.actor = actor
        self.match = match
        self._matcher: Matcher | None = None
        self.rows = bank_repo.MatchRows()  # written with each statement's lines
        self.next_id: int | None = None

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            index = InvoiceIndex(
                bank_repo.open_invoices(self.store),
                bank_repo.customer_names(self.store),
                bank_repo.known_ibans(self.store),
            )
            self._matcher = Matcher(index, self.policy.matching)
        return self._matcher

    def statement(
        self, parsed: ParsedFile, stmt: Statement, report: BankImportReport, *, seen: bool
    ) -> None:
        summary = StatementSummary(stmt.account, stmt.currency, stmt.closing_date, len(stmt.lines))
        report.statements.append(summary)
        report.lines_read += len(stmt.lines)
        if seen:  # this very file was imported before
            summary.already_imported = True
            report.unchanged += len(stmt.lines)
            return
        statement_id = bank_repo.insert_statement(
            self.store, stmt, parsed.format.value, parsed.name, parsed.sha256
        )
        keys = line_keys(stmt.account, stmt.lines)
        known = bank_repo.known_line_keys(self.store, keys)
        for key, line in zip(keys, stmt.lines, strict=True):
            if line.amount_cents > 0:
                summary.credits += 1
                summary.credit_cents += line.amount_cents
            else:
                summary.debits += 1
                summary.debit_cents += line.amount_cents
            if key in known:
                report.unchanged += 1
                continue
            known.add(key)
            line_id = bank_repo.insert_line(self.store, statement_id, stmt.account, key, line)
            summary.added += 1
            report.added += 1
            if line.amount_cents > 0 and not line.reversal:
                report.credits += 1
                self.credit(line_id, key, stmt.account, line, report)
            elif line.amount_cents < 0 and line.reversal:
                self.rows.write(self.store)  # the credit it reverses may be of this file
                self.reversal(line_id, key, stmt.account, line, report)
        self.rows.write(self.store)
        bank_repo.set_lines_added(self.store, statement_id, summary.added)

    def credit(
        self, line_id: int, key: str, account: str, line: BankLine, report: BankImportReport
    ) -> None:
        if not self.match:
            return
        credit = Credit(
            line.amount_cents, line.currency, line.booking_date,
            f"{line.remittance} {line.label}", line.payer, line.payer_iban,
        )  # fmt: skip
        proposal = self.matcher.propose(credit)
        status = MatchStatus.PROPOSED if proposal.candidates else MatchStatus.UNMATCHED
        if self.next_id is None:
            self.next_id = bank_repo.next_match_id(self.store)
        match_id, self.next_id = self.next_id, self.next_id + 1
        report.match_ids.append(match_id)
        if proposal.auto:
            paid = self.auto_apply(match_id, key, line, proposal.candidates[0])
            status = MatchStatus.APPLIED
            report.applied += 1
            report.applied_cents += sum(c for _, c in paid)
        elif status is MatchStatus.PROPOSED:
            report.proposed += 1
        else:
            report.unmatched += 1
        self.rows.add(self.store, match_id, line_id, status, proposal.candidates,
                      auto=proposal.auto, actor=self.actor, on=line.booking_date)  # fmt: skip

    def auto_apply(
        self, match_id: int, key: str, line: BankLine, best: Candidate
    ) -> list[tuple[str, int]]:
        """What `decisions.apply` does, in bulk: the index knows what each invoice owes."""
        index, bulk = self.matcher.index, self.rows.payments
        paid: list[tuple[str, int]] = []
        left = line.amount_cents
        for number, cents in best.allocations:
            inv = index.number(ref_key(number))
            assert inv is not None  # an allocation names an indexed invoice
            share = min(cents, inv.outstanding, left)
            if share <= 0:
                continue
            bulk.add(self.store, number=number, customer_id=inv.customer_id,
                     day=line.booking_date, cents=share,
                     key=bank_repo.payment_key(key, number), outstanding=inv.outstanding,
                     status=inv.status, actor=self.actor)  # fmt: skip
            index.pay(number, share)
            paid.append((number, share))
            left -= share
        if line.payer_iban:
            bank_repo.learn_iban(self.store, line.payer_iban, best.customer_id, f"match:{match_id}")
        bulk.event(
            self.store, "match.applied", self.actor, best.customer_id, None, line.booking_date,
            {"match_id": match_id, "rank": 0, "auto": True, "line_key": key,
             "amount_cents": line.amount_cents, "unallocated_cents": left,
             "allocations": [[n, c] for n, c in paid]},
        )  # fmt: skip
        return paid

    def reversal(
        self, line_id: int, key: str, account: str, line: BankLine, report: BankImportReport
    ) -> None:
        original = bank_repo.reversible_credit(
            self.store, account, -line.amount_cents, line.booking_date, line.end_to_end
        )
        if original is None:
            return
        bank_repo.mark_reversal(self.store, line_id, original["id"])
        view = decisions.get(self.store, original["match_id"])
        numbers = decisions.reverse(self.store, view, key, actor=self.actor, on=line.booking_date)
        if numbers:
            self._matcher = None  # invoices owe again: later lines see the new amounts
        report.reversals += 1
        report.reopened.extend(numbers)


def import_statement(
    store: Store,
    path: Path,
    policy: BankPolicy,
    *,
    actor: str = "user",
    dry_run: bool = False,
    account: str | None = None,
    closing: date | None = None,
    match: bool = True,
) -> BankImportReport:
    """Import a bank statement file (all-or-nothing). `match=False` only stores the lines
    (the benchmark's baseline)."""
    parsed = parse_file(Path(path), account=account, closing=closing)
    report = BankImportReport(parsed.name, parsed.sha256, parsed.format.value, dry_run)
    run = _Run(store, policy, actor, match)
    try:
        with store.transaction():
            seen = bank_repo.statement_seen(store, parsed.sha256)
            for stmt in parsed.statements:
                run.statement(parsed, stmt, report, seen=seen)
            store.record_event(
                "import.completed",
                actor=actor,
                data={
                    "kind": "bank",
                    "file": parsed.name,
                    "sha256": parsed.sha256,
                    "format": parsed.format.value,
                    "counts": report.counts(),
                    "statements": [
                        {"account": s.account, "closing_date": s.closing_date.isoformat()}
                        for s in report.statements
                    ],
                },
            )
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return report
