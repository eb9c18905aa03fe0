"""The call-prep brief: fact sheet + computed options + summary and script.

Offline (template mode) the summary and script are written by code from the fact sheet; the
LLM version (llm_brief.py) rewrites them through locked tokens and the same checks, falling
back to this text. Amounts and dates always come from the fact sheet, never from a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.briefs.factsheet import FactSheet
from assistant.briefs.options import (
    PaymentPlanPolicy,
    PlanOption,
    late_interest_cents,
    recovery_indemnity_cents,
)
from assistant.company import Company
from assistant.dates import format_date
from assistant.i18n import language, tr
from assistant.money import cents_to_str, format_money


@dataclass
class Brief:
    sheet: FactSheet
    options: list[PlanOption]
    recommended_option: str | None
    summary: str
    script: list[str]
    source: str = "template"
    violations: list[str] = field(default_factory=list)
    indemnity_cents: int = 0
    interest_cents: int = 0

    def as_json(self) -> dict[str, Any]:
        """DESIGN.md §5 `brief --json` keys, then our extensions."""
        s = self.sheet
        return {
            "customer_id": s.customer.id,
            "customer_name": s.customer.name,
            "outstanding": cents_to_str(s.outstanding_cents),
            "invoices": [
                {
                    "invoice_number": i.number,
                    "due_date": i.due_date.isoformat(),
                    "outstanding": cents_to_str(i.outstanding_cents),
                    "days_late": i.days_late,
                }
                for i in s.open_invoices
                if i.status == "open"
            ],
            "options": [o.as_json() for o in self.options],
            "recommended_option": self.recommended_option,
            "summary": self.summary,
            "script": self.script,
            "source": self.source,
            "violations": self.violations,
            "as_of": s.as_of.isoformat(),
            "currency": s.currency,
            "segment": s.segment,
            "disputed": [
                {"invoice_number": i.number, "outstanding": cents_to_str(i.outstanding_cents)}
                for i in s.open_invoices
                if i.status == "disputed"
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
                "recovery_indemnity": cents_to_str(self.indemnity_cents),
                "late_interest": cents_to_str(self.interest_cents),
            },
            "timeline": [
                {"date": t.on.isoformat(), "kind": t.kind, "text": t.text} for t in s.timeline
            ],
        }


def recommend(sheet: FactSheet, options: list[PlanOption]) -> str | None:
    """A rule, not a model: good payers pay now; strained ones get the shortest workable plan."""
    ids = [o.id for o in options]
    if not ids:
        return None
    reliable = (sheet.avg_days_late is None or sheet.avg_days_late <= 10) and (
        sheet.promises_broken == 0
    )
    plans = [i for i in ids if i.startswith("instalments_")]
    if reliable or not plans:
        return "pay_now"
    if sheet.promises_broken >= 2 and len(plans) > 1:
        return plans[1]
    return plans[0]


def _loc() -> str:
    return "en_GB" if language() == "en" else "fr_FR"


def _money(cents: int, sheet: FactSheet) -> str:
    return format_money(cents, sheet.currency, _loc())


def _day(d: Any) -> str:
    return format_date(d, _loc(), "long")


def invoice_line(sheet: FactSheet) -> str:
    """The overdue (else open) invoices, one clause each."""
    return "; ".join(
        tr(
            "{n} : {a}, échue le {d} ({l} j de retard)",
            "{n}: {a}, due {d} ({l} days late)",
            n=i.number,
            a=_money(i.outstanding_cents, sheet),
            d=_day(i.due_date),
            l=i.days_late,
        )
        for i in sheet.overdue or [i for i in sheet.open_invoices if i.status == "open"]
    )


def proposal_text(option: PlanOption | None, sheet: FactSheet) -> str:
    """What the collector proposes, from a computed option."""
    if option is None:
        proposal = tr("Demander une date de paiement ferme.", "Ask for a firm payment date.")
    elif option.id == "pay_now":
        proposal = tr(
            "Proposer un règlement de {a} au plus tard le {d}.",
            "Propose payment of {a} by {d} at the latest.",
            a=_money(option.instalments[0].amount_cents, sheet),
            d=_day(option.instalments[0].date),
        )
    else:
        parts = ", ".join(
            f"{_money(x.amount_cents, sheet)} {tr('le', 'on')} {_day(x.date)}"
            for x in option.instalments
        )
        proposal = tr(
            "Proposer {label} : {parts}.",
            "Propose {label}: {parts}.",
            label=option.label,
            parts=parts,
        )
    return proposal


def template_texts(
    sheet: FactSheet,
    options: list[PlanOption],
    recommended: str | None,
    company: Company,
    indemnity: int,
    interest: int,
) -> tuple[str, list[str]]:
    c = sheet.customer
    overdue = sheet.overdue
    since = (
        tr("client depuis {m} mois", "customer for {m} months", m=sheet.relationship_months)
        if sheet.relationship_months is not None
        else tr("ancienneté inconnue", "relationship length unknown")
    )
    summary = tr(
        "{name} ({seg}, {since}) doit {total} sur {n} facture(s) ouverte(s), dont {late} en retard",
        "{name} ({seg}, {since}) owes {total} on {n} open invoice(s), {late} of it overdue",
        name=c.name,
        seg=sheet.segment,
        since=since,
        total=_money(sheet.outstanding_cents, sheet),
        n=sum(1 for i in sheet.open_invoices if i.status == "open"),
        late=_money(sheet.overdue_cents, sheet),
    )
    if overdue:
        summary += tr(
            " (jusqu'à {d} jours)", " (up to {d} days)", d=max(i.days_late for i in overdue)
        )
    summary += ". "
    if sheet.avg_days_late is not None and sheet.on_time_share is not None:
        summary += tr(
            "Sur 12 mois : {p} % des factures payées à l'heure, retard moyen {a} jours. ",
            "Over 12 months: {p}% of invoices paid on time, {a} days late on average. ",
            p=round(sheet.on_time_share * 100),
            a=round(sheet.avg_days_late),
        )
    if sheet.last_payment:
        summary += tr(
            "Dernier paiement le {d} ({a}). ",
            "Last payment on {d} ({a}). ",
            d=_day(sheet.last_payment[0]),
            a=_money(sheet.last_payment[1], sheet),
        )
    if sheet.promises_made:
        summary += tr(
            "Promesses : {m} faites, {k} tenues, {b} non tenues. ",
            "Promises: {m} made, {k} kept, {b} broken. ",
            m=sheet.promises_made,
            k=sheet.promises_kept,
            b=sheet.promises_broken,
        )
    if sheet.disputed_cents:
        summary += tr(
            "Litige en cours sur {a} : ne pas en réclamer le paiement. ",
            "Dispute in progress on {a}: do not ask for that payment. ",
            a=_money(sheet.disputed_cents, sheet),
        )
    if c.language != "fr":
        summary += tr(
            "Client anglophone : mener l'appel en anglais. ",
            "English-speaking customer: hold the call in English. ",
        )
    summary = summary.strip()

    invoices = invoice_line(sheet)
    proposal = proposal_text(next((o for o in options if o.id == recommended), None), sheet)
    seller = c.salesperson_name or c.salesperson_email or tr("le commercial", "the salesperson")
    script = [
        tr(
            "Ouverture : « Bonjour, ici {me}, {co}. Je vous appelle au sujet de factures"
            " en attente de règlement ; avez-vous quelques minutes ? »",
            "Opening: \"Hello, this is {me} from {co}. I'm calling about invoices awaiting"
            ' payment; do you have a few minutes?"',
            me=company.contact.name,
            co=company.name,
        ),
        tr(
            "Faits à rappeler : {inv}. Total dû : {t}.",
            "Facts to state: {inv}. Total due: {t}.",
            inv=invoices,
            t=_money(sheet.outstanding_cents, sheet),
        ),
        tr(
            "Questions : les factures ont-elles bien été reçues et validées ? Un point"
            " bloque-t-il (bon de commande, adresse, prestation, trésorerie) ? Quelle date"
            " pouvez-vous confirmer ?",
            "Questions: were the invoices received and approved? Is anything blocking (purchase "
            "order, address, the work itself, cash flow)? Which date can you confirm?",
        ),
        tr(
            "Objection « facture non reçue » : la renvoyer pendant l'appel et confirmer l'adresse "
            "de facturation.",
            'Objection "invoice not received": resend it during the call '
            "and confirm the billing address.",
        ),
        tr(
            "Objection « trésorerie tendue » : proposer l'échéancier ci-dessous plutôt"
            " qu'un report sans date.",
            'Objection "cash is tight": offer the plan below rather than an open-ended delay.',
        ),
        tr(
            "Objection « prestation contestée » : noter le motif précis, ouvrir un litige (les "
            "relances s'arrêtent) et prévenir {s}.",
            'Objection "we dispute the work": note the '
            "exact reason, open a dispute (reminders stop) and tell {s}.",
            s=seller,
        ),
        tr("Proposition : {p}", "Proposal: {p}", p=proposal),
        tr(
            "Conclusion : récapituler l'engagement (montant et date), annoncer une confirmation "
            "écrite, puis enregistrer le résultat de l'appel.",
            "Closing: restate the commitment "
            "(amount and date), announce a written confirmation, then log the call's outcome.",
        ),
    ]
    if indemnity or interest:
        script.append(
            tr(
                "Leviers, à n'évoquer que si nécessaire : indemnité forfaitaire de"
                " recouvrement {i}, intérêts de retard {r}.",
                "Levers, only if needed: statutory recovery indemnity {i}, "
                "late-payment interest {r}.",
                i=_money(indemnity, sheet),
                r=_money(interest, sheet),
            )
        )
    return summary, script


def build_brief(
    sheet: FactSheet, options: list[PlanOption], company: Company, policy: PaymentPlanPolicy
) -> Brief:
    overdue = sheet.overdue
    indemnity = recovery_indemnity_cents(len(overdue), policy)
    interest = sum(late_interest_cents(i.outstanding_cents, i.days_late, policy) for i in overdue)
    recommended = recommend(sheet, options)
    summary, script = template_texts(sheet, options, recommended, company, indemnity, interest)
    return Brief(sheet, options, recommended, summary, script, "template", [], indemnity, interest)


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown: one screen a collector can phone from."""
    s, c = brief.sheet, brief.sheet.customer
    lines = [f"# {tr('Fiche d’appel', 'Call brief')} : {c.name} ({c.id})", ""]
    contact = " · ".join(x for x in (c.phone, c.email) if x) or tr(
        "(aucun contact)", "(no contact)"
    )
    lines += [
        f"- {tr('Contact', 'Contact')} : {contact}",
        f"- {tr('Commercial', 'Salesperson')} : {c.salesperson_name or c.salesperson_email or '—'}",
        f"- {tr('Segment', 'Segment')} : {s.segment}"
        + (f" ; {tr('langue', 'language')} {c.language}" if c.language != "fr" else ""),
        f"- {tr('Au', 'As of')} {_day(s.as_of)} ; {tr('source', 'source')} : {brief.source}",
        "",
        f"## {tr('Situation', 'Situation')}",
        "",
        brief.summary,
        "",
    ]
    lines += [
        f"## {tr('Factures ouvertes', 'Open invoices')}",
        "",
        f"| {tr('Facture', 'Invoice')} | {tr('Échéance', 'Due')} | "
        f"{tr('Reste dû', 'Outstanding')} | {tr('Retard', 'Late')} |",
        "|---|---|---:|---:|",
    ]
    for i in s.open_invoices:
        flag = f" ({tr('litige', 'disputed')})" if i.status == "disputed" else ""
        lines.append(
            f"| {i.number}{flag} | {i.due_date.isoformat()} | "
            f"{_money(i.outstanding_cents, s)} | {i.days_late} j |"
        )
    lines += [
        "",
        f"**{tr('Total à encaisser', 'Total to collect')} : {_money(s.outstanding_cents, s)}**",
        "",
    ]
    lines += [f"## {tr('Script', 'Script')}", ""]
    lines += [f"{n}. {step}" for n, step in enumerate(brief.script, start=1)]
    lines += ["", f"## {tr('Options de paiement', 'Payment options')}", ""]
    for o in brief.options:
        star = " ★" if o.id == brief.recommended_option else ""
        parts = ", ".join(
            f"{_money(x.amount_cents, s)} {tr('le', 'on')} {x.date.isoformat()}"
            for x in o.instalments
        )
        lines.append(f"- **{o.label}**{star} (`{o.id}`) : {parts}")
    if s.timeline:
        lines += ["", f"## {tr('Historique des échanges', 'Exchange history')}", ""]
        lines += [f"- {t.on.isoformat()} : {t.text}" for t in s.timeline[-12:]]
    if c.notes:
        lines += ["", f"## {tr('Notes', 'Notes')}", "", c.notes]
    if brief.violations:
        lines += ["", f"## {tr('Contrôles', 'Checks')}", ""]
        lines += [f"- {v}" for v in brief.violations]
    lines += [
        "",
        tr(
            "Après l'appel : `relance log-call {c} --outcome promise|plan|dispute|"
            "no-answer|wrong-contact|paid`",
            "After the call: `relance log-call {c} --outcome promise|plan|dispute|"
            "no-answer|wrong-contact|paid`",
            c=c.id,
        ),
    ]
    return "\n".join(lines) + "\n"
