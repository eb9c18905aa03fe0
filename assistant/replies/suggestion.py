"""What a reply seems to mean: an outcome, its facts, and the evidence (spans of the text).

Made by rules (French and English keywords and patterns) or by a model under the drafting
contract (replies/classify.py). Stored as JSON on the reply; a person confirms or corrects it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from assistant.money import cents_to_str
from assistant.replies.extract import (
    Found,
    find_amounts,
    find_dates,
    find_instalments,
    find_reference,
    fold,
    reference_tokens,
)
from assistant.replies.kinds import Outcome


@dataclass
class Suggestion:
    outcome: str
    date: date | None = None
    amount_cents: int | None = None
    invoice: str | None = None
    instalments: int | None = None
    reference: str | None = None
    evidence: list[tuple[int, int]] = field(default_factory=list)  # spans of the reply text
    source: str = "rules"  # rules | llm
    violations: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """docs/contracts.md keys (outcome, date, amount, invoice), then ours."""
        return {
            "outcome": self.outcome,
            "date": self.date.isoformat() if self.date else None,
            "amount": cents_to_str(self.amount_cents) if self.amount_cents is not None else None,
            "invoice": self.invoice,
            "instalments": self.instalments,
            "reference": self.reference,
            "evidence": [list(s) for s in self.evidence],
            "source": self.source,
            "violations": self.violations,
        }

    def dumps(self) -> str:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str | None) -> Suggestion | None:
        if not text:
            return None
        data = json.loads(text)
        data["date"] = date.fromisoformat(data["date"]) if data.get("date") else None
        data["evidence"] = [tuple(s) for s in data.get("evidence", [])]
        return cls(**data)


def _pattern(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


# Folded (lower case, no accents). Order matters: the first outcome found wins, a dispute
# first (reminding a disputed invoice is the worst mistake), a question last.
KEYWORDS: dict[str, re.Pattern[str]] = {
    Outcome.DISPUTE: _pattern(
        r"litiges?",
        r"contest\w*",
        r"reclamation",
        r"incomplete?s?",
        r"non conformes?",
        r"pas conformes?",
        r"defectueu\w+",
        r"erron\w+",
        r"une erreur",
        r"en desaccord",
        r"jamais (?:ete )?livre\w*",
        r"pas (?:ete )?livre\w*",
        r"abime\w*",
        r"dispute\w*",
        r"incorrect",
        r"wrong (?:amount|invoice|price)",
        r"damaged",
        r"not delivered",
        r"never (?:received|delivered) the (?:goods|order|delivery)",
        r"we disagree",
        r"overcharged",
    ),
    Outcome.PLAN: _pattern(
        r"en (?:\d{1,2}|deux|trois|quatre|cinq|six|dix|douze) fois",
        r"echeancier",
        r"plusieurs (?:fois|versements|echeances)",
        r"etaler",
        r"echelonne\w*",
        r"plan de (?:paiement|reglement)",
        r"mensualites",
        r"instal?lments?",
        r"payment plan",
        r"spread (?:the|our) (?:payment|payments)",
        r"monthly payments",
    ),
    Outcome.PAID: _pattern(
        r"(?:avons|ai|a) (?:deja )?(?:regle|paye|vire|effectue le (?:paiement|virement|reglement))",
        r"(?:a|ont) ete (?:regle|paye|vire)e?s?",
        r"(?:est|sont) (?:deja )?(?:reglee?s?|payee?s?)",
        r"(?:virement|paiement|reglement)\b[^.?!]{0,40}\b(?:est|a ete) (?:parti|effectue|emis"
        r"|envoye|passe|fait)",
        r"virement (?:effectue|emis|envoye|passe|parti)",
        r"paiement (?:a ete )?(?:effectue|envoye|emis|parti)",
        r"deja (?:regle|paye)",
        r"we (?:have )?(?:already )?paid",
        r"(?:has|have) (?:already )?been (?:paid|settled)",
        r"payment (?:was|has been) (?:made|sent|issued)",
        r"(?:transfer|wire) (?:was|has been) "
        r"(?:made|sent|issued)",
        r"already paid",
        r"(?:sent|made) the (?:payment|transfer)",
        r"we settled",
        r"was settled",
    ),
    Outcome.PROMISE: _pattern(
        r"(?:nous |je )?(?:reglerons|paierons|payerons|verserons|virerons|reglerai|paierai)",
        r"sera (?:regle|paye|vire|effectue)e?s?",
        r"seront (?:reglee?s|payee?s)",
        r"(?:paiement|virement|reglement) (?:sera|interviendra|partira|est prevu)",
        r"(?:allons|vais) (?:regler|payer|virer|proceder au (?:paiement|reglement|virement))",
        r"we will (?:pay|settle|transfer)",
        r"we'll (?:pay|settle)",
        r"will be (?:paid|settled)",
        r"payment will be",
        r"(?:transfer|payment) is scheduled",
        r"we are going to pay",
        r"intend to pay",
    ),
    Outcome.QUESTION: _pattern(
        r"copie de (?:la|votre) facture",
        r"duplicata",
        r"(?:renvoyer|envoyer|transmettre)"
        r" (?:la|une|votre) facture",
        r"pas re\w* (?:la|votre) facture",
        r"rib",
        r"coordonnees bancaires",
        r"bon de commande",
        r"numero de commande",
        r"copy of the invoice",
        r"(?:resend|send us|send me) the invoice",
        r"bank details",
        r"purchase order",
        r"(?:did not|didn't|never) receive(?:d)? the invoice",
    ),
}
_ASKS = re.compile(r"\?")


def _first(items: list[Found]) -> Found | None:
    return items[0] if items else None


def invoices_in(text: str, known: set[str]) -> list[Found]:
    """Invoice numbers of `known` written in the text (case-insensitive)."""
    by_fold = {n.casefold(): n for n in known}
    return [
        Found(start, end, (by_fold[token.casefold()],))
        for start, end, token in reference_tokens(text)
        if token.casefold() in by_fold
    ]


def suggest_by_rules(text: str, received: date, known_invoices: set[str]) -> Suggestion:
    """French and English keywords and patterns; the facts nearest the keyword."""
    low = fold(text)
    outcome, hit = Outcome.OTHER.value, None
    for name, pattern in KEYWORDS.items():
        hit = pattern.search(low)
        if hit:
            outcome = str(name)
            break
    if hit is None and _ASKS.search(text):
        outcome = Outcome.QUESTION.value
    suggestion = Suggestion(outcome=outcome, evidence=[hit.span()] if hit else [])
    dates = find_dates(text, received)
    amounts = find_amounts(text)
    invoices = invoices_in(text, known_invoices)
    if outcome == Outcome.PAID:
        past = [(f, d) for f in dates for d in f.values if isinstance(d, date) and d <= received]
        if past:
            suggestion.date = past[0][1]  # type: ignore[assignment]
            suggestion.evidence.append((past[0][0].start, past[0][0].end))
        ref = find_reference(text)
        if ref is not None:
            suggestion.reference = str(ref.values[0])
            suggestion.evidence.append((ref.start, ref.end))
    elif outcome == Outcome.PROMISE:
        coming = [(f, d) for f in dates for d in f.values if isinstance(d, date) and d >= received]
        if coming:
            suggestion.date = coming[0][1]  # type: ignore[assignment]
            suggestion.evidence.append((coming[0][0].start, coming[0][0].end))
    elif outcome == Outcome.PLAN:
        count = _first(find_instalments(text))
        if count is not None:
            suggestion.instalments = int(count.values[0])  # type: ignore[arg-type]
            suggestion.evidence.append((count.start, count.end))
    if outcome in (Outcome.PAID, Outcome.PROMISE) and amounts:
        suggestion.amount_cents = int(amounts[0].values[0])  # type: ignore[arg-type]
        suggestion.evidence.append((amounts[0].start, amounts[0].end))
    if invoices and outcome != Outcome.OTHER:
        if hit is not None:  # the invoice named nearest the words that decided
            invoices.sort(key=lambda f: min(abs(f.start - hit.end()), abs(hit.start() - f.end)))
        suggestion.invoice = str(invoices[0].values[0])
        suggestion.evidence += [(f.start, f.end) for f in invoices]
    suggestion.evidence = merge_spans(suggestion.evidence)
    return suggestion


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping spans joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
