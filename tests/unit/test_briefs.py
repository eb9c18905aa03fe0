"""Briefs: payment-plan options (exact sums, policy bounds, business days), fact sheet figures,
call outcomes feeding the engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.briefs.options import (
    PaymentPlanPolicy,
    instalment_plan,
    load_plan_policy,
    plan_options,
    recovery_indemnity_cents,
    split_exact,
)
from assistant.errors import UserError
from assistant.models import Payment
from assistant.money import format_money
from assistant.reasons import render
from assistant.rules.calendar import BusinessCalendar
from assistant.service import Service
from assistant.storage import repo
from tests.support.examples import examples
from tests.unit.rules_builders import add_customer, add_invoice, mark

CAL = BusinessCalendar()
POLICY = load_plan_policy(None)


@given(total=st.integers(min_value=1, max_value=10**10), parts=st.integers(1, 24))
def test_split_is_exact_to_the_cent(total: int, parts: int) -> None:
    amounts = split_exact(total, parts)
    assert sum(amounts) == total and len(amounts) == parts
    assert max(amounts) - min(amounts) <= 1


@settings(max_examples=examples(150), deadline=None)
@given(
    total=st.integers(min_value=1, max_value=5 * 10**8),
    as_of=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    country=st.sampled_from(["FR", "GB", "DE", "BE"]),
)
def test_options_sum_exactly_and_respect_the_policy(total: int, as_of: date, country: str) -> None:
    options = plan_options(total, as_of, POLICY, CAL, country)
    assert options[0].id == "pay_now" and len(options[0].instalments) == 1
    for option in options:
        amounts = [i.amount_cents for i in option.instalments]
        assert sum(amounts) == total
        dates = [i.date for i in option.instalments]
        assert dates == sorted(dates) and dates[0] > as_of
        assert all(CAL.is_business_day(d.toordinal(), country) for d in dates)
        if option.id != "pay_now":
            assert min(amounts) >= POLICY.min_instalment
            assert (dates[-1] - dates[0]).days <= POLICY.max_duration_days
            assert len(set(dates)) == len(dates)


@settings(max_examples=examples(100), deadline=None)
@given(
    total=st.integers(min_value=1, max_value=5 * 10**8),
    as_of=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    country=st.sampled_from(["FR", "GB", "DE"]),
)
def test_the_plan_agreed_on_a_call_is_the_option_the_brief_proposed(
    total: int, as_of: date, country: str
) -> None:
    for option in plan_options(total, as_of, POLICY, CAL, country):
        count = len(option.instalments)
        assert instalment_plan(total, count, as_of, POLICY, CAL, country) == option


def test_small_amounts_get_no_instalment_plan() -> None:
    ids = [o.id for o in plan_options(25_000, date(2026, 11, 24), POLICY, CAL)]
    assert ids == ["pay_now"]  # 2 x 125 € would fall below the 150 € minimum
    ids = [o.id for o in plan_options(45_000, date(2026, 11, 24), POLICY, CAL)]
    assert ids == ["pay_now", "instalments_2", "instalments_3"]


def test_instalment_plan_refuses_what_the_policy_forbids() -> None:
    with pytest.raises(UserError, match="minimum"):
        instalment_plan(20_000, 2, date(2026, 11, 24), POLICY, CAL)
    strict = PaymentPlanPolicy(max_duration_days=40)
    with pytest.raises(UserError, match="trop long"):
        instalment_plan(1_000_000, 3, date(2026, 11, 24), strict, CAL)


def test_levers_are_computed_not_guessed() -> None:
    assert recovery_indemnity_cents(3, POLICY) == 12_000


AS_OF = date(2026, 11, 24)


def eur(cents: int) -> str:
    return format_money(cents, "EUR", "fr_FR")


def build_history(service: Service) -> None:
    store = service.store
    add_customer(
        store,
        "C1",
        customer_since=date(2024, 5, 10),
        phone="+33100000000",
        salesperson_name="Paul Vendeur",
        notes="Projet site web",
    )
    # paid history: one on time, one 20 days late
    add_invoice(store, "P1", date(2026, 6, 1), cents=100_000)
    add_invoice(store, "P2", date(2026, 7, 1), cents=200_000)
    with store.transaction():
        repo.apply_payment(
            store,
            Payment(invoice_number="P1", date=date(2026, 6, 1), amount_cents=100_000),
            None,
            "t",
        )
        repo.apply_payment(
            store,
            Payment(invoice_number="P2", date=date(2026, 7, 21), amount_cents=200_000),
            None,
            "t",
        )
    add_invoice(store, "O1", AS_OF - timedelta(days=25), cents=300_000)
    add_invoice(store, "O2", AS_OF + timedelta(days=5), cents=50_000)
    add_invoice(store, "D1", AS_OF - timedelta(days=40), cents=70_000)
    with store.transaction():
        repo.apply_payment(
            store,
            Payment(invoice_number="O1", date=AS_OF - timedelta(days=3), amount_cents=100_000),
            None,
            "t",
        )
    service.open_dispute("D1", "livrable incomplet")
    mark(store, ["O1"], "reminder_2", AS_OF - timedelta(days=15))


def test_factsheet_figures_on_a_hand_built_history(service: Service) -> None:
    build_history(service)
    sheet = service.factsheet("C1", AS_OF)
    assert [i.number for i in sheet.open_invoices] == ["D1", "O1", "O2"]
    assert sheet.outstanding_cents == 250_000  # O1 200,000 left + O2 50,000; D1 disputed
    assert sheet.overdue_cents == 200_000 and sheet.disputed_cents == 70_000
    assert [i.days_late for i in sheet.open_invoices] == [40, 25, 0]
    assert sheet.on_time_share == 0.5 and sheet.avg_days_late == 10
    assert sheet.last_payment == (AS_OF - timedelta(days=3), 100_000)
    assert sheet.relationship_months == 30
    assert sheet.revenue_12m_cents == 720_000
    kinds = [t.kind for t in sheet.timeline]
    assert "dispute.opened" in kinds and kinds.count("payment.recorded") == 3


def test_brief_json_contract_and_options(service: Service) -> None:
    build_history(service)
    data = service.brief("C1", AS_OF).as_json()
    assert data["customer_id"] == "C1" and data["outstanding"] == "2500.00"
    assert [i["invoice_number"] for i in data["invoices"]] == ["O1", "O2"]
    assert data["invoices"][0] == {
        "invoice_number": "O1",
        "due_date": "2026-10-30",
        "outstanding": "2000.00",
        "days_late": 25,
    }
    ids = [o["id"] for o in data["options"]]
    assert ids[0] == "pay_now" and data["recommended_option"] in ids
    for option in data["options"]:
        cents = sum(int(i["amount"].replace(".", "")) for i in option["instalments"])
        assert cents == 250_000
    assert data["source"] == "template" and data["violations"] == []
    assert data["summary"] and len(data["script"]) >= 6
    assert "D1" not in " ".join(data["script"])  # never ask to pay a disputed invoice


def test_unknown_customer_is_a_clear_error(service: Service) -> None:
    with pytest.raises(UserError, match="client inconnu"):
        service.brief("NOPE", AS_OF)


def call_due(service: Service) -> None:
    store = service.store
    add_customer(store, "C1", salesperson_email="v@example.com")
    add_invoice(store, "F1", AS_OF - timedelta(days=22), cents=300_000)
    mark(store, ["F1"], "reminder_2", AS_OF - timedelta(days=12))
    assert [a.step for a in service.plan(AS_OF).actions] == ["call"]


def test_call_promise_pauses_then_broken_escalates(service: Service) -> None:
    call_due(service)
    service.log_call(
        "C1", "promise", on=AS_OF, promised=AS_OF + timedelta(days=7), amount_cents=300_000
    )
    assert service.plan(AS_OF + timedelta(days=1)).actions == []
    assert service.plan(AS_OF + timedelta(days=10)).actions == []  # within grace
    (action,) = service.plan(AS_OF + timedelta(days=11)).actions
    assert action.step == "escalation" and "non tenue" in render(action.reason)


def test_call_customer_level_promise_covers_all_invoices(service: Service) -> None:
    call_due(service)
    add_invoice(service.store, "F2", AS_OF - timedelta(days=4))
    service.log_call("C1", "promise", on=AS_OF, promised=AS_OF + timedelta(days=5))
    assert service.plan(AS_OF + timedelta(days=2)).actions == []


def test_call_plan_creates_an_exact_schedule_and_stops_reminders(service: Service) -> None:
    call_due(service)
    data = service.log_call("C1", "plan", on=AS_OF, instalments=3)
    rows = service.store.query("SELECT seq, due_date, amount_cents FROM instalments ORDER BY seq")
    assert [r["amount_cents"] for r in rows] == [100_000, 100_000, 100_000]
    assert data["plan_id"] == 1
    for offset in (1, 20, 40, 70):
        steps = {a.step for a in service.plan(AS_OF + timedelta(days=offset)).actions}
        assert steps <= {"instalment_reminder", "instalment_missed"}  # no scenario reminder


def test_call_dispute_blocks_the_invoice(service: Service) -> None:
    call_due(service)
    with pytest.raises(UserError, match="--invoice"):
        service.log_call("C1", "dispute", on=AS_OF)
    service.log_call("C1", "dispute", on=AS_OF, invoice="F1", note="montant contesté")
    assert service.plan(AS_OF + timedelta(days=15)).actions == []


def test_call_no_answer_keeps_the_task_and_paid_closes_it(service: Service) -> None:
    call_due(service)
    service.log_call("C1", "no-answer", on=AS_OF)
    assert [a.step for a in service.plan(AS_OF + timedelta(days=1)).actions] == ["call"]
    service.log_call("C1", "paid", on=AS_OF + timedelta(days=1), note="virement parti hier")
    assert service.plan(AS_OF + timedelta(days=2)).actions == []
    outcomes = [e["data"]["outcome"] for e in service.store.events(kinds=("call.logged",))]
    assert outcomes == ["no-answer", "paid"]


def pay(service: Service, number: str, cents: int, on: date) -> None:
    with service.store.transaction():
        repo.apply_payment(
            service.store, Payment(invoice_number=number, date=on, amount_cents=cents), None, "test"
        )


def test_wrong_contact_keeps_the_call_task(service: Service) -> None:
    call_due(service)
    service.log_call("C1", "wrong-contact", on=AS_OF, note="standard : demander la compta")
    assert [a.step for a in service.plan(AS_OF + timedelta(days=1)).actions] == ["call"]


def test_payment_claimed_pauses_then_calls_again_if_nothing_arrives(service: Service) -> None:
    call_due(service)
    add_invoice(service.store, "F2", AS_OF - timedelta(days=3))  # would get its J+3 e-mail
    grace = service.scenario().promise_grace_days
    service.log_call("C1", "paid", on=AS_OF, promised=AS_OF - timedelta(days=1))
    assert service.store.query("SELECT status FROM invoices WHERE number = 'F1'")[0]["status"] == (
        "open"  # never guessed paid: the payment import settles it
    )
    for offset in range(1, grace + 1):
        assert service.plan(AS_OF + timedelta(days=offset)).actions == []
    later = [a for a in service.plan(AS_OF + timedelta(days=grace + 3)).actions]
    assert [a.requires_human for a in later] == [True]
    assert "non tenue" in render(later[0].reason)
    with pytest.raises(UserError, match="future"):
        service.log_call("C1", "paid", on=AS_OF, promised=AS_OF + timedelta(days=2))


def test_payment_claimed_then_received_is_kept_and_closes_the_task(service: Service) -> None:
    call_due(service)
    service.log_call("C1", "paid", on=AS_OF, promised=AS_OF - timedelta(days=1))
    pay(service, "F1", 300_000, AS_OF)
    assert service.plan(AS_OF + timedelta(days=10)).actions == []
    assert service.stats(AS_OF + timedelta(days=10)).promises["kept"] == 1
    timeline = [t.text for t in service.factsheet("C1", AS_OF + timedelta(days=10)).timeline]
    assert any("paiement annoncé" in t and "reçu" in t for t in timeline)


def test_a_small_payment_does_not_keep_a_claim_that_all_was_paid(service: Service) -> None:
    call_due(service)  # F1: 3,000.00 overdue
    service.log_call("C1", "paid", on=AS_OF, promised=AS_OF - timedelta(days=1))
    pay(service, "F1", 50_000, AS_OF)
    grace = service.scenario().promise_grace_days
    (action,) = service.plan(AS_OF + timedelta(days=grace + 3)).actions
    assert action.requires_human and "non tenue" in render(action.reason)
    assert service.stats(AS_OF + timedelta(days=grace + 3)).promises["broken"] == 1


def test_unknown_outcome_is_refused(service: Service) -> None:
    call_due(service)
    with pytest.raises(UserError, match="résultat inconnu"):
        service.log_call("C1", "maybe", on=AS_OF)


def test_template_brief_has_every_section_a_collector_needs(service: Service) -> None:
    from assistant.briefs.brief import render_markdown

    build_history(service)
    brief = service.brief("C1", AS_OF)
    data = brief.as_json()
    sections = data["script_sections"]
    assert all(sections[k] for k in ("opening", "facts", "questions", "objections"))
    assert sections["facts"][0].startswith(f"O1 : {eur(200_000)}, échue le 30 octobre 2026")
    assert any("Pas encore échu" in f and "O2" in f and eur(50_000) in f for f in sections["facts"])
    assert all(o["objection"] and o["answer"] for o in sections["objections"])
    # the proposal and the dated commitment are the recommended, computed option
    option = next(o for o in brief.options if o.id == data["recommended_option"])
    assert option.id == "pay_now" and data["recommendation_reason"].startswith("retards courts")
    # pay_now settles everything; on the phone the collector asks for what is overdue only
    pay_by = option.instalments[0].date
    assert f"--outcome promise --date {pay_by.isoformat()} --amount 2000.00" in sections["closing"]
    ask = f"règlement des {eur(200_000)} échus au plus tard le 2 décembre 2026"
    assert ask in sections["proposal"] and ask in sections["closing"]
    assert "le reste à ses échéances" in sections["proposal"]
    assert "Pourquoi : retards courts jusqu'ici (10 jours en moyenne)" in sections["proposal"]
    # levers are computed, shown apart, and never part of the script
    assert data["levers"]["recovery_indemnity"] == "40.00"
    # O1: 3 000 € unpaid 31/10..21/11 (22 d, 1 000 € paid on 21/11), 2 000 € 22/11..24/11 (3 d):
    # (300000 x 22 + 200000 x 3) x 12,15 % / 365 = 2396,71 c -> 23,97 €
    assert data["levers"]["late_interest"] == "23.97"
    script = " ".join(data["script"]).lower()
    assert "indemnité" not in script and "intérêts" not in script
    text = render_markdown(brief)
    assert "## Leviers" in text and f"{eur(4000)} ({eur(4000)} × 1 facture échue)" in text
    assert "jamais comme une menace" in text
    assert f"| O2 | 29/11/2026 | {eur(50_000)} | à échoir |" in text
    assert f"| D1 | 15/10/2026 | {eur(70_000)} | en litige |" in text


def test_brief_speaks_to_the_customer_in_their_language(service: Service) -> None:
    add_customer(service.store, "C2", language="en", country="GB", name="Acme Ltd")
    add_invoice(service.store, "E1", AS_OF - timedelta(days=12), cents=123_456, cid="C2")
    brief = service.brief("C2", AS_OF)
    # a French collector's instructions, the customer's words quoted in English
    assert brief.script.opening.startswith("demander la personne qui valide les paiements")
    assert (
        "« Hello, this is" in brief.script.opening and "an overdue invoice" in brief.script.opening
    )
    amount = format_money(123_456, "EUR", "en_GB")
    assert f"To sum up: payment of {amount} by" in brief.script.closing
    assert "Client anglophone" in brief.summary
    assert brief.recommended_option == "pay_now"
    assert brief.recommendation_reason == "aucun retard connu"


def test_summary_wording_on_counts(service: Service) -> None:
    build_history(service)
    summary = service.brief("C1", AS_OF).summary
    assert (
        f"doit {eur(250_000)} sur 2 factures ouvertes : {eur(200_000)} échus sur 1 facture"
        in summary
    )
    assert "Sur 12 mois : 1 facture réglée sur 2 à l'échéance" in summary
    assert f"Litige en cours sur {eur(70_000)} (D1)" in summary
