"""Comparable forms of names and references: accents, case, punctuation and legal forms folded."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TOKENS = re.compile(r"[0-9A-Za-z]+")
# Legal forms, titles and filler words a bank label or a payer name carries or drops at will.
_NOISE_WORDS = """sa sas sasu sarl eurl sci snc scop scp selarl selas sca gie eirl ei ets
    etablissement
    etablissements ste societe ste cie compagnie et de du des la le les l d au aux en
    ltd limited gmbh inc llc plc bv nv ag spa srl sl co corp mr mme m madame monsieur
    vir virement sepa recu emis inst instantane ref de la part faveur"""
_NOISE = frozenset(_NOISE_WORDS.split())


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Lowercase, accents removed, anything but letters and digits turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_NON_ALNUM.sub(" ", plain).split())


@lru_cache(maxsize=262_144)
def name_key(text: str) -> str:
    """A company or person name without legal forms and filler words: `Dupont & Fils SARL` ->
    `dupont fils`."""
    return " ".join(w for w in fold(text).split() if w not in _NOISE)


_NOT_REF = re.compile(r"[^0-9A-Za-z]+")


def ref_key(text: str) -> str:
    """An invoice number or reference as compared: letters and digits only, upper case."""
    return _NOT_REF.sub("", text).upper()


def ref_candidates(text: str, shortest: int, longest: int, span: int = 4) -> set[str]:
    """Every run of up to `span` consecutive tokens of a remittance text, glued, whose length
    could be an invoice number's: `FACT. FA-2026-0410` yields `FACT`, `FA`, `FA2026`,
    `FA20260410`...; the invoice index is then a dictionary lookup per candidate."""
    tokens = _TOKENS.findall(text.upper())
    found: set[str] = set()
    for start in range(len(tokens)):
        glued = ""
        for token in tokens[start : start + span]:
            glued += token
            if len(glued) > longest:
                break
            if len(glued) >= shortest:
                found.add(glued)
    return found
