"""A person's edit is checked like a model's text; approving a failing text needs a reason
(issue 19, item 1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import UserError
from assistant.money import format_money
from assistant.service import Service
from tests.conftest import FIXED_NOW
from tests.support.pg_neutral import put_policy
from tests.tui.conftest import DEMO_DAY


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Service]:
    built = Service.demo(
        Settings(RELANCE_HOME=tmp_path / "demo"), as_of=DEMO_DAY, clock=lambda: FIXED_NOW
    )
    built.service.draft(DEMO_DAY, offline=True)
    yield built.service
    built.service.close()


def first_email(service: Service):  # type: ignore[no-untyped-def]
    return next(d for d in service.drafts("pending") if d.channel == "email")


def test_a_changed_amount_fails_the_checks_and_blocks_approval(demo: Service) -> None:
    draft = first_email(demo)
    total = format_money(draft.total_cents, draft.currency, "fr_FR")
    wrong = format_money(draft.total_cents - 10_000, draft.currency, "fr_FR")
    assert total in draft.body and not draft.checks
    edited = demo.edit_draft(draft.id, draft.body.replace(total, wrong))
    assert edited.checks == [f"montant absent des factures : {wrong}"]
    with pytest.raises(UserError, match="ne passe pas les contrôles"):
        demo.approve([draft.id])
    assert demo.get_draft(draft.id).status == "pending"
    approved = demo.approve([draft.id], override="remise accordée au téléphone")[0]
    assert approved.status == "approved"
    assert approved.override_reason == "remise accordée au téléphone"
    (event,) = demo.store.events(kinds=("draft.approved",))[-1:]
    assert event["data"]["override"] == "remise accordée au téléphone"
    assert event["data"]["checks"] == edited.checks


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        ("Voir aussi la facture FA-2026-9999.", "référence inconnue : FA-2026-9999"),
        ("Merci de régler avant le 30 novembre 2026.", "date absente des factures"),
        ("Virement sur FR76 1762 9000 4321 8765 0000 076.", "IBAN qui n'est pas le nôtre"),
        ("Payez sur https://pay.evil.example/x.", "lien inconnu : https://pay.evil.example/x"),
        ("Écrivez à litiges@ailleurs.example.", "adresse e-mail inconnue"),
        ("Appelez le 06 11 22 33 44.", "numéro de téléphone inconnu : 06 11 22 33 44"),
        ("Sans réponse, nous saisirons un huissier.", "formule interdite : « huissier »"),
    ],
)
def test_every_kind_of_fact_is_checked(demo: Service, added: str, expected: str) -> None:
    draft = first_email(demo)
    checks = demo.check_text(draft.id, draft.subject, draft.body + "\n\n" + added)
    assert any(expected in c for c in checks), checks
    # the draft's own text passes: every fact it states is the message's
    assert demo.check_text(draft.id, draft.subject, draft.body) == []


def test_harmless_edits_pass(demo: Service) -> None:
    draft = first_email(demo)
    body = draft.body.replace("Bonjour,", "Bonjour Madame,") + "\n\nMerci de régler sous 8 jours."
    assert demo.edit_draft(draft.id, body).checks == []
    assert demo.approve([draft.id])[0].status == "approved"


def test_refused_llm_attempts_do_not_block_the_template_text(demo: Service) -> None:
    draft = first_email(demo)
    demo.store.conn.execute(
        "UPDATE drafts SET violations = ? WHERE id = ?", ('["jeton manquant : [[IBAN]]"]', draft.id)
    )
    assert demo.approve([draft.id])[0].status == "approved"


def test_a_day_written_without_a_year_is_a_fact_when_the_template_states_it() -> None:
    """A letter's method says "au 1er janvier et au 1er juillet": those days are its facts;
    another day without a year is not."""
    from assistant.drafting.checks import check_text, known_facts

    template = "Taux fixé par semestre (au 1er janvier et au 1er juillet)."
    facts = known_facts([template])
    assert check_text("", template, facts, None) == []
    assert check_text("", template + " Relance le 15 mars prochain.", facts, None) == [
        "date absente des factures : 15 mars"
    ]


def test_an_edit_may_state_the_facts_of_its_own_invoices_and_customer(demo: Service) -> None:
    from babel.dates import format_date

    from assistant.storage import repo

    draft = first_email(demo)
    customer = repo.get_customer(demo.store, draft.customer_id)
    invoice = repo.get_invoice(demo.store, draft.invoices[0])
    assert customer is not None and customer.email and invoice is not None
    issued = format_date(invoice.issue_date, "long", locale="fr_FR")
    added = f"\nFacture émise le {issued}. Votre adresse : {customer.email}."
    assert demo.edit_draft(draft.id, draft.body + added).checks == []
    # the same sentences in another customer's draft are facts it does not hold
    other = next(
        d for d in demo.drafts("pending")
        if d.channel == "email" and d.customer_id != draft.customer_id
    )  # fmt: skip
    assert len(demo.edit_draft(other.id, other.body + added).checks) == 2


def test_a_phone_number_is_compared_by_its_national_digits() -> None:
    from assistant.drafting.checks import _phone

    assert _phone("+33 6 11 22 33 44") == _phone("06.11.22.33.44") == "0611223344"
    assert _phone("33 12 34") == "331234"  # no "+": not a country code
    assert _phone("+44 20 7946 0000") == "442079460000"  # another country stays as written


def test_a_date_written_with_its_year_must_match_the_year_too() -> None:
    """The right day of the wrong year is another date: "19/11/2025" is not the due date
    "19/11/2026" the template states."""
    from assistant.drafting.checks import check_text, known_facts

    template = "Facture échue le 19/11/2026."
    facts = known_facts([template])
    assert check_text("", "Facture échue le 19 novembre 2026.", facts, None) == []
    assert check_text("", "Facture échue le 19/11/2025.", facts, None) == [
        "date absente des factures : 19/11/2025"
    ]
    assert check_text("", "Facture échue le 19 novembre 2025.", facts, None) == [
        "date absente des factures : 19 novembre 2025"
    ]


SHORT_TEMPLATE = (
    "{% block subject %}Votre solde{% endblock %}\n"
    "{% block body %}Bonjour,\n\nVotre solde reste à régler : {{ total_due }}.\n\n"
    "Bien cordialement,\n{{ signature }}{% endblock %}\n"
)


def test_an_edit_may_state_an_invoice_fact_its_template_leaves_out(tmp_path: Path) -> None:
    """A manager's template that names no invoice: the draft's invoices are still its facts,
    so a person may add an invoice's number and due date; another customer's invoice is not."""
    from babel.dates import format_date

    from assistant.storage import repo

    home = tmp_path / "demo"
    built = Service.demo(Settings(RELANCE_HOME=home), as_of=DEMO_DAY, clock=lambda: FIXED_NOW)
    service = built.service
    for language in ("fr", "en"):
        put_policy(home, f"templates/{language}/reminder_1.j2", SHORT_TEMPLATE)
    service.draft(DEMO_DAY, offline=True)
    drafts = [d for d in service.drafts("pending") if d.template_name.endswith("reminder_1.j2")]
    draft, other = drafts[0], next(d for d in drafts if d.customer_id != drafts[0].customer_id)
    invoice = repo.get_invoice(service.store, draft.invoices[0])
    assert invoice is not None and invoice.number not in draft.body
    due = format_date(invoice.due_date, "long", locale="fr_FR")
    added = f"\nIl s'agit de la facture {invoice.number}, échue le {due}."
    assert service.edit_draft(draft.id, draft.body + added).checks == []
    # its number is not one of the other draft's facts (a due date may be: only the number counts)
    assert service.edit_draft(other.id, other.body + added).checks == [
        f"référence inconnue : {invoice.number}"
    ]
    service.close()


@pytest.mark.parametrize(
    "written",
    [
        "https://www.pay.example.fr/f/F-1",
        "http://pay.example.fr/f/F-1/",
        "HTTPS://PAY.example.fr/f/F-1.",
        "www.pay.example.fr/f/F-1)",
        "pay.example.fr/f/F-1",
    ],
)
def test_a_known_link_is_the_same_whatever_its_scheme_www_case_or_ending(written: str) -> None:
    from assistant.drafting.checks import check_text, known_facts

    facts = known_facts([], links=["HTTPS://www.Pay.Example.fr/f/F-1/"])
    assert check_text("", f"Réglez ici : {written} merci", facts, None) == []


@pytest.mark.parametrize(
    "known", ["https://pay.example.fr/f/F-1.", "https://pay.example.fr/f/F-1),"]
)
def test_a_known_link_copied_with_the_end_of_its_sentence_still_matches(known: str) -> None:
    # the written link loses its trailing punctuation when found; the known one must lose it too
    from assistant.drafting.checks import check_text, known_facts

    facts = known_facts([], links=[known])
    assert check_text("", "Réglez ici : https://pay.example.fr/f/F-1 merci", facts, None) == []
    assert check_text("", "Réglez ici : https://pay.example.fr/f/F-1. Merci", facts, None) == []


@pytest.mark.parametrize(
    "written",
    [
        "https://pay.example.fr/f/F-2",  # another invoice's page
        "https://pay.example.fr.evil.io/f/F-1",  # a look-alike host
        "https://pay.example.fr/f/F-1X",  # one letter more, even a letter the ends are cut of
        "https://www2.pay.example.fr/f/F-1",  # only "www." is a spelling of the same host
    ],
)
def test_a_link_that_is_not_the_messages_is_refused(written: str) -> None:
    from assistant.drafting.checks import check_text, known_facts

    facts = known_facts([], links=["https://pay.example.fr/f/F-1", "https://pay.example.fr/f/F-1/"])
    assert check_text("", f"Réglez ici : {written} merci", facts, None) == [
        f"lien inconnu : {written}"
    ]


def test_each_fact_found_is_blanked_where_it_stands_even_after_another_one() -> None:
    # a blank of another length would shift the text: the second address's end read as a link
    from assistant.drafting.checks import check_text, extract, known_facts

    text = "Écrivez à compta@ex.fr ou paie2026@ex.fr, montant 1 250,00 € le 15/12/2026."
    found = extract(text)
    assert found.emails == ["compta@ex.fr", "paie2026@ex.fr"] and found.links == []
    assert found.amounts == [("1 250,00 €", 125_000)]
    facts = known_facts([], emails=["compta@ex.fr", "paie2026@ex.fr"])
    assert check_text("", "Écrivez à compta@ex.fr ou paie2026@ex.fr.", facts, None) == []


def test_a_message_s_facts_are_its_invoices_totals_and_the_company_s_payment_details() -> None:
    from assistant.company import load_company
    from assistant.drafting.checks import check_text, facts_of
    from assistant.models import Customer, Invoice

    company = load_company(None).model_copy(
        update={"iban": "FR76 3000 6000 0112 3456 7890 189", "payment_link": "https://pay.ex.fr/c1"}
    )
    invoices = [
        Invoice(number="FA-1", customer_id="C1", issue_date=date(2026, 10, 1),
                due_date=date(2026, 10, 31), amount_cents=120_000, outstanding_cents=50_000),
        Invoice(number="FA-2", customer_id="C1", issue_date=date(2026, 11, 2),
                due_date=date(2026, 12, 2), amount_cents=30_000, outstanding_cents=30_000),
    ]  # fmt: skip
    facts = facts_of([""], company, invoices, Customer(id="C1", name="Lefèvre"))
    said = (
        "Total : 800,00 €, dont 500,00 € sur la facture FA-1 de 1 200,00 €. "
        "IBAN FR76 3000 6000 0112 3456 7890 189, ou https://pay.ex.fr/c1 ."
    )
    assert check_text("", said, facts, None) == []
    assert check_text("", "Total : 850,00 €.", facts, None) == [
        "montant absent des factures : 850,00 €"
    ]


def test_the_customer_s_and_salesperson_s_contacts_and_the_invoice_reference_are_facts() -> None:
    from assistant.company import load_company
    from assistant.drafting.checks import check_text, facts_of
    from assistant.models import Customer, Invoice

    company = load_company(None).model_copy(update={"phone": "04 72 00 00 00"})
    invoice = Invoice(number="FA-1", customer_id="C1", issue_date=date(2026, 10, 1),
                      due_date=date(2026, 10, 31), amount_cents=50_000, outstanding_cents=50_000,
                      reference="BC-77")  # fmt: skip
    customer = Customer(id="C1", name="Lefèvre", email="compta@lefevre.fr", phone="06 11 22 33 44",
                        salesperson_email="paul@nous.fr")  # fmt: skip
    said = (
        "Votre commande BC-77 : écrivez à compta@lefevre.fr ou paul@nous.fr, "
        "appelez le 04 72 00 00 00 ; nous vous appellerons au 06 11 22 33 44."
    )
    assert check_text("", said, facts_of([""], company, [invoice], customer), None) == []
    # without a customer, only the company's contacts and the invoices are facts
    assert check_text("", said, facts_of([""], company, [invoice], None), None) == [
        "adresse e-mail inconnue : compta@lefevre.fr",
        "adresse e-mail inconnue : paul@nous.fr",
        "numéro de téléphone inconnu : 06 11 22 33 44",
    ]


def test_a_date_written_the_iso_way_is_read_and_checked() -> None:
    from assistant.drafting.checks import check_text, extract, known_facts

    assert extract("Échéance : 2026-10-31.").dates == [("2026-10-31", date(2026, 10, 31))]
    assert extract("Lot 2026-13-45").dates == []  # no such day: not a date
    facts = known_facts(["Échéance le 31/10/2026."])
    assert check_text("", "Échéance : 2026-10-31.", facts, None) == []
    assert check_text("", "Échéance : 2026-10-30.", facts, None) == [
        "date absente des factures : 2026-10-30"
    ]


def test_an_unknown_link_is_named_without_the_end_of_its_sentence() -> None:
    from assistant.drafting.checks import check_text, known_facts

    assert check_text("", "Payez sur https://pay.evil.example/x.", known_facts([]), None) == [
        "lien inconnu : https://pay.evil.example/x"
    ]


def test_a_person_s_edit_is_held_to_the_forbidden_phrases_not_the_required_ones() -> None:
    # the required phrases bind the LLM's rewrite; a person may word the message their own way
    from assistant.drafting.checks import check_text, known_facts
    from assistant.llm.tone import ToneRule

    rule = ToneRule(language="fr", required=["cordialement"], forbidden=["huissier"])
    assert check_text("", "Merci de régler la facture.", known_facts([]), rule) == []
    assert check_text("", "Sinon, un huissier passera.", known_facts([]), rule) == [
        "formule interdite : « huissier »"
    ]


def test_dates_in_words_french_and_english_are_read_and_checked() -> None:
    from assistant.drafting.checks import check_text, extract, known_facts

    assert extract("le 1er décembre 2026, due on November 30, 2026").dates == [
        ("1er décembre 2026", date(2026, 12, 1)),
        ("November 30, 2026", date(2026, 11, 30)),
    ]
    assert extract("February 30, 2026").dates == []  # no such day
    facts = known_facts([], dates=[date(2026, 11, 30)])
    assert check_text("", "Due on November 30, 2026.", facts, None) == []
    assert check_text("", "Due on November 29, 2026.", facts, None) == [
        "date absente des factures : November 29, 2026"
    ]


def test_an_unreadable_amount_is_never_one_of_the_facts() -> None:
    # "1,234 €" is ambiguous (thousands or decimals?): it is refused even when the template
    # wrote one too, or an invoice owes a cent either way
    from assistant.drafting.checks import check_text, extract, known_facts

    assert extract("Total : 1,234 €").amounts == [("1,234 €", None)]
    facts = known_facts(["Ancien total : 4,321 €"], amounts=[1, -1])
    assert check_text("", "Total : 1,234 €", facts, None) == [
        "montant absent des factures : 1,234 €"
    ]


def test_a_year_alone_is_not_a_reference_but_other_numbers_and_codes_are() -> None:
    from assistant.drafting.checks import extract

    found = extract("En 1900, 1899, 2026, 2199 et 2200 : commande 123456, lots A1-23, A-1 et B12")
    assert found.references == ["1899", "2200", "123456", "A1-23"]


def test_an_amount_the_template_states_is_one_of_the_facts() -> None:
    # the approved template's own amounts (rendered with the real values) may be restated
    from assistant.drafting.checks import check_text, known_facts

    facts = known_facts(["Frais de dossier : 40,00 €. Total : 1 250,00 €."], amounts=[500])
    assert facts.amounts == frozenset({4_000, 125_000, 500})
    assert check_text("", "Il reste 1 250,00 € et 40,00 € de frais.", facts, None) == []


def test_an_invoice_number_that_reads_like_an_amount_is_that_reference() -> None:
    # found by the import-to-outbox fuzz: invoice "€١٢" (a euro sign, Arabic-Indic 12)
    from assistant.drafting.checks import check_text, known_facts

    facts = known_facts(["Facture €١٢"], references=["€١٢"])
    assert check_text("", "Rappel : facture €١٢.", facts, None) == []
    # and the amounts after it are still checked
    assert check_text("", "Facture €١٢ : 99,00 €.", facts, None) == [
        "montant absent des factures : 99,00 €"
    ]
    # the same text is still an unknown amount when it is no reference of the message
    assert check_text("", "Rappel : €١٢.", known_facts([]), None) == [
        "montant absent des factures : €١٢"
    ]
