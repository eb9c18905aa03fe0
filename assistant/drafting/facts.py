"""Facts of a message (amounts, dates, references, bank details, names), formatted for the
customer's locale. They reach templates as plain strings and the LLM only as locked tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.company import Company
from assistant.dates import format_date
from assistant.i18n import tr_in
from assistant.models import Customer, Invoice
from assistant.money import format_money, locale_for

# Variables a template may use that carry facts (locked for the LLM), and the plain context.
FACT_VARS = (
    "customer_name",
    "invoice_list",
    "invoice_refs",
    "total_due",
    "due_date",
    "iban",
    "payment_link",
    "contact_person",
    "signature",
    "company_name",
    "salesperson_name",
    "instalment_amount",
    "instalment_date",
    "instalment_label",
    "gross_total",
    "credit_amount",
)


# Plain context a template may test (never facts): several invoices, the step, the segment,
# the language, what the customer actually received before about these invoices, and whether
# an unallocated credit lowers what is asked.
CONTEXT_VARS = (
    "several",
    "step",
    "segment",
    "language",
    "reminded_before",
    "notified_before",
    "has_credit",
)
# A formal notice (statutory/notice.py) is a letter with its own facts, not a message.
NOTICE_VARS = (
    "customer_name",
    "company_name",
    "several",
    "invoice_lines",
    "principal",
    "claim_indemnity",
    "indemnity",
    "indemnity_unit",
    "claim_interest",
    "interest",
    "rate_lines",
    "interest_method",
    "credits",
    "total_due",
    "as_of_date",
    "deadline",
    "deadline_days",
    "mention_proceedings",
    "iban",
    "payment_link",
    "contact_person",
    "signature",
)
# The weekly salespeople digest (team/digest.py): an internal e-mail built from stored facts.
DIGEST_VARS = (
    "salesperson_name",
    "as_of_date",
    "customer_count",
    "digest_lines",
    "total_overdue",
    "company_name",
    "signature",
)
# Templates whose variables are not the messages' ones: {template name: variables}.
TEMPLATE_VARS = {"formal_notice": NOTICE_VARS, "salesperson_digest": DIGEST_VARS}
# Steps whose message is a reminder after the due date (a pre-due notice is not one).
REMINDER_STEPS = ("reminder_1", "reminder_2")


@dataclass(frozen=True)
class Previous:
    """What was actually sent before about a message's invoices (not approved, sent)."""

    reminded: bool = False  # a written reminder after the due date
    notified: bool = False  # any message (a pre-due notice counts)


@dataclass(frozen=True)
class InstalmentFact:
    """One instalment of an agreed payment plan (what an instalment reminder is about)."""

    seq: int
    count: int
    due: date
    amount_cents: int


@dataclass(frozen=True)
class MessageFacts:
    values: dict[str, str]  # FACT_VARS -> formatted value
    context: dict[str, object]  # non-fact context: several, step, segment, language
    total_cents: int
    max_days_late: int


def _line(inv: Invoice, locale: str, lang: str, as_of: date, pre_due: bool) -> str:
    amount = format_money(inv.outstanding_cents, inv.currency, locale)
    issued = format_date(inv.issue_date, locale, "long")
    due = format_date(inv.due_date, locale, "long")
    ref = f" ({inv.reference})" if inv.reference else ""
    partial = inv.outstanding_cents < inv.amount_cents
    if lang == "en":
        left = "outstanding" if partial else "due"
        when = f"due on {due}" if pre_due or inv.due_date >= as_of else f"was due on {due}"
        return f"- Invoice {inv.number} of {issued}{ref}: {amount} {left}, {when}"
    left = "restant dû" if partial else "à régler"
    when = f"échéance le {due}" if pre_due or inv.due_date >= as_of else f"échue le {due}"
    return f"- Facture {inv.number} du {issued}{ref} : {amount} {left}, {when}"


def message_facts(
    customer: Customer,
    invoices: list[Invoice],
    company: Company,
    *,
    step: str,
    segment: str | None,
    as_of: date,
    language: str | None = None,
    instalment: InstalmentFact | None = None,
    net_cents: int | None = None,
    previous: Previous | None = None,
    signature: str | None = None,
) -> MessageFacts:
    """`net_cents`: the net amount the plan asks (invoices minus the customer's unallocated
    credits, rules/balance.py); `total_due` says it and `credit_amount` the credit deducted.
    `signature`: a person's own (docs/team.md), else the company's generic one."""
    lang = language or customer.language
    locale = locale_for(lang, customer.country)
    ordered = sorted(invoices, key=lambda i: (i.due_date, i.number))
    currency = ordered[0].currency if ordered else "EUR"
    gross = sum(i.outstanding_cents for i in ordered)
    total = gross if net_cents is None else min(net_cents, gross)
    pre_due = step == "pre_due"
    values = {
        "customer_name": customer.name,
        "invoice_list": "\n".join(_line(i, locale, lang, as_of, pre_due) for i in ordered),
        "invoice_refs": ", ".join(i.number for i in ordered),
        "total_due": format_money(total, currency, locale),
        "due_date": format_date(ordered[0].due_date, locale, "long") if ordered else "",
        "iban": company.iban or tr_in(lang, "(IBAN sur demande)", "(IBAN on request)"),
        "payment_link": company.payment_text(lang),
        "contact_person": company.contact_line(lang),
        "signature": signature or company.signature(lang),
        "company_name": company.name,
        "salesperson_name": customer.salesperson_name or customer.salesperson_email or "",
        "instalment_amount": "",
        "instalment_date": "",
        "instalment_label": "",
        "gross_total": format_money(gross, currency, locale),
        "credit_amount": format_money(gross - total, currency, locale),
    }
    if instalment is not None:
        values["instalment_amount"] = format_money(instalment.amount_cents, currency, locale)
        values["instalment_date"] = format_date(instalment.due, locale, "long")
        values["instalment_label"] = f"{instalment.seq}/{instalment.count}"
    context: dict[str, object] = {
        "several": len(ordered) > 1,
        "has_credit": total < gross,
        "step": step,
        "segment": segment or "standard",
        "language": lang,
        "reminded_before": bool(previous and previous.reminded),
        "notified_before": bool(previous and previous.notified),
    }
    late = max(((as_of - i.due_date).days for i in ordered), default=0)
    return MessageFacts(values, context, total, max(late, 0))


def token_for(var: str) -> str:
    """`total_due` -> `[[TOTAL_DUE]]`: how a fact appears to the LLM."""
    return f"[[{var.upper()}]]"
