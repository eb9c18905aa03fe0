"""Reasons and notes as codes with parameters; words only at the edge.

The domain (rules, drafting, delivery, statutory, bank, replies) says *why* with a `Reason`: a
`Code` and raw parameters (ISO dates, integer cents, ids, step ids). The CLI, the TUI and the
JSON outputs render it with `render(reason)` in the person's language, when they show it: a plan
made in French reads in English after the language changes, and `drafts.error` stores the code
and its parameters, not a sentence (`to_json` / `from_json`).

Parameters are formatted at render time by their name's suffix, the placeholder being the name
without it: `a_cents` -> `{a}` money in the language's locale (currency: `currency`, else EUR);
`s_step` -> `{s}` a step's label, `s_phrase` -> its phrase ("la relance 2"), `o_offset` -> `J+5`
/ `D+5`, `k_proceedings` -> the kind of collective proceedings, `s_status` -> an invoice status.
Any other parameter is shown as it is.

A reason may go on with more parts (`first + second`): each part's text carries its own
separator (" ; ..."), so a French sentence reads exactly as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

from assistant.i18n import language, using

Param = str | int


class Code(StrEnum):
    """Every reason the domain gives; the texts are in `TEXTS`."""

    # planner (rules/engine.py)
    PAYMENT_PLAN = "payment_plan"
    PROMISE = "promise"
    HELD_BY_HUMAN_TASK = "held_by_human_task"
    DO_NOT_CONTACT = "do_not_contact"
    MIN_GAP = "min_gap"
    STEP_REACHED = "step_reached"
    PROMISE_BROKEN = "promise_broken"
    PROMISE_BROKEN_BEFORE = "promise_broken_before"
    FOLLOW_UP = "follow_up"
    FOLLOW_UP_COUNT = "follow_up_count"
    AFTER_AUTO_STEP = "after_auto_step"
    AFTER_HUMAN_STEP = "after_human_step"
    GROUPED = "grouped"
    CALL_NOTE = "call_note"
    ESCALATION_NOTE = "escalation_note"
    # plan --explain (rules/explain.py) and warnings (statutory/limitation.py)
    DISPUTED_SINCE = "disputed_since"
    DISPUTED = "disputed"
    NEXT_STEP = "next_step"
    NO_STEP_TODAY = "no_step_today"
    LAST_STEP_DONE = "last_step_done"
    TIME_BARRED = "time_barred"
    TIME_BAR_COMING = "time_bar_coming"
    # instalments (rules/instalment_steps.py)
    INSTALMENT_MISSED = "instalment_missed"
    INSTALMENT_DUE = "instalment_due"
    # balances (rules/balance.py)
    UNALLOCATED_CREDIT = "unallocated_credit"
    CREDIT_COVERS = "credit_covers"
    COLLECTIVE_ACCOUNT = "collective_account"
    # bank (bank/holds.py)
    PAYMENT_MATCH = "payment_match"
    # statutory (statutory/holds.py, notice.py)
    PROCEEDINGS_DECLARED = "proceedings_declared"
    PROCEEDINGS_TO_DECLARE = "proceedings_to_declare"
    PROCEEDINGS_ALSO_OWED = "proceedings_also_owed"
    HANDED_OFF = "handed_off"
    WRITTEN_OFF = "written_off"
    NOTICE_DECIDED = "notice_decided"
    # replies (replies/holds.py)
    REPLY_PENDING = "reply_pending"
    REPLY_QUESTION = "reply_question"
    INVALID_ADDRESS = "invalid_address"
    INVALID_CUSTOMER_ADDRESS = "invalid_customer_address"
    # a draft's error note (drafts.error_code): send-time re-check, pacing, delivery
    INVOICE_REMOVED = "invoice_removed"
    INVOICE_NOW = "invoice_now"
    OUTSTANDING_CHANGED = "outstanding_changed"
    PROMISE_OPEN = "promise_open"
    CREDIT_EXCEEDS = "credit_exceeds"
    ALREADY_SENT = "already_sent"
    PACING_GAP = "pacing_gap"
    NOT_TRIED = "not_tried"
    DELIVERY = "delivery"  # the server's or the builder's own words, as they came
    # why drafts were cancelled when the situation changed (queue.cancel_for_invoice)
    DISPUTE_OPENED = "dispute_opened"
    PROMISE_TO_PAY = "promise_to_pay"
    PAYMENT_ANNOUNCED = "payment_announced"
    PAYMENT_PLAN_AGREED = "payment_plan_agreed"
    PROCEEDINGS_OPENED = "proceedings_opened"
    HANDED_OFF_NOW = "handed_off_now"
    WRITTEN_OFF_NOW = "written_off_now"
    # drafting notes (drafts.error of a new draft)
    RERENDERED = "rerendered"
    RERENDERED_EDITED = "rerendered_edited"
    RERENDERED_LLM = "rerendered_llm"
    # the weekly salespeople digest (team/digest.py)
    SALESPERSON_DIGEST = "salesperson_digest"


# code -> (français, English); `str.format` placeholders (see the module's docstring)
TEXTS: Final[Mapping[Code, tuple[str, str]]] = {
    Code.PAYMENT_PLAN: ("plan de paiement en cours", "payment plan in progress"),
    Code.PROMISE: (
        "promesse de paiement au {d} (+{g} j de grâce)",
        "promise to pay on {d} (+{g} days grace)",
    ),
    Code.HELD_BY_HUMAN_TASK: (
        "relance automatique suspendue : {s} à traiter par une personne",
        "automatic reminder held: {s} to be handled by a person",
    ),
    Code.DO_NOT_CONTACT: ("client à ne pas contacter", "customer not to be contacted"),
    Code.MIN_GAP: (
        "dernier message le {last} : pas de nouveau message avant le {next}",
        "last message on {last}: no new message before {next}",
    ),
    Code.STEP_REACHED: (
        "{label} atteint le {d} (échéance {due})",
        "{label} reached on {d} (due {due})",
    ),
    Code.PROMISE_BROKEN: (
        "promesse de paiement du {d} non tenue (échéance {due})",
        "promise to pay of {d} not kept (due {due})",
    ),
    Code.PROMISE_BROKEN_BEFORE: (
        "promesse de paiement du {p} non tenue ; ",
        "promise to pay of {p} not kept; ",
    ),
    Code.FOLLOW_UP: ("à traiter : {s} du {d} sans suite", "to handle: {s} of {d} with no outcome"),
    Code.FOLLOW_UP_COUNT: (" ; {n} factures", "; {n} invoices"),
    Code.AFTER_AUTO_STEP: (" ; relance {label} envoyée le {d}", "; {label} reminder sent on {d}"),
    Code.AFTER_HUMAN_STEP: (" ; étape {label} faite le {d}", "; {label} step done on {d}"),
    Code.GROUPED: (" ; {n} factures regroupées", "; {n} invoices grouped"),
    Code.CALL_NOTE: (
        " ; appel à passer, commercial prévenu",
        "; call to make, salesperson notified",
    ),
    Code.ESCALATION_NOTE: (
        " ; décision au cas par cas (plan de paiement, blocage des commandes, mise en demeure)",
        "; case-by-case decision (payment plan, blocking orders, formal notice)",
    ),
    Code.DISPUTED_SINCE: ("en litige depuis le {d} : {w}", "disputed since {d}: {w}"),
    Code.DISPUTED: ("en litige", "disputed"),
    Code.NEXT_STEP: ("prochaine étape : {s} le {d}", "next step: {s} on {d}"),
    Code.NO_STEP_TODAY: ("aucune étape due aujourd'hui", "no step due today"),
    Code.LAST_STEP_DONE: (" ; {s} faite le {d}", "; {s} done on {d}"),
    Code.TIME_BARRED: (
        "{n} : prescrite depuis le {d} (5 ans après l'échéance, C. com. L110-4)",
        "{n}: time-barred since {d} (5 years after the due date, C. com. L110-4)",
    ),
    Code.TIME_BAR_COMING: (
        "{n} : prescription le {d} (5 ans après l'échéance, C. com. L110-4) : agir avant"
        " (injonction de payer)",
        "{n}: time-barred on {d} (5 years after the due date, C. com. L110-4): act"
        " before (order for payment)",
    ),
    Code.INSTALMENT_MISSED: (
        "échéance {l} du plan de paiement ({d}) non réglée : appel à passer",
        "instalment {l} of the payment plan ({d}) not paid: call to make",
    ),
    Code.INSTALMENT_DUE: (
        "échéance {l} du plan de paiement le {d}",
        "instalment {l} of the payment plan due on {d}",
    ),
    Code.UNALLOCATED_CREDIT: (
        "crédit non affecté de {c} à lettrer (solde du compte : {b}) : aucune relance",
        "unallocated credit of {c} to letter (account balance: {b}): no reminder",
    ),
    Code.CREDIT_COVERS: (
        "crédit non affecté de {c} : il couvre les factures à relancer ({n}) ;"
        " à lettrer avant toute relance",
        "unallocated credit of {c}: it covers the invoices to remind ({n});"
        " to letter before any reminder",
    ),
    Code.COLLECTIVE_ACCOUNT: (
        "compte client collectif ({w}) : factures de plusieurs clients, à répartir par"
        " une personne (relance import fec --split-collective)",
        "collective customer account ({w}): invoices of several customers, to be split"
        " by a person (relance import fec --split-collective)",
    ),
    Code.PAYMENT_MATCH: (
        "virement du {d} de {a}{p} pouvant régler {n} : à confirmer"
        " (relance match {i} --apply ou --reject)",
        "transfer of {d} for {a}{p} that may pay {n}: to confirm"
        " (relance match {i} --apply or --reject)",
    ),
    Code.PROCEEDINGS_DECLARED: (
        "{k} publié le {p} : créance déclarée le {d} ; aucune relance",
        "{k} published on {p}: claim declared on {d}; no reminder",
    ),
    Code.PROCEEDINGS_TO_DECLARE: (
        "{k} publié le {p} : déclarer la créance au mandataire avant le {d} : {a}"
        " (principal {o}, dont échu {e} ; indemnités {i} ; intérêts {t}) ; aucune relance",
        "{k} published on {p}: declare the claim to the court officer before {d}: {a}"
        " (principal {o}, overdue {e}; indemnities {i}; interest {t}); no reminder",
    ),
    Code.PROCEEDINGS_ALSO_OWED: (
        " ; à déclarer aussi en {currency} : {a} (principal {o}, dont échu {e} ; indemnités {i} ;"
        " intérêts {t})",
        "; to declare in {currency} too: {a} (principal {o}, overdue {e}; indemnities {i};"
        " interest {t})",
    ),
    Code.HANDED_OFF: (
        "confié au contentieux le {d} (dossier transmis) : hors relances automatiques",
        "handed off on {d} (litigation file sent): out of the automatic plan",
    ),
    Code.WRITTEN_OFF: (
        "passé en perte le {d} : hors relances automatiques",
        "written off on {d}: out of the automatic plan",
    ),
    Code.NOTICE_DECIDED: ("mise en demeure décidée", "formal notice decided"),
    Code.REPLY_PENDING: ("réponse du client du {d} à traiter", "customer reply of {d} to triage"),
    Code.REPLY_QUESTION: (
        "question du client du {d} à traiter (réponse n° {i})",
        "customer question of {d} to answer (reply #{i})",
    ),
    Code.INVALID_ADDRESS: (
        "adresse e-mail invalide ({a}) : aucun envoi",
        "invalid e-mail address ({a}): nothing is sent",
    ),
    Code.INVALID_CUSTOMER_ADDRESS: (
        "adresse e-mail invalide ({a}, non distribuée le {d}) : corriger le contact",
        "invalid e-mail address ({a}, bounced on {d}): fix the contact",
    ),
    Code.INVOICE_REMOVED: ("facture {n} supprimée", "invoice {n} removed"),
    Code.INVOICE_NOW: ("facture {n} désormais {s}", "invoice {n} now {s}"),
    Code.OUTSTANDING_CHANGED: (
        "facture {n} : le reste dû a changé (paiement partiel ?)",
        "invoice {n}: the amount outstanding changed (partial payment?)",
    ),
    Code.PROMISE_OPEN: ("promesse de paiement au {d}", "promise to pay on {d}"),
    Code.CREDIT_EXCEEDS: (
        "crédit non affecté de {c} : le montant demandé ({t}) dépasse ce que le client doit",
        "unallocated credit of {c}: the amount asked ({t}) is more than the customer owes",
    ),
    Code.ALREADY_SENT: (
        "{s} déjà envoyée le {d} pour {n} : ce message arriverait après",
        "{s} already sent on {d} for {n}: this message would come after it",
    ),
    Code.PACING_GAP: (
        "écart minimum : dernier message le {d}, pas de nouvel envoi avant le {n}",
        "minimum gap: last message on {d}, no new message before {n}",
    ),
    Code.NOT_TRIED: ("pas tenté : {e}", "not tried: {e}"),
    Code.DELIVERY: ("{e}", "{e}"),
    Code.DISPUTE_OPENED: ("litige ouvert", "dispute opened"),
    Code.PROMISE_TO_PAY: ("promesse de paiement", "promise to pay"),
    Code.PAYMENT_ANNOUNCED: ("paiement annoncé", "payment announced"),
    Code.PAYMENT_PLAN_AGREED: ("plan de paiement", "payment plan"),
    Code.PROCEEDINGS_OPENED: ("{k}", "{k}"),
    Code.HANDED_OFF_NOW: ("confié au contentieux", "handed off"),
    Code.WRITTEN_OFF_NOW: ("passé en perte", "written off"),
    Code.RERENDERED: (
        "nouvelle version : la politique ou les faits de l'entreprise ont changé"
        " (version précédente n° {i})",
        "new version: the policy or the company facts changed (previous version #{i})",
    ),
    Code.RERENDERED_EDITED: (
        "nouvelle version : la politique ou les faits de l'entreprise ont changé"
        " (version précédente n° {i}, retouchée à la main)",
        "new version: the policy or the company facts changed (previous version #{i},"
        " edited by hand)",
    ),
    Code.RERENDERED_LLM: (
        "nouvelle version : la politique ou les faits de l'entreprise ont changé"
        " (version précédente n° {i}, réécrite par le LLM)",
        "new version: the policy or the company facts changed (previous version #{i},"
        " rewritten by the LLM)",
    ),
    Code.SALESPERSON_DIGEST: (
        "point hebdomadaire pour le commercial : {n} client(s) qui doivent encore",
        "weekly digest for the salesperson: {n} customer(s) still owing",
    ),
}


@dataclass(frozen=True, slots=True)
class Reason:
    """A code and its raw parameters (hashable: the parameters are a sorted tuple), then the
    parts that go on after it (`a + b`)."""

    code: Code
    params: tuple[tuple[str, Param], ...] = ()
    more: tuple[Reason, ...] = ()

    @classmethod
    def of(cls, code: Code | str, /, **params: Param) -> Reason:
        return cls(Code(code), tuple(sorted(params.items())))

    @property
    def values(self) -> dict[str, Param]:
        return dict(self.params)

    def __add__(self, other: Reason) -> Reason:
        tail = (Reason(other.code, other.params), *other.more)
        return Reason(self.code, self.params, self.more + tail)

    def __str__(self) -> str:  # an f-string at the edge renders in the current language
        return render(self)

    def as_json(self) -> dict[str, Any]:
        """`{"code": ..., "params": {...}}` (+ `"more": [...]`): what `drafts.error_params`
        and the JSON outputs' `*_code` keys are made of."""
        out: dict[str, Any] = {"code": self.code.value, "params": self.values}
        if self.more:
            out["more"] = [m.as_json() for m in self.more]
        return out


def reason(code: Code | str, /, **params: Param) -> Reason:
    """`reason(Code.PROMISE, d="2026-03-01", g=3)`."""
    return Reason.of(code, **params)


def code_of(r: Reason | str | None) -> str | None:
    """The code of a reason (the JSON outputs' `*_code` keys); None for text or nothing."""
    return r.code.value if isinstance(r, Reason) else None


def to_json(r: Reason) -> str:
    """The stored form of the parameters (`drafts.error_params`)."""
    return json.dumps(
        {"params": r.values, "more": [m.as_json() for m in r.more]}, ensure_ascii=False
    )


def from_json(code: str, stored: str | None) -> Reason | None:
    """A stored reason; None for a code this version does not know (shown as stored text)."""
    try:
        found = Code(code)
    except ValueError:
        return None
    data = json.loads(stored or "{}")
    more = tuple(
        r for m in data.get("more", []) if (r := from_json(m["code"], json.dumps(m))) is not None
    )
    return Reason(found, tuple(sorted(data.get("params", {}).items())), more)


def render(r: Reason | str | None, lang: str | None = None) -> str:
    """The reason's words in `lang` (default: the current language). Text passes through (a
    row stored before codes, a free note); None gives ""."""
    if r is None:
        return ""
    if isinstance(r, str):
        return r
    if lang is None or lang == language():
        return _render(r, language())
    with using(lang):
        return _render(r, language())


@lru_cache(maxsize=8192)  # many actions share a reason: words built once per language
def _render(r: Reason, lang: str) -> str:
    out = _part(r, lang)
    for m in r.more:
        out += _part(m, lang)
    return out


def _part(r: Reason, lang: str) -> str:
    fr, en = TEXTS[r.code]
    values = dict(r.params)
    shown: dict[str, object] = {}
    for name, value in values.items():
        base, _, suffix = name.rpartition("_")
        fmt = _FORMATS.get(suffix) if base else None
        if fmt is None:
            shown[name] = value
        else:
            shown[base] = fmt(value, values, lang)
    text = en if lang == "en" else fr
    return text.format(**shown) if shown else text


def _money(value: Param, values: Mapping[str, Param], lang: str) -> str:
    from assistant.money import format_money

    currency = str(values.get("currency", "EUR"))
    return format_money(int(value), currency, "en_GB" if lang == "en" else "fr_FR")


def _offset(value: Param, values: Mapping[str, Param], lang: str) -> str:
    return ("D{o:+d}" if lang == "en" else "J{o:+d}").format(o=int(value))


def _label(name: str) -> Callable[[Param, Mapping[str, Param], str], str]:
    def fmt(value: Param, values: Mapping[str, Param], lang: str) -> str:
        from assistant import labels

        return str(getattr(labels, name)(str(value)))

    return fmt


_FORMATS: Final[dict[str, Callable[[Param, Mapping[str, Param], str], str]]] = {
    "cents": _money,
    "offset": _offset,
    "step": _label("step_label"),
    "phrase": _label("step_phrase"),
    "proceedings": _label("proceedings_label"),
    "status": _label("invoice_status_label"),
}

assert set(TEXTS) == set(Code), "every Code needs its texts"
