"""`relance company add|list` and `relance user grant|revoke`: several client companies in one
PostgreSQL database, each person seeing the companies granted to them (docs/companies.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli import AsJson, AsOf, app, clock_for, echo, operation_of, parse_day, service_for
from assistant.cli_users import user_app
from assistant.i18n import tr
from assistant.roles import Role, role_label

if TYPE_CHECKING:
    from assistant.service import Service

company_app = typer.Typer(
    name="company",
    help="Sociétés clientes d'une base PostgreSQL partagée / Client companies of a shared"
    " PostgreSQL database.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(company_app, name="company")


@company_app.command("add")
def company_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code court (--company CODE).", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="Nom de la société.", show_default=False)],
) -> None:
    """Créer une société (son schéma, toutes ses tables) ; vous en êtes l'administrateur."""
    from assistant.firm import add_company

    with service_for(ctx) as service:
        ref = add_company(service, code, name)
        who = service.actor
    echo(
        tr(
            "Société {c} créée : {n} (schéma {s}) ; {w} en est administrateur.",
            "Company {c} created: {n} (schema {s}); {w} is its admin.",
            c=ref.code,
            n=ref.name,
            s=ref.schema,
            w=who,
        )
    )


@company_app.command("list")
def company_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Lister les sociétés auxquelles vous avez accès, et votre rôle dans chacune."""
    from assistant.firm import CompanyAccess, accesses, default_ref

    settings = ctx.obj.settings
    if settings.uses_postgres:
        found = accesses(settings)
    else:  # one home, one company: the home's own, with the acting person's role there
        with service_for(ctx) as service:
            person = service.person
        found = [CompanyAccess(default_ref(settings), person.role if person else None)]
    if as_json:
        echo(json.dumps([a.as_json() for a in found], ensure_ascii=False, indent=2))
        return
    for access in found:
        role = role_label(access.role) if access.role else tr("tout permis", "everything allowed")
        echo(f"{access.company.code} — {access.company.name} — {role}")


@company_app.command("stats")
def company_stats(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Les indicateurs de chaque société que vous voyez, et les totaux du cabinet par devise."""
    from assistant.firm_report import firm_report, report_lines
    from assistant.service import Service

    settings = ctx.obj.settings
    report = firm_report(
        settings,
        clock_for(settings),
        lambda service: parse_day(as_of, service.store.today()),
        Service.open,
    )
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    for line in report_lines(report):
        echo(line)


@contextmanager
def _people_of_company(ctx: typer.Context) -> Iterator[Service]:
    """The chosen company's service, its admin or the firm's admin acting (one line else)."""
    from assistant.firm import open_as_admin
    from assistant.service import Service

    settings = ctx.obj.settings
    service = open_as_admin(settings, clock_for(settings), operation_of(ctx), Service.open)
    try:
        yield service
    finally:
        service.close()


@user_app.command("grant")
def user_grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Nom de la personne.", show_default=False)],
    role: Annotated[
        str | None,
        typer.Option(
            "--role", help=" | ".join(Role) + " (une nouvelle : requis).", show_default=False
        ),
    ] = None,
) -> None:
    """Donner accès à la société de --company (ajouter, réactiver ou changer le rôle)."""
    from assistant.firm import DEFAULT_CODE, grant

    with _people_of_company(ctx) as service:
        user = grant(service, name, role)
        code = service.company.code if service.company else DEFAULT_CODE
    echo(
        tr(
            "{n} a accès à la société {c} : {r}.",
            "{n} has access to the company {c}: {r}.",
            n=user.name,
            c=code,
            r=role_label(user.role),
        )
    )


@user_app.command("revoke")
def user_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Nom de la personne.", show_default=False)],
) -> None:
    """Retirer l'accès à la société de --company (la personne y est désactivée)."""
    from assistant.firm import DEFAULT_CODE, revoke

    with _people_of_company(ctx) as service:
        user = revoke(service, name)
        code = service.company.code if service.company else DEFAULT_CODE
    echo(
        tr(
            "{n} n'a plus accès à la société {c}.",
            "{n} no longer has access to the company {c}.",
            n=user.name,
            c=code,
        )
    )
