"""The demo company: determinism, the required mix, money invariants, history, home safety."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.demo.build import DEMO_EVENT, build_demo
from assistant.demo.home import MARKER_FILE, HomeState, home_state
from assistant.demo.scenario import STEP_OFFSETS, make_scenario, upcoming_closure
from assistant.errors import UserError
from assistant.models import Customer, Invoice, Payment
from assistant.rules import Planner, load_scenario, load_snapshot
from assistant.service import Service
from assistant.stats import AGE_BUCKETS, age_bucket, portfolio_summary
from assistant.storage import repo
from assistant.storage.db import Store, open_store
from tests.conftest import FIXED_NOW

# The demo is built in a SQLite home whatever the database URL; these tests are about that
# file (its bytes, its marker). Its move to PostgreSQL: tests/integration/test_postgres_store.py.
pytestmark = pytest.mark.sqlite_only

AS_OF = date(2026, 11, 24)  # a Tuesday, four weeks before the Christmas closure
MONEY_COLUMNS = {
    "invoices": ("amount_cents", "outstanding_cents"),
    "payments": ("amount_cents",),
    "promises": ("amount_cents",),
}


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table (but the migrations log), in a stable order."""
    tables = [
        r["name"]
        for r in store.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name != '_migrations' ORDER BY name"
        )
    ]
    out = {}
    for table in tables:
        cur = store.conn.execute(f"SELECT * FROM {table}")
        out[table] = sorted((tuple(row) for row in cur.fetchall()), key=repr)
    return out


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One demo built for the whole module (read-only tests)."""
    store = open_store(tmp_path_factory.mktemp("demo") / "demo.db")
    build_demo(store, AS_OF)
    return store


def rows(store: Store, sql: str, params: tuple = ()) -> list[dict]:
    return store.query(sql, params)


# -- determinism -----------------------------------------------------------------------------
def test_same_seed_and_date_give_identical_databases_whatever_the_wall_clock(
    store: Store, tmp_path: Path
) -> None:
    build_demo(store, AS_OF, seed=7)
    other = open_store(tmp_path / "other.db", clock=lambda: datetime(2031, 3, 3, 22, tzinfo=UTC))
    build_demo(other, AS_OF, seed=7)
    first, second = dump(store), dump(other)
    assert first["invoices"] and first["events"] and first["invoice_steps"]
    assert first == second
    # the store's own clock is back after the build
    assert other.today() == date(2031, 3, 3)


def test_another_seed_or_date_gives_other_data(store: Store, tmp_path: Path) -> None:
    build_demo(store, AS_OF, seed=1)
    other = open_store(tmp_path / "other.db")
    build_demo(other, AS_OF, seed=2)
    amounts = "SELECT number, amount_cents FROM invoices ORDER BY number"
    assert rows(store, amounts) != rows(other, amounts)
    later = open_store(tmp_path / "later.db")
    build_demo(later, AS_OF + timedelta(days=40), seed=1)
    assert rows(later, "SELECT max(issue_date) AS d FROM invoices")[0]["d"] > AS_OF.isoformat()


def test_the_scenario_itself_is_deterministic() -> None:
    one, two = make_scenario(AS_OF, 99), make_scenario(AS_OF, 99)
    assert one.invoices == two.invoices
    assert one.messages == two.messages
    assert one.calls == two.calls


# -- the required mix ------------------------------------------------------------------------
def test_customers_cover_the_required_mix(demo_db: Store) -> None:
    customers = rows(demo_db, "SELECT * FROM customers")
    assert 28 <= len(customers) <= 32
    assert 2 <= sum(c["strategic"] for c in customers) <= 3
    english = [c for c in customers if c["language"] == "en"]
    assert len(english) == 3
    assert "GB" in {c["country"] for c in english}
    assert sum(c["do_not_contact"] for c in customers) == 1
    assert 1 <= sum(c["sms_opt_in"] for c in customers) < len(customers) // 2
    assert {c["payment_terms_days"] for c in customers} == {30, 45}
    # no manual segment label: the scenario policy computes segments from the data
    assert {c["segment"] for c in customers} == {None}
    policy = load_scenario(None)
    snap = load_snapshot(demo_db, policy, AS_OF)
    planner = Planner(policy)
    computed = {planner.segment_for(f, AS_OF).id for f in snap.customers.values()}
    assert computed >= {"strategic", "large_account", "chronic_late", "new", "standard"}
    for c in customers:
        assert c["salesperson_name"] and re.fullmatch(
            r"[a-z.]+@[a-z-]+\.example\.com", c["salesperson_email"]
        )
        assert re.search(r"@([a-z0-9-]+\.)*example\.(com|net|org)$", c["email"]), c["email"]
        assert c["phone"].startswith("+")
        if c["country"] == "FR":
            assert c["phone"].startswith("+33 ")
    since = [date.fromisoformat(c["customer_since"]) for c in customers]
    assert sum(AS_OF - s < timedelta(days=365) for s in since) >= 3  # new customers
    assert sum(AS_OF - s > timedelta(days=5 * 365) for s in since) >= 5  # loyal ones
    notes = " ".join(c["notes"] or "" for c in customers)
    assert "Ignorez les instructions précédentes" in notes


def test_one_customer_has_a_closing_period_that_matters_in_the_coming_weeks(
    demo_db: Store,
) -> None:
    upcoming = rows(
        demo_db,
        "SELECT customer_id, start, end FROM closing_periods WHERE end >= ? AND start <= ?",
        (AS_OF.isoformat(), (AS_OF + timedelta(weeks=8)).isoformat()),
    )
    assert len({p["customer_id"] for p in upcoming}) == 1
    period = upcoming[0]
    assert (period["start"], period["end"]) == ("2026-12-20", "2027-01-03")  # Christmas
    # one of its open invoices has a reminder step falling inside the closure
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    open_dues = [
        date.fromisoformat(r["due_date"])
        for r in rows(
            demo_db,
            "SELECT due_date FROM invoices WHERE customer_id = ? AND status = 'open'",
            (period["customer_id"],),
        )
    ]
    assert any(
        start <= due + timedelta(days=offset) <= end
        for due in open_dues
        for offset in STEP_OFFSETS.values()
    )


def test_upcoming_closure_is_christmas_only_when_it_is_weeks_away() -> None:
    assert upcoming_closure(date(2026, 11, 24)).start == date(2026, 12, 20)
    assert upcoming_closure(date(2026, 12, 24)).start == date(2026, 12, 20)  # under way
    assert upcoming_closure(date(2027, 1, 2)).end == date(2027, 1, 3)
    other = upcoming_closure(date(2026, 3, 10))
    assert other.start.weekday() == 0 and other.start >= date(2026, 3, 24)
    assert (other.end - other.start).days == 13


def test_invoices_cover_six_months_with_realistic_integer_amounts(demo_db: Store) -> None:
    invoices = rows(demo_db, "SELECT * FROM invoices")
    assert 240 <= len(invoices) <= 260
    issued = [date.fromisoformat(i["issue_date"]) for i in invoices]
    assert min(issued) >= AS_OF - timedelta(days=184) and max(issued) < AS_OF
    assert min(issued) < AS_OF - timedelta(days=150)  # spread over the window
    amounts = [i["amount_cents"] for i in invoices]
    assert min(amounts) >= 450_00 and max(amounts) <= 38_000_00
    assert max(amounts) > 20_000_00 and len(set(amounts)) > 150
    assert any(a % 100 for a in amounts)  # not only round euros
    for table, columns in MONEY_COLUMNS.items():
        for column in columns:
            kinds = rows(demo_db, f"SELECT DISTINCT typeof({column}) AS t FROM {table}")
            assert {k["t"] for k in kinds} <= {"integer", "null"}, (table, column)
    numbers = [i["number"] for i in sorted(invoices, key=lambda i: (i["issue_date"], i["number"]))]
    assert numbers == sorted(numbers)  # chronological numbering
    assert all(re.fullmatch(r"FA-\d{4}-\d{4}", n) for n in numbers)


def test_exactly_two_disputes_with_their_reason(demo_db: Store) -> None:
    disputed = rows(demo_db, "SELECT number FROM invoices WHERE status = 'disputed'")
    events = demo_db.events(kinds=("dispute.opened",))
    assert len(disputed) == 2
    assert sorted(e["invoice_number"] for e in events) == sorted(d["number"] for d in disputed)
    assert all(len(e["data"]["reason"]) > 20 for e in events)


def test_exactly_one_promise_is_still_open(demo_db: Store) -> None:
    pending = rows(
        demo_db,
        "SELECT p.* FROM promises p JOIN invoices i ON i.number = p.invoice_number"
        " WHERE i.status != 'paid'",
    )
    assert len(pending) == 1
    promise = pending[0]
    assert promise["promised_date"] > AS_OF.isoformat() >= promise["made_on"]
    made = demo_db.events(invoice_number=promise["invoice_number"], kinds=("promise.made",))
    assert [e["data"]["promise_id"] for e in made] == [promise["id"]]
    invoice = repo.get_invoice(demo_db, promise["invoice_number"])
    assert invoice is not None and promise["amount_cents"] == invoice.outstanding_cents
    assert 0 < invoice.outstanding_cents < invoice.amount_cents  # partly paid before


def test_late_and_good_payers_and_partial_payments(demo_db: Store) -> None:
    paid = rows(
        demo_db,
        "SELECT customer_id, due_date, paid_date FROM invoices WHERE status = 'paid'",
    )
    lateness: dict[str, list[int]] = defaultdict(list)
    for row in paid:
        days = (date.fromisoformat(row["paid_date"]) - date.fromisoformat(row["due_date"])).days
        lateness[row["customer_id"]].append(days)
    average = {c: sum(d) / len(d) for c, d in lateness.items() if len(d) >= 3}
    assert sum(a > 15 for a in average.values()) >= 3  # chronic late payers
    assert sum(a <= 0 for a in average.values()) >= 3  # good payers
    multi = rows(
        demo_db,
        "SELECT invoice_number FROM payments GROUP BY invoice_number HAVING count(*) > 1",
    )
    assert len(multi) >= 3
    assert rows(
        demo_db,
        "SELECT 1 FROM invoices WHERE status = 'open' AND 0 < outstanding_cents"
        " AND outstanding_cents < amount_cents",
    )


def test_money_invariants_hold_for_every_invoice(demo_db: Store) -> None:
    paid_sums = {
        r["invoice_number"]: (r["total"], r["last"])
        for r in rows(
            demo_db,
            "SELECT invoice_number, sum(amount_cents) AS total, max(date) AS last"
            " FROM payments GROUP BY invoice_number",
        )
    }
    for inv in rows(demo_db, "SELECT * FROM invoices"):
        total, last = paid_sums.get(inv["number"], (0, None))
        assert 0 <= inv["outstanding_cents"] <= inv["amount_cents"]
        assert total + inv["outstanding_cents"] == inv["amount_cents"], inv["number"]
        if inv["status"] == "paid":
            assert inv["outstanding_cents"] == 0 and inv["paid_date"] == last
        else:
            assert inv["outstanding_cents"] > 0 and inv["paid_date"] is None
    payments = rows(
        demo_db,
        "SELECT p.date, i.issue_date FROM payments p JOIN invoices i ON number = invoice_number",
    )
    assert all(p["issue_date"] < p["date"] < AS_OF.isoformat() for p in payments)
    assert all(date.fromisoformat(p["date"]).weekday() < 5 for p in payments)


# -- reminder history ------------------------------------------------------------------------
def test_reminder_history_is_consistent_with_the_scenario(demo_db: Store) -> None:
    invoices = {i["number"]: i for i in rows(demo_db, "SELECT * FROM invoices")}
    customers = {c["id"]: c for c in rows(demo_db, "SELECT * FROM customers")}
    steps = rows(demo_db, "SELECT * FROM invoice_steps")
    assert {s["step"] for s in steps} == {"pre_due", "reminder_1", "reminder_2", "call"}
    dispute_day = {
        e["invoice_number"]: e["on_date"] for e in demo_db.events(kinds=("dispute.opened",))
    }
    for s in steps:
        inv = invoices[s["invoice_number"]]
        done = date.fromisoformat(s["done_on"])
        assert s["source"] == "demo" and done < AS_OF and done.weekday() < 5
        assert not customers[inv["customer_id"]]["do_not_contact"]
        assert inv["paid_date"] is None or s["done_on"] < inv["paid_date"]
        assert (
            s["invoice_number"] not in dispute_day
            or s["done_on"] <= dispute_day[s["invoice_number"]]
        )
        due = date.fromisoformat(inv["due_date"])
        if s["step"] == "pre_due":
            # J-3 moved back to a business day (weeks back across a summer closure), or held
            # back by the minimum gap, but always before the due date
            assert due - timedelta(days=25) <= done < due
        else:
            assert done >= due + timedelta(days=STEP_OFFSETS[s["step"]])
        assert s["channel"] == ("phone" if s["step"] == "call" else "email")
    done_on = {(s["invoice_number"], s["step"]): s["done_on"] for s in steps}
    sent = demo_db.events(kinds=("message.sent",))
    assert len(sent) > 100
    for event in sent:
        data = event["data"]
        assert data["channel"] in ("email", "sms") and data["invoices"]
        for number in data["invoices"]:
            assert invoices[number]["customer_id"] == event["customer_id"]
            assert done_on[(number, data["step"])] == event["on_date"]
        if data["channel"] == "sms":
            customer = customers[event["customer_id"]]
            assert data["step"] == "reminder_2" and customer["sms_opt_in"]
            assert not customer["strategic"]
    assert {e["data"]["step"] for e in sent} == {"pre_due", "reminder_1", "reminder_2"}
    calls = demo_db.events(kinds=("call.logged",))
    assert {(n, c["on_date"]) for c in calls for n in c["data"]["invoices"]} == {
        (s["invoice_number"], s["done_on"]) for s in steps if s["step"] == "call"
    }
    assert {c["data"]["outcome"] for c in calls} >= {"promise", "no-answer", "dispute"}


def test_minimum_gap_between_two_emails_to_one_customer(demo_db: Store) -> None:
    days: dict[str, list[date]] = defaultdict(list)
    for event in demo_db.events(kinds=("message.sent",)):
        if event["data"]["channel"] == "email":
            days[event["customer_id"]].append(date.fromisoformat(event["on_date"]))
    for sent in days.values():
        assert all((b - a).days >= 5 for a, b in pairwise(sent))


def test_some_invoices_paid_soon_after_a_reminder(demo_db: Store) -> None:
    """Later KPIs (payment within 7 days of a step) have data to show."""
    paid = {
        r["number"]: date.fromisoformat(r["paid_date"])
        for r in rows(demo_db, "SELECT number, paid_date FROM invoices WHERE status = 'paid'")
    }
    within_7 = defaultdict(int)
    for s in rows(demo_db, "SELECT * FROM invoice_steps"):
        if s["invoice_number"] in paid:
            gap = (paid[s["invoice_number"]] - date.fromisoformat(s["done_on"])).days
            within_7[s["step"]] += gap <= 7
    assert within_7["reminder_1"] >= 10 and within_7["reminder_2"] >= 5


def test_every_stage_has_work_on_the_demo_date(demo_db: Store) -> None:
    owed = rows(
        demo_db,
        "SELECT i.number, i.due_date FROM invoices i JOIN customers c ON c.id = i.customer_id"
        " WHERE i.status = 'open' AND c.do_not_contact = 0",
    )
    done = {(s["invoice_number"], s["step"]) for s in rows(demo_db, "SELECT * FROM invoice_steps")}
    late_by = defaultdict(list)
    for inv in owed:
        late_by[(AS_OF - date.fromisoformat(inv["due_date"])).days].append(inv["number"])
    assert any(late_by[d] for d in range(-7, 0))  # due in the next days
    for step, offset in STEP_OFFSETS.items():
        numbers = late_by[offset]
        assert any((n, step) not in done for n in numbers), step
    assert any(late_by[d] for d in range(30, 200))  # escalation material


# -- portfolio summary (stats) ---------------------------------------------------------------
def test_age_buckets_boundaries() -> None:
    assert [age_bucket(d) for d in (1, 30, 31, 60, 61, 90, 91, 400)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+", "90+",
    ]  # fmt: skip


def test_portfolio_summary_on_a_hand_built_book(store: Store) -> None:
    def inv(number: str, due: date, amount: int, status: str = "open") -> Invoice:
        return Invoice(
            number=number, customer_id="K", issue_date=due - timedelta(days=30), due_date=due,
            amount_cents=amount, outstanding_cents=amount, status=status,
        )  # fmt: skip

    with store.transaction():
        repo.upsert_customers(store, [Customer(id="K", name="K SA")], "test")
        repo.upsert_invoices(
            store,
            [
                inv("A", AS_OF - timedelta(days=5), 100_00),
                inv("B", AS_OF - timedelta(days=31), 200_00),
                inv("C", AS_OF - timedelta(days=75), 300_00, "disputed"),
                inv("D", AS_OF - timedelta(days=120), 400_00),
                inv("E", AS_OF - timedelta(days=10), 999_00),
                inv("F", AS_OF + timedelta(days=3), 50_00),
                inv("G", AS_OF + timedelta(days=20), 70_00),
                inv("H", AS_OF, 11_00),
            ],
            "test",
        )
        repo.apply_payment(store, Payment(invoice_number="E", date=AS_OF, amount_cents=999_00),
                           None, "test")  # fmt: skip
        repo.apply_payment(store, Payment(invoice_number="D", date=AS_OF, amount_cents=150_00),
                           None, "test")  # fmt: skip
        store.conn.execute(
            "INSERT INTO promises (customer_id, invoice_number, promised_date, made_on,"
            " created_at) VALUES ('K', 'B', ?, ?, 'x'), ('K', 'A', ?, ?, 'x')",
            ((AS_OF + timedelta(days=4)).isoformat(), AS_OF.isoformat(),
             (AS_OF - timedelta(days=1)).isoformat(), AS_OF.isoformat()),
        )  # fmt: skip
    summary = portfolio_summary(store, AS_OF)
    assert summary.overdue_by_age == {"0-30": 100_00, "31-60": 200_00, "61-90": 300_00,
                                      "90+": 250_00}  # fmt: skip
    assert summary.overdue_count_by_age == dict.fromkeys(AGE_BUCKETS, 1)
    assert summary.overdue_cents == 850_00 and summary.overdue_invoices == 4
    assert summary.open_invoices == 7 and summary.outstanding_cents == 981_00
    assert (summary.due_soon_invoices, summary.due_soon_cents) == (2, 61_00)  # F and H
    assert (summary.disputed_invoices, summary.disputed_cents) == (1, 300_00)
    assert (summary.promises_pending, summary.promises_pending_cents) == (1, 200_00)


def test_demo_summary_matches_the_database(demo_db: Store, tmp_path: Path) -> None:
    service = Service(Settings(RELANCE_HOME=tmp_path), demo_db)
    summary = service.demo_summary()
    assert summary.company == "Atelier Numérique Lyon" and summary.as_of == AS_OF
    assert summary.portfolio == service.portfolio_summary(AS_OF)
    assert summary.portfolio.disputed_invoices == 2 and summary.portfolio.promises_pending == 1
    assert (
        summary.portfolio.overdue_by_age["90+"] > 0 and summary.portfolio.overdue_by_age["0-30"] > 0
    )
    assert (summary.strategic, summary.english, summary.do_not_contact) == (3, 3, 1)
    assert summary.worst_payer is not None
    assert summary.messages_sent == len(demo_db.events(kinds=("message.sent",)))


# -- refusals --------------------------------------------------------------------------------
def test_build_refuses_a_store_that_holds_data(store: Store) -> None:
    with store.transaction():
        repo.upsert_customers(store, [Customer(id="X", name="Real customer")], "user")
    with pytest.raises(UserError, match="vide"):
        build_demo(store, AS_OF)
    assert store.scalar("SELECT count(*) FROM customers") == 1


def test_build_refuses_an_absurd_date(store: Store) -> None:
    with pytest.raises(UserError):
        build_demo(store, date(1850, 1, 1))
    assert store.scalar("SELECT count(*) FROM events") == 0


# -- the demo home ---------------------------------------------------------------------------
def open_demo(home: Path, **kwargs) -> tuple[Service, bool]:
    # a fixed clock: both builds must be identical, whatever second they run in
    kwargs.setdefault("clock", lambda: FIXED_NOW)
    built = Service.demo(Settings(RELANCE_HOME=home), as_of=AS_OF, **kwargs)
    return built.service, built.recreated


def test_service_demo_creates_then_recreates_a_demo_home(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "demo"
    service, recreated = open_demo(home, seed=3)
    with service.store.transaction():  # the user plays with the demo
        service.store.record_event("draft.approved", actor="user")
    first = dump(service.store)
    service.close()
    assert not recreated and (home / MARKER_FILE).is_file()
    assert home_state(home) is HomeState.DEMO
    service, recreated = open_demo(home, seed=3)
    try:
        assert recreated
        assert service.store.events(kinds=("draft.approved",)) == []
        second = dump(service.store)
        assert [e for e in first["events"] if e[4] != "draft.approved"] == second["events"]
        assert len(service.store.events(kinds=(DEMO_EVENT,))) == 1
    finally:
        service.close()


def test_service_demo_refuses_a_real_home_and_leaves_it_untouched(tmp_path: Path) -> None:
    home = tmp_path / "real"
    settings = Settings(RELANCE_HOME=home)
    real = Service.open(settings)
    with real.store.transaction():
        repo.upsert_customers(real.store, [Customer(id="R1", name="Vrai client")], "user")
    real.close()
    before = settings.db_path.read_bytes()
    assert home_state(home) is HomeState.FOREIGN
    with pytest.raises(UserError, match="pas une démo"):
        Service.demo(settings, as_of=AS_OF)
    assert settings.db_path.read_bytes() == before
    assert not (home / MARKER_FILE).exists()


def test_an_initialised_home_is_not_a_demo(tmp_path: Path) -> None:
    home = tmp_path / "init"
    service = Service.open(Settings(RELANCE_HOME=home))
    with service.store.transaction():
        service.store.record_event("home.initialised")
    service.close()
    with pytest.raises(UserError):
        Service.demo(Settings(RELANCE_HOME=home), as_of=AS_OF)


def test_a_file_that_is_not_a_database_is_refused_unless_marked(tmp_path: Path) -> None:
    home = tmp_path / "odd"
    home.mkdir()
    (home / "relance.db").write_bytes(b"not a database, but someone's file" * 100)
    assert home_state(home) is HomeState.FOREIGN
    with pytest.raises(UserError):
        Service.demo(Settings(RELANCE_HOME=home), as_of=AS_OF)
    assert (home / "relance.db").read_bytes().startswith(b"not a database")
    (home / MARKER_FILE).write_text("{}")
    assert home_state(home) is HomeState.DEMO


def test_a_failed_build_leaves_no_database_behind(tmp_path: Path) -> None:
    home = tmp_path / "failed"
    with pytest.raises(UserError):
        Service.demo(Settings(RELANCE_HOME=home), as_of=date(1850, 1, 1))
    assert not (home / "relance.db").exists()
    assert home_state(home) is HomeState.EMPTY
    service, _ = open_demo(home)
    service.close()


@pytest.mark.parametrize(
    ("as_of", "seed"),
    [(date(2026, 3, 10), 1), (date(2027, 6, 26), 42), (date(2026, 12, 24), 2026)],
)
def test_the_mix_holds_for_other_dates_and_seeds(store: Store, as_of: date, seed: int) -> None:
    """A Tuesday in March, a Saturday in June, Christmas Eve (closure already started)."""
    summary = build_demo(store, as_of, seed)
    assert 240 <= summary.invoices <= 260
    assert summary.portfolio.disputed_invoices == 2
    assert summary.portfolio.promises_pending == 1
    assert summary.portfolio.overdue_by_age["90+"] > 0
    assert summary.partly_paid_open >= 1
    assert len({name for name, _, _ in summary.closing_periods}) == 1
    start, end = summary.closing_periods[-1][1:]
    assert end >= as_of and start <= as_of + timedelta(weeks=8)
    broken = store.scalar(
        "SELECT count(*) FROM invoices i WHERE outstanding_cents + (SELECT coalesce(sum("
        "amount_cents), 0) FROM payments p WHERE p.invoice_number = i.number) != amount_cents"
    )
    assert broken == 0
    assert store.scalar("SELECT max(done_on) FROM invoice_steps") < as_of.isoformat()
