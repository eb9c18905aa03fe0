"""`relance user add|list|disable`: the people of a team and their role (docs/roles.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.cli import AsJson, app, echo, service_for
from assistant.i18n import tr
from assistant.people import describe
from assistant.roles import Role, role_label

user_app = typer.Typer(
    name="user",
    help="Personnes et rôles (comptable, recouvrement, responsable, admin) / People and roles.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Nom (celui de RELANCE_USER).", show_default=False)],
    role: Annotated[
        str,
        typer.Option(
            "--role", help=" | ".join(Role) + " (la première : admin).", show_default=False
        ),
    ],
    email: Annotated[str | None, typer.Option("--email", help="Adresse e-mail.")] = None,
) -> None:
    """Ajouter une personne ; la première (admin) sans rôle requis, ensuite admin seulement."""
    with service_for(ctx) as service:
        user = service.add_user(name, role, email)
    echo(
        tr(
            "{n} ajouté(e) : {r}.",
            "{n} added: {r}.",
            n=user.name,
            r=role_label(user.role),
        )
    )


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Lister les personnes et leur rôle."""
    with service_for(ctx) as service:
        users = service.users()
    if as_json:
        echo(json.dumps([u.as_json() for u in users], ensure_ascii=False, indent=2))
        return
    if not users:
        echo(
            tr(
                "Aucune personne : mode un seul utilisateur (tout est permis).",
                "No people: single-user mode (everything is allowed).",
            )
        )
        return
    for user in users:
        echo(describe(user) + (f" <{user.email}>" if user.email else ""))


@user_app.command("disable")
def user_disable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Nom de la personne.", show_default=False)],
) -> None:
    """Désactiver une personne : elle ne peut plus agir (son historique reste)."""
    with service_for(ctx) as service:
        user = service.disable_user(name)
    echo(tr("{n} désactivé(e).", "{n} disabled.", n=user.name))
