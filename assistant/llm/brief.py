"""LLM narrative for call-prep briefs: the summary and the script's sections are written
through locked tokens, checked like a rewrite, re-asked once, else the template brief stays.

The prompt holds tokens and non-identifying context only (segment, behaviour, counts, the
last call's outcome). Free text written by people (customer notes, call notes, dispute
reasons) never reaches the model: it may hold addresses, names, dates and amounts, and an
injected instruction in it has nothing to act on. Those notes stay in the brief for the
collector, outside anything the model writes.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from pydantic import BaseModel, ConfigDict, Field

from assistant.briefs.brief import Brief
from assistant.briefs.script import (
    Objection,
    Script,
    day,
    invoice_line,
    money,
    not_due_line,
    option_phrase,
)
from assistant.company import Company
from assistant.i18n import language, tr
from assistant.llm.ask import Asker, AskResult
from assistant.llm.backend import ChatBackend, Message
from assistant.llm.guardrails import (
    TOKEN,
    language_violations,
    prose_violations,
    substitute,
    token_violations,
    tokens_in,
)
from assistant.llm.prompts import PromptStore
from assistant.llm.tone import TonePolicy, ToneRule
from assistant.storage.db import Store

MAX_SUMMARY = 700
MAX_LINE = 400
FACT_TOKENS = ("[[INVOICES]]", "[[TOTAL_OVERDUE]]", "[[TOTAL_OUTSTANDING]]")


class ObjectionAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    objection: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class BriefAnswer(BaseModel):
    """What the model must return: the summary and every section of the script."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    summary: str = Field(min_length=1)
    opening: str = Field(min_length=1)
    facts: list[str] = Field(min_length=1, max_length=8)
    questions: list[str] = Field(min_length=1, max_length=6)
    objections: list[ObjectionAnswer] = Field(min_length=1, max_length=6)
    proposal: str = Field(min_length=1)
    closing: str = Field(min_length=1)
    recommended_option: str

    def script(self) -> Script:
        return Script(
            self.opening,
            list(self.facts),
            list(self.questions),
            [Objection(o.objection, o.answer) for o in self.objections],
            self.proposal,
            self.closing,
        )


def option_token(option_id: str) -> str:
    return f"[[OPTION_{option_id.upper()}]]"


def brief_facts(brief: Brief, company: Company) -> dict[str, str]:
    """Token -> value, in the collector's language. Only tokens with a value are offered."""
    s = brief.sheet
    facts = {
        "[[CUSTOMER_NAME]]": s.customer.name,
        "[[CALLER]]": company.contact.name,
        "[[COMPANY]]": company.name,
        "[[TOTAL_OUTSTANDING]]": money(s.outstanding_cents, s),
        "[[TOTAL_OVERDUE]]": money(s.overdue_cents, s),
        "[[INVOICES]]": invoice_line(s),
        "[[SALESPERSON]]": s.customer.salesperson_name
        or s.customer.salesperson_email
        or tr("le commercial", "the salesperson"),
    }
    if s.overdue:
        facts["[[MAX_DAYS_LATE]]"] = tr(
            "{d} jours", "{d} days", d=max(i.days_late for i in s.overdue)
        )
    if s.not_due:
        facts["[[TOTAL_NOT_DUE]]"] = money(sum(i.outstanding_cents for i in s.not_due), s)
        facts["[[NOT_DUE_INVOICES]]"] = not_due_line(s)
    if s.disputed_cents:
        facts["[[DISPUTED_AMOUNT]]"] = money(s.disputed_cents, s)
    if s.last_payment:
        facts["[[LAST_PAYMENT]]"] = tr(
            "{a} le {d}",
            "{a} on {d}",
            a=money(s.last_payment[1], s),
            d=day(s.last_payment[0]),
        )
    if s.broken_promise_dates:
        facts["[[BROKEN_PROMISE_DATE]]"] = day(s.broken_promise_dates[-1])
    for option in brief.options:
        facts[option_token(option.id)] = option_phrase(option, s)
    return facts


def context_for(brief: Brief) -> dict[str, object]:
    """Non-identifying context: categories and counts, never a name, amount or date."""
    s = brief.sheet
    late = s.avg_days_late
    months = s.relationship_months
    call = s.last_call
    return {
        "segment": s.segment,
        "relationship": "unknown" if months is None else "new" if months < 12 else "loyal",
        "behaviour": "unknown" if late is None else "reliable" if late <= 10 else "late payer",
        "broken_promises": s.promises_broken,
        "open_promise": s.open_promise_date is not None,
        "disputed": s.disputed_cents > 0,
        "overdue_invoices": len(s.overdue),
        "not_yet_due": bool(s.not_due),
        "reminders_sent": len(s.reminders_about({i.number for i in s.overdue})),
        "last_call": call.outcome if call and call.outcome else "none",
        "customer_language": s.customer.language,
    }


def messages_for(brief: Brief, company: Company, prompts: PromptStore) -> list[Message]:
    lang = language()
    user = prompts.render(
        "brief_user",
        language=lang,
        tokens=list(brief_facts(brief, company)),
        options=[{"id": o.id, "token": option_token(o.id)} for o in brief.options],
        recommended=brief.recommended_option,
        **context_for(brief),
    )
    system = prompts.render("brief_system", language=lang)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def check_brief(answer: BriefAnswer, brief: Brief, company: Company, rule: ToneRule) -> list[str]:
    facts = brief_facts(brief, company)
    script = answer.script()
    texts = [answer.summary, *script.texts()]
    text = "\n".join(texts)
    out = token_violations(text, required=set(), allowed=set(facts))
    out += prose_violations(text, rule, check_language=False)
    out += language_violations(TOKEN.sub(" ", answer.summary), rule.language)
    if not set(FACT_TOKENS) & set(tokens_in("\n".join(script.facts))):
        out.append(
            tr(
                "faits à rappeler sans montant ni facture ({t})",
                "facts to state without amount or invoice ({t})",
                t=" / ".join(FACT_TOKENS),
            )
        )
    ids = {o.id for o in brief.options}
    if ids and answer.recommended_option not in ids:
        out.append(
            tr("option inconnue : {o}", "unknown option: {o}", o=answer.recommended_option[:40])
        )
    elif ids:
        token = option_token(answer.recommended_option)
        if token not in script.proposal:
            out.append(
                tr(
                    "proposition sans l'option recommandée {t}",
                    "proposal without the recommended option {t}",
                    t=token,
                )
            )
        if token not in script.closing:
            out.append(
                tr(
                    "conclusion sans engagement daté {t}",
                    "closing without a dated commitment {t}",
                    t=token,
                )
            )
    if len(answer.summary) > MAX_SUMMARY or any(len(t) > MAX_LINE for t in texts[1:]):
        out.append(tr("texte trop long", "text too long"))
    return out


def llm_brief(
    brief: Brief,
    backend: ChatBackend,
    tone: TonePolicy,
    prompts: PromptStore,
    store: Store,
    company: Company,
) -> Brief:
    """The brief with an LLM-written summary and script, or the template one with violations."""
    lang = "en" if language() == "en" else "fr"
    rule = tone.rule_for("call", brief.sheet.segment, lang)
    asker = Asker(backend, prompts, store, "brief", lang, brief.sheet.customer.id, "call")

    async def run() -> AskResult[BriefAnswer]:
        try:
            messages = messages_for(brief, company, prompts)
            return await asker.ask(
                messages, BriefAnswer, lambda a: check_brief(a, brief, company, rule)
            )
        finally:
            close = getattr(backend, "aclose", None)
            if close is not None:
                await close()

    result = asyncio.run(run())
    if result.answer is None:
        return replace(brief, violations=result.violations)
    facts = brief_facts(brief, company)
    answer = result.answer
    chosen = answer.recommended_option
    return replace(
        brief,
        summary=substitute(answer.summary, facts),
        script=answer.script().map(lambda t: substitute(t, facts)),
        recommended_option=chosen,
        recommendation_reason=brief.recommendation_reason
        if chosen == brief.recommended_option
        else tr("choisie par le LLM", "chosen by the LLM"),
        source="llm",
        violations=[],
    )
