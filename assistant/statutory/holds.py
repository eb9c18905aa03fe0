"""Hold sources of the statutory features (see rules/holds.py): collective proceedings stop
every reminder, call and notice and ask a person to declare the claim; a hand-off or a
write-off takes the customer out of the automatic plan, listed as such."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from assistant import labels
from assistant.reasons import Code, Reason
from assistant.rules.holds import Hold
from assistant.storage import statutory as db
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds

if TYPE_CHECKING:
    from assistant.statutory.claims import Claims


class ProceedingsKind(StrEnum):
    SAUVEGARDE = "sauvegarde"
    REDRESSEMENT = "redressement"
    LIQUIDATION = "liquidation"


class Decision(StrEnum):
    PLAN = "plan"
    NOTICE = "notice"
    HANDOFF = "handoff"
    WRITEOFF = "writeoff"
    RESUME = "resume"  # back into the automatic plan after a hand-off or a write-off


PROCEEDINGS = "collective_proceedings"
HANDED_OFF = "handed_off"
WRITTEN_OFF = "written_off"


def proceedings_label(kind: str) -> str:
    return labels.proceedings_label(kind)


def home_of(store: Store) -> Path | None:
    """The home whose policies apply: the folder of the database file (None in memory)."""
    return db.database_folder(store)


def declaration_deadline(published: date, months: int) -> date:
    return published + relativedelta(months=months)


def proceedings_holds(
    store: Store, as_of: date, customer_ids: CustomerIds = None
) -> Iterable[Hold]:
    found = [p for p in db.proceedings(store, customer_ids) if p.published_on <= as_of]
    if not found:
        return []
    from assistant.statutory.claims import claims_for
    from assistant.statutory.rates import load_statutory_policy

    home = home_of(store)
    months = load_statutory_policy(home).declaration_months
    holds = []
    for p in found:
        if p.declared_on is not None and p.declared_on <= as_of:
            reason = Reason.of(
                Code.PROCEEDINGS_DECLARED,
                k_proceedings=p.kind,
                p=p.published_on.isoformat(),
                d=p.declared_on.isoformat(),
            )
            holds.append(Hold(PROCEEDINGS, p.customer_id, reason, task=False))
            continue
        claims = claims_for(store, home, p.customer_id, p.published_on)
        amount = _declared(claims)
        reason = Reason.of(
            Code.PROCEEDINGS_TO_DECLARE,
            k_proceedings=p.kind,
            p=p.published_on.isoformat(),
            d=declaration_deadline(p.published_on, months).isoformat(),
            **_figures(claims),
        )
        invoices = tuple(c.number for c in claims.overdue + claims.not_due)
        for other in claims.other_currencies:  # one claim per currency, all declared
            more = claims_for(store, home, p.customer_id, p.published_on, other)
            reason += Reason.of(Code.PROCEEDINGS_ALSO_OWED, **_figures(more))
            invoices += tuple(c.number for c in more.overdue + more.not_due)
        holds.append(
            Hold(PROCEEDINGS, p.customer_id, reason, invoices=invoices, amount_cents=amount)
        )
    return holds


def _declared(claims: Claims) -> int:
    return claims.outstanding_cents + claims.indemnity_cents + claims.interest_cents


def _figures(claims: Claims) -> dict[str, str | int]:
    """What to declare in one currency: total, principal, overdue, indemnities, interest."""
    return {
        "a_cents": _declared(claims),
        "o_cents": claims.outstanding_cents,
        "e_cents": claims.principal_cents,
        "i_cents": claims.indemnity_cents,
        "t_cents": claims.interest_cents,
        "currency": claims.currency,
    }


def decision_holds(store: Store, as_of: date, customer_ids: CustomerIds = None) -> Iterable[Hold]:
    latest: dict[str, db.Decision] = {}
    for d in db.decisions(store):
        if customer_ids is not None and d.customer_id not in customer_ids:
            continue
        if d.decided_on <= as_of and d.decision in (
            Decision.HANDOFF,
            Decision.WRITEOFF,
            Decision.RESUME,
        ):
            latest[d.customer_id] = d
    holds = []
    for d in latest.values():
        if d.decision == Decision.HANDOFF:
            reason = Reason.of(Code.HANDED_OFF, d=d.decided_on.isoformat())
            holds.append(Hold(HANDED_OFF, d.customer_id, reason, task=False))
        elif d.decision == Decision.WRITEOFF:
            reason = Reason.of(Code.WRITTEN_OFF, d=d.decided_on.isoformat())
            holds.append(Hold(WRITTEN_OFF, d.customer_id, reason, task=False))
    return holds
