"""People and roles: who may run which command (the one table), and who is acting.

`OPERATIONS` maps every CLI command (its path after `relance`, e.g. "import invoices") and the
few actions that exist only in the interface ("edit", "policies") to the roles allowed to run
it. `docs/roles.md` holds the same table (a test checks it). With no user in the database,
everything is allowed and events keep the actor they had before people existed.
"""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar, cast

from assistant.errors import UserError
from assistant.i18n import tr


class Role(StrEnum):
    ACCOUNTANT = "accountant"
    COLLECTOR = "collector"
    MANAGER = "manager"
    ADMIN = "admin"


ROLE_WORDS: dict[Role, tuple[str, str]] = {
    Role.ACCOUNTANT: ("comptable", "accountant"),
    Role.COLLECTOR: ("chargé de recouvrement", "collector"),
    Role.MANAGER: ("responsable", "manager"),
    Role.ADMIN: ("administrateur", "admin"),
}


def role_label(role: str) -> str:
    fr, en = ROLE_WORDS.get(Role(role), (role, role))
    return tr(fr, en)


A, C, M = Role.ACCOUNTANT, Role.COLLECTOR, Role.MANAGER
EVERYONE: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class Operation:
    roles: frozenset[Role]  # the admin is always added
    what: str  # one line for docs/roles.md (English)
    tui_only: bool = False

    @property
    def read_only(self) -> bool:
        return self.roles == EVERYONE


def _op(what: str, *roles: Role, tui_only: bool = False) -> Operation:
    return Operation(frozenset((*roles, Role.ADMIN)) if roles else EVERYONE, what, tui_only)


# The one table: operation -> roles. No roles given = every role (a read, or harmless).
OPERATIONS: dict[str, Operation] = {
    # home and people
    "init": _op("create the home, or re-copy missing policy files", Role.ADMIN),
    "demo": _op("build the demo company in its own home (never the team's database)"),
    "user add": _op("add a person (the first one, an admin, needs no role)", Role.ADMIN),
    "user list": _op("list the people and their roles"),
    "user disable": _op("disable a person (they can no longer act)", Role.ADMIN),
    "user signature": _op("set one's own e-mail signature (the admin: anyone's)"),
    # companies of one PostgreSQL database (docs/companies.md)
    "company add": _op("create a company (PostgreSQL); its creator is its admin", Role.ADMIN),
    "company list": _op("the companies one may see, and one's role in each"),
    "company stats": _op("each company one may see: its KPIs; the firm's totals per currency"),
    "user grant": _op(
        "give a person access to a company, with a role (its admin or the firm's)", Role.ADMIN
    ),
    "user revoke": _op("take a person's access to a company away (disabled there)", Role.ADMIN),
    # customers' people (docs/team.md)
    "customer owner": _op("give a customer to a person (their calls first, their signature)", M),
    "customer contact": _op("add or remove a customer's contact (accounting, purchasing…)", A, C),
    "customer show": _op("one customer: owner, contacts"),
    "calls": _op("today's calls, the acting person's customers first"),
    # reading (every role)
    "plan": _op("today's actions, nothing changed"),
    "drafts": _op("list drafts"),
    "show": _op("one draft, with who approved, edited or sent it"),
    "stats": _op("KPIs"),
    "brief": _op("call brief of a customer (with who acted in its timeline)"),
    "review": _op("open the interface (its actions follow this table)"),
    "matches": _op("bank receipts and their matches"),
    "sources": _op("payment data freshness"),
    "replies": _op("customer replies and their suggestion"),
    "export status": _op("payment status per customer and open invoice, for a CRM"),
    # accountant: imports, drafts, approves, rejects, edits, sends, stuck sends, matches
    "import invoices": _op("import invoices", A),
    "import customers": _op("import customers", A),
    "import payments": _op("import payments", A),
    "import fec": _op("import a FEC", A),
    "import bank": _op("import a bank statement", A),
    "daily": _op("morning routine: import the watched folder and draft", A),
    "draft": _op("create the due drafts", A),
    "digest": _op("draft the weekly salespeople digests (docs/team.md)", A),
    "approve": _op("approve drafts", A),
    "unapprove": _op("take an approval back", A),
    "reject": _op("reject drafts", A),
    "regenerate": _op("rewrite a pending draft (tone, language)", A),
    "edit": _op("edit a pending draft's text", A),
    "send": _op("send the approved drafts", A),
    "stuck": _op("settle an interrupted send", A),
    "match": _op("decide a bank receipt (apply, reject, undo)", A),
    # collector: calls, promises, disputes, replies, formal notices
    "log-call": _op("log a call's outcome", C),
    "promise": _op("record a payment promise", C),
    "dispute": _op("open a dispute", C),
    "resolve": _op("close a dispute", C),
    "inbox fetch": _op("read new customer replies (IMAP)", C),
    "inbox import": _op("import saved customer replies", C),
    "triage": _op("confirm or correct a reply's suggestion", C),
    "notice": _op("prepare a formal notice, or record it posted", C),
    # manager: policies, templates, escalations
    "policies": _op("edit policies and templates (interface)", M, tui_only=True),
    "policy list": _op("list the policy files in effect and where they come from", M),
    "policy export": _op("write the policy files in effect to a folder", M),
    "policy import": _op("replace policy files from a folder (validated, all or nothing)", M),
    "escalate": _op("decide an escalation", M),
    "proceedings": _op("record or clear collective proceedings", M),
    "dossier": _op("build a litigation file", M),
    # admin only
    "forget": _op("erase a customer's messages on request (data protection)", Role.ADMIN),
    "migrate": _op("copy the home's database into an empty PostgreSQL database", Role.ADMIN),
}


F = TypeVar("F", bound=Callable[..., Any])


def guarded(operation: str) -> Callable[[F], F]:
    """The role table inside the façade (`Service`), not only at the CLI gate and the
    interface's keys: a method that changes data refuses, before anything is done, a person
    whose role may not run `operation`, with the gate's one line. The CLI and the interface
    check first; this holds whatever calls the method. An unknown operation fails at import."""
    OPERATIONS[operation]

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            self.require(operation)
            return method(self, *args, **kwargs)

        checked.operation = operation  # type: ignore[attr-defined]  # read by the tests
        return cast(F, checked)

    return wrap


def allowed(operation: str, role: str) -> bool:
    """May `role` run `operation`? An operation missing from the table is a bug (KeyError)."""
    return Role(role) in OPERATIONS[operation].roles


def needed_roles(operation: str) -> list[Role]:
    """The roles that may run it, the admin last (for the refusal line)."""
    roles = OPERATIONS[operation].roles
    return [r for r in Role if r in roles and r is not Role.ADMIN] + [Role.ADMIN]


def refusal(operation: str, name: str, role: str) -> str:
    """The one line of a refused action: the operation, the role(s) it needs, who tried."""
    needed = tr(" ou ", " or ").join(role_label(r) for r in needed_roles(operation))
    return tr(
        "« {op} » demande le rôle {need} ; {who} est {role}",
        "`{op}` needs the role {need}; {who} is {role}",
        op=operation,
        need=needed,
        who=name,
        role=role_label(role),
    )


def login_name() -> str | None:
    """The operating-system login (the default acting person), or None if unknown."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry
        return None


def unknown_person(name: str | None) -> UserError:
    if not name:
        return UserError(
            tr(
                "personne inconnue : définissez RELANCE_USER (voir relance user list)",
                "unknown person: set RELANCE_USER (see relance user list)",
            )
        )
    return UserError(
        tr(
            "« {n} » n'est pas une personne active de cette base : définissez RELANCE_USER"
            " (voir relance user list)",
            "'{n}' is not an active person of this database: set RELANCE_USER"
            " (see relance user list)",
            n=name,
        )
    )


def markdown_table() -> str:
    """The role table as docs/roles.md shows it (a test keeps the two identical):
    `python -m assistant.roles` prints it."""
    head = "| Command | " + " | ".join(Role) + " | What |"
    lines = [head, "|" + "---|" * (len(Role) + 2)]
    for name, op in OPERATIONS.items():
        where = f"(interface) {name}" if op.tui_only else f"`relance {name}`"
        marks = " | ".join("✓" if r in op.roles else "" for r in Role)
        lines.append(f"| {where} | {marks} | {op.what} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
