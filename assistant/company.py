"""The sending company (policies/company.yaml): name, bank details, contact person, signature."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from assistant.i18n import tr_in
from assistant.policyfile import load_policy

COMPANY_FILE = "company.yaml"


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    role: str = ""
    email: str = ""
    phone: str = ""


class Company(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    legal_form: str = ""
    siren: str = ""  # shown on formal notices and litigation files when given
    address: str = ""
    email: str = ""
    phone: str = ""
    iban: str = ""
    payment_link: str = ""
    contact: Contact
    cc_salesperson_steps: list[str] = Field(default_factory=lambda: ["reminder_2"])

    def contact_line(self, language: str) -> str:
        """`Marie Dupont (04 65 71 20 00, compta@...)`: who to reach, in one line."""
        details = ", ".join(x for x in (self.contact.phone, self.contact.email) if x)
        return f"{self.contact.name} ({details})" if details else self.contact.name

    def signature(self, language: str) -> str:
        lines = [self.contact.name]
        if self.contact.role:
            lines.append(self.contact.role)
        lines.append(self.name)
        if self.contact.phone or self.phone:
            lines.append(self.contact.phone or self.phone)
        return "\n".join(lines)

    def payment_text(self, language: str) -> str:
        return self.payment_link or tr_in(
            language, "(lien de paiement sur demande)", "(payment link on request)"
        )


def load_company(home: Path | None) -> Company:
    return load_policy(home, COMPANY_FILE, Company)
