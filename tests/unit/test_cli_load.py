"""A command line builds only its command (assistant/cli_load.py), and that command is the one the
whole group has: same name, help, options (names, help, types, defaults) and subcommands. The
table of which module registers which command is exact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from assistant.cli import app
from assistant.cli_load import COMMAND_MODULES, command_for, command_name, load_modules

ROOT = Path(__file__).resolve().parents[2]


def describe(command: Any, parent: Any = None) -> dict[str, Any]:
    """What a person sees of a click command: its help page, its options, its subcommands."""
    ctx = command.context_class(command, info_name=command.name, parent=parent)
    params = [
        {
            "name": p.name,
            "opts": p.opts,
            "secondary": p.secondary_opts,
            "required": p.required,
            "default": repr(p.default),
            "help": getattr(p, "help", None),
            "flag": getattr(p, "is_flag", False),
            "multiple": p.multiple,
            "hidden": getattr(p, "hidden", False),
        }
        for p in command.params
    ]
    subcommands = getattr(command, "commands", {})
    return {
        "name": command.name,
        "help": command.help,
        "short_help": command.short_help,
        "hidden": command.hidden,
        "params": params,
        "page": command.get_help(ctx),
        "commands": {name: describe(sub, ctx) for name, sub in subcommands.items()},
    }


def test_the_command_name_skips_global_options() -> None:
    assert command_name(["--home", "h", "drafts", "--json"]) == "drafts"
    assert command_name(["--lang=en", "--home=h", "import", "bank", "f.xml"]) == "import"
    assert command_name(["drafts", "--home", "h"]) == "drafts"
    assert command_name(["--version"]) is None
    assert command_name(["--help", "drafts"]) is None  # the top help lists every command
    assert command_name([]) is None


def test_each_command_alone_is_the_command_of_the_whole_group() -> None:
    load_modules(None)
    whole = typer.main.get_command(app)
    assert len(whole.commands) >= 38
    top = whole.context_class(whole, info_name="relance")
    for name, full in whole.commands.items():
        alone = command_for(app, ["--home", "h", name, "--help"])
        assert list(alone.commands) == [name]
        mine = alone.context_class(alone, info_name="relance")
        assert describe(alone.commands[name], mine) == describe(full, top), name
        assert "Options" in describe(full, top)["page"]
    assert [p.opts for p in alone.params] == [p.opts for p in whole.params]  # --home, --lang…


def test_help_an_unknown_name_or_no_command_build_the_whole_group() -> None:
    for argv in (["--help"], ["drafs"], [], ["--home", "h"]):
        group = command_for(app, argv)
        assert {"drafts", "edit", "inbox", "customer", "user", "export"} <= set(group.commands)


@pytest.mark.parametrize("module", sorted(COMMAND_MODULES))
def test_the_table_of_command_modules_is_exact(module: str) -> None:
    """Importing a module, in a fresh interpreter, adds or extends exactly the names listed."""
    probe = f"""
import importlib, json
import typer.main
from assistant.cli import app

def tree(t):
    out = {{}}
    for c in t.registered_commands:
        out[c.name or typer.main.get_command_name(c.callback.__name__)] = {{}}
    for g in t.registered_groups:
        out[g.name] = tree(g.typer_instance)
    return out

before = tree(app)
importlib.import_module({module!r})
after = tree(app)
print(json.dumps(sorted(n for n in after if after[n] != before.get(n))))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    changed = set(json.loads(done.stdout))
    own = set(COMMAND_MODULES[module])
    if module == "assistant.cli_team":  # it imports cli_users, which adds `user` first
        own |= set(COMMAND_MODULES["assistant.cli_users"])
    assert changed == own, (module, changed)
