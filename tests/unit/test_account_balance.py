"""Issue 12 rules on small hand-made files: sources agree, invoice identity, collective accounts,
CSV layouts, statuses, currencies, LME, and the net amount in drafts, briefs and at send time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.errors import ImportRejected
from assistant.imports.fec import FEC_COLUMNS
from assistant.money import CurrencyMismatch, Money, Totals
from assistant.reasons import Code, Reason, render
from assistant.rules.actions import Action, Plan
from assistant.rules.balance import apply_balances, collective_holds, unallocated_credit_holds
from assistant.rules.holds import Hold, Holds
from assistant.rules.snapshot import Snapshot
from assistant.service import Service
from assistant.storage import balances, repo
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer, add_invoice

DAY = date(2026, 3, 16)


def csv_file(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def fec_file(path: Path, rows: list[list[str]]) -> Path:
    text = "\n".join("\t".join(r) for r in [list(FEC_COLUMNS), *rows]) + "\n"
    path.write_bytes(text.encode("utf-8"))
    return path


def fec_line(num: str, day: str, account: str, aux: str, name: str, piece: str, label: str,
             debit: str = "0,00", credit: str = "0,00", letter: str = "") -> list[str]:  # fmt: skip
    return ["VT", "Ventes", num, day, account, "Clients", aux, name, piece, day, label, debit,
            credit, letter, day if letter else "", day, "", ""]  # fmt: skip


INVOICES = ["N° facture", "Code client", "Raison sociale", "Date facture", "Échéance",
            "Montant TTC", "Reste à payer"]  # fmt: skip


# -- Money ---------------------------------------------------------------------------------------
def test_money_refuses_to_mix_currencies_and_totals_stay_per_currency() -> None:
    eur = Money(123456, "EUR")
    assert (eur + Money(44, "EUR")).json() == "1235.00"
    assert Money(5, "USD") < Money(6, "USD")
    with pytest.raises(CurrencyMismatch):
        eur + Money(1, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = eur < Money(1, "USD")
    with pytest.raises(TypeError):
        Money(12.5, "EUR")  # type: ignore[arg-type]
    totals = Totals()
    for money in (eur, Money(1000, "USD"), Money(44, "EUR")):
        totals.add(money)
    assert totals.by_currency() == {"EUR": "1235.00", "USD": "10.00"}


# -- sources agree -------------------------------------------------------------------------------
def test_an_older_export_never_reopens_what_a_payment_paid(
    service: Service, tmp_path: Path
) -> None:
    monday = csv_file(tmp_path / "lundi.csv", [INVOICES,
        ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "1000,00", "1000,00"]])  # fmt: skip
    service.import_file("invoices", monday)
    pay = csv_file(tmp_path / "p.csv", [["N° facture", "Date de règlement", "Montant réglé"],
                                        ["F1", "10/02/2026", "400,00"]])  # fmt: skip
    service.import_file("payments", pay)
    again = service.import_file("invoices", monday)  # the same (older) export, read again
    assert service.invoice("F1").outstanding_cents == 60000
    assert len(again.kept_paid) == 1 and again.kept_paid[0].startswith("F1 : ")
    # a newer export that knows more is taken: 250 left
    newer = csv_file(tmp_path / "mardi.csv", [INVOICES,
        ["F1", "C1", "Dupont", "05/01/2026", "04/02/2026", "1000,00", "250,00"]])  # fmt: skip
    service.import_file("invoices", newer)
    assert service.invoice("F1").outstanding_cents == 25000
    service.import_file("invoices", monday)  # the old one again: still 250
    assert service.invoice("F1").outstanding_cents == 25000


def test_a_payment_seen_by_the_fec_and_the_payments_file_counts_once(
    service: Service, tmp_path: Path
) -> None:
    fec = fec_file(tmp_path / "FEC.txt", [
        fec_line("1", "20260105", "411000", "C1", "Dupont", "F1", "Facture F1", debit="1000,00"),
        fec_line("2", "20260210", "411000", "C1", "Dupont", "F1", "Règlement F1",
                 credit="400,00"),
    ])  # fmt: skip
    service.import_fec(fec)
    assert service.invoice("F1").outstanding_cents == 60000
    pay = csv_file(tmp_path / "p.csv", [["N° facture", "Date de règlement", "Montant réglé"],
                                        ["F1", "12/02/2026", "400,00"]])  # fmt: skip
    report = service.import_file("payments", pay)
    assert (report.added, report.unchanged, len(report.already_known)) == (0, 1, 1)
    assert service.invoice("F1").outstanding_cents == 60000
    # the payments file first, then the FEC: still once
    assert service.store.scalar("SELECT COUNT(*) FROM payments") == 1
    again = service.import_fec(fec)
    assert service.invoice("F1").outstanding_cents == 60000 and again.updated == 0


def test_payments_file_then_fec_counts_the_payment_once(service: Service, tmp_path: Path) -> None:
    first = fec_file(tmp_path / "FEC1.txt", [
        fec_line("1", "20260105", "411000", "C1", "Dupont", "F1", "Facture F1", debit="1000,00"),
    ])  # fmt: skip
    service.import_fec(first)
    pay = csv_file(tmp_path / "p.csv", [["N° facture", "Date de règlement", "Montant réglé"],
                                        ["F1", "09/02/2026", "400,00"]])  # fmt: skip
    service.import_file("payments", pay)
    later = fec_file(tmp_path / "FEC2.txt", [
        fec_line("1", "20260105", "411000", "C1", "Dupont", "F1", "Facture F1", debit="1000,00"),
        fec_line("2", "20260210", "411000", "C1", "Dupont", "F1", "Règlement F1",
                 credit="400,00"),
    ])  # fmt: skip
    report = service.import_fec(later)
    assert len(report.already_known) == 1
    assert service.invoice("F1").outstanding_cents == 60000
    assert service.store.scalar("SELECT COUNT(*) FROM payments") == 1


# -- invoice identity ----------------------------------------------------------------------------
def test_two_entries_under_one_piece_ref_are_an_error_not_a_sum(
    service: Service, tmp_path: Path
) -> None:
    fec = fec_file(tmp_path / "FEC.txt", [
        fec_line("1", "20260105", "411000", "C1", "Dupont", "F1", "Facture", debit="100,00"),
        fec_line("2", "20260105", "411000", "C1", "Dupont", "F1", "Facture", debit="100,00"),
    ])  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        service.import_fec(fec)
    assert caught.value.problems == [
        "FEC.txt:3: PieceRef: la facture F1 du client C1 est déjà débitée par l'écriture VT:1"
        " (ligne 2) : deux créances sous un même numéro (numéro de pièce à corriger)"
    ]
    assert service.store.scalar("SELECT COUNT(*) FROM invoices") == 0


def test_a_few_placeholder_refs_fall_back_to_the_entry_number(
    service: Service, tmp_path: Path
) -> None:
    fec = fec_file(tmp_path / "FEC.txt", [
        fec_line("1", "20260105", "411000", "C1", "Dupont", "F1", "Facture", debit="100,00"),
        fec_line("2", "20260106", "411000", "C1", "Dupont", "F2", "Facture", debit="200,00"),
        fec_line("3", "20260107", "411000", "C1", "Dupont", "x", "Facture", debit="300,00"),
    ])  # fmt: skip
    report = service.import_fec(fec)
    numbers = {r["number"] for r in service.store.query("SELECT number FROM invoices")}
    assert numbers == {"F1", "F2", "VT3"}
    assert report.numbering is not None and "1 ligne" in report.numbering


# -- collective accounts -------------------------------------------------------------------------
def test_a_collective_account_by_its_name_is_held_never_reminded(
    service: Service, tmp_path: Path
) -> None:
    fec = fec_file(tmp_path / "FEC.txt", [
        fec_line("1", "20260105", "411900", "411900", "CLIENTS 31,03,2020", "F1", "Facture",
                 debit="100,00"),
    ])  # fmt: skip
    report = service.import_fec(fec)
    assert report.collective == {"411900": "CLIENTS 31,03,2020"}
    plan = service.plan(DAY)
    assert [(a.customer_id, a.step, a.requires_human) for a in plan.actions] == [
        ("411900", "collective_account", True)
    ]
    assert balances.collective_accounts(service.store) == {"411900": "CLIENTS 31,03,2020"}


# -- CSV layouts ---------------------------------------------------------------------------------
def test_customers_client_and_nom_phone_and_mobile(service: Service, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "c.csv", [
        ["Client", "Nom", "Téléphone", "Portable"],
        ["C1", "Dupont SARL", "01 23 45 67 89", "06 11 22 33 44"],
        ["C2", "Martin", "", "06 55 66 77 88"],
    ])  # fmt: skip
    report = service.import_file("customers", path)
    assert report.added == 2 and report.ignored_columns == []
    assert (service.customer("C1").name, service.customer("C1").phone) == (
        "Dupont SARL", "01 23 45 67 89"
    )  # fmt: skip
    assert service.customer("C2").phone == "06 55 66 77 88"


def test_void_and_draft_invoices_are_never_receivables(service: Service, tmp_path: Path) -> None:
    header = [*INVOICES, "Statut", "Devise"]
    dates = ["05/01/2026", "04/02/2026"]
    path = csv_file(tmp_path / "f.csv", [header,
        ["F1", "C1", "Dupont", *dates, "100,00", "", "Envoyée", "USD"],
        ["F2", "C1", "Dupont", *dates, "200,00", "", "Brouillon", "EUR"],
        ["F3", "C1", "Dupont", *dates, "300,00", "", "Void", "EUR"],
        ["F4", "C1", "Dupont", *dates, "400,00", "", "Ouverte", "EUR"]])  # fmt: skip
    report = service.import_file("invoices", path)
    assert report.skipped_status == {"draft": ["F2"], "cancelled": ["F3"]}
    assert report.totals_by_currency == {"EUR": "400.00", "USD": "100.00"}
    assert service.invoice("F1").currency == "USD"
    # F4 is stored, then a later export says it is a draft again: no longer a receivable
    later = csv_file(tmp_path / "g.csv", [header,
        ["F4", "C1", "Dupont", *dates, "400,00", "", "Brouillon", "EUR"]])  # fmt: skip
    service.import_file("invoices", later)
    assert service.invoice("F4").status.value == "cancelled"


def test_terms_beyond_the_legal_cap_warn(service: Service, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "c.csv", [["Code client", "Raison sociale", "Délai de paiement"],
                                         ["C1", "Dupont", "90 jours"],
                                         ["C2", "Martin", "45 jours fin de mois"],
                                         ["C3", "Morel", "60 jours fin de mois"]])  # fmt: skip
    report = service.import_file("customers", path)
    assert [w.split(": ")[0] for w in report.warnings] == ["c.csv:2", "c.csv:4"]
    assert report.added == 3


# -- the net amount in messages, briefs and at send time -----------------------------------------
def _with_credit(service: Service, tmp_path: Path, credit: str) -> None:
    fec = fec_file(tmp_path / "FEC.txt", [
        fec_line("1", "20260201", "411000", "C1", "Dupont", "F1", "Facture", debit="1000,00"),
        fec_line("2", "20260301", "411000", "C1", "Dupont", "VIR1", "Virement", credit=credit),
    ])  # fmt: skip
    service.import_fec(fec, terms_days=30)
    with service.store.transaction():
        customer = repo.get_customer(service.store, "C1")
        assert customer is not None
        repo.upsert_customers(
            service.store, [customer.model_copy(update={"email": "c1@example.com"})], "test"
        )


def test_a_partly_unallocated_credit_lowers_the_reminder_and_is_mentioned(
    service: Service, tmp_path: Path
) -> None:
    _with_credit(service, tmp_path, "300,00")
    actions = [a for a in service.plan(DAY).actions if a.customer_id == "C1"]
    assert [(a.step, a.amount_cents) for a in actions] == [("reminder_2", 70000)]
    service.draft(DAY, offline=True)
    draft = service.drafts()[0]
    assert draft.total_cents == 70000
    assert "Montant total restant dû : 700,00\xa0€" in draft.body
    assert "moins 300,00\xa0€ déjà reçus" in draft.body
    brief = service.brief("C1", DAY, offline=True).as_json()
    assert (brief["outstanding"], brief["unallocated_credit"]) == ("700.00", "300.00")
    for option in brief["options"]:
        assert sum(int(i["amount"].replace(".", "")) for i in option["instalments"]) == 70000


def test_a_credit_arriving_after_approval_cancels_the_draft(
    service: Service, tmp_path: Path
) -> None:
    _with_credit(service, tmp_path, "0,01")  # a cent: the draft asks 999,99
    service.draft(DAY, offline=True)
    service.approve([1], on=DAY)
    with service.store.transaction():
        balances.replace_credits(
            service.store, "manual-test", ["C1"],
            [balances.StoredCredit("C1", "manual-test", "X", DAY, Money(20000))],
        )  # fmt: skip
    report = service.send()
    assert report.cancelled == [1]
    assert "crédit non affecté" in render(service.get_draft(1).error)


# -- the ceiling step by step (rules/balance.py on a hand-made snapshot and plan) ----------------
def _action(cid: str, *numbers: str, **fields: object) -> Action:
    values: dict[str, object] = {
        "customer_id": cid, "step": "reminder_1", "channel": "email", "invoices": numbers,
        "scheduled_for": DAY, "requires_human": False, "reason": "", "segment": "standard",
        "tone": "benevolent", "template": "reminder_1", "also_sms": True,
        "notify_salesperson": True,
    }  # fmt: skip
    values.update(fields)
    return Action(**values)  # type: ignore[arg-type]


def _snapshot(outstanding: dict[str, int], **fields: object) -> Snapshot:
    rows = [(n, "C1", 0, cents, None, None) for n, cents in outstanding.items()]
    return Snapshot(as_of=DAY, customers={}, invoices=rows, **fields)  # type: ignore[arg-type]


def _applied(snap: Snapshot, *actions: Action) -> list[Action]:
    plan = Plan(as_of=DAY, actions=list(actions))
    apply_balances(snap, plan)
    return plan.actions


def test_an_action_asks_its_invoices_less_the_credits_under_the_account_balance() -> None:
    snap = _snapshot({"F1": 60_000, "F2": 40_000, "F9": 1}, credits={"C1": {"EUR": 30_000}})
    [action] = _applied(snap, _action("C1", "F1", "F2"))
    assert (action.amount_cents, action.currency, action.by_currency) == (70_000, "EUR", ())
    assert (action.step, action.channel, action.template) == ("reminder_1", "email", "reminder_1")
    # the account's balance is lower still (another credit the plan's invoices do not show)
    account = balances.Balance("C1", open={"EUR": 100_000}, credit={"EUR": 55_000})
    snap = _snapshot({"F1": 60_000, "F2": 40_000}, credits={"C1": {"EUR": 30_000}},
                     balances={"C1": account})  # fmt: skip
    assert _applied(snap, _action("C1", "F1", "F2"))[0].amount_cents == 45_000
    # without credits nor balance: the invoices named; an invoice out of view counts too
    snap = _snapshot({"F1": 60_000}, extra_outstanding={"OLD": 5_000, "NOT_ASKED": 7})
    assert _applied(snap, _action("C1", "F1", "OLD"))[0].amount_cents == 65_000
    # an invoice settled since (no longer in the snapshot) asks nothing
    assert _applied(snap, _action("C1", "F1", "GONE"))[0].amount_cents == 60_000


def test_mixed_currencies_are_asked_each_under_its_own_ceiling() -> None:
    snap = _snapshot(
        {"F1": 60_000, "U1": 20_000, "U2": 5_000},
        currency_of={"U1": "USD", "U2": "USD"},
        credits={"C1": {"USD": 8_000, "GBP": 99}},
    )
    [action] = _applied(snap, _action("C1", "U1", "F1", "U2"))
    assert action.currency == "USD"  # the first invoice's currency
    assert action.amount_cents == 17_000
    assert action.by_currency == (("EUR", 60_000), ("USD", 17_000))
    [eur] = _applied(snap, _action("C1", "F1"))
    assert (eur.currency, eur.amount_cents, eur.by_currency) == ("EUR", 60_000, ())


def test_an_instalment_reminder_asks_the_instalment_at_most() -> None:
    snap = _snapshot({"F1": 60_000}, instalment_amounts={7: 25_000, 8: 90_000})
    [due, whole, unknown] = _applied(
        snap,
        _action("C1", "F1", instalment_id=7),
        _action("C1", "F1", instalment_id=8),
        _action("C1", "F1", instalment_id=9),
    )
    assert (due.amount_cents, whole.amount_cents, unknown.amount_cents) == (25_000, 60_000, 60_000)
    assert due.instalment_id == 7


def test_an_action_the_credit_covers_becomes_one_task_for_the_accountant() -> None:
    snap = _snapshot({"F1": 20_000, "F2": 30_000}, credits={"C1": {"EUR": 50_000}})
    first, second = _action("C1", "F1", instalment_id=3), _action("C1", "F2", step="call")
    other = _action("C2", "F3")  # another customer's action after them is kept
    snap.invoices.append(("F3", "C2", 0, 4_000, None, None))
    [task, kept] = _applied(snap, first, second, other)  # one task per customer, not per action
    assert (kept.customer_id, kept.step, kept.amount_cents) == ("C2", "reminder_1", 4_000)
    assert (task.step, task.channel, task.requires_human, task.amount_cents) == (
        "unallocated_credit", "task", True, 0
    )  # fmt: skip
    assert (task.also_sms, task.notify_salesperson, task.instalment_id) == (False, False, None)
    assert (task.template, task.tone, task.currency, task.invoices) == (None, None, "EUR", ("F1",))
    assert task.reason == Reason.of(Code.CREDIT_COVERS, c_cents=50_000, n_cents=20_000,
                                    currency="EUR")  # fmt: skip
    # the customer is held already (its task is in the plan): no second task
    held = _action("C1", step="unallocated_credit", channel="task", requires_human=True)
    assert [(a.step, a.amount_cents, a.currency) for a in _applied(snap, held, first)] == [
        ("unallocated_credit", 0, "EUR")  # naming no invoice: in euros
    ]
    # in dollars: the task is in dollars
    snap = _snapshot({"U1": 20_000}, currency_of={"U1": "USD"}, credits={"C1": {"USD": 20_000}})
    [usd] = _applied(snap, _action("C1", "U1"))
    assert (usd.step, usd.currency, usd.reason.values) == (
        "unallocated_credit", "USD", {"c_cents": 20_000, "n_cents": 20_000, "currency": "USD"}
    )  # fmt: skip
    # euros owing nothing and dollars covered: the task names the action's currency (euros),
    # where there is no credit
    snap = _snapshot({"E0": 0, "U1": 20_000}, currency_of={"U1": "USD"},
                     credits={"C1": {"USD": 50_000}})  # fmt: skip
    [mixed] = _applied(snap, _action("C1", "E0", "U1"))
    assert (mixed.step, mixed.currency, mixed.reason.values) == (
        "unallocated_credit", "EUR", {"c_cents": 0, "n_cents": 0, "currency": "EUR"}
    )  # fmt: skip
    # a credit in another currency covers nothing here
    snap = _snapshot({"F1": 20_000}, credits={"C1": {"USD": 50_000}})
    assert _applied(snap, first)[0].amount_cents == 20_000
    # nothing owed and no credit: kept, asking nothing (no task made up)
    snap = _snapshot({"F1": 0})
    assert [(a.step, a.amount_cents) for a in _applied(snap, first)] == [("reminder_1", 0)]


def test_a_hold_task_asks_nothing_and_is_kept_as_it_is() -> None:
    holds = Holds()
    holds.add(Hold("reply_pending", "C1", Reason.of(Code.COLLECTIVE_ACCOUNT, w="x")))
    holds.add(Hold("payment_match", "C2", Reason.of(Code.COLLECTIVE_ACCOUNT, w="y"), "F2"))
    snap = _snapshot({"F1": 20_000, "F2": 30_000}, holds=holds, credits={"C1": {"EUR": 1}})
    task = _action("C1", "F1", step="reply_pending", channel="task", requires_human=True)
    match = _action("C2", "F2", step="payment_match", channel="task", requires_human=True)
    mail = _action("C1", "F1", step="reply_pending")  # not a task: the ceiling applies
    assert [(a.step, a.channel, a.amount_cents) for a in _applied(snap, task, match, mail)] == [
        ("reply_pending", "task", 0), ("payment_match", "task", 0),
        ("reply_pending", "email", 19_999),
    ]  # fmt: skip


def test_the_credit_hold_names_the_first_currency_in_credit_and_its_amount(store: Store) -> None:
    add_customer(store, "C1")
    add_customer(store, "C2")
    add_customer(store, "C3")
    add_invoice(store, "F1", DAY, cents=10_000, cid="C1")
    add_invoice(store, "F2", DAY, cents=10_000, cid="C2")
    add_invoice(store, "F3", DAY, cents=10_000, cid="C3")
    credits = [
        balances.StoredCredit("C1", "fec", "R1", DAY, Money(10_000)),  # exactly the balance
        balances.StoredCredit("C1", "fec", "R2", DAY, Money(700, "USD")),
        balances.StoredCredit("C2", "fec", "R3", DAY, Money(9_999)),  # one cent still owed
        balances.StoredCredit("C3", "fec", "R4", DAY, Money(400, "GBP")),
        balances.StoredCredit("C3", "fec", "R5", DAY, Money(300, "USD")),
    ]
    with store.transaction():
        balances.replace_credits(store, "fec", ["C1", "C2", "C3"], credits)
    held = list(unallocated_credit_holds(store, DAY))
    assert [(h.code, h.customer_id, h.amount_cents, h.task) for h in held] == [
        ("unallocated_credit", "C1", 10_000, True),  # EUR first; USD is not a second hold
        ("unallocated_credit", "C3", 400, True),  # GBP before USD
    ]
    assert held[0].reason == Reason.of(Code.UNALLOCATED_CREDIT, c_cents=10_000, b_cents=0,
                                       currency="EUR")  # fmt: skip
    assert held[1].reason.values == {"c_cents": 400, "b_cents": -400, "currency": "GBP"}
    assert [h.customer_id for h in unallocated_credit_holds(store, DAY, frozenset({"C3"}))] == [
        "C3"
    ]


def test_a_collective_account_hold_says_why(store: Store) -> None:
    add_customer(store, "411900", name="CLIENTS DIVERS")
    add_customer(store, "C1")
    with store.transaction():
        balances.set_collective(store, "411900", "CLIENTS DIVERS")
    held = list(collective_holds(store, DAY))
    assert [(h.code, h.customer_id, h.task, h.invoice_number) for h in held] == [
        ("collective_account", "411900", True, None)
    ]
    assert held[0].reason == Reason.of(Code.COLLECTIVE_ACCOUNT, w="CLIENTS DIVERS")
    assert list(collective_holds(store, DAY, frozenset({"C1"}))) == []
