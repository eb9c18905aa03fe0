"""LLM narrative for call-prep briefs: the summary and script are written through locked
tokens, checked like a rewrite, re-asked once, else the template brief stays.

Customer notes and call notes are untrusted: they travel in a delimited data block, and any
effect they could have (invented facts, links, threats) is caught by the same checks.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from pydantic import BaseModel, ConfigDict, Field

from assistant.briefs.brief import Brief, invoice_line, proposal_text
from assistant.dates import format_date
from assistant.i18n import language, tr
from assistant.llm.ask import Asker, AskResult
from assistant.llm.backend import ChatBackend, Message
from assistant.llm.guardrails import prose_violations, substitute, token_violations
from assistant.llm.prompts import PromptStore
from assistant.llm.tone import TonePolicy, ToneRule
from assistant.money import format_money
from assistant.storage.db import Store


class BriefAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    summary: str = Field(min_length=1)
    script: list[str] = Field(min_length=3, max_length=12)
    recommended_option: str


def brief_facts(brief: Brief) -> dict[str, str]:
    """Token -> value, in the collector's language."""
    s = brief.sheet
    loc = "en_GB" if language() == "en" else "fr_FR"

    def money(cents: int) -> str:
        return format_money(cents, s.currency, loc)

    facts = {
        "[[CUSTOMER_NAME]]": s.customer.name,
        "[[TOTAL_OUTSTANDING]]": money(s.outstanding_cents),
        "[[TOTAL_OVERDUE]]": money(s.overdue_cents),
        "[[MAX_DAYS_LATE]]": tr(
            "{d} jours", "{d} days", d=max((i.days_late for i in s.overdue), default=0)
        ),
        "[[INVOICES]]": invoice_line(s),
        "[[SALESPERSON]]": s.customer.salesperson_name
        or s.customer.salesperson_email
        or tr("le commercial", "the salesperson"),
        "[[DISPUTED_AMOUNT]]": money(s.disputed_cents),
    }
    if s.last_payment:
        facts["[[LAST_PAYMENT]]"] = tr(
            "{a} le {d}",
            "{a} on {d}",
            a=money(s.last_payment[1]),
            d=format_date(s.last_payment[0], loc, "long"),
        )
    for option in brief.options:
        facts[f"[[OPTION_{option.id.upper()}]]"] = proposal_text(option, s)
    return facts


def _notes(store: Store, brief: Brief) -> str:
    rows = store.query(
        "SELECT data FROM events WHERE customer_id = ? AND kind = 'call.logged'"
        " ORDER BY id DESC LIMIT 5",
        (brief.sheet.customer.id,),
    )
    notes = [brief.sheet.customer.notes or ""]
    notes += [str(json.loads(r["data"] or "{}").get("note") or "") for r in rows]
    return "\n".join(n for n in notes if n).replace("</customer_notes>", "")


def messages_for(brief: Brief, prompts: PromptStore, store: Store) -> list[Message]:
    s = brief.sheet
    lang = language()
    late = s.avg_days_late
    behaviour = "unknown" if late is None else "reliable" if late <= 10 else "late payer"
    months = s.relationship_months
    user = prompts.render(
        "brief_user",
        language=lang,
        segment=s.segment,
        relationship="unknown" if months is None else "new" if months < 12 else "loyal",
        behaviour=behaviour,
        broken_promises=s.promises_broken > 0,
        disputed=s.disputed_cents > 0,
        customer_language=s.customer.language,
        tokens=list(brief_facts(brief)),
        options=[{"id": o.id, "token": f"[[OPTION_{o.id.upper()}]]"} for o in brief.options],
        recommended=brief.recommended_option,
        notes=_notes(store, brief),
    )
    system = prompts.render("brief_system", language=lang)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def check_brief(answer: BriefAnswer, brief: Brief, rule: ToneRule) -> list[str]:
    facts = brief_facts(brief)
    text = "\n".join([answer.summary, *answer.script])
    out = token_violations(text, required={"[[TOTAL_OUTSTANDING]]"}, allowed=set(facts))
    out += prose_violations(text, rule)
    if answer.recommended_option not in {o.id for o in brief.options}:
        out.append(
            tr(
                "option inconnue : {o}",
                "unknown option: {o}",
                o=answer.recommended_option,
            )
        )
    return out


def llm_brief(
    brief: Brief, backend: ChatBackend, tone: TonePolicy, prompts: PromptStore, store: Store
) -> Brief:
    """The brief with an LLM-written summary and script, or the template one with violations."""
    lang = "en" if language() == "en" else "fr"
    rule = ToneRule(language=lang, forbidden=list(tone.forbidden.get(lang, [])))
    asker = Asker(backend, prompts, store, "brief", lang, brief.sheet.customer.id)

    async def run() -> AskResult[BriefAnswer]:
        try:
            messages = messages_for(brief, prompts, store)
            return await asker.ask(messages, BriefAnswer, lambda a: check_brief(a, brief, rule))
        finally:
            close = getattr(backend, "aclose", None)
            if close is not None:
                await close()

    result = asyncio.run(run())
    if result.answer is None:
        return replace(brief, violations=result.violations)
    facts = brief_facts(brief)
    return replace(
        brief,
        summary=substitute(result.answer.summary, facts),
        script=[substitute(line, facts) for line in result.answer.script],
        recommended_option=result.answer.recommended_option,
        source="llm",
        violations=[],
    )
