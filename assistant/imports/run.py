"""Run an import all-or-nothing: validate every row, write in one transaction, log the import.

A dry run does the same work in a transaction that is rolled back, so its report is exactly
what a real run would do, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.imports import columns, fec
from assistant.imports.customers import import_customers
from assistant.imports.invoices import import_invoices
from assistant.imports.payments import import_payments
from assistant.imports.reader import Table, read_table
from assistant.imports.report import ImportReport
from assistant.imports.rows import ROW_PROGRESS
from assistant.reasons import Reason
from assistant.storage.db import Store

Importer = Callable[..., ImportReport]
_IMPORTERS: dict[str, Importer] = {
    "invoices": import_invoices,
    "customers": import_customers,
    "payments": import_payments,
}
KINDS = tuple(_IMPORTERS)


class _RollBack(Exception):
    """Raised inside the transaction of a dry run to undo it."""


def import_file(
    store: Store,
    kind: str,
    path: Path,
    *,
    actor: str = "user",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    attachments_root: Path | None = None,
) -> ImportReport:
    """Import a CSV/XLSX file of `kind` (invoices, customers or payments). PDFs named in an
    invoices file are accepted from `attachments_root` only (default: the file's folder)."""
    if kind not in _IMPORTERS:
        raise UserError(
            tr(
                "type d'import inconnu : {k} ({kinds})",
                "unknown import kind: {k} ({kinds})",
                k=kind,
                kinds=", ".join(KINDS),
            )
        )
    table = read_table(Path(path), partial(columns.recognises, kind))
    table = replace(table, attachments_root=attachments_root)
    return _run(store, table, partial(_IMPORTERS[kind], actor=actor), actor, dry_run, progress)


def import_fec(
    store: Store,
    path: Path,
    *,
    actor: str = "user",
    dry_run: bool = False,
    terms_days: int = fec.DEFAULT_TERMS_DAYS,
    split_collective: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Derive customers and open receivables from a FEC file (see `assistant.imports.fec`)."""
    if not 0 <= terms_days <= 365:
        raise UserError(
            tr(
                "délai de paiement hors de 0..365 jours : {n}",
                "payment terms outside 0..365 days: {n}",
                n=terms_days,
            )
        )
    table = read_table(
        Path(path),
        fec.recognises,
        delimiters=fec.FEC_DELIMITERS,
        quoting=fec.FEC_QUOTING,
        lenient=True,
    )
    run = partial(
        fec.import_fec, actor=actor, terms_days=terms_days, split_collective=split_collective
    )
    return _run(store, table, run, actor, dry_run, progress)


def held_after(store: Store, report: ImportReport) -> list[tuple[str, str, Reason]]:
    """The customers an account hold stops after this import (credit balance, collective)."""
    from assistant.rules.balance import collective_holds, unallocated_credit_holds

    today = store.today()
    holds = [*unallocated_credit_holds(store, today), *collective_holds(store, today)]
    return [(h.customer_id, h.code, h.reason) for h in holds if h.customer_id in report.touched]


def _run(
    store: Store,
    table: Table,
    run: Callable[..., ImportReport],
    actor: str,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    report: ImportReport | None = None
    token = ROW_PROGRESS.set(progress)
    try:
        with store.transaction():
            report = run(store, table)
            report.dry_run = dry_run
            report.held = held_after(store, report)
            store.record_event(
                "import.completed",
                actor=actor,
                data={
                    "kind": report.kind,
                    "file": report.file,
                    "sha256": report.sha256,
                    "counts": report.counts(),
                },
            )
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    finally:
        ROW_PROGRESS.reset(token)
    assert report is not None
    if progress is not None:
        progress(len(table.rows) + 1, len(table.rows) + 1)
    return report
