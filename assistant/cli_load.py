"""Which commands a command line needs: `relance drafts` imports and builds `drafts` only.

click's lazy-loading pattern (a group that imports a command's module when that command is
asked for) adapted to typer: the commands of `cli.py` are registered on `app` when it is
imported, the other `cli_*.py` modules register theirs when they are imported. For one command
line, `command_for` imports the module(s) of the command named, then builds a click group with
that command alone (typer builds each command's parameters from its signature: building all of
them took longer than running `drafts`). Help at the top, no command or an unknown name build
the whole group, in the order `relance --help` has always listed it.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Sequence
from typing import Any

import typer
import typer.main

# Module -> the top-level names it registers or extends (`import bank` is added to `import` by
# cli_bank, `user signature` to `user` by cli_team). Kept exact by tests/unit/test_cli_load.py.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "assistant.cli_bank": ("import", "match", "matches", "sources", "daily"),
    "assistant.cli_companies": ("company", "user"),
    "assistant.cli_drafts": ("edit",),
    "assistant.cli_export": ("export",),
    "assistant.cli_policy": ("policy",),
    "assistant.cli_replies": ("inbox", "replies", "triage", "forget"),
    "assistant.cli_statutory": ("proceedings", "escalate", "notice", "dossier"),
    "assistant.cli_team": ("customer", "user", "calls", "digest"),
    "assistant.cli_users": ("user",),
}
_GLOBAL_WITH_VALUE = ("--home", "--lang", "--company")
_HELP = ("--help", "-h")


def command_name(argv: Sequence[str]) -> str | None:
    """The top-level command of `argv` (global options skipped); None for help, no command."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _HELP or token == "--":
            return None
        if token in _GLOBAL_WITH_VALUE:
            i += 2
        elif token.startswith("-"):
            i += 1
        else:
            return token
    return None


def load_modules(name: str | None) -> None:
    """Import the modules that register `name` (all of them when `name` is None)."""
    for module, names in COMMAND_MODULES.items():
        if name is None or name in names:
            importlib.import_module(module)


def _name_of(info: Any) -> str:
    return info.name or typer.main.get_command_name(info.callback.__name__)


def command_for(app: typer.Typer, argv: Sequence[str]) -> Any:
    """The click command to run `argv`: the group with only the named command when it is known,
    else the whole group (help, usage errors and suggestions then see every command)."""
    name = command_name(argv)
    load_modules(name)
    own = [c for c in app.registered_commands if _name_of(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if name is None or not (own or groups):
        load_modules(None)
        return typer.main.get_command(app)
    one = copy.copy(app)  # the same callback (global options) and settings, one command
    one.registered_commands = own
    one.registered_groups = groups
    return typer.main.get_command(one)
