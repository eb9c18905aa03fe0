"""What an import did (or would do, for a dry run): counts, ignored columns, FEC details."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.i18n import tr
from assistant.money import cents_to_str, display_money
from assistant.reasons import Reason, render

_LISTED = 10  # items of a list shown in the text report (the JSON has them all)


def _shown(items: list[str]) -> str:
    return ", ".join(items[:5]) + (" ..." if len(items) > 5 else "")


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
    # what a person should know (issue 12): `file:line: what` warnings, repaired names, how
    # invoices were numbered, collective accounts, payments another source already gave,
    # invoices a newer source shows paid (kept paid), customers held after the import
    warnings: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    numbering: str | None = None
    collective: dict[str, str] = field(default_factory=dict)
    split_lines: int = 0
    already_known: list[str] = field(default_factory=list)
    kept_paid: list[str] = field(default_factory=list)
    held: list[tuple[str, str, Reason]] = field(default_factory=list)  # (customer, code, reason)
    # invoices: rows merged into their invoice (line items), invoices skipped by status
    merged_rows: int = 0
    skipped_status: dict[str, list[str]] = field(default_factory=dict)  # status -> numbers
    totals_by_currency: dict[str, str] = field(default_factory=dict)  # open amount per currency
    touched: set[str] = field(default_factory=set)  # customers the file is about

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
            data["open_by_currency"] = self.totals_by_currency
        if self.kind == "invoices":
            data["merged_rows"] = self.merged_rows
            data["skipped_by_status"] = self.skipped_status
        data["warnings"] = self.warnings
        data["repairs"] = self.repairs
        data["numbering"] = self.numbering
        data["collective_accounts"] = [
            {"customer_id": c, "reason": r} for c, r in sorted(self.collective.items())
        ]
        data["split_lines"] = self.split_lines
        data["already_known"] = self.already_known
        data["kept_paid"] = self.kept_paid
        data["held_customers"] = [
            {"customer_id": c, "code": code, "reason": render(why)} for c, code, why in self.held
        ]
        return data

    def _issue12_lines(self) -> list[str]:
        """Warnings, repairs, numbering, collective accounts, sources, held customers."""
        out: list[str] = []
        if self.numbering:
            out.append("  " + self.numbering)
        if len(self.totals_by_currency) > 1:
            shown = " + ".join(f"{v} {c}" for c, v in self.totals_by_currency.items())
            out.append(tr("  encours par devise : {s}", "  outstanding by currency: {s}", s=shown))
        if self.merged_rows:
            out.append(
                tr(
                    "  lignes d'articles regroupées dans leur facture : {n}",
                    "  line-item rows merged into their invoice: {n}",
                    n=self.merged_rows,
                )
            )
        words = {"draft": tr("brouillon", "draft"), "cancelled": tr("annulée", "cancelled")}
        for status, numbers in sorted(self.skipped_status.items()):
            out.append(
                tr(
                    "  factures « {s} » non enregistrées comme créances : {n} ({l})",
                    "  '{s}' invoices not stored as receivables: {n} ({l})",
                    s=words.get(status, status),
                    n=len(numbers),
                    l=_shown(numbers),
                )
            )
        for cid, why in sorted(self.collective.items()):
            out.append(
                tr(
                    "  compte collectif {c} ({w}) : signalé, jamais relancé ; à répartir"
                    " (--split-collective) ou à lettrer",
                    "  collective account {c} ({w}): flagged, never reminded; to split"
                    " (--split-collective) or letter",
                    c=cid,
                    w=why,
                )
            )
        if self.split_lines:
            out.append(
                tr(
                    "  lignes de comptes collectifs réparties par tiers : {n}",
                    "  collective-account lines split by third party: {n}",
                    n=self.split_lines,
                )
            )
        for cid, _code, why in self.held:
            out.append(
                tr(
                    "  client {c} en attente : {w}",
                    "  customer {c} held: {w}",
                    c=cid,
                    w=render(why),
                )
            )
        for title_fr, title_en, items in (
            ("déjà connu d'une autre source", "already known from another source",
             self.already_known),
            ("gardé payé (une source plus récente le montre réglé)",
             "kept paid (a newer source shows it paid)", self.kept_paid),
            ("réparations", "repairs", self.repairs),
            ("avertissements", "warnings", self.warnings),
        ):  # fmt: skip
            if not items:
                continue
            out.append(tr("  {t} : {n}", "  {t}: {n}", t=tr(title_fr, title_en), n=len(items)))
            out.extend(f"    {item}" for item in items[:_LISTED])
            if len(items) > _LISTED:
                out.append(
                    tr(
                        "    ... et {n} autre(s) (--json pour tout voir)",
                        "    ... and {n} more (--json to see them all)",
                        n=len(items) - _LISTED,
                    )
                )
        return out

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
        out.extend(self._issue12_lines())
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
