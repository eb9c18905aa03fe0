"""Real exports (tests/data/real, see SOURCES.md): each imports with the right open invoices to
the cent and the right customers; the plan never asks more than an account owes; re-import is
idempotent; a refused copy leaves the database byte-for-byte unchanged.

Expected figures are written out (hand arithmetic in the comments) and cross-checked by
`books_balance`, a few lines of plain splitting that never use relance's parsers.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.errors import ImportRejected
from assistant.imports import ImportReport
from assistant.service import Service
from assistant.storage import balances
from tests.support.stores import content_digest

REAL = Path(__file__).parent.parent / "data" / "real"
AS_OF = date(2024, 4, 15)


def books_balance(name: str, encoding: str) -> dict[str, Decimal]:
    """Customer -> 411* debits minus credits, straight from the file's columns."""
    text = (REAL / name).read_bytes().decode(encoding, errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    sep = "\t" if "\t" in lines[0] else "|"
    header = lines[0].split(sep)
    col = {h: i for i, h in enumerate(header)}
    found: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines[1:]:
        cells = line.split(sep)
        account = cells[col["CompteNum"]]
        if not account.startswith(("411", "416")):
            continue
        who = cells[col["CompAuxNum"]] or account

        def number(cell: str) -> Decimal:
            return Decimal(cell.strip().replace(",", ".") or "0")

        if "Debit" in col:
            found[who] += number(cells[col["Debit"]]) - number(cells[col["Credit"]])
        else:
            sign = 1 if cells[col["Sens"]] == "D" else -1
            found[who] += sign * number(cells[col["Montant"]])
    return {who: value for who, value in found.items() if value}


def open_invoices(service: Service) -> dict[str, tuple[str, int, str]]:
    rows = service.store.query(
        "SELECT number, customer_id, outstanding_cents, currency FROM invoices"
        " WHERE status IN ('open', 'disputed') AND outstanding_cents > 0"
    )
    return {r["number"]: (r["customer_id"], r["outstanding_cents"], r["currency"]) for r in rows}


def relance_balance(service: Service) -> dict[str, Decimal]:
    """Customer -> open invoices minus unallocated credits, as relance stores them."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for _, (cid, cents, _) in open_invoices(service).items():
        out[cid] += Decimal(cents) / 100
    for credit in balances.credits_of(service.store):
        out[credit.customer_id] -= Decimal(credit.money.cents) / 100
    return {c: v for c, v in out.items() if v}


def assert_plan_within_balances(service: Service) -> list[dict]:
    """plan --json: no action asks more than the account balance; none acts on a customer at
    zero or in credit (a person's task asks nothing)."""
    actions = [a.as_json() for a in service.plan(AS_OF).actions]
    accounts = balances.balances(
        service.store, {a["customer_id"] for a in actions}
    )  # every customer acted on
    for action in actions:
        account = accounts[action["customer_id"]]
        net = account.net(action["currency"]).cents
        asked = int(Decimal(action["amount"]) * 100)
        if net <= 0:
            assert action["channel"] == "task" and asked == 0, action
        assert asked <= max(net, 0), action
        assert action["amount"] == f"{Decimal(asked) / 100:.2f}"
    return actions


def db_digest(service: Service) -> str:
    """What the database holds (the file's bytes on SQLite, every row on PostgreSQL)."""
    return content_digest(service.store, service.settings.db_path)


def state(service: Service) -> list[list]:
    return [
        service.store.query(f"SELECT * FROM {table} ORDER BY 1, 2")
        for table in ("customers", "invoices", "payments", "customer_credits")
    ]


def check_idempotent(service: Service, run) -> None:  # type: ignore[no-untyped-def]
    before, events = state(service), len(service.store.events())
    again: ImportReport = run()
    assert (again.added, again.updated) == (0, 0)
    strip = [[{k: v for k, v in r.items() if k != "updated_at"} for r in t] for t in before]
    after = [[{k: v for k, v in r.items() if k != "updated_at"} for r in t] for t in state(service)]
    assert after == strip
    kinds = [e["kind"] for e in service.store.events()[events:]]
    assert kinds == ["import.completed"]


def check_refused_copy_changes_nothing(service: Service, tmp_path: Path, kind: str, name: str,
                                       bad_line: bytes) -> None:  # fmt: skip
    data = (REAL / name).read_bytes()
    copy = tmp_path / name
    copy.write_bytes(data.rstrip(b"\r\n") + b"\r\n" + bad_line + b"\r\n")
    digest = db_digest(service)
    with pytest.raises(ImportRejected):
        if kind == "fec":
            service.import_fec(copy)
        else:
            service.import_file(kind, copy)
    assert db_digest(service) == digest


# -- FEC files ------------------------------------------------------------------------------
def test_odoo_fec_invoice_numbered_by_entry_and_a_credit_without_partner(
    service: Service, tmp_path: Path
) -> None:
    report = service.import_fec(REAL / "odoo_fec_misc_credit.txt")
    # one invoice, 1437.12 + 1676.64 + 3353.28 + 1293.41 VAT = 7760.45 on partner 7;
    # the MISC entry credits 411100 by 500.00 with no partner: an unallocated credit
    assert open_invoices(service) == {"INV/2021/00001": ("7", 776045, "EUR")}
    assert report.numbering and "EcritureNum" in report.numbering
    assert [(u.customer_id, u.amount_cents) for u in report.unallocated] == [("411100", 50000)]
    assert relance_balance(service) == books_balance("odoo_fec_misc_credit.txt", "utf-8")
    assert [(c, code) for c, code, _ in report.held] == [("411100", "unallocated_credit")]
    actions = assert_plan_within_balances(service)
    assert {(a["customer_id"], a["step"], a["amount"]) for a in actions} == {
        ("7", "reminder_2", "7760.45"), ("411100", "unallocated_credit", "0.00")
    }  # fmt: skip
    check_idempotent(service, lambda: service.import_fec(REAL / "odoo_fec_misc_credit.txt"))
    bad = b"INV|Customer Invoices|INV/2021/00002|20211399|411100|C|7|partner_a|-|20210502|x|1,00|0,00|||20210502||"  # noqa: E501
    check_refused_copy_changes_nothing(service, tmp_path, "fec", "odoo_fec_misc_credit.txt", bad)


def test_two_odoo_invoices_with_piece_ref_dash_stay_separate(
    service: Service, tmp_path: Path
) -> None:
    report = service.import_fec(REAL / "odoo_fec_four_invoices.txt")
    # 100 + 200 + 300 + 400 = 1000.00, four invoices, never one invoice "-" of 1000.00
    assert open_invoices(service) == {
        f"INV/2021/0000{i}": ("7", i * 10000, "EUR") for i in range(1, 5)
    }
    assert report.open_cents == 100000 and report.added == 4
    assert service.store.scalar("SELECT COUNT(*) FROM invoices WHERE number = '-'") == 0
    assert relance_balance(service) == books_balance("odoo_fec_four_invoices.txt", "utf-8")
    actions = assert_plan_within_balances(service)
    assert [(a["invoices"], a["amount"]) for a in actions] == [
        ([f"INV/2021/0000{i}" for i in range(1, 5)], "1000.00")
    ]
    check_idempotent(service, lambda: service.import_fec(REAL / "odoo_fec_four_invoices.txt"))
    bad = b"INV|Customer Invoices|INV/2021/00005|20210101|411100|R|7|partner_a|-|20210101|x|1,0,0|0,00|||20210101||"  # noqa: E501
    check_refused_copy_changes_nothing(service, tmp_path, "fec", "odoo_fec_four_invoices.txt", bad)


def test_odoo_opening_balance_and_invoice_stay_two_receivables(
    service: Service, tmp_path: Path
) -> None:
    service.import_fec(REAL / "odoo_fec_opening_balance.txt")
    # the opening entry (3000.00 carried from 2019) and INV/2020/00001 (1000 + 2000)
    assert open_invoices(service) == {
        "OUVERTURE/2020": ("7", 300000, "EUR"),
        "INV/2020/00001": ("7", 300000, "EUR"),
    }
    assert relance_balance(service) == books_balance("odoo_fec_opening_balance.txt", "utf-8")
    assert_plan_within_balances(service)
    check_idempotent(service, lambda: service.import_fec(REAL / "odoo_fec_opening_balance.txt"))
    # a customer line without a usable date: refused
    bad = b"INV|Customer Invoices|INV/2020/00002|2020-02-31|411100|R|7|partner_a|-|20200102|/|5,00|0,00|||20200102||"  # noqa: E501
    check_refused_copy_changes_nothing(
        service, tmp_path, "fec", "odoo_fec_opening_balance.txt", bad
    )


def test_quadra_tab_cp1252_lettering_dos_names_and_collective_account(
    service: Service, tmp_path: Path
) -> None:
    name = "quadra_style_fec_tab_cp1252.txt"
    report = service.import_fec(REAL / name)
    # MARTIN: FA1001 1200 lettered AA with 1200 -> paid; FA1002 800 lettered AB with 300 -> 500
    # DUPONT: FA1003 600 + FA1004 458.88 open, 1058.88 paid on account (unlettered) -> held
    # 411000 "Clients": FA1005 150 + FA1006 240 + FA1007 90 of three companies -> collective
    assert open_invoices(service) == {
        "FA1002": ("C00002", 50000, "EUR"),
        "FA1003": ("C00001", 60000, "EUR"),
        "FA1004": ("C00001", 45888, "EUR"),
        "FA1005": ("411000", 15000, "EUR"),
        "FA1006": ("411000", 24000, "EUR"),
        "FA1007": ("411000", 9000, "EUR"),
    }
    assert (report.receivable_lines, report.open_invoices, report.open_cents) == (10, 6, 203888)
    assert service.customer("C00001").name == "SOCIÉTÉ DUPONT"
    assert len(report.repairs) == 3 and all("SOCIÉTÉ DUPONT" in r for r in report.repairs)
    assert [w.split(": ")[0] for w in report.warnings] == [f"{name}:2"]  # supplier line, 401
    assert set(report.collective) == {"411000"}
    assert relance_balance(service) == books_balance(name, "cp1252")
    held = {(c, code) for c, code, _ in report.held}
    assert held == {("C00001", "unallocated_credit"), ("411000", "collective_account")}
    actions = assert_plan_within_balances(service)
    steps = {a["customer_id"]: (a["step"], a["amount"]) for a in actions}
    assert steps == {
        "C00001": ("unallocated_credit", "0.00"),
        "411000": ("collective_account", "0.00"),
        "C00002": ("reminder_2", "500.00"),  # a written reminder before any call
    }
    reason = next(a["reason"] for a in actions if a["customer_id"] == "C00001")
    assert "crédit non affecté de 1\u202f058,88\xa0€ à lettrer" in reason
    check_idempotent(service, lambda: service.import_fec(REAL / name))
    cells = ["VT", "VENTES", "9", "20240230", "411000", "Clients", "C00009", "X", "FA1009",
             "20240230", "x", "10,00", "0,00", "", "", "20240230", "", ""]  # fmt: skip
    bad = "\t".join(cells).encode()
    check_refused_copy_changes_nothing(service, tmp_path, "fec", name, bad)


def test_quadra_collective_account_split_by_the_labels(service: Service) -> None:
    report = service.import_fec(REAL / "quadra_style_fec_tab_cp1252.txt", split_collective=True)
    assert report.split_lines == 3 and report.collective == {}
    split = {n: cid for n, (cid, _, _) in open_invoices(service).items() if n >= "FA1005"}
    assert split == {
        "FA1005": "411000-BOULANGERIE-PETIT",
        "FA1006": "411000-GARAGE-DURAND",
        "FA1007": "411000-PHARMACIE-CENTRE",
    }
    assert not balances.collective_accounts(service.store)


def test_sage_montant_sens_credit_note_and_payment_on_account(
    service: Service, tmp_path: Path
) -> None:
    name = "sage_style_fec_montant_sens_pipe.txt"
    report = service.import_fec(REAL / name)
    # BERTIN: F2024-031 1500 open, credit note AV2024-004 99 referencing nothing -> 1401 asked
    # CARON: F2024-032 2400 paid by a payment carrying its PieceRef
    # LEROY: 26836.10 + 39011.61 = 65847.71 open, 39011.61 on account -> 26836.10 asked
    assert open_invoices(service) == {
        "F2024-031": ("411BERTIN", 150000, "EUR"),
        "F2024-033": ("411LEROY", 2683610, "EUR"),
        "F2024-034": ("411LEROY", 3901161, "EUR"),
    }
    assert report.open_cents == 150000 + 2683610 + 3901161
    assert [(u.customer_id, u.amount_cents) for u in report.unallocated] == [
        ("411BERTIN", 9900), ("411LEROY", 3901161)
    ]  # fmt: skip
    assert relance_balance(service) == books_balance(name, "utf-8")
    actions = assert_plan_within_balances(service)
    asked = {a["customer_id"]: a["amount"] for a in actions}
    assert asked == {"411BERTIN": "1401.00", "411LEROY": "26836.10"}
    check_idempotent(service, lambda: service.import_fec(REAL / name))
    bad = b"VE|Ventes|VE9|20240201|411000|Clients|411X|X|F9|20240201|x|12,00|Z|||20240201||"
    check_refused_copy_changes_nothing(service, tmp_path, "fec", name, bad)


def test_agrigest_stray_bytes_in_payroll_lines_are_warnings(
    service: Service, tmp_path: Path
) -> None:
    name = "agrigest_style_fec_tab_utf8.txt"
    report = service.import_fec(REAL / name)
    # COOPAGRI: VT-2024-010 3200 lettered A with 3200 -> paid; VT-2024-011 1800 open
    # GAECMOR: 650 open, 800 received unlettered -> in credit by 150, held
    # ETSBRUN: 420 open, credit note 420 without reference -> at zero, held
    assert open_invoices(service) == {
        "VT-2024-011": ("COOPAGRI", 180000, "EUR"),
        "VT-2024-012": ("GAECMOR", 65000, "EUR"),
        "VT-2024-013": ("ETSBRUN", 42000, "EUR"),
    }
    assert [w.split(": ")[0] for w in report.warnings] == [f"{name}:{n}" for n in range(21, 26)]
    assert all("0xE9" in w for w in report.warnings)
    assert relance_balance(service) == books_balance(name, "latin-1")
    held = {c for c, code, _ in report.held if code == "unallocated_credit"}
    assert held == {"GAECMOR", "ETSBRUN"}
    actions = assert_plan_within_balances(service)
    assert {a["customer_id"]: a["amount"] for a in actions} == {
        "COOPAGRI": "1800.00", "GAECMOR": "0.00", "ETSBRUN": "0.00"
    }  # fmt: skip
    assert service.customer("GAECMOR").name == "GAEC des Mûriers"
    check_idempotent(service, lambda: service.import_fec(REAL / name))
    # a stray byte on a line relance needs (a customer line) refuses the file
    cells = ["VT", "Ventes", "VT0099", "20240301", "411000", "Clients", "X1", "Brûlé", "VT-99",
             "20240301", "x", "1,00", "0,00", "", "", "20240301", "", ""]  # fmt: skip
    bad = "\t".join(cells).encode("latin-1")
    check_refused_copy_changes_nothing(service, tmp_path, "fec", name, bad)


# -- invoicing tools -----------------------------------------------------------------------------
def test_zoho_line_items_drafts_and_currency(service: Service, tmp_path: Path) -> None:
    report = service.import_file("invoices", REAL / "zoho_invoices.csv")
    rows = list(csv.DictReader((REAL / "zoho_invoices.csv").open(newline="")))
    numbers = {r["Invoice Number"] for r in rows}
    assert len(rows) == 13 and numbers == {"INV-000001", "INV-000002", "INV-000003"}
    assert {r["Invoice Status"] for r in rows} == {"Draft"}
    # 13 line rows of 3 invoices: 10 merged; every invoice is a draft: none is a receivable
    assert report.merged_rows == 10
    assert sorted(report.skipped_status["draft"]) == sorted(numbers)
    assert open_invoices(service) == {} and report.added == 0
    assert service.plan(AS_OF).actions == []
    check_idempotent(service, lambda: service.import_file("invoices", REAL / "zoho_invoices.csv"))
    # a line of INV-000003 whose total disagrees with its other lines: refused, nothing written
    last = (REAL / "zoho_invoices.csv").read_bytes().splitlines()[-1]
    bad = last.replace(b",390.00,390.00,390.00,", b",391.00,391.00,391.00,")
    assert bad != last
    check_refused_copy_changes_nothing(service, tmp_path, "invoices", "zoho_invoices.csv", bad)


def test_invoice_ninja_names_without_codes_paid_column_dollars(
    service: Service, tmp_path: Path
) -> None:
    name = "invoiceninja_v4_invoices.csv"
    report = service.import_file("invoices", REAL / name)
    lines = (REAL / name).read_text().splitlines()[3:]
    seen: dict[str, Decimal] = {}
    for row in csv.DictReader(lines):
        amount = Decimal(row["Amount"].lstrip("$")) - Decimal(row["Paid"].lstrip("$"))
        seen[row["Invoice Number"]] = amount
    # amount - paid: 19.73 + 18.29 + 28.07 + 1.56 + 6.23 + 4.75 + 46.35 + 10.55 + 12.68
    # + 19.71 + 27.54 + 28.56 = 224.02 USD on 12 invoices
    assert sum(seen.values()) == Decimal("224.02") and len(seen) == 12
    stored = open_invoices(service)
    assert {n: Decimal(c) / 100 for n, (_, c, _) in stored.items()} == seen
    assert {cur for _, _, cur in stored.values()} == {"USD"}
    assert report.totals_by_currency == {"USD": "224.02"} and report.merged_rows == 1
    customers = {cid for cid, _, _ in stored.values()}
    assert customers == {"LUDWIG-KRAJCIK-DVM", "BRADLY-JASKOLSKI-SR", "MR-DUSTIN-STEHR-I"}
    assert any("déduit" in w for w in report.warnings)
    lme = [w for w in report.warnings if "L441-10" in w]
    assert [w.split(" : ")[0].split(": ")[1] for w in lme] == [
        "facture 10", "facture 13", "facture 14", "facture 19", "facture 44", "facture 82"
    ]  # fmt: skip
    actions = assert_plan_within_balances(service)
    assert {a["currency"] for a in actions} == {"USD"}
    check_idempotent(service, lambda: service.import_file("invoices", REAL / name))
    bad = b"Mr. Dustin Stehr I,x@example.org,83,$20.08,$30.00,,Partial,2020-03-19,2020-03-29"
    check_refused_copy_changes_nothing(service, tmp_path, "invoices", name, bad)


def test_zoho_contacts_name_and_phone_columns_by_preference(
    service: Service, tmp_path: Path
) -> None:
    report = service.import_file("customers", REAL / "zoho_contacts.csv")
    assert report.added == 5
    defenders = service.customer("2520018000000073061")
    # Phone 888-867-5309 beside MobilePhone 98754321: the landline is the phone
    assert (defenders.name, defenders.phone) == ("Defenders", "888-867-5309")
    assert defenders.payment_terms_days == 15
    simpsons = service.customer("2520018000000073048")
    assert (simpsons.email, simpsons.payment_terms_days) == ("marge@simpsonsbaking.com", 30)
    assert service.customer("2520018000000073005").phone is None
    check_idempotent(service, lambda: service.import_file("customers", REAL / "zoho_contacts.csv"))
    bad = (
        (REAL / "zoho_contacts.csv")
        .read_bytes()
        .splitlines()[-1]
        .replace(b"lucas@powerman.com", b"lucas@")
    )
    check_refused_copy_changes_nothing(service, tmp_path, "customers", "zoho_contacts.csv", bad)


def test_freshbooks_clients_without_codes(service: Service, tmp_path: Path) -> None:
    report = service.import_file("customers", REAL / "freshbooks_clients.csv")
    assert report.added == 2
    marge = service.customer("MARGE-SIMPSON")
    assert (marge.email, marge.phone, marge.country) == ("marge@simpsons.com", "867-5309", "US")
    assert service.customer("X-MEN").name == "X-Men"
    assert any("déduits des noms" in w for w in report.warnings)
    check_idempotent(
        service, lambda: service.import_file("customers", REAL / "freshbooks_clients.csv")
    )
    bad = b"Wayne Enterprises,Bruce,Wayne,bruce@,555,,,,Gotham,,"
    check_refused_copy_changes_nothing(
        service, tmp_path, "customers", "freshbooks_clients.csv", bad
    )
