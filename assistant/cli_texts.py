"""typer's own words (help headings, the help option, usage, types, usage errors) in the
interface's language: French first, English with `--lang en`.

typer keeps these texts in its vendored click and in `typer.core` (through gettext's `_`);
`install()` puts ours in their place once, before the app parses anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assistant.i18n import tr

# typer.core's gettext messages
_MESSAGES: dict[str, tuple[str, str]] = {
    "Arguments": ("Arguments", "Arguments"),
    "Options": ("Options", "Options"),
    "Commands": ("Commandes", "Commands"),
    "default: {default}": ("défaut : {default}", "default: {default}"),
    "required": ("obligatoire", "required"),
    "env var: {var}": ("variable d'environnement : {var}", "env var: {var}"),
    "(dynamic)": ("(calculé)", "(dynamic)"),
    "Aborted!": ("Annulé.", "Aborted!"),
    "Missing command.": ("Commande manquante.", "Missing command."),
    "No such command {name!r}.": ("Commande inconnue : {name!r}.", "No such command {name!r}."),
}
_TYPES = {
    "str": ("texte", "text"),
    "int": ("entier", "int"),
    "float": ("nombre", "number"),
    "path": ("chemin", "path"),
    "file": ("fichier", "file"),
    "directory": ("dossier", "directory"),
    "list[int]": ("entiers", "ints"),
    "list[str]": ("textes", "texts"),
    "int range": ("entier", "int"),
    "boolean": ("oui/non", "boolean"),
}
# click's usage errors (hardcoded English), as regex -> (French, English) with groups
_ERRORS: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (re.compile(r"^Missing option '(.+?)'\.?$"), ("option manquante : {0}", "missing option: {0}")),
    (re.compile(r"^Missing argument '(.+?)'\.?$"),
     ("argument manquant : {0}", "missing argument: {0}")),
    (re.compile(r"^No such option: (\S+?)"
                r"(?:\s+(?:Did you mean (.+?)\?|\(Possible options: (.+)\)))?$", re.S),
     ("option inconnue : {0}{1}", "no such option: {0}{1}")),
    (re.compile(r"^Invalid value for '(.+?)': Input should be a valid integer.*$", re.S),
     ("valeur invalide pour {0} : nombre entier attendu",
      "invalid value for {0}: a whole number is expected")),
    (re.compile(r"^Option '(.+?)' requires an argument\.?$"),
     ("l'option {0} attend une valeur", "option {0} requires an argument")),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.+)\)$"),
     ("argument(s) en trop : {0}", "unexpected extra argument(s): {0}")),
    (re.compile(r"^Invalid value for '(.+?)': '(.+?)' is not a valid integer\.?$"),
     ("valeur invalide pour {0} : « {1} » n'est pas un nombre entier",
      "invalid value for {0}: '{1}' is not a valid integer")),
    (re.compile(r"^Invalid value for '(.+?)': (.+)$", re.S),
     ("valeur invalide pour {0} : {1}", "invalid value for {0}: {1}")),
    (re.compile(r"^No such command '(.+?)'\.?$"),
     ("commande inconnue : {0}", "no such command: {0}")),
]  # fmt: skip


def message(msgid: str) -> str:
    """typer.core's `_()`: our text when we have one, else the original."""
    pair = _MESSAGES.get(msgid)
    return tr(*pair) if pair else msgid


def usage_error(text: str) -> str:
    """A click usage error in the interface's language (unknown ones stay as they are)."""
    for pattern, (fr, en) in _ERRORS:
        m = pattern.match(text.strip())
        if m is None:
            continue
        groups = list(m.groups())
        if pattern.pattern.startswith("^No such option"):
            hint = groups[1] or groups[2]
            groups = [
                groups[0],
                tr(" (vouliez-vous dire {o} ?)", " (did you mean {o}?)", o=hint) if hint else "",
            ]
        return tr(fr, en).format(*[g or "" for g in groups])
    return text


def _type_label(label: str) -> str:
    inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
    pair = _TYPES.get(inner)
    return f"<{tr(*pair)}>" if pair else label


_installed: list[bool] = []


def install() -> None:
    """Put our texts in typer (idempotent)."""
    if _installed:
        return
    import typer.core as core

    core._ = message  # type: ignore[attr-defined]
    display: Callable[..., str] = core._TyperParameter.display_type

    def display_type(self: Any, ctx: Any) -> str:
        return _type_label(display(self, ctx))

    core._TyperParameter.display_type = display_type  # type: ignore[method-assign]
    for cls in (core.TyperCommand, core.TyperGroup):
        _localise_command(cls)
    _installed.append(True)


def _localise_command(cls: Any) -> None:
    help_option = cls.get_help_option
    format_usage = cls.format_usage

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = help_option(self, ctx)
        if option is not None:
            option.help = tr("Afficher cette aide et quitter.", "Show this message and exit.")
        return option

    def localised_usage(self: Any, ctx: Any, formatter: Any) -> None:
        pieces = " ".join(self.collect_usage_pieces(ctx))
        pieces = pieces.replace("COMMAND [ARGS]...", tr("COMMANDE [ARGS]...", "COMMAND [ARGS]..."))
        formatter.write_usage(ctx.command_path, pieces, prefix=tr("Utilisation : ", "Usage: "))

    cls.get_help_option = get_help_option
    cls.format_usage = localised_usage if format_usage else format_usage
