"""Invoice identity in a FEC: which field holds the invoice number, decided once per file.

Some tools leave `PieceRef` as a placeholder (Odoo writes `-`, others `x`, `/` or nothing) and
put the invoice number in `EcritureNum`. A debit line's `PieceRef` is a placeholder when it holds
no letter or digit, is one of the usual fillers, or is shared by entries of different amounts or
dates (one reference for several invoices). When most debit lines of the file have a placeholder,
every invoice is numbered by its `EcritureNum` (prefixed by its journal when entry numbers repeat
across journals); otherwise `PieceRef` is kept, and only the lines with a placeholder fall back
to journal + entry number. The report states the choice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.i18n import tr

_FILLERS = frozenset({"x", "xx", "xxx", "na", "n/a", "nc", "none", "null", "sans", "0", "00"})
_NO_CONTENT = re.compile(r"[\W_]*")


class _Entry(Protocol):
    piece_ref: str
    journal: str
    entry: str
    net: int
    piece_date: object

    @property
    def entry_key(self) -> str: ...


def is_placeholder(ref: str) -> bool:
    value = ref.strip()
    return not value or bool(_NO_CONTENT.fullmatch(value)) or value.lower() in _FILLERS


@dataclass
class Numbering:
    by_entry: bool  # the whole file is numbered by EcritureNum
    prefix_journal: bool  # entry numbers repeat across journals
    shared: set[str] = field(default_factory=set)  # PieceRef values shared by several invoices
    fallbacks: int = 0  # lines numbered by their entry although the file uses PieceRef

    def references(self, ref: str) -> bool:
        """Whether a PieceRef value can name an invoice (for unlettered credits)."""
        return not (is_placeholder(ref) or ref in self.shared)

    def number_of(self, line: _Entry) -> str:
        if self.by_entry and line.entry:
            return f"{line.journal}{line.entry}" if self.prefix_journal else line.entry
        if self.by_entry or not self.references(line.piece_ref):
            return f"{line.journal}{line.entry or line.piece_ref}"
        return line.piece_ref

    def describe(self) -> str:
        if self.by_entry:
            return tr(
                "numéros de facture pris dans EcritureNum (PieceRef vide ou générique dans ce"
                " fichier)",
                "invoice numbers taken from EcritureNum (PieceRef empty or generic in this file)",
            )
        if self.fallbacks:
            return tr(
                "numéros de facture pris dans PieceRef ; {n} ligne(s) sans référence utile"
                " numérotée(s) par journal + EcritureNum",
                "invoice numbers taken from PieceRef; {n} line(s) without a usable reference"
                " numbered by journal + EcritureNum",
                n=self.fallbacks,
            )
        return tr("numéros de facture pris dans PieceRef", "invoice numbers taken from PieceRef")


def choose(lines: Sequence[_Entry]) -> Numbering:
    debits = [line for line in lines if line.net > 0]
    facts: dict[str, set[tuple[str, object]]] = defaultdict(set)  # ref -> (entry, date)
    amounts: dict[tuple[str, str], int] = defaultdict(int)
    for line in debits:
        amounts[(line.piece_ref, line.entry_key)] += line.net
    for line in debits:
        facts[line.piece_ref].add((line.entry_key, line.piece_date))
    shared = set()
    for ref, seen in facts.items():
        entries = {e for e, _ in seen}
        if len(entries) > 1:
            sums = {amounts[(ref, e)] for e in entries}
            dates = {d for _, d in seen}
            if len(sums) > 1 or len(dates) > 1:
                shared.add(ref)
    placeholders = [ln for ln in debits if is_placeholder(ln.piece_ref) or ln.piece_ref in shared]
    numbers_by_journal: dict[str, set[str]] = defaultdict(set)
    for line in debits:
        numbers_by_journal[line.entry].add(line.journal)
    prefix = any(len(journals) > 1 for journals in numbers_by_journal.values())
    by_entry = bool(debits) and len(placeholders) * 2 > len(debits)
    fallbacks = 0 if by_entry else len(placeholders)
    return Numbering(by_entry, prefix, shared, fallbacks)
