"""`relance export status`: payment status for a CRM — one row per customer and open invoice,
with its stage (the last reminder step done) and the next action of today's plan
(docs/contracts.md)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from assistant.labels import step_label
from assistant.money import cents_to_str
from assistant.rules import Action
from assistant.storage.export_repo import OpenInvoiceRow

COLUMNS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "salesperson",
    "salesperson_email",
    "invoice_number",
    "due_date",
    "days_late",
    "outstanding",
    "currency",
    "status",
    "stage",
    "stage_on",
    "next_action",
    "next_action_label",
    "next_action_channel",
    "requires_human",
    "owner",
)


def next_action(row: OpenInvoiceRow, actions: list[Action]) -> Action | None:
    """Today's action naming the invoice, else one about its whole customer (no invoices)."""
    mine = [a for a in actions if a.customer_id == row.customer_id]
    named = next((a for a in mine if row.invoice_number in a.invoices), None)
    return named or next((a for a in mine if not a.invoices), None)


def status_rows(rows: list[OpenInvoiceRow], actions: list[Action], as_of: date) -> list[dict]:
    out: list[dict[str, Any]] = []
    for row in rows:
        action = next_action(row, actions)
        out.append(
            {
                "customer_id": row.customer_id,
                "customer_name": row.customer_name,
                "salesperson": row.salesperson_name,
                "salesperson_email": row.salesperson_email,
                "invoice_number": row.invoice_number,
                "due_date": row.due_date.isoformat(),
                "days_late": max((as_of - row.due_date).days, 0),
                "outstanding": cents_to_str(row.outstanding_cents),
                "currency": row.currency,
                "status": row.status,
                "stage": row.last_step,
                "stage_on": row.last_step_on.isoformat() if row.last_step_on else None,
                "next_action": action.step if action else None,
                "next_action_label": step_label(action.step) if action else None,
                "next_action_channel": action.channel if action else None,
                "requires_human": action.requires_human if action else False,
                "owner": row.owner,
            }
        )
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    """RFC 4180 CSV, comma-separated, a header line, empty cells for nulls."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
