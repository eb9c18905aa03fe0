"""`relance edit`: a pending draft's text from the command line, as the interface saves it
(fact checks of the new text, a compare-and-set on the version read: docs/concurrency.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import Force, SeenVersion, app, echo, service_for
from assistant.errors import UserError
from assistant.i18n import tr

MAX_BODY = 100_000  # characters: a reminder is a page, not a book


def read_body(path: Path) -> str:
    """The new body: a UTF-8 file, or standard input for `-`."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            tr("{p} : illisible ({e})", "{p}: unreadable ({e})", p=path, e=exc)
        ) from None
    if len(text) > MAX_BODY:
        raise UserError(
            tr(
                "{p} : texte trop long ({n} caractères, {m} au plus)",
                "{p}: text too long ({n} characters, {m} at most)",
                p=path,
                n=len(text),
                m=MAX_BODY,
            )
        )
    return text


@app.command()
def edit(
    ctx: typer.Context,
    draft_id: Annotated[int, typer.Argument(help="Numéro du brouillon.", show_default=False)],
    body_file: Annotated[
        Path | None,
        typer.Option(
            "--body-file",
            help="Nouveau texte (fichier UTF-8, - : entrée standard).",
            show_default=False,
        ),
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="Nouvel objet.", show_default=False)
    ] = None,
    version: SeenVersion = None,
    force: Force = False,
) -> None:
    """Modifier le texte d'un brouillon en attente (contrôles du nouveau texte)."""
    if body_file is None and subject is None:
        raise UserError(
            tr(
                "rien à modifier : donnez --body-file et/ou --subject",
                "nothing to change: give --body-file and/or --subject",
            )
        )
    body = read_body(body_file) if body_file is not None else None
    with service_for(ctx) as service:
        if body is None:
            body = service.get_draft(draft_id).body
        item = service.edit_draft(draft_id, body, subject, version=version, force=force)
    echo(
        tr(
            "Brouillon {i} modifié (version {v}){c}.",
            "Draft {i} edited (version {v}){c}.",
            i=item.id,
            v=item.version,
            c=tr(" ; contrôles : {c}", "; checks: {c}", c=" · ".join(item.checks))
            if item.checks
            else "",
        )
    )
