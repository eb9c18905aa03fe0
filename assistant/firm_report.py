"""`relance company stats`: an accounting firm's view across its client companies
(docs/companies.md). Each company's figures are its own `stats` (the same KPIs, computed in its
own schema); one row per company and currency, then the firm's totals per currency (never
summed across currencies). Only the companies the acting person sees are read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.kpis import CurrencyKpis, dso_of
from assistant.stats import AGE_BUCKETS

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.firm import CompanyAccess
    from assistant.kpis import Kpis
    from assistant.service import Service
    from assistant.storage.db import Clock


def money_json(m: CurrencyKpis) -> dict[str, Any]:
    """One currency's figures as `stats --json` gives them (`by_currency`), with the currency
    and without the debtors."""
    figures = m.as_json()
    del figures["top_debtors"]
    return {"currency": m.currency, **figures}


@dataclass(frozen=True)
class CompanyFigures:
    access: CompanyAccess
    money: list[CurrencyKpis]  # the main currency first, no debtors
    promises_open: int
    promises_kept_rate: float | None
    drafts_pending: int

    def as_json(self) -> dict[str, Any]:
        ref = self.access.company
        return {
            "code": ref.code,
            "name": ref.name,
            "role": self.access.role,
            "currencies": [money_json(m) for m in self.money],
            "promises_open": self.promises_open,
            "promises_kept_rate": self.promises_kept_rate,
            "drafts_pending": self.drafts_pending,
        }


@dataclass(frozen=True)
class FirmReport:
    as_of: date
    companies: list[CompanyFigures]
    totals: list[CurrencyKpis] = field(default_factory=list)  # per currency, over the companies

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "companies": [c.as_json() for c in self.companies],
            "totals": [money_json(t) for t in self.totals],
        }


def _money_of(kpis: Kpis) -> list[CurrencyKpis]:
    if not kpis.by_currency:  # no invoice at all: the main currency, at zero
        return [CurrencyKpis(kpis.currency, None, 0, 0, 0, dict.fromkeys(AGE_BUCKETS, 0))]
    return [replace(f, top_debtors=[]) for f in kpis.by_currency.values()]


def _figures(access: CompanyAccess, service: Service, as_of: date) -> CompanyFigures:
    from assistant.storage.drafts_lifecycle import DraftStatus

    kpis = service.stats(as_of)
    return CompanyFigures(
        access,
        _money_of(kpis),
        kpis.promises["open"],
        kpis.as_json()["promises_kept_rate"],
        service.draft_count(DraftStatus.PENDING),
    )


def totals(companies: list[CompanyFigures]) -> list[CurrencyKpis]:
    """The firm's money per currency: sums of the companies' cents; the DSO by the same
    method as each company's (receivables / sales of the last 90 days × 90)."""
    by: dict[str, list[CurrencyKpis]] = {}
    for company in companies:
        for money in company.money:
            by.setdefault(money.currency, []).append(money)
    out = []
    for currency, found in sorted(by.items(), key=lambda kv: -len(kv[1])):  # stable: first seen
        receivables = sum(m.receivables_cents for m in found)
        sales = sum(m.sales_90d_cents for m in found)
        ages = {b: sum(m.overdue_by_age.get(b, 0) for m in found) for b in AGE_BUCKETS}
        overdue = sum(m.overdue_cents for m in found)
        out.append(
            CurrencyKpis(currency, dso_of(receivables, sales), receivables, sales, overdue, ages)
        )
    return out


def firm_report(
    settings: Settings,
    clock: Clock,
    as_of: Callable[[Service], date],
    opener: Callable[..., Service],
) -> FirmReport:
    """Every company the acting person sees (`relance company list`), each read in its own
    schema as `relance --company CODE stats` reads it. On SQLite: the home's one company."""
    from assistant.firm import CompanyAccess, accesses, default_ref

    if settings.uses_postgres:
        seen = accesses(settings)
    else:
        seen = [CompanyAccess(default_ref(settings), None)]
    companies: list[CompanyFigures] = []
    day: date | None = None
    for access in seen:
        chosen = settings
        if settings.uses_postgres:
            chosen = settings.model_copy(update={"company": access.company.code})
        service = opener(chosen, clock=clock)
        try:
            if service.person is not None:  # the role in that company, as `company list`
                access = CompanyAccess(access.company, service.person.role)
            day = day or as_of(service)
            companies.append(_figures(access, service, day))
        finally:
            service.close()
    assert day is not None  # at least one company: `accesses` refuses a person seeing none
    return FirmReport(day, companies, totals(companies))


def report_lines(report: FirmReport) -> list[str]:
    """`relance company stats` as text: one line per company and currency, then the totals."""
    from assistant.i18n import tr, ui_locale
    from assistant.money import format_money

    loc = ui_locale()
    header = tr(
        "{c:<32} {r:>16} {o:>16} {d:>5} {p:>6} {b:>6}",
        "{c:<32} {r:>16} {o:>16} {d:>5} {p:>6} {b:>6}",
        c=tr("Société", "Company"),
        r=tr("Encours", "Receivables"),
        o=tr("Échu", "Overdue"),
        d="DSO",
        p=tr("Prom.", "Prom."),
        b=tr("À val.", "To rev."),
    )
    lines = [tr("Sociétés au {d}", "Companies as of {d}", d=report.as_of.isoformat()), header]

    def row(label: str, m: CurrencyKpis, promises: str, pending: str) -> str:
        dso = "—" if m.dso_days is None else str(m.dso_days)
        return (
            f"{label[:32]:<32} {format_money(m.receivables_cents, m.currency, loc):>16}"
            f" {format_money(m.overdue_cents, m.currency, loc):>16} {dso:>5}"
            f" {promises:>6} {pending:>6}"
        ).rstrip()

    for company in report.companies:
        for i, money in enumerate(company.money):
            first = i == 0
            lines.append(
                row(
                    company.access.company.label() if first else "",
                    money,
                    str(company.promises_open) if first else "",
                    str(company.drafts_pending) if first else "",
                )
            )
    for total in report.totals:
        label = tr("Total {c}", "Total {c}", c=total.currency)
        lines.append(row(label, total, "", ""))
    lines.append(
        tr(
            "Prom. : promesses ouvertes ; À val. : brouillons à valider ; DSO du total :"
            " encours / ventes des 90 derniers jours × 90, toutes sociétés",
            "Prom.: open promises; To rev.: drafts to review; the total's DSO: receivables"
            " / sales of the last 90 days × 90, all companies",
        )
    )
    return lines
