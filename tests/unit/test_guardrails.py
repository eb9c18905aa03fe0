"""Guardrails on their own: each check catches its fault and lets a good rewrite through."""

from __future__ import annotations

import pytest

from assistant.llm.guardrails import check_rewrite, detect_language, substitute, tokens_in
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
