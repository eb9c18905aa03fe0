"""Words for matches, shared by the CLI and the TUI (statuses, one match with its evidence)."""

from __future__ import annotations

from assistant.bank.accounts import display_iban
from assistant.bank.evidence import describe
from assistant.i18n import tr
from assistant.money import display_money
from assistant.storage.bank_repo import MatchView

_STATUS = {
    "proposed": ("à confirmer", "to confirm"),
    "applied": ("appliqué", "applied"),
    "rejected": ("rejeté", "rejected"),
    "unmatched": ("sans facture", "no invoice"),
    "reversed": ("retourné", "reversed"),
}


def match_status_label(status: str) -> str:
    pair = _STATUS.get(status)
    return tr(*pair) if pair else status


def invoices_text(view: MatchView) -> str:
    best = view.shown
    return ", ".join(n for n, _ in best.allocations) if best and best.allocations else "—"


def match_lines(view: MatchView, names: dict[str, str]) -> list[str]:
    """The match, the credit it comes from, and every candidate with its evidence."""
    out = [
        tr("Encaissement {i} — {s}", "Receipt {i} — {s}", i=view.id,
           s=match_status_label(view.status.value)),
        tr("  {d} · {a} · compte {c}", "  {d} · {a} · account {c}", d=view.bank_date.isoformat(),
           a=display_money(view.amount_cents, view.currency), c=display_iban(view.account)),
        tr("  payeur : {p}", "  payer: {p}", p=view.payer or "—")
        + (f" ({display_iban(view.payer_iban)})" if view.payer_iban else ""),
        tr("  libellé : {t}", "  remittance: {t}", t=view.remittance or view.label or "—"),
    ]  # fmt: skip
    if not view.candidates:
        out.append(tr("  aucune facture ne correspond : --apply --invoice N pour l'affecter",
                      "  no invoice fits: --apply --invoice N to assign it"))  # fmt: skip
    current = view.chosen if view.chosen is not None else 0
    for c in view.candidates:
        mark = "→" if c.rank == current else " "
        allocations = ", ".join(f"{n} {display_money(a, view.currency)}" for n, a in c.allocations)
        out.append(f" {mark} [{c.rank}] {names.get(c.customer_id, c.customer_id)} ·"
                   f" {allocations} · score {c.score}")  # fmt: skip
        out.extend(f"       - {describe(e)}" for e in c.evidence)
    if view.reason:
        out.append(tr("  motif : {r}", "  reason: {r}", r=view.reason))
    return out
