"""The bank policy (policies/bank.yaml): matching thresholds and the freshness rule."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.policyfile import MoneyCents, load_policy

BANK_FILE = "bank.yaml"
PAYMENT_SOURCES = ("invoices", "payments", "fec")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchingPolicy(_Strict):
    auto_apply: bool = True
    tolerance: MoneyCents = 500
    min_score: int = Field(default=30, ge=0, le=100)
    name_similarity: int = Field(default=85, ge=50, le=100)
    max_amount_only_candidates: int = Field(default=3, ge=0, le=20)


class FreshnessPolicy(_Strict):
    required: list[str] = Field(default_factory=lambda: ["any"], min_length=1)
    max_age_business_days: int = Field(default=2, ge=0, le=60)
    max_age: dict[str, int] = Field(default_factory=dict)
    country: str = Field(default="FR", min_length=2, max_length=2)

    @field_validator("required")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in ("any", "bank:*", *PAYMENT_SOURCES) and not name.startswith("bank:"):
                raise ValueError(
                    f"unknown source {name!r} (any, invoices, payments, fec, bank:<IBAN>, bank:*)"
                )
        return names

    def limit(self, source: str) -> int:
        """How many business days old the source's data may be."""
        if source in self.max_age:
            return self.max_age[source]
        if source.startswith("bank:") and "bank:*" in self.max_age:
            return self.max_age["bank:*"]
        return self.max_age_business_days


class BankPolicy(_Strict):
    matching: MatchingPolicy = Field(default_factory=MatchingPolicy)
    freshness: FreshnessPolicy = Field(default_factory=FreshnessPolicy)


def load_bank_policy(home: Path | None) -> BankPolicy:
    return load_policy(home, BANK_FILE, BankPolicy)
