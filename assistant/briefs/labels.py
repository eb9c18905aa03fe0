"""Readable names for step, call-outcome and segment ids in briefs (collector's language)."""

from __future__ import annotations

from assistant.i18n import tr

_STEPS = {
    "pre_due": ("rappel avant échéance", "pre-due reminder"),
    "reminder_1": ("1re relance", "first reminder"),
    "reminder_2": ("2e relance", "second reminder"),
    "instalment_reminder": ("rappel d'échéance du plan", "instalment reminder"),
    "call": ("appel", "call"),
    "escalation": ("escalade", "escalation"),
}
_OUTCOMES = {
    "promise": ("promesse de paiement", "promise to pay"),
    "plan": ("plan de paiement accepté", "payment plan agreed"),
    "dispute": ("litige signalé", "dispute raised"),
    "no-answer": ("pas de réponse", "no answer"),
    "wrong-contact": ("mauvais interlocuteur", "wrong contact"),
    "paid": ("paiement annoncé", "payment announced"),
}
_SEGMENTS = {
    "strategic": ("client stratégique", "strategic customer"),
    "large_account": ("grand compte", "large account"),
    "chronic_late": ("retards fréquents", "often late"),
    "new": ("nouveau client", "new customer"),
    "standard": ("standard", "standard"),
}


def _label(table: dict[str, tuple[str, str]], key: str | None) -> str:
    if key is None:
        return "?"
    pair = table.get(key)
    return tr(*pair) if pair else key


def step_label(step: str | None) -> str:
    return _label(_STEPS, step)


def outcome_label(outcome: str | None) -> str:
    return _label(_OUTCOMES, outcome)


def segment_label(segment: str | None) -> str:
    return _label(_SEGMENTS, segment)
