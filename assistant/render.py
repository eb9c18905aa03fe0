"""Rich renderings shared by CLI commands (plans, drafts, briefs...). Readable at 80 columns."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from assistant.i18n import tr
from assistant.rules import Plan


def render_plan(plan: Plan, *, explain: bool = False) -> Group:
    parts: list[Text | Table] = []
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
            line.append(f" {a.step:<11}", style="magenta" if a.requires_human else "cyan")
            channel = a.channel + ("+sms" if a.also_sms else "")
            line.append(f" {channel:<10}")
            line.append(
                tr(" personne", " person") if a.requires_human else tr(" brouillon", " draft")
            )
            if a.scheduled_for != plan.as_of:
                line.append(tr(" le {d}", " on {d}", d=a.scheduled_for))
            line.append(f"\n         {', '.join(a.invoices)}")
            line.append(f"\n         {a.reason}", style="dim")
            parts.append(line)
    if explain and plan.skipped:
        table = Table(title=tr("Écartés", "Skipped"), title_justify="left")
        table.add_column(tr("Client", "Customer"), no_wrap=True)
        table.add_column(tr("Facture", "Invoice"), no_wrap=True)
        table.add_column(tr("Pourquoi", "Why"))
        for s in plan.skipped:
            table.add_row(s.customer_id, s.invoice_number or "—", s.reason)
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
