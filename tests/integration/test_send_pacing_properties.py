"""Over random histories and random run dates (gaps of several days), counting what `send`
actually handed to the transports: no customer gets two messages less than the minimum gap
apart, and no invoice gets a message of an older step after a newer one, nor a step twice (the
e-mail and the SMS of one step are its two halves) (issue 19, item 4).

Each run drafts, approves a random part of the queue (old pending drafts included: the person
may come back to them days later) and sends. Payments arrive in between.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.config import Settings
from assistant.demo.home import write_demo_company
from assistant.models import Payment
from assistant.rules.policy import STEP_IDS
from assistant.service import Service
from assistant.storage import repo
from tests.support.examples import examples
from tests.support.pg_neutral import database_per_example, sync_policies
from tests.unit.rules_builders import add_customer, add_invoice

BASE = date(2026, 3, 2)  # a Monday
RANK = {s: i for i, s in enumerate(STEP_IDS)}


class Recorder:
    """Email and SMS transport that keeps what it was given, with the day."""

    def __init__(self, today: list[datetime]) -> None:
        self.today = today
        self.emails: list[tuple[date, int]] = []
        self.sms: list[tuple[date, int]] = []

    def send(self, msg: EmailMessage | str, text: str = "", ref: str = "") -> str | None:
        if isinstance(msg, EmailMessage):
            found = re.search(r"<relance\.(\d+)\.", str(msg["Message-ID"]))
            assert found is not None
            self.emails.append((self.today[0].date(), int(found.group(1))))
        else:
            self.sms.append((self.today[0].date(), int(ref.removeprefix("draft-"))))
        return None

    def close(self) -> None:
        pass


history_st = st.fixed_dictionaries(
    {
        "customers": st.integers(1, 3),
        "sms": st.booleans(),
        "invoices": st.lists(
            st.tuples(st.integers(0, 2), st.integers(-25, 25)), min_size=1, max_size=6
        ),
        "gaps": st.lists(st.integers(1, 9), min_size=2, max_size=8),
        "approve": st.lists(st.booleans(), min_size=12, max_size=12),
        "send": st.lists(st.booleans(), min_size=8, max_size=8),
        "payments": st.lists(st.tuples(st.integers(0, 5), st.integers(0, 60)), max_size=3),
    }
)


# `request` only gives each example a database of its own on PostgreSQL (never its state)
@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(history_st)
def test_what_send_delivers_keeps_the_gap_and_the_step_order(
    request: pytest.FixtureRequest, h: dict
) -> None:
    with database_per_example(request):
        _one_history(h)


def _one_history(h: dict) -> None:
    home = Path(tempfile.mkdtemp(prefix="relance-pacing-"))
    now = [datetime(2026, 2, 1, 9, tzinfo=UTC)]
    write_demo_company(home)  # real company facts: drafts can be approved
    service = Service.open(Settings(RELANCE_HOME=home), clock=lambda: now[0])
    sync_policies(home)  # on PostgreSQL, the company's facts are the database's
    recorder = Recorder(now)
    try:
        for c in range(h["customers"]):
            extra = {"phone": "+33612345678", "sms_opt_in": True} if h["sms"] else {}
            add_customer(service.store, f"C{c}", **extra)
        numbers = []
        for n, (c, due) in enumerate(h["invoices"]):
            cid = f"C{c % h['customers']}"
            add_invoice(service.store, f"F{n}", BASE + timedelta(days=due), 120_000, cid)
            numbers.append(f"F{n}")
        payments = {BASE + timedelta(days=d): numbers[i % len(numbers)] for i, d in h["payments"]}
        day, choices = BASE - timedelta(days=5), iter(h["approve"] * 8)
        for run, gap in enumerate(h["gaps"]):
            day += timedelta(days=gap)
            now[0] = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            for paid_on, number in payments.items():
                if paid_on <= day and repo.get_invoice(service.store, number).outstanding_cents:
                    with service.store.transaction():
                        repo.apply_payment(
                            service.store, Payment(invoice_number=number, date=paid_on,
                                                   amount_cents=50_000), None, "test",
                        )  # fmt: skip
            service.draft(day)
            chosen = [d.id for d in service.drafts("pending") if next(choices)]
            if chosen:
                service.approve(chosen, on=day)
            if h["send"][run % len(h["send"])]:
                sender = service.sender()
                sender.email, sender.sms = recorder, recorder
                sender.run()
        _check(service, recorder, service.scenario().min_gap_days)
    finally:
        service.close()


def _check(service: Service, recorder: Recorder, gap: int) -> None:
    drafts = {d.id: d for d in service.drafts()}
    contacts: dict[str, set[tuple[date, str]]] = defaultdict(set)
    steps: dict[str, list[tuple[date, int, str, str]]] = defaultdict(list)
    for day, draft_id in sorted(recorder.emails + recorder.sms):
        d = drafts[draft_id]
        assert d.status == "sent"
        if d.channel == "internal":
            continue
        contacts[d.customer_id].add((day, d.step))
        for number in d.invoices:
            steps[number].append((day, RANK[d.step], d.plan_date, d.channel))
    for cid, seen in contacts.items():
        days = sorted({day for day, _ in seen})
        assert len(days) == len(seen), f"{cid}: two steps the same day {seen}"
        gaps = [(b - a).days for a, b in pairwise(days)]
        assert all(g >= gap for g in gaps), f"{cid}: messages {days}"
    for number, seen in steps.items():
        ranks = [rank for _, rank, _, _ in sorted(seen)]
        assert ranks == sorted(ranks), f"{number}: an older step after a newer one {seen}"
        # a step twice only as the two halves of one message (its e-mail and its SMS)
        halves = {(rank, plan_date) for _, rank, plan_date, _ in seen}
        channels = {(rank, channel) for _, rank, _, channel in seen}
        assert len(halves) == len({r for r, _ in halves}), f"{number}: a step twice {seen}"
        assert len(channels) == len(seen), f"{number}: a step twice {seen}"
