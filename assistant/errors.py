"""Exceptions that carry a message meant for the user (the CLI prints it on one line)."""


class UserError(Exception):
    """A problem the user can fix: bad input, unknown id, bad policy file..."""


class ImportRejected(UserError):
    """An import file had bad rows; nothing was written."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        head = f"{path}: {len(problems)} problème(s), rien n'a été importé"
        super().__init__(head + "\n" + "\n".join(problems))


class PolicyError(UserError):
    """A policy file is invalid; the tool refuses to plan with it."""
