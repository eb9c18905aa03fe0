"""Customers import: upsert by customer id.

A column present in the file is authoritative (an empty cell clears the value, or resets it to
its default: language `fr`, country `FR`, flags off); a column absent from the file leaves the
stored value alone. `closed_from`/`closed_to` give one closing period, which replaces the stored
ones; both cells empty clear them. `Commercial` holds an e-mail address or a name.
`Téléphone` is the phone; `Portable` (mobile) is used when a row has no landline. A file naming
customers without a code gets codes derived from the names (`names.py`), with a warning and
the possible duplicates listed. Payment terms beyond the legal cap (60 days, or 45 days end of
month) are a warning, not a refusal.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from assistant.i18n import tr
from assistant.imports import team_columns, values
from assistant.imports.columns import REQUIRED, ColumnMap, map_columns
from assistant.imports.names import derived_code, possible_duplicates
from assistant.imports.reader import Table
from assistant.imports.report import ImportReport
from assistant.imports.rows import Problems, RowView, iter_rows, split_totals
from assistant.imports.team_columns import TEAM_FIELDS
from assistant.models import ClosingPeriod, Customer
from assistant.storage import repo
from assistant.storage.db import Store

# field -> (parser, value for an empty cell)
_FIELDS: dict[str, tuple[Any, Any]] = {
    "email": (values.email, None),
    "phone": (values.line, None),
    "language": (values.language, "fr"),
    "country": (values.country, "FR"),
    "segment": (values.line, None),
    "risk": (values.risk, None),
    "strategic": (values.boolean, False),
    "salesperson_name": (values.line, None),
    "salesperson_email": (values.email, None),
    "customer_since": (values.day, None),
    "sms_opt_in": (values.boolean, False),
    "do_not_contact": (values.boolean, False),
    "notes": (values.optional_text, None),
    "legal_form": (values.optional_text, None),
    "siren": (values.optional_text, None),  # checked by the model: 9 digits
    "address_line1": (values.optional_text, None),
    "address_line2": (values.optional_text, None),
    "postal_code": (values.optional_text, None),
    "city": (values.optional_text, None),
}


def import_customers(store: Store, table: Table, *, actor: str) -> ImportReport:
    columns = map_columns("customers", table.headers, table.name, [r.cells for r in table.rows])
    problems = Problems(table.name)
    report = ImportReport("customers", table.name, table.sha256, ignored_columns=columns.ignored)
    data, report.total_lines = split_totals(table.rows, columns, REQUIRED["customers"])
    report.rows_read, report.header_line = len(data), table.header_line
    parsed: list[tuple[RowView, dict[str, Any]]] = []
    first_line: dict[str, int] = {}
    team_cells: list[tuple[RowView, dict[str, Any]]] = []  # owner, contacts (docs/team.md)
    for view in iter_rows(table, columns, problems, data):
        data = _parse(view, columns)
        team_cells.append((view, {k: data.pop(k) for k in TEAM_FIELDS if k in data}))
        customer_id = data.get("id")
        if customer_id and (seen := first_line.setdefault(customer_id, view.line)) != view.line:
            view.fail(
                "customer_id",
                tr(
                    "client {c} en double (déjà ligne {l})",
                    "customer {c} appears twice (already line {l})",
                    c=customer_id,
                    l=seen,
                ),
            )
        parsed.append((view, data))
    known = repo.customers_by_id(store, (d["id"] for _, d in parsed if d.get("id")))
    customers: list[Customer] = []
    for view, data in parsed:
        if not view.ok:
            continue
        before = known.get(data["id"])
        merged = {**(before.model_dump() if before else {}), **data}
        try:
            customers.append(Customer.model_validate(merged))
        except ValidationError as exc:
            for error in exc.errors():
                view.fail(str(error["loc"][0]) if error["loc"] else None, error["msg"])
    team_columns.check_owners(store, team_cells)
    problems.raise_if_any(len(data))
    if not columns.has("customer_id"):
        names = {c.name for c in customers}
        report.warnings.append(
            tr(
                "{f} : pas de colonne code client : codes déduits des noms (ex. {e})",
                "{f}: no customer code column: codes derived from the names (e.g. {e})",
                f=table.name,
                e=next((derived_code(n) for n in sorted(names)), "-"),
            )
        )
        report.warnings.extend(
            tr(
                "{f} : clients peut-être en double : {g}",
                "{f}: possibly the same customer: {g}",
                f=table.name,
                g=" / ".join(group),
            )
            for group in possible_duplicates(names)
        )
    for view, fields in parsed:
        days = fields.get("payment_terms_days")
        if days is not None and days > (45 if fields.get("payment_terms_end_of_month") else 60):
            report.warnings.append(
                tr(
                    "{f}:{n}: délai de paiement de {d} jours{m}, au-delà du plafond légal (60"
                    " jours ou 45 jours fin de mois, art. L441-10 du Code de commerce)",
                    "{f}:{n}: payment terms of {d} days{m}, beyond the legal cap (60 days or"
                    " 45 days end of month, French Commercial Code L441-10)",
                    f=table.name,
                    n=view.line,
                    d=days,
                    m=tr(" fin de mois", " end of month")
                    if fields.get("payment_terms_end_of_month")
                    else "",
                )
            )
    report.touched = {c.id for c in customers}

    same = {c.id for c in customers if known.get(c.id) == c}  # nothing else changes
    counts = repo.upsert_customers(store, customers, actor)
    codes = {view.line: d["id"] for view, d in parsed if d.get("id")}
    for view, cells in team_cells:
        code = codes.get(view.line)
        if cells and code and team_columns.apply(store, code, cells, actor) and code in same:
            counts.unchanged, counts.updated = counts.unchanged - 1, counts.updated + 1
    report.added, report.updated, report.unchanged = counts.added, counts.updated, counts.unchanged
    return report


def _parse(view: RowView, columns: ColumnMap) -> dict[str, Any]:
    """The fields this row sets (only the columns the file has)."""
    name = view.require("name", values.line)
    if columns.has("customer_id"):
        code = view.require("customer_id", values.identifier)
    else:
        code = derived_code(name) if name else None
    data: dict[str, Any] = {"id": code, "name": name}
    for name, (parser, empty) in _FIELDS.items():
        if columns.has(name):
            value = view.get(name, parser)
            data[name] = empty if value is None else value
    if columns.has("mobile") and not data.get("phone"):
        data["phone"] = view.get("mobile", values.optional_text)  # no landline: the mobile
    if columns.has("payment_terms_days"):
        days, end_of_month = view.get("payment_terms_days", values.terms) or (None, False)
        data["payment_terms_days"], data["payment_terms_end_of_month"] = days, end_of_month
    if columns.has("salesperson"):
        _salesperson(view, data)
    data.update(team_columns.parse(view, columns))
    if columns.has("closed_from") or columns.has("closed_to"):
        data["closing_periods"] = _closing(view)
    return data


def _salesperson(view: RowView, data: dict[str, Any]) -> None:
    """`Commercial`: an e-mail address goes to salesperson_email, anything else is a name."""
    raw = values.text(view.raw("salesperson"))
    if "@" in raw:
        data["salesperson_email"] = view.get("salesperson", values.email)
    elif raw:
        data["salesperson_name"] = raw


def _closing(view: RowView) -> list[ClosingPeriod]:
    start = view.get("closed_from", values.day)
    end = view.get("closed_to", values.day)
    if start is None and end is None:
        return []
    if start is None or end is None:
        missing = "closed_from" if start is None else "closed_to"
        if not view.has_failed(missing):  # a bad date there was already reported
            view.fail(
                missing,
                tr(
                    "période de fermeture incomplète (il faut « fermé du » et « fermé au »)",
                    "incomplete closing period (both 'closed from' and 'closed to' needed)",
                ),
            )
        return []
    if end < start:
        view.fail(
            "closed_to",
            tr(
                "fin de fermeture {e} avant le début {s}",
                "closing ends {e} before it starts {s}",
                e=end.isoformat(),
                s=start.isoformat(),
            ),
        )
        return []
    return [ClosingPeriod(start=start, end=end)]
