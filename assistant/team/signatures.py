"""A signature per person: the customer-visible lines that end an e-mail written on their
behalf. It is data, never a template: it reaches the message as a locked fact (the LLM sees
`[[SIGNATURE]]` only) and Jinja never evaluates it.

Who signs a customer's message: its owner when they have a signature (they follow the
customer: replies and calls go to them); else the person who made the draft (`relance draft`,
`regenerate`) when they have one; else the company's generic signature (company.yaml)."""

from __future__ import annotations

from assistant.errors import UserError
from assistant.i18n import tr
from assistant.safetext import control_in
from assistant.storage import team_repo, users_repo
from assistant.storage.db import Store

MAX_LINES = 8
MAX_CHARS = 500


def clean_signature(text: str) -> str:
    """The signature as stored: `\\n` typed on a command line is a line break, trailing
    spaces go; refused (one line) if empty, too long, or holding control characters."""
    lines = [line.rstrip() for line in text.replace("\\n", "\n").strip().splitlines()]
    cleaned = "\n".join(lines).strip()
    if not cleaned:
        raise UserError(
            tr("signature vide (--clear pour l'enlever)", "empty signature (--clear removes it)")
        )
    if bad := control_in(cleaned, allow="\n"):
        raise UserError(
            tr(
                "signature : caractère de contrôle refusé ({c})",
                "signature: control character refused ({c})",
                c=bad,
            )
        )
    if len(lines) > MAX_LINES or len(cleaned) > MAX_CHARS:
        raise UserError(
            tr(
                "signature trop longue : {l} lignes et {n} caractères au plus",
                "signature too long: {l} lines and {n} characters at most",
                l=MAX_LINES,
                n=MAX_CHARS,
            )
        )
    return cleaned


def set_signature(store: Store, name: str, text: str | None, actor: str) -> str | None:
    """Set (or clear with None) a person's signature; one event `user.signature`."""
    cleaned = None if text is None else clean_signature(text)
    with store.transaction():
        user = users_repo.get(store, name)
        if user is None:
            raise UserError(tr("personne inconnue : {n}", "unknown person: {n}", n=name))
        if team_repo.signature(store, name) == cleaned:
            return cleaned
        team_repo.set_signature(store, name, cleaned)
        store.record_event(
            "user.signature", actor=actor, data={"name": name, "set": cleaned is not None}
        )
    return cleaned


def pick_signer(owner: str | None, drafter: str | None, signatures: dict[str, str]) -> str | None:
    """The rule: the owner, else the drafter, among the enabled people with a signature
    (`signatures`: name -> text); None: the company's signature."""
    return next((name for name in (owner, drafter) if name and name in signatures), None)


def signer_for(store: Store, customer_id: str, drafter: str | None) -> str | None:
    """The person whose signature ends this customer's message, or None (the company's)."""
    owner = team_repo.owner_of(store, customer_id)
    return pick_signer(owner, drafter, team_repo.enabled_signatures(store))
