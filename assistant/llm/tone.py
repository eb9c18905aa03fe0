"""Tone policy (policies/tone.yaml): firmness, formality, length and phrases per step/segment."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.i18n import tr
from assistant.policyfile import load_policy

Firmness = Literal["gentle", "courteous", "firm"]
Formality = Literal["formal", "neutral"]
Length = Literal["short", "normal", "long"]
Phrases = dict[Literal["fr", "en"], list[str]]


class ToneOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firmness: Firmness | None = None
    formality: Formality | None = None
    length: Length | None = None
    required: Phrases = Field(default_factory=dict)
    forbidden: Phrases = Field(default_factory=dict)


class TonePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    length_bounds: dict[Length, tuple[float, float]]
    forbidden: Phrases = Field(default_factory=dict)
    steps: dict[str, ToneOverride] = Field(default_factory=dict)
    segments: dict[str, ToneOverride] = Field(default_factory=dict)

    @field_validator("length_bounds")
    @classmethod
    def _bounds(cls, v: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for name, (low, high) in v.items():
            if not 0 < low < high:
                raise ValueError(
                    tr("{n} : il faut 0 < min < max", "{n}: expected 0 < min < max", n=name)
                )
        return v

    def rule_for(self, step: str, segment: str | None, language: str) -> ToneRule:
        """The effective rule: defaults, then the step, then the segment. Forbidden phrases of
        every language apply to every draft (a threat in English inside a French message is
        still a threat), except short single words of another language, which are often
        ordinary words there ("court" is French for "short")."""
        lang = "en" if language == "en" else "fr"
        rule = ToneRule(language=lang, forbidden=_forbidden(self.forbidden, lang))
        step_rule = self.steps.get(step)
        if step_rule is not None and step_rule.firmness is not None:
            rule.ceiling = step_rule.firmness
        for layer in (step_rule, self.segments.get(segment or "")):
            if layer is None:
                continue
            rule.firmness = layer.firmness or rule.firmness
            rule.formality = layer.formality or rule.formality
            rule.length = layer.length or rule.length
            rule.required += layer.required.get(lang, [])
            rule.forbidden += _forbidden(layer.forbidden, lang)
        rule.bounds = self.length_bounds.get(rule.length, (0.5, 1.5))
        return rule


FOREIGN_MIN_LETTERS = 6  # a one-word phrase of another language applies from this length


def _forbidden(phrases: Phrases, language: str) -> list[str]:
    """The phrases of `language`, then those of the other languages that are not short words."""
    own = list(phrases.get(language, []))  # type: ignore[call-overload]
    for other, words in phrases.items():
        if other != language:
            own += [p for p in words if " " in p.strip() or len(p) >= FOREIGN_MIN_LETTERS]
    return list(dict.fromkeys(own))


class ToneRule(BaseModel):
    """What one rewrite must respect."""

    language: Literal["fr", "en"]
    firmness: Firmness = "courteous"
    formality: Formality = "formal"
    length: Length = "normal"
    required: list[str] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    bounds: tuple[float, float] = (0.5, 1.5)
    ceiling: Firmness = "firm"  # a person's "firmer" never goes past the step's own firmness

    def adjusted(self, adjustment: str | None) -> ToneRule:
        """Another tone asked for one draft: softer, firmer (capped), shorter, longer."""
        order: list[Firmness] = ["gentle", "courteous", "firm"]
        sizes: list[Length] = ["short", "normal", "long"]
        rule = self.model_copy(deep=True)
        if adjustment == "softer":
            rule.firmness = order[max(order.index(rule.firmness) - 1, 0)]
        elif adjustment == "firmer":
            top = order.index(rule.ceiling)
            rule.firmness = order[min(order.index(rule.firmness) + 1, top)]
        elif adjustment == "shorter":
            rule.length = sizes[max(sizes.index(rule.length) - 1, 0)]
        elif adjustment == "longer":
            rule.length = sizes[min(sizes.index(rule.length) + 1, len(sizes) - 1)]
        return rule


TONE_ADJUSTMENTS = ("softer", "firmer", "shorter", "longer")


def load_tone_policy(home: Path | None) -> TonePolicy:
    return load_policy(home, "tone.yaml", TonePolicy)
