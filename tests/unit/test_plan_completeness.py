"""An open overdue invoice is always somewhere in the plan; `plan --explain` accounts for the rest.

Issue 19, item 6 (invoices vanished after the last step) and item 5 (no call before a written
reminder).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.config import Settings
from assistant.models import InvoiceStatus
from assistant.reasons import render
from assistant.rules import load_scenario, make_plan
from assistant.service import Service
from assistant.storage.db import Store, open_store
from tests.conftest import FIXED_NOW
from tests.support.examples import examples
from tests.unit.rules_builders import add_customer, add_invoice, mark, plan_on

WED = date(2026, 3, 11)
DEMO_DAY = date(2026, 12, 1)
VANISHED = {"C022": ["FA-2026-0400"], "C004": ["FA-2026-0345", "FA-2026-0371"]}


def _demo(tmp_path: Path) -> Service:
    built = Service.demo(
        Settings(RELANCE_HOME=tmp_path / "demo"), as_of=DEMO_DAY, clock=lambda: FIXED_NOW
    )
    return built.service


def test_demo_invoices_stay_in_the_plan_after_escalation_and_a_broken_promise(
    tmp_path: Path,
) -> None:
    service = _demo(tmp_path)
    try:
        escalations = [a for a in service.plan(DEMO_DAY).actions if a.step == "escalation"]
        assert {a.customer_id for a in escalations} >= set(VANISHED)
        for task in escalations:  # the collector calls: a promise for three days later
            service.log_call(
                task.customer_id, "promise", on=DEMO_DAY, promised=DEMO_DAY + timedelta(days=2)
            )
        for offset in (1, 4, 9, 20, 40):  # while the promise runs, then after it was broken
            day = DEMO_DAY + timedelta(days=offset)
            plan = service.plan(day, explain=True)
            for cid, numbers in VANISHED.items():
                for number in numbers:
                    if offset < 6:  # promised for 12-03, + 3 days of grace
                        assert any(
                            s.invoice_number == number and s.code == "promise" for s in plan.skipped
                        ), (day, number)
                        continue
                    (task,) = [a for a in plan.actions if number in a.invoices]
                    assert task.customer_id == cid and task.requires_human
                    assert task.step == "follow_up" and task.standing
                    assert "non tenue" in render(task.reason) and "sans suite" in render(
                        task.reason
                    )
    finally:
        service.close()


def test_follow_up_after_escalation_names_the_day_and_holds_new_reminders(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "escalation", WED + timedelta(days=30))
    add_invoice(store, "F2", WED + timedelta(days=30))  # a new invoice reaching J+3
    plan = plan_on(store, WED + timedelta(days=36))
    (task,) = plan.actions
    assert (task.step, task.invoices) == ("follow_up", ("F1",))
    assert render(task.reason) == "à traiter : escalade du 2026-04-10 sans suite"
    # while a person has the customer in hand, no automatic reminder goes out
    assert [(s.invoice_number, s.code) for s in plan.skipped] == [("F2", "held_by_human_task")]


def test_a_call_is_never_the_first_contact_after_the_due_date(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED)
    mark(store, ["F1"], "pre_due", WED - timedelta(days=3))
    day = WED + timedelta(days=25)  # past J+20: the call step has come
    (action,) = plan_on(store, day).actions
    assert (action.step, action.requires_human) == ("reminder_2", False)
    mark(store, ["F1"], "reminder_2", day)
    (call,) = plan_on(store, day + timedelta(days=1)).actions
    assert call.step == "call"


def test_explain_lists_disputed_and_not_yet_due_invoices(store: Store) -> None:
    add_customer(store)
    add_invoice(store, "F1", WED + timedelta(days=20))
    add_invoice(store, "F2", WED - timedelta(days=40), status=InvoiceStatus.DISPUTED)
    plan = make_plan(store, None, WED, explain=True)
    why = {s.invoice_number: (s.code, render(s.reason)) for s in plan.skipped}
    assert why["F1"] == ("next_step", "prochaine étape : Pré-échéance le 2026-03-27")
    assert why["F2"][0] == "disputed"


portfolio = st.lists(
    st.fixed_dictionaries(
        {
            "customer": st.integers(0, 2),
            "due": st.integers(-120, 40),
            "status": st.sampled_from([InvoiceStatus.OPEN] * 4 + [InvoiceStatus.DISPUTED]),
            "done": st.sampled_from(
                [None, "pre_due", "reminder_1", "reminder_2", "call", "escalation"]
            ),
            "promise": st.none() | st.integers(-30, 30),
        }
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolio, st.integers(0, 60), st.booleans())
def test_every_open_invoice_is_accounted_for(invoices: list[dict], offset: int, dnc: bool) -> None:
    store = open_store(Path(tempfile.mkdtemp(prefix="relance-explain-")) / "p.db")
    base = date(2026, 11, 2)
    as_of = base + timedelta(days=offset)
    try:
        for i in range(3):
            add_customer(store, f"C{i}", do_not_contact=dnc and i == 2)
        for n, inv in enumerate(invoices):
            cid = f"C{inv['customer']}"
            add_invoice(store, f"F{n}", base + timedelta(days=inv["due"]), cid=cid,
                        status=inv["status"])  # fmt: skip
            if inv["done"]:
                mark(store, [f"F{n}"], inv["done"], base - timedelta(days=200))
            if inv["promise"] is not None:
                with store.transaction():
                    store.conn.execute(
                        "INSERT INTO promises (customer_id, invoice_number, promised_date,"
                        " made_on, created_at) VALUES (?, ?, ?, ?, '2026-01-01')",
                        (cid, f"F{n}", (base + timedelta(days=inv["promise"])).isoformat(),
                         (base - timedelta(days=150)).isoformat()),
                    )  # fmt: skip
        plan = make_plan(store, None, as_of, explain=True)
        named = {n for a in plan.actions for n in a.invoices}
        named |= {s.invoice_number for s in plan.skipped if s.invoice_number}
        whole = {s.customer_id for s in plan.skipped if s.invoice_number is None}
        last = load_scenario(None).steps[-1].id
        for n, inv in enumerate(invoices):
            cid = f"C{inv['customer']}"
            number = f"F{n}"
            assert number in named or cid in whole, (number, plan)
            overdue = base + timedelta(days=inv["due"]) < as_of
            if inv["status"] is InvoiceStatus.DISPUTED:
                assert any(
                    s.invoice_number == number and s.code == "disputed" for s in plan.skipped
                )
            elif inv["done"] == last and overdue and cid not in whole:
                # past the last step: in a task for a person, unless a promise still runs
                in_task = any(number in a.invoices and a.requires_human for a in plan.actions)
                promised = any(
                    s.invoice_number == number and s.code == "promise" for s in plan.skipped
                )
                assert in_task or promised, (number, plan)
    finally:
        store.close()
