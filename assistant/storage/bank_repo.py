"""SQL of the bank feature: statements, lines, matches, known IBANs, sources, watched files.

Callers wrap writes in `store.transaction()`; nothing here commits on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.bank.model import BankLine, MatchStatus, Statement
from assistant.money import cents_to_str
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds, customer_filter

if TYPE_CHECKING:
    from assistant.bank.matching import Candidate

_CHUNK = 900


@dataclass(frozen=True)
class CandidateView:
    rank: int
    customer_id: str
    score: int
    evidence: list[dict[str, Any]]
    allocations: list[tuple[str, int]]


@dataclass(frozen=True)
class MatchView:
    id: int
    status: MatchStatus
    line_id: int
    line_key: str
    account: str
    bank_date: date
    amount_cents: int
    currency: str
    payer: str | None
    payer_iban: str | None
    remittance: str
    label: str
    chosen: int | None
    auto: bool
    decided_by: str | None
    reason: str | None
    candidates: list[CandidateView] = field(default_factory=list)

    @property
    def shown(self) -> CandidateView | None:
        """The candidate applied, else the best proposal."""
        if self.chosen is not None:
            return next((c for c in self.candidates if c.rank == self.chosen), None)
        return self.candidates[0] if self.candidates else None

    def as_json(self) -> dict[str, Any]:
        """`matches --json` keys (docs/contracts.md), then ours."""
        from assistant.bank.evidence import describe

        best = self.shown
        return {
            "id": self.id,
            "status": self.status.value,
            "bank_date": self.bank_date.isoformat(),
            "amount": cents_to_str(self.amount_cents),
            "payer": self.payer,
            "remittance": self.remittance or self.label,
            "invoices": [n for n, _ in best.allocations] if best else [],
            "score": best.score if best else 0,
            "evidence": [describe(e) for e in best.evidence] if best else [],
            "currency": self.currency,
            "account": self.account,
            "customer_id": best.customer_id if best else None,
            "allocations": [
                {"invoice": n, "amount": cents_to_str(c)}
                for n, c in (best.allocations if best else [])
            ],
            "evidence_codes": [e["code"] for e in best.evidence] if best else [],
            "candidates": [
                {
                    "rank": c.rank,
                    "customer_id": c.customer_id,
                    "score": c.score,
                    "invoices": [n for n, _ in c.allocations],
                    "evidence": [describe(e) for e in c.evidence],
                }
                for c in self.candidates
            ],
            "auto": self.auto,
            "decided_by": self.decided_by,
            "reason": self.reason,
        }


# -- statements and lines ---------------------------------------------------------------------
def insert_statement(store: Store, stmt: Statement, fmt: str, file: str, sha256: str) -> int:
    cur = store.conn.execute(
        "INSERT INTO bank_statements (account, currency, format, reference, opening_date,"
        " closing_date, opening_cents, closing_cents, file, sha256, imported_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stmt.account,
            stmt.currency,
            fmt,
            stmt.reference,
            stmt.opening_date.isoformat() if stmt.opening_date else None,
            stmt.closing_date.isoformat(),
            stmt.opening_cents,
            stmt.closing_cents,
            file,
            sha256,
            store.now_iso(),
        ),
    )
    return int(cur.lastrowid or 0)


def statement_seen(store: Store, sha256: str) -> bool:
    """A statement file with this content was imported before."""
    return bool(store.scalar("SELECT 1 FROM bank_statements WHERE sha256 = ?", (sha256,)))


def set_lines_added(store: Store, statement_id: int, count: int) -> None:
    store.conn.execute(
        "UPDATE bank_statements SET lines_added = ? WHERE id = ?", (count, statement_id)
    )


def known_line_keys(store: Store, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in store.conn.execute(
                f"SELECT line_key FROM bank_lines WHERE line_key IN ({marks})", chunk
            )
        )
    return found


def insert_line(store: Store, statement_id: int, account: str, key: str, line: BankLine) -> int:
    cur = store.conn.execute(
        "INSERT INTO bank_lines (statement_id, account, line_key, booking_date, value_date,"
        " amount_cents, currency, reversal, label, payer, payer_iban, remittance, bank_ref,"
        " end_to_end, kind_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?)",
        (
            statement_id, account, key, line.booking_date.isoformat(),
            line.value_date.isoformat() if line.value_date else None, line.amount_cents,
            line.currency, int(line.reversal), line.label, line.payer, line.payer_iban,
            line.remittance, line.bank_ref, line.end_to_end, line.kind_code, store.now_iso(),
        ),
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def reversible_credit(
    store: Store, account: str, cents: int, before: date, end_to_end: str | None
) -> dict[str, Any] | None:
    """The latest credit of `cents` on this account, booked by `before`, not reversed yet
    (the same end-to-end reference when both have one)."""
    rows = store.query(
        "SELECT l.id, l.end_to_end, l.line_key, m.id AS match_id, m.status FROM bank_lines l"
        " JOIN payment_matches m ON m.line_id = l.id"
        " WHERE l.account = ? AND l.amount_cents = ? AND l.booking_date <= ?"
        " AND m.status != 'reversed' ORDER BY l.booking_date DESC, l.id DESC",
        (account, cents, before.isoformat()),
    )
    if end_to_end:
        same = [r for r in rows if r["end_to_end"] == end_to_end]
        if same:
            return same[0]
    return rows[0] if rows else None


def mark_reversal(store: Store, debit_line_id: int, credit_line_id: int) -> None:
    store.conn.execute(
        "UPDATE bank_lines SET reverses_line_id = ? WHERE id = ?", (credit_line_id, debit_line_id)
    )


# -- matching inputs --------------------------------------------------------------------------
def open_invoices(store: Store) -> list[tuple]:  # type: ignore[type-arg]
    """Rows of `OpenInvoice` fields (the matching index makes objects of those it touches)."""
    return store.conn.execute(
        "SELECT number, customer_id, outstanding_cents, currency, issue_date, due_date,"
        " reference, status FROM invoices WHERE status IN ('open', 'disputed')"
        " AND outstanding_cents > 0"
    ).fetchall()


def customer_names(store: Store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT id, name FROM customers").fetchall())


def known_ibans(store: Store) -> list[tuple[str, str]]:
    return [tuple(r) for r in store.conn.execute(  # type: ignore[misc]
        "SELECT iban, customer_id FROM customer_bank_accounts"
    )]  # fmt: skip


def learn_iban(store: Store, iban: str, customer_id: str, source: str) -> bool:
    cur = store.conn.execute(
        "INSERT OR IGNORE INTO customer_bank_accounts (iban, customer_id, source, first_seen)"
        " VALUES (?, ?, ?, ?)",
        (iban, customer_id, source, store.today().isoformat()),
    )
    return cur.rowcount == 1


def forget_ibans(store: Store, source: str) -> int:
    return store.conn.execute(
        "DELETE FROM customer_bank_accounts WHERE source = ?", (source,)
    ).rowcount


# -- matches ----------------------------------------------------------------------------------
def insert_match(
    store: Store, line_id: int, status: MatchStatus, candidates: Sequence[Candidate]
) -> int:
    now = store.now_iso()
    cur = store.conn.execute(
        "INSERT INTO payment_matches (line_id, status, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (line_id, status.value, now, now),
    )
    match_id = int(cur.lastrowid or 0)
    add_candidates(store, match_id, candidates, first_rank=0)
    return match_id


def next_match_id(store: Store) -> int:
    return int(store.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM payment_matches"))


@dataclass
class MatchRows:
    """Matches of an import, written together (ids given in advance by `next_match_id`)."""

    matches: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]
    candidates: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]
    allocations: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]
    payments: BulkPayments = field(default_factory=lambda: BulkPayments())

    def add(
        self,
        store: Store,
        match_id: int,
        line_id: int,
        status: MatchStatus,
        candidates: Sequence[Candidate],
        *,
        auto: bool = False,
        actor: str | None = None,
        on: date | None = None,
    ) -> None:
        now = store.now_iso()
        applied = status is MatchStatus.APPLIED
        self.matches.append(
            (match_id, line_id, status.value, 0 if applied else None, int(auto),
             actor if applied else None, on.isoformat() if applied and on else None, now, now)
        )  # fmt: skip
        for rank, c in enumerate(candidates):
            self.candidates.append(
                (match_id, rank, c.customer_id, c.score,
                 json.dumps(c.evidence, ensure_ascii=False, sort_keys=True))
            )  # fmt: skip
            self.allocations.extend((match_id, rank, n, cents) for n, cents in c.allocations)

    def write(self, store: Store) -> None:
        self.payments.write(store)
        store.conn.executemany(
            "INSERT INTO payment_matches (id, line_id, status, chosen, auto, decided_by,"
            " decided_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.matches,
        )
        store.conn.executemany(
            "INSERT INTO match_candidates (match_id, rank, customer_id, score, evidence)"
            " VALUES (?, ?, ?, ?, ?)",
            self.candidates,
        )
        store.conn.executemany(
            "INSERT INTO match_allocations (match_id, rank, invoice_number, amount_cents)"
            " VALUES (?, ?, ?, ?)",
            self.allocations,
        )
        self.matches, self.candidates, self.allocations = [], [], []


def add_candidates(
    store: Store, match_id: int, candidates: Sequence[Candidate], first_rank: int
) -> None:
    store.conn.executemany(
        "INSERT INTO match_candidates (match_id, rank, customer_id, score, evidence)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (match_id, first_rank + r, c.customer_id, c.score,
             json.dumps(c.evidence, ensure_ascii=False, sort_keys=True))
            for r, c in enumerate(candidates)
        ],
    )  # fmt: skip
    store.conn.executemany(
        "INSERT INTO match_allocations (match_id, rank, invoice_number, amount_cents)"
        " VALUES (?, ?, ?, ?)",
        [
            (match_id, first_rank + r, number, cents)
            for r, c in enumerate(candidates)
            for number, cents in c.allocations
        ],
    )


def next_rank(store: Store, match_id: int) -> int:
    return int(
        store.scalar(
            "SELECT COALESCE(MAX(rank) + 1, 0) FROM match_candidates WHERE match_id = ?",
            (match_id,),
        )
    )


def set_match(
    store: Store,
    match_id: int,
    status: MatchStatus,
    *,
    chosen: int | None,
    auto: bool,
    actor: str | None,
    on: date | None,
    reason: str | None,
) -> None:
    store.conn.execute(
        "UPDATE payment_matches SET status = ?, chosen = ?, auto = ?, decided_by = ?,"
        " decided_on = ?, reason = ?, updated_at = ? WHERE id = ?",
        (status.value, chosen, int(auto), actor, on.isoformat() if on else None, reason,
         store.now_iso(), match_id),
    )  # fmt: skip


_MATCH_SQL = (
    "SELECT m.id, m.status, m.line_id, l.line_key, l.account, l.booking_date, l.amount_cents,"
    " l.currency, l.payer, l.payer_iban, l.remittance, l.label, m.chosen, m.auto, m.decided_by,"
    " m.reason FROM payment_matches m JOIN bank_lines l ON l.id = m.line_id"
)


def list_matches(
    store: Store, status: MatchStatus | None = None, ids: Iterable[int] | None = None
) -> list[MatchView]:
    where, params = [], []
    if status is not None:
        where.append("m.status = ?")
        params.append(status.value)
    if ids is not None:
        id_list = list(ids)
        where.append(f"m.id IN ({','.join('?' * len(id_list))})")
        params.extend(id_list)
    sql = _MATCH_SQL + (" WHERE " + " AND ".join(where) if where else "")
    rows = store.conn.execute(sql + " ORDER BY l.booking_date, m.id", params).fetchall()
    views = {r[0]: r for r in rows}
    candidates = _candidates(store, list(views))
    return [
        MatchView(
            id=r[0], status=MatchStatus(r[1]), line_id=r[2], line_key=r[3], account=r[4],
            bank_date=date.fromisoformat(r[5]), amount_cents=r[6], currency=r[7], payer=r[8],
            payer_iban=r[9], remittance=r[10], label=r[11], chosen=r[12], auto=bool(r[13]),
            decided_by=r[14], reason=r[15], candidates=candidates.get(r[0], []),
        )
        for r in rows
    ]  # fmt: skip


def get_match(store: Store, match_id: int) -> MatchView | None:
    found = list_matches(store, ids=[match_id])
    return found[0] if found else None


def _candidates(store: Store, match_ids: list[int]) -> dict[int, list[CandidateView]]:
    out: dict[int, list[CandidateView]] = {}
    allocations: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for start in range(0, len(match_ids), _CHUNK):
        chunk = match_ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for mid, rank, number, cents in store.conn.execute(
            "SELECT a.match_id, a.rank, a.invoice_number, a.amount_cents FROM match_allocations a"
            " JOIN invoices i ON i.number = a.invoice_number"
            f" WHERE a.match_id IN ({marks}) ORDER BY a.match_id, a.rank, i.due_date, i.number",
            chunk,
        ):
            allocations.setdefault((mid, rank), []).append((number, cents))
        for mid, rank, cid, score, evidence in store.conn.execute(
            "SELECT match_id, rank, customer_id, score, evidence FROM match_candidates"
            f" WHERE match_id IN ({marks}) ORDER BY match_id, rank",
            chunk,
        ):
            out.setdefault(mid, []).append(
                CandidateView(rank, cid, score, json.loads(evidence),
                              allocations.get((mid, rank), []))
            )  # fmt: skip
    return out


def proposed_allocations(
    store: Store, as_of: date, customer_ids: CustomerIds = None
) -> list[dict[str, Any]]:
    """Every (candidate invoice, customer) of the credits still waiting for a person, booked by
    `as_of`, whose invoice is still owed: what the `payment_match` hold stops (for the
    candidates that are `customer_ids`, if given)."""
    only, ids = customer_filter("c.customer_id", customer_ids)
    return store.query(
        "SELECT m.id AS match_id, c.customer_id, a.invoice_number, l.booking_date,"
        " l.amount_cents, l.currency, l.payer, a.rank FROM payment_matches m"
        " JOIN bank_lines l ON l.id = m.line_id"
        " JOIN match_candidates c ON c.match_id = m.id"
        " JOIN match_allocations a ON a.match_id = m.id AND a.rank = c.rank"
        " JOIN invoices i ON i.number = a.invoice_number"
        " WHERE m.status = 'proposed' AND l.booking_date <= ?"
        f" AND i.status IN ('open', 'disputed') AND i.outstanding_cents > 0{only}"
        " ORDER BY m.id, a.rank, i.due_date, i.number",
        (as_of.isoformat(), *ids),
    )


# -- payments made by a match -----------------------------------------------------------------
@dataclass
class BulkPayments:
    """Payments of the matches applied during an import, written together. The same effects
    as `repo.apply_payment` (payment row, outstanding lowered, `paid` at zero with its date,
    `payment.recorded` / `invoice.paid` events), for invoices whose current outstanding the
    caller knows (the import's invoice index)."""

    rows: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]
    updates: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]
    events: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]

    def add(
        self,
        store: Store,
        *,
        number: str,
        customer_id: str,
        day: date,
        cents: int,
        key: str,
        outstanding: int,
        status: str,
        actor: str,
    ) -> None:
        now, left = store.now_iso(), outstanding - cents
        paid = left <= 0 and status in ("open", "disputed")
        self.rows.append((number, day.isoformat(), cents, "bank", key, now))
        self.updates.append(
            (max(left, 0), "paid" if paid else status, day.isoformat() if paid else None, now,
             number)
        )  # fmt: skip
        data = {"amount_cents": cents, "outstanding_cents": max(left, 0),
                "overpaid_cents": max(-left, 0)}  # fmt: skip
        self.event(store, "payment.recorded", actor, customer_id, number, day, data)
        if paid:
            self.event(store, "invoice.paid", actor, customer_id, number, day, {})

    def event(
        self,
        store: Store,
        kind: str,
        actor: str,
        customer_id: str | None,
        number: str | None,
        day: date,
        data: dict[str, Any],
    ) -> None:
        self.events.append(
            (store.now_iso(), day.isoformat(), actor, kind, customer_id, number,
             json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))
        )  # fmt: skip

    def write(self, store: Store) -> None:
        store.conn.executemany(
            "INSERT INTO payments (invoice_number, date, amount_cents, source, import_key,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            self.rows,
        )
        store.conn.executemany(
            "UPDATE invoices SET outstanding_cents = ?, status = ?,"
            " paid_date = COALESCE(?, paid_date), updated_at = ? WHERE number = ?",
            self.updates,
        )
        store.conn.executemany(
            "INSERT INTO events (at, on_date, actor, kind, customer_id, invoice_number, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.events,
        )
        self.rows, self.updates, self.events = [], [], []


def payment_key(line_key: str, invoice_number: str) -> str:
    """The stable external reference of a bank payment: never counted twice."""
    return f"bank:{line_key}:{invoice_number}"


def payments_of_line(store: Store, line_key: str) -> list[dict[str, Any]]:
    prefix = f"bank:{line_key}:"
    return store.query(
        "SELECT p.id, p.invoice_number, p.date, p.amount_cents, p.import_key, i.customer_id"
        " FROM payments p JOIN invoices i ON i.number = p.invoice_number"
        " WHERE p.import_key >= ? AND p.import_key < ? ORDER BY p.id",
        (prefix, prefix + "\uffff"),
    )


def remove_payment(store: Store, payment: dict[str, Any], why: str, actor: str) -> None:
    """Take a payment back (match undone, credit returned): the invoice owes it again."""
    invoice = store.query_one(
        "SELECT amount_cents, outstanding_cents, status FROM invoices WHERE number = ?",
        (payment["invoice_number"],),
    )
    assert invoice is not None
    outstanding = min(
        invoice["amount_cents"], invoice["outstanding_cents"] + payment["amount_cents"]
    )
    status = "open" if invoice["status"] == "paid" else invoice["status"]
    store.conn.execute("DELETE FROM payments WHERE id = ?", (payment["id"],))
    store.conn.execute(
        "UPDATE invoices SET outstanding_cents = ?, status = ?, paid_date = CASE WHEN ? = 'open'"
        " THEN NULL ELSE paid_date END, updated_at = ? WHERE number = ?",
        (outstanding, status, status, store.now_iso(), payment["invoice_number"]),
    )
    store.record_event(
        "payment.removed", actor=actor, customer_id=payment["customer_id"],
        invoice_number=payment["invoice_number"],
        data={"amount_cents": payment["amount_cents"], "date": payment["date"],
              "import_key": payment["import_key"], "why": why, "outstanding_cents": outstanding},
    )  # fmt: skip


# -- sources of payment data ------------------------------------------------------------------
def bank_sources(store: Store) -> list[tuple[str, str, str]]:
    """(account, last import timestamp, latest closing date) per bank account."""
    return [tuple(r) for r in store.conn.execute(  # type: ignore[misc]
        "SELECT account, MAX(imported_at), MAX(closing_date) FROM bank_statements"
        " GROUP BY account ORDER BY account"
    )]  # fmt: skip


def export_sources(store: Store, kinds: Sequence[str]) -> list[tuple[str, str, str]]:
    """(kind, last import timestamp, day of that import) per accounting-export kind."""
    out: dict[str, tuple[str, str, str]] = {}
    for at, on_date, data in store.conn.execute(
        "SELECT at, on_date, data FROM events WHERE kind = 'import.completed' ORDER BY id"
    ):
        kind = json.loads(data).get("kind")
        if kind in kinds:
            previous = out.get(kind)
            if previous is None or on_date >= previous[2]:
                out[kind] = (kind, at, on_date)
    return [out[k] for k in kinds if k in out]


def demo_as_of(store: Store) -> tuple[str, str] | None:
    """(event timestamp, demo date) of the demo this store holds, if any."""
    row = store.query_one(
        "SELECT at, data FROM events WHERE kind = 'demo.created' ORDER BY id DESC LIMIT 1"
    )
    return (row["at"], json.loads(row["data"])["as_of"]) if row else None


# -- the daily routine's watched folder ---------------------------------------------------------
def seen_files(store: Store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT sha256 FROM daily_files")}


def record_file(
    store: Store, sha256: str, name: str, kind: str | None, outcome: str, detail: str | None
) -> None:
    store.conn.execute(
        "INSERT OR REPLACE INTO daily_files (sha256, name, kind, outcome, detail, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (sha256, name, kind, outcome, detail, store.now_iso()),
    )
