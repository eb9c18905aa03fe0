"""KPIs on a hand-built history whose answers are worked out by hand below."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.kpis_text import kpi_lines
from assistant.models import InvoiceStatus, Payment
from assistant.service import Service
from assistant.storage import repo
from tests.unit.rules_builders import add_customer, add_invoice, mark

AS_OF = date(2026, 11, 30)


def pay(service: Service, number: str, day: date, cents: int) -> None:
    with service.store.transaction():
        repo.apply_payment(
            service.store, Payment(invoice_number=number, date=day, amount_cents=cents), None, "t"
        )


def history(service: Service) -> None:
    """Invoices (issued 30 days before their due date):

    A 1000.00 due 10-31, paid 11-05 (5 days late)   | B 500.00 due 10-15, paid 10-10 (on time)
    C 2000.00 due 12-01, open (not yet due)         | D 300.00 due 08-31, open (91 days late)
    E 700.00 due 11-09, disputed (21 days late)
    """
    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "A", date(2026, 10, 31), cents=100_000)
    add_invoice(store, "B", date(2026, 10, 15), cents=50_000)
    add_invoice(store, "C", date(2026, 12, 1), cents=200_000)
    add_invoice(store, "D", date(2026, 8, 31), cents=30_000)
    add_invoice(store, "E", date(2026, 11, 9), cents=70_000, status=InvoiceStatus.DISPUTED)
    # promises: A kept (paid 11-05 <= 11-04 + 3 days grace), D broken, C still open
    service.record_promise("A", date(2026, 11, 4), made_on=date(2026, 11, 1))
    service.record_promise("D", date(2026, 11, 10), made_on=date(2026, 11, 1))
    service.record_promise("C", date(2026, 12, 5), made_on=date(2026, 11, 25))
    # steps: A pre_due 10-28 (paid 8 days later), A reminder_1 11-03 (paid 2 days later),
    # B pre_due 10-12 (already paid 10-10: not "after"), D reminder_1 09-03 (never paid)
    mark(store, ["A"], "pre_due", date(2026, 10, 28))
    mark(store, ["A"], "reminder_1", date(2026, 11, 3))
    mark(store, ["B"], "pre_due", date(2026, 10, 12))
    mark(store, ["D"], "reminder_1", date(2026, 9, 3))
    store.conn.execute(
        "INSERT INTO invoice_steps (invoice_number, step, done_on, source)"
        " VALUES ('C', 'pre_due', '2026-11-20', 'rejected')"
    )
    pay(service, "A", date(2026, 11, 5), 100_000)
    pay(service, "B", date(2026, 10, 10), 50_000)


def test_kpis_match_the_hand_computed_answers(service: Service) -> None:
    history(service)
    data = service.stats(AS_OF).as_json()
    # receivables C + D + E = 3000.00; sales issued after 09-01: A + B + C + E = 4200.00
    # DSO = 3000 / 4200 x 90 = 64.3 -> 64
    assert data["receivables"] == "3000.00" and data["sales_last_90_days"] == "4200.00"
    assert data["dso_days"] == 64 and "90" in data["dso_method"]
    assert data["overdue_by_age"] == {
        "0-30": "700.00",
        "31-60": "0.00",
        "61-90": "0.00",
        "90+": "300.00",
    }
    assert data["avg_days_late_paid"] == 2.5  # (5 + 0) / 2
    assert data["after_step"] == [
        {"step": "pre_due", "sent": 2, "paid_within_7d": 0, "paid_within_14d": 1},
        {"step": "reminder_1", "sent": 2, "paid_within_7d": 1, "paid_within_14d": 1},
    ]
    assert data["promises"] == {"made": 3, "kept": 1, "broken": 1, "open": 1}
    assert data["promises_kept_rate"] == 0.5
    # overdue = D + E (C is not due yet); A and B are the paid ones
    assert (data["overdue"], data["paid_invoices"], data["as_of"]) == ("1000.00", 2, "2026-11-30")
    assert data["time_saved"] == {
        "minutes": 0,
        "assumption": "12 min per message written by hand, 1 min per draft approved unchanged,"
        " 4 min per draft edited",
    }
    assert list(data)[:7] == [  # DESIGN.md §5 `stats --json` keys first
        "dso_days", "dso_method", "overdue_by_age", "avg_days_late_paid", "after_step",
        "promises", "drafts",
    ]  # fmt: skip


def test_rates_keep_three_decimals_and_days_late_one(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    for number, due, paid in (("P1", date(2026, 10, 1), date(2026, 10, 2)),
                              ("P2", date(2026, 10, 1), date(2026, 10, 3)),
                              ("P3", date(2026, 10, 1), date(2026, 10, 3))):  # fmt: skip
        add_invoice(store, number, due, cents=10_000)
        pay(service, number, paid, 10_000)
    for number in ("K", "B1", "B2"):
        add_invoice(store, number, date(2026, 11, 10), cents=10_000)
        service.record_promise(number, date(2026, 11, 12), made_on=date(2026, 11, 5))
    pay(service, "K", date(2026, 11, 12), 10_000)
    data = service.stats(AS_OF).as_json()
    assert data["promises"] == {"made": 3, "kept": 1, "broken": 2, "open": 0}
    assert data["promises_kept_rate"] == 0.333
    assert data["avg_days_late_paid"] == 1.8  # (1 + 2 + 2 + 2) / 4 = 1.75; K paid 2 days late
    assert data["paid_invoices"] == 4


def test_stats_as_of_an_earlier_day_ignores_what_came_after(service: Service) -> None:
    history(service)
    data = service.stats(date(2026, 11, 4)).as_json()
    # on 11-04 A (paid 11-05) was still owed: receivables A + C + D + E = 4000.00;
    # sales issued in (08-06, 11-04]: A + B + C + E = 4200.00 (D, 08-01, is before the window)
    # DSO = 4000 / 4200 x 90 = 85.7 -> 86
    assert data["receivables"] == "4000.00" and data["sales_last_90_days"] == "4200.00"
    assert data["dso_days"] == 86
    # A 4 days late, D 65 days late; E (due 11-09) and C not yet due
    assert data["overdue_by_age"] == {
        "0-30": "1000.00",
        "31-60": "0.00",
        "61-90": "300.00",
        "90+": "0.00",
    }
    # A's payment (11-05) has not happened: reminder_1 of 11-03 not yet paid
    assert {"step": "reminder_1", "sent": 2, "paid_within_7d": 0, "paid_within_14d": 0} in data[
        "after_step"
    ]
    assert data["avg_days_late_paid"] == 0.0  # only B was paid by then, on time
    # C's promise (11-25) is not made yet; A's (for 11-04, paid 11-05) is still open that day
    assert data["promises"] == {"made": 2, "kept": 0, "broken": 0, "open": 2}
    assert data["promises_kept_rate"] is None


def test_an_empty_database_gives_empty_figures_not_errors(service: Service) -> None:
    kpis = service.stats(AS_OF)
    data = kpis.as_json()
    assert data["dso_days"] is None and data["avg_days_late_paid"] is None
    assert data["overdue_by_age"] == dict.fromkeys(("0-30", "31-60", "61-90", "90+"), "0.00")
    assert data["after_step"] == [] and data["promises_kept_rate"] is None
    assert data["promises"] == {"made": 0, "kept": 0, "broken": 0, "open": 0}
    assert data["drafts"] == {"approved_unchanged": 0, "approved_edited": 0, "rejected": 0}
    assert data["time_saved"]["minutes"] == 0
    assert (data["paid_invoices"], data["overdue"], data["receivables"]) == (0, "0.00", "0.00")
    text = "\n".join(kpi_lines(kpis))
    assert "DSO : — (" in text and "aucune relance envoyée" in text


SENT_ON = date(2026, 11, 24)  # the service's clock (FIXED_NOW): the day messages leave


def test_payment_after_a_step_counts_from_the_send_by_tone_segment_and_version(
    service: Service,
) -> None:
    store = service.store
    for i in range(1, 5):
        add_customer(store, f"X{i}")
        add_invoice(store, f"X{i}-1", date(2026, 11, 19), cid=f"X{i}", cents=10_000 * i)
    ids = sorted(service.draft(SENT_ON, offline=True).created)
    assert len(ids) == 4
    service.edit_draft(ids[1], service.get_draft(ids[1]).body + "\nMerci !")
    service.approve(ids[:3], on=date(2026, 11, 20))
    for draft_id, tone, segment, version in zip(
        ids,
        ("benevolent", "benevolent", "firm"),
        ("standard", "large", "large"),
        ("v1", "v2", "v2"),
        strict=False,
    ):
        store.conn.execute(
            "UPDATE drafts SET tone = ?, segment = ?, policy_version = ? WHERE id = ?",
            (tone, segment, version, draft_id),
        )
    assert sorted(service.send().sent) == ids[:3]  # the .eml outbox, on 11-24
    service.approve([ids[3]], on=SENT_ON)  # X4: approved after the run, not sent
    pay(service, "X1-1", date(2026, 11, 30), 10_000)
    pay(service, "X2-1", date(2026, 12, 5), 20_000)

    before = service.stats(date(2026, 11, 23)).as_json()
    assert before["after_step"] == []  # approved on 11-20 but not sent before 11-24

    data = service.stats(date(2026, 12, 31)).as_json()
    # X1 paid 6 days after the message (10 after approval): within 7 days of the send
    assert data["after_step"] == [
        {"step": "reminder_1", "sent": 3, "paid_within_7d": 1, "paid_within_14d": 2}
    ]
    by = data["after_step_by"]
    assert by["tone"] == [
        {"tone": "benevolent", "step": "reminder_1", "sent": 2, "paid_within_7d": 1,
         "paid_within_14d": 2},
        {"tone": "firm", "step": "reminder_1", "sent": 1, "paid_within_7d": 0,
         "paid_within_14d": 0},
    ]  # fmt: skip
    assert by["segment"] == [
        {"segment": "large", "step": "reminder_1", "sent": 2, "paid_within_7d": 0,
         "paid_within_14d": 1},
        {"segment": "standard", "step": "reminder_1", "sent": 1, "paid_within_7d": 1,
         "paid_within_14d": 1},
    ]  # fmt: skip
    assert by["policy_version"] == [
        {"policy_version": "v1", "step": "reminder_1", "sent": 1, "paid_within_7d": 1,
         "paid_within_14d": 1},
        {"policy_version": "v2", "step": "reminder_1", "sent": 2, "paid_within_7d": 0,
         "paid_within_14d": 1},
    ]  # fmt: skip
    # reviews: X1, X3 and X4 unchanged, X2 edited
    assert data["drafts"] == {"approved_unchanged": 3, "approved_edited": 1, "rejected": 0}
    assert data["time_saved"]["minutes"] == 3 * (12 - 1) + 1 * (12 - 4)
    # X1 paid 11 days late (due 11-19), X2 16 days: 13.5
    assert data["avg_days_late_paid"] == 13.5
    # policy versions in words, numbered in the order first used (X4 kept the shipped one)
    versions = data["policy_versions"]
    assert (len(versions), versions["v1"], versions["v2"]) == (
        3, "v2 du 24 nov. 2026", "v3 du 24 nov. 2026"
    )  # fmt: skip


def test_drafts_unchanged_edited_rejected_and_time_saved(service: Service) -> None:
    for i in range(1, 5):
        add_customer(service.store, f"X{i}")
        add_invoice(service.store, f"X{i}-1", AS_OF - timedelta(days=5), cid=f"X{i}")
    ids = sorted(service.draft(AS_OF, offline=True).created)
    assert len(ids) == 4
    service.approve(ids[:2], on=AS_OF)
    service.edit_draft(ids[2], service.get_draft(ids[2]).body + "\nMerci !")
    service.approve([ids[2]], on=AS_OF)
    service.reject([ids[3]], "client au téléphone ce matin", on=AS_OF)
    data = service.stats(AS_OF).as_json()
    assert data["drafts"] == {"approved_unchanged": 2, "approved_edited": 1, "rejected": 1}
    assert data["time_saved"]["minutes"] == 2 * (12 - 1) + 1 * (12 - 4)
    # approved is not sent yet: no reminder counted; once sent, the three count
    assert data["after_step"] == []
    service.send()
    data = service.stats(AS_OF).as_json()
    assert data["after_step"] == [
        {"step": "reminder_1", "sent": 3, "paid_within_7d": 0, "paid_within_14d": 0}
    ]
    assert sum(row["sent"] for row in data["after_step_by"]["segment"]) == 3
    # drafts created after an earlier as_of do not count then
    assert service.stats(date(2026, 11, 1)).as_json()["drafts"]["approved_unchanged"] == 0


def test_the_text_report_is_french_with_rates_and_breakdowns(service: Service) -> None:
    history(service)
    text = "\n".join(kpi_lines(service.stats(AS_OF)))
    assert "DSO : 64 jours" in text
    assert "90+ : 300,00\u00a0€" in text
    assert "Retard moyen des factures payées : 2,5 j (2 factures)" in text
    assert "Relance 1" in text and "reminder_1" not in text  # steps in words
    assert "50\u00a0% (1/2)" in text  # a percentage with its counts
    assert (
        "Promesses : 3 faites, 1 tenue(s), 1 non tenue(s), 1 en cours (50\u00a0% (1/2) tenues)"
        in text
    )
    assert "Temps gagné estimé : 0,0 h" in text  # no draft in this history
    assert "par message : 12 min à la main, 1 min approuvé tel quel, 4 min retouché" in text


def test_dso_sales_are_the_90_days_up_to_as_of_without_credited_or_cancelled(
    service: Service,
) -> None:
    """Each invoice has its own power of ten, so the sum says which ones counted."""
    store = service.store
    add_customer(store, "C1")
    issued = {  # number: (issue day relative to AS_OF, status, cents)
        "EDGE": (-90, InvoiceStatus.OPEN, 100_000),  # 90 days before: outside the window
        "FIRST": (-89, InvoiceStatus.OPEN, 20_000),  # the window's first day
        "TODAY": (0, InvoiceStatus.OPEN, 3_000),  # as_of itself counts
        "LATER": (1, InvoiceStatus.OPEN, 400),  # issued after as_of
        "AVOIR": (-10, InvoiceStatus.CREDITED, 50),
        "ANNUL": (-10, InvoiceStatus.CANCELLED, 6),
        "PAYEE": (-20, InvoiceStatus.PAID, 7_000_000),  # a paid invoice is a sale
        "LITIGE": (-30, InvoiceStatus.DISPUTED, 800_000),  # and a disputed one too
    }
    for number, (days, status, cents) in issued.items():
        due = AS_OF + timedelta(days=days + 30)  # add_invoice issues 30 days before the due date
        add_invoice(store, number, due, cents=cents, status=status,
                    outstanding=0 if status is InvoiceStatus.PAID else None)  # fmt: skip
    data = service.stats(AS_OF).as_json()
    assert data["sales_last_90_days"] == "78230.00"  # PAYEE + LITIGE + FIRST + TODAY


def test_the_text_report_reads_exactly_so_in_french_and_in_english(service: Service) -> None:
    from assistant.i18n import set_language

    history(service)
    kpis = service.stats(AS_OF)
    nb, rate = "\u00a0", "\u202f"  # babel's no-break space and narrow no-break space
    french = f"""Indicateurs au 2026-11-30
  DSO : 64 jours (encours 3{rate}000,00{nb}€ / ventes des 90 derniers jours 4{rate}200,00{nb}€ × 90)
  En retard : 1{rate}000,00{nb}€
      0-30 : 700,00{nb}€
     31-60 : 0,00{nb}€
     61-90 : 0,00{nb}€
       90+ : 300,00{nb}€
  Retard moyen des factures payées : 2,5 j (2 factures)
  Paiement après relance (factures relancées · payées sous 7 j · sous 14 j) :
    Pré-échéance                             2 ·       0{nb}% (0/2) ·      50{nb}% (1/2)
    Relance 1                                2 ·      50{nb}% (1/2) ·      50{nb}% (1/2)
  Par ton :
    (non renseigné) · Pré-échéance           2 ·       0{nb}% (0/2) ·      50{nb}% (1/2)
    (non renseigné) · Relance 1              2 ·      50{nb}% (1/2) ·      50{nb}% (1/2)
  Par segment :
    (non renseigné) · Pré-échéance           2 ·       0{nb}% (0/2) ·      50{nb}% (1/2)
    (non renseigné) · Relance 1              2 ·      50{nb}% (1/2) ·      50{nb}% (1/2)
  Par version de politique :
    (non renseigné) · Pré-échéance           2 ·       0{nb}% (0/2) ·      50{nb}% (1/2)
    (non renseigné) · Relance 1              2 ·      50{nb}% (1/2) ·      50{nb}% (1/2)
  Promesses : 3 faites, 1 tenue(s), 1 non tenue(s), 1 en cours (50{nb}% (1/2) tenues)
  Brouillons : 0 approuvés sans retouche, 0 retouchés, 0 rejetés
  Tendance par mois (DSO · relances envoyées · payées sous 14 j) :
    2026-06  DSO    — ·    0 · —
    2026-07  DSO    — ·    0 · —
    2026-08  DSO   90 ·    0 · —
    2026-09  DSO   90 ·    1 · 0{nb}% (0/1)
    2026-10  DSO   82 ·    2 · 50{nb}% (1/2)
    2026-11  DSO   64 ·    1 · 100{nb}% (1/1)
  Plus gros retards :
    Client C1 (C1) : 1{rate}000,00{nb}€ sur 2 facture(s), jusqu'à 91 j de retard
  Temps gagné estimé : 0,0 h
    (par message : 12 min à la main, 1 min approuvé tel quel, 4 min retouché)"""
    assert "\n".join(kpi_lines(kpis)) == french
    set_language("en")
    english = "\n".join(kpi_lines(kpis))
    assert english.splitlines()[1:4] == [
        "  DSO: 64 days (receivables €3,000.00 / sales of the last 90 days €4,200.00 × 90)",
        "  Overdue: €1,000.00",
        "      0-30 : €700.00",
    ]
    assert "  Average days late of paid invoices: 2.5 d (2 invoices)" in english
    assert "    Reminder 1                               2 ·       50% (1/2) ·       50% (1/2)" in (
        english
    )
    assert "  Promises: 3 made, 1 kept, 1 broken, 1 open (50% (1/2) kept)" in english


def test_dso_rounds_to_the_day_and_needs_sales() -> None:
    from assistant.kpis import dso_of

    assert dso_of(300_000, 420_000) == 64  # 64.29
    assert dso_of(1, 180) == 0 and dso_of(1, 179) == 1  # 0.5 rounds to even, 0.503 up
    assert dso_of(7, 1) == 630  # a single cent of sales is still sales
    assert dso_of(0, 1) == 0
    assert dso_of(5, 0) is None


def test_payment_after_a_step_counts_day_0_to_7_and_to_14_inclusive(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    step_day = date(2026, 11, 2)
    delays = {"D0": 0, "D7": 7, "D8": 8, "D14": 14, "D15": 15, "EARLY": -1}
    for number, delay in delays.items():
        add_invoice(store, number, date(2026, 10, 20), cents=10_000)
        mark(store, [number], "reminder_1", step_day)
        pay(service, number, step_day + timedelta(days=delay), 10_000)
    add_invoice(store, "OLD15", date(2026, 10, 20), cents=10_000)
    mark(store, ["OLD15"], "reminder_1", date(2026, 10, 25))
    pay(service, "OLD15", date(2026, 11, 9), 10_000)  # 15 days after its message
    add_invoice(store, "LAST", date(2026, 10, 20), cents=10_000)
    mark(store, ["LAST"], "call", date(2026, 11, 10))
    pay(service, "LAST", date(2026, 11, 16), 10_000)  # paid on the as_of day itself
    mark(store, ["LAST"], "zz_custom", date(2026, 11, 10))  # a step the policy added
    mark(store, ["LAST"], "pre_due", date(2026, 10, 17))
    data = service.stats(date(2026, 11, 16)).as_json()
    # D15 (paid 11-17) is after the as_of day; EARLY was paid before the message
    assert data["after_step"] == [
        {"step": "pre_due", "sent": 1, "paid_within_7d": 0, "paid_within_14d": 0},  # 30 days
        {"step": "reminder_1", "sent": 7, "paid_within_7d": 2, "paid_within_14d": 4},
        {"step": "call", "sent": 1, "paid_within_7d": 1, "paid_within_14d": 1},
        {"step": "zz_custom", "sent": 1, "paid_within_7d": 1, "paid_within_14d": 1},
    ]  # known steps in the scenario's order, then the others by name


def test_internal_notices_are_not_drafts_reviewed_and_a_promise_made_today_counts(
    service: Service,
) -> None:
    store = service.store
    add_customer(store, "C1", salesperson_email="vendeur@example.com")
    add_invoice(store, "F1", AS_OF - timedelta(days=21))
    mark(store, ["F1"], "reminder_2", AS_OF - timedelta(days=11))
    created = service.draft(AS_OF, offline=True).created
    channels = {service.get_draft(i).channel for i in created}
    assert channels == {"internal"}  # the call: a notice to the salesperson only
    service.approve(created, on=AS_OF)
    assert service.stats(AS_OF).as_json()["drafts"]["approved_unchanged"] == 0
    service.record_promise("F1", AS_OF + timedelta(days=5), made_on=AS_OF)
    assert service.stats(AS_OF).as_json()["promises"]["made"] == 1
