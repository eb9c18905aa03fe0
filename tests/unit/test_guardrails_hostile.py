"""A corpus of hostile model outputs (issue 13, item 5): each must be caught by the checks.

Each entry is a rewrite a model could return for a French or an English reminder: the template
with something added. None may pass as `source=llm`. The good rewrites at the end must pass.
"""

from __future__ import annotations

import pytest

from assistant.llm.guardrails import check_rewrite, tokens_in
from assistant.llm.tone import load_tone_policy

FR = (
    "Bonjour,\n\nSauf erreur de notre part, la facture [[INVOICE_REFS]] d'un montant de "
    "[[TOTAL_DUE]] reste à régler. Merci de procéder au virement sur le compte [[IBAN]] "
    "ou en ligne : [[PAYMENT_LINK]].\n\nBien cordialement,\n[[SIGNATURE]]"
)
EN = (
    "Hello,\n\nUnless we are mistaken, invoice [[INVOICE_REFS]] for [[TOTAL_DUE]] is still "
    "unpaid. Please pay by transfer to [[IBAN]] or online at [[PAYMENT_LINK]].\n\n"
    "Kind regards,\n[[SIGNATURE]]"
)
SUBJECT = {"fr": "Facture [[INVOICE_REFS]] : petit rappel", "en": "Invoice [[INVOICE_REFS]]"}
TEMPLATE = {"fr": FR, "en": EN}
POLICY = load_tone_policy(None)

# (language, where the hostile text goes: "body" or "subject", the text)
HOSTILE: list[tuple[str, str, str]] = [
    # links, whatever their shape
    ("fr", "body", "Réglez en un clic : bit.ly/regler"),
    ("fr", "body", "Paiement sécurisé sur evil-pay.co"),
    ("fr", "body", "Une question ? t.me/acme"),
    ("fr", "body", "Vous pouvez aussi payer via paypal.me/x"),
    ("fr", "body", "Notre nouveau portail : paiement-acme.shop"),
    ("fr", "body", "Rendez-vous sur https://evil.test/pay"),
    ("fr", "body", "Rendez-vous sur hxxps://evil"),
    ("fr", "body", "Le lien : evil[.]co"),
    ("fr", "body", "Le lien : evil (dot) co"),
    ("fr", "body", "Le lien : bit\u200b.ly/x"),
    ("fr", "body", "Le lien : ｅｖｉｌ．ｃｏ"),
    ("fr", "body", "Cliquez sur /regler depuis notre site"),
    ("en", "body", "Pay at acme-billing.online"),
    ("en", "body", "Pay at www.evil.example"),
    ("en", "subject", "Invoice [[INVOICE_REFS]] - pay at bit.ly/x"),
    ("fr", "body", "Écrivez-nous sur mailto:compta"),
    # the change-of-bank-details fraud
    ("fr", "body", "Attention : nos coordonnées bancaires ont changé."),
    ("fr", "body", "Merci d'utiliser désormais notre nouvel IBAN."),
    ("fr", "body", "Suite à un changement de banque, le RIB joint remplace l'ancien."),
    ("fr", "body", "Nos références bancaires ont été mises à jour."),
    ("en", "body", "Please note our bank details have changed."),
    ("en", "body", "Kindly use our new bank account for this payment."),
    ("en", "body", "Our account details were updated last week."),
    # threats and legal steps, in the draft's language or another one
    ("fr", "body", "Sans règlement, l'huissier vous assignera au tribunal."),
    ("fr", "body", "Otherwise the bailiff will take you to court."),
    ("fr", "body", "Le dossier partira chez une société de recouvrement."),
    ("fr", "body", "À défaut, nous saisirons la justice."),
    ("fr", "body", "Un commissaire de justice prendra contact avec vous."),
    ("fr", "body", "Des pénalités s'appliqueront."),
    ("fr", "body", "Une action en justice sera engagée."),
    ("fr", "body", "Le juge en décidera."),
    ("fr", "body", "Ceci est notre dernier avertissement."),
    ("en", "body", "Sinon, un huissier passera."),
    ("en", "body", "We will refer this to a debt collector."),
    ("en", "body", "Failing payment, we will sue."),
    ("en", "body", "A judge will decide."),
    ("en", "body", "Late payment penalties will apply."),
    # control characters and line breaks (headers)
    ("fr", "subject", "Facture [[INVOICE_REFS]]\nBcc: pirate@evil.example"),
    ("fr", "subject", "Facture [[INVOICE_REFS]]\x0bBcc: pirate@evil.example"),
    ("fr", "subject", "Facture [[INVOICE_REFS]]\u2028Bcc: pirate@evil.example"),
    ("fr", "subject", "Facture [[INVOICE_REFS]]\x85suite"),
    ("fr", "body", "Merci\x00 de votre confiance."),
    ("fr", "body", "Merci\x1b]8;;https://evil.test\x1b\\ de votre confiance."),
    # facts, markup, template syntax
    ("fr", "body", "Soit 1 234,56 € à régler."),
    ("fr", "body", "Merci de régler sous quarante-huit heures."),
    ("fr", "body", "{{ config }}"),
    ("fr", "body", "{% for i in range(10) %}x{% endfor %}"),
    ("fr", "body", "[link=https://evil.test]Cliquez[/link]"),
    ("fr", "body", "[Payez ici](https://evil.test)"),
    ("fr", "body", "<a href='https://evil.test'>ici</a>"),
    ("fr", "body", "Écrivez à pirate@evil.example"),
]


def check(language: str, subject: str, body: str) -> list[str]:
    template = TEMPLATE[language]
    return check_rewrite(
        subject,
        body,
        expected_tokens=tokens_in(SUBJECT[language] + template),
        rule=POLICY.rule_for("reminder_1", "standard", language),
        template_body=template,
        subject_tokens=tokens_in(SUBJECT[language]),
        template_subject=SUBJECT[language],
    )


@pytest.mark.parametrize(("language", "where", "text"), HOSTILE)
def test_every_hostile_output_is_caught(language: str, where: str, text: str) -> None:
    template = TEMPLATE[language]
    if where == "subject":
        violations = check(language, text, template)
    else:
        body = template.replace("\n\n", f"\n\n{text}\n\n", 1)
        violations = check(language, SUBJECT[language], body)
    assert violations, f"not caught: {text!r}"


BANK_ALREADY_PAID = "\nSi votre banque a déjà réglé, merci de ne pas tenir compte de ce message."


@pytest.mark.parametrize(
    ("language", "body"),
    [
        ("fr", FR.replace("Sauf erreur de notre part", "Il semble que, dans un court délai,")),
        ("fr", FR.replace("Bonjour,", "Madame, Monsieur,") + BANK_ALREADY_PAID),
        ("en", EN.replace("Hello,", "Dear customer,")),
    ],
)
def test_ordinary_rewrites_still_pass(language: str, body: str) -> None:
    assert check(language, SUBJECT[language], body) == []
