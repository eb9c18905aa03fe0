"""Reads restricted to a few customers (per-customer work: a brief, a call, a re-check).

`customer_ids=None` everywhere means the whole portfolio; a collection restricts the read to
those customers, and the result is exactly the whole read filtered to them.
"""

from __future__ import annotations

from collections.abc import Collection

CustomerIds = Collection[str] | None


def customer_filter(column: str, customer_ids: CustomerIds) -> tuple[str, tuple[str, ...]]:
    """`(" AND <column> IN (?, ...)", ids)`, or `("", ())` for the whole portfolio."""
    if customer_ids is None:
        return "", ()
    ids = tuple(sorted(set(customer_ids)))
    return f" AND {column} IN ({','.join('?' * len(ids))})", ids
