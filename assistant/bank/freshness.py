"""Is the payment data recent enough to remind anyone? (`relance sources`, and the gate that
`draft` and `send` pass first.)

Sources: `invoices`, `payments`, `fec` (accounting exports: their data reaches the day they were
imported), `bank:<IBAN>` (a statement reaches its closing date); a demo's data reaches the
demo's date (counted as `payments`). Age: business days (Monday-Friday, public holidays of the
policy's country) after the data's date up to the as-of date. The policy (`bank.yaml`) says
which sources must be fresh: `any` (default: at least one) or named ones, each. A home where
nothing was ever imported has no source to judge: the gate does not apply (tests and data
entered by hand), and `relance sources` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.bank.policy import PAYMENT_SOURCES, FreshnessPolicy
from assistant.i18n import tr
from assistant.rules.calendar import BusinessCalendar
from assistant.storage import bank_repo
from assistant.storage.db import Store


@dataclass(frozen=True)
class SourceState:
    source: str
    last_import_at: str
    data_as_of: date
    age_business_days: int
    max_age: int
    required: bool
    stale: bool
    demo: bool = False  # the demo's own data

    @property
    def refresh(self) -> str:
        """The command that brings this source up to date."""
        file = tr("FICHIER", "FILE")
        if self.source.startswith("bank:"):
            return f"relance import bank {file}"
        if self.demo:
            return "relance demo"
        return f"relance import {self.source} {file}"

    def as_json(self) -> dict[str, Any]:
        """`sources --json` keys (docs/contracts.md), then ours."""
        return {
            "source": self.source,
            "last_import_at": self.last_import_at,
            "data_as_of": self.data_as_of.isoformat(),
            "age_business_days": self.age_business_days,
            "required": self.required,
            "stale": self.stale,
            "max_age_business_days": self.max_age,
            "refresh": self.refresh,
        }


@dataclass(frozen=True)
class Freshness:
    as_of: date
    rule: list[str]
    sources: list[SourceState] = field(default_factory=list)
    stale: bool = False
    blocking: SourceState | None = None  # the source to refresh first

    def message(self) -> str:
        """The one line `draft` and `send` print when they refuse."""
        b = self.blocking
        if b is None:
            return ""
        if b.last_import_at == "-":
            return tr(
                "source de paiement requise jamais importée : {s} ; importez-la : {c}"
                " (ou --accept-stale --reason R)",
                "required payment source never imported: {s}; import it: {c}"
                " (or --accept-stale --reason R)",
                s=b.source, c=b.refresh,
            )  # fmt: skip
        return tr(
            "données de paiement périmées : {s} à jour au {d} ({n} jour(s) ouvré(s), {m} au plus)"
            " ; rafraîchissez-la : {c} (ou --accept-stale --reason R)",
            "stale payment data: {s} up to date as of {d} ({n} business day(s), {m} at most);"
            " refresh it: {c} (or --accept-stale --reason R)",
            s=b.source, d=b.data_as_of.isoformat(), n=b.age_business_days, m=b.max_age,
            c=b.refresh,
        )  # fmt: skip


def _sources(store: Store) -> list[tuple[str, str, date, bool]]:
    found: dict[str, tuple[str, str, date, bool]] = {}
    for kind, at, day in bank_repo.export_sources(store, PAYMENT_SOURCES):
        found[kind] = (kind, at, date.fromisoformat(day), False)
    demo = bank_repo.demo_as_of(store)
    if demo is not None:
        at, day = demo
        current = found.get("payments")
        if current is None or current[2] < date.fromisoformat(day):
            found["payments"] = ("payments", at, date.fromisoformat(day), True)
    for account, at, closing in bank_repo.bank_sources(store):
        found[f"bank:{account}"] = (f"bank:{account}", at, date.fromisoformat(closing), False)
    return sorted(found.values())


def business_days_between(calendar: BusinessCalendar, start: date, end: date, country: str) -> int:
    """Business days d with start < d <= end (0 when end <= start)."""
    if end <= start:
        return 0
    return sum(
        1
        for day in range(start.toordinal() + 1, end.toordinal() + 1)
        if calendar.is_business_day(day, country)
    )


def _required(policy: FreshnessPolicy, source: str) -> bool:
    return source in policy.required or (source.startswith("bank:") and "bank:*" in policy.required)


def assess(store: Store, policy: FreshnessPolicy, as_of: date) -> Freshness:
    calendar = BusinessCalendar()
    states = []
    for source, at, day, demo in _sources(store):
        age = business_days_between(calendar, day, as_of, policy.country)
        limit = policy.limit(source)
        required = _required(policy, source)
        states.append(SourceState(source, at, day, age, limit, required, age > limit, demo))
    if not states:
        return Freshness(as_of, list(policy.required))
    blocking: SourceState | None = None
    named = [s for s in states if s.required]
    missing = [n for n in policy.required if n not in ("any", "bank:*") and n not in
               {s.source for s in states}]  # fmt: skip
    if any(s.stale for s in named):
        blocking = next(s for s in named if s.stale)
    elif "any" in policy.required and all(s.stale for s in states):
        blocking = min(states, key=lambda s: (s.age_business_days - s.max_age, s.source))
    stale = blocking is not None
    if missing and not stale:  # a required source never imported
        blocking = SourceState(missing[0], "-", date.min, 0, policy.limit(missing[0]), True, True)
        stale = True
    return Freshness(as_of, list(policy.required), states, stale, blocking)
