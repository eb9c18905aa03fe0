"""Scenario policy (policies/scenario.yaml): steps, segments, thresholds, gaps, sending days."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.i18n import tr
from assistant.policyfile import MoneyCents, load_policy

SCENARIO_FILE = "scenario.yaml"
STEP_IDS = ("pre_due", "reminder_1", "reminder_2", "call", "escalation")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    id: Literal["pre_due", "reminder_1", "reminder_2", "call", "escalation"]
    offset_days: int = Field(ge=-60, le=365)
    channel: Literal["email", "phone", "task"]
    tone: str | None = None
    automatic: bool
    sms: bool = False
    notify_salesperson: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> Step:
        if self.automatic and self.channel != "email":
            raise ValueError(
                tr(
                    "une étape automatique est un e-mail (channel: email)",
                    "automatic steps are emails (channel: email)",
                )
            )
        if not self.automatic and self.channel == "email":
            raise ValueError(
                tr(
                    "une étape humaine utilise channel: phone ou task",
                    "human steps use channel phone or task",
                )
            )
        return self

    @property
    def label(self) -> str:
        """`J-3`, `J+10`: how accountants name the step."""
        return f"J{self.offset_days:+d}"


class Condition(_Strict):
    strategic: bool | None = None
    min_outstanding: MoneyCents | None = None
    max_outstanding: MoneyCents | None = None
    min_avg_days_late: int | None = Field(default=None, ge=0)
    min_broken_promises: int | None = Field(default=None, ge=0)
    risk: list[Literal["low", "medium", "high"]] | None = None
    relationship: Literal["new", "loyal"] | None = None


class Segment(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    when: Condition | list[Condition] = Field(default_factory=Condition)
    template: str | None = None
    sms: bool = True
    offsets: dict[Literal["pre_due", "reminder_1", "reminder_2", "call", "escalation"], int] = (
        Field(default_factory=dict)
    )

    @property
    def conditions(self) -> list[Condition]:
        return self.when if isinstance(self.when, list) else [self.when]


class LargeAmount(_Strict):
    threshold: MoneyCents
    call_offset_days: int = Field(ge=0, le=365)


ContactRoleName = Literal["accounting", "purchasing", "management"]
# Steps an e-mail is drafted for, and may be routed to a customer's contacts (docs/team.md).
ROUTED_STEPS = Literal[
    "pre_due",
    "reminder_1",
    "reminder_2",
    "call",
    "escalation",
    "instalment_reminder",
    "formal_notice",
]


class Route(_Strict):
    """Who receives a step when the customer has contacts: their roles in To, and in Cc."""

    to: list[ContactRoleName] = Field(min_length=1)
    cc: list[ContactRoleName] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _one_role(cls, data: object) -> object:
        if isinstance(data, dict):  # `to: accounting` is `to: [accounting]`
            return {k: [v] if isinstance(v, str) else v for k, v in data.items()}
        return data


class ScenarioPolicy(_Strict):
    country_default: str = Field(default="FR", min_length=2, max_length=2)
    default_payment_terms_days: int = Field(default=30, ge=0, le=365)
    sending_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1
    )
    min_gap_days: int = Field(default=5, ge=0, le=60)
    promise_grace_days: int = Field(default=3, ge=0, le=60)
    promise_horizon_months: int = Field(default=6, ge=1, le=36)  # how far ahead a promise may be
    new_customer_months: int = Field(default=12, ge=1, le=120)
    steps: list[Step] = Field(min_length=1)
    large_amount: LargeAmount | None = None
    segments: list[Segment] = Field(min_length=1)
    # step -> the contact roles it goes to (customers with contacts only; docs/team.md)
    recipients: dict[ROUTED_STEPS, Route] = Field(default_factory=dict)
    # the weekday `relance daily` drafts the salespeople's weekly digest (None: never; docs/team.md)
    digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] | None = None

    @model_validator(mode="after")
    def _check(self) -> ScenarioPolicy:
        ids = [s.id for s in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError(tr("chaque étape n'apparaît qu'une fois", "each step id appears once"))
        if ids != [s for s in STEP_IDS if s in ids]:
            raise ValueError(
                tr(
                    "les étapes gardent l'ordre {o}",
                    "steps must keep the order {o}",
                    o=", ".join(STEP_IDS),
                )
            )
        offsets = [s.offset_days for s in self.steps]
        if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
            raise ValueError(
                tr(
                    "les décalages (offset_days) doivent croître d'une étape à l'autre",
                    "step offsets must increase strictly",
                )
            )
        if "pre_due" in ids and self.step("pre_due").offset_days >= 0:
            raise ValueError(
                tr(
                    "pre_due vient avant l'échéance (offset_days négatif)",
                    "pre_due must come before the due date (negative offset)",
                )
            )
        seg_ids = [s.id for s in self.segments]
        if len(set(seg_ids)) != len(seg_ids):
            raise ValueError(
                tr("chaque segment n'apparaît qu'une fois", "each segment id appears once")
            )
        for seg in self.segments:
            unknown = set(seg.offsets) - set(ids)
            if unknown:
                raise ValueError(
                    tr(
                        "segment {s} : étape inconnue dans offsets : {u}",
                        "segment {s}: unknown step in offsets: {u}",
                        s=seg.id,
                        u=", ".join(sorted(unknown)),
                    )
                )
        return self

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    @property
    def sending_weekdays(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(d) for d in self.sending_days)


def load_scenario(home: Path | None) -> ScenarioPolicy:
    return load_policy(home, SCENARIO_FILE, ScenarioPolicy)
