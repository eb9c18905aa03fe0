"""The sending company (policies/company.yaml): name, bank details, contact person, signature."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from assistant.emails import check_address
from assistant.i18n import tr, tr_in
from assistant.iban import parse_iban
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
    siren: Line = ""  # shown on formal notices and litigation files when given
    address: str = ""  # may span lines (a postal address)
    email: Email = ""
    phone: Line = ""
    iban: Line = ""
    payment_link: Line = ""
    contact: Contact
    cc_salesperson_steps: list[str] = Field(default_factory=lambda: ["reminder_2"])

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return parse_iban(value) if value.strip() else ""

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


# The facts a new company must replace: the shipped file's values of these fields are examples.
PLACEHOLDER_FIELDS = (
    "name",
    "email",
    "phone",
    "address",
    "iban",
    "payment_link",
    "contact.email",
    "contact.phone",
)


def _value(company: Company, dotted: str) -> str:
    obj: object = company
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return str(obj).strip()


@cache
def _shipped() -> Company:
    return load_company(None)


def placeholder_fields(company: Company) -> list[str]:
    """Fields still holding a shipped example value (`name`, `iban`...): nothing may be
    approved until they are real. Empty shipped values are not examples."""
    shipped = _shipped()
    return [
        field
        for field in PLACEHOLDER_FIELDS
        if (example := _value(shipped, field)) and _value(company, field) == example
    ]


def placeholder_problem(company: Company) -> str | None:
    """One line saying what to fill in `company.yaml`, or None when the facts are real."""
    fields = placeholder_fields(company)
    if not fields:
        return None
    return tr(
        "company.yaml contient encore des valeurs d'exemple à remplacer : {f}"
        " (rien ne peut être approuvé avant)",
        "company.yaml still holds example values to replace: {f} (nothing can be approved"
        " until then)",
        f=", ".join(f"{f} « {_value(company, f)} »" for f in fields),
    )
