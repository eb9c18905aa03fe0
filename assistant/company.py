"""The sending company (policies/company.yaml): name, bank details, contact person, signature."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistant.emails import check_address
from assistant.i18n import tr_in
from assistant.policyfile import load_policy
from assistant.safetext import control_in


def _one_line(value: str) -> str:
    """Company facts reach headers (the sender's name) and one-line facts: a line break or a
    control character is refused when the file is loaded, not when a message breaks."""
    if char := control_in(value):
        raise ValueError(f"line break or control character ({char}) not allowed")
    return value


def _address(value: str) -> str:
    return check_address(value) if value.strip() else ""


Line = Annotated[str, AfterValidator(_one_line)]
Email = Annotated[str, AfterValidator(_one_line), AfterValidator(_address)]

COMPANY_FILE = "company.yaml"


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line = Field(min_length=1)
    role: Line = ""
    email: Email = ""
    phone: Line = ""


class Company(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line = Field(min_length=1)
    legal_form: Line = ""
    address: str = ""  # may span lines (a postal address)
    email: Email = ""
    phone: Line = ""
    iban: Line = ""
    payment_link: Line = ""
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
