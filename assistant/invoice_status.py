"""An invoice's status: a plain enum, apart from the pydantic models (a listing loads no
pydantic)."""

from __future__ import annotations

from enum import StrEnum


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    DISPUTED = "disputed"
    CREDITED = "credited"
    CANCELLED = "cancelled"
