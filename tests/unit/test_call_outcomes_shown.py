"""After a plan is agreed on a call, its schedule is shown and later briefs follow it; English
customers get the whole script in English (issue 19, the collector's call dialog)."""

from __future__ import annotations

from datetime import timedelta

from assistant.briefs.brief import render_markdown
from assistant.money import format_money
from assistant.service import Service
from tests.unit.rules_builders import add_customer, add_invoice, mark
from tests.unit.test_briefs import AS_OF


def plan_agreed(service: Service, **customer: object) -> dict[str, object]:
    add_customer(service.store, "C1", salesperson_email="v@example.com", **customer)
    add_invoice(service.store, "F1", AS_OF - timedelta(days=22), cents=300_000)
    mark(service.store, ["F1"], "reminder_2", AS_OF - timedelta(days=12))
    return service.log_call("C1", "plan", on=AS_OF, instalments=3)


def test_the_agreed_schedule_is_returned_recorded_and_followed_by_briefs(
    service: Service,
) -> None:
    data = plan_agreed(service)
    schedule = data["schedule"]
    assert [x["amount"] for x in schedule] == ["1000.00", "1000.00", "1000.00"]  # type: ignore[index]
    brief = service.brief("C1", AS_OF + timedelta(days=2), offline=True)
    out = brief.as_json()
    assert out["options"] == [] and out["recommended_option"] is None
    assert [i["amount"] for i in out["running_plan"]["instalments"]] == ["1000.00"] * 3
    text = render_markdown(brief)
    assert "## Plan de paiement en cours" in text
    assert "Aucune : un plan de paiement est en cours." in text
    assert "s'en tenir au plan de paiement en cours" in brief.script.proposal
    history = [t for t in brief.sheet.timeline if t.kind == "payment_plan.agreed"]
    assert history and format_money(100_000, "EUR", "fr_FR") in history[0].text
    assert "plan de paiement en 3 échéances :" in history[0].text


def test_english_customers_get_the_whole_script_in_english(service: Service) -> None:
    add_customer(service.store, "C1", language="en", country="GB")
    add_invoice(service.store, "F1", AS_OF - timedelta(days=22), cents=300_000)
    script = service.brief("C1", AS_OF, offline=True).script
    assert all(q.endswith("?") and "Were" in script.questions[0] for q in script.questions)
    assert "Which payment date can you confirm for £" not in script.questions[-1]
    assert script.questions[-1].startswith("Which payment date can you confirm for €3,000.00")
    assert [o.objection for o in script.objections][:2] == [
        "We never received the invoice",
        "The payment has been made",
    ]
    assert script.objections[0].answer.startswith("resend it by e-mail")
