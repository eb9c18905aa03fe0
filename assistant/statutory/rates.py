"""Rate tables by half-year (policies/statutory_rates.yaml) and the statutory policy
(policies/statutory.yaml). The manager's copies in `<home>/policies/` win, so a user adds the
next half-year there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.i18n import tr
from assistant.policyfile import ExactDecimal, load_policy

RATES_FILE = "statutory_rates.yaml"
STATUTORY_FILE = "statutory.yaml"
STATUTORY_MARGIN = Decimal(10)  # ECB rate + 10 points (C. com. L441-10 II)
FLOOR_MULTIPLE = Decimal(3)  # a contractual rate is at least 3 x the legal interest rate


@dataclass(frozen=True, order=True, slots=True)
class HalfYear:
    """A calendar half-year: H1 = 1 January - 30 June, H2 = 1 July - 31 December."""

    year: int
    half: int  # 1 or 2

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        year, _, half = text.strip().upper().partition("-H")
        if not (year.isdigit() and half in ("1", "2")):
            raise ValueError(f"half-year expected as YYYY-H1 or YYYY-H2, got {text!r}")
        return cls(int(year), int(half))

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    @property
    def key(self) -> str:
        return f"{self.year}-H{self.half}"

    def label(self) -> str:
        return tr(
            "{n} semestre {y}",
            "H{h} {y}",
            n="1er" if self.half == 1 else "2nd",
            h=self.half,
            y=self.year,
        )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateEntry(_Strict):
    half_year: str
    rate: ExactDecimal
    source: str = Field(min_length=3)
    in_force_since: date | None = None

    @field_validator("half_year")
    @classmethod
    def _half(cls, value: str) -> str:
        return HalfYear.parse(value).key

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: Decimal) -> Decimal:
        if not Decimal(0) <= value <= Decimal(50):
            raise ValueError("a rate in percent between 0 and 50 is expected")
        return value


class RateTables(_Strict):
    ecb_refinancing_rate: list[RateEntry] = Field(min_length=1)
    legal_interest_rate: list[RateEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RateTables:
        for name in ("ecb_refinancing_rate", "legal_interest_rate"):
            keys = [e.half_year for e in getattr(self, name)]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{name}: a half-year is listed twice")
        return self

    def ecb(self, half: HalfYear) -> RateEntry | None:
        return _find(self.ecb_refinancing_rate, half)

    def legal(self, half: HalfYear) -> RateEntry | None:
        return _find(self.legal_interest_rate, half)


def _find(entries: list[RateEntry], half: HalfYear) -> RateEntry | None:
    return next((e for e in entries if e.half_year == half.key), None)


def _latest_before(entries: list[RateEntry], half: HalfYear) -> RateEntry | None:
    earlier = [e for e in entries if HalfYear.parse(e.half_year) < half]
    return max(earlier, key=lambda e: HalfYear.parse(e.half_year), default=None)


class NoticePolicy(_Strict):
    deadline_days: int = Field(default=8, ge=1, le=90)
    claim_indemnity: bool = True
    claim_interest: bool = True
    mention_proceedings: bool = True
    send_by_email: bool = True
    place: str = ""


class StatutoryPolicy(_Strict):
    contractual_rate_percent: ExactDecimal | None = None
    paid_late_window_months: int = Field(default=12, ge=0, le=120)
    limitation_years: int = Field(default=5, ge=1, le=30)
    limitation_warning_months: int = Field(default=6, ge=0, le=60)
    declaration_months: int = Field(default=2, ge=1, le=12)
    notice: NoticePolicy = NoticePolicy()


def load_rate_tables(home: Path | None) -> RateTables:
    return load_policy(home, RATES_FILE, RateTables)


def load_statutory_policy(home: Path | None) -> StatutoryPolicy:
    return load_policy(home, STATUTORY_FILE, StatutoryPolicy)


@dataclass(frozen=True, slots=True)
class AppliedRate:
    """The annual rate applied over one half-year, and where it comes from."""

    half: HalfYear
    rate: Decimal  # percent a year
    basis: str  # statutory | contractual | floor
    ecb_rate: Decimal | None
    legal_rate: Decimal | None
    source: str
    estimated: bool = False  # the table lacks this half-year: the previous one was used

    def as_json(self) -> dict[str, object]:
        return {
            "half_year": self.half.key,
            "from": self.half.start.isoformat(),
            "to": self.half.end.isoformat(),
            "rate": str(self.rate),
            "basis": self.basis,
            "ecb_rate": None if self.ecb_rate is None else str(self.ecb_rate),
            "legal_rate": None if self.legal_rate is None else str(self.legal_rate),
            "source": self.source,
            "estimated": self.estimated,
        }


class RateBook:
    """The annual rate for each half-year: contractual (never below the floor) or statutory."""

    def __init__(self, tables: RateTables, contractual: Decimal | None = None) -> None:
        self.tables = tables
        self.contractual = contractual
        self._cache: dict[HalfYear, AppliedRate] = {}

    def for_half(self, half: HalfYear) -> AppliedRate:
        found = self._cache.get(half)
        if found is None:
            found = self._cache[half] = self._compute(half)
        return found

    def for_day(self, day: date) -> AppliedRate:
        return self.for_half(HalfYear.of(day))

    def _lookup(self, entries: list[RateEntry], half: HalfYear) -> tuple[RateEntry | None, bool]:
        entry = _find(entries, half)
        if entry is not None:
            return entry, False
        return _latest_before(entries, half), True

    def _compute(self, half: HalfYear) -> AppliedRate:
        if self.contractual is not None:
            legal, estimated = self._lookup(self.tables.legal_interest_rate, half)
            floor = None if legal is None else legal.rate * FLOOR_MULTIPLE
            if floor is not None and self.contractual < floor:
                return AppliedRate(
                    half,
                    floor,
                    "floor",
                    None,
                    legal.rate if legal else None,
                    legal.source if legal else "",
                    estimated,
                )
            return AppliedRate(
                half,
                self.contractual,
                "contractual",
                None,
                legal.rate if legal else None,
                legal.source if legal else "",
                estimated or legal is None,
            )
        ecb, estimated = self._lookup(self.tables.ecb_refinancing_rate, half)
        if ecb is None:
            raise ValueError(f"no ECB rate for {half.key} or before: add it to {RATES_FILE}")
        return AppliedRate(
            half, ecb.rate + STATUTORY_MARGIN, "statutory", ecb.rate, None, ecb.source, estimated
        )


def halves_between(first: date, last: date) -> list[tuple[HalfYear, date, date]]:
    """The half-years covering [first, last], each with the part of the range inside it."""
    out: list[tuple[HalfYear, date, date]] = []
    if last < first:
        return out
    half = HalfYear.of(first)
    while half.start <= last:
        out.append((half, max(first, half.start), min(last, half.end)))
        half = half.next()
    return out


def day_after(day: date) -> date:
    return day + timedelta(days=1)
