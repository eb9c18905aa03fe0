"""Guardrails on their own: each check catches its fault and lets a good rewrite through."""

from __future__ import annotations

import pytest

from assistant.drafting.facts import FACT_VARS, token_for
from assistant.drafting.templates import TemplateStore
from assistant.llm.guardrails import (
    check_rewrite,
    detect_language,
    prose_violations,
    substitute,
    tokens_in,
)
from assistant.llm.tone import ToneRule, load_tone_policy

TEMPLATE = (
    "Bonjour,\n\nSauf erreur de notre part, la facture [[INVOICE_REFS]] d'un montant de "
    "[[TOTAL_DUE]] reste à régler. Merci de procéder au virement sur le compte [[IBAN]] "
    "ou en ligne : [[PAYMENT_LINK]].\n\nBien cordialement,\n[[SIGNATURE]]"
)
SUBJECT = "Facture [[INVOICE_REFS]] : petit rappel"
TOKENS = tokens_in(SUBJECT + TEMPLATE)
RULE = load_tone_policy(None).rule_for("reminder_1", "standard", "fr")


def check(subject: str = SUBJECT, body: str = TEMPLATE, rule: ToneRule = RULE) -> list[str]:
    return check_rewrite(
        subject,
        body,
        expected_tokens=TOKENS,
        rule=rule,
        template_body=TEMPLATE,
        subject_tokens=tokens_in(SUBJECT),
        template_subject=SUBJECT,
    )


def test_a_faithful_rewrite_passes() -> None:
    body = TEMPLATE.replace("Sauf erreur de notre part", "Il semble que")
    assert check(body=body) == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (TEMPLATE.replace("[[TOTAL_DUE]]", "la somme due"), "jeton manquant : [[TOTAL_DUE]]"),
        (TEMPLATE + " [[DISCOUNT]]", "jeton inconnu : [[DISCOUNT]]"),
        (TEMPLATE.replace("[[TOTAL_DUE]]", "[[TOTAL_DUE]] soit 1 234,56 €"), "chiffres"),
        (TEMPLATE + "\nPayez sur https://pay.example.com", "lien"),
        (TEMPLATE + "\nou sur www.exemple.fr", "lien"),
        (TEMPLATE + "\nÉcrivez à compta@exemple.fr", "adresse e-mail"),
        (TEMPLATE + "\nAppelez le +33 1 23 45 67 89", "téléphone"),
        (TEMPLATE + "\nVirement sur FR76 3000 6000 0112 3456 7890 189", "coordonnées bancaires"),
        (TEMPLATE + "\nSoit mille deux cents euros.", "montant, taux ou délai"),
        (TEMPLATE + "\nSoit un million d'euros.", "montant, taux ou délai"),
        (TEMPLATE + "\nMerci de régler sous quarante-huit heures.", "montant, taux ou délai"),
        (TEMPLATE + "\nUne remise de cinq pour cent est possible.", "montant, taux ou délai"),
        (TEMPLATE + "\nLe total est en €.", "montant, taux ou délai"),
        (TEMPLATE + "\nMerci de régler avant le quinze décembre.", "date ou jour"),
        (TEMPLATE + "\nMerci de régler d'ici vendredi.", "date ou jour"),
        (TEMPLATE.replace("[[IBAN]]", "[[IBAN]] ([[iban]])"), "jeton altéré"),
        (TEMPLATE.replace("[[IBAN]]", "[[IBAN]] [[ IBAN ]]"), "jeton altéré"),
        (TEMPLATE.replace("[[IBAN]]", "[[IBAN]] [TOTAL_DUE]"), "jeton altéré"),
        (TEMPLATE.replace("[[IBAN]]", "[[IBAN]] {TOTAL_DUE}"), "jeton altéré"),
        (TEMPLATE.replace("[[IBAN]]", "[[IBAN]] PAYMENT_LINK"), "jeton altéré"),
        (TEMPLATE.replace("[[TOTAL_DUE]]", "[[TOTAL DUE]]"), "jeton manquant : [[TOTAL_DUE]]"),
        (TEMPLATE.replace("[[IBAN]]", "[[IBAN]], rappel : [[IBAN]]"), "jeton répété : [[IBAN]]"),
        (TEMPLATE.replace("[[TOTAL_DUE]]", "<b>[[TOTAL_DUE]]</b>"), "balise HTML"),
        (TEMPLATE + '\n<img src="x" onerror="alert()">', "balise HTML"),
        (TEMPLATE.replace("[[TOTAL_DUE]]", "**[[TOTAL_DUE]]**"), "Markdown"),
        ("# Relance\n" + TEMPLATE, "Markdown"),
        (TEMPLATE + "\nSinon nous saisirons le Tribunal de commerce.", "tribunal"),
        (TEMPLATE + "\nCeci vaut MISE EN DEMEURE.", "mise en demeure"),
        (TEMPLATE + "\nUn huissier passera.", "huissier"),
        (TEMPLATE + "\n{{ config }}", "syntaxe de modèle"),
        (TEMPLATE[:60], "longueur hors limites"),
        (TEMPLATE + "\n" + "Merci encore de votre confiance. " * 20, "longueur hors limites"),
        ("", "corps vide"),
    ],
)
def test_each_fault_is_caught(body: str, fragment: str) -> None:
    assert any(fragment in v for v in check(body=body)), check(body=body)


def test_accents_and_case_do_not_hide_a_forbidden_phrase() -> None:
    assert any("procédure judiciaire" in v for v in check(body=TEMPLATE + " PROCEDURE JUDICIAIRE"))


def test_subject_must_keep_its_tokens_and_be_one_line() -> None:
    assert any("objet" in v for v in check(subject="Petit rappel"))
    assert any("objet" in v for v in check(subject="Facture [[INVOICE_REFS]]\nligne deux"))


def test_wrong_language_is_caught() -> None:
    english = (
        "Hello,\n\nOur records show that invoice [[INVOICE_REFS]] for [[TOTAL_DUE]] is still "
        "unpaid. Please pay by transfer to [[IBAN]] or online at [[PAYMENT_LINK]]. Thank you "
        "for your help with this.\n\nKind regards,\n[[SIGNATURE]]"
    )
    assert detect_language(english) == "en" and detect_language(TEMPLATE) == "fr"
    assert any("langue attendue fr, reçue en" in v for v in check(body=english))


def test_required_phrases_from_the_policy_are_enforced() -> None:
    rule = RULE.model_copy(update={"required": ["merci"]})
    assert any("merci" in v for v in check(body=TEMPLATE.replace("Merci", "Veuillez"), rule=rule))
    assert check(rule=rule) == []


def test_strategic_accounts_get_a_softer_policy_and_firmer_is_capped() -> None:
    policy = load_tone_policy(None)
    strategic = policy.rule_for("reminder_2", "strategic", "fr")
    assert strategic.firmness == "courteous" and strategic.formality == "formal"
    assert strategic.adjusted("firmer").firmness == "firm"  # up to the step's own firmness
    assert strategic.adjusted("firmer").adjusted("firmer").firmness == "firm"
    pre_due = policy.rule_for("pre_due", None, "fr")
    assert pre_due.adjusted("firmer").firmness == "gentle"  # never past the step's policy
    assert pre_due.adjusted("longer").length == "normal"
    assert policy.rule_for("reminder_2", None, "en").forbidden[0] == "formal notice"


def test_substitute_is_plain_replacement_never_a_template() -> None:
    values = {"[[TOTAL_DUE]]": "1 234,56 €", "[[IBAN]]": "{{ 7 * 7 }}"}
    text = substitute("Montant [[TOTAL_DUE]], IBAN [[IBAN]], [[OTHER]]", values)
    assert text == "Montant 1 234,56 €, IBAN {{ 7 * 7 }}, [[OTHER]]"


def test_a_broken_token_is_never_substituted_into_a_sent_message() -> None:
    """`[[total_due]]` next to a good `[[TOTAL_DUE]]` would reach the customer as is."""
    body = TEMPLATE.replace("[[TOTAL_DUE]]", "[[TOTAL_DUE]] ([[total_due]])")
    assert not any("jeton manquant" in v for v in check(body=body))
    assert any("jeton altéré" in v for v in check(body=body))


def test_ordinary_prose_is_not_mistaken_for_facts() -> None:
    body = TEMPLATE.replace(
        "Sauf erreur de notre part",
        "Deuxième rappel : sauf erreur, et sous quelques jours si possible, pour une facture",
    )
    assert check(body=body) == []
    english = load_tone_policy(None).rule_for("reminder_2", None, "en")
    text = (
        "Hello,\n\nThis is our second reminder about invoice [[INVOICE_REFS]] for [[TOTAL_DUE]]."
        " May we ask you to arrange payment within a few days to [[IBAN]] or at"
        " [[PAYMENT_LINK]]? A courtesy call is welcome.\n\nKind regards,\n[[SIGNATURE]]"
    )
    assert prose_violations(text, english) == []  # "court" is not "courtesy", "May" not a date


@pytest.mark.parametrize(
    "subject",
    ["Facture [[INVOICE_REFS]]\r\nBcc: x", "Facture [[INVOICE_REFS]] : " + "rappel " * 40],
)
def test_subject_header_injection_and_runaway_length(subject: str) -> None:
    assert any("objet" in v for v in check(subject=subject))


def test_language_of_short_and_foreign_texts() -> None:
    german = (
        "Guten Tag, bitte zahlen Sie die Rechnung [[INVOICE_REFS]] über [[TOTAL_DUE]] auf"
        " das Konto [[IBAN]]. Mit freundlichen Grüßen [[SIGNATURE]]"
    )
    spanish = (
        "Estimado cliente, le recordamos que la factura [[INVOICE_REFS]] por [[TOTAL_DUE]]"
        " sigue pendiente de pago. Saludos cordiales, [[SIGNATURE]]"
    )
    assert detect_language(german) == "de" and detect_language(spanish) == "es"
    assert any("reçue de" in v for v in prose_violations(german, RULE))
    assert detect_language("Payment reminder [[INVOICE_REFS]]") is None  # too short to judge
    english = load_tone_policy(None).rule_for("pre_due", None, "en")
    short = "Hi, a quick reminder that [[TOTAL_DUE]] is due on [[DUE_DATE]]. Thanks, [[SIGNATURE]]"
    assert prose_violations(short, english) == []  # no false alarm on a short English text


def locked(
    language: str, name: str, step: str, several: bool, credit: bool = False
) -> tuple[str, str]:
    context = {"several": several, "step": step, "segment": "standard", "language": language}
    context["has_credit"] = credit
    context |= {"reminded_before": several, "notified_before": several}
    context |= {var: token_for(var) for var in FACT_VARS}
    rendered = TemplateStore(None).render(f"{language}/{name}.j2", context)
    return rendered.subject, rendered.body


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("name", "step"),
    [
        ("pre_due", "pre_due"),
        ("reminder_1", "reminder_1"),
        ("reminder_2", "reminder_2"),
        ("strategic", "reminder_2"),
        ("instalment_reminder", "instalment_reminder"),
    ],
)
def test_every_shipped_template_passes_its_own_checks(language: str, name: str, step: str) -> None:
    """The identity rewrite is acceptable: no check fires on the approved text itself."""
    policy = load_tone_policy(None)
    for several, credit in ((False, False), (True, False), (True, True)):
        subject, body = locked(language, name, step, several, credit)
        for segment in ("standard", "strategic", "new", "chronic_late"):
            rule = policy.rule_for(step, segment, language)
            found = check_rewrite(
                subject, body, expected_tokens=tokens_in(subject + "\n" + body), rule=rule,
                template_body=body, subject_tokens=tokens_in(subject), template_subject=subject,
            )  # fmt: skip
            assert found == [], (language, name, several, credit, segment, found)


@pytest.mark.parametrize(
    "subject", ["", "   ", "Facture [[INVOICE_REFS]]\nrappel", "Facture [[INVOICE_REFS]]\rrappel"]
)
def test_a_subject_must_be_one_non_empty_line(subject: str) -> None:
    assert "objet vide ou sur plusieurs lignes" in check(subject=subject)


def test_a_subject_may_grow_to_twice_the_template_or_120_characters() -> None:
    long_template = "Facture [[INVOICE_REFS]] : " + "rappel " * 12  # 111 characters
    limit = 2 * len(long_template.strip())
    subject = long_template.strip() + " " + "x" * (limit - len(long_template.strip()) - 1)

    def violations(text: str, template: str) -> list[str]:
        return check_rewrite(text, TEMPLATE, expected_tokens=TOKENS, rule=RULE,
                             template_body=TEMPLATE, template_subject=template)  # fmt: skip

    assert "objet trop long" not in violations(subject, long_template)
    assert "objet trop long" in violations(subject + "x", long_template)
    short = "Facture [[INVOICE_REFS]] " + "y" * (120 - 25)
    assert len(short) == 120 and "objet trop long" not in violations(short, SUBJECT)
    assert "objet trop long" in violations(short + "y", SUBJECT)


def test_length_bounds_are_inclusive_and_an_empty_template_counts_as_one_character() -> None:
    low, high = RULE.bounds
    assert (low, high) == (0.6, 1.4)

    def too_long_or_short(body: str, template: str) -> bool:
        found = check_rewrite("Rappel", body, expected_tokens=(), rule=RULE,
                              template_body=template)  # fmt: skip
        return any(v.startswith("longueur hors limites") for v in found)

    template = "m" * 100
    assert [too_long_or_short("m" * n, template) for n in (59, 60, 140, 141)] == [
        True, False, False, True
    ]  # fmt: skip
    # an empty template: the bounds are those of one character (0.6 to 1.4): only one fits
    assert not too_long_or_short("m", "")
    assert too_long_or_short("mm", "")
    assert "longueur hors limites (2 caractères pour 0–1)" in check_rewrite(
        "Rappel", "mm", expected_tokens=(), rule=RULE, template_body="  "
    )


def test_tokens_are_not_words_when_judging_the_language() -> None:
    text = "Thank you for paying [[TOTAL_DUE]] [[IBAN]] [[PAYMENT_LINK]]"
    assert detect_language(text) is None  # four words of prose: too short to judge
    assert prose_violations(text, RULE) == []
    assert detect_language("Merci de bien vouloir régler rapidement") == "fr"  # six words
    assert detect_language("Merci de bien vouloir régler") is None  # five
    assert detect_language("Hello merci bonjour thanks gracias danke") is None  # unsure


def test_folding_drops_accents_and_case_and_keeps_every_other_character() -> None:
    from assistant.llm.guardrails import _fold

    assert _fold("Échéance DÉPASSÉE : «Œuvre»—voir") == "echeance depassee : «œuvre»—voir"
