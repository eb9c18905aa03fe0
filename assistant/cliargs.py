"""Global options written after the command: `relance demo --no-tui --home H` means
`relance --home H demo --no-tui`.

click only reads the group's options before the command name. The command line is rewritten
first: `--home`, `--lang`, `--company` (and their `=` forms) found after the command move to
the front, unless they are the value of one of the command's own options (`--reason --home` keeps
"--home" as the reason) or come after `--`.
"""

from __future__ import annotations

from typing import Any

GLOBAL_OPTIONS = ("--home", "--lang", "--company")


def _value_options(command: Any) -> set[str]:
    """The option names of `command` that take a value (not flags)."""
    names: set[str] = set()
    for param in getattr(command, "params", []):
        opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
        if opts and not getattr(param, "is_flag", False) and not getattr(param, "count", False):
            names.update(opts)
    return names


def hoist_global_options(argv: list[str], root: Any) -> list[str]:
    """`argv` with global options moved before the command (see the module docstring)."""
    hoisted: list[str] = []
    kept: list[str] = []
    command, takes_value = root, _value_options(root)
    expecting_value = False
    i = 0
    while i < len(argv):
        token = argv[i]
        if expecting_value:
            kept.append(token)
            expecting_value = False
        elif token == "--":
            kept.extend(argv[i:])
            break
        elif command is not root and token in GLOBAL_OPTIONS and i + 1 < len(argv):
            hoisted += [token, argv[i + 1]]
            i += 1
        elif command is not root and token.split("=", 1)[0] in GLOBAL_OPTIONS and "=" in token:
            hoisted.append(token)
        elif token.startswith("-"):
            kept.append(token)
            expecting_value = token in takes_value
        else:
            kept.append(token)
            sub = getattr(command, "commands", {}).get(token)
            if sub is not None:
                command, takes_value = sub, _value_options(sub)
        i += 1
    return hoisted + kept
