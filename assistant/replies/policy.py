"""`policies/replies.yaml`: how long replies are kept, which domains are public webmail."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.policyfile import load_policy

REPLIES_FILE = "replies.yaml"


class RepliesPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retention_days: int = Field(default=365, ge=30, le=3650)
    public_domains: list[str] = Field(default_factory=list)

    @field_validator("public_domains")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [d.strip().lower() for d in value if d.strip()]


def load_replies_policy(home: Path | None) -> RepliesPolicy:
    return load_policy(home, REPLIES_FILE, RepliesPolicy)
