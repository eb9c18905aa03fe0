"""Real-world message shapes: the customer's own words, without quotes or signatures; the
kind of message (reply, automatic reply, bounce); the return date of an out-of-office."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assistant.replies.cleaning import own_words, shown_text
from assistant.replies.parse import parse_message, return_date
from tests.support.mail import bounce, message

DATA = Path(__file__).resolve().parent.parent / "data" / "replies"
OURS = frozenset({"atelier.example"})


def words(name: str) -> str:
    parsed = parse_message((DATA / name).read_bytes())
    return shown_text(own_words(parsed.body, OURS, parsed.subject))


def test_gmail_french_with_the_attribution_wrapped_over_two_lines() -> None:
    parsed = parse_message((DATA / "gmail_fr.eml").read_bytes())
    assert parsed.kind == "reply" and parsed.from_address == "sophie.durand@client-un.example"
    assert parsed.thread_ids == ["<relance.1.a502572c916ed210@atelier.example>"]
    assert parsed.sent_at == datetime(2026, 12, 3, 8, 12, 44, tzinfo=UTC)
    assert words("gmail_fr.eml") == (
        "Bonjour,\n\nNous avons réglé la facture FA-2026-0410 le 2 décembre par virement de"
        " 1 250,00 €."
    )  # "Bonne journée." and the signature below it, the "Le … a écrit :" quote: cut


def test_outlook_french_header_block_and_signature() -> None:
    assert words("outlook_fr.eml") == (
        "Bonjour,\n\nLa livraison du 12 novembre était incomplète : il manque deux postes sur la"
        " facture FA-2026-0412. Nous la contestons tant que le matériel n'est pas livré."
    )  # ISO-8859-1 decoded; "Cordialement," the phone line and "De : … Objet :" cut


def test_apple_mail_iphone_sign_off_and_no_break_space_before_the_colon() -> None:
    assert words("apple_fr.eml") == (
        "Bonjour,\nNous paierons le solde le 15 décembre, sans faute."
    )  # "Envoyé de mon iPhone" and "> Le … a écrit\u00a0:" cut


def test_html_only_mail_becomes_text_without_markup() -> None:
    parsed = parse_message((DATA / "html_only.eml").read_bytes())
    for markup in ("<div", "<b>", "<br", "&nbsp;", "&eacute;", "**"):
        assert markup not in parsed.body
    assert words("html_only.eml") == (
        "Bonjour,\n\nPourriez-vous nous renvoyer une copie de la facture FA-2026-0413 ? Notre"
        " service n’a reçu que le bon de livraison.\n\nMerci d'avance,\nClaire"
    )  # windows-1252 accents intact, the Outlook Web reply block cut


def test_a_forwarded_message_is_kept_its_own_quote_cut() -> None:
    text = words("forward_fr.eml")
    assert text.startswith("Bonjour,\n\nJe vous transfère la réponse de notre service achats.")
    assert "--- message transféré (Service achats <achats@client-un.example>) ---" in text
    assert text.endswith(
        "La facture FA-2026-0410 a été payée le 20/11/2026, référence VIR-2026-1120."
    )
    assert "Pouvez-vous vérifier" not in text  # the forwarded message's own quote


def test_gmail_english() -> None:
    assert words("gmail_en.eml") == (
        "Hello,\n\nWe paid invoice FA-2026-0414 last Monday; the transfer of EUR 1,250.00 should"
        " reach you this week."
    )


def test_our_own_message_quoted_outlook_style_is_history_not_a_forward() -> None:
    body = (
        "Nous réglerons fin de mois.\n\nDe : Atelier <compta@atelier.example>\n"
        "Envoyé : mardi 24 novembre 2026 10:30\nÀ : Paul <p@client.example>\n"
        "Objet : Relance\n\nBonjour, la facture FA-1 reste impayée.\n"
    )
    assert shown_text(own_words(body, OURS)) == "Nous réglerons fin de mois."


def test_a_hyphen_list_is_not_taken_for_a_signature() -> None:
    body = "Bonjour,\nPour info :\n- FA-1 payée hier\n- FA-2 contestée\nMerci"
    assert "- FA-2 contestée" in own_words(body).text


AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "subject", "body"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: Relance", "Bonjour"),
        ({"X-Autoreply": "yes"}, "Re: Relance", "Bonjour"),
        ({"Precedence": "bulk"}, "Re: Relance", "Bonjour"),
        ({}, "Réponse automatique : Relance facture", "Bonjour"),
        ({}, "Automatic reply: Reminder", "Hello"),
        ({}, "Re: Relance", "Bonjour,\nJe suis absente jusqu'au 7 décembre."),
        ({}, "Re: Reminder", "I am currently out of the office until December 7."),
    ],
)
def test_automatic_replies(headers: dict[str, str], subject: str, body: str) -> None:
    raw = message(
        sender="x@client.example",
        body=body,
        subject=subject,
        when=AT,
        message_id="<a@x>",
        headers=headers,
    )
    assert parse_message(raw).kind == "auto_reply"


def test_an_absence_with_something_that_matters_is_a_person_s_reply() -> None:
    raw = message(
        sender="x@client.example",
        body="Je suis absente demain, mais nous avons réglé la facture hier.",
        when=AT,
        message_id="<c@x>",
    )
    assert parse_message(raw).kind == "reply"


def test_a_person_who_mentions_an_absence_later_is_not_automatic() -> None:
    raw = message(
        sender="x@client.example",
        body="Bonjour,\nNous avons payé hier. Notre comptable était absente la semaine passée.",
        when=AT,
        message_id="<b@x>",
        headers={"Auto-Submitted": "no"},
    )
    assert parse_message(raw).kind == "reply"


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("Je suis absente du bureau jusqu'au 4 janvier 2027 inclus.", date(2027, 1, 4)),
        ("Absent, de retour le lundi 7 décembre.", date(2026, 12, 7)),
        ("I am out of the office until 12/14/2026.", None),  # US order: not read as a date
        ("I'm away, back on December 9.", date(2026, 12, 9)),
        ("Je suis absent.", None),
    ],
)
def test_the_return_date_an_out_of_office_states(text: str, back: date | None) -> None:
    assert return_date(text, AT.date()) == back


def test_a_delivery_status_notification_names_the_failed_address_and_our_message() -> None:
    raw = bounce(
        failed="old@client.example",
        original_id="<relance.4.abc@atelier.example>",
        when=AT,
        message_id="<dsn@mx>",
    )
    parsed = parse_message(raw)
    assert parsed.kind == "bounce" and parsed.bounce is not None
    assert parsed.bounce.recipient == "old@client.example"
    assert parsed.bounce.status == "5.1.1"
    assert "User unknown" in parsed.bounce.diagnostic
    assert parsed.thread_ids[0] == "<relance.4.abc@atelier.example>"


def test_a_delay_notice_is_automatic_not_a_bounce() -> None:
    raw = bounce(failed="x@client.example", original_id="<o@a>", when=AT, message_id="<d@m>")
    raw = raw.replace(b"Action: failed", b"Action: delayed").replace(b"5.1.1", b"4.4.1")
    assert parse_message(raw).kind == "auto_reply"


def test_a_malformed_message_is_read_as_far_as_possible() -> None:
    raw = b"From: =?utf-8?q?broken <x@client.example>\r\nSubject: \xff\xfe\r\n\r\nbody \xe9\r\n"
    parsed = parse_message(raw)
    assert parsed.from_address.endswith("x@client.example") and "body" in parsed.body
    assert parsed.message_id is None and parsed.dedupe_key.startswith("sha256:")
