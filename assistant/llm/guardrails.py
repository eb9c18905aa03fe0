"""Checks on every LLM text before it may replace the approved template text.

The LLM writes prose around locked tokens (`[[TOTAL_DUE]]`); anything factual it might add
is a violation: digits, links, e-mail addresses, phone numbers, currency symbols, amounts,
delays or dates spelled out in words, month and weekday names. So are missing, unknown,
duplicated or altered tokens (`[[total_due]]`, `[TOTAL_DUE]`), HTML or Markdown markup,
forbidden phrases, another language than the expected one and a length outside the bounds.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from assistant.i18n import tr
from assistant.llm.tone import ToneRule
from assistant.safetext import control_in

TOKEN = re.compile(r"\[\[[A-Z0-9_]+\]\]")
# Links by their shape, not by a list of endings: any scheme, `www.`, anything domain-like
# (`bit.ly/x`, `paiement-acme.shop`, `t.me/acme`, any TLD), an obfuscated dot (`evil[.]co`),
# or a bare `/path`.
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_URL = re.compile(
    r"\b[a-z][a-z0-9+.-]*://|\b(?:mailto|tel|sms|javascript|data):\S|\bwww\."
    rf"|\b{_LABEL}(?:\.{_LABEL})*\.[^\W\d_]{{2,}}\b"
    r"|[^\W_]\s*[\[(]\s*(?:\.|dot|point)\s*[\])]\s*[^\W_]"
    r"|(?<![\w/])/[^\W_][\w-]*",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_PHONE = re.compile(r"(?:\+|\b0)\d[\d .-]{7,}\d")
_DIGIT = re.compile(r"\d")
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|\}\}|%\}")
# What is left of a token the model altered: brackets, a bare or re-bracketed token name.
_ALTERED = re.compile(
    r"\[\[|\]\]|\[\s*[A-Za-z][A-Za-z0-9_ ]*_[A-Za-z0-9_ ]*\]|\{\s*[A-Z][A-Z0-9_]*\s*\}"
    r"|\b[A-Z]{2,}(?:_[A-Z0-9]+)+\b"
)
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|&[a-z]+;")
_MARKDOWN = re.compile(r"\*\*|__|`|^\s{0,3}#{1,6}\s|^\s*>\s", re.M)
_CURRENCY_SIGN = re.compile(r"[€$£¥%]")

# Numbers in words (accents folded); "un/une/one" are left out: they are articles too.
_NUMBER_WORDS = """deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze
quinze seize vingt vingts trente quarante cinquante soixante cent cents mille million millions
milliard milliards two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
ninety hundred thousand million millions billion"""
_NUMBER = "(?:" + "|".join(sorted(set(_NUMBER_WORDS.split()), key=len, reverse=True)) + ")"
_UNITS = r"(?:euros?|eur|dollars?|livres?|pounds?|centimes?|cents?|pour\s?cent|percent|%"
_UNITS += r"|jours?|days?|semaines?|weeks?|mois|months?|heures?|hours?|ans|annees?|years?)"
# "mille deux cents euros", "quarante-huit heures", "un million d'euros", "five percent"
_AMOUNT_WORDS = re.compile(
    rf"\b{_NUMBER}\b(?:[\s-]+(?:{_NUMBER}|et|and)\b)*[\s-]+(?:d['’]\s*|de\s+|of\s+)?{_UNITS}(?!\w)"
)
_MONTHS_FR = (
    r"\b(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre"
    r"|decembre)\b"
)
_WEEKDAYS_FR = r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b"
# English months and weekdays are capitalised ("May" is left out: "you may").
_CALENDAR_EN = re.compile(
    r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_CALENDAR_FR = re.compile(f"{_MONTHS_FR}|{_WEEKDAYS_FR}")

# Languages the detector chooses among; the expected one must win on enough text.
_LANGUAGES = ("fr", "en", "de", "es", "it", "nl", "pt")
_MIN_WORDS = 6
_MIN_CONFIDENCE = 0.9


def tokens_in(text: str) -> list[str]:
    return TOKEN.findall(text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _drop(text: str, unwanted: Callable[[str], bool]) -> str:
    """`text` without the characters `unwanted` flags; only non-ASCII runs are examined (no
    ASCII character is a combining mark or a format character): a few per e-mail."""
    return _NON_ASCII.sub(lambda m: "".join(c for c in m.group(0) if not unwanted(c)), text)


@functools.lru_cache(maxsize=64)  # one text is folded by several checks in a row
def _fold(text: str) -> str:
    """Lowercase without accents, for phrase matching."""
    nfkd = unicodedata.normalize("NFKD", text.casefold())
    return _drop(nfkd, unicodedata.combining)  # type: ignore[arg-type]


_identifier_lock = threading.Lock()


@functools.cache
def _load_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(_LANGUAGES))
    return ident


def _identifier() -> Any:
    with _identifier_lock:  # loaded once (about half a second), even from several threads
        return _load_identifier()


def warm_up() -> None:
    """Load the language model in the background while the first requests are in flight."""
    threading.Thread(target=_identifier, daemon=True).start()


def detect_language(text: str) -> str | None:
    """The language of `text` (tokens ignored), or None when too short or unsure."""
    prose = TOKEN.sub(" ", text)
    if len(re.findall(r"[^\W\d_]{2,}", prose)) < _MIN_WORDS:
        return None
    lang, confidence = _identifier().classify(prose)
    return str(lang) if confidence >= _MIN_CONFIDENCE else None


# A phrase matches as whole words, with the usual endings ("huissiers", "threatened"), so that
# "court" does not match "courtesy".
_ENDINGS = r"(?:s|x|e|es|ed|er|ers|ing|en|ens|ened|ening)?"


@functools.lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(_fold(phrase))}{_ENDINGS}\b")


def _has_phrase(folded: str, phrase: str) -> bool:
    return _phrase_pattern(phrase).search(folded) is not None


@functools.lru_cache(maxsize=64)
def _any_phrase(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One search for "does any of these phrases occur" (same words and endings as
    `_phrase_pattern`): the usual answer is no, and one pass beats forty."""
    either = "|".join(re.escape(_fold(p)) for p in phrases)
    return re.compile(rf"\b(?:{either}){_ENDINGS}\b")


def check_rewrite(
    subject: str,
    body: str,
    *,
    expected_tokens: Iterable[str],
    rule: ToneRule,
    template_body: str,
    subject_tokens: Iterable[str] = (),
    template_subject: str = "",
) -> list[str]:
    """All violations of one rewrite (empty list = acceptable).

    `expected_tokens` are the template's tokens with repeats: each must appear, none more often
    than in the template (a doubled invoice list or signature is a broken e-mail).
    """
    out: list[str] = []
    one_line = subject.strip()
    if not one_line or control_in(one_line):
        out.append(tr("objet vide ou sur plusieurs lignes", "subject empty or on several lines"))
    elif len(one_line) > max(2 * len(template_subject.strip()), 120):
        out.append(tr("objet trop long", "subject too long"))
    if not body.strip():
        out.append(tr("corps vide", "empty body"))
        return out
    if char := control_in(body, allow="\n\r\t"):
        out.append(
            tr(
                "caractère de contrôle dans le texte ({c})",
                "control character in the text ({c})",
                c=char,
            )
        )
    text = f"{subject}\n{body}"
    expected = Counter(expected_tokens)
    out += token_violations(text, required=set(expected), allowed=set(expected))
    out += repeat_violations(text, expected)
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


def repeat_violations(text: str, allowed: Counter[str]) -> list[str]:
    """Tokens used more often than the template uses them."""
    found = Counter(tokens_in(text))
    return [
        tr("jeton répété : {t}", "token repeated: {t}", t=t)
        for t in sorted(found)
        if t in allowed and found[t] > allowed[t]
    ]


def _visible(text: str) -> str:
    """What a reader sees: compatibility forms folded (full-width dots and letters), invisible
    format characters (zero-width spaces inside `bit\u200b.ly`) removed."""
    folded = unicodedata.normalize("NFKC", text)
    return _drop(folded, lambda c: unicodedata.category(c) == "Cf")


def fact_violations(prose: str) -> list[str]:
    """Facts written outside tokens: links, addresses, numbers, amounts or dates in words."""
    out: list[str] = []
    prose = _visible(prose)
    if _URL.search(prose):
        out.append(tr("lien ajouté hors jeton", "link added outside a token"))
    if _EMAIL.search(prose):
        out.append(tr("adresse e-mail hors jeton", "e-mail address outside a token"))
    if _IBAN.search(prose):
        out.append(tr("coordonnées bancaires hors jeton", "bank details outside a token"))
    elif _PHONE.search(prose):
        out.append(tr("numéro de téléphone hors jeton", "phone number outside a token"))
    elif _DIGIT.search(prose):
        out.append(
            tr(
                "chiffres hors jeton (montant, date ou référence inventés ?)",
                "digits outside a token (invented amount, date or reference?)",
            )
        )
    folded = _fold(prose)
    if _CURRENCY_SIGN.search(prose) or _AMOUNT_WORDS.search(folded):
        out.append(
            tr(
                "montant, taux ou délai écrit hors jeton",
                "amount, rate or delay written outside a token",
            )
        )
    if _CALENDAR_FR.search(folded) or _CALENDAR_EN.search(prose):
        out.append(tr("date ou jour écrit hors jeton", "date or weekday written outside a token"))
    return out


def markup_violations(prose: str) -> list[str]:
    out: list[str] = []
    if _ALTERED.search(prose):
        out.append(
            tr(
                "jeton altéré (à recopier exactement, ex. [[TOTAL_DUE]])",
                "altered token (copy it exactly, e.g. [[TOTAL_DUE]])",
            )
        )
    if _TEMPLATE_SYNTAX.search(prose):
        out.append(tr("syntaxe de modèle dans le texte", "template syntax in the text"))
    if _HTML.search(prose):
        out.append(tr("balise HTML dans le texte", "HTML markup in the text"))
    if _MARKDOWN.search(prose):
        out.append(tr("mise en forme Markdown dans le texte", "Markdown formatting in the text"))
    return out


# The change-of-bank-details fraud ("our bank details have changed, pay to this account"): a
# change word near a bank word, in either order, in French or English. Always forbidden: no
# automatic message ever announces new bank details (the IBAN is a locked fact).
_CHANGE = (
    r"(?:nouv\w*|chang\w*|modifi\w*|mis\w* a jour|actualis\w*|remplac\w*"
    r"|new|chang\w*|updat\w*|modif\w*|different|switch\w*|amended|replac\w*)"
)
_BANK = (
    r"(?:coordonnees bancaires|references bancaires|domiciliation\w*|rib|iban|bic|swift"
    r"|compte bancaire|numero de compte|banques?|bank\w*|account details|account number"
    r"|sort code|payment details)"
)
_NEAR = r"(?:\W+\w+){0,5}?\W+"
_BANK_CHANGE = re.compile(rf"\b{_CHANGE}{_NEAR}{_BANK}\b|\b{_BANK}{_NEAR}{_CHANGE}\b")


def bank_change_violations(prose: str) -> list[str]:
    if _BANK_CHANGE.search(_fold(prose)):
        return [
            tr(
                "changement de coordonnées bancaires annoncé (schéma de fraude)",
                "change of bank details announced (a fraud pattern)",
            )
        ]
    return []


def phrase_violations(prose: str, rule: ToneRule) -> list[str]:
    out: list[str] = bank_change_violations(prose)
    folded = _fold(prose)
    forbidden = tuple(rule.forbidden)
    if not forbidden or not _any_phrase(forbidden).search(folded):
        forbidden = ()
    for phrase in forbidden:
        if _has_phrase(folded, phrase):
            out.append(tr("formule interdite : « {p} »", "forbidden phrase: “{p}”", p=phrase))
    for phrase in rule.required:
        if not _has_phrase(folded, phrase):
            out.append(
                tr("formule requise absente : « {p} »", "required phrase missing: “{p}”", p=phrase)
            )
    return out


def language_violations(text: str, expected: str) -> list[str]:
    language = detect_language(text)
    if language is None or language == expected:
        return []
    return [
        tr(
            "langue attendue {e}, reçue {g}",
            "expected language {e}, got {g}",
            e=expected,
            g=language,
        )
    ]


def prose_violations(text: str, rule: ToneRule, *, check_language: bool = True) -> list[str]:
    """Checks on free prose around tokens: no facts, no markup, no forbidden phrase, language."""
    prose = TOKEN.sub(" ", text)
    out = fact_violations(prose) + markup_violations(prose) + phrase_violations(prose, rule)
    if check_language:
        out += language_violations(prose, rule.language)
    return out


def substitute(text: str, values: dict[str, str]) -> str:
    """Put the real facts in place of the tokens: plain replacement, never a template."""
    return TOKEN.sub(lambda m: values.get(m.group(0), m.group(0)), text)
