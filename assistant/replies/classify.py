"""A model suggests what a reply means, under the drafting contract; code checks every fact.

The provider receives the reply text with e-mail addresses, phone numbers and IBANs masked,
and the day it arrived: no name, no invoice, no amount of ours. The answer is parsed into
`ReplyAnswer`; every date, amount, invoice number, reference, instalment count and quote it
gives must be in the reply text (dates as the text's own words read from the day it
arrived). Anything else is dropped and shown as a violation; one re-ask, as for drafts. Every
call is a row of `llm_calls` (purpose `reply`, linked to the reply). The suggestion never acts:
a person triages it, so an instruction hidden in the reply can at worst mislead a suggestion
that a person reads with its evidence. Wording that speaks to a model is flagged as well.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.i18n import tr
from assistant.llm.ask import Asker, Breaker
from assistant.llm.backend import ChatBackend, Message
from assistant.llm.guardrails import _EMAIL, _IBAN, _PHONE
from assistant.llm.prompts import PromptStore
from assistant.money import AmountError, parse_amount
from assistant.replies.extract import find_amounts, find_dates, find_instalments, fold
from assistant.replies.suggestion import Suggestion, invoices_in, merge_spans, suggest_by_rules
from assistant.storage.db import Store

_WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_INJECTION = re.compile(
    r"\b(?:ignore[rz]? (?:all |toutes |les |the |previous |your |vos |tes )*(?:instructions"
    r"|consignes|regles|rules)|system prompt|prompt systeme|you are (?:now )?(?:an? )?(?:ai|"
    r"assistant|language model)|tu es (?:maintenant )?(?:une? )?(?:ia|assistant)|as an ai"
    r"|en tant qu'ia|new instructions|nouvelles instructions|classify (?:this|it) as"
    r"|classe[rz]? (?:ce message|cette reponse) comme|reponds? (?:uniquement )?par)\b"
)


class ReplyAnswer(BaseModel):
    """What the model must return."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    outcome: Literal["promise", "paid", "dispute", "plan", "question", "other"]
    date: str | None = None
    amount: str | None = None
    invoice: str | None = None
    instalments: int | None = None
    reference: str | None = None
    evidence: list[str] = Field(default_factory=list, max_length=8)


def mask(text: str) -> str:
    """E-mail addresses, IBANs and phone numbers out of what the provider receives."""
    text = _EMAIL.sub("[EMAIL]", text)
    text = _IBAN.sub("[IBAN]", text)
    return _PHONE.sub("[PHONE]", text)


def injection_violation(text: str) -> str | None:
    if _INJECTION.search(fold(text)):
        return tr(
            "le texte du client s'adresse à une IA (instructions) : suggestion à vérifier",
            "the customer's text speaks to an AI (instructions): check the suggestion",
        )
    return None


@dataclass
class Checked:
    """The answer with every fact not found in the text dropped."""

    suggestion: Suggestion
    violations: list[str] = field(default_factory=list)


def check_answer(
    answer: ReplyAnswer, text: str, received: date, known_invoices: set[str]
) -> Checked:
    out = Checked(Suggestion(outcome=answer.outcome, source="llm"))
    s, bad = out.suggestion, out.violations
    dates = find_dates(text, received)
    if answer.date:
        try:
            day = date.fromisoformat(answer.date)
        except ValueError:
            day = None
        spans = [(f.start, f.end) for f in dates if day in f.values]
        if day is not None and spans:
            s.date, s.evidence = day, s.evidence + spans[:1]
        else:
            bad.append(
                tr(
                    "date absente du texte, écartée : {d}",
                    "date not in the text, dropped: {d}",
                    d=answer.date,
                )
            )
    if answer.amount:
        try:
            cents: int | None = parse_amount(answer.amount)
        except (AmountError, ValueError):
            cents = None
        spans = [(f.start, f.end) for f in find_amounts(text) if cents in f.values]
        if cents is not None and spans:
            s.amount_cents, s.evidence = cents, s.evidence + spans[:1]
        else:
            bad.append(
                tr(
                    "montant absent du texte, écarté : {a}",
                    "amount not in the text, dropped: {a}",
                    a=answer.amount,
                )
            )
    if answer.invoice:
        found = [f for f in invoices_in(text, known_invoices | {answer.invoice})]
        match = [f for f in found if str(f.values[0]).casefold() == answer.invoice.casefold()]
        if match and str(match[0].values[0]) in known_invoices:
            s.invoice = str(match[0].values[0])
            s.evidence.append((match[0].start, match[0].end))
        else:
            bad.append(
                tr(
                    "facture absente du texte ou inconnue, écartée : {n}",
                    "invoice not in the text or unknown, dropped: {n}",
                    n=answer.invoice,
                )
            )
    if answer.instalments is not None:
        spans = [(f.start, f.end) for f in find_instalments(text) if answer.instalments in f.values]
        if spans:
            s.instalments, s.evidence = answer.instalments, s.evidence + spans[:1]
        else:
            bad.append(
                tr(
                    "nombre d'échéances absent du texte, écarté : {n}",
                    "number of instalments not in the text, dropped: {n}",
                    n=answer.instalments,
                )
            )
    if answer.reference:
        at = text.casefold().find(answer.reference.casefold())
        if at >= 0 and len(answer.reference) >= 3:
            s.reference = text[at : at + len(answer.reference)]
            s.evidence.append((at, at + len(answer.reference)))
        else:
            bad.append(
                tr(
                    "référence absente du texte, écartée : {r}",
                    "reference not in the text, dropped: {r}",
                    r=answer.reference,
                )
            )
    for quote in answer.evidence:
        at = text.find(quote) if quote else -1
        if at >= 0:
            s.evidence.append((at, at + len(quote)))
        elif "[EMAIL]" not in quote and "[PHONE]" not in quote and "[IBAN]" not in quote:
            bad.append(tr("citation absente du texte", "quote not in the text"))
            break
    s.evidence = merge_spans(s.evidence)
    return out


@dataclass
class ReplyToClassify:
    reply_id: int
    text: str
    received_on: date
    language: str
    customer_id: str | None
    known_invoices: set[str]


@dataclass
class Classified:
    reply_id: int
    suggestion: Suggestion
    call_ids: list[int]


class ReplyClassifier:
    def __init__(
        self, backend: ChatBackend, prompts: PromptStore, store: Store, concurrency: int = 8
    ) -> None:
        self.backend = backend
        self.prompts = prompts
        self.store = store
        self.concurrency = concurrency

    def __call__(self, items: Sequence[ReplyToClassify]) -> list[Classified]:
        return asyncio.run(self.classify_all(items))

    async def classify_all(self, items: Sequence[ReplyToClassify]) -> list[Classified]:
        gate, breaker = asyncio.Semaphore(self.concurrency), Breaker()
        try:
            return list(await asyncio.gather(*(self.classify(i, gate, breaker) for i in items)))
        finally:
            close = getattr(self.backend, "aclose", None)
            if close is not None:
                await close()

    def messages_for(self, item: ReplyToClassify) -> list[Message]:
        lang = "en" if item.language == "en" else "fr"
        system = self.prompts.render("reply_system", language=lang)
        user = self.prompts.render(
            "reply_user",
            language=lang,
            received_on=item.received_on.isoformat(),
            weekday=_WEEKDAYS[lang][item.received_on.weekday()],
            text=mask(item.text),
        )
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    async def classify(
        self, item: ReplyToClassify, gate: asyncio.Semaphore, breaker: Breaker
    ) -> Classified:
        last: list[Checked] = []

        def check(answer: ReplyAnswer) -> list[str]:
            checked = check_answer(answer, item.text, item.received_on, item.known_invoices)
            last.append(checked)
            return checked.violations

        asker = Asker(
            self.backend,
            self.prompts,
            self.store,
            "reply",
            "en" if item.language == "en" else "fr",
            item.customer_id,
            None,
            breaker,
        )
        result = await asker.ask(self.messages_for(item), ReplyAnswer, check, gate)
        if result.answer is not None or last:
            suggestion = last[-1].suggestion  # the checked answer, facts not in the text dropped
            suggestion.violations = list(result.violations)
        else:  # no usable answer: the rules suggest, the reason is shown
            suggestion = suggest_by_rules(item.text, item.received_on, item.known_invoices)
            suggestion.violations = list(result.violations)
        flagged = injection_violation(item.text)
        if flagged:
            suggestion.violations.append(flagged)
        return Classified(item.reply_id, suggestion, result.call_ids)
