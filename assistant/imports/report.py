"""What an import did (or would do, for a dry run): counts, ignored columns, FEC details."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.i18n import tr
from assistant.money import cents_to_str, display_money


@dataclass(frozen=True)
class UnallocatedCredit:
    """Credit on a customer account matched to no invoice (reported, never applied): FEC
    credits without lettering or reference, credit notes of an invoices file."""

    customer_id: str
    amount_cents: int
    lines: list[int]

    def as_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "amount": cents_to_str(self.amount_cents),
            "lines": self.lines,
        }


@dataclass
class ImportReport:
    kind: str  # invoices, customers, payments or fec
    file: str
    sha256: str
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    customers_added: int = 0
    customers_updated: int = 0
    invoices_paid: int = 0  # invoices that became paid through this import
    disputes_opened: int = 0
    header_line: int = 1  # > 1: title lines above the header were skipped
    total_lines: list[int] = field(default_factory=list)  # "Total" rows, skipped
    # invoices: credit notes (avoirs) read, and how many were applied to their invoice
    credit_notes: int = 0
    credits_applied: int = 0
    # invoices: open invoices of the store that the file does not list (settled since?)
    absent_open: list[str] = field(default_factory=list)
    # FEC only
    receivable_lines: int | None = None
    open_invoices: int | None = None
    open_cents: int | None = None
    # FEC and invoices: credits applied to no invoice
    unallocated: list[UnallocatedCredit] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "customers_added": self.customers_added,
            "customers_updated": self.customers_updated,
            "invoices_paid": self.invoices_paid,
            "disputes_opened": self.disputes_opened,
        }

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "file": self.file,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            **self.counts(),
            "ignored_columns": self.ignored_columns,
            "header_line": self.header_line,
            "total_lines": self.total_lines,
        }
        if self.kind == "invoices":
            data["credit_notes"] = self.credit_notes
            data["credits_applied"] = self.credits_applied
            data["absent_open_invoices"] = len(self.absent_open)
        if self.kind == "fec":
            data["receivable_lines"] = self.receivable_lines
            data["open_invoices"] = self.open_invoices
            data["open_amount"] = cents_to_str(self.open_cents or 0)
        if self.kind in ("fec", "invoices"):
            data["unallocated_credits"] = [u.as_json() for u in self.unallocated]
        return data

    def lines(self) -> list[str]:
        """The human report, French by default."""
        what = {
            "invoices": tr("factures", "invoices"),
            "customers": tr("clients", "customers"),
            "payments": tr("règlements", "payments"),
            "fec": tr("FEC", "FEC"),
        }[self.kind]
        out = [
            tr(
                "{f} ({what}) : {n} ligne(s) lue(s)",
                "{f} ({what}): {n} row(s) read",
                f=self.file,
                what=what,
                n=self.rows_read,
            ),
            tr(
                "  ajoutées : {a} · mises à jour : {u} · inchangées : {s} · rejetées : {r}",
                "  added: {a} · updated: {u} · unchanged: {s} · rejected: {r}",
                a=self.added,
                u=self.updated,
                s=self.unchanged,
                r=self.rejected,
            ),
        ]
        if self.customers_added or self.customers_updated:
            out.append(
                tr(
                    "  clients créés : {a} · clients complétés : {u}",
                    "  customers created: {a} · customers completed: {u}",
                    a=self.customers_added,
                    u=self.customers_updated,
                )
            )
        if self.invoices_paid:
            out.append(
                tr("  factures soldées : {n}", "  invoices now paid: {n}", n=self.invoices_paid)
            )
        if self.disputes_opened:
            out.append(
                tr("  litiges ouverts : {n}", "  disputes opened: {n}", n=self.disputes_opened)
            )
        if self.credit_notes:
            out.append(
                tr(
                    "  avoirs : {n} (jamais relancés) · imputés sur leur facture : {a}",
                    "  credit notes: {n} (never reminded) · applied to their invoice: {a}",
                    n=self.credit_notes,
                    a=self.credits_applied,
                )
            )
        if self.kind == "fec":
            out.append(
                tr(
                    "  lignes clients (411) : {n} · factures ouvertes : {o} · encours : {t}",
                    "  customer lines (411): {n} · open invoices: {o} · outstanding: {t}",
                    n=self.receivable_lines,
                    o=self.open_invoices,
                    t=display_money(self.open_cents or 0),
                )
            )
        for credit in self.unallocated:
            out.append(
                tr(
                    "  crédit non affecté (non appliqué, à lettrer) : client {c} : {a}"
                    " (lignes {l})",
                    "  unallocated credit (not applied, to be lettered): customer {c}: {a}"
                    " (lines {l})",
                    c=credit.customer_id,
                    a=display_money(credit.amount_cents),
                    l=", ".join(map(str, credit.lines)),
                )
            )
        if self.absent_open:
            shown = ", ".join(self.absent_open[:5]) + (" ..." if len(self.absent_open) > 5 else "")
            out.append(
                tr(
                    "  factures ouvertes en base absentes de ce fichier : {n} ({s}) ; si c'est"
                    " l'export complet des impayés, elles sont sans doute réglées : importez"
                    " les règlements",
                    "  open invoices in the database absent from this file: {n} ({s}); if it is"
                    " the full export of unpaid invoices, they are probably settled: import the"
                    " payments",
                    n=len(self.absent_open),
                    s=shown,
                )
            )
        if self.header_line > 1:
            out.append(
                tr(
                    "  en-tête trouvé ligne {n} (lignes de titre au-dessus ignorées)",
                    "  header found on line {n} (title lines above it ignored)",
                    n=self.header_line,
                )
            )
        if self.total_lines:
            out.append(
                tr(
                    "  lignes de total ignorées : {l}",
                    "  total lines ignored: {l}",
                    l=", ".join(map(str, self.total_lines)),
                )
            )
        if self.ignored_columns:
            out.append(
                tr(
                    "  colonnes ignorées : {c}",
                    "  ignored columns: {c}",
                    c=", ".join(self.ignored_columns),
                )
            )
        if self.dry_run:
            out.append(
                tr(
                    "  simulation (--dry-run) : rien n'a été enregistré",
                    "  dry run (--dry-run): nothing was saved",
                )
            )
        return out
