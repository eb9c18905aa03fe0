"""The planner: a pure function (policy, calendar, snapshot) -> plan. No I/O, no clock.

Per invoice, the candidate step is the most advanced step whose business-day date has come and
that follows the last step done (steps are monotone: catching up never replays the sequence).
Per customer, invoices are grouped: one human task (listing every overdue invoice) holds the
automatic emails; otherwise one automatic message at the most advanced step due, if the minimum
gap since the last automatic message holds. A message after the due date lists every overdue
invoice of the customer that has not had that step yet (grouping).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import Any

from assistant.i18n import tr
from assistant.reasons import Code, Reason
from assistant.rules.actions import Action, Plan, Skip  # defined there, re-exported here
from assistant.rules.balance import apply_balances
from assistant.rules.calendar import BusinessCalendar, ClosingSpans
from assistant.rules.gcpause import gc_paused
from assistant.rules.holds import Hold
from assistant.rules.instalment_steps import plan_instalments
from assistant.rules.policy import ScenarioPolicy, Segment, Step
from assistant.rules.promises import PromiseState
from assistant.rules.snapshot import CustomerFacts, Snapshot

# The standing task of an invoice that went through every step without being settled: it stays
# in the plan, for a person, every day until something changes (payment, promise, plan, dispute).
FOLLOW_UP_STEP = "follow_up"


@dataclass(slots=True)
class _Candidate:
    number: str
    due: int
    step_idx: int
    step_date: int
    last: tuple[int, int] | None  # (index of the last step done, day it was done)
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
        self._first_reminder: dict[tuple[int, ...], int] = {}
        self._segments = {s.id: s for s in policy.segments}
        self._rules = [(s, s.conditions) for s in policy.segments]
        self._human = tuple(not s.automatic for s in self.steps)  # by step index
        # a written reminder (automatic, after the due date) comes before any human step
        self._first_written = next(
            (i for i, s in enumerate(self.steps) if s.automatic and s.offset_days >= 0),
            len(self.steps),
        )

    # -- segmentation -----------------------------------------------------------------
    def segment_for(self, customer: CustomerFacts, as_of: date) -> Segment:
        if customer.label and customer.label in self._segments:
            return self._segments[customer.label]  # manual segment wins
        for segment, conditions in self._rules:
            for cond in conditions:
                if self._matches(cond, customer, as_of):
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
        """One pass: invoices come sorted by customer, each customer is planned in turn."""
        as_of = snap.as_of.toordinal()
        grace = self.policy.promise_grace_days
        result = Plan(snap.as_of)
        held: list[Skip] = []  # customer-level skips, listed after the invoice-level ones
        texts: dict[tuple[Any, ...], Reason] = {}  # this plan's reasons, built once each
        cal = self.calendar
        steps = self.steps
        last_idx_all = len(steps) - 1
        large_amount = self.policy.large_amount
        customers = snap.customers
        in_plan = snap.in_plan
        invoice_promise, customer_promise = snap.invoice_promise, snap.customer_promise
        # The step due depends only on (offsets, country, closing) and (due, last step done):
        # computed once per distinct case. {profile: {due * 8 + last + 1: (step, day) or ()}}
        tables: dict[tuple[Any, ...], dict[int, tuple[int, int] | tuple[()]]] = {}
        holds = snap.holds
        invoice_holds = holds.invoice
        held_open: dict[str, list[str]] = {}  # customer on hold -> its open invoices in view

        for cid, rows in groupby(snap.invoices, itemgetter(1)):
            customer = customers.get(cid)
            if customer is None:
                continue
            customer_holds = holds.for_customer(cid)
            if customer_holds:
                held_open[cid] = [row[0] for row in rows]
                held.extend(Skip(cid, None, h.code, h.reason) for h in customer_holds)
                continue
            segment = self.segment_for(customer, snap.as_of)
            large = (
                large_amount is not None and customer.outstanding_cents >= large_amount.threshold
            )
            offsets = self._offsets(segment, large)
            country, closing = customer.country, customer.closing
            table = tables.setdefault((offsets, country, closing), {})
            has_promise = cid in customer_promise
            cands: list[_Candidate] = []
            # (number, index of the last step done, reached the first post-due reminder's day)
            overdue: list[tuple[str, int, bool]] = []
            ripe_after = self._first_reminder_offset(offsets)

            # invoices past the last step, still open: (number, day of the last step, promise)
            finished: list[tuple[str, int, PromiseState | None]] = []

            for number, _cid, due, _outstanding, last_idx, last_on in rows:
                if last_idx is None:
                    last_idx = -1
                if invoice_holds and number in invoice_holds:
                    result.skipped.extend(
                        Skip(cid, number, h.code, h.reason) for h in invoice_holds[number]
                    )
                    continue
                if in_plan and number in in_plan:
                    result.skipped.append(
                        Skip(cid, number, "payment_plan", _text(texts, ("plan",)))
                    )
                    continue
                last = (last_idx, last_on) if last_idx >= 0 else None
                broken: PromiseState | None = None
                if has_promise or number in invoice_promise:
                    promise = self._latest_promise(snap, number, cid)
                    if promise is not None:
                        status = promise.status(snap.as_of, grace)
                        if status == "open":
                            when = promise.promised_date.isoformat()
                            reason = _text(texts, ("promise", when, grace))
                            result.skipped.append(Skip(cid, number, "promise", reason))
                            continue
                        deadline = promise.deadline(grace).toordinal()
                        if status == "broken" and (last is None or last[1] <= deadline):
                            broken = promise
                if last_idx >= last_idx_all:
                    finished.append((number, last_on, broken))
                    continue
                if due < as_of:
                    overdue.append((number, last_idx, due + ripe_after <= as_of))

                if broken is not None:
                    human = next(
                        (i for i in range(last_idx + 1, len(steps)) if not steps[i].automatic),
                        None,
                    )
                    if human is not None:
                        today = cal.next_business_day(as_of, country, closing)
                        cands.append(_Candidate(number, due, human, today, last, broken))
                        continue

                slot = due * 8 + last_idx + 1  # at most 5 steps: last_idx + 1 < 8
                hit = table.get(slot)
                if hit is None:
                    hit = self._step_due(due, last_idx, offsets, country, closing, as_of) or ()
                    table[slot] = hit
                if hit:
                    cands.append(_Candidate(number, due, hit[0], hit[1], last))

            if cands or finished:
                self._customer_actions(
                    customer, cands, overdue, segment, as_of, result, held, texts, finished
                )
        result.skipped.extend(held)
        self._hold_tasks(snap, held_open, result)
        plan_instalments(self.calendar, self.policy.promise_grace_days, snap, result)
        apply_balances(snap, result)
        result.actions.sort(key=attrgetter("scheduled_for", "requires_human", "customer_id"))
        return result

    def _hold_tasks(self, snap: Snapshot, held_open: dict[str, list[str]], result: Plan) -> None:
        """One task for a person per hold that asks for one (once per customer, code, invoices)."""
        seen: set[tuple[str, str, tuple[str, ...]]] = set()
        all_holds: list[Hold] = [h for hs in snap.holds.customer.values() for h in hs]
        all_holds += [h for hs in snap.holds.invoice.values() for h in hs]
        for hold in all_holds:
            customer = snap.customers.get(hold.customer_id)
            if not hold.task or customer is None:
                continue
            invoices = hold.invoices or (
                (hold.invoice_number,)
                if hold.invoice_number
                else tuple(held_open.get(hold.customer_id, ()))
            )
            key = (hold.customer_id, hold.code, invoices)
            if key in seen:
                continue
            seen.add(key)
            today = self.calendar.next_business_day(
                snap.as_of.toordinal(), customer.country, customer.closing
            )
            result.actions.append(
                Action(
                    customer_id=hold.customer_id,
                    step=hold.code,
                    channel="task",
                    invoices=invoices,
                    scheduled_for=date.fromordinal(today),
                    requires_human=True,
                    reason=hold.reason,
                    segment=self.segment_for(customer, snap.as_of).id,
                )
            )

    def _first_reminder_offset(self, offsets: tuple[int, ...]) -> int:
        """Days after the due date of the first automatic reminder (never, if there is none)."""
        found = self._first_reminder.get(offsets)
        if found is None:
            steps = self.steps
            after = [o for o, s in zip(offsets, steps, strict=True) if s.automatic and o >= 0]
            found = self._first_reminder[offsets] = min(after, default=10**6)
        return found

    def _step_due(
        self, due: int, last_idx: int, offsets: tuple[int, ...], country: str,
        closing: ClosingSpans, as_of: int,
    ) -> tuple[int, int] | None:  # fmt: skip
        """The most advanced step after `last_idx` whose business day has come: (index, date)."""
        cal = self.calendar
        pre_due_idx = 0 if self.steps[0].id == "pre_due" else -1
        for idx in range(len(self.steps) - 1, last_idx, -1):
            raw = due + offsets[idx]
            if idx == pre_due_idx:
                if as_of >= due:
                    return None
                when = cal.previous_business_day(raw, country, closing)
                if when <= as_of and cal.next_business_day(as_of, country, closing) < due:
                    return idx, when
                return None
            if raw > as_of:
                continue
            when = cal.next_business_day(raw, country, closing)
            if when <= as_of:
                if self._human[idx] and last_idx < self._first_written:
                    # never reminded in writing: the most advanced written reminder first
                    written = self._written_due(due, last_idx, idx, offsets, country, closing)
                    return written or (idx, when)
                return idx, when
        return None

    def _written_due(
        self, due: int, last_idx: int, below: int, offsets: tuple[int, ...], country: str,
        closing: ClosingSpans,
    ) -> tuple[int, int] | None:  # fmt: skip
        """The most advanced automatic post-due step between `last_idx` and `below` (its day
        has come, since a later step's has)."""
        for idx in range(below - 1, last_idx, -1):
            step = self.steps[idx]
            if step.automatic and offsets[idx] >= 0:
                return idx, self.calendar.next_business_day(due + offsets[idx], country, closing)
        return None

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
        overdue: list[tuple[str, int, bool]],
        segment: Segment,
        as_of: int,
        result: Plan,
        held: list[Skip],
        texts: dict[tuple[Any, ...], str],
        finished: list[tuple[str, int, PromiseState | None]] = (),  # type: ignore[assignment]
    ) -> None:
        cid = customer.id
        if customer.do_not_contact:
            held.append(
                Skip(
                    cid,
                    None,
                    "do_not_contact",
                    Reason.of(Code.DO_NOT_CONTACT),
                )
            )
            return
        steps, is_human = self.steps, self._human
        today = self.calendar.next_business_day(as_of, customer.country, customer.closing)
        human = [c for c in cands if is_human[c.step_idx]]
        if finished:
            result.actions.append(self._follow_up(customer, finished, segment, today))
            if not human:
                reason = _text(texts, ("held", FOLLOW_UP_STEP))
                held.extend(Skip(cid, c.number, "held_by_human_task", reason) for c in cands)
                return
        if human:
            top = max(c.step_idx for c in human)
            step = steps[top]
            numbers = sorted(
                {n for n, last_idx, _ in overdue if last_idx < top} | {c.number for c in human}
            )
            lead = min((c for c in human if c.step_idx == top), key=_BY_DUE)
            result.actions.append(
                Action(
                    customer_id=cid,
                    step=step.id,
                    channel=step.channel,
                    invoices=tuple(numbers),
                    scheduled_for=date.fromordinal(today),
                    requires_human=True,
                    reason=self._reason(step, lead, len(numbers), texts),
                    segment=segment.id,
                    tone=step.tone,
                    template=segment.template,
                    notify_salesperson=step.notify_salesperson,
                )
            )
            if len(human) < len(cands):
                reason = _text(texts, ("held", step.id))
                for c in cands:
                    if not is_human[c.step_idx]:
                        held.append(Skip(cid, c.number, "held_by_human_task", reason))
            return

        last_contact = customer.recent_auto_contact
        gap = self.policy.min_gap_days
        if last_contact is not None and as_of - last_contact < gap:
            held.append(
                Skip(
                    cid,
                    None,
                    "min_gap",
                    Reason.of(Code.MIN_GAP, last=_day(last_contact), next=_day(last_contact + gap)),
                )
            )
            return
        top = max(c.step_idx for c in cands)
        step = steps[top]
        if step.offset_days < 0:
            chosen = [c for c in cands if c.step_idx == top]
            numbers = {c.number for c in chosen}
        else:
            # a reminder after the due date also lists the customer's other overdue invoices
            # that have reached the first reminder's day and not yet this step
            chosen = [c for c in cands if steps[c.step_idx].offset_days >= 0]
            numbers = {c.number for c in chosen}
            numbers |= {n for n, last, ripe in overdue if ripe and last < top}
        lead = min((c for c in chosen if c.step_idx == top), key=_BY_DUE)
        result.actions.append(
            Action(
                customer_id=cid,
                step=step.id,
                channel=step.channel,
                invoices=tuple(sorted(numbers)),
                scheduled_for=date.fromordinal(today),
                requires_human=False,
                reason=self._reason(step, lead, len(numbers), texts),
                segment=segment.id,
                tone=step.tone,
                template=segment.template,
                also_sms=step.sms and segment.sms and customer.sms_ok,
            )
        )

    def _follow_up(
        self,
        customer: CustomerFacts,
        finished: list[tuple[str, int, PromiseState | None]],
        segment: Segment,
        today: int,
    ) -> Action:
        """The standing task of invoices that went through every step and are still open."""
        last = self.steps[-1]
        when = max(on for _, on, _ in finished)
        text = Reason.of(Code.FOLLOW_UP, s_phrase=last.id, d=_day(when))
        broken = [p for _, _, p in finished if p is not None]
        if broken:
            latest = max(broken, key=lambda p: (p.made_on, p.id))
            p = latest.promised_date.isoformat()
            text = Reason.of(Code.PROMISE_BROKEN_BEFORE, p=p) + text
        if len(finished) > 1:
            text += Reason.of(Code.FOLLOW_UP_COUNT, n=len(finished))
        return Action(
            customer_id=customer.id,
            step=FOLLOW_UP_STEP,
            channel="task",
            invoices=tuple(sorted(n for n, _, _ in finished)),
            scheduled_for=date.fromordinal(today),
            requires_human=True,
            reason=text,
            segment=segment.id,
            standing=True,
        )

    def _reason(
        self, step: Step, lead: _Candidate, count: int, texts: dict[tuple[Any, ...], Reason]
    ) -> Reason:
        # Many customers share a reason (same step, dates and count): build each one once.
        key = ("reason", step.id, lead.step_date, lead.due, lead.last, count)
        if lead.broken_promise is None and key in texts:
            return texts[key]
        if lead.broken_promise is not None:
            p = lead.broken_promise
            d = p.promised_date.isoformat()
            text = Reason.of(Code.PROMISE_BROKEN, d=d, due=_day(lead.due))
        else:
            text = Reason.of(
                Code.STEP_REACHED,
                label_offset=step.offset_days,
                d=_day(lead.step_date),
                due=_day(lead.due),
            )
        if lead.last is not None:
            prev = self.steps[lead.last[0]]
            done = Code.AFTER_AUTO_STEP if prev.automatic else Code.AFTER_HUMAN_STEP
            text += Reason.of(done, label_offset=prev.offset_days, d=_day(lead.last[1]))
        if count > 1:
            text += Reason.of(Code.GROUPED, n=count)
        if step.id == "call":
            text += Reason.of(Code.CALL_NOTE)
        elif step.id == "escalation":
            text += Reason.of(Code.ESCALATION_NOTE)
        if lead.broken_promise is None:
            texts[key] = text
        return text


_BY_DUE = attrgetter("due", "number")  # the lead invoice of a group: oldest, then by number
_SKIP_TEXTS: dict[str, Callable[..., Reason]] = {
    "plan": lambda: Reason.of(Code.PAYMENT_PLAN),
    "promise": lambda d, g: Reason.of(Code.PROMISE, d=d, g=g),
    "held": lambda s: Reason.of(Code.HELD_BY_HUMAN_TASK, s_step=s),
}


def _text(texts: dict[tuple[Any, ...], Reason], key: tuple[Any, ...]) -> Reason:
    """A skip reason, built once per plan for each distinct `key` (kind, *values)."""
    got = texts.get(key)  # pragma: no mutate (a memo: a miss builds the same text again)
    if got is None:
        got = texts[key] = _SKIP_TEXTS[key[0]](*key[1:])
    return got
