"""`relance inbox fetch|import`, `replies`, `triage`, `forget`: customer replies on the CLI.

Registered on the main app by `cli.py` (one line); each command calls one `Service` method.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli import AsJson, AsOf, app, echo, parse_day, parse_money_option, service_for
from assistant.i18n import tr
from assistant.labels import (
    match_label,
    reply_kind_label,
    reply_status_label,
    suggestion_label,
)

if TYPE_CHECKING:  # types only: `relance --help` does not load the replies machinery
    from rich.text import Text

    from assistant.replies.ingest import IngestReport
    from assistant.storage.replies_repo import Reply

inbox_app = typer.Typer(
    name="inbox",
    help="Lire les réponses des clients (IMAP, .eml, Maildir) / Read customer replies.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(inbox_app, name="inbox")

NoSuggest = Annotated[
    bool, typer.Option("--offline", help="Suggestions par règles seulement (aucun appel au LLM).")
]


def _report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        for line in report.lines():
            echo(line)


@inbox_app.command("fetch")
def inbox_fetch(ctx: typer.Context, offline: NoSuggest = False, as_json: AsJson = False) -> None:
    """Lire les nouveaux messages du dossier IMAP (RELANCE_IMAP_*), sans rien lire deux fois."""
    with service_for(ctx) as service:
        report = service.fetch_replies(suggest=not offline)
    _report(report, as_json)


@inbox_app.command("import")
def inbox_import(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="Fichier .eml, dossier de .eml ou Maildir.", show_default=False)
    ],
    offline: NoSuggest = False,
    as_json: AsJson = False,
) -> None:
    """Importer des messages enregistrés (.eml, dossier, Maildir) : tout ou rien."""
    with service_for(ctx) as service:
        report = service.import_replies(path, suggest=not offline)
    _report(report, as_json)


def suggestion_text(reply: Reply) -> str:
    """The suggestion (or what an automatic reply or a bounce says), in a few words."""
    s = reply.suggestion
    if s is None:
        if reply.kind == "auto_reply":
            back = reply.return_on
            return tr("de retour le {d}", "back on {d}", d=back.isoformat()) if back else ""
        if reply.kind == "bounce":
            return f"{reply.bounced_address} ({reply.bounce_status})"
        return ""
    parts = [suggestion_label(s.outcome)]
    if s.date:
        parts.append(s.date.isoformat())
    if s.amount_cents is not None:
        parts.append(str(s.as_json()["amount"]))
    if s.invoice:
        parts.append(s.invoice)
    if s.instalments:
        parts.append(tr("{n} fois", "{n} instalments", n=s.instalments))
    if s.violations:
        parts.append("⚠ " + "; ".join(s.violations))
    return " · ".join(parts)


def render_replies(items: list[Reply]) -> Text:
    from rich.text import Text  # not at CLI start (`relance --help`)

    out = Text()
    for r in items:
        who = r.customer_name or f"{r.from_address} ({match_label(r.match)})"
        status = reply_status_label(r.status)
        if r.status == "triaged" and r.outcome:
            status += f" : {suggestion_label(r.outcome)}"
        out.append(f"#{r.id:<4}", style="bold")
        out.append(f" {r.received_on.isoformat()}  ")
        out.append(who, style="bold")
        out.append(f"  {reply_kind_label(r.kind)} · {status}\n", style="magenta")
        excerpt = " ".join(r.text.split())
        excerpt = excerpt if len(excerpt) <= 150 else excerpt[:149] + "…"
        out.append(f"      « {excerpt} »\n", style="dim")
        hint = suggestion_text(r)
        if hint:
            out.append(f"      {tr('suggestion', 'suggestion')} : {hint}\n")
    return out


@app.command("replies")
def list_replies(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="new, triaged ou recorded.", show_default=False)
    ] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Code client.")] = None,
    as_json: AsJson = False,
) -> None:
    """Lister les réponses des clients et leur suggestion."""
    with service_for(ctx) as service:
        items = service.replies(status, customer)
    if as_json:
        echo(json.dumps([r.as_json() for r in items], ensure_ascii=False, indent=2))
        return
    if not items:
        echo(tr("Aucune réponse.", "No reply."))
        return
    from rich.console import Console

    Console(highlight=False).print(render_replies(items), crop=False, end="")


@app.command("triage")
def triage_reply(
    ctx: typer.Context,
    reply_id: Annotated[int, typer.Argument(help="Numéro de la réponse.", show_default=False)],
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="promise, paid, dispute, plan, question ou none.",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--date", help="Date promise (promise) ou jour du paiement (paid)."),
    ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Montant.")] = None,
    invoice: Annotated[str | None, typer.Option("--invoice", help="Facture concernée.")] = None,
    instalments: Annotated[
        int | None, typer.Option("--instalments", help="Nombre d'échéances (plan).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Commentaire.")] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Rattacher la réponse à ce client.")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Confirmer ou corriger la suggestion d'une réponse (mêmes effets qu'un appel)."""
    with service_for(ctx) as service:
        today = parse_day(as_of, service.store.today())
        from assistant.replies.triage import TriageInput

        given = TriageInput(
            outcome=outcome,
            date=parse_day(on, today) if on is not None else None,
            amount_cents=parse_money_option(amount),
            invoice=invoice,
            instalments=instalments,
            note=note,
            customer_id=customer,
        )
        reply = service.triage(reply_id, given, on=today)
    if outcome is None:
        echo(
            tr(
                "Réponse {i} rattachée à {c}.",
                "Reply {i} assigned to {c}.",
                i=reply.id,
                c=reply.customer_id,
            )
        )
        return
    echo(
        tr(
            "Réponse {i} traitée : {o}.",
            "Reply {i} triaged: {o}.",
            i=reply.id,
            o=suggestion_label(reply.outcome),
        )
    )


@app.command("forget")
def forget(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Code client.", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Sans demander de confirmation.")] = False,
) -> None:
    """Effacer les messages et les contacts d'un client, à sa demande (les faits comptables
    restent)."""
    with service_for(ctx) as service:  # the role is checked before the question
        if not yes:
            typer.confirm(
                tr(
                    "Effacer définitivement les messages reçus de {c} et ses contacts ?",
                    "Erase the messages received from {c} and its contacts for good?",
                    c=customer,
                ),
                abort=True,
            )
        done = service.forget_customer(customer)
    echo(
        tr(
            "{n} message(s) et {k} contact(s) de {c} effacé(s) ; factures, paiements et"
            " historique conservés.",
            "{n} message(s) and {k} contact(s) of {c} erased; invoices, payments and history kept.",
            n=done["replies_erased"],
            k=done["contacts_erased"],
            c=customer,
        )
    )
