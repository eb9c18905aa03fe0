"""`translate` parses a long `IN (?, ?, …)` list as one placeholder and widens it after: the
same PostgreSQL text as the full parse (no server needed: translation only)."""

from __future__ import annotations

from assistant.storage.pg.sql import _translate, translate


def test_a_list_of_keys_gives_the_text_of_the_full_parse() -> None:
    marks = ",".join("?" * 500)
    statements = [
        f"SELECT * FROM invoices WHERE number IN ({marks})",
        f"SELECT ref FROM customer_credits WHERE source = ? AND customer_id IN ({marks})"
        " ORDER BY end",
        "SELECT a FROM t WHERE x = ? AND y in (?, ?) AND z NOT IN (? ,?,?) AND w = ?",
        f"UPDATE drafts SET status = ? WHERE id IN ({marks}) AND status IN ('pending')",
        "INSERT INTO customers (id, name) VALUES (?, ?)",
    ]
    for sql in statements:
        assert translate(sql) == _translate(sql, False), sql
    widened = translate(f"SELECT * FROM invoices WHERE number IN ({marks})")
    assert widened.count("%s") == 500 and "?" not in widened
