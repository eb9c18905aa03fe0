"""Bank matching, step by step, on a small invoice index (no store): which invoices a credit pays,
with what evidence and score, and when it is applied without a person. Fast: each check reaches
the matcher's helpers directly (mutation testing needs that; the property test in
test_bank_matching.py covers random portfolios)."""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.bank.evidence import Ev, item
from assistant.bank.matching import (
    Candidate,
    Credit,
    InvoiceIndex,
    Matcher,
    OpenInvoice,
    Proposal,
    _allocate,
    _combination,
    _rival,
    _score,
)
from assistant.bank.policy import MatchingPolicy

DAY = date(2026, 11, 20)
NAMES = {"C1": "Dupont & Fils SARL", "C2": "Martin Bâtiment SAS", "C3": "Éts Bernard"}
IBAN_C2 = "FR7630006000011234567890189"


def inv(
    number: str,
    cents: int,
    cid: str = "C1",
    *,
    due: str = "2026-11-01",
    issued: str = "2026-10-01",
    reference: str | None = None,
    currency: str = "EUR",
) -> OpenInvoice:
    return OpenInvoice(number, cid, cents, currency, issued, due, reference)


def propose(
    invoices: list[OpenInvoice],
    cents: int,
    text: str = "VIREMENT",
    *,
    payer: str | None = None,
    iban: str | None = None,
    currency: str = "EUR",
    **policy: Any,
) -> Proposal:
    index = InvoiceIndex.build(invoices, NAMES, [(IBAN_C2, "C2")])
    matcher = Matcher(index, MatchingPolicy(**policy))
    return matcher.propose(Credit(cents, currency, DAY, text, payer, iban))


def evidence(candidate: Candidate) -> list[dict[str, Any]]:
    return list(candidate.evidence)


# -- allocations and combinations -------------------------------------------------------------


def test_allocation_is_oldest_first_each_at_most_owed_and_together_at_most_the_credit() -> None:
    a, settled, c = inv("A", 100_00), inv("B", 0), inv("C", 300_00)
    assert _allocate([a, settled, c], 250_00) == (("A", 100_00), ("C", 150_00))
    assert _allocate([a, c], 100_00) == (("A", 100_00),)
    assert _allocate([a, c], 500_00) == (("A", 100_00), ("C", 300_00))
    assert _allocate([a], 0) == ()


def test_a_combination_is_a_pair_a_triple_or_all_of_them_owing_exactly_the_amount() -> None:
    a, b, c, d = inv("A", 100), inv("B", 200), inv("C", 300), inv("D", 450)
    assert _combination([a, b, c, d], 300) == [a, b]
    assert _combination([a, b, c, d], 750) == [c, d]
    assert _combination([a, b, c, d], 600) == [a, b, c]
    big = [inv("A", 100), inv("B", 200), inv("C", 400), inv("D", 800)]
    assert _combination(big, 1500) == big  # no pair nor triple: all four together
    assert _combination(big, 1501) is None


def test_a_combination_never_counts_an_invoice_twice_nor_is_one_invoice_alone() -> None:
    a, b = inv("A", 100), inv("B", 200)
    assert _combination([a, b], 400) is None  # 100 + 200 + 100 again is not a triple
    assert _combination([a, b], 200 + 200) is None
    assert _combination([inv("A", 100), inv("B", 100)], 300) is None  # not A + B + A
    assert _combination([a], 100) is None  # one invoice is an exact amount, not a combination


def test_a_combination_is_sorted_by_due_date_then_number() -> None:
    late, early = inv("Z", 100, due="2026-11-10"), inv("Y", 200, due="2026-10-10")
    assert _combination([late, early], 300) == [early, late]
    x, w = inv("X", 100), inv("W", 200)
    assert _combination([x, w], 300) == [w, x]
    t1, t2, t3 = inv("T3", 100, due="2026-12-01"), inv("T2", 200), inv("T1", 400, due="2026-01-01")
    assert _combination([t1, t2, t3], 700) == [t3, t2, t1]


def test_a_combination_searches_only_the_oldest_twenty_invoices_for_pairs() -> None:
    old = [inv(f"O{i:02d}", 1_000_00) for i in range(20)]
    assert _combination([*old, inv("X", 7), inv("Y", 3)], 10) is None
    assert _combination([*old[:18], inv("X", 7), inv("Y", 3)], 10) is not None


# -- scores and rivals ------------------------------------------------------------------------


def test_the_score_adds_the_weights_once_per_kind_and_stays_between_0_and_100() -> None:
    number, ref = item(Ev.INVOICE_NUMBER, invoice="A"), item(Ev.CUSTOMER_REFERENCE, reference="R")
    exact = item(Ev.AMOUNT_EXACT)
    assert _score([number, ref, exact]) == 80  # the reference adds nothing to the number
    assert _score([ref, exact]) == 70
    assert _score([number, number]) == 50
    assert _score([exact, item(Ev.AMOUNT_ONLY)]) == 30  # amount only weighs nothing itself
    assert _score([item(Ev.BEFORE_ISSUE)]) == 0  # never negative
    assert _score([number, item(Ev.IBAN_KNOWN), exact, item(Ev.SHORTFALL)]) == 100  # capped
    names = [item(Ev.PAYER_NAME, similarity=80), item(Ev.PAYER_NAME, similarity=100)]
    assert _score(names) == 35  # the closest name, 35 points at 100 %
    assert _score([item(Ev.PAYER_NAME, similarity=60), exact]) == 30 + 21


def test_a_rival_is_identified_or_scores_within_15_points() -> None:
    best = Candidate("C1", (("A", 1),), 80, ())
    assert _rival(best, Candidate("C2", (("B", 1),), 66, ()))
    assert not _rival(best, Candidate("C2", (("B", 1),), 65, ()))
    iban = (item(Ev.IBAN_KNOWN, iban=IBAN_C2),)
    assert _rival(best, Candidate("C2", (("B", 1),), 10, iban))
    ref = (item(Ev.CUSTOMER_REFERENCE, reference="R"),)
    assert _rival(best, Candidate("C2", (("B", 1),), 10, ref))


# -- proposals ----------------------------------------------------------------------------------


def test_a_named_invoice_paid_exactly_is_certain_and_applied() -> None:
    p = propose([inv("FA-2026-0410", 1_250_00), inv("FA-2026-0411", 500_00)], 1_250_00,
                "VIR DUPONT FACT FA-2026-0410")  # fmt: skip
    (best,) = p.candidates
    assert p.auto and best.certain and best.customer_id == "C1" and best.score == 80
    assert best.allocations == (("FA-2026-0410", 1_250_00),)
    assert evidence(best) == [
        item(Ev.INVOICE_NUMBER, invoice="FA-2026-0410"),
        item(Ev.AMOUNT_EXACT),
    ]
    off = propose([inv("FA-2026-0410", 1_250_00)], 1_250_00, "FA-2026-0410", auto_apply=False)
    assert not off.auto and off.candidates[0].certain


def test_two_named_invoices_paid_together_are_certain_oldest_first() -> None:
    invoices = [inv("FA-2", 500_00, due="2026-11-04"), inv("FA-1", 1_250_00)]
    p = propose(invoices, 1_750_00, "FA-2 FA-1")
    (best,) = p.candidates
    assert p.auto and best.certain and best.score == 75
    assert best.allocations == (("FA-1", 1_250_00), ("FA-2", 500_00))
    assert item(Ev.AMOUNT_SUM, count=2) in evidence(best)


def test_a_payer_iban_no_customer_is_known_by_adds_nothing_and_the_number_still_pays() -> None:
    p = propose([inv("FA-2026-0410", 1_250_00)], 1_250_00, "FACT FA-2026-0410",
                iban="DE89370400440532013000")  # fmt: skip
    (best,) = p.candidates
    assert p.auto and best.customer_id == "C1"
    assert evidence(best) == [
        item(Ev.INVOICE_NUMBER, invoice="FA-2026-0410"),
        item(Ev.AMOUNT_EXACT),
    ]


def test_a_named_invoice_paid_short_partly_or_too_much_waits_for_a_person() -> None:
    invoices = [inv("FA-1", 1_250_00)]
    short = propose(invoices, 1_247_00, "FA-1").candidates[0]
    assert not short.certain and short.score == 70
    assert short.allocations == (("FA-1", 1_247_00),)
    assert item(Ev.SHORTFALL, gap_cents=3_00) in evidence(short)
    edge = propose(invoices, 1_245_00, "FA-1").candidates[0]
    assert item(Ev.SHORTFALL, gap_cents=5_00) in evidence(edge)  # the tolerance is inclusive
    partial = propose(invoices, 1_244_99, "FA-1").candidates[0]
    assert item(Ev.PARTIAL, left_cents=5_01) in evidence(partial) and partial.score == 55
    over = propose(invoices, 1_300_00, "FA-1")
    assert not over.auto and over.candidates[0].allocations == (("FA-1", 1_250_00),)
    assert item(Ev.OVERPAYMENT, excess_cents=50_00) in evidence(over.candidates[0])
    assert over.candidates[0].score == 50


def test_a_payment_booked_before_the_invoice_was_issued_is_never_certain() -> None:
    p = propose([inv("FA-1", 100_00, issued="2026-11-21")], 100_00, "FA-1")
    (best,) = p.candidates
    assert not p.auto and not best.certain and best.score == 55
    assert item(Ev.BEFORE_ISSUE, invoice="FA-1") in evidence(best)
    same_day = propose([inv("FA-1", 100_00, issued="2026-11-20")], 100_00, "FA-1")
    assert same_day.auto


def test_an_invoice_in_another_currency_or_settled_is_not_paid_by_the_credit() -> None:
    assert propose([inv("FA-1", 100_00)], 100_00, "FA-1", currency="USD").candidates == ()
    assert propose([inv("FA-1", 0)], 100_00, "FA-1").candidates == ()


def test_a_customer_reference_names_the_invoice_but_is_not_certain() -> None:
    invoices = [inv("FA-1", 100_00, reference="CMD-7781"), inv("FA-2", 50_00, reference="AB1")]
    (best,) = propose(invoices, 100_00, "COMMANDE CMD 7781").candidates
    assert not best.certain and best.score == 70
    assert evidence(best)[0] == item(Ev.CUSTOMER_REFERENCE, reference="CMD-7781", invoice="FA-1")
    # a reference shorter than 4 characters is not looked up (too many false hits)
    assert propose(invoices, 50_00, "AB1", max_amount_only_candidates=0).candidates == ()


def test_a_known_iban_finds_the_customer_and_the_amount_finds_its_invoices() -> None:
    c2 = [inv("FB-1", 300_00, "C2"), inv("FB-2", 200_00, "C2", due="2026-11-05"),
          inv("FB-3", 900_00, "C2", due="2026-11-09")]  # fmt: skip
    one = propose(c2, 200_00, iban=IBAN_C2)
    (best,) = one.candidates
    assert not one.auto and not best.certain and best.score == 60
    assert best.allocations == (("FB-2", 200_00),)
    assert evidence(best) == [item(Ev.IBAN_KNOWN, iban=IBAN_C2), item(Ev.AMOUNT_EXACT)]
    pair = propose(c2, 1_100_00, iban=IBAN_C2).candidates[0]
    assert pair.allocations == (("FB-2", 200_00), ("FB-3", 900_00))
    assert item(Ev.AMOUNT_SUM, count=2) in evidence(pair) and pair.score == 55
    near = propose(c2, 898_00, iban=IBAN_C2).candidates[0]
    assert near.allocations == (("FB-3", 898_00),)
    assert item(Ev.SHORTFALL, gap_cents=2_00) in evidence(near)
    some = propose(c2, 350_00, iban=IBAN_C2).candidates[0]
    assert some.allocations == (("FB-1", 300_00), ("FB-2", 50_00))
    assert item(Ev.PARTIAL, left_cents=1_050_00) in evidence(some)
    assert propose([], 350_00, iban=IBAN_C2).candidates == ()  # nothing open: no candidate


def test_a_payer_name_close_to_a_customer_is_proposed_never_applied() -> None:
    invoices = [inv("FA-1", 100_00), inv("FB-1", 80_00, "C2")]
    p = propose(invoices, 100_00, payer="DUPONT ET FILS")
    (best,) = p.candidates
    assert best.customer_id == "C1" and not p.auto and not best.certain
    (name,) = [e for e in best.evidence if e["code"] == Ev.PAYER_NAME]
    assert name["payer"] == "DUPONT ET FILS" and name["similarity"] >= 85
    assert best.score == 30 + round(35 * name["similarity"] / 100)
    other = propose(invoices, 100_00, payer="DURAND PLOMBERIE").candidates  # the amount only
    assert [e["code"] for c in other for e in c.evidence] == ["amount_exact", "amount_only"]
    # no payer: the bank's label is read for a name
    assert propose(invoices, 80_00, "VIR MARTIN BATIMENT").candidates[0].customer_id == "C2"


def test_a_payer_name_adds_to_the_named_candidate_and_is_no_rival_to_a_certain_one() -> None:
    invoices = [inv("FA-1", 100_00), inv("FB-1", 80_00, "C2")]
    named = propose(invoices, 60_00, "FA-1", payer="Dupont et Fils")
    (best,) = named.candidates
    assert {e["code"] for e in best.evidence} == {"invoice_number", "partial", "payer_name"}
    certain = propose(invoices, 100_00, "FA-1", payer="Martin Batiment")
    assert certain.auto and [c.customer_id for c in certain.candidates] == ["C1"]


def test_the_amount_alone_points_to_a_few_customers_flagged_ambiguous() -> None:
    invoices = [inv("FB-1", 800_00, "C2"), inv("FC-1", 800_00, "C3"), inv("FA-1", 1_00)]
    p = propose(invoices, 800_00)
    assert [c.customer_id for c in p.candidates] == ["C2", "C3"] and not p.auto
    for c in p.candidates:
        assert c.score == 30 and not c.certain
        assert evidence(c)[-1] == item(Ev.AMBIGUOUS, customers=2)
        assert item(Ev.AMOUNT_ONLY) in evidence(c)
    assert propose(invoices, 800_00, max_amount_only_candidates=1).candidates == ()
    assert len(propose(invoices, 800_00, max_amount_only_candidates=2).candidates) == 2
    assert propose(invoices, 800_00, min_score=31).candidates == ()
    (alone,) = propose(invoices, 1_00).candidates  # one customer: amount only, not ambiguous
    assert {e["code"] for e in alone.evidence} == {"amount_exact", "amount_only"}
    early_invoice = [inv("FB-1", 800_00, "C2", issued="2026-12-01")]
    assert propose(early_invoice, 800_00).candidates == ()  # 30 - 25 is under the minimum
    early = propose(early_invoice, 800_00, min_score=0).candidates[0]
    assert item(Ev.BEFORE_ISSUE, invoice="FB-1") in evidence(early) and early.score == 5


def test_amount_only_takes_each_customers_oldest_invoice_of_that_amount() -> None:
    invoices = [inv("FB-2", 800_00, "C2", due="2026-11-09"), inv("FB-1", 800_00, "C2")]
    (c,) = propose(invoices, 800_00).candidates
    assert c.allocations == (("FB-1", 800_00),)


def test_another_customer_known_by_its_iban_stops_the_certain_one_from_being_applied() -> None:
    invoices = [inv("FA-1", 100_00), inv("FB-1", 80_00, "C2")]
    p = propose(invoices, 100_00, "FA-1", iban=IBAN_C2)
    assert not p.auto and [c.customer_id for c in p.candidates] == ["C1", "C2"]
    assert all(not c.certain for c in p.candidates)
    assert all(evidence(c)[-1] == item(Ev.AMBIGUOUS, customers=2) for c in p.candidates)


def test_candidates_are_ranked_by_score_then_customer() -> None:
    invoices = [inv("FA-1", 100_00), inv("FB-1", 100_00, "C2"), inv("FC-1", 100_00, "C3")]
    p = propose(invoices, 100_00, "FC-1 FB-1")
    assert [c.customer_id for c in p.candidates] == ["C2", "C3"]


# -- the index --------------------------------------------------------------------------------


def test_the_index_lists_a_customers_open_invoices_oldest_due_first_in_one_currency() -> None:
    index = InvoiceIndex.build(
        [inv("B", 1, due="2026-11-02"), inv("A", 1, due="2026-11-02"),
         inv("C", 1, due="2026-10-01"), inv("D", 0), inv("E", 1, currency="USD"),
         inv("F", 1, "C2")],
        NAMES,
    )  # fmt: skip
    assert [i.number for i in index.open_of("C1", "EUR")] == ["C", "A", "B"]
    assert [i.number for i in index.open_of("C2", "EUR")] == ["F"]
    assert index.open_of("C9", "EUR") == []
    assert index.number("A") is index.open_of("C1", "EUR")[1]  # one live object per invoice


def test_the_index_knows_number_lengths_name_words_and_ibans() -> None:
    index = InvoiceIndex.build(
        [inv("FA-2026-0410", 1), inv("X1", 1, reference="REF-123456789")],
        {"C1": "Dupont & Fils SARL", "C2": "Ab Cd"},
        [("FR76", "C1"), ("FR76", "C2")],
    )
    assert (index.shortest, index.longest) == (3, 12)
    assert index.names == {"C1": "dupont fils", "C2": "ab cd"}
    assert index.words == {"dupont": ["C1"], "fils": ["C1"]}  # words under 3 letters ignored
    assert index.ibans == {"FR76": {"C1", "C2"}}
    assert [i.number for i in index.referenced("REF123456789")] == ["X1"]
    assert index.number("FA20260410") is not None and index.number("FA-2026-0410") is None
    empty = InvoiceIndex.build([], {})
    assert (empty.shortest, empty.longest) == (1, 0)


# -- edges found by mutation testing (docs/mutation.md) ----------------------------------------


def test_the_last_cent_of_a_credit_is_allocated_too() -> None:
    a, c = inv("A", 100_00), inv("C", 300_00)
    assert _allocate([a, c], 100_01) == (("A", 100_00), ("C", 1))
    assert _allocate([inv("A", 1)], 1) == (("A", 1),)


def test_a_triple_is_found_when_its_two_first_invoices_are_next_to_each_other() -> None:
    # 100 + 100 + 50: the pair (first, third) leaves 100, which is the first invoice again
    a, b, c, d = inv("A", 100), inv("B", 100), inv("C", 50), inv("D", 1_000)
    assert _combination([a, b, c, d], 250) == [a, b, c]


def test_a_payer_name_scores_its_similarity_rounded_half_to_even() -> None:
    assert _score([item(Ev.PAYER_NAME, similarity=90)]) == 32  # 35 x 90 % = 31.5


def test_the_reference_adds_nothing_to_the_number_whatever_else_is_there() -> None:
    number, ref = item(Ev.INVOICE_NUMBER, invoice="A"), item(Ev.CUSTOMER_REFERENCE, reference="R")
    others = [item(Ev.IBAN_KNOWN, iban="X"), item(Ev.AMOUNT_SUM, count=2), item(Ev.PARTIAL)]
    for other in others:
        assert _score([ref, number, other]) == _score([number, other])
    assert _score([ref, item(Ev.PARTIAL), item(Ev.AMOUNT_SUM, count=2)]) == 70


def test_a_reference_of_four_characters_and_a_name_word_of_three_letters_are_indexed() -> None:
    index = InvoiceIndex.build([inv("X1", 1, reference="AB12")], {"C1": "Cde Dupont"})
    assert [i.number for i in index.referenced("AB12")] == ["X1"]
    assert index.words == {"cde": ["C1"], "dupont": ["C1"]}


def test_the_amount_table_reads_what_an_invoice_owes_after_a_payment_made_before_it() -> None:
    index = InvoiceIndex.build([inv("A", 100_00), inv("B", 1), inv("Z", 0)], NAMES)
    index.pay("A", 40_00)  # before the amount table is first built
    assert index.same_amount("EUR", 100_00) == []
    assert [i.number for i in index.same_amount("EUR", 60_00)] == ["A"]
    assert [i.number for i in index.same_amount("EUR", 1)] == ["B"]  # one cent is owed
    assert index.same_amount("EUR", 0) == []  # a settled invoice owes nothing


def test_amount_only_on_the_day_the_invoice_was_issued_is_not_before_it() -> None:
    (c,) = propose([inv("FB-1", 800_00, "C2", issued=DAY.isoformat())], 800_00).candidates
    assert [e["code"] for e in c.evidence] == ["amount_exact", "amount_only"] and c.score == 30


def test_a_short_payment_of_one_cent_or_of_the_whole_tolerance_finds_its_invoice() -> None:
    c2 = [inv("FB-1", 300_00, "C2"), inv("FB-2", 200_00, "C2", due="2026-11-05"),
          inv("FB-3", 900_00, "C2", due="2026-11-09")]  # fmt: skip
    one = propose(c2, 299_99, iban=IBAN_C2).candidates[0]
    assert one.allocations == (("FB-1", 299_99),)
    assert item(Ev.SHORTFALL, gap_cents=1) in evidence(one)
    whole = propose(c2, 895_00, iban=IBAN_C2).candidates[0]
    assert whole.allocations == (("FB-3", 895_00),)
    assert item(Ev.SHORTFALL, gap_cents=5_00) in evidence(whole)


def test_an_invoice_owing_one_cent_is_payable_and_a_settled_one_named_beside_is_not() -> None:
    p = propose([inv("FA-1", 1)], 1, "FA-1")
    assert p.auto and p.candidates[0].allocations == (("FA-1", 1),)
    both = propose([inv("FA-1", 0), inv("FA-2", 100_00)], 100_00, "FA-1 FA-2")
    (best,) = both.candidates
    assert evidence(best) == [item(Ev.INVOICE_NUMBER, invoice="FA-2"), item(Ev.AMOUNT_EXACT)]
    assert both.auto and best.allocations == (("FA-2", 100_00),)


def test_an_invoice_named_by_number_and_by_reference_is_counted_once() -> None:
    invoices = [inv("FA-1", 100_00, reference="CMD-7781")]
    (best,) = propose(invoices, 100_00, "FA-1 CMD-7781").candidates
    assert best.allocations == (("FA-1", 100_00),) and item(Ev.AMOUNT_EXACT) in evidence(best)
    assert [e["code"] for e in best.evidence].count("customer_reference") == 0


def test_a_far_lower_candidate_by_name_alone_is_no_rival_and_nothing_is_ambiguous() -> None:
    invoices = [inv("FA-1", 100_00, reference="CMD-7781"), inv("FB-1", 80_00, "C2")]
    p = propose(invoices, 100_00, "CMD-7781", payer="Martin Batiment")
    assert [(c.customer_id, c.score) for c in p.candidates] == [("C1", 70), ("C2", 35)]
    assert all(e["code"] != "ambiguous" for c in p.candidates for e in c.evidence)
    assert p.auto is False and all(c.certain is False for c in p.candidates)


def test_an_ambiguous_proposal_is_a_plain_no_for_auto_and_certain() -> None:
    # the importer stores `auto` as an integer: it must be a bool, never None
    p = propose([inv("FA-1", 100_00), inv("FB-1", 80_00, "C2")], 100_00, "FA-1", iban=IBAN_C2)
    assert p.auto is False and all(c.certain is False for c in p.candidates)
    short = propose([inv("FA-1", 100_00)], 99_00, "FA-1")
    assert short.auto is False and short.candidates[0].certain is False


def _matcher(names: dict[str, str]) -> Matcher:
    return Matcher(InvoiceIndex.build([], names), MatchingPolicy())


def test_a_payer_sharing_one_word_with_a_customer_is_compared_with_it() -> None:
    assert _matcher(NAMES)._similar("dupont") == {"C1": 100}


def test_customers_sharing_fewer_words_than_the_best_but_one_are_not_compared() -> None:
    names = {"X": "Alpha Bravo Charlie", "Y": "Charlie"}  # Y alone would score 100 too
    assert _matcher(names)._similar("alpha bravo charlie") == {"X": 100}


def test_a_word_shared_by_more_than_200_customers_selects_no_one() -> None:
    names = {f"C{i:03d}": f"Alpha {i:03d}" for i in range(200)}
    assert _matcher(names)._similar("alpha") == {"C000": 100, "C001": 100, "C002": 100}
    names["C200"] = "Alpha 200"
    assert _matcher(names)._similar("alpha") == {}


def test_the_three_closest_names_are_kept_best_first_then_by_customer() -> None:
    names = {"A1": "Martin Batimen", "Y2": "Martins Batiment", "Y1": "Martin Batiments",
             "Z1": "Martin Batiment"}  # fmt: skip
    found = _matcher(names)._similar("martin batiment")
    assert list(found.items()) == [("Z1", 100), ("Y1", 97), ("Y2", 97)]
    ties = {f"C{i}": "Alpha" for i in range(9, 0, -1)}  # every one scores 100
    assert list(_matcher(ties)._similar("alpha")) == ["C1", "C2", "C3"]
