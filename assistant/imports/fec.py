"""FEC import (Fichier des Écritures Comptables): open receivables from customer accounts.

Only lines on customer accounts (`CompteNum` starting with 411, or 416 for doubtful customers)
are used, and read strictly; any other line (payroll, purchases, bank...) is never a reason to
refuse the file: a bad byte or a control character there is a warning naming the line
(`fec_text.py`). Customer names keep a well-known repair: DOS code page letters (byte 0x90 for `É`)
are mended and listed in the report.

The customer is `CompAuxNum` (or the account number when there is no auxiliary account), named
`CompAuxLib` (or `CompteLib`); unknown customers are created, known ones are left as they are.
A collective account (`collective.py`) is flagged and held; `--split-collective` gives each
third party its labels name a customer of its own.

Invoice identity (`identity.py`): each debit line is (part of) an invoice numbered by its
`PieceRef`, unless the file writes a placeholder there (`-`, `x`, empty, or one value shared by
entries of different amounts or dates): then the file's numbers come from `EcritureNum`, and
the report says so. Two different entries debiting one number for one customer are an error,
never a sum. Issue date `PieceDate`, amount = the sum of its debit lines, due date = issue
date + the customer's `payment_terms_days` (to the end of that month for "45 jours fin de
mois" terms), else the default terms passed in (the policy's `default_payment_terms_days`).

What is still open, per customer account:
1. Lettering (`EcritureLet`): the credits of a letter group settle the debits of the same group,
   oldest invoice first. A balanced group settles them all; a partially lettered group (credits
   short of the debits) leaves the residual open on its newest invoice(s). Credits beyond the
   debits of their group are an unallocated credit.
2. An unlettered credit with the `PieceRef` of an invoice of the same customer reduces it
   (a payment or credit note referencing the invoice).
3. Any other unlettered credit (a payment on account, a credit note without reference, what is
   left of the credits above) is NOT applied: guessing which invoice it pays would silently
   hide overdue invoices or remind the wrong ones. It is stored per customer as an
   "unallocated credit" with its FEC lines, for the accountant to letter; the planner never
   asks that customer for more than its balance (`rules/balance.py`).

Credits applied to an invoice are recorded as payments of source `fec` (`sources.py`: one
payment is counted once across sources). All invoices of the file are stored, settled ones as
`paid` (paid on the lettering date `DateLet`, else the date of the last credit applied), so a
re-import after lettering closes them. Amounts are the book amounts (`Debit`/`Credit`, or
`Montant` + `Sens`); `Montantdevise` and `Idevise` are ignored. Re-importing the same file
changes nothing.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from assistant.dates import due_after
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports import collective, identity, values
from assistant.imports.columns import ColumnMap, header_key
from assistant.imports.fec_text import repair_dos
from assistant.imports.invoices import record_transitions
from assistant.imports.reader import Table, garbage_in
from assistant.imports.report import ImportReport, UnallocatedCredit
from assistant.imports.rows import Problems, RowView
from assistant.imports.sources import Seen, outstanding, paid_known, reconcile
from assistant.models import Customer, Invoice, InvoiceStatus
from assistant.money import Money, Totals
from assistant.storage import balances, repo
from assistant.storage.db import Store

DEFAULT_TERMS_DAYS = 30
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
FEC_DELIMITERS = ("\t", "|")
FEC_QUOTING = csv.QUOTE_NONE  # the FEC format has no quoting
_ALT_AMOUNTS = ("Montant", "Sens")  # allowed instead of Debit/Credit
_KEYS = {header_key(name): name for name in (*FEC_COLUMNS, *_ALT_AMOUNTS)}
CUSTOMER_ACCOUNT_PREFIXES = ("411", "416")
SOURCE = "fec"
_NAMES = ("CompAuxLib", "CompteLib")
MAX_LISTED = 10  # warnings shown in the text report (the JSON lists them all)


def recognises(header: str) -> bool:
    return header_key(header) in _KEYS


@dataclass
class _Line:
    line: int
    customer_id: str
    customer_name: str
    piece_ref: str
    piece_date: date
    entry_date: date
    net: int  # debit - credit, cents
    letter: str
    date_let: date | None
    journal: str = ""
    entry: str = ""
    label: str = ""
    account: str = ""
    has_aux: bool = True
    number: str = ""  # the invoice number of a debit line (identity.py)

    @property
    def entry_key(self) -> str:
        return f"{self.journal}:{self.entry}"


@dataclass
class _Open:
    """One debit line of an invoice and what is still open on it."""

    number: str
    line: _Line
    open: int
    settled_on: date | None = None
    applied: list[Seen] = field(default_factory=list)  # credits applied to it


@dataclass
class _Customer:
    id: str
    name: str
    debits: list[_Open] = field(default_factory=list)
    credits: list[_Line] = field(default_factory=list)
    unallocated: int = 0
    unallocated_lines: list[int] = field(default_factory=list)
    stored_credits: dict[str, list] = field(default_factory=dict)  # ref -> [date, cents, lines]


def import_fec(
    store: Store,
    table: Table,
    *,
    actor: str,
    terms_days: int = DEFAULT_TERMS_DAYS,
    split_collective: bool = False,
) -> ImportReport:
    columns = _map_fec_columns(table)
    problems = Problems(table.name)
    report = ImportReport("fec", table.name, table.sha256, rows_read=len(table.rows))
    report.header_line = table.header_line
    lines = _read_lines(table, columns, problems, report)
    problems.raise_if_any(len(table.rows))
    report.receivable_lines = len(lines)
    flagged = _collective(lines, split_collective, report)

    numbering = identity.choose(lines)
    report.numbering = numbering.describe()
    for line in lines:
        line.number = numbering.number_of(line)
    _check_identity(lines, problems)
    problems.raise_if_any(len(table.rows))

    customers = _by_customer(lines)
    report.touched = set(customers)
    for customer in customers.values():
        _settle(customer, numbering)
    known = repo.customers_by_id(store, customers)
    new = [Customer(id=c.id, name=c.name) for c in customers.values() if c.id not in known]
    report.customers_added = repo.upsert_customers(store, new, actor).added
    for cid in sorted(customers):
        if balances.set_collective(store, cid, flagged.get(cid)):
            store.record_event(
                "customer.collective",
                actor=actor,
                customer_id=cid,
                data={"collective": cid in flagged, "reason": flagged.get(cid)},
            )

    invoices = _invoices(customers, known, terms_days)
    stored = repo.invoices_by_number(store, (i.number for i in invoices))
    invoices = [_keep_local(i, stored.get(i.number)) for i in invoices]
    writes = _agree(store, customers, invoices, report)
    counts = repo.upsert_invoices(store, invoices, actor)
    report.added, report.updated, report.unchanged = counts.added, counts.updated, counts.unchanged
    _write_payments(store, writes, actor)
    record_transitions(store, invoices, stored, actor, table.name, report)
    report.open_invoices = sum(1 for i in invoices if i.outstanding_cents > 0)
    report.open_cents = sum(i.outstanding_cents for i in invoices)
    report.totals_by_currency = open_by_currency(invoices)
    _store_credits(store, customers, table.name, report)
    return report


def open_by_currency(invoices: list[Invoice]) -> dict[str, str]:
    totals = Totals()
    for invoice in invoices:
        if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.DISPUTED):
            totals.add(Money(invoice.outstanding_cents, invoice.currency))
    return totals.by_currency()


def _receivable(account: str) -> bool:
    return account.startswith(CUSTOMER_ACCOUNT_PREFIXES)


def _read_lines(
    table: Table, columns: ColumnMap, problems: Problems, report: ImportReport
) -> list[_Line]:
    """The customer-account lines, strictly; other lines only warn (bytes, control chars)."""
    width = len(table.headers)
    notes = table.notes or {}
    found: list[_Line] = []
    for row in table.rows:
        view = RowView(row, columns, problems)
        account = values.text(view.raw("CompteNum"))
        if not _receivable(account):
            why = notes.get(row.line) or next(
                (g for c in row.cells if isinstance(c, str) and (g := garbage_in(c))), None
            )
            if why:
                report.warnings.append(
                    tr(
                        "{f}:{n}: {w} (compte {a}, ligne non utilisée : ignorée)",
                        "{f}:{n}: {w} (account {a}, line not used: ignored)",
                        f=table.name,
                        n=row.line,
                        w=why,
                        a=account or "?",
                    )
                )
            continue
        if row.line in notes:
            view.fail(None, notes[row.line])
            continue
        if [c for c in row.cells[width:] if c not in (None, "")]:
            view.fail(
                None,
                tr(
                    "{n} valeurs pour {m} colonnes (séparateur dans un libellé ?)",
                    "{n} values for {m} columns (separator inside a label?)",
                    n=len(row.cells),
                    m=width,
                ),
            )
            continue
        parsed = _parse(view, account, table.name, report)
        if parsed is not None:
            found.append(parsed)
    return found


def _name(view: RowView, column: str, file: str, report: ImportReport, strict: bool) -> str:
    raw = values.text(view.raw(column))
    fixed = repair_dos(raw)
    if fixed != raw:
        report.repairs.append(
            tr(
                "{f}:{n}: {c}: {a!r} réparé en {b!r} (lettres DOS, page de code 850)",
                "{f}:{n}: {c}: {a!r} repaired as {b!r} (DOS letters, code page 850)",
                f=file,
                n=view.line,
                c=column,
                a=raw,
                b=fixed,
            )
        )
    if problem := garbage_in(fixed):
        if strict:
            view.fail(column, problem)
        else:
            report.warnings.append(f"{file}:{view.line}: {column}: {problem}")
    return fixed


def _parse(view: RowView, account: str, file: str, report: ImportReport) -> _Line | None:
    """A customer-account line, or None (zero lines, bad lines)."""
    entry_date = view.require("EcritureDate", values.day)
    piece_date = view.get("PieceDate", values.day) or entry_date
    if view.has("Debit"):
        net = (view.get("Debit", values.amount) or 0) - (view.get("Credit", values.amount) or 0)
    else:
        net = _signed(view)
    date_let = view.get("DateLet", values.day)
    aux = values.text(view.raw("CompAuxNum"))
    names = {c: _name(view, c, file, report, strict=True) for c in _NAMES}
    label = _name(view, "EcritureLib", file, report, strict=False)
    if not view.ok or entry_date is None or piece_date is None or net == 0:
        return None
    name = names["CompAuxLib"] or names["CompteLib"]
    return _Line(
        view.line,
        aux or account,
        name or aux or account,
        values.text(view.raw("PieceRef")),
        piece_date,
        entry_date,
        net,
        values.text(view.raw("EcritureLet")),
        date_let,
        journal=values.text(view.raw("JournalCode")),
        entry=values.text(view.raw("EcritureNum")),
        label=label,
        account=account,
        has_aux=bool(aux),
    )


def _map_fec_columns(table: Table) -> ColumnMap:
    positions: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        name = _KEYS.get(header_key(header))
        if name is not None:
            positions.setdefault(name, position)
    required = [n for n in FEC_COLUMNS if n not in ("Debit", "Credit")]
    if not {"Debit", "Credit"} <= positions.keys():
        required += (
            ["Montant", "Sens"] if {"Montant", "Sens"} & positions.keys() else ["Debit", "Credit"]
        )
    missing = [name for name in required if name not in positions]
    if missing:
        found = ", ".join(repr(h) for h in table.headers if h) or "-"
        raise UserError(
            tr(
                "{f} : en-tête FEC invalide, colonne(s) manquante(s) : {m} ; colonnes trouvées : "
                "{c} (attendu les 18 colonnes du FEC séparées par tabulation ou |)",
                "{f}: invalid FEC header, missing column(s): {m}; columns found: {c} "
                "(expected the 18 FEC columns separated by tabs or |)",
                f=table.name,
                m=", ".join(missing),
                c=found,
            )
        )
    return ColumnMap(positions, table.headers)


def _signed(view: RowView) -> int:
    """`Montant` + `Sens` (D/C, or +1/-1) as debit - credit."""
    amount = view.get("Montant", values.amount) or 0
    sense = values.text(view.raw("Sens")).upper()
    if sense in ("D", "+1", "1"):
        return amount
    if sense in ("C", "-1"):
        return -amount
    view.fail(
        "Sens", tr("sens invalide : {v!r} (D ou C)", "invalid direction: {v!r} (D or C)", v=sense)
    )
    return 0


def _collective(lines: list[_Line], split: bool, report: ImportReport) -> dict[str, str]:
    """Flag collective accounts (or split them); returns customer id -> why it is collective."""
    by_customer: dict[str, list[_Line]] = defaultdict(list)
    for line in lines:
        by_customer[line.customer_id].append(line)
    flagged: dict[str, str] = {}
    for cid, own in by_customer.items():
        name = own[0].customer_name
        labels = [ln.label for ln in own if ln.net > 0] if not own[0].has_aux else []
        why = collective.collective_reason(name, labels)
        if why is None:
            continue
        if split:
            left = 0
            for line in own:
                party = collective.third_party(line.label)
                if party:
                    line.customer_id = collective.split_id(cid, party)
                    line.customer_name = party
                    report.split_lines += 1
                else:
                    left += 1
            if not left:
                continue
        flagged[cid] = why
        report.collective[cid] = why
    return flagged


def _check_identity(lines: list[_Line], problems: Problems) -> None:
    """Two different entries debiting one invoice number of one customer: an error, not a sum."""
    first: dict[tuple[str, str], _Line] = {}
    for line in lines:
        if line.net <= 0:
            continue
        seen = first.setdefault((line.customer_id, line.number), line)
        if seen.entry_key != line.entry_key:
            problems.add(
                line.line,
                "PieceRef",
                tr(
                    "la facture {n} du client {c} est déjà débitée par l'écriture {e} (ligne"
                    " {l}) : deux créances sous un même numéro (numéro de pièce à corriger)",
                    "invoice {n} of customer {c} is already debited by entry {e} (line {l}):"
                    " two receivables under one number (fix the piece reference)",
                    n=line.number,
                    c=line.customer_id,
                    e=seen.entry_key,
                    l=seen.line,
                ),
            )


def _by_customer(lines: list[_Line]) -> dict[str, _Customer]:
    """Lines per customer; debit lines carry their invoice number (made unique if needed)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line.net > 0:
            owners[line.number].add(line.customer_id)
    customers: dict[str, _Customer] = {}
    for line in lines:
        customer = customers.setdefault(
            line.customer_id, _Customer(line.customer_id, line.customer_name)
        )
        if line.net > 0:
            number = line.number
            if len(owners[number]) > 1:
                number = f"{number}-{line.customer_id}"
            customer.debits.append(_Open(number, line, line.net))
        else:
            customer.credits.append(line)
    return customers


def _settle(customer: _Customer, numbering: identity.Numbering) -> None:
    """Apply the customer's credits to its debits (the rules in the module docstring)."""
    oldest_first = sorted(customer.debits, key=lambda d: (d.line.piece_date, d.number, d.line.line))
    groups: dict[str, list[_Line]] = defaultdict(list)
    for credit in customer.credits:
        if credit.letter:
            groups[credit.letter].append(credit)
    for letter, credits in groups.items():
        debits = [d for d in oldest_first if d.line.letter == letter]
        lettered_on = max(
            (ln.date_let for ln in (*credits, *(d.line for d in debits)) if ln.date_let),
            default=max(c.entry_date for c in credits),
        )
        ref = f"let:{letter}"
        left = _apply(debits, -sum(c.net for c in credits), lettered_on, ref)
        _unallocated(customer, left, credits, ref)
    for credit in customer.credits:
        if credit.letter:
            continue
        ref = credit.piece_ref if numbering.references(credit.piece_ref) else None
        debits = [d for d in oldest_first if ref is not None and d.line.number == ref]
        key = f"{credit.entry_key}:{credit.line}" if not credit.entry else credit.entry_key
        left = _apply(debits, -credit.net, credit.entry_date, key)
        _unallocated(customer, left, [credit], key)


def _apply(debits: list[_Open], amount: int, on: date, ref: str) -> int:
    """Settle `amount` over `debits` in order; returns what could not be applied."""
    for debit in debits:
        if amount <= 0:
            break
        used = min(amount, debit.open)
        if used:
            debit.open -= used
            amount -= used
            debit.settled_on = max(on, debit.settled_on or on)
            debit.applied.append(Seen(f"{ref}>{debit.number}", on, used))
    return amount


def _unallocated(customer: _Customer, amount: int, credits: list[_Line], ref: str) -> None:
    if amount > 0:
        customer.unallocated += amount
        customer.unallocated_lines.extend(c.line for c in credits)
        on = max(c.entry_date for c in credits)
        held = customer.stored_credits.setdefault(ref, [on, 0, [], credits[0].label])
        held[0] = max(held[0], on)
        held[1] += amount
        held[2].extend(c.line for c in credits)


def _invoices(
    customers: dict[str, _Customer], known: dict[str, Customer], terms_days: int
) -> list[Invoice]:
    invoices: list[Invoice] = []
    for customer in customers.values():
        stored = known.get(customer.id)
        if stored and stored.payment_terms_days is not None:
            terms, end_of_month = stored.payment_terms_days, stored.payment_terms_end_of_month
        else:
            terms, end_of_month = terms_days, False
        parts: dict[str, list[_Open]] = defaultdict(list)
        for debit in customer.debits:
            parts[debit.number].append(debit)
        for number, debits in parts.items():
            issue = min(d.line.piece_date for d in debits)
            open_cents = sum(d.open for d in debits)
            paid = open_cents == 0
            invoices.append(
                Invoice(
                    number=number,
                    customer_id=customer.id,
                    issue_date=issue,
                    due_date=due_after(issue, terms, end_of_month),
                    amount_cents=sum(d.line.net for d in debits),
                    outstanding_cents=open_cents,
                    status=InvoiceStatus.PAID if paid else InvoiceStatus.OPEN,
                    paid_date=max(d.settled_on for d in debits if d.settled_on) if paid else None,
                )
            )
    return invoices


@dataclass
class _Writes:
    number: str
    customer_id: str
    insert: list[Seen]
    update: list[tuple[int, Seen]]
    delete: list[int]


def _agree(
    store: Store, customers: dict[str, _Customer], invoices: list[Invoice], report: ImportReport
) -> list[_Writes]:
    """Sources agree (`sources.py`): the file's applied credits become payments of source `fec`
    unless another source already recorded them; what other sources know paid still counts."""
    numbers = [i.number for i in invoices]
    known = balances.payments_for(store, numbers)
    observed = balances.observations(store, numbers)
    stated: dict[str, list[Seen]] = defaultdict(list)
    for customer in customers.values():
        for debit in customer.debits:
            stated[debit.number].extend(debit.applied)
    writes: list[_Writes] = []
    for index, invoice in enumerate(invoices):
        result = reconcile(SOURCE, _merge(stated[invoice.number]), known.get(invoice.number, []))
        for seen, twin in result.duplicates:
            report.already_known.append(
                tr(
                    "{n} : règlement de {a} du {d} déjà connu (source {s})",
                    "{n}: payment of {a} on {d} already known (source {s})",
                    n=invoice.number,
                    a=Money(seen.cents, invoice.currency).display(),
                    d=seen.on_date.isoformat(),
                    s=twin.source,
                )
            )
        paid = paid_known(result.payments, observed.get(invoice.number))
        left = outstanding(invoice.amount_cents, paid)
        if left != invoice.outstanding_cents:
            update: dict[str, object] = {"outstanding_cents": left}
            if left == 0:
                last = max((d for d, _ in result.payments), default=invoice.issue_date)
                update |= {"status": InvoiceStatus.PAID, "paid_date": invoice.paid_date or last}
            invoices[index] = invoice.model_copy(update=update)
        if result.insert or result.update or result.delete:
            writes.append(
                _Writes(
                    invoice.number,
                    invoice.customer_id,
                    result.insert,
                    result.update,
                    result.delete,
                )
            )
    return writes


def _merge(seen: list[Seen]) -> list[Seen]:
    """One payment per reference (several lines of one entry on one invoice add up)."""
    merged: dict[str, Seen] = {}
    for item in seen:
        before = merged.get(item.ref)
        merged[item.ref] = (
            item
            if before is None
            else Seen(item.ref, max(before.on_date, item.on_date), before.cents + item.cents)
        )
    return list(merged.values())


def _write_payments(store: Store, writes: list[_Writes], actor: str) -> None:
    for w in writes:
        balances.delete_payments(store, w.delete)
        for payment_id, seen in w.update:
            balances.update_source_payment(store, payment_id, seen.on_date, seen.cents)
        for seen in w.insert:
            balances.insert_source_payment(
                store, w.number, seen.on_date, seen.cents, SOURCE, seen.ref
            )
            store.record_event(
                "payment.recorded",
                actor=actor,
                customer_id=w.customer_id,
                invoice_number=w.number,
                on_date=seen.on_date,
                data={"amount_cents": seen.cents, "source": SOURCE, "ref": seen.ref},
            )


def _store_credits(
    store: Store, customers: dict[str, _Customer], file: str, report: ImportReport
) -> None:
    credits = [
        balances.StoredCredit(
            c.id, SOURCE, f"{c.id}|{ref}", on, Money(cents), label or None, file, tuple(lines)
        )
        for c in customers.values()
        for ref, (on, cents, lines, label) in sorted(c.stored_credits.items())
    ]
    balances.replace_credits(store, SOURCE, customers, credits)
    report.unallocated = [
        UnallocatedCredit(c.id, c.unallocated, sorted(c.unallocated_lines))
        for c in sorted(customers.values(), key=lambda c: c.id)
        if c.unallocated
    ]


def _keep_local(invoice: Invoice, before: Invoice | None) -> Invoice:
    """What the FEC does not know stays as stored: reference, PDF, currency."""
    if before is None:
        return invoice
    return invoice.model_copy(
        update={
            "reference": before.reference,
            "pdf_path": before.pdf_path,
            "currency": before.currency,
        }
    )
