"""The facts of a message, formatted for the customer's language: what the LLM never sees and
the customer reads as is (drafting/facts.py)."""

from __future__ import annotations

from datetime import date

from assistant.company import load_company
from assistant.drafting.facts import InstalmentFact, Previous, message_facts, token_for
from assistant.models import Customer, Invoice

PARTLY_PAID = Invoice(
    number="FA-2", customer_id="C1", issue_date=date(2026, 10, 1), due_date=date(2026, 10, 31),
    amount_cents=120_000, outstanding_cents=50_000, reference="BC 77",
)  # fmt: skip
DUE_TODAY = Invoice(
    number="FA-1", customer_id="C1", issue_date=date(2026, 11, 1), due_date=date(2026, 11, 24),
    amount_cents=30_000, outstanding_cents=30_000,
)  # fmt: skip
FRENCH = Customer(id="C1", name="Boulangerie Lefèvre", language="fr", country="FR",
                  salesperson_email="marie@nous.fr")  # fmt: skip
ENGLISH = Customer(id="C2", name="Acme Ltd", language="en", country="GB", salesperson_name="Paul")


def test_french_facts_list_each_invoice_oldest_first_with_what_is_left() -> None:
    facts = message_facts(FRENCH, [DUE_TODAY, PARTLY_PAID], load_company(None),
                          step="reminder_1", segment=None, as_of=date(2026, 11, 24))  # fmt: skip
    v = facts.values
    assert v["invoice_list"] == (
        "- Facture FA-2 du 1er octobre 2026 (BC 77) : 500,00\u00a0€ restant dû,"
        " échue le 31 octobre 2026\n"
        "- Facture FA-1 du 1er novembre 2026 : 300,00\u00a0€ à régler,"
        " échéance le 24 novembre 2026"
    )
    assert (v["invoice_refs"], v["total_due"], v["due_date"]) == (
        "FA-2, FA-1", "800,00\u00a0€", "31 octobre 2026"
    )  # fmt: skip
    assert (v["customer_name"], v["company_name"]) == (
        "Boulangerie Lefèvre",
        load_company(None).name,
    )
    assert v["salesperson_name"] == "marie@nous.fr"  # no name: the address
    assert v["payment_link"] == "(lien de paiement sur demande)"
    assert v["instalment_amount"] == v["instalment_date"] == v["instalment_label"] == ""
    assert facts.context == {
        "several": True, "step": "reminder_1", "segment": "standard", "language": "fr",
        "has_credit": False, "reminded_before": False, "notified_before": False,
    }  # fmt: skip
    assert (facts.total_cents, facts.max_days_late) == (80_000, 24)


def test_english_facts_before_and_after_the_due_date() -> None:
    company = load_company(None)
    before = message_facts(
        ENGLISH, [PARTLY_PAID, DUE_TODAY], company, step="pre_due", segment="strategic",
        as_of=date(2026, 10, 20), instalment=InstalmentFact(2, 3, date(2026, 12, 5), 12_345),
    )  # fmt: skip
    assert before.values["invoice_list"] == (
        "- Invoice FA-2 of 1 October 2026 (BC 77): €500.00 outstanding, due on 31 October 2026\n"
        "- Invoice FA-1 of 1 November 2026: €300.00 due, due on 24 November 2026"
    )
    assert (before.values["instalment_amount"], before.values["instalment_date"]) == (
        "€123.45", "5 December 2026"
    )  # fmt: skip
    assert (
        before.values["instalment_label"] == "2/3" and before.values["salesperson_name"] == "Paul"
    )
    assert before.context["segment"] == "strategic" and before.max_days_late == 0
    after = message_facts(ENGLISH, [DUE_TODAY, PARTLY_PAID], company, step="reminder_1",
                          segment=None, as_of=date(2026, 11, 24))  # fmt: skip
    assert after.values["invoice_list"].splitlines() == [
        "- Invoice FA-2 of 1 October 2026 (BC 77): €500.00 outstanding, was due on 31 October 2026",
        "- Invoice FA-1 of 1 November 2026: €300.00 due, due on 24 November 2026",
    ]
    assert after.values["payment_link"] == "(payment link on request)"


def test_one_invoice_is_not_several_and_a_pre_due_line_never_says_overdue() -> None:
    facts = message_facts(FRENCH, [DUE_TODAY], load_company(None), step="pre_due",
                          segment=None, as_of=date(2026, 11, 25))  # fmt: skip
    assert facts.context["several"] is False
    assert facts.values["invoice_list"].endswith("à régler, échéance le 24 novembre 2026")
    assert token_for("total_due") == "[[TOTAL_DUE]]"


def test_facts_without_invoices_or_company_iban() -> None:
    company = load_company(None).model_copy(update={"iban": ""})
    english = message_facts(ENGLISH, [], company, step="reminder_1", segment=None,
                            as_of=date(2026, 11, 24))  # fmt: skip
    assert english.values["invoice_list"] == english.values["due_date"] == ""
    assert english.values["total_due"] == "€0.00" and english.values["iban"] == "(IBAN on request)"
    assert (english.total_cents, english.max_days_late) == (0, 0)
    french = message_facts(FRENCH, [], company, step="reminder_1", segment=None,
                           as_of=date(2026, 11, 24))  # fmt: skip
    assert french.values["total_due"] == "0,00\u00a0€"
    assert french.values["iban"] == "(IBAN sur demande)"
    english_total = message_facts(
        ENGLISH,
        [DUE_TODAY, PARTLY_PAID],
        load_company(None),
        step="reminder_1",
        segment=None,
        as_of=date(2026, 11, 24),
    )
    assert english_total.values["total_due"] == "€800.00"  # fmt: skip


def test_the_total_is_in_the_invoices_currency() -> None:
    dollars = DUE_TODAY.model_copy(update={"currency": "USD"})
    facts = message_facts(FRENCH, [dollars], load_company(None), step="reminder_1",
                          segment=None, as_of=date(2026, 11, 24))  # fmt: skip
    assert facts.values["total_due"] == "300,00\u00a0$US"
    assert "300,00\u00a0$US à régler" in facts.values["invoice_list"]


def test_the_net_amount_asked_is_the_total_and_the_credit_is_what_it_leaves_out() -> None:
    invoices = [DUE_TODAY, PARTLY_PAID]  # 800,00 € outstanding in all
    net = message_facts(FRENCH, invoices, load_company(None), step="reminder_1", segment=None,
                        as_of=date(2026, 11, 24), net_cents=55_000)  # fmt: skip
    assert (net.values["total_due"], net.values["gross_total"], net.values["credit_amount"]) == (
        "550,00\u00a0€", "800,00\u00a0€", "250,00\u00a0€"
    )  # fmt: skip
    assert net.total_cents == 55_000 and net.context["has_credit"] is True
    # never more than the invoices named, even if the plan's figure were higher
    capped = message_facts(FRENCH, invoices, load_company(None), step="reminder_1",
                           segment=None, as_of=date(2026, 11, 24), net_cents=90_000)  # fmt: skip
    assert (capped.values["total_due"], capped.values["credit_amount"]) == (
        "800,00\u00a0€", "0,00\u00a0€"
    )  # fmt: skip
    assert capped.total_cents == 80_000 and capped.context["has_credit"] is False
    english = message_facts(ENGLISH, invoices, load_company(None), step="reminder_1",
                            segment=None, as_of=date(2026, 11, 24), net_cents=55_000)  # fmt: skip
    assert (english.values["gross_total"], english.values["credit_amount"]) == (
        "€800.00", "€250.00"
    )  # fmt: skip
    whole = message_facts(FRENCH, invoices, load_company(None), step="reminder_1", segment=None,
                          as_of=date(2026, 11, 24), net_cents=80_000)  # fmt: skip
    assert whole.context["has_credit"] is False and whole.values["gross_total"] == "800,00\u00a0€"


def test_a_persons_signature_replaces_the_companys_and_none_keeps_it() -> None:
    company = load_company(None)
    own = message_facts(FRENCH, [DUE_TODAY], company, step="reminder_1", segment=None,
                        as_of=date(2026, 11, 24),
                        signature="Julie Martin\nComptabilité")  # fmt: skip
    assert own.values["signature"] == "Julie Martin\nComptabilité"
    generic = message_facts(FRENCH, [DUE_TODAY], company, step="reminder_1", segment=None,
                            as_of=date(2026, 11, 24))  # fmt: skip
    assert generic.values["signature"] == company.signature("fr")
    assert generic.values["contact_person"] == company.contact_line("fr")
    assert generic.values["company_name"] == company.name


def test_what_was_sent_before_and_the_language_of_the_message() -> None:
    both = message_facts(FRENCH, [DUE_TODAY], load_company(None), step="reminder_2",
                         segment="small", as_of=date(2026, 11, 24), language="en",
                         previous=Previous(reminded=True, notified=True))  # fmt: skip
    assert both.context == {
        "several": False, "step": "reminder_2", "segment": "small", "language": "en",
        "has_credit": False, "reminded_before": True, "notified_before": True,
    }  # fmt: skip
    # the language asked wins over the customer's: English words, English number format
    assert both.values["invoice_list"] == (
        "- Invoice FA-1 of 1 November 2026: €300.00 due, due on 24 November 2026"
    )
    notified = message_facts(FRENCH, [DUE_TODAY], load_company(None), step="reminder_1",
                             segment=None, as_of=date(2026, 11, 24),
                             previous=Previous(notified=True))  # fmt: skip
    assert (notified.context["reminded_before"], notified.context["notified_before"]) == (
        False, True
    )  # fmt: skip
    assert notified.context["language"] == "fr"


def test_invoices_due_the_same_day_are_listed_by_number_and_the_iban_is_the_companys() -> None:
    company = load_company(None).model_copy(update={"iban": "FR7630006000011234567890189"})
    same_day = DUE_TODAY.model_copy(update={"number": "FA-0"})
    facts = message_facts(FRENCH, [DUE_TODAY, same_day], company, step="reminder_1",
                          segment=None, as_of=date(2026, 12, 4))  # fmt: skip
    assert facts.values["invoice_refs"] == "FA-0, FA-1"
    assert facts.values["iban"] == "FR7630006000011234567890189"
    assert facts.max_days_late == 10


def test_no_salesperson_is_an_empty_name_not_a_placeholder() -> None:
    nobody = FRENCH.model_copy(update={"salesperson_email": None, "salesperson_name": None})
    facts = message_facts(nobody, [DUE_TODAY], load_company(None), step="reminder_1",
                          segment=None, as_of=date(2026, 11, 24))  # fmt: skip
    assert facts.values["salesperson_name"] == ""


def test_amounts_and_dates_follow_the_customers_country_in_its_language() -> None:
    big = DUE_TODAY.model_copy(update={"amount_cents": 123_456, "outstanding_cents": 123_456})
    swiss = FRENCH.model_copy(update={"country": "CH"})
    facts = message_facts(swiss, [big], load_company(None), step="reminder_1", segment=None,
                          as_of=date(2026, 11, 24))  # fmt: skip
    assert facts.values["total_due"] == "1'234,56\u00a0€"  # fr_CH, not fr_FR's 1 234,56 €
    american = ENGLISH.model_copy(update={"country": "US"})
    facts = message_facts(american, [big], load_company(None), step="reminder_1", segment=None,
                          as_of=date(2026, 11, 24))  # fmt: skip
    assert facts.values["due_date"] == "November 24, 2026"  # en_US, not en_GB's 24 November
