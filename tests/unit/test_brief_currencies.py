"""A customer owing in EUR and in CHF: the brief's totals and options stay in one currency, the
francs are shown apart (never added), and a payment plan over both currencies is refused."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.briefs.brief import render_markdown
from assistant.errors import UserError
from assistant.service import Service
from tests.unit.rules_builders import add_customer
from tests.unit.test_kpis_currencies import invoice

AS_OF = date(2026, 11, 30)


def mixed(service: Service) -> None:
    add_customer(service.store, "C1")
    invoice(service.store, "E1", date(2026, 11, 10), 100_000, "EUR")  # the oldest: main currency
    invoice(service.store, "F1", date(2026, 11, 20), 30_000, "CHF")


def test_the_brief_totals_one_currency_and_shows_the_other_apart(service: Service) -> None:
    mixed(service)
    brief = service.brief("C1", AS_OF, offline=True)
    out = brief.as_json()
    assert out["currency"] == "EUR"
    assert (out["outstanding"], out["overdue"], out["invoices_outstanding"]) == (
        "1000.00",
        "1000.00",
        "1000.00",
    )  # not 1200.00
    assert [i["invoice_number"] for i in out["invoices"]] == ["E1"]  # the euros' invoices
    assert out["other_currencies"] == {
        "CHF": {
            "outstanding": "300.00",
            "invoices": [
                {"invoice_number": "F1", "due_date": "2026-11-20", "outstanding": "300.00",
                 "days_late": 10}
            ],
        }
    }  # fmt: skip
    for option in out["options"]:  # instalments add up to the euros only
        assert sum(int(x["amount"].replace(".", "")) for x in option["instalments"]) == 100_000
    text = render_markdown(brief).replace("\u00a0", " ")
    assert "| F1 |" in text and "300,00 CHF" in text and "300,00 €" not in text
    assert "autres devises : 300,00 CHF" in text
    assert "1 300,00" not in text.replace("\u202f", " ")  # nor in the 12 months' revenue


def test_a_single_currency_brief_has_no_other_currencies(service: Service) -> None:
    add_customer(service.store, "C1")
    invoice(service.store, "E1", date(2026, 11, 10), 100_000, "EUR")
    out = service.brief("C1", AS_OF, offline=True).as_json()
    assert out["other_currencies"] == {}
    assert "autres devises" not in render_markdown(service.brief("C1", AS_OF, offline=True))


def test_a_plan_over_two_currencies_is_refused_and_one_per_invoice_works(
    service: Service,
) -> None:
    mixed(service)
    with pytest.raises(UserError, match="plusieurs devises"):
        service.log_call("C1", "plan", on=AS_OF, instalments=2)
    assert service.store.scalar("SELECT count(*) FROM payment_plans") == 0
    data = service.log_call("C1", "plan", on=AS_OF, instalments=2, invoice="F1")
    assert [(x["amount"], x["currency"]) for x in data["schedule"]] == [  # type: ignore[union-attr]
        ("150.00", "CHF"),
        ("150.00", "CHF"),
    ]
    history = service.brief("C1", AS_OF, offline=True).sheet.timeline
    plan = next(t for t in history if t.kind == "payment_plan.agreed")
    assert "150,00\u00a0CHF" in plan.text and "€" not in plan.text


def test_an_amount_over_two_currencies_is_refused_on_calls(service: Service) -> None:
    mixed(service)
    with pytest.raises(UserError, match="plusieurs devises"):
        service.log_call("C1", "promise", on=AS_OF, promised=date(2026, 12, 5), amount_cents=500)
    with pytest.raises(UserError, match="plusieurs devises"):
        service.log_call("C1", "paid", on=AS_OF)  # "we paid": what, 1000 EUR + 300 CHF?
    assert service.store.scalar("SELECT count(*) FROM promises") == 0
    service.log_call("C1", "paid", on=AS_OF, invoice="F1")  # one invoice: one currency
    service.log_call("C1", "promise", on=AS_OF, promised=date(2026, 12, 5))  # no amount: fine
    assert service.store.scalar("SELECT count(*) FROM promises") == 2
