"""CLI commands of the statutory features (registered on the main `relance` app):
`proceedings`, `escalate`, `notice`, `dossier`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import AsOf, app, echo, parse_day, service_for
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.money import cents_to_str, display_money, parse_amount

# The currency of a formal letter or a litigation file: one document per currency.
Currency = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help="Devise réclamée (obligatoire si le client doit en plusieurs devises).",
        show_default=False,
    ),
]


@app.command()
def proceedings(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Code client.", show_default=False)],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="sauvegarde, redressement ou liquidation.", show_default=False),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option("--published", help="Date de publication au BODACC, AAAA-MM-JJ."),
    ] = None,
    declared: Annotated[
        str | None,
        typer.Option("--declared", help="Date de déclaration de la créance au mandataire."),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Retirer la procédure.")] = False,
) -> None:
    """Procédure collective : plus aucune relance ; tâche de déclaration de créance."""
    with service_for(ctx) as service:
        today = service.store.today()
        result = service.set_proceedings(
            customer,
            kind=kind,
            published=parse_day(published, today) if published else None,
            declared=parse_day(declared, today) if declared else None,
            clear=clear,
        )
    if result["kind"] is None:
        echo(tr("Procédure retirée pour {c}.", "Proceedings cleared for {c}.", c=customer))
        return
    echo(
        tr(
            "{c} : {k} publié le {p} ; relances, appels et mises en demeure arrêtés.",
            "{c}: {k} published on {p}; reminders, calls and notices stopped.",
            c=customer,
            k=result["kind"],
            p=result["published_on"],
        )
    )
    if not result["declared_on"]:
        echo(
            tr(
                "Tâche : déclarer la créance (voir relance plan).",
                "Task: declare the claim (see relance plan).",
            )
        )


@app.command()
def escalate(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Code client.", show_default=False)],
    decision: Annotated[
        str,
        typer.Option(
            "--decision", help="plan, notice, handoff, writeoff (ou resume).", show_default=False
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help="Commentaire.")] = None,
    as_of: AsOf = None,
) -> None:
    """Décision d'escalade : plan de paiement, mise en demeure, contentieux, perte."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        result = service.escalate(customer, decision, on=day, note=note)
    echo(
        tr(
            "Décision enregistrée pour {c} : {d}.",
            "Decision recorded for {c}: {d}.",
            c=customer,
            d=decision,
        )
    )
    if decision == "plan":
        echo(
            tr(
                "Ensuite : relance log-call {c} --outcome plan --instalments N",
                "Next: relance log-call {c} --outcome plan --instalments N",
                c=customer,
            )
        )
    elif decision == "notice":
        echo(
            tr(
                "Mise en demeure : brouillon {i} ({p}), à valider.",
                "Formal notice: draft {i} ({p}), to review.",
                i=result["draft_id"],
                p=result["pdf"],
            )
        )
    elif decision == "handoff":
        echo(
            tr(
                "Hors relances automatiques. Dossier : relance dossier {c} --out {c}.zip",
                "Out of the automatic plan. File: relance dossier {c} --out {c}.zip",
                c=customer,
            )
        )
    elif decision == "writeoff":
        echo(tr("Hors relances automatiques.", "Out of the automatic plan."))


@app.command()
def notice(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="Code client (nouvelle mise en demeure) ou n° du brouillon (avec --posted).",
            show_default=False,
        ),
    ],
    as_of: AsOf = None,
    deadline_days: Annotated[
        int | None,
        typer.Option("--deadline-days", help="Délai de paiement en jours (défaut : politique, 8)."),
    ] = None,
    posted: Annotated[
        bool, typer.Option("--posted", help="La lettre est partie en recommandé avec AR.")
    ] = False,
    tracking: Annotated[
        str | None, typer.Option("--tracking", help="Numéro de suivi du recommandé.")
    ] = None,
    currency: Currency = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Mise en demeure (PDF) à valider ; --posted --tracking N une fois postée."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        if posted:
            if not target.isdigit():
                raise UserError(
                    tr(
                        "--posted attend le n° du brouillon de la lettre",
                        "--posted expects the letter's draft number",
                    )
                )
            result = service.notice_posted(int(target), tracking or "", day)
            if as_json:
                echo(json.dumps(result, ensure_ascii=False))
                return
            echo(
                tr(
                    "Lettre {i} postée le {d}, suivi {t}.",
                    "Letter {i} posted on {d}, tracking {t}.",
                    i=target,
                    d=result["posted_on"],
                    t=result["tracking_number"],
                )
            )
            return
        made = service.create_notice(target, day, deadline_days, currency)
    if as_json:
        echo(
            json.dumps(
                {
                    "draft_id": made.draft_id,
                    "notice_id": made.notice_id,
                    "pdf": str(made.pdf_path),
                    "total": cents_to_str(made.total_cents),
                    "currency": made.currency,
                    "deadline": made.deadline.isoformat(),
                },
                ensure_ascii=False,
            )
        )
        return
    echo(
        tr(
            "Mise en demeure pour {c} : {a} à régler avant le {d}. Brouillon {i} à valider"
            " (relance show {i}) ; PDF : {p}",
            "Formal notice for {c}: {a} to pay by {d}. Draft {i} to review (relance show {i});"
            " PDF: {p}",
            c=target,
            a=display_money(made.total_cents, made.currency),
            d=made.deadline.isoformat(),
            i=made.draft_id,
            p=made.pdf_path,
        )
    )


@app.command()
def dossier(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Code client.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Archive .zip à écrire.", show_default=False)],
    as_of: AsOf = None,
    currency: Currency = None,
) -> None:
    """Dossier contentieux : résumé PDF, dossier.json et factures, dans un zip."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        result = service.dossier(customer, out, day, currency)
    echo(
        tr(
            "Dossier écrit : {p} ({n} fichiers ; total réclamé {a}).",
            "File written: {p} ({n} files; total claimed {a}).",
            p=result["path"],
            n=len(result["files"]),
            a=display_money(parse_amount(result["total"]), result["currency"]),
        )
    )
