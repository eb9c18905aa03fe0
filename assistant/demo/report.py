"""The readable summary printed by `relance demo` (rich renderables; French first)."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from assistant.dates import format_date
from assistant.demo.build import DemoSummary
from assistant.i18n import language, tr
from assistant.money import format_money
from assistant.stats import AGE_BUCKETS


def _money(cents: int) -> str:
    return format_money(cents, "EUR", "en_GB" if language() == "en" else "fr_FR")


def _day(value: date) -> str:
    return format_date(value, "en_GB" if language() == "en" else "fr_FR", "medium")


def next_commands(home: Path, summary: DemoSummary) -> list[str]:
    """Commands to try next on this demo home (some arrive with later features)."""
    base = f"relance --home {shlex.quote(str(home))}"
    as_of = summary.as_of.isoformat()
    commands = [f"{base} plan --as-of {as_of}", f"{base} draft --as-of {as_of} --offline"]
    if summary.worst_payer is not None:
        commands.append(f"{base} brief {summary.worst_payer[0]}")
    commands += [f"{base} review", f"{base} stats --as-of {as_of}"]
    return commands


def render_summary(summary: DemoSummary, home: Path, *, recreated: bool) -> RenderableType:
    p = summary.portfolio
    title = Text(
        tr("Démo prête : {company} (au {day}, graine {seed})",
           "Demo ready: {company} (as of {day}, seed {seed})",
           company=summary.company, day=_day(summary.as_of), seed=summary.seed),
        style="bold",
    )  # fmt: skip
    where = tr("Dossier : {home}", "Home: {home}", home=home)
    if recreated:
        where += tr(" (démo précédente remplacée)", " (previous demo replaced)")

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row(
        tr("Clients", "Customers"),
        tr("{n} dont {s} stratégiques, {e} en anglais, {new} nouveaux (< 12 mois), "
           "{dnc} à ne pas contacter, {sms} avec SMS",
           "{n}: {s} strategic, {e} in English, {new} new (< 12 months), "
           "{dnc} do-not-contact, {sms} with SMS",
           n=summary.customers, s=summary.strategic, e=summary.english,
           new=summary.new_customers, dnc=summary.do_not_contact, sms=summary.sms_opt_in),
    )  # fmt: skip
    for name, start, end in summary.closing_periods:
        facts.add_row(
            tr("Fermeture", "Closure"),
            tr("{name} du {start} au {end}", "{name} from {start} to {end}",
               name=name, start=_day(start), end=_day(end)),
        )  # fmt: skip
    facts.add_row(
        tr("Factures", "Invoices"),
        tr("{n} émises sur 6 mois ; {open} ouvertes, encours {amount}",
           "{n} issued over 6 months; {open} open, {amount} outstanding",
           n=summary.invoices, open=p.open_invoices, amount=_money(p.outstanding_cents)),
    )  # fmt: skip
    facts.add_row(
        tr("En retard", "Overdue"),
        tr("{n} factures, {amount}", "{n} invoices, {amount}",
           n=p.overdue_invoices, amount=_money(p.overdue_cents)),
    )  # fmt: skip
    facts.add_row(
        tr("Échéance ≤ 7 j", "Due within 7 d"),
        tr("{n} factures, {amount}", "{n} invoices, {amount}",
           n=p.due_soon_invoices, amount=_money(p.due_soon_cents)),
    )  # fmt: skip
    facts.add_row(
        tr("Litiges", "Disputes"),
        tr("{n} factures bloquées, {amount}", "{n} blocked invoices, {amount}",
           n=p.disputed_invoices, amount=_money(p.disputed_cents)),
    )  # fmt: skip
    facts.add_row(
        tr("Promesses", "Promises"),
        tr("{n} en cours, {amount}", "{n} pending, {amount}",
           n=p.promises_pending, amount=_money(p.promises_pending_cents)),
    )  # fmt: skip
    if summary.worst_payer is not None:
        facts.add_row(
            tr("Plus gros retard", "Worst payer"),
            f"{summary.worst_payer[1]} ({summary.worst_payer[0]})",
        )
    facts.add_row(
        tr("Historique", "History"),
        tr("{pay} paiements, {msg} messages envoyés, {calls} appels, {prom} promesses ; "
           "{part} factures ouvertes déjà partiellement réglées",
           "{pay} payments, {msg} messages sent, {calls} calls, {prom} promises; "
           "{part} open invoices already partly paid",
           pay=summary.payments, part=summary.partly_paid_open, msg=summary.messages_sent,
           calls=summary.calls_logged, prom=summary.promises_made),
    )  # fmt: skip

    ages = Table(title=tr("Retard par ancienneté (jours)", "Overdue by age (days)"))
    ages.add_column(tr("Tranche", "Bucket"))
    ages.add_column(tr("Factures", "Invoices"), justify="right")
    ages.add_column(tr("Montant", "Amount"), justify="right")
    for bucket in AGE_BUCKETS:
        ages.add_row(bucket, str(p.overdue_count_by_age[bucket]), _money(p.overdue_by_age[bucket]))
    ages.add_row(
        Text(tr("Total", "Total"), style="bold"),
        str(p.overdue_invoices),
        Text(_money(p.overdue_cents), style="bold"),
    )

    hints = Text(tr("Et ensuite :", "Next:"), style="bold")
    # Paths and commands are copied by the user: never wrapped (print with crop=False).
    commands = [_line("  " + command) for command in next_commands(home, summary)]
    return Group(title, _line(where), Text(), facts, Text(), ages, Text(), hints, *commands)


def _line(text: str) -> Text:
    return Text(text, no_wrap=True, overflow="ignore")
