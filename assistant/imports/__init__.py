"""Accounting-export imports: invoices, customers, payments (CSV/XLSX) and FEC files.

Entry points: `import_file(store, kind, path, ...)` and `import_fec(store, path, ...)`; both
are all-or-nothing (`ImportRejected` lists every bad row, nothing is written) and return an
`ImportReport`. Formats: docs/imports.md; FEC rules: `assistant.imports.fec`.
"""

from assistant.imports.fec import DEFAULT_TERMS_DAYS
from assistant.imports.report import ImportReport, UnallocatedCredit
from assistant.imports.rows import RowsRejected
from assistant.imports.run import KINDS, import_fec, import_file

__all__ = [
    "DEFAULT_TERMS_DAYS",
    "KINDS",
    "ImportReport",
    "RowsRejected",
    "UnallocatedCredit",
    "import_fec",
    "import_file",
]
