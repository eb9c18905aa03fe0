"""`relance export status`: one row per customer and open invoice, stage and next action."""

from __future__ import annotations

import csv
import io
from datetime import date

from assistant.export_status import COLUMNS, status_rows, to_csv
from assistant.models import InvoiceStatus
from assistant.storage.db import Store
from assistant.storage.export_repo import open_invoice_rows
from tests.unit.rules_builders import add_customer, add_invoice, mark, plan_on

DAY = date(2026, 11, 24)


def test_rows_stage_and_next_action(store: Store) -> None:
    add_customer(store, "C1", name="Alpha")
    add_customer(store, "C2", name="Beta")
    add_invoice(store, "F-1", date(2026, 10, 1), 123_456, cid="C1")
    add_invoice(store, "F-2", date(2026, 12, 20), 50_000, cid="C1")
    add_invoice(store, "F-3", date(2026, 9, 1), 9_999, cid="C2", status=InvoiceStatus.PAID)
    mark(store, ["F-1"], "reminder_1", date(2026, 10, 10))
    rows = status_rows(open_invoice_rows(store), plan_on(store, DAY).actions, DAY)
    assert [r["invoice_number"] for r in rows] == ["F-1", "F-2"]  # a paid one is not open
    first, second = rows
    assert first["customer_name"] == "Alpha" and first["outstanding"] == "1234.56"
    assert first["days_late"] == (DAY - date(2026, 10, 1)).days and second["days_late"] == 0
    assert first["stage"] == "reminder_1" and first["stage_on"] == "2026-10-10"
    assert second["stage"] is None and second["next_action"] is None
    due = [a for a in plan_on(store, DAY).actions if "F-1" in a.invoices]
    assert due and first["next_action"] == due[0].step != "reminder_1"
    assert first["next_action_channel"] == due[0].channel
    assert tuple(first) == COLUMNS


def test_csv_has_a_header_and_the_same_cells(store: Store) -> None:
    add_customer(store, "C1", name="Alpha, Beta & Cie")
    add_invoice(store, "F-1", date(2026, 10, 1), 1_000, cid="C1")
    rows = status_rows(open_invoice_rows(store), plan_on(store, DAY).actions, DAY)
    text = to_csv(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert tuple(parsed[0]) == COLUMNS and len(parsed) == 1
    assert parsed[0]["customer_name"] == "Alpha, Beta & Cie"  # quoted, not split
    assert parsed[0]["outstanding"] == "10.00" and parsed[0]["salesperson"] == ""
    assert parsed[0]["requires_human"] in ("true", "false")
