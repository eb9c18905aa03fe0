"""Claims, promises and briefs as of a date, on hand-built histories (expected values by hand)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from assistant.errors import UserError
from assistant.models import Payment
from assistant.reasons import render
from assistant.rules.promises import load_promises
from assistant.service import Service
from assistant.statutory.claims import claims_for
from assistant.storage import repo
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer, add_invoice


def pay(store: Store, number: str, on: date, cents: int) -> None:
    with store.transaction():
        repo.apply_payment(store, Payment(invoice_number=number, date=on, amount_cents=cents),
                           None, "test")  # fmt: skip


def test_a_promise_without_amount_is_kept_only_by_what_was_overdue(store: Store) -> None:
    add_customer(store, "C1")
    add_invoice(store, "F-1", date(2026, 10, 1), cents=250_000)  # overdue on 05/11
    add_invoice(store, "F-2", date(2026, 10, 20), cents=124_049)  # overdue on 05/11
    add_invoice(store, "F-3", date(2026, 12, 20), cents=50_000)  # not due yet: not promised
    with store.transaction():
        repo.insert_promise(store, "C1", None, date(2026, 11, 10), None, date(2026, 11, 5),
                            source="call", note=None, actor="test")  # fmt: skip
    pay(store, "F-1", date(2026, 11, 6), 1_000)  # 10 € of the 3 740,49 € overdue
    (promise,) = load_promises(store, 3)
    assert promise.expected_cents == 374_049  # 2 500,00 + 1 240,49
    assert promise.status(date(2026, 11, 20), 3) == "broken"
    pay(store, "F-1", date(2026, 11, 12), 249_000)
    pay(store, "F-2", date(2026, 11, 13), 124_049)  # 10,00 + 2 490,00 + 1 240,49 = 3 740,49
    (promise,) = load_promises(store, 3)
    assert promise.status(date(2026, 11, 20), 3) == "kept"
    # as it stood on 12/11, only 2 500,00 had arrived: still open (deadline 13/11)
    (then,) = load_promises(store, 3, as_of=date(2026, 11, 12))
    assert then.status(date(2026, 11, 12), 3) == "open"


def test_claims_as_of_a_past_date_ignore_later_payments(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "F-1", date(2026, 10, 31), cents=1_000_000)
    pay(store, "F-1", date(2026, 12, 1), 1_000_000)  # paid on 01/12
    before = claims_for(store, service.home, "C1", date(2026, 11, 30))
    # as of 30/11 the invoice was open and 30 days late:
    # 1000000 x 30 x 0,1215 / 365 = 9986,30 c -> 99,86 € ; one 40 € indemnity
    assert [c.number for c in before.overdue] == ["F-1"]
    assert before.principal_cents == 1_000_000
    assert before.indemnity_cents == 4_000 and before.interest_cents == 9_986
    after = claims_for(store, service.home, "C1", date(2026, 12, 2))
    assert after.overdue == [] and after.interest_cents == 0
    # paid late: its indemnity is owed, shown apart (information)
    assert [(p.number, p.days_late) for p in after.paid_late] == [("F-1", 31)]
    assert after.paid_late_indemnity_cents == 4_000


def test_brief_as_of_a_past_date(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "F-1", date(2026, 10, 31), cents=1_000_000)
    pay(store, "F-1", date(2026, 12, 1), 1_000_000)
    brief = service.brief("C1", date(2026, 11, 30), offline=True).as_json()
    assert brief["overdue"] == "10000.00"
    assert [i["invoice_number"] for i in brief["invoices"]] == ["F-1"]
    assert brief["levers"]["recovery_indemnity"] == "40.00"
    assert brief["levers"]["late_interest"] == "99.86"
    later = service.brief("C1", date(2026, 12, 2), offline=True).as_json()
    assert later["overdue"] == "0.00" and later["levers"]["late_interest"] == "0.00"
    assert later["levers"]["paid_late_indemnity"] == "40.00"


def test_limitation_warning_six_months_before_five_years(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "F-OLD", date(2021, 6, 15), cents=10_000)
    add_invoice(store, "F-NEW", date(2021, 6, 16), cents=10_000)
    claims = claims_for(store, service.home, "C1", date(2025, 12, 15))
    # limitation 15/06/2026; the warning starts 6 months before: 15/12/2025
    assert [(w.number, w.limitation_date) for w in claims.limitations] == [
        ("F-OLD", date(2026, 6, 15))
    ]


def test_the_plan_warns_of_a_limitation_without_stopping_anything(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "F-OLD", date(2021, 6, 15), cents=10_000)
    plan = service.plan(date(2025, 12, 15))
    assert [(w.invoice_number, w.code) for w in plan.warnings] == [("F-OLD", "limitation")]
    assert "2026-06-15" in render(plan.warnings[0].reason)
    assert [a.customer_id for a in plan.actions] == ["C1"]  # still planned
    assert service.plan(date(2025, 12, 14)).warnings == []


def test_upgrading_an_old_database_keeps_drafts_and_admits_letters(tmp_path: Path) -> None:
    from assistant.storage.db import connect
    from assistant.storage.migrations import MIGRATIONS, migrate

    conn = connect(tmp_path / "old.db")
    migrate(conn, upto=7)
    conn.execute("INSERT INTO customers (id, name, created_at, updated_at) VALUES"
                 " ('C1', 'A', 'x', 'x')")  # fmt: skip
    conn.execute(
        "INSERT INTO invoices (number, customer_id, issue_date, due_date, amount_cents,"
        " outstanding_cents, created_at, updated_at) VALUES ('F1', 'C1', '2026-01-01',"
        " '2026-02-01', 100, 100, 'x', 'x')"
    )
    for parent in (None, 1):
        conn.execute(
            "INSERT INTO drafts (customer_id, step, channel, language, body, template_name,"
            " template_body, source, policy_version, plan_date, scheduled_for, created_at,"
            " updated_at, parent_id, status) VALUES ('C1', 'reminder_1', 'email', 'fr', 'b',"
            " 't', 'tb', 'template', 'v', '2026-02-04', '2026-02-04', 'x', 'x', ?, ?)",
            (parent, "superseded" if parent is None else "pending"),
        )
    conn.execute("INSERT INTO draft_invoices VALUES (1, 'F1', 100), (2, 'F1', 100)")
    assert migrate(conn) == sorted(v for v, _, _ in MIGRATIONS if v > 7)
    assert conn.execute("SELECT * FROM draft_invoices ORDER BY draft_id").fetchall() == [
        (1, "F1", 100),
        (2, "F1", 100),
    ]
    assert conn.execute("SELECT id, parent_id FROM drafts ORDER BY id").fetchall() == [
        (1, None),
        (2, 1),
    ]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.execute("UPDATE drafts SET channel = 'letter' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE drafts SET channel = 'fax' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="integer cents"):
        conn.execute("UPDATE drafts SET total_cents = 1.5 WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError):  # the parent must exist: the FK survived
        conn.execute("UPDATE drafts SET parent_id = 99 WHERE id = 2")


def test_customers_import_reads_the_postal_address_and_identity(
    service: Service, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        "Code client;Raison sociale;Forme juridique;SIREN;Adresse;Complément d'adresse;"
        "Code postal;Ville\n"
        "C1;Berthier;SAS;732 829 320;ZI des Platières;Bât. B;69440;Mornant\n",
        encoding="utf-8",
    )
    service.import_file("customers", path)
    customer = service.customer("C1")
    assert (customer.legal_form, customer.siren) == ("SAS", "732829320")
    assert customer.postal_address() == ["ZI des Platières", "Bât. B", "69440 Mornant"]
    bad = tmp_path / "bad.csv"
    bad.write_text("Code client;Raison sociale;SIREN\nC2;X;12345\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.csv:2: .*SIREN"):
        service.import_file("customers", bad)
    assert repo.get_customer(service.store, "C2") is None


def test_claims_deduct_the_unallocated_credits_known_on_their_date(service: Service) -> None:
    from assistant.money import Money
    from assistant.storage.balances import StoredCredit, replace_credits

    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "F-1", date(2026, 10, 31), cents=1_000_000)
    credit = StoredCredit("C1", "fec", "AV-1", date(2026, 11, 20), Money(25_000, "EUR"))
    dollars = StoredCredit("C1", "fec", "AV-2", date(2026, 11, 20), Money(9_900, "USD"))
    with store.transaction():
        replace_credits(store, "fec", ["C1"], [credit, dollars])
    # 10 000,00 + 40,00 + 1000000 x 30 x 0,1215 / 365 (99,86) - 250,00 (the EUR credit only)
    claims = claims_for(store, service.home, "C1", date(2026, 11, 30))
    assert claims.credits_cents == 25_000
    assert claims.total_cents == 1_000_000 + 4_000 + 9_986 - 25_000
    # before the credit arrived, nothing is deducted
    assert claims_for(store, service.home, "C1", date(2026, 11, 19)).credits_cents == 0


def test_a_claim_and_a_late_payment_in_json(service: Service) -> None:
    store = service.store
    add_customer(store, "C1")
    add_invoice(store, "F-1", date(2026, 10, 31), cents=1_000_000)
    pay(store, "F-1", date(2026, 11, 10), 400_000)  # 6 000 € still owed
    add_invoice(store, "F-2", date(2026, 10, 15), cents=50_000)
    pay(store, "F-2", date(2026, 11, 2), 50_000)  # paid 18 days late
    claims = claims_for(store, service.home, "C1", date(2026, 11, 30))
    # F-1: 01/11..10/11 on 10 000 € (10 d) + 11/11..30/11 on 6 000 € (20 d), H2 2026 12,15 %:
    # (1000000 x 10 + 600000 x 20) x 0,1215 / 365 = 22000000 x 0,1215 / 365 = 7323,29 -> 73,23 €
    (claim,) = claims.overdue
    assert claim.as_json() == {
        "invoice_number": "F-1",
        "issue_date": "2026-10-01",
        "due_date": "2026-10-31",
        "amount": "10000.00",
        "outstanding": "6000.00",
        "currency": "EUR",
        "days_late": 30,
        "recovery_indemnity": "40.00",
        "late_interest": "73.23",
        "interest_by_half_year": [
            {
                "half_year": "2026-H2",
                "from": "2026-11-01",
                "to": "2026-11-30",
                "days": 30,
                "rate": "12.15",
                "rate_basis": "statutory",
                "rate_estimated": False,
                "unpaid_cents_days": 22_000_000,
                "amount": "73.23",
            }
        ],
        "limitation_date": "2031-10-31",
        "reference": None,
    }
    assert [p.as_json() for p in claims.paid_late] == [
        {
            "invoice_number": "F-2",
            "due_date": "2026-10-15",
            "paid_date": "2026-11-02",
            "days_late": 18,
            "recovery_indemnity": "40.00",
        }
    ]


def _two_currencies(service: Service) -> Store:
    """C1 owes 1 000,00 EUR (due 01/10) and 5 000,00 CHF (due 01/11), both overdue on 30/11."""
    from datetime import timedelta

    from assistant.models import Invoice

    store = service.store
    add_customer(store, "C1", address_line1="1 rue de la Paix", postal_code="69001", city="Lyon")
    with store.transaction():
        repo.upsert_invoices(
            store,
            [
                Invoice(number=n, customer_id="C1", issue_date=due - timedelta(days=30),
                        due_date=due, amount_cents=c, outstanding_cents=c, currency=cur)
                for n, due, c, cur in (
                    ("F-EUR", date(2026, 10, 1), 100_000, "EUR"),
                    ("F-CHF", date(2026, 11, 1), 500_000, "CHF"),
                )
            ],
            actor="test",
        )  # fmt: skip
    return store


def test_claims_never_add_two_currencies(service: Service) -> None:
    store = _two_currencies(service)
    on = date(2026, 11, 30)
    main = claims_for(store, service.home, "C1", on)  # the larger overdue sum: CHF
    assert (main.currency, main.owed_currencies, main.other_currencies) == (
        "CHF",
        ("CHF", "EUR"),
        ("EUR",),
    )
    assert [c.number for c in main.overdue] == ["F-CHF"] and main.principal_cents == 500_000
    assert main.indemnity_cents == 4_000  # one invoice, not two
    eur = claims_for(store, service.home, "C1", on, "eur")
    assert [c.number for c in eur.overdue] == ["F-EUR"] and eur.principal_cents == 100_000
    assert eur.other_currencies == ("CHF",)


def test_a_formal_notice_is_in_one_currency_and_asks_which_when_several(service: Service) -> None:
    store = _two_currencies(service)
    on = date(2026, 11, 30)
    before = store.query("SELECT count(*) AS n FROM drafts")[0]["n"]
    with pytest.raises(UserError, match=r"plusieurs devises \(CHF, EUR\).*--currency"):
        service.create_notice("C1", on)
    with pytest.raises(UserError, match="ne doit rien en USD"):
        service.create_notice("C1", on, currency="USD")
    assert store.query("SELECT count(*) AS n FROM drafts")[0]["n"] == before  # nothing written
    made = service.create_notice("C1", on, currency="EUR")
    claims = claims_for(store, service.home, "C1", on, "EUR")
    assert made.currency == "EUR" and made.total_cents == claims.total_cents
    (row,) = store.query("SELECT currency, principal_cents FROM notices")
    assert (row["currency"], row["principal_cents"]) == ("EUR", 100_000)
    body = store.query("SELECT body FROM drafts WHERE id = ?", (made.draft_id,))[0]["body"]
    assert "F-EUR" in body and "F-CHF" not in body


def test_a_letter_s_claims_apply_the_home_s_own_statutory_policy(service: Service) -> None:
    from decimal import Decimal

    from assistant.statutory.claims import claims_for_a_letter
    from tests.support.pg_neutral import put_policy

    store = _two_currencies(service)
    put_policy(service.home, "statutory.yaml", 'contractual_rate_percent: "20.00"\n')
    claims = claims_for_a_letter(store, service.home, "C1", date(2026, 11, 30), "CHF")
    assert [(r.rate, r.basis) for r in claims.rates] == [(Decimal("20.00"), "contractual")]
    # 500000 x 29 days x 20 % / 365 = 7945,2 c
    assert claims.interest_cents == 7945


def test_a_litigation_file_is_in_one_currency(service: Service, tmp_path: Path) -> None:
    import json
    import zipfile

    _two_currencies(service)
    on, out = date(2026, 11, 30), tmp_path / "c1.zip"
    with pytest.raises(UserError, match="plusieurs devises"):
        service.dossier("C1", out, on)
    assert not out.exists()
    done = service.dossier("C1", out, on, "CHF")
    # 5 000 + one 40 indemnity + 500000 x 29 days x 12,15 % / 365 = 4826,7 c -> 48,27
    assert (done["currency"], done["total"]) == ("CHF", "5088.27")
    data = json.loads(zipfile.ZipFile(out).read("dossier.json"))
    assert data["currency"] == "CHF"
    assert [i["invoice_number"] for i in data["invoices"]] == ["F-CHF"]


def test_a_declaration_task_names_what_is_owed_in_every_currency(service: Service) -> None:
    from assistant.reasons import render

    _two_currencies(service)
    on = date(2026, 11, 30)
    service.set_proceedings("C1", kind="redressement", published=date(2026, 11, 30))
    (task,) = [a for a in service.plan(on).actions if a.customer_id == "C1"]
    text = " ".join(render(task.reason).split()).replace("\u202f", " ").replace("\u00a0", " ")
    # CHF (the larger): 5 000 + 40 + 500000 x 29 x 12,15 % / 365 = 48,27 -> 5 088,27 CHF;
    # EUR: 1 000 + 40 + 100000 x 60 x 12,15 % / 365 = 19,97 -> 1 059,97 €
    assert "5 088,27 CHF" in text and "à déclarer aussi en EUR : 1 059,97 €" in text, text
    assert sorted(task.invoices) == ["F-CHF", "F-EUR"]


def test_the_main_currency_is_the_most_owed_then_the_first_invoice_s_then_the_euro() -> None:
    from types import SimpleNamespace

    from assistant.statutory.claims import _main_currency

    assert _main_currency({"EUR": 100, "USD": 500}, []) == "USD"
    assert _main_currency({"USD": 500, "CHF": 500}, []) == "CHF"  # a tie: by code
    usd = SimpleNamespace(currency="USD")
    assert _main_currency({}, [usd]) == "USD"  # type: ignore[list-item]
    assert _main_currency({}, []) == "EUR"


def test_owed_by_currency_sums_the_overdue_open_invoices_and_lists_every_unpaid_currency() -> None:
    from datetime import timedelta
    from types import SimpleNamespace

    from assistant.statutory.claims import owed_by_currency

    on = date(2026, 11, 30)

    def inv(status: str, currency: str, days: int, cents: int) -> SimpleNamespace:
        due = on + timedelta(days=days)
        return SimpleNamespace(status=status, currency=currency, due_date=due,
                               outstanding_cents=cents)  # fmt: skip

    invoices = [
        inv("paid", "GBP", -40, 0),  # paid: not owed at all
        inv("open", "EUR", -1, 100_00),
        inv("open", "EUR", 0, 40_00),  # due today: not late yet
        inv("disputed", "USD", -10, 70_00),  # unpaid, but not claimed
        inv("open", "CHF", 5, 50_00),  # not due
        inv("open", "EUR", -3, 5_00),
    ]
    assert owed_by_currency(invoices, on) == {"EUR": 105_00, "USD": 0, "CHF": 0}  # type: ignore[arg-type]
