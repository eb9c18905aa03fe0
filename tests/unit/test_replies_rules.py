"""Facts found in a reply (dates read from the day it arrived, amounts, instalments) and the
rule-based suggestion in French and English, with its evidence."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.replies.extract import find_amounts, find_dates, find_instalments
from assistant.replies.suggestion import Suggestion, suggest_by_rules

THU = date(2026, 12, 3)  # a Thursday
KNOWN = {"FA-2026-0410", "FA-2026-0412"}


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("réglé le 2 décembre", [(date(2026, 12, 2),)]),
        ("payé le 1er déc. 2026", [(date(2026, 12, 1),)]),
        ("virement du 02/12/2026", [(date(2026, 12, 2),)]),
        ("virement du 28/11", [(date(2026, 11, 28),)]),
        ("on 2026-12-02", [(date(2026, 12, 2),)]),
        ("paid on December 2nd", [(date(2026, 12, 2),)]),
        ("paid 2 Dec", [(date(2026, 12, 2),)]),
        ("le 5 janvier", [(date(2027, 1, 5),)]),  # the nearest year
        ("lundi dernier", [(date(2026, 11, 30),)]),
        ("last Monday", [(date(2026, 11, 30),)]),
        ("lundi prochain", [(date(2026, 12, 7),)]),
        ("lundi", [(date(2026, 11, 30), date(2026, 12, 7))]),  # past or coming: both
        ("hier", [(date(2026, 12, 2),)]),
        ("tomorrow", [(date(2026, 12, 4),)]),
        ("fin de mois", [(date(2026, 12, 31),)]),
        ("la facture FA-2026-0410", []),  # a reference, not a date
        ("1 250,00 €", []),
    ],
)
def test_dates_read_from_the_day_the_reply_arrived(text: str, days: list[tuple[date, ...]]) -> None:
    assert [f.values for f in find_dates(text, THU)] == days


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("un virement de 1 250,00 €", [125_000]),
        ("1\u202f250,50 euros", [125_050]),
        ("EUR 1,250.00", [125_000]),
        ("€300", [30_000]),
        ("4 200 EUR", [420_000]),
        ("reste 980,40 à payer", [98_040]),  # French decimals without a currency
        ("la facture FA-2026-0410 de 2026", []),
        ("le 02/12/2026", []),
        ("3 fois", []),
    ],
)
def test_amounts(text: str, cents: list[int]) -> None:
    assert [f.values[0] for f in find_amounts(text)] == cents


@pytest.mark.parametrize(
    ("text", "count"),
    [("en trois fois", 3), ("en 4 fois", 4), ("three instalments", 3), ("6 mensualités", 6)],
)
def test_instalments(text: str, count: int) -> None:
    assert [f.values[0] for f in find_instalments(text)] == [count]


def facts(s: Suggestion) -> tuple[object, ...]:
    return (s.outcome, s.date, s.amount_cents, s.invoice, s.instalments, s.reference)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nous avons réglé la facture FA-2026-0410 le 2 décembre.",
            ("paid", date(2026, 12, 2), None, "FA-2026-0410", None, None),
        ),
        (
            "Le virement de 1 250,00 € est parti lundi, référence VIR-88.",
            ("paid", date(2026, 11, 30), 125_000, None, None, "VIR-88"),
        ),
        (
            "We paid last Monday, the transfer should arrive soon.",
            ("paid", date(2026, 11, 30), None, None, None, None),
        ),
        (
            "Nous paierons le 15/12 sans faute, 4 200 EUR.",
            ("promise", date(2026, 12, 15), 420_000, None, None, None),
        ),
        (
            "Payment will be made on Monday.",
            ("promise", date(2026, 12, 7), None, None, None, None),
        ),
        ("Peut-on payer en 3 fois ?", ("plan", None, None, None, 3, None)),
        ("Could we pay in three instalments?", ("plan", None, None, None, 3, None)),
        (
            "La livraison était incomplète, nous contestons la fa-2026-0412.",
            ("dispute", None, None, "FA-2026-0412", None, None),
        ),
        ("The amount is incorrect on our side.", ("dispute", None, None, None, None, None)),
        (
            "Pouvez-vous m'envoyer une copie de la facture ?",
            ("question", None, None, None, None, None),
        ),
        ("Can you send us your bank details", ("question", None, None, None, None, None)),
        ("À qui dois-je écrire ?", ("question", None, None, None, None, None)),
        ("Merci pour votre message.", ("other", None, None, None, None, None)),
    ],
)
def test_rule_suggestions(text: str, expected: tuple[object, ...]) -> None:
    assert facts(suggest_by_rules(text, THU, KNOWN)) == expected


def test_evidence_spans_point_at_the_words_that_decided() -> None:
    text = "Bonjour, nous avons réglé la facture FA-2026-0410 le 2 décembre par virement."
    s = suggest_by_rules(text, THU, KNOWN)
    assert [text[a:b] for a, b in s.evidence] == ["avons réglé", "FA-2026-0410", "2 décembre"]
    assert s.source == "rules" and s.violations == []
    again = Suggestion.loads(s.dumps())
    assert again == s and again is not None and again.as_json()["date"] == "2026-12-02"


def test_a_dispute_wins_over_a_payment_in_the_same_reply() -> None:
    text = "Nous avons payé la FA-2026-0410 mais contestons la FA-2026-0412 (livraison incomplète)."
    suggestion = suggest_by_rules(text, THU, KNOWN)
    assert (suggestion.outcome, suggestion.invoice) == ("dispute", "FA-2026-0412")
