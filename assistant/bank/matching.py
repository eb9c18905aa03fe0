"""Which invoices an incoming credit pays: candidates with a score and their evidence. Pure.

Per credit: invoice numbers and customer references found in the remittance text (dictionary
lookups of the glued token runs, `names.ref_candidates`), the payer's known IBAN, the payer's
name (rapidfuzz, accents and legal forms ignored, compared only with customers sharing a word),
then the amounts: exactly one invoice, several invoices of one customer together, a short
payment within the tolerance, a partial payment. When nothing identifies the customer, the
amount alone may point to a few customers (never more than the policy allows).

A candidate is *certain* when the remittance names every invoice it pays, the amount is exactly
what they still owe and no invoice was issued after the payment; it is applied (policy
`auto_apply`) unless another customer fits too (named, known by its IBAN, or scoring within
15 points of it). Everything else waits for a person. Allocations
never exceed an invoice's outstanding amount nor, together, the credit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.bank.evidence import NAME_WEIGHT, WEIGHTS, Ev, item
from assistant.bank.names import name_key, ref_candidates, ref_key
from assistant.bank.policy import MatchingPolicy

COMMON_WORD = 200  # a word shared by more customers than this does not select candidates
SUBSET_WINDOW = 20  # invoices (oldest first) searched for a combination paying the amount
AMBIGUITY_GAP = 15  # two candidates closer than this in score: flagged ambiguous
NAME_CANDIDATES = 3  # customers kept per payer name (the closest ones)


@dataclass(slots=True)
class OpenInvoice:
    number: str
    customer_id: str
    outstanding: int
    currency: str
    issue_date: str  # ISO: compared and sorted as text (200,000 of them load fast)
    due_date: str
    reference: str | None = None
    status: str = "open"  # or disputed: a disputed invoice can be paid too


@dataclass(frozen=True, slots=True)
class Credit:
    amount_cents: int
    currency: str
    booking_date: date
    text: str  # remittance and label
    payer: str | None = None
    payer_iban: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    customer_id: str
    allocations: tuple[tuple[str, int], ...]  # (invoice number, cents), oldest first
    score: int
    evidence: tuple[dict[str, Any], ...]
    certain: bool = False

    @property
    def allocated(self) -> int:
        return sum(cents for _, cents in self.allocations)


@dataclass(frozen=True, slots=True)
class Proposal:
    candidates: tuple[Candidate, ...]  # best first
    auto: bool = False  # the best candidate is certain and the policy applies it


Row = tuple[str, str, int, str, str, str, str | None, str]  # OpenInvoice's fields, in order


class InvoiceIndex:
    """Open invoices looked up by number, reference, amount and customer; updated as credits
    are applied during an import (`pay`).

    Built from plain rows; an invoice becomes an `OpenInvoice` only when a credit touches it,
    and the by-customer and by-amount tables are made on first use (most credits name their
    invoice: 200,000 open invoices must not cost more than the lookups they serve)."""

    def __init__(
        self,
        rows: list[Row],
        customer_names: dict[str, str],
        ibans: Iterable[tuple[str, str]] = (),
    ) -> None:
        self._rows = rows
        self._live: dict[str, OpenInvoice] = {}
        self._keys = {ref_key(r[0]): i for i, r in enumerate(rows)}
        self._references: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            if r[6] and len(ref := ref_key(r[6])) >= 4:
                self._references[ref].append(i)
        self._customers: dict[str, list[int]] | None = None
        self._sorted: dict[str, list[OpenInvoice]] = {}
        self._amounts: dict[tuple[str, int], list[str]] | None = None
        lengths = {len(k) for k in self._keys} | {len(k) for k in self._references}
        self.shortest, self.longest = (max(min(lengths), 3), max(lengths)) if lengths else (1, 0)
        self.names: dict[str, str] = {}
        words: dict[str, list[str]] = defaultdict(list)
        for cid, name in customer_names.items():
            self.names[cid] = key = name_key(name)
            for word in set(key.split()):
                if len(word) >= 3:
                    words[word].append(cid)
        self.words = dict(words)
        self.ibans: dict[str, set[str]] = {}
        for iban, cid in ibans:
            self.ibans.setdefault(iban, set()).add(cid)

    @classmethod
    def build(
        cls,
        invoices: Iterable[OpenInvoice],
        customer_names: dict[str, str],
        ibans: Iterable[tuple[str, str]] = (),
    ) -> InvoiceIndex:
        rows = [
            (i.number, i.customer_id, i.outstanding, i.currency, i.issue_date, i.due_date,
             i.reference, i.status)
            for i in invoices
        ]  # fmt: skip
        return cls(rows, customer_names, ibans)

    def _invoice(self, position: int) -> OpenInvoice:
        row = self._rows[position]
        inv = self._live.get(row[0])
        if inv is None:
            inv = self._live[row[0]] = OpenInvoice(*row)
        return inv

    def number(self, key: str) -> OpenInvoice | None:
        """The invoice whose number, letters and digits only, is `key`."""
        position = self._keys.get(key)
        return None if position is None else self._invoice(position)

    def referenced(self, key: str) -> list[OpenInvoice]:
        return [self._invoice(p) for p in self._references.get(key, ())]

    def open_of(self, customer_id: str, currency: str) -> list[OpenInvoice]:
        """The customer's invoices still owed in this currency, oldest due first."""
        found = self._sorted.get(customer_id)
        if found is None:
            if self._customers is None:
                grouped: dict[str, list[int]] = defaultdict(list)
                for i, r in enumerate(self._rows):
                    grouped[r[1]].append(i)
                self._customers = dict(grouped)
            found = sorted(
                (self._invoice(p) for p in self._customers.get(customer_id, ())),
                key=lambda i: (i.due_date, i.number),
            )
            self._sorted[customer_id] = found
        return [i for i in found if i.outstanding > 0 and i.currency == currency]

    def same_amount(self, currency: str, cents: int) -> list[OpenInvoice]:
        """The invoices owing exactly `cents` now."""
        if self._amounts is None:
            amounts: dict[tuple[str, int], list[str]] = defaultdict(list)
            for r in self._rows:
                live = self._live.get(r[0])
                owed = r[2] if live is None else live.outstanding
                if owed > 0:
                    amounts[(r[3], owed)].append(r[0])
            self._amounts = dict(amounts)
        numbers = self._amounts.get((currency, cents), ())
        return [self._invoice(self._keys[ref_key(n)]) for n in numbers]

    def pay(self, number: str, cents: int) -> None:
        """An allocation was applied: the invoice owes less (and may leave the amount table)."""
        inv = self.number(ref_key(number))
        if inv is None:
            return
        before = inv.outstanding
        inv.outstanding -= cents
        if self._amounts is not None:
            same = self._amounts.get((inv.currency, before))
            if same is not None and inv.number in same:
                same.remove(inv.number)
            if inv.outstanding > 0:
                self._amounts.setdefault((inv.currency, inv.outstanding), []).append(inv.number)


def _allocate(invoices: list[OpenInvoice], cents: int) -> tuple[tuple[str, int], ...]:
    """Oldest first, each at most what it owes, together at most the credit."""
    out: list[tuple[str, int]] = []
    left = cents
    for inv in invoices:
        if left <= 0:
            break
        share = min(inv.outstanding, left)
        if share > 0:
            out.append((inv.number, share))
            left -= share
    return tuple(out)


def _combination(invoices: list[OpenInvoice], cents: int) -> list[OpenInvoice] | None:
    """Two or three invoices (among the oldest) owing exactly `cents` together, else all of
    them if they do."""
    window = invoices[:SUBSET_WINDOW]
    seen: dict[int, OpenInvoice] = {}
    for inv in window:
        other = seen.get(cents - inv.outstanding)
        if other is not None:
            return sorted((other, inv), key=lambda i: (i.due_date, i.number))
        seen.setdefault(inv.outstanding, inv)
    for a in range(len(window)):
        for b in range(a + 1, len(window)):
            rest = cents - window[a].outstanding - window[b].outstanding
            third = seen.get(rest)
            if third is not None and third is not window[a] and third is not window[b]:
                return sorted((window[a], window[b], third), key=lambda i: (i.due_date, i.number))
    if len(invoices) > 1 and sum(i.outstanding for i in invoices) == cents:
        return list(invoices)
    return None


class Matcher:
    def __init__(self, index: InvoiceIndex, policy: MatchingPolicy) -> None:
        self.index = index
        self.policy = policy
        self._name_cache: dict[str, dict[str, int]] = {}

    def propose(self, credit: Credit) -> Proposal:
        idx = self.index
        evidence: dict[str, list[dict[str, Any]]] = defaultdict(list)
        named: dict[str, list[OpenInvoice]] = defaultdict(list)
        # In a fixed order (the candidates are a set: its order changed with each process's
        # hash seed), and numbers before references: an invoice named by both is named by its
        # number, the stronger evidence, whatever the text's order.
        keys = sorted(ref_candidates(credit.text, idx.shortest, idx.longest))
        for key in keys:
            inv = idx.number(key)
            if inv is not None and self._payable(inv, credit) and inv not in named[inv.customer_id]:
                named[inv.customer_id].append(inv)
                evidence[inv.customer_id].append(item(Ev.INVOICE_NUMBER, invoice=inv.number))
        for key in keys:
            for inv in idx.referenced(key):
                if self._payable(inv, credit) and inv not in named[inv.customer_id]:
                    named[inv.customer_id].append(inv)
                    evidence[inv.customer_id].append(
                        item(Ev.CUSTOMER_REFERENCE, reference=inv.reference, invoice=inv.number)
                    )
        named = {cid: invs for cid, invs in named.items() if invs}
        if credit.payer_iban:
            for cid in idx.ibans.get(credit.payer_iban, ()):
                evidence[cid].append(item(Ev.IBAN_KNOWN, iban=credit.payer_iban))
        candidates = [
            c
            for cid, found in evidence.items()
            if (c := self._candidate(credit, cid, found, named))
        ]
        certain = any(c.certain for c in candidates)
        for cid, similarity in self._names(credit).items():
            ev = item(Ev.PAYER_NAME, payer=credit.payer, similarity=similarity)
            if cid in evidence:  # named or known IBAN: the name adds to that candidate
                candidates = [c for c in candidates if c.customer_id != cid]
                evidence[cid].append(ev)
                if c := self._candidate(credit, cid, evidence[cid], named):
                    candidates.append(c)
            elif not certain and (c := self._candidate(credit, cid, [ev], named)):
                candidates.append(c)  # a name alone scores 65 at most: never a certain's rival
        if not candidates:
            candidates = self._by_amount_only(credit)
        return self._rank(candidates)

    @staticmethod
    def _payable(inv: OpenInvoice, credit: Credit) -> bool:
        return inv.outstanding > 0 and inv.currency == credit.currency

    def _names(self, credit: Credit) -> dict[str, int]:
        """Customers whose name is close to the payer's (or, without a payer, appears in the
        bank's label): customer id -> similarity 0-100, the closest `NAME_CANDIDATES` only."""
        source = name_key(credit.payer or credit.text)
        if not source:
            return {}
        cached = self._name_cache.get(source)
        if cached is None:
            cached = self._name_cache[source] = self._similar(source)
        return cached

    def _similar(self, source: str) -> dict[str, int]:
        """Blocking first: customers sharing the most words with the payer (rare words only),
        then rapidfuzz on those few."""
        from rapidfuzz import fuzz, process  # loaded by a bank import only, not at CLI start

        idx = self.index
        shared: Counter[str] = Counter()
        for word in set(source.split()):
            ids = idx.words.get(word)
            if ids and len(ids) <= COMMON_WORD:
                shared.update(ids)
        if not shared:
            return {}
        least = max(1, max(shared.values()) - 1)
        pool = {cid: idx.names[cid] for cid, n in shared.items() if n >= least}
        found = process.extract(
            source,
            pool,
            scorer=fuzz.token_set_ratio,
            score_cutoff=self.policy.name_similarity,
            limit=None,
        )
        found.sort(key=lambda hit: (-hit[1], hit[2]))
        return {cid: round(score) for _, score, cid in found[:NAME_CANDIDATES]}

    def _candidate(
        self,
        credit: Credit,
        cid: str,
        found: list[dict[str, Any]],
        named: dict[str, list[OpenInvoice]],
    ) -> Candidate | None:
        evidence = list(found)
        cents, tolerance = credit.amount_cents, self.policy.tolerance
        invoices = sorted(named.get(cid, ()), key=lambda i: (i.due_date, i.number))
        exact = False
        if invoices:
            owed = sum(i.outstanding for i in invoices)
            chosen = invoices
            if cents == owed:
                exact = True
                evidence.append(
                    item(Ev.AMOUNT_EXACT)
                    if len(invoices) == 1
                    else item(Ev.AMOUNT_SUM, count=len(invoices))
                )
        else:
            open_ = self.index.open_of(cid, credit.currency)
            if not open_:
                return None
            single = next((i for i in open_ if i.outstanding == cents), None)
            combo = None if single else _combination(open_, cents)
            if single or combo:
                chosen, exact = [single] if single else combo, True  # type: ignore[list-item]
                evidence.append(
                    item(Ev.AMOUNT_EXACT) if single else item(Ev.AMOUNT_SUM, count=len(combo or ()))
                )
            else:
                near = next((i for i in open_ if 0 < i.outstanding - cents <= tolerance), None)
                chosen = [near] if near else open_
            owed = sum(i.outstanding for i in chosen)
        allocations = _allocate(chosen, cents)
        if not exact:
            if cents < owed and owed - cents <= tolerance:
                evidence.append(item(Ev.SHORTFALL, gap_cents=owed - cents))
            elif cents < owed:
                evidence.append(item(Ev.PARTIAL, left_cents=owed - cents))
            else:
                evidence.append(item(Ev.OVERPAYMENT, excess_cents=cents - owed))
        paid = {n for n, _ in allocations}
        day = credit.booking_date.isoformat()
        for inv in chosen:
            if inv.number in paid and day < inv.issue_date:
                evidence.append(item(Ev.BEFORE_ISSUE, invoice=inv.number))
        if not allocations:
            return None
        certain = (
            exact
            and bool(invoices)
            and all(e["code"] == Ev.INVOICE_NUMBER for e in evidence if e["code"] in _NAMING)
            and not any(e["code"] == Ev.BEFORE_ISSUE for e in evidence)
        )
        return Candidate(cid, allocations, _score(evidence), tuple(evidence), certain)

    def _by_amount_only(self, credit: Credit) -> list[Candidate]:
        same = self.index.same_amount(credit.currency, credit.amount_cents)
        first: dict[str, OpenInvoice] = {}
        for inv in sorted(same, key=lambda i: (i.due_date, i.number)):
            first.setdefault(inv.customer_id, inv)
        if not first or len(first) > self.policy.max_amount_only_candidates:
            return []
        out = []
        for cid, inv in first.items():
            evidence = [item(Ev.AMOUNT_EXACT), item(Ev.AMOUNT_ONLY)]
            if credit.booking_date.isoformat() < inv.issue_date:
                evidence.append(item(Ev.BEFORE_ISSUE, invoice=inv.number))
            out.append(
                Candidate(cid, ((inv.number, inv.outstanding),), _score(evidence), tuple(evidence))
            )
        return out

    def _rank(self, candidates: list[Candidate]) -> Proposal:
        kept = [c for c in candidates if c.score >= self.policy.min_score]
        kept.sort(key=lambda c: (-c.score, c.customer_id))
        rivals = any(_rival(kept[0], other) for other in kept[1:])
        if len(kept) > 1 and (rivals or any(e["code"] == Ev.AMOUNT_ONLY for e in kept[0].evidence)):
            flagged = item(Ev.AMBIGUOUS, customers=len({c.customer_id for c in kept}))
            kept = [_with(c, flagged) for c in kept]
        auto = self.policy.auto_apply and bool(kept) and kept[0].certain and not rivals
        return Proposal(tuple(kept), auto)


_NAMING = frozenset({Ev.INVOICE_NUMBER, Ev.CUSTOMER_REFERENCE})


_IDENTIFYING = frozenset({Ev.INVOICE_NUMBER, Ev.CUSTOMER_REFERENCE, Ev.IBAN_KNOWN})


def _rival(best: Candidate, other: Candidate) -> bool:
    """Another customer that fits too: named or known by its IBAN, or scoring close to the
    best. A merely similar name far below a certain candidate is no rival."""
    identified = any(e["code"] in _IDENTIFYING for e in other.evidence)
    return identified or best.score - other.score < AMBIGUITY_GAP


def _score(evidence: list[dict[str, Any]]) -> int:
    codes = {e["code"] for e in evidence}
    if Ev.INVOICE_NUMBER in codes:
        codes.discard(Ev.CUSTOMER_REFERENCE)  # the reference adds nothing to the number
    total = sum(WEIGHTS.get(Ev(code), 0) for code in codes)
    names = [e["similarity"] for e in evidence if e["code"] == Ev.PAYER_NAME]
    if names:
        total += round(NAME_WEIGHT * max(names) / 100)
    return max(0, min(100, total))


def _with(candidate: Candidate, extra: dict[str, Any]) -> Candidate:
    return Candidate(
        candidate.customer_id,
        candidate.allocations,
        candidate.score,
        (*candidate.evidence, extra),
        False,
    )
