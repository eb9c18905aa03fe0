"""What a customer owes by law on a date: principal, 40 € indemnities, late interest by
half-year, indemnities on invoices paid late, and limitation dates. One computation shared by
the brief, the formal notice, the litigation file and the proceedings task, so their totals
agree to the cent. Everything is as it stood on `as_of`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from assistant.briefs.options import PaymentPlanPolicy, load_plan_policy
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.money import cents_to_str
from assistant.statutory.interest import InterestLine, late_interest
from assistant.statutory.rates import (
    AppliedRate,
    RateBook,
    RateTables,
    StatutoryPolicy,
    load_rate_tables,
    load_statutory_policy,
)
from assistant.storage import statutory as db
from assistant.storage.db import Store

METHOD = (
    "simple interest, per day, base 365, on the sum unpaid each day, from the day after the due"
    " date up to and including the day of payment (for the part paid) or the as-of date; the"
    " annual rate is fixed per half-year (taken on 1 January and 1 July): ECB main refinancing"
    " rate + 10 points (Code de commerce L441-10 II), or the contractual rate, never below 3 x"
    " the legal interest rate; each half-year rounded half-up to the cent"
)


def method_text() -> str:
    return tr(
        "intérêts simples, calculés jour par jour (base 365) sur la somme restant due chaque"
        " jour, du lendemain de l'échéance jusqu'au jour du paiement inclus pour la part payée ;"
        " taux annuel fixé par semestre (au 1er janvier et au 1er juillet) : taux de"
        " refinancement de la BCE majoré de 10 points (C. com. L441-10 II), ou taux contractuel,"
        " jamais inférieur à trois fois le taux de l'intérêt légal ; arrondi au centime le plus"
        " proche par semestre",
        METHOD,
    )


@dataclass(frozen=True)
class InvoiceClaim:
    number: str
    issue_date: date
    due_date: date
    amount_cents: int
    outstanding_cents: int
    currency: str
    days_late: int
    indemnity_cents: int
    interest: tuple[InterestLine, ...]
    limitation_date: date
    reference: str | None = None
    pdf_path: str | None = None

    @property
    def interest_cents(self) -> int:
        return sum(line.amount_cents for line in self.interest)

    def as_json(self) -> dict[str, Any]:
        return {
            "invoice_number": self.number,
            "issue_date": self.issue_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "amount": cents_to_str(self.amount_cents),
            "outstanding": cents_to_str(self.outstanding_cents),
            "currency": self.currency,
            "days_late": self.days_late,
            "recovery_indemnity": cents_to_str(self.indemnity_cents),
            "late_interest": cents_to_str(self.interest_cents),
            "interest_by_half_year": [line.as_json() for line in self.interest],
            "limitation_date": self.limitation_date.isoformat(),
            "reference": self.reference,
        }


@dataclass(frozen=True)
class PaidLate:
    number: str
    due_date: date
    paid_date: date
    days_late: int
    indemnity_cents: int

    def as_json(self) -> dict[str, Any]:
        return {
            "invoice_number": self.number,
            "due_date": self.due_date.isoformat(),
            "paid_date": self.paid_date.isoformat(),
            "days_late": self.days_late,
            "recovery_indemnity": cents_to_str(self.indemnity_cents),
        }


@dataclass(frozen=True)
class LimitationWarning:
    number: str
    due_date: date
    limitation_date: date

    def text(self) -> str:
        return tr(
            "{n} : prescription le {d} (5 ans après l'échéance, C. com. L110-4) : agir avant",
            "{n}: time-barred on {d} (5 years after the due date, C. com. L110-4): act before",
            n=self.number,
            d=self.limitation_date.isoformat(),
        )


@dataclass
class Claims:
    customer_id: str
    as_of: date
    currency: str
    overdue: list[InvoiceClaim]
    not_due: list[InvoiceClaim]
    disputed: list[InvoiceClaim]
    paid_late: list[PaidLate]
    credits_cents: int
    limitations: list[LimitationWarning]
    indemnity_per_invoice_cents: int
    rates: list[AppliedRate] = field(default_factory=list)
    # Every currency with an invoice unpaid on as_of; sums above are in `currency` only.
    owed_currencies: tuple[str, ...] = ()

    @property
    def principal_cents(self) -> int:
        return sum(i.outstanding_cents for i in self.overdue)

    @property
    def outstanding_cents(self) -> int:
        return self.principal_cents + sum(i.outstanding_cents for i in self.not_due)

    @property
    def indemnity_cents(self) -> int:
        return sum(i.indemnity_cents for i in self.overdue)

    @property
    def interest_cents(self) -> int:
        return sum(i.interest_cents for i in self.overdue)

    @property
    def paid_late_indemnity_cents(self) -> int:
        return sum(p.indemnity_cents for p in self.paid_late)

    @property
    def total_cents(self) -> int:
        """Net amount claimed: overdue principal + indemnities + interest - unallocated credits."""
        return max(
            self.principal_cents + self.indemnity_cents + self.interest_cents - self.credits_cents,
            0,
        )

    def interest_by_half_year(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for inv in self.overdue:
            for line in inv.interest:
                out[line.half.key] = out.get(line.half.key, 0) + line.amount_cents
        return dict(sorted(out.items()))

    @property
    def estimated(self) -> list[AppliedRate]:
        return [r for r in self.rates if r.estimated]

    @property
    def other_currencies(self) -> tuple[str, ...]:
        """Currencies the customer also owes in, left out of these sums (one claim each)."""
        return tuple(c for c in self.owed_currencies if c != self.currency)

    def rate_in_force(self) -> AppliedRate | None:
        return next((r for r in self.rates if r.half.start <= self.as_of <= r.half.end), None)


def _limitation(due: date, policy: StatutoryPolicy) -> date:
    return due + relativedelta(years=policy.limitation_years)


def compute_claims(
    store: Store,
    customer_id: str,
    as_of: date,
    *,
    policy: StatutoryPolicy,
    tables: RateTables,
    plans: PaymentPlanPolicy,
    currency: str | None = None,
) -> Claims:
    """The claims in one currency: `currency`, else the one of the largest overdue sum."""
    invoices = db.invoices_as_of(store, customer_id, as_of)
    owed = owed_by_currency(invoices, as_of)
    currency = (currency or _main_currency(owed, invoices)).upper()
    invoices = [inv for inv in invoices if inv.currency == currency]
    book = RateBook(tables, policy.contractual_rate_percent)
    indemnity = plans.recovery_indemnity.amount_per_invoice
    indemnity_on = plans.recovery_indemnity.enabled
    overdue: list[InvoiceClaim] = []
    not_due: list[InvoiceClaim] = []
    disputed: list[InvoiceClaim] = []
    paid_late: list[PaidLate] = []
    limitations: list[LimitationWarning] = []
    window_start = as_of - relativedelta(months=policy.paid_late_window_months)
    for inv in invoices:
        if inv.status == "paid":
            if inv.paid_date and inv.paid_date > inv.due_date and inv.paid_date > window_start:
                paid_late.append(
                    PaidLate(
                        inv.number,
                        inv.due_date,
                        inv.paid_date,
                        (inv.paid_date - inv.due_date).days,
                        indemnity if indemnity_on else 0,
                    )
                )
            continue
        late = max((as_of - inv.due_date).days, 0)
        limit = _limitation(inv.due_date, policy)
        if as_of >= limit - relativedelta(months=policy.limitation_warning_months):
            limitations.append(LimitationWarning(inv.number, inv.due_date, limit))
        lines: tuple[InterestLine, ...] = ()
        if late and inv.status == "open" and plans.late_interest.enabled:
            lines = tuple(
                late_interest(inv.due_date, as_of, inv.outstanding_cents, inv.payments, book)
            )
        claim = InvoiceClaim(
            inv.number,
            inv.issue_date,
            inv.due_date,
            inv.amount_cents,
            inv.outstanding_cents,
            inv.currency,
            late,
            indemnity if (late and indemnity_on) else 0,
            lines,
            limit,
            inv.reference,
            inv.pdf_path,
        )
        if inv.status == "disputed":
            disputed.append(claim)
        elif late:
            overdue.append(claim)
        else:
            not_due.append(claim)
    rates = sorted(
        {line.rate.half: line.rate for c in overdue for line in c.interest}.values(),
        key=lambda r: r.half,
    )
    if not any(r.half.start <= as_of <= r.half.end for r in rates):
        rates.append(book.for_day(as_of))
    return Claims(
        customer_id,
        as_of,
        currency,
        overdue,
        not_due,
        disputed,
        paid_late,
        db.unallocated_credits_cents(store, customer_id, as_of, currency),
        limitations,
        indemnity,
        rates,
        tuple(sorted(owed)),
    )


def owed_by_currency(invoices: list[db.InvoiceAsOf], as_of: date) -> dict[str, int]:
    """Overdue cents per currency among the invoices unpaid on `as_of` (0 if none overdue)."""
    owed: dict[str, int] = {}
    for inv in invoices:
        if inv.status == "paid":
            continue
        late = inv.status == "open" and inv.due_date < as_of
        owed[inv.currency] = owed.get(inv.currency, 0) + (inv.outstanding_cents if late else 0)
    return owed


def _main_currency(owed: dict[str, int], invoices: list[db.InvoiceAsOf]) -> str:
    if owed:
        return min(owed, key=lambda c: (-owed[c], c))
    return invoices[0].currency if invoices else "EUR"


def claims_for(
    store: Store, home: Path | None, customer_id: str, as_of: date, currency: str | None = None
) -> Claims:
    """The claims with the policies in effect in `home`."""
    return compute_claims(
        store,
        customer_id,
        as_of,
        policy=load_statutory_policy(home),
        tables=load_rate_tables(home),
        plans=load_plan_policy(home),
        currency=currency,
    )


def claims_for_a_letter(
    store: Store, home: Path | None, customer_id: str, as_of: date, currency: str | None
) -> Claims:
    """The claims of one letter or file: one currency, never silently chosen among several."""
    claims = claims_for(store, home, customer_id, as_of, currency)
    owed = claims.owed_currencies
    if currency is None and claims.other_currencies:
        raise UserError(
            tr(
                "{c} doit en plusieurs devises ({l}) : un document par devise, précisez --currency",
                "{c} owes in several currencies ({l}): one document per currency, give --currency",
                c=customer_id,
                l=", ".join(owed),
            )
        )
    if currency is not None and owed and currency.upper() not in owed:
        raise UserError(
            tr(
                "{c} ne doit rien en {x} (devises : {l})",
                "{c} owes nothing in {x} (currencies: {l})",
                c=customer_id,
                x=currency.upper(),
                l=", ".join(owed),
            )
        )
    return claims
