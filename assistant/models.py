"""Domain models (pydantic). Money is integer cents; dates are `date` objects."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.invoice_status import InvoiceStatus as InvoiceStatus  # its home before

Language = Literal["fr", "en"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ClosingPeriod(_Model):
    start: date
    end: date


class Customer(_Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: str | None = None
    phone: str | None = None
    language: Language = "fr"
    country: str = Field(default="FR", min_length=2, max_length=2)
    segment: str | None = None
    risk: Literal["low", "medium", "high"] | None = None
    strategic: bool = False
    salesperson_name: str | None = None
    salesperson_email: str | None = None
    customer_since: date | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    payment_terms_end_of_month: bool = False  # "45 jours fin de mois"
    sms_opt_in: bool = False
    do_not_contact: bool = False
    notes: str | None = None
    # Legal identity and postal address (formal notices, litigation files).
    legal_form: str | None = None  # SAS, SARL, EURL...
    siren: str | None = None  # 9 digits, when known
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    # None: not given (keep what the store has); []: no closing period.
    closing_periods: list[ClosingPeriod] | None = None

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("siren")
    @classmethod
    def _siren(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = "".join(value.split())
        if not digits:
            return None
        if len(digits) != 9 or not digits.isdigit():
            raise ValueError("SIREN: 9 digits expected")
        return digits

    def postal_address(self) -> list[str]:
        """The address lines for a letter (name first), without empty parts."""
        town = " ".join(x for x in (self.postal_code, self.city) if x)
        lines = [self.address_line1, self.address_line2, town]
        if self.country != "FR":
            lines.append(self.country)
        return [x for x in lines if x]


class Invoice(_Model):
    number: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)
    issue_date: date
    due_date: date
    amount_cents: int
    outstanding_cents: int
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    status: InvoiceStatus = InvoiceStatus.OPEN
    reference: str | None = None
    pdf_path: str | None = None
    paid_date: date | None = None


class Payment(_Model):
    invoice_number: str
    date: date
    amount_cents: int
    source: str = "import"
