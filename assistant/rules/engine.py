"""The planner: a pure function (policy, calendar, snapshot) -> plan. No I/O, no clock.

Per invoice, the candidate step is the most advanced step whose business-day date has come and
that follows the last step done (steps are monotone: catching up never replays the sequence).
Per customer, invoices are grouped: one human task (listing every overdue invoice) holds the
automatic emails; otherwise one automatic message at the most advanced step due, if the minimum
gap since the last automatic message holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.i18n import tr
from assistant.rules.calendar import BusinessCalendar
from assistant.rules.gcpause import gc_paused
from assistant.rules.instalments import plan_instalments
from assistant.rules.policy import ScenarioPolicy, Segment, Step
from assistant.rules.promises import PromiseState
from assistant.rules.snapshot import CustomerFacts, Snapshot


@dataclass(frozen=True, slots=True)
class Action:
    customer_id: str
    step: str
    channel: str
    invoices: tuple[str, ...]
    scheduled_for: date
    requires_human: bool
    reason: str
    segment: str
    tone: str | None = None
    template: str | None = None
    also_sms: bool = False
    notify_salesperson: bool = False
    instalment_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        """DESIGN.md §5 `plan --json` keys, then our extensions."""
        return {
            "customer_id": self.customer_id,
            "step": self.step,
            "channel": self.channel,
            "invoices": list(self.invoices),
            "scheduled_for": self.scheduled_for.isoformat(),
            "requires_human": self.requires_human,
            "reason": self.reason,
            "segment": self.segment,
            "tone": self.tone,
            "template": self.template,
            "also_sms": self.also_sms,
            "notify_salesperson": self.notify_salesperson,
            "instalment_id": self.instalment_id,
        }


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a customer or invoice gets nothing today (shown by `plan --explain` and the TUI)."""

    customer_id: str
    invoice_number: str | None
    code: str  # do_not_contact | promise | payment_plan | min_gap | held_by_human_task
    reason: str


@dataclass(slots=True)
class Plan:
    as_of: date
    actions: list[Action] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


@dataclass(slots=True)
class _Candidate:
    number: str
    due: int
    step_idx: int
    step_date: int
    last: tuple[int, int, str] | None
    broken_promise: PromiseState | None = None


def step_label(step: Step) -> str:
    return tr("J{o:+d}", "D{o:+d}", o=step.offset_days)


def _day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


class Planner:
    """Holds the policy and calendar; `plan(snapshot)` is pure and deterministic."""

    def __init__(self, policy: ScenarioPolicy, calendar: BusinessCalendar | None = None) -> None:
        self.policy = policy
        self.calendar = calendar or BusinessCalendar(policy.sending_weekdays)
        self.steps = policy.steps
        self._offsets_cache: dict[tuple[str, bool], tuple[int, ...]] = {}
        self._segments = {s.id: s for s in policy.segments}

    # -- segmentation -----------------------------------------------------------------
    def segment_for(self, customer: CustomerFacts, as_of: date) -> Segment:
        if customer.label and customer.label in self._segments:
            return self._segments[customer.label]  # manual segment wins
        for segment in self.policy.segments:
            if any(self._matches(cond, customer, as_of) for cond in segment.conditions):
                return segment
        return self.policy.segments[-1]

    def _matches(self, cond: Any, c: CustomerFacts, as_of: date) -> bool:
        if cond.strategic is not None and c.strategic != cond.strategic:
            return False
        if cond.min_outstanding is not None and c.outstanding_cents < cond.min_outstanding:
            return False
        if cond.max_outstanding is not None and c.outstanding_cents > cond.max_outstanding:
            return False
        if cond.min_avg_days_late is not None and (
            c.avg_days_late is None or c.avg_days_late < cond.min_avg_days_late
        ):
            return False
        if cond.min_broken_promises is not None and c.broken_promises < cond.min_broken_promises:
            return False
        if cond.risk is not None and c.risk not in cond.risk:
            return False
        if cond.relationship is not None:
            new = c.since is not None and (
                as_of.toordinal() - c.since < self.policy.new_customer_months * 365 // 12
            )
            if (cond.relationship == "new") != new:
                return False
        return True

    def _offsets(self, segment: Segment, large: bool) -> tuple[int, ...]:
        key = (segment.id, large)
        cached = self._offsets_cache.get(key)
        if cached is None:
            offsets = [segment.offsets.get(s.id, s.offset_days) for s in self.steps]
            if large and self.policy.large_amount is not None:
                for i, s in enumerate(self.steps):
                    if s.id == "call":
                        offsets[i] = min(offsets[i], self.policy.large_amount.call_offset_days)
            cached = tuple(offsets)
            self._offsets_cache[key] = cached
        return cached

    # -- planning -----------------------------------------------------------------------
    def plan(self, snap: Snapshot) -> Plan:
        with gc_paused():
            return self._plan(snap)

    def _plan(self, snap: Snapshot) -> Plan:
        as_of = snap.as_of.toordinal()
        grace = self.policy.promise_grace_days
        result = Plan(snap.as_of)
        cal = self.calendar
        steps = self.steps
        last_idx_all = len(steps) - 1
        pre_due_idx = 0 if steps[0].id == "pre_due" else -1

        per_customer: dict[str, list[_Candidate]] = defaultdict(list)
        overdue: dict[str, list[tuple[str, int]]] = defaultdict(list)
        seg_cache: dict[str, tuple[Segment, tuple[int, ...]]] = {}
        customers = snap.customers
        done = snap.done
        in_plan = snap.in_plan
        invoice_promise, customer_promise = snap.invoice_promise, snap.customer_promise
        latest_promise = self._latest_promise

        for number, cid, due, _outstanding in snap.invoices:
            customer = customers.get(cid)
            if customer is None:
                continue
            last = done.get(number)
            last_idx = last[0] if last else -1
            if last_idx >= last_idx_all:
                continue
            if number in in_plan:
                result.skipped.append(
                    Skip(
                        cid,
                        number,
                        "payment_plan",
                        tr("plan de paiement en cours", "payment plan in progress"),
                    )
                )
                continue
            promise = (
                latest_promise(snap, number, cid)
                if number in invoice_promise or cid in customer_promise
                else None
            )
            broken: PromiseState | None = None
            if promise is not None:
                status = promise.status(snap.as_of, grace)
                if status == "open":
                    result.skipped.append(
                        Skip(
                            cid,
                            number,
                            "promise",
                            tr(
                                "promesse de paiement au {d} (+{g} j de grâce)",
                                "promise to pay on {d} (+{g} days grace)",
                                d=promise.promised_date.isoformat(),
                                g=grace,
                            ),
                        )
                    )
                    continue
                deadline = promise.deadline(grace).toordinal()
                if status == "broken" and (last is None or last[1] <= deadline):
                    broken = promise
            if due < as_of:
                overdue[cid].append((number, due))

            got = seg_cache.get(cid)
            if got is None:
                segment = self.segment_for(customer, snap.as_of)
                large = (
                    self.policy.large_amount is not None
                    and customer.outstanding_cents >= self.policy.large_amount.threshold
                )
                got = (segment, self._offsets(segment, large))
                seg_cache[cid] = got
            offsets = got[1]
            country, closing = customer.country, customer.closing

            if broken is not None:
                human = next(
                    (i for i in range(last_idx + 1, len(steps)) if not steps[i].automatic), None
                )
                if human is not None:
                    today = cal.next_business_day(as_of, country, closing)
                    per_customer[cid].append(_Candidate(number, due, human, today, last, broken))
                    continue

            for idx in range(last_idx_all, last_idx, -1):
                raw = due + offsets[idx]
                if idx == pre_due_idx:
                    if as_of >= due:
                        break
                    when = cal.previous_business_day(raw, country, closing)
                    if when <= as_of and cal.next_business_day(as_of, country, closing) < due:
                        per_customer[cid].append(_Candidate(number, due, idx, when, last))
                    break
                if raw > as_of:
                    continue
                when = cal.next_business_day(raw, country, closing)
                if when <= as_of:
                    per_customer[cid].append(_Candidate(number, due, idx, when, last))
                    break

        for cid in sorted(per_customer):
            self._customer_actions(
                customers[cid],
                per_customer[cid],
                overdue.get(cid, []),
                seg_cache[cid][0],
                snap,
                result,
            )
        plan_instalments(self, snap, result)
        result.actions.sort(key=lambda a: (a.scheduled_for, a.requires_human, a.customer_id))
        return result

    @staticmethod
    def _latest_promise(snap: Snapshot, number: str, cid: str) -> PromiseState | None:
        a = snap.invoice_promise.get(number)
        b = snap.customer_promise.get(cid)
        if a is None or b is None:
            return a or b
        return a if (a.made_on, a.id) >= (b.made_on, b.id) else b

    def _customer_actions(
        self,
        customer: CustomerFacts,
        cands: list[_Candidate],
        overdue: list[tuple[str, int]],
        segment: Segment,
        snap: Snapshot,
        result: Plan,
    ) -> None:
        cid = customer.id
        as_of = snap.as_of.toordinal()
        if customer.do_not_contact:
            result.skipped.append(
                Skip(
                    cid,
                    None,
                    "do_not_contact",
                    tr("client à ne pas contacter", "customer not to be contacted"),
                )
            )
            return
        cal = self.calendar
        today = cal.next_business_day(as_of, customer.country, customer.closing)
        human = [c for c in cands if not self.steps[c.step_idx].automatic]
        if human:
            top = max(c.step_idx for c in human)
            step = self.steps[top]
            numbers = sorted(
                {n for n, _ in overdue if (snap.done.get(n, (-1,))[0]) < top}
                | {c.number for c in human}
            )
            lead = min((c for c in human if c.step_idx == top), key=lambda c: (c.due, c.number))
            result.actions.append(
                Action(
                    customer_id=cid,
                    step=step.id,
                    channel=step.channel,
                    invoices=tuple(numbers),
                    scheduled_for=date.fromordinal(today),
                    requires_human=True,
                    reason=self._reason(step, lead, len(numbers)),
                    segment=segment.id,
                    tone=step.tone,
                    template=segment.template,
                    notify_salesperson=step.notify_salesperson,
                )
            )
            for c in cands:
                if self.steps[c.step_idx].automatic:
                    result.skipped.append(
                        Skip(
                            cid,
                            c.number,
                            "held_by_human_task",
                            tr(
                                "relance automatique suspendue : {s} à traiter par une personne",
                                "automatic reminder held: {s} to be handled by a person",
                                s=step.id,
                            ),
                        )
                    )
            return

        last_contact = customer.last_auto_contact
        gap = self.policy.min_gap_days
        if last_contact is not None and as_of - last_contact < gap:
            result.skipped.append(
                Skip(
                    cid,
                    None,
                    "min_gap",
                    tr(
                        "dernier message le {last} : pas de nouveau message avant le {next}",
                        "last message on {last}: no new message before {next}",
                        last=_day(last_contact),
                        next=_day(last_contact + gap),
                    ),
                )
            )
            return
        top = max(c.step_idx for c in cands)
        step = self.steps[top]
        if step.offset_days < 0:
            chosen = [c for c in cands if c.step_idx == top]
        else:
            chosen = [c for c in cands if self.steps[c.step_idx].offset_days >= 0]
        lead = min((c for c in chosen if c.step_idx == top), key=lambda c: (c.due, c.number))
        result.actions.append(
            Action(
                customer_id=cid,
                step=step.id,
                channel=step.channel,
                invoices=tuple(sorted(c.number for c in chosen)),
                scheduled_for=date.fromordinal(today),
                requires_human=False,
                reason=self._reason(step, lead, len(chosen)),
                segment=segment.id,
                tone=step.tone,
                template=segment.template,
                also_sms=step.sms and segment.sms and customer.sms_ok,
            )
        )

    def _reason(self, step: Step, lead: _Candidate, count: int) -> str:
        if lead.broken_promise is not None:
            p = lead.broken_promise
            text = tr(
                "promesse de paiement du {d} non tenue (échéance {due})",
                "promise to pay of {d} not kept (due {due})",
                d=p.promised_date.isoformat(),
                due=_day(lead.due),
            )
        else:
            text = tr(
                "{label} atteint le {d} (échéance {due})",
                "{label} reached on {d} (due {due})",
                label=step_label(step),
                d=_day(lead.step_date),
                due=_day(lead.due),
            )
        if lead.last is not None:
            prev = self.steps[lead.last[0]]
            if prev.automatic:
                done = tr(" ; relance {label} envoyée le {d}", "; {label} reminder sent on {d}")
            else:
                done = tr(" ; étape {label} faite le {d}", "; {label} step done on {d}")
            text += done.format(label=step_label(prev), d=_day(lead.last[1]))
        if count > 1:
            text += tr(" ; {n} factures regroupées", "; {n} invoices grouped", n=count)
        if step.id == "call":
            text += tr(
                " ; appel à passer, commercial prévenu", "; call to make, salesperson notified"
            )
        elif step.id == "escalation":
            text += tr(
                " ; décision au cas par cas (plan de paiement, blocage des commandes,"
                " mise en demeure)",
                "; case-by-case decision (payment plan, blocking orders, formal notice)",
            )
        return text
