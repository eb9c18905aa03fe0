"""Rich renderings shared by CLI commands (plans, drafts, briefs...). Readable at 80 columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from assistant.grid import Column, draw
from assistant.i18n import language, tr
from assistant.labels import channel_label, draft_label, source_label, status_label, step_label
from assistant.reasons import Reason, render
from assistant.storage.drafts_lifecycle import DraftStatus

if TYPE_CHECKING:  # types only: the CLI starts without the planner and the queue
    from assistant.drafting.queue import DraftView
    from assistant.rules import Plan


def console(*, stderr: bool = False) -> Console:
    """The CLI's console: data (names, notes, model text) is never read as Rich markup, so a
    customer named `[/]` or `[link=…]` prints as written."""
    return Console(highlight=False, markup=False, stderr=stderr)


def render_plan(plan: Plan, *, explain: bool = False) -> Group:
    parts: list[Text | Table] = []
    for w in plan.warnings:
        parts.append(Text(f"⚠ {w.customer_id} {render(w.reason)}\n", style="bold yellow"))
    humans = sum(1 for a in plan.actions if a.requires_human)
    if not plan.actions:
        parts.append(Text(tr("Rien à faire le {d}.", "Nothing to do on {d}.", d=plan.as_of)))
    else:
        parts.append(
            Text(
                tr(
                    "Plan au {d} : {n} action(s), dont {h} pour une personne",
                    "Plan for {d}: {n} action(s), {h} for a person",
                    d=plan.as_of,
                    n=len(plan.actions),
                    h=humans,
                ),
                style="bold",
            )
        )
        for a in plan.actions:
            line = Text("\n")
            line.append(f"{a.customer_id:<8}", style="bold")
            line.append(
                f" {step_label(a.step):<13}", style="magenta" if a.requires_human else "cyan"
            )
            channel = channel_label(a.channel) + (" + SMS" if a.also_sms else "")
            line.append(f" {channel:<14}")
            line.append(
                tr(" personne", " person") if a.requires_human else tr(" brouillon", " draft")
            )
            if a.scheduled_for != plan.as_of:
                line.append(tr(" le {d}", " on {d}", d=a.scheduled_for))
            if a.amount_cents:
                line.append(f"  {_money(a.amount_cents, a.currency)}")
            line.append(f"\n         {', '.join(a.invoices)}")
            line.append(f"\n         {render(a.reason)}", style="dim")
            parts.append(line)
    if explain and plan.skipped:
        table = Table(title=tr("Écartés", "Skipped"), title_justify="left")
        table.add_column(tr("Client", "Customer"), no_wrap=True)
        table.add_column(tr("Facture", "Invoice"), no_wrap=True)
        table.add_column(tr("Pourquoi", "Why"))
        for s in plan.skipped:
            table.add_row(s.customer_id, s.invoice_number or "—", render(s.reason))
        parts.append(Text(""))
        parts.append(table)
    elif plan.skipped:
        parts.append(
            Text(
                tr(
                    "\n{n} élément(s) écarté(s) : --explain pour le détail.",
                    "\n{n} item(s) skipped: --explain for details.",
                    n=len(plan.skipped),
                ),
                style="dim",
            )
        )
    return Group(*parts)


def _money(cents: int, currency: str) -> str:
    from assistant.money import format_money

    return format_money(cents, currency, "fr_FR" if language() == "fr" else "en_GB")


def render_drafts(items: list[DraftView], width: int = 80) -> Group | Text:
    """The drafts as a table `width` cells wide at most (drawn by `grid`: a queue is long)."""
    if not items:
        return Text(tr("Aucun brouillon.", "No draft."))
    columns = (
        Column("#", right=True, min_width=3),
        Column(tr("Client", "Customer"), min_width=20, max_width=24, shrink=True),
        Column(tr("Étape", "Step"), min_width=16, shrink=True),
        Column(tr("Statut", "Status"), min_width=8),
        Column("Src", min_width=6),
        Column(tr("Montant", "Amount"), right=True, min_width=12),
    )
    rows = [
        (
            str(d.id),
            d.customer_name,
            draft_label(d.step, d.channel),
            status_label(d.status),
            source_label(d.source) + (" ⚠" if d.violations else ""),
            _money(d.total_cents, d.currency),
        )
        for d in items
    ]
    title = tr("{n} brouillon(s)", "{n} draft(s)", n=len(items))
    return Group(draw(title, columns, rows, width), *_delivery_notes(items))


def _delivery_notes(items: list[DraftView]) -> list[Text]:
    """What a person must act on after `send`: failures (the server's words), sends to retry,
    interrupted sends."""
    out: list[Text] = []
    for d in items:
        if d.status == DraftStatus.FAILED:
            out.append(
                Text(tr("  #{i} échec : {e}", "  #{i} failed: {e}", i=d.id, e=render(d.error)))
            )
            out[-1].stylize("red")
        elif d.status == DraftStatus.APPROVED and d.error:
            out.append(
                Text(
                    tr(
                        "  #{i} à réessayer : {e}",
                        "  #{i} to retry: {e}",
                        i=d.id,
                        e=render(d.error),
                    )
                )
            )
            out[-1].stylize("yellow")
        elif d.status == DraftStatus.SENDING:
            out.append(
                Text(
                    tr(
                        "  #{i} envoi interrompu : relance stuck {i} --sent|--not-sent",
                        "  #{i} interrupted send: relance stuck {i} --sent|--not-sent",
                        i=d.id,
                    )
                )
            )
            out[-1].stylize("yellow")
    return out


def who_line(by: dict[str, str]) -> str:
    """ "Modifié par X · approuvé par Y · envoyé par Z" (docs/roles.md)."""
    words = {
        "edit": tr("modifié par {n}", "edited by {n}"),
        "approve": tr("approuvé par {n}", "approved by {n}"),
        "reject": tr("rejeté par {n}", "rejected by {n}"),
        "send": tr("envoyé par {n}", "sent by {n}"),
    }
    return " · ".join(words[k].format(n=n) for k, n in by.items() if k in words)


def render_draft(d: DraftView) -> Group:
    head = Text()
    head.append(tr("Brouillon {i}", "Draft {i}", i=d.id), style="bold")
    head.append(
        f"  {d.customer_name} ({d.customer_id})  {step_label(d.step)}"
        f"  {channel_label(d.channel)}  {status_label(d.status)}\n"
    )
    head.append(tr("À : ", "To: ") + (d.recipient or tr("(manquant)", "(missing)")))
    if d.cc:
        head.append(tr("   Cc : ", "   Cc: ") + ", ".join(d.cc))
    head.append("\n" + tr("Factures : ", "Invoices: ") + ", ".join(d.invoices))
    head.append(f"  ({_money(d.total_cents, d.currency)})")
    if d.attachments:  # None in lists; [] for a draft without any
        head.append("\n" + tr("Pièces jointes : ", "Attachments: "))
        for i, item in enumerate(d.attachments):
            head.append(", " if i else "")
            head.append(item.label(), style="red" if item.problem else "")
    head.append("\n" + tr("Source : ", "Source: ") + source_label(d.source))
    head.append(tr("   Politique : ", "   Policy: ") + d.policy_version)
    if d.edited:
        head.append(tr("   (modifié à la main)", "   (edited by hand)"))
    if d.by:
        head.append("\n" + who_line(d.by))
    head.append("\n" + render(d.reason), style="dim")
    parts: list[Text] = [head]
    if d.subject:
        parts.append(Text("\n" + tr("Objet : ", "Subject: ") + d.subject, style="bold"))
    parts.append(Text("\n" + d.body))
    if d.checks:
        v = Text("\n" + tr("Contrôles non passés :", "Failed checks:") + "\n", style="bold red")
        for item in d.checks:
            v.append(f"  - {item}\n", style="red")
        if d.override_reason:
            v.append(tr("  Approuvé malgré tout : {r}\n", "  Approved anyway: {r}\n",
                        r=d.override_reason), style="yellow")  # fmt: skip
        parts.append(v)
    else:
        parts.append(Text("\n" + tr("✓ contrôles passés", "✓ checks passed"), style="green"))
    if d.violations:
        v = Text(
            "\n"
            + tr(
                "Réécriture du LLM refusée, texte du modèle conservé :",
                "LLM rewrite refused, template text kept:",
            )
            + "\n",
            style="dim",
        )
        for item in d.violations:
            v.append(f"  - {item}\n", style="dim")
        parts.append(v)
    if d.reject_reason:
        parts.append(Text("\n" + tr("Rejeté : ", "Rejected: ") + d.reject_reason, style="yellow"))
    if d.error:
        parts.append(Text("\n" + tr("Note : ", "Note: ") + render(d.error), style="yellow"))
    return Group(*parts)


def render_send_list(
    items: list[DraftView], set_aside: list[DraftView], reasons: dict[int, Reason] | None = None
) -> Group | Text:
    """Who receives what: customer, address, step, invoices, total; then what was set aside
    (held by the minimum gap, or cancelled) and why."""
    parts: list[Text | Table] = []
    for d in items:
        to = d.recipient or tr("(manquant)", "(missing)")
        if d.cc:
            to += " (cc " + ", ".join(d.cc) + ")"
        line = Text(f"  #{d.id} ")
        line.append(f"{d.customer_name} ({d.customer_id})", style="bold")
        line.append(f" → {to}\n      {draft_label(d.step, d.channel)} · {', '.join(d.invoices)}")
        line.append(f" · {_money(d.total_cents, d.currency)}")
        parts.append(line)
    for d in set_aside:
        line = Text(f"  #{d.id} {d.customer_name} · {draft_label(d.step, d.channel)} : ")
        why = render((reasons or {}).get(d.id) or d.error)
        line.append(status_label(d.status) + (f" — {why}" if why else ""), style="yellow")
        parts.append(line)
    return Group(*parts) if parts else Text("")


def schedule_lines(schedule: list[dict[str, str]]) -> list[str]:
    """An agreed payment plan, one instalment a line: `  1. 1 000,00 € le 8 décembre 2026`."""
    from datetime import date

    from assistant.dates import format_date
    from assistant.money import parse_amount

    loc = "fr_FR" if language() == "fr" else "en_GB"
    return [
        tr(
            "  {n}. {a} le {d}",
            "  {n}. {a} on {d}",
            n=i,
            a=_money(parse_amount(x["amount"]), x.get("currency", "EUR")),
            d=format_date(date.fromisoformat(x["date"]), loc, "long"),
        )
        for i, x in enumerate(schedule, start=1)
    ]
