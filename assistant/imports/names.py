"""Customer codes for files that name customers without a code (name-only exports).

The code is derived from the name, folded (accents, case, punctuation) so that the same name
always gives the same code across imports: `Société Générale d'Éclairage` -> `SOCIETE-GENERALE-
ECLAIRAGE`. Names that differ only by their legal form or punctuation (`Dupont SARL`,
`DUPONT S.A.R.L.`, `Dupont`) are reported as possible duplicates for a person to merge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from assistant.imports.columns import fold

MAX_CODE = 40
_LEGAL_FORMS_WORDS = (
    "sarl sas sasu sa eurl sci snc scop selarl earl gaec eirl ei inc ltd llc gmbh sprl srl bv "
    "co corp company cie et fils"
)
_LEGAL_FORMS = frozenset(_LEGAL_FORMS_WORDS.split())


def derived_code(name: str) -> str:
    words = fold(name).upper().split()
    return "-".join(words)[:MAX_CODE].strip("-") or "CLIENT"


def _core(name: str) -> str:
    plain = fold(name.replace(".", "")).split()
    return " ".join(w for w in plain if w not in _LEGAL_FORMS)


def possible_duplicates(names: Iterable[str]) -> list[list[str]]:
    """Groups of distinct names that are probably one customer."""
    groups: dict[str, set[str]] = defaultdict(set)
    for name in names:
        core = _core(name)
        if core:
            groups[core].add(name)
    return sorted(sorted(g) for g in groups.values() if len({derived_code(n) for n in g}) > 1)
