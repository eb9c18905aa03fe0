"""Bank statements written by tests: a bank CSV with the columns French banks export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

ACCOUNT = "FR7630006000011234567890189"


def statement(
    path: Path, rows: list[tuple[date, str, str, str]], *, iban: str | None = None
) -> Path:
    """rows: (booking day, signed amount "1 250,00", payer, remittance)."""
    lines = ["Date;Libellé;Montant;Tiers;IBAN de la contrepartie;Référence"]
    for day, amount, payer, text in rows:
        lines.append(f"{day:%d/%m/%Y};VIR SEPA {payer};{amount};{payer};{iban or ''};{text}")
    path.write_text(f"Compte;{ACCOUNT}\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path
