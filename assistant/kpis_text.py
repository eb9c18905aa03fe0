"""The KPI report as text (`relance stats`): wording and number formats only.

The figures are computed, and their JSON contract kept, in `assistant.kpis`; this module only
lays them out (French first, French number formats). It is left out of mutation testing
(docs/mutation.md): it protects no customer, and the report is checked word for word by
tests/unit/test_kpis.py.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from assistant.i18n import tr, ui_locale
from assistant.kpis import CurrencyKpis, Kpis, time_saved_assumption
from assistant.labels import step_label
from assistant.money import format_money
from assistant.results import dimension_label, share


def _rate_line(label: str, r: dict[str, Any]) -> str:
    sent = int(r["sent"])
    return (
        f"    {label[:36]:<36} {sent:>5} · {share(r['paid_within_7d'], sent):>15}"
        f" · {share(r['paid_within_14d'], sent):>15}"
    )


def _main_figures(k: Kpis) -> CurrencyKpis:
    return CurrencyKpis(
        k.currency, k.dso_days, k.receivables_cents, k.sales_90d_cents, k.overdue_cents,
        k.overdue_by_age, k.top_debtors,
    )  # fmt: skip


def _money_lines(m: CurrencyKpis, loc: str) -> list[str]:
    """DSO and overdue (by age) in one currency."""

    def money(cents: int) -> str:
        return format_money(cents, m.currency, loc)

    if m.dso_days is None:
        lines = [
            tr(
                "  DSO : — (aucune facture émise sur les 90 derniers jours)",
                "  DSO: — (no invoice issued in the last 90 days)",
            )
        ]
    else:
        lines = [
            tr(
                "  DSO : {v} jours (encours {r} / ventes des 90 derniers jours {s} × 90)",
                "  DSO: {v} days (receivables {r} / sales of the last 90 days {s} × 90)",
                v=m.dso_days,
                r=money(m.receivables_cents),
                s=money(m.sales_90d_cents),
            )
        ]
    lines.append(tr("  En retard : {v}", "  Overdue: {v}", v=money(m.overdue_cents)))
    lines += [f"    {b:>6} : {money(v)}" for b, v in m.overdue_by_age.items()]
    return lines


def kpi_lines(k: Kpis) -> list[str]:
    """A readable report (French first, French number formats)."""

    data = k.as_json()
    loc = ui_locale()

    def number(value: float) -> str:
        return format_decimal(value, format="#,##0.0", locale=loc)

    lines = [tr("Indicateurs au {d}", "Results as of {d}", d=data["as_of"])]
    several = len(k.by_currency) > 1
    for figures in list(k.by_currency.values()) or [_main_figures(k)]:
        if several:
            lines.append(tr("  En {c} :", "  In {c}:", c=figures.currency))
        lines += _money_lines(figures, loc)
    lines.append(
        tr(
            "  Retard moyen des factures payées : {v} j ({n} factures)",
            "  Average days late of paid invoices: {v} d ({n} invoices)",
            v=number(k.avg_days_late_paid) if k.avg_days_late_paid is not None else "—",
            n=k.paid_invoices,
        )
    )
    if not k.after_step:
        lines.append(
            tr(
                "  Paiement après relance : aucune relance envoyée",
                "  Payment after reminder: no reminder sent",
            )
        )
    else:
        lines.append(
            tr(
                "  Paiement après relance (factures relancées · payées sous 7 j · sous 14 j) :",
                "  Payment after reminder (invoices reminded · paid within 7 d · within 14 d):",
            )
        )
        lines += [_rate_line(step_label(s.step), s.as_json()) for s in k.after_step]
        titles = {
            "tone": tr("  Par ton :", "  By tone:"),
            "segment": tr("  Par segment :", "  By segment:"),
            "policy_version": tr("  Par version de politique :", "  By policy version:"),
        }
        for dimension, rows in k.by_dimension.items():
            lines.append(titles[dimension])
            lines += [
                _rate_line(
                    f"{dimension_label(dimension, r[dimension], k.policy_names)}"
                    f" · {step_label(r['step'])}",
                    r,
                )
                for r in rows
            ]
    p = k.promises
    kept_rate = data["promises_kept_rate"]
    lines.append(
        tr(
            "  Promesses : {m} faites, {k} tenue(s), {b} non tenue(s), {o} en cours{r}",
            "  Promises: {m} made, {k} kept, {b} broken, {o} open{r}",
            m=p["made"],
            k=p["kept"],
            b=p["broken"],
            o=p["open"],
            r=tr(" ({v} tenues)", " ({v} kept)", v=share(p["kept"], p["kept"] + p["broken"]))
            if kept_rate is not None
            else "",
        )
    )
    d = k.drafts
    lines.append(
        tr(
            "  Brouillons : {u} approuvés sans retouche, {e} retouchés, {r} rejetés",
            "  Drafts: {u} approved unchanged, {e} edited, {r} rejected",
            u=d["approved_unchanged"],
            e=d["approved_edited"],
            r=d["rejected"],
        )
    )
    if k.trend:
        lines.append(
            tr(
                "  Tendance par mois (DSO · relances envoyées · payées sous 14 j) :",
                "  Trend by month (DSO · reminders sent · paid within 14 d):",
            )
        )
        for month in k.trend:
            sent = sum(x["sent"] for x in month["after_step"])
            paid = sum(x["paid_within_14d"] for x in month["after_step"])
            dso = month["dso_days"]
            lines.append(
                f"    {month['month']}  DSO {dso if dso is not None else '—':>4}"
                f" · {sent:>4} · {share(paid, sent)}"
            )
    debtors = [d for m in k.by_currency.values() for d in m.top_debtors] or k.top_debtors
    if debtors:
        lines.append(tr("  Plus gros retards :", "  Top debtors:"))
        for d in debtors:
            lines.append(
                tr(
                    "    {n} ({c}) : {a} sur {k} facture(s), jusqu'à {j} j de retard",
                    "    {n} ({c}): {a} on {k} invoice(s), up to {j} days late",
                    n=d.name,
                    c=d.customer_id,
                    a=format_money(d.overdue_cents, d.currency, loc),
                    k=d.invoices,
                    j=d.max_days_late,
                )
            )
    lines.append(
        tr(
            "  Temps gagné estimé : {h} h\n    ({a})",
            "  Estimated time saved: {h} h\n    ({a})",
            h=number(k.time_saved_minutes / 60),
            a=time_saved_assumption(),
        )
    )
    return lines
