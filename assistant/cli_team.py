"""`relance customer owner|contact|show`, `relance user signature`, `relance calls`: people
write as themselves (docs/team.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from assistant.cli import (
    AcceptStale,
    AsJson,
    AsOf,
    StaleReason,
    app,
    echo,
    parse_day,
    service_for,
    stale_reason,
)
from assistant.cli_users import user_app
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.labels import step_label
from assistant.reasons import render

customer_app = typer.Typer(
    name="customer",
    help="Clients : responsable, contacts / Customers: owner, contacts.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(customer_app, name="customer")

CustomerArg = Annotated[
    str, typer.Argument(help="Code client, ou nom sans ambiguïté.", show_default=False)
]


@customer_app.command("owner")
def customer_owner(
    ctx: typer.Context,
    customer: CustomerArg,
    name: Annotated[
        str,
        typer.Argument(help="La personne qui suit le client (- : personne).", show_default=False),
    ],
) -> None:
    """Donner un client à une personne (ses appels passent en premier ; elle signe ses e-mails)."""
    with service_for(ctx) as service:
        customer_id = service.find_customer(customer)
        owner = service.set_customer_owner(customer_id, name)
    if owner is None:
        echo(tr("{c} : plus de responsable.", "{c}: no owner any more.", c=customer_id))
    else:
        echo(tr("{c} : suivi par {n}.", "{c}: owned by {n}.", c=customer_id, n=owner))


@customer_app.command("contact")
def customer_contact(
    ctx: typer.Context,
    customer: CustomerArg,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="accounting | purchasing | management (comptabilité, achats, direction).",
            show_default=False,
        ),
    ],
    email: Annotated[str | None, typer.Option("--email", help="Adresse e-mail.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Nom du contact.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Téléphone.")] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Retirer ce contact (ou tous ceux du rôle).")
    ] = False,
) -> None:
    """Ajouter (ou retirer avec --remove) un contact d'un client, avec son rôle."""
    if not remove and not email:
        raise UserError(tr("--email est requis", "--email is required"))
    with service_for(ctx) as service:
        customer_id = service.find_customer(customer)
        if remove:
            count = service.remove_contact(customer_id, role, email)
            echo(tr("{c} : {n} contact(s) retiré(s).", "{c}: {n} contact(s) removed.",
                    c=customer_id, n=count))  # fmt: skip
            return
        assert email is not None
        saved = service.set_contact(customer_id, role, email, name, phone)
    from assistant.team.contacts import contact_role_label  # the store's models: not for --help

    echo(
        tr(
            "{c} : contact {r} {e}.",
            "{c}: {r} contact {e}.",
            c=customer_id,
            r=contact_role_label(saved.role),
            e=saved.email,
        )
    )


@customer_app.command("show")
def customer_show(ctx: typer.Context, customer: CustomerArg, as_json: AsJson = False) -> None:
    """Un client : responsable, e-mail, commercial, contacts par rôle."""
    with service_for(ctx) as service:
        found = service.customer(service.find_customer(customer))
        owner = service.customer_owner(found.id)
        contacts = service.contacts(found.id)
    data: dict[str, Any] = {
        "customer_id": found.id,
        "customer_name": found.name,
        "email": found.email,
        "phone": found.phone,
        "owner": owner,
        "salesperson": found.salesperson_name,
        "salesperson_email": found.salesperson_email,
        "contacts": [c.as_json() for c in contacts],
    }
    if as_json:
        echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    dash = "—"
    echo(f"{found.name} ({found.id})")
    echo(tr("  Responsable : {o}", "  Owner: {o}", o=owner or dash))
    echo(tr("  E-mail : {e}", "  E-mail: {e}", e=found.email or dash))
    echo(tr("  Commercial : {s}", "  Salesperson: {s}",
            s=found.salesperson_name or found.salesperson_email or dash))  # fmt: skip
    from assistant.team.contacts import contact_role_label

    for c in contacts:
        who = " · ".join(x for x in (c.name, c.email, c.phone) if x)
        echo(f"  {contact_role_label(c.role)} : {who}")


@app.command("calls")
def calls(
    ctx: typer.Context,
    as_of: AsOf = None,
    mine: Annotated[bool, typer.Option("--mine", help="Seulement mes clients.")] = False,
    as_json: AsJson = False,
) -> None:
    """Les appels et tâches du jour, ceux de mes clients d'abord."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        tasks = service.my_calls(day, mine_only=mine)
        owners = service.customer_owners()
        names = service.customer_names()
        me = service.person.name if service.person else None
    rows = [
        {
            "customer_id": t.customer_id,
            "customer_name": names.get(t.customer_id, t.customer_id),
            "owner": owners.get(t.customer_id),
            "mine": me is not None and owners.get(t.customer_id) == me,
            "step": t.step,
            "step_label": step_label(t.step),
            "invoices": list(t.invoices),
            "reason": render(t.reason),
        }
        for t in tasks
    ]
    if as_json:
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        echo(tr("Aucun appel à passer.", "No call to make."))
        return
    for row in rows:
        mark = "*" if row["mine"] else " "
        owner = f" [{row['owner']}]" if row["owner"] else ""
        echo(f"{mark} {row['customer_name']} ({row['customer_id']}){owner} · {row['step_label']}")


@user_app.command("signature")
def user_signature(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Nom de la personne.", show_default=False)],
    text: Annotated[
        str | None,
        typer.Option("--text", help="La signature (\\n : à la ligne) ; jamais un modèle."),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Revenir à la signature de l'entreprise.")
    ] = False,
) -> None:
    """La signature d'une personne, à la fin des e-mails écrits en son nom (la sienne ; admin :
    celle de tous)."""
    if (text is None) == (not clear):
        raise UserError(tr("--text ou --clear", "--text or --clear"))
    with service_for(ctx) as service:
        saved = service.set_signature(name, None if clear else text)
    if saved is None:
        echo(tr("{n} : signature de l'entreprise.", "{n}: the company's signature.", n=name))
    else:
        echo(tr("{n} signe :", "{n} signs:", n=name))
        echo(saved)


@app.command("digest")
def digest(
    ctx: typer.Context,
    as_of: AsOf = None,
    as_json: AsJson = False,
    accept_stale: AcceptStale = False,
    reason: StaleReason = None,
) -> None:
    """Point hebdomadaire des commerciaux : un e-mail à valider par commercial (ses clients)."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        report = service.salesperson_digests(day, stale_reason(accept_stale, reason))
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    echo(
        tr(
            "{n} point(s) commerciaux à valider ({s} commercial(aux)) ; déjà en file : {u}",
            "{n} salesperson digest(s) to review ({s} salespeople); already queued: {u}",
            n=len(report.created),
            s=len(report.salespeople),
            u=report.unchanged,
        )
    )
    if report.created:
        echo(
            tr(
                "Ensuite : relance review (ou relance approve)",
                "Next: relance review (or relance approve)",
            )
        )
