"""The call-prep brief: fact sheet + computed options + summary and sectioned script.

Offline (template mode) the summary and script are written by code from the fact sheet
(`script.py`); the LLM version (llm/brief.py) fills the same sections through locked tokens
and the same checks, falling back to this text. Amounts and dates always come from the fact
sheet and the computed options, never from a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.briefs.factsheet import FactSheet, OpenInvoice
from assistant.briefs.options import PaymentPlanPolicy, PlanOption
from assistant.briefs.script import (
    Levers,
    Recommendation,
    Script,
    describe_levers,
    money,
    profile_line,
    summary_text,
    template_script,
    ui_locale,
)
from assistant.company import Company
from assistant.dates import format_date
from assistant.i18n import language, tr
from assistant.money import cents_to_str, format_money
from assistant.statutory.claims import METHOD, Claims
from assistant.team.contacts import contact_role_label


def _invoice_json(i: OpenInvoice) -> dict[str, Any]:
    return {
        "invoice_number": i.number,
        "due_date": i.due_date.isoformat(),
        "outstanding": cents_to_str(i.outstanding_cents),
        "days_late": i.days_late,
    }


@dataclass
class Brief:
    sheet: FactSheet
    options: list[PlanOption]
    recommended_option: str | None
    summary: str
    script: Script
    source: str = "template"
    violations: list[str] = field(default_factory=list)
    levers: Levers = field(default_factory=Levers)
    recommendation_reason: str = ""
    owner: str | None = None  # the person who follows the customer (docs/team.md)
    contacts: list[dict[str, Any]] = field(default_factory=list)  # its contacts, by role

    @property
    def indemnity_cents(self) -> int:
        return self.levers.indemnity_cents

    @property
    def interest_cents(self) -> int:
        return self.levers.interest_cents

    def as_json(self) -> dict[str, Any]:
        """`brief --json` keys (docs/contracts.md), then our extensions."""
        s = self.sheet
        return {
            "customer_id": s.customer.id,
            "customer_name": s.customer.name,
            "owner": self.owner,
            "contacts": self.contacts,
            "outstanding": cents_to_str(s.outstanding_cents),
            "unallocated_credit": cents_to_str(s.credit_cents),
            "invoices_outstanding": cents_to_str(s.gross_outstanding_cents),
            "invoices": [
                _invoice_json(i)
                for i in s.open_invoices
                if i.status == "open" and i.currency == s.currency
            ],
            "options": [o.as_json() for o in self.options],
            "recommended_option": self.recommended_option,
            "summary": self.summary,
            "script": self.script.lines(),
            "source": self.source,
            "violations": self.violations,
            "script_sections": self.script.as_json(),
            "recommendation_reason": self.recommendation_reason,
            "as_of": s.as_of.isoformat(),
            "currency": s.currency,
            "other_currencies": {
                c: {
                    "outstanding": cents_to_str(v),
                    "invoices": [_invoice_json(i) for i in s.open_invoices if i.currency == c],
                }
                for c, v in s.other_currencies.items()
            },
            "segment": s.segment,
            "overdue": cents_to_str(s.overdue_cents),
            "disputed": [
                {"invoice_number": i.number, "outstanding": cents_to_str(i.outstanding_cents)}
                for i in s.open_invoices
                if i.status == "disputed" and i.currency == s.currency
            ],
            "history": {
                "on_time_share": s.on_time_share,
                "avg_days_late": s.avg_days_late,
                "paid_invoices_12m": s.paid_count_12m,
                "last_payment": None
                if s.last_payment is None
                else {
                    "date": s.last_payment[0].isoformat(),
                    "amount": cents_to_str(s.last_payment[1]),
                },
                "promises": {
                    "made": s.promises_made,
                    "kept": s.promises_kept,
                    "broken": s.promises_broken,
                },
            },
            "commercial": {
                "revenue_12m": cents_to_str(s.revenue_12m_cents),
                "last_invoice_date": s.last_invoice_date.isoformat()
                if s.last_invoice_date
                else None,
                "salesperson": s.customer.salesperson_name or s.customer.salesperson_email,
                "notes": s.customer.notes,
            },
            "levers": {
                "recovery_indemnity": cents_to_str(self.levers.indemnity_cents),
                "late_interest": cents_to_str(self.levers.interest_cents),
                "recovery_indemnity_invoices": self.levers.indemnity_invoices,
                "late_interest_annual_rate": self.levers.interest_rate,
                "late_interest_by_half_year": [
                    {"half_year": h, "rate": r, "amount": cents_to_str(c)}
                    for h, r, c in self.levers.interest_by_half_year
                ],
                "late_interest_method": METHOD,
                "rates_missing_from_table": list(self.levers.estimated_rates),
                "paid_late_indemnity": cents_to_str(self.levers.paid_late_indemnity_cents),
                "paid_late_invoices": list(self.levers.paid_late_invoices),
            },
            "limitation_warnings": list(self.levers.limitation_warnings),
            "timeline": [
                {"date": t.on.isoformat(), "kind": t.kind, "text": t.text, "by": t.by}
                for t in s.timeline
            ],
            "running_plan": None
            if s.running_plan is None
            else {
                "plan_id": s.running_plan.plan_id,
                "agreed_on": s.running_plan.agreed_on.isoformat(),
                "invoices": list(s.running_plan.invoices),
                "instalments": [
                    {
                        "seq": i.seq,
                        "date": i.due.isoformat(),
                        "amount": cents_to_str(i.amount_cents),
                        "paid": i.paid,
                    }
                    for i in s.running_plan.instalments
                ],
            },
        }


def recommend(sheet: FactSheet, options: list[PlanOption]) -> Recommendation:
    """A rule, not a model: good payers pay now; strained ones get the shortest workable plan."""
    ids = [o.id for o in options]
    if not ids:
        return Recommendation(None)
    reliable = (sheet.avg_days_late is None or sheet.avg_days_late <= 10) and (
        sheet.promises_broken == 0
    )
    plans = [i for i in ids if i.startswith("instalments_")]
    if reliable:
        late = sheet.avg_days_late
        if late is None:
            why = tr("aucun retard connu", "no known late payment")
        elif late <= 2:
            why = tr("bon payeur jusqu'ici", "has paid reliably so far")
        else:
            why = tr(
                "retards courts jusqu'ici ({a} jours en moyenne), aucune promesse non tenue",
                "short delays so far ({a} days on average), no broken promise",
                a=round(late),
            )
        return Recommendation("pay_now", why)
    if not plans:
        return Recommendation(
            "pay_now",
            tr("montant trop faible pour un échéancier", "amount too small for a payment plan"),
        )
    if sheet.promises_broken >= 2 and len(plans) > 1:
        return Recommendation(
            plans[1],
            tr(
                "plusieurs promesses non tenues, donc un plan plus étalé et tenable",
                "several broken promises, so a longer plan they can keep",
            ),
        )
    why = (
        tr("une promesse non tenue", "a broken promise")
        if sheet.promises_broken
        else tr("retards fréquents", "often late")
    )
    return Recommendation(
        plans[0], tr("{w}, donc le plan le plus court", "{w}, so the shortest plan", w=why)
    )


def compute_levers(claims: Claims | None, policy: PaymentPlanPolicy) -> Levers:
    """The statutory levers from the claims as of the brief's date (rules/statutory/claims)."""
    if claims is None:
        return Levers(indemnity_per_invoice_cents=policy.recovery_indemnity.amount_per_invoice)
    overdue = [c for c in claims.overdue if c.indemnity_cents]
    rates = {r.half.key: r for r in claims.rates}
    in_force = claims.rate_in_force()
    interest = claims.interest_cents
    return Levers(
        indemnity_cents=claims.indemnity_cents,
        indemnity_invoices=len(overdue),
        indemnity_per_invoice_cents=claims.indemnity_per_invoice_cents,
        interest_cents=interest,
        interest_rate=str(in_force.rate) if interest and in_force else "",
        interest_by_half_year=tuple(
            (key, str(rates[key].rate), cents)
            for key, cents in claims.interest_by_half_year().items()
        ),
        paid_late_indemnity_cents=claims.paid_late_indemnity_cents,
        paid_late_invoices=tuple(p.number for p in claims.paid_late if p.indemnity_cents),
        limitation_warnings=tuple(w.text() for w in claims.limitations),
        estimated_rates=tuple(r.half.key for r in claims.estimated),
    )


def build_brief(
    sheet: FactSheet,
    options: list[PlanOption],
    company: Company,
    policy: PaymentPlanPolicy,
    claims: Claims | None = None,
) -> Brief:
    """While an agreed payment plan runs, no other option is proposed: the call follows it."""
    if sheet.running_plan is not None:
        options = []
        rec = Recommendation(None, tr("plan de paiement en cours", "payment plan in progress"))
    else:
        rec = recommend(sheet, options)
    return Brief(
        sheet,
        options,
        rec.option_id,
        summary_text(sheet),
        template_script(sheet, options, rec, company),
        "template",
        [],
        compute_levers(claims, policy),
        rec.why,
    )


def _short(d: Any) -> str:
    return format_date(d, ui_locale(), "short")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MARKDOWN_BLOCK = re.compile(r"^(\s*)([#>+=-])")


def md(text: str) -> str:
    """Data (names, notes, numbers, model text) as literal Markdown text: a customer named
    `[click](https://evil.test)` is shown as written, never as a link or formatting."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))
    return _MARKDOWN_BLOCK.sub(r"\1\\\2", escaped)


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown: one screen a collector can phone from."""
    s, c = brief.sheet, brief.sheet.customer
    sc = brief.script
    colon = tr(" : ", ": ")
    contact = " · ".join(x for x in (c.phone, c.email) if x) or tr(
        "(aucun contact)", "(no contact)"
    )
    source = (
        tr("LLM, vérifié", "LLM, checked")
        if brief.source == "llm"
        else tr("modèle (sans LLM)", "template (no LLM)")
    )
    profile = profile_line(s)
    if c.language != language():
        profile += " · " + tr("appel en {l}", "call in {l}", l=_language_name(c.language))
    lines = [
        f"# {tr('Fiche d’appel', 'Call brief')}{colon}{md(c.name)} ({md(c.id)})",
        "",
        f"- **{tr('Interlocuteur', 'Contact')}**{colon}{md(contact)}",
        f"- **{tr('Commercial', 'Salesperson')}**{colon}"
        f"{md(c.salesperson_name or c.salesperson_email or '—')}",
        *_team_lines(brief, colon),
        f"- **{tr('Profil', 'Profile')}**{colon}{md(profile)}",
        f"- **{tr('Au', 'As of')}** {format_date(s.as_of, ui_locale(), 'long')} · "
        f"{tr('rédaction', 'written by')}{colon}{source}",
        "",
        f"## {tr('Situation', 'Situation')}",
        "",
        md(brief.summary),
        "",
        f"## {tr('Factures ouvertes', 'Open invoices')}",
        "",
        f"| {tr('Facture', 'Invoice')} | {tr('Échéance', 'Due')} | "
        f"{tr('Reste dû', 'Outstanding')} | {tr('Retard', 'Late')} |",
        "|---|---|---:|---:|",
    ]
    for i in s.open_invoices:
        if i.status == "disputed":
            late = tr("en litige", "disputed")
        elif i.days_late:
            late = tr("{d} j", "{d} d", d=i.days_late)
        else:
            late = tr("à échoir", "not due")
        lines.append(
            f"| {md(i.number)} | {_short(i.due_date)} |"
            f" {format_money(i.outstanding_cents, i.currency, ui_locale())} | {late} |"
        )
    totals = [tr("Échu : {a}", "Overdue: {a}", a=money(s.overdue_cents, s))]
    if s.not_due:
        not_due = sum(i.outstanding_cents for i in s.not_due)
        totals.append(tr("à échoir : {a}", "not yet due: {a}", a=money(not_due, s)))
    totals.append(
        tr("encours à encaisser : {a}", "balance to collect: {a}", a=money(s.outstanding_cents, s))
    )
    if s.disputed_cents:
        totals.append(tr("en litige : {a}", "disputed: {a}", a=money(s.disputed_cents, s)))
    if s.other_currencies:
        other = " + ".join(format_money(v, c, ui_locale()) for c, v in s.other_currencies.items())
        totals.append(tr("autres devises : {a}", "other currencies: {a}", a=other))
    lines += ["", "**" + " · ".join(totals) + "**", ""]

    lines += [f"## {tr('Script d’appel', 'Call script')}", ""]
    lines += [f"**{tr('Ouverture', 'Opening')}**{colon}{md(sc.opening)}", ""]
    lines += [f"**{tr('Faits à rappeler', 'Facts to state')}**", ""]
    lines += [f"- {md(f)}" for f in sc.facts] + [""]
    lines += [f"**{tr('Questions à poser', 'Questions to ask')}**", ""]
    lines += [f"- {md(q)}" for q in sc.questions] + [""]
    lines += [f"**{tr('Objections probables', 'Likely objections')}**", ""]
    lines += [
        tr("- « {o} » → {a}", "- “{o}” → {a}", o=md(x.objection), a=md(x.answer))
        for x in sc.objections
    ] + [""]
    lines += [f"**{tr('Proposition', 'Proposal')}**{colon}{md(sc.proposal)}", ""]
    lines += [f"**{tr('Conclusion', 'Closing')}**{colon}{md(sc.closing)}", ""]

    plan = s.running_plan
    if plan is not None:
        lines += [
            f"## {tr('Plan de paiement en cours', 'Payment plan in progress')}",
            "",
            tr(
                "Convenu le {d} ; aucune autre option n'est proposée tant qu'il court.",
                "Agreed on {d}; no other option is offered while it runs.",
                d=_short(plan.agreed_on),
            ),
            "",
        ]
        for x in plan.instalments:
            state = (
                tr("réglée", "paid")
                if x.paid
                else tr("en retard", "late")
                if x.due < s.as_of
                else tr("à venir", "to come")
            )
            lines.append(f"- {x.seq}. {money(x.amount_cents, s)} {tr('le', 'on')} "
                         f"{_short(x.due)} — {state}")  # fmt: skip
        lines.append("")
    lines += [f"## {tr('Options de paiement (calculées)', 'Payment options (computed)')}", ""]
    if plan is not None:
        lines.append(tr("Aucune : un plan de paiement est en cours.", "None: a payment plan runs."))
    elif not brief.options:
        lines.append(tr("Aucune (rien à encaisser).", "None (nothing to collect)."))
    for o in brief.options:
        star = " ★" if o.id == brief.recommended_option else ""
        parts = ", ".join(
            f"{money(x.amount_cents, s)} {tr('le', 'on')} {_short(x.date)}" for x in o.instalments
        )
        lines.append(f"- **{md(o.label)}**{star} (`{o.id}`){colon}{parts}")
    levers = describe_levers(brief.levers, s)
    if levers:
        lines += [
            "",
            f"## {tr('Leviers', 'Levers')}",
            "",
            tr(
                "_Montants dus selon la loi, calculés ; à n'évoquer que si nécessaire, jamais"
                " comme une menace._",
                "_Amounts due by law, computed; mention only if needed, never as a threat._",
            ),
            "",
        ]
        lines += [f"- {md(x)}" for x in levers]
    lines += ["", f"## {tr('Contexte commercial', 'Commercial context')}", ""]
    lines.append(
        "- "
        + tr(
            "Chiffre d'affaires sur 12 mois : {r}",
            "Revenue over 12 months: {r}",
            r=money(s.revenue_12m_cents, s),
        )
        + (
            tr(" ; dernière facture le {d}", "; last invoice on {d}", d=_short(s.last_invoice_date))
            if s.last_invoice_date
            else ""
        )
    )
    if c.notes:
        lines += [f"- {tr('Notes', 'Notes')}{colon}{md(c.notes)}"]
    if s.timeline:
        lines += ["", f"## {tr('Historique des échanges', 'Exchange history')}", ""]
        lines += [f"- {_short(t.on)}{colon}{md(t.text)}{_by(t.by)}" for t in s.timeline[-12:]]
    if brief.violations:
        lines += [
            "",
            f"## {tr('Contrôles (texte du LLM refusé)', 'Checks (LLM text refused)')}",
            "",
        ]
        lines += [f"- {md(v)}" for v in brief.violations]
    lines += [
        "",
        tr(
            "Après l'appel : `relance log-call {c} --outcome promise|plan|dispute|"
            "no-answer|wrong-contact|paid`",
            "After the call: `relance log-call {c} --outcome promise|plan|dispute|"
            "no-answer|wrong-contact|paid`",
            c=md(c.id),
        ),
    ]
    return "\n".join(lines) + "\n"


def _team_lines(brief: Brief, colon: str) -> list[str]:
    """Who follows the customer and its contacts by role (docs/team.md); none: no line."""
    lines = []
    if brief.owner:
        lines.append(f"- **{tr('Suivi par', 'Owner')}**{colon}{md(brief.owner)}")
    for c in brief.contacts:
        who = " · ".join(x for x in (c["name"], c["phone"], c["email"]) if x)
        role = contact_role_label(c["role"]).capitalize()
        lines.append(f"- **{role}**{colon}{md(who)}")
    return lines


def _language_name(code: str) -> str:
    names = {"en": tr("anglais", "English"), "fr": tr("français", "French")}
    return names.get(code, code)


def _by(name: str | None) -> str:
    """ " (par NAME)" after a timeline line a person of the team did (docs/roles.md)."""
    return tr(" (par {n})", " (by {n})", n=md(name)) if name else ""
