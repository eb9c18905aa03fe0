"""Checks on every LLM rewrite before it may replace the approved template text.

The LLM writes prose around locked tokens (`[[TOTAL_DUE]]`); anything factual it might add
(digits, links, addresses, phone numbers) is a violation, as are missing or unknown tokens,
forbidden phrases, the wrong language and a length outside the tone policy's bounds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from assistant.i18n import tr
from assistant.llm.tone import ToneRule

TOKEN = re.compile(r"\[\[[A-Z0-9_]+\]\]")
_URL = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(?:com|fr|net|org|io|eu|be|ch|de)\b)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+|\b0)\d[\d .-]{7,}\d")
_DIGIT = re.compile(r"\d")
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|\}\}|%\}")

# Frequent function words: enough to tell French from English in a business e-mail.
_FR_WORDS = """le la les de des du un une et est nous vous votre vos pour sur dans que qui avec
ne pas merci bonjour cordialement facture factures règlement montant au aux ce cette"""
_EN_WORDS = """the of and to is we you your for on in that which with not thank thanks hello
regards invoice invoices payment amount please this our be are"""
_WORDS = {"fr": frozenset(_FR_WORDS.split()), "en": frozenset(_EN_WORDS.split())}


def tokens_in(text: str) -> list[str]:
    return TOKEN.findall(text)


def _fold(text: str) -> str:
    """Lowercase without accents, for phrase matching."""
    nfkd = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in nfkd if not unicodedata.combining(c))


def detect_language(text: str) -> str | None:
    words = re.findall(r"[a-zà-ÿ']+", TOKEN.sub(" ", text.casefold()))
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    other = min(scores, key=lambda k: scores[k])
    if scores[best] < 3 or scores[best] < 1.5 * scores[other]:
        return None
    return best


def _has_phrase(folded: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(_fold(phrase))}", folded) is not None


def check_rewrite(
    subject: str,
    body: str,
    *,
    expected_tokens: Iterable[str],
    rule: ToneRule,
    template_body: str,
    subject_tokens: Iterable[str] = (),
) -> list[str]:
    """All violations of one rewrite (empty list = acceptable)."""
    out: list[str] = []
    if not subject.strip() or "\n" in subject.strip():
        out.append(tr("objet vide ou sur plusieurs lignes", "subject empty or on several lines"))
    if not body.strip():
        out.append(tr("corps vide", "empty body"))
        return out
    text = f"{subject}\n{body}"
    expected = set(expected_tokens)
    out += token_violations(text, required=expected, allowed=expected)
    for token in sorted(set(subject_tokens) - set(tokens_in(subject))):
        out.append(
            tr("jeton manquant dans l'objet : {t}", "token missing from subject: {t}", t=token)
        )
    out += prose_violations(text, rule)
    low, high = rule.bounds
    size, reference = len(body.strip()), max(len(template_body.strip()), 1)
    if not low * reference <= size <= high * reference:
        out.append(
            tr(
                "longueur hors limites ({n} caractères pour {lo}–{hi})",
                "length out of bounds ({n} characters for {lo}–{hi})",
                n=size,
                lo=int(low * reference),
                hi=int(high * reference),
            )
        )
    return out


def token_violations(text: str, *, required: set[str], allowed: set[str]) -> list[str]:
    found = set(tokens_in(text))
    missing = [
        tr("jeton manquant : {t}", "missing token: {t}", t=t) for t in sorted(required - found)
    ]
    unknown = [
        tr("jeton inconnu : {t}", "unknown token: {t}", t=t) for t in sorted(found - allowed)
    ]
    return missing + unknown


def prose_violations(text: str, rule: ToneRule) -> list[str]:
    """Checks on free prose around tokens: no facts, no forbidden phrase, right language."""
    out: list[str] = []
    prose = TOKEN.sub(" ", text)
    if _URL.search(prose):
        out.append(tr("lien ajouté hors jeton", "link added outside a token"))
    if _EMAIL.search(prose):
        out.append(tr("adresse e-mail hors jeton", "e-mail address outside a token"))
    if _PHONE.search(prose):
        out.append(tr("numéro de téléphone hors jeton", "phone number outside a token"))
    elif _DIGIT.search(prose):
        out.append(
            tr(
                "chiffres hors jeton (montant, date ou référence inventés ?)",
                "digits outside a token (invented amount, date or reference?)",
            )
        )
    if _TEMPLATE_SYNTAX.search(prose):
        out.append(tr("syntaxe de modèle dans le texte", "template syntax in the text"))
    folded = _fold(prose)
    for phrase in rule.forbidden:
        if _has_phrase(folded, phrase):
            out.append(tr("formule interdite : « {p} »", "forbidden phrase: “{p}”", p=phrase))
    for phrase in rule.required:
        if not _has_phrase(folded, phrase):
            out.append(
                tr("formule requise absente : « {p} »", "required phrase missing: “{p}”", p=phrase)
            )
    language = detect_language(prose)
    if language is not None and language != rule.language:
        out.append(
            tr(
                "langue attendue {e}, reçue {g}",
                "expected language {e}, got {g}",
                e=rule.language,
                g=language,
            )
        )
    return out


def substitute(text: str, values: dict[str, str]) -> str:
    """Put the real facts in place of the tokens: plain replacement, never a template."""
    return TOKEN.sub(lambda m: values.get(m.group(0), m.group(0)), text)
