"""Fact checks of a draft's current text: every fact it states must be a fact of the message.

A person's edit is never rendered as a template, but it can still say something false: an
amount typed wrong, another invoice number, a date, an IBAN, a link, an e-mail address or a
phone number that is not ours. Each fact found in the text is compared with the facts the draft
is built from (the approved template rendered with the real values, the invoices, the company);
anything else is a violation, as is a forbidden phrase of the tone policy. The same checks run
on LLM output, on each edit (live in the editor) and before approval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from assistant.i18n import tr
from assistant.llm.guardrails import phrase_violations
from assistant.llm.tone import ToneRule
from assistant.models import Customer, Invoice
from assistant.money import AmountError, parse_amount
from assistant.storage import repo
from assistant.storage.db import Store

if TYPE_CHECKING:
    from assistant.company import Company
    from assistant.drafting.queue import DraftView

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"«»]+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|fr|net|org|io|eu|be|ch|de|co|uk|info|biz)\b"
    r"(?:/[^\s<>()\"«»]*)?",
    re.I,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8,
    "septembre": 9, "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "décembre": 12, "decembre": 12, "déc": 12, "dec": 12, "january": 1, "jan": 1,
    "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5, "june": 6,
    "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9,
    "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(1er|\d{{1,2}})\s+({_MONTH})\.?(?:\s+(\d{{4}}))?(?!\w)", re.IGNORECASE)
# The lookaheads only skip, quickly, the places where no alternative can start (same matches).
_MONTH_START = "".join(sorted({m[0] for m in _MONTHS}))
_MONTH_DAY = re.compile(
    rf"\b(?=[{_MONTH_START}])({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([/.])(\d{1,2})\2(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
_NUMBER = r"(?:\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+|\d+)(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?=[€E£$C\d])(?:(?:€|EUR|£|\$|CHF)\s?({_NUMBER})"
    rf"|({_NUMBER})\s?(?:€|EUR\b|euros?\b|£|\$|CHF\b)"
    r"|\b(\d{1,3}(?:[ \u00a0\u202f.]\d{3})*,\d{2})\b)",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?:\+\d{2,3}[\s.]?|\b0)\d(?:[\s.-]?\d){7,10}\b")
_REFERENCE = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9]*(?:[-/_.][A-Za-z0-9]+)+\b|\b\d{4,}\b")


@dataclass(frozen=True)
class KnownFacts:
    """What a message may state: money, dates, references, bank details, contacts."""

    amounts: frozenset[int] = frozenset()
    dates: frozenset[date] = frozenset()
    days: frozenset[tuple[int, int]] = frozenset()  # (month, day) written without a year
    references: frozenset[str] = frozenset()  # casefolded
    ibans: frozenset[str] = frozenset()  # compact
    links: frozenset[str] = frozenset()  # normalised
    emails: frozenset[str] = frozenset()  # lower case
    phones: frozenset[str] = frozenset()  # national digits


@dataclass
class _Found:
    amounts: list[tuple[str, int | None]] = field(default_factory=list)  # None: unreadable
    dates: list[tuple[str, date | tuple[int, int]]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    ibans: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)


def _link(text: str) -> str:
    core = re.sub(r"^(?:https?://)?(?:www\.)?", "", text.strip().rstrip(".,;:!?)").lower())
    return core.rstrip("/")


def _phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+") and digits.startswith("33"):
        digits = "0" + digits[2:]
    return digits


def _date(day: int, month: int, year: int | None) -> date | tuple[int, int] | None:
    try:
        return date(year, month, day) if year else (month, day)
    except ValueError:
        return None


def _blank(text: str, match: re.Match[str]) -> str:
    start, end = match.span()
    return text[:start] + " " * (end - start) + text[end:]


def extract(text: str) -> _Found:
    """Every fact written in `text`; each is blanked once found (a date is not also a number)."""
    found = _Found()
    for pattern, kind in ((_EMAIL, "emails"), (_URL, "links"), (_IBAN, "ibans")):
        for m in list(pattern.finditer(text)):
            getattr(found, kind).append(m.group(0).rstrip(".,;:!?)"))
            text = _blank(text, m)
    for m in list(_NUMERIC_DATE.finditer(text)):
        if m.group(1):
            value = _date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        else:
            value = _date(int(m.group(7)), int(m.group(6)), int(m.group(5)))
        if value is not None:
            found.dates.append((m.group(0), value))
            text = _blank(text, m)
    for m in list(_DAY_MONTH.finditer(text)):
        day = 1 if m.group(1).lower() == "1er" else int(m.group(1))
        year = int(m.group(3)) if m.group(3) else None
        value = _date(day, _MONTHS[m.group(2).lower()], year)
        if value is not None:
            found.dates.append((m.group(0), value))
            text = _blank(text, m)
    for m in list(_MONTH_DAY.finditer(text)):
        value = _date(int(m.group(2)), _MONTHS[m.group(1).lower()], int(m.group(3)))
        if value is not None:
            found.dates.append((m.group(0), value))
            text = _blank(text, m)
    for m in list(_AMOUNT.finditer(text)):
        number = next(g for g in m.groups() if g)
        try:
            found.amounts.append((m.group(0).strip(), parse_amount(number)))
        except AmountError:
            found.amounts.append((m.group(0).strip(), None))  # never a known amount
        text = _blank(text, m)
    for m in list(_PHONE.finditer(text)):
        found.phones.append((m.group(0).strip(), _phone(m.group(0))))
        text = _blank(text, m)
    for m in _REFERENCE.finditer(text):
        token = m.group(0)
        if token.isdigit() and 1900 <= int(token) <= 2199:
            continue  # a year
        if any(c.isdigit() for c in token) and (len(token) >= 5 or token.isdigit()):
            found.references.append(token)
    return found


def known_facts(
    texts: Iterable[str],
    *,
    amounts: Iterable[int] = (),
    dates: Iterable[date] = (),
    references: Iterable[str] = (),
    ibans: Iterable[str] = (),
    links: Iterable[str] = (),
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> KnownFacts:
    """The facts of a message: those stated by its approved template (rendered with the real
    values), plus the ones given (the invoices, the company, the customer)."""
    found = _Found()
    for text in texts:
        got = extract(text)
        for name in ("amounts", "dates", "references", "ibans", "links", "emails", "phones"):
            getattr(found, name).extend(getattr(got, name))
    return KnownFacts(
        amounts=frozenset([a for _, a in found.amounts if a is not None] + list(amounts)),
        dates=frozenset([d for _, d in found.dates if isinstance(d, date)] + list(dates)),
        days=frozenset(d for _, d in found.dates if isinstance(d, tuple)),
        references=frozenset(r.casefold() for r in [*found.references, *references] if r),
        ibans=frozenset("".join(i.split()).upper() for i in [*found.ibans, *ibans] if i),
        links=frozenset(_link(x) for x in [*found.links, *links] if x),
        emails=frozenset(e.lower() for e in [*found.emails, *emails] if e),
        phones=frozenset(_phone(p) for p in [*(raw for raw, _ in found.phones), *phones] if p),
    )


def check_text(subject: str, body: str, facts: KnownFacts, rule: ToneRule | None) -> list[str]:
    """Violations of the current text (empty: every fact is one of the message's)."""
    text = f"{subject}\n{body}"
    found = extract(text)
    out: list[str] = []
    for raw, cents in found.amounts:
        if raw.casefold() in facts.references:  # an invoice number that reads like an amount
            continue
        if cents is None or cents not in facts.amounts:
            out.append(tr("montant absent des factures : {v}", "amount not in the invoices: {v}",
                          v=raw))  # fmt: skip
    days = {(d.month, d.day) for d in facts.dates} | facts.days
    for raw, value in found.dates:
        ok = value in facts.dates if isinstance(value, date) else value in days
        if not ok:
            out.append(tr("date absente des factures : {v}", "date not in the invoices: {v}",
                          v=raw))  # fmt: skip
    for raw in found.references:
        if raw.casefold() not in facts.references:
            out.append(tr("référence inconnue : {v}", "unknown reference: {v}", v=raw))
    for raw in found.ibans:
        if "".join(raw.split()).upper() not in facts.ibans:
            out.append(tr("IBAN qui n'est pas le nôtre : {v}", "IBAN that is not ours: {v}",
                          v=raw))  # fmt: skip
    for raw in found.links:
        if _link(raw) not in facts.links:
            out.append(tr("lien inconnu : {v}", "unknown link: {v}", v=raw))
    for raw in found.emails:
        if raw.lower() not in facts.emails:
            out.append(tr("adresse e-mail inconnue : {v}", "unknown e-mail address: {v}", v=raw))
    for raw, digits in found.phones:
        if digits not in facts.phones:
            out.append(tr("numéro de téléphone inconnu : {v}", "unknown phone number: {v}",
                          v=raw))  # fmt: skip
    if rule is not None:
        forbidden_only = rule.model_copy(update={"required": []})
        out += phrase_violations(text, forbidden_only)
    return list(dict.fromkeys(out))


def facts_of(
    texts: Iterable[str], company: Company, invoices: Iterable[Invoice], customer: Customer | None
) -> KnownFacts:
    """The facts of one message: its template text, its invoices, the company, the customer."""
    invoices = list(invoices)
    total = sum(i.outstanding_cents for i in invoices)
    c = company.contact
    return known_facts(
        texts,
        amounts=[
            total,
            *(i.outstanding_cents for i in invoices),
            *(i.amount_cents for i in invoices),
        ],
        dates=[d for i in invoices for d in (i.due_date, i.issue_date)],
        references=[r for i in invoices for r in (i.number, i.reference or "")],
        ibans=[company.iban],
        links=[company.payment_link],
        emails=[
            company.email,
            c.email,
            *([customer.email or "", customer.salesperson_email or ""] if customer else []),
        ],
        phones=[company.phone, c.phone, *([customer.phone or ""] if customer else [])],
    )


def facts_of_draft(store: Store, view: DraftView, company: Company) -> KnownFacts:
    """A queued draft's facts: its approved template text, invoices, company and customer."""
    invoices = [i for n in view.invoices if (i := repo.get_invoice(store, n)) is not None]
    customer = repo.get_customer(store, view.customer_id)
    texts = [view.template_subject, view.template_body]
    return facts_of(texts, company, invoices, customer)
