"""Domain models (pydantic). Money is integer cents; dates are `date` objects."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Language = Literal["fr", "en"]


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    DISPUTED = "disputed"
    CREDITED = "credited"
    CANCELLED = "cancelled"


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
    # None: not given (keep what the store has); []: no closing period.
    closing_periods: list[ClosingPeriod] | None = None

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


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
