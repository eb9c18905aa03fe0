"""Pure, deterministic generation of the demo history (no store, no clock).

`make_scenario(as_of, seed)` returns everything that happened in the six months before `as_of`:
customers, invoices with their payments, disputes, the reminders sent and the calls made, as
plain data. The builder then replays it through the store in date order.

The reminder history follows the default scenario (policies/scenario.yaml) as if the tool
had run every business day: J-3, J+3, J+10 e-mails (plus an SMS at J+10 for opted-in,
non-strategic customers), a call at J+20; one message per customer and step; only the most
advanced due step (catch-up); at least `MIN_GAP_DAYS` between two e-mails to one customer;
nothing for a paid, disputed or promised invoice, nor for a do-not-contact customer; dates on
the customer's business days.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from assistant.demo.catalog import (
    CUSTOMERS,
    MISSION_LABELS,
    SALESPEOPLE,
    CustomerSpec,
    Profile,
)
from assistant.models import ClosingPeriod, Customer

WINDOW_DAYS = 183  # invoices issued over the last six months
MIN_GAP_DAYS = 5  # between two e-mails to one customer
PROMISE_GRACE_DAYS = 3
MIN_INVOICE_CENTS = 450_00
MAX_INVOICE_CENTS = 38_000_00
STEPS = ("pre_due", "reminder_1", "reminder_2", "call")
STEP_OFFSETS = {"pre_due": -3, "reminder_1": 3, "reminder_2": 10, "call": 20}
CALL = STEPS.index("call")

# Days late at payment, per profile: (weight, min, max). Ranges sit just after the steps
# (J+3, J+10, J+20) so that "paid within 7 days of the reminder" has something to show.
DELAYS: dict[Profile, tuple[tuple[int, int, int], ...]] = {
    "early": ((60, -10, -3), (35, -2, 0), (5, 4, 8)),
    "on_time": ((30, -6, -1), (50, -1, 2), (15, 4, 9), (5, 11, 16)),
    "after_reminder": ((20, -2, 1), (55, 4, 9), (20, 11, 17), (5, 21, 28)),
    "late": ((15, 4, 9), (35, 11, 18), (30, 21, 30), (20, 31, 55)),
    "very_late": ((10, 11, 18), (25, 21, 30), (35, 31, 60), (30, 61, 120)),
    "stopped": ((100, 5, 25),),
}
PARTIAL_SHARE: dict[Profile, float] = {"late": 0.2, "very_late": 0.5}


# -- calendar ---------------------------------------------------------------------------------
class BusinessCalendar:
    """Weekends, public holidays of a country and closing periods."""

    def __init__(self, country: str, years: tuple[int, ...], closed: tuple[ClosingPeriod, ...]):
        self._holidays = _country_holidays(country, years)
        self._closed = closed

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self._holidays:
            return False
        return not any(p.start <= day <= p.end for p in self._closed)

    def next_business_day(self, day: date) -> date:
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def previous_business_day(self, day: date) -> date:
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day


@lru_cache(maxsize=16)
def _country_holidays(country: str, years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=years).keys())


# -- scenario data ----------------------------------------------------------------------------
@dataclass
class PlannedInvoice:
    customer_id: str
    issue_date: date
    due_date: date
    amount_cents: int
    reference: str | None
    payments: list[tuple[date, int]] = field(default_factory=list)
    dispute: tuple[date, str] | None = None
    promise: tuple[date, date] | None = None  # (made on, promised date)
    tag: str | None = None  # scripted role: "dispute_call", "promise", "stage:reminder_1", ...
    number: str = ""

    @property
    def paid_date(self) -> date | None:
        """Date of the payment that settles the invoice in full, if any."""
        return (
            self.payments[-1][0] if sum(a for _, a in self.payments) >= self.amount_cents else None
        )

    def open_on(self, day: date) -> bool:
        """Issued, not settled, not disputed, not inside a promise window on `day`."""
        paid = self.paid_date
        if self.issue_date > day or (paid is not None and paid <= day):
            return False
        if self.dispute is not None and self.dispute[0] < day:
            return False
        if self.promise is not None:
            made, promised = self.promise
            if made < day <= promised + timedelta(days=PROMISE_GRACE_DAYS):
                return False
        return True


@dataclass(frozen=True)
class PlannedMessage:
    on: date
    customer_id: str
    step: str
    channel: str  # "email" | "sms"
    invoices: tuple[str, ...]


@dataclass(frozen=True)
class PlannedPromise:
    invoice_number: str
    promised_date: date
    amount_cents: int


@dataclass(frozen=True)
class PlannedCall:
    on: date
    customer_id: str
    invoices: tuple[str, ...]
    outcome: str  # promise | dispute | no-answer | wrong-contact
    note: str
    promises: tuple[PlannedPromise, ...] = ()


@dataclass
class Scenario:
    as_of: date
    seed: int
    window_start: date
    customers: list[Customer]
    invoices: list[PlannedInvoice]
    messages: list[PlannedMessage]
    calls: list[PlannedCall]


# -- generation -------------------------------------------------------------------------------
def make_scenario(as_of: date, seed: int) -> Scenario:
    """The whole demo history before `as_of` (same `as_of` and `seed` give the same scenario)."""
    window_start = as_of - timedelta(days=WINDOW_DAYS)
    years = tuple(range(window_start.year - 1, as_of.year + 2))
    bank = BusinessCalendar("FR", years, ())
    customers = [_customer(spec, as_of) for spec in CUSTOMERS]
    invoices: list[PlannedInvoice] = []
    for spec, customer in zip(CUSTOMERS, customers, strict=True):
        rng = random.Random(f"{seed}:{spec.id}:invoices")
        invoices += _invoices(spec, customer, as_of, window_start, bank, rng)
    by_id = {c.id: c for c in customers}
    invoices += _scripted_invoices(by_id, as_of, bank)
    _number(invoices, window_start)
    messages: list[PlannedMessage] = []
    calls: list[PlannedCall] = []
    for spec, customer in zip(CUSTOMERS, customers, strict=True):
        if customer.do_not_contact:
            continue
        calendar = BusinessCalendar(customer.country, years, tuple(customer.closing_periods or ()))
        mine = [i for i in invoices if i.customer_id == customer.id]
        rng = random.Random(f"{seed}:{spec.id}:history")
        sent, made = _history(customer, mine, calendar, bank, window_start, as_of, rng)
        messages += sent
        calls += made
    messages.sort(key=lambda m: (m.on, m.customer_id, STEPS.index(m.step), m.channel))
    calls.sort(key=lambda c: (c.on, c.customer_id))
    return Scenario(as_of, seed, window_start, customers, invoices, messages, calls)


def _customer(spec: CustomerSpec, as_of: date) -> Customer:
    seller = SALESPEOPLE[spec.salesperson]
    since = as_of - timedelta(days=round(spec.since_months * 30.44) + int(spec.id[1:]) % 9)
    line1, postal_code, city = split_address(spec.address)
    return Customer(
        id=spec.id,
        name=spec.name,
        email=spec.email,
        phone=spec.phone,
        language=spec.language,
        country=spec.country,
        segment=None,  # segments are computed by the policy; a label here would override it
        risk=spec.risk,
        strategic=spec.strategic,
        salesperson_name=seller.name,
        salesperson_email=seller.email,
        customer_since=since,
        payment_terms_days=spec.terms,
        sms_opt_in=spec.sms_opt_in,
        do_not_contact=spec.do_not_contact,
        notes=spec.note,
        legal_form=legal_form(spec),
        address_line1=line1,
        postal_code=postal_code,
        city=city,
        closing_periods=closing_periods(as_of) if spec.closing_period else [],
    )


def split_address(address: str) -> tuple[str, str | None, str]:
    """'14 avenue Roger Salengro, 69100 Villeurbanne' -> (street, '69100', 'Villeurbanne');
    a town without a leading postal code stays whole ('London EC1M 5RR')."""
    street, _, town = address.rpartition(", ")
    code, _, city = town.partition(" ")
    if code.isdigit() and city:
        return street, code, city
    return street, None, town


def legal_form(spec: CustomerSpec) -> str:
    """An invented but plausible legal form for a demo customer."""
    for suffix in ("Ltd", "BV"):
        if spec.name.endswith(suffix):
            return suffix
    if spec.name.startswith("Association"):
        return "Association loi 1901"
    return "SARL" if spec.segment == "small" else "SAS"


def upcoming_closure(as_of: date) -> ClosingPeriod:
    """The closure that matters in the coming weeks: the Christmas closure (20 Dec - 3 Jan) if
    it is under way or starts within six weeks, else a two-week closure starting on the first
    Monday at least 14 days after `as_of`."""
    for year in (as_of.year - 1, as_of.year):
        christmas = ClosingPeriod(start=date(year, 12, 20), end=date(year + 1, 1, 3))
        if as_of <= christmas.end and (christmas.start - as_of).days <= 42:
            return christmas
    start = as_of + timedelta(days=14)
    start += timedelta(days=(7 - start.weekday()) % 7)
    return ClosingPeriod(start=start, end=start + timedelta(days=13))


def closing_periods(as_of: date) -> list[ClosingPeriod]:
    """The upcoming closure plus the last summer closure (three weeks in August)."""
    year = as_of.year if date(as_of.year, 8, 21) < as_of else as_of.year - 1
    summer = ClosingPeriod(start=date(year, 8, 1), end=date(year, 8, 21))
    return [summer, upcoming_closure(as_of)]


def _invoices(
    spec: CustomerSpec,
    customer: Customer,
    as_of: date,
    window_start: date,
    bank: BusinessCalendar,
    rng: random.Random,
) -> list[PlannedInvoice]:
    start = max(window_start, customer.customer_since or window_start)
    end = as_of - timedelta(days=1)
    stop_paying = as_of - timedelta(days=130)  # "stopped": receivership, nothing paid since
    if spec.profile == "stopped":
        end = as_of - timedelta(days=75)
    span = (end - start).days
    out: list[PlannedInvoice] = []
    for k in range(spec.invoices):
        issue = start + timedelta(days=int((k + rng.uniform(0.15, 0.85)) * span / spec.invoices))
        issue = bank.next_business_day(issue)
        if issue > end:
            issue = bank.previous_business_day(end)
        due = issue + timedelta(days=spec.terms)
        invoice = PlannedInvoice(
            customer_id=spec.id,
            issue_date=issue,
            due_date=due,
            amount_cents=_amount(spec.amount_eur, rng),
            reference=_reference(spec, issue, rng),
        )
        if spec.profile != "stopped" or due < stop_paying:
            invoice.payments = _payments(invoice, spec.profile, as_of, bank, rng)
        out.append(invoice)
    return out


def _amount(bounds_eur: tuple[int, int], rng: random.Random) -> int:
    """A services invoice incl. 20 % VAT: days x day rate, or a fixed price; integer cents."""
    low, high = bounds_eur[0] * 100, bounds_eur[1] * 100
    target = rng.uniform(low, high) if rng.random() < 0.5 else low * (high / low) ** rng.random()
    net_target = target / 1.2
    if rng.random() < 0.6:
        rate = rng.choice((550, 620, 680, 750, 850, 950)) * 100
        half_days = max(1, round(net_target / rate * 2))
        net = rate * half_days // 2
    else:
        net = max(250, round(net_target / 250) * 250)  # fixed price, multiple of 2.50 €
    if rng.random() < 0.3:  # travel expenses re-invoiced at cost
        net += rng.randint(300, 9000) * 5
    gross = net * 6 // 5  # net is a multiple of 5 cents: exact
    return min(max(gross, MIN_INVOICE_CENTS, low), MAX_INVOICE_CENTS, high)


def _reference(spec: CustomerSpec, issue: date, rng: random.Random) -> str | None:
    if spec.segment == "key_account":
        return f"BC {rng.randrange(4_500_000_000, 4_500_999_999)}"
    if rng.random() < 0.25:
        return None
    return f"{rng.choice(MISSION_LABELS)} – {issue:%m/%Y}"


def _payments(
    invoice: PlannedInvoice,
    profile: Profile,
    as_of: date,
    bank: BusinessCalendar,
    rng: random.Random,
) -> list[tuple[date, int]]:
    """The payments received before `as_of`, following the customer's habits."""
    weights = [w for w, _, _ in DELAYS[profile]]
    _, low, high = rng.choices(DELAYS[profile], weights=weights)[0]
    delay = rng.randint(low, high)
    paid_on = bank.next_business_day(
        max(invoice.issue_date + timedelta(days=1), invoice.due_date + timedelta(days=delay))
    )
    payments: list[tuple[date, int]] = []
    remaining = invoice.amount_cents
    if delay > 10 and rng.random() < PARTIAL_SHARE.get(profile, 0.0):
        share = rng.uniform(0.3, 0.6)
        part = max(100_00, round(invoice.amount_cents * share / 100_00) * 100_00)
        part_on = bank.next_business_day(invoice.due_date + timedelta(days=delay // 2))
        if part < remaining and part_on < as_of:
            payments.append((part_on, part))
            remaining -= part
    if paid_on < as_of:
        payments.append((paid_on, remaining))
    return payments


def _scripted_invoices(
    customers: dict[str, Customer], as_of: date, bank: BusinessCalendar
) -> list[PlannedInvoice]:
    """Invoices with a fixed role, so that the plan at `as_of` has something at every stage."""

    def invoice(cid: str, due: date, cents: int, tag: str, ref: str | None) -> PlannedInvoice:
        terms = customers[cid].payment_terms_days or 30
        return PlannedInvoice(cid, due - timedelta(days=terms), due, cents, ref, tag=tag)

    day = timedelta(days=1)
    out = [
        invoice("C003", as_of + 3 * day, 14_760_00, "stage:pre_due", "BC 4500712203"),
        invoice("C008", as_of - 3 * day, 2_280_00, "stage:reminder_1", "Support technique"),
        invoice("C012", as_of - 10 * day, 1_632_00, "stage:reminder_2", "Support technique"),
        invoice("C010", as_of - 20 * day, 4_896_00, "stage:call", "Refonte site vitrine"),
        invoice("C022", as_of - 32 * day, 3_120_00, "stage:escalation", "Formation équipe interne"),
    ]
    # Closing period: the call (J+20) of this one falls inside the coming closure.
    closure = upcoming_closure(as_of)
    out.append(
        invoice("C011", closure.start - 12 * day, 3_744_00, "closure", "Maintenance applicative")
    )
    # Dispute raised by a key account in reply to the first reminder.
    disputed = invoice("C001", as_of - 26 * day, 21_420_00, "dispute_reply", "BC 4500688417")
    reason = (
        "Livrable contesté : la recette du module de reporting n'est pas validée "
        "(procès-verbal de recette non signé)."
    )
    disputed.dispute = (bank.next_business_day(disputed.due_date + 6 * day), reason)
    out.append(disputed)
    # Dispute raised during the J+20 call (the date is set by the history).
    out.append(invoice("C015", as_of - 45 * day, 5_040_00, "dispute_call", "Atelier UX"))
    # The open promise: partly paid, then promised during the J+20 call.
    due = as_of - 23 * day
    while bank.next_business_day(due + 20 * day) >= as_of:
        due -= day
    promised = invoice("C026", due, 8_616_00, "promise", "Hébergement et infogérance")
    promised.payments = [(bank.next_business_day(due + 8 * day), 3_000_00)]
    out.append(promised)
    return out


def _number(invoices: list[PlannedInvoice], window_start: date) -> None:
    """Chronological numbering per year, as French invoicing rules require (FA-2026-0412)."""
    invoices.sort(key=lambda i: (i.issue_date, i.customer_id, i.amount_cents))
    first_year = window_start.year
    counters: dict[int, int] = {first_year: window_start.timetuple().tm_yday * 4 // 3}
    for inv in invoices:
        year = inv.issue_date.year
        counters[year] = counters.get(year, 0) + 1
        inv.number = f"FA-{year}-{counters[year]:04d}"


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


def _history(
    customer: Customer,
    invoices: list[PlannedInvoice],
    calendar: BusinessCalendar,
    bank: BusinessCalendar,
    window_start: date,
    as_of: date,
    rng: random.Random,
) -> tuple[list[PlannedMessage], list[PlannedCall]]:
    """Replay the reminder scenario for one customer, every business day before `as_of`."""
    schedule = {
        inv.number: (
            calendar.previous_business_day(inv.due_date + timedelta(days=-3)),
            *(
                calendar.next_business_day(inv.due_date + timedelta(days=STEP_OFFSETS[s]))
                for s in STEPS[1:]
            ),
        )
        for inv in invoices
    }
    done: dict[str, int] = {}
    last_email: date | None = None
    messages: list[PlannedMessage] = []
    calls: list[PlannedCall] = []
    for day in _days(window_start, as_of):
        if not calendar.is_business_day(day):
            continue
        due_now: dict[int, list[PlannedInvoice]] = defaultdict(list)
        for inv in invoices:
            if not inv.open_on(day):
                continue
            ready = [
                i
                for i, when in enumerate(schedule[inv.number])
                if i > done.get(inv.number, -1) and when <= day and (i > 0 or day < inv.due_date)
            ]
            if ready:
                due_now[max(ready)].append(inv)
        if CALL in due_now:
            to_call = due_now.pop(CALL)
            calls.append(_call(to_call, day, bank, as_of, rng))
            done.update({inv.number: CALL for inv in to_call})
        if not due_now or (last_email is not None and (day - last_email).days < MIN_GAP_DAYS):
            continue
        step_index = max(due_now)
        numbers = tuple(inv.number for inv in due_now[step_index])
        step = STEPS[step_index]
        messages.append(PlannedMessage(day, customer.id, step, "email", numbers))
        if step == "reminder_2" and customer.sms_opt_in and not customer.strategic:
            messages.append(PlannedMessage(day, customer.id, step, "sms", numbers))
        done.update({n: step_index for n in numbers})
        last_email = day
    return messages, calls


def _outstanding_on(invoice: PlannedInvoice, day: date) -> int:
    return invoice.amount_cents - sum(a for d, a in invoice.payments if d <= day)


def _call(
    invoices: list[PlannedInvoice],
    day: date,
    bank: BusinessCalendar,
    as_of: date,
    rng: random.Random,
) -> PlannedCall:
    """The J+20 call and its outcome, consistent with what the customer did afterwards."""
    customer_id = invoices[0].customer_id
    numbers = tuple(inv.number for inv in invoices)
    tags = {inv.tag: inv for inv in invoices if inv.tag}
    if "promise" in tags:  # the promise still open at `as_of`
        inv = tags["promise"]
        promised = bank.next_business_day(as_of + timedelta(days=7))
        inv.promise = (day, promised)
        amount = _outstanding_on(inv, day)
        note = f"Acompte reçu ; le client s'engage à régler le solde le {promised:%d/%m/%Y}."
        promise = PlannedPromise(inv.number, promised, amount)
        return PlannedCall(day, customer_id, numbers, "promise", note, (promise,))
    if "dispute_call" in tags:
        inv = tags["dispute_call"]
        reason = (
            "Le client conteste deux journées d'atelier facturées en double "
            "(bon d'intervention déjà réglé sur une facture précédente)."
        )
        inv.dispute = (day, reason)
        return PlannedCall(day, customer_id, numbers, "dispute", reason)
    settled = [inv.paid_date for inv in invoices]
    if all(p is not None and p <= day + timedelta(days=15) for p in settled):
        promised = bank.next_business_day(day + timedelta(days=rng.randint(3, 8)))
        promises = []
        for inv in invoices:
            inv.promise = (day, promised)
            promises.append(PlannedPromise(inv.number, promised, _outstanding_on(inv, day)))
        note = f"Le client s'engage à régler le {promised:%d/%m/%Y}."
        return PlannedCall(day, customer_id, numbers, "promise", note, tuple(promises))
    if rng.random() < 0.15:
        note = "Interlocuteur parti ; nouveau contact à obtenir auprès de l'accueil."
        return PlannedCall(day, customer_id, numbers, "wrong-contact", note)
    note = "Messagerie ; message laissé au service comptable."
    return PlannedCall(day, customer_id, numbers, "no-answer", note)
