"""Lines of the customer's history (brief, timeline) for replies, triage and bounces.

Built from the event's codes only: a reply's text never goes into the event log (so it can
be erased), and the history shows what happened, not what was written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.i18n import tr
from assistant.labels import outcome_label


def describe(kind: str, data: dict[str, Any], about: str) -> str:
    if kind == "message.bounced":
        return tr(
            "e-mail non distribué{about} : adresse {a} invalide",
            "e-mail bounced{about}: address {a} invalid",
            about=about,
            a=data.get("address", "?"),
        )
    if kind == "reply.triaged":
        return tr(
            "réponse du client traitée : {o}",
            "customer reply triaged: {o}",
            o=outcome_label(data.get("outcome")),
        )
    what = data.get("kind")
    if what == "auto_reply":
        back = data.get("return_on")
        text = tr("réponse automatique{about}", "automatic reply{about}", about=about)
        if back:
            text += tr(
                " — de retour le {d}", " — back on {d}", d=date.fromisoformat(back).isoformat()
            )
        return text
    if what == "bounce":
        return tr(
            "avis de non-distribution ({a})", "delivery failure notice ({a})", a=data.get("address")
        )
    return tr("réponse du client{about}", "customer replied{about}", about=about)
