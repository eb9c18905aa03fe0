"""Human names for the stable ids shown to people (steps, channels, segments, statuses,
call outcomes).

Ids stay the contract (JSON, policies, the database); screens and tables show these labels.
`*_label` are short names for tables and headers; `*_phrase` are the forms used inside a
sentence (briefs, timelines). An id without a label (a segment the manager added, say) is
shown as it is.
"""

from __future__ import annotations

from assistant.i18n import tr
from assistant.storage.drafts_lifecycle import BOUNCED, DraftStatus

_STEPS = {
    "pre_due": ("Pré-échéance", "Pre-due"),
    "reminder_1": ("Relance 1", "Reminder 1"),
    "reminder_2": ("Relance 2", "Reminder 2"),
    "call": ("Appel", "Call"),
    "escalation": ("Escalade", "Escalation"),
    "instalment_reminder": ("Échéance plan", "Instalment"),
    "instalment_missed": ("Éch. manquée", "Missed instal."),
    "formal_notice": ("Mise en demeure", "Formal notice"),
    "collective_proceedings": ("Proc. collective", "Insolvency"),
    "handed_off": ("Contentieux", "Handed off"),
    "written_off": ("Passé en perte", "Written off"),
    "reply_pending": ("Réponse à traiter", "Reply to triage"),
    "reply_question": ("Question client", "Customer question"),
    "invalid_address": ("Adresse invalide", "Invalid address"),
    "unallocated_credit": ("Crédit à lettrer", "Credit to letter"),
    "collective_account": ("Compte collectif", "Collective acct"),
    "payment_match": ("Encaissement ?", "Receipt?"),
    "follow_up": ("Suivi à décider", "Follow-up"),
    "salesperson_digest": ("Point commercial", "Sales digest"),
}
_STEP_PHRASES = {
    "pre_due": ("rappel avant échéance", "pre-due reminder"),
    "reminder_1": ("1re relance", "first reminder"),
    "reminder_2": ("2e relance", "second reminder"),
    "instalment_reminder": ("rappel d'échéance du plan", "instalment reminder"),
    "instalment_missed": ("échéance du plan manquée", "missed instalment"),
    "call": ("appel", "call"),
    "escalation": ("escalade", "escalation"),
    "formal_notice": ("mise en demeure", "formal notice"),
    "collective_proceedings": ("procédure collective", "collective proceedings"),
    "handed_off": ("dossier confié au contentieux", "handed off"),
    "written_off": ("créance passée en perte", "written off"),
    "reply_pending": ("réponse du client à traiter", "customer reply to triage"),
    "reply_question": ("question du client à traiter", "customer question to answer"),
    "invalid_address": ("adresse e-mail à corriger", "e-mail address to fix"),
    "unallocated_credit": ("crédit non affecté à lettrer", "unallocated credit to letter"),
    "collective_account": ("compte collectif à répartir", "collective account to split"),
    "payment_match": ("encaissement bancaire à confirmer", "bank receipt to confirm"),
    "follow_up": ("suivi après la dernière étape", "follow-up after the last step"),
    "salesperson_digest": ("point hebdomadaire du commercial", "weekly salesperson digest"),
}
_SEGMENT_PHRASES = {
    "strategic": ("client stratégique", "strategic customer"),
    "large_account": ("grand compte", "large account"),
    "chronic_late": ("retards fréquents", "often late"),
    "new": ("nouveau client", "new customer"),
    "standard": ("standard", "standard"),
}
_OUTCOMES = {
    "promise": ("promesse de paiement", "promise to pay"),
    "plan": ("plan de paiement accepté", "payment plan agreed"),
    "dispute": ("litige signalé", "dispute raised"),
    "no-answer": ("pas de réponse", "no answer"),
    "wrong-contact": ("mauvais interlocuteur", "wrong contact"),
    "paid": ("paiement annoncé", "payment announced"),
    "question": ("question", "question"),
    "other": ("autre", "other"),
    "none": ("rien à faire", "nothing to do"),
}
_CHANNELS = {
    "email": ("e-mail", "e-mail"),
    "sms": ("SMS", "SMS"),
    "phone": ("téléphone", "phone"),
    "task": ("tâche", "task"),
    "internal": ("interne", "internal"),
    "letter": ("courrier", "letter"),
}
_SEGMENTS = {
    "strategic": ("stratégique", "strategic"),
    "large_account": ("grand compte", "large account"),
    "chronic_late": ("retards répétés", "chronic late"),
    "new": ("nouveau", "new"),
    "standard": ("standard", "standard"),
}
_STATUSES = {
    DraftStatus.PENDING: ("à valider", "pending"),
    DraftStatus.APPROVED: ("approuvé", "approved"),
    DraftStatus.REJECTED: ("rejeté", "rejected"),
    DraftStatus.SENDING: ("envoi en cours", "sending"),
    DraftStatus.SENT: ("envoyé", "sent"),
    DraftStatus.FAILED: ("échec", "failed"),
    DraftStatus.SUPERSEDED: ("remplacé", "superseded"),
    DraftStatus.CANCELLED: ("annulé", "cancelled"),
    BOUNCED: ("non distribué", "bounced"),
}
_SOURCES = {"llm": ("IA", "AI"), "template": ("modèle", "template")}
_INVOICE_STATUSES = {
    "open": ("ouverte", "open"),
    "paid": ("payée", "paid"),
    "disputed": ("en litige", "disputed"),
    "credited": ("soldée par un avoir", "credited"),
    "cancelled": ("annulée", "cancelled"),
}
_TONES = {
    "courteous": ("courtois", "courteous"),
    "benevolent": ("bienveillant", "benevolent"),
    "gentle": ("doux", "gentle"),
    "firm": ("ferme", "firm"),
}


def _label(table: dict[str, tuple[str, str]], key: str | None, missing: str = "") -> str:
    if not key:
        return missing
    pair = table.get(key)
    return tr(*pair) if pair else key


def step_label(step: str | None) -> str:
    return _label(_STEPS, step)


def draft_label(step: str | None, channel: str | None) -> str:
    """What a draft is: `Relance 2`, `Relance 2 (SMS)`, or the internal notice of a call."""
    if channel == "internal":  # the salesperson's notice of a call: the step keeps its name
        return tr("{s} (avis commercial)", "{s} (sales notice)", s=step_label(step))
    if channel in (None, "email"):
        return step_label(step)
    return f"{step_label(step)} ({channel_label(channel)})"


def channel_label(channel: str | None) -> str:
    return _label(_CHANNELS, channel)


def segment_label(segment: str | None) -> str:
    return _label(_SEGMENTS, segment)


def status_label(status: str | None) -> str:
    return _label(_STATUSES, status)


def source_label(source: str | None) -> str:
    return _label(_SOURCES, source)


def invoice_status_label(status: str | None) -> str:
    return _label(_INVOICE_STATUSES, status)


def tone_label(tone: str | None) -> str:
    return _label(_TONES, tone, tr("sans ton", "no tone"))


def proceedings_label(kind: str) -> str:
    """The kind of collective proceedings (statutory/holds.ProceedingsKind)."""
    return {
        "sauvegarde": tr("procédure de sauvegarde", "safeguard proceedings"),
        "redressement": tr("redressement judiciaire", "judicial reorganisation"),
        "liquidation": tr("liquidation judiciaire", "judicial liquidation"),
    }.get(kind, kind)


def step_phrase(step: str | None) -> str:
    return _label(_STEP_PHRASES, step, "?")


def segment_phrase(segment: str | None) -> str:
    return _label(_SEGMENT_PHRASES, segment, "?")


def outcome_label(outcome: str | None) -> str:
    return _label(_OUTCOMES, outcome, "?")


_REPLY_KINDS = {
    "reply": ("réponse", "reply"),
    "auto_reply": ("réponse automatique", "automatic reply"),
    "bounce": ("non distribué", "bounce"),
}
_REPLY_STATUSES = {
    "new": ("à traiter", "to triage"),
    "triaged": ("traitée", "triaged"),
    "recorded": ("enregistrée", "recorded"),
}
_MATCHES = {
    "thread": ("fil de discussion", "thread"),
    "address": ("adresse", "address"),
    "domain": ("domaine", "domain"),
    "person": ("attribuée", "assigned"),
    "none": ("non rattachée", "unmatched"),
}


def reply_kind_label(kind: str | None) -> str:
    return _label(_REPLY_KINDS, kind)


def reply_status_label(status: str | None) -> str:
    return _label(_REPLY_STATUSES, status)


def match_label(match: str | None) -> str:
    return _label(_MATCHES, match)


_SUGGESTIONS = {
    "promise": ("promesse de paiement", "promise to pay"),
    "paid": ("paiement annoncé", "payment announced"),
    "dispute": ("litige", "dispute"),
    "plan": ("échéancier demandé", "payment plan asked"),
    "question": ("question", "question"),
    "other": ("autre", "other"),
    "none": ("rien à faire", "nothing to do"),
}


def suggestion_label(outcome: str | None) -> str:
    """What a reply means (a suggestion or a person's triage), in words."""
    return _label(_SUGGESTIONS, outcome, "?")
