"""Bank commands of the `relance` CLI: import bank, matches, match, sources, daily.

Registered on the main typer app (imported at the end of `cli.py`); same conventions: one thin
function per command calling one `Service` method, JSON with `--json`, French text by default.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import (
    AcceptStale,
    AsJson,
    AsOf,
    DryRun,
    JsonReport,
    StaleReason,
    app,
    echo,
    import_app,
    parse_day,
    service_for,
    stale_reason,
)
from assistant.errors import ImportRejected, UserError
from assistant.i18n import tr
from assistant.money import display_money


@import_app.command("bank")
def import_bank(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="Relevé CAMT.053, CFONB 120, OFX ou CSV.", show_default=False),
    ],
    dry_run: DryRun = False,
    as_json: JsonReport = False,
    account: Annotated[
        str | None,
        typer.Option("--account", help="IBAN du compte (CSV sans colonne compte).",
                     show_default=False),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="CSV : date jusqu'à laquelle l'export est complet"
                     " (défaut : sa dernière opération).", show_default=False),
    ] = None,
) -> None:  # fmt: skip
    """Relevé bancaire : les crédits deviennent des encaissements appliqués ou à confirmer."""
    with service_for(ctx) as service:
        closing = parse_day(to, date.min) if to else None
        try:
            report = service.import_bank(file, dry_run=dry_run, account=account, closing=closing)
        except ImportRejected as exc:
            if as_json:
                echo(json.dumps({"kind": "bank", "file": exc.path, "dry_run": dry_run,
                                 "problems": exc.problems}, ensure_ascii=False))  # fmt: skip
            raise
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for line in report.lines():
        echo(line)


@app.command("matches")
def list_matches(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help="proposed, applied, rejected, unmatched, reversed."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Encaissements bancaires et les factures qu'ils paient (preuves à l'appui)."""
    with service_for(ctx) as service:
        items = service.matches(status)
        names = service.customer_names()
    if as_json:
        echo(json.dumps([m.as_json() for m in items], ensure_ascii=False, indent=2))
        return
    if not items:
        echo(tr("Aucun encaissement.", "No receipt."))
        return
    from rich.console import Console
    from rich.table import Table

    from assistant.bank.render import invoices_text, match_status_label  # not at CLI start

    table = Table(show_lines=False)
    for title in (tr("N°", "No."), tr("Date", "Date"), tr("Montant", "Amount"),
                  tr("Payeur", "Payer"), tr("Client", "Customer"), tr("Factures", "Invoices"),
                  tr("Score", "Score"), tr("Statut", "Status")):  # fmt: skip
        table.add_column(title)
    for m in items:
        best = m.shown
        table.add_row(
            str(m.id), m.bank_date.isoformat(), display_money(m.amount_cents, m.currency),
            (m.payer or m.label or "")[:24],
            names.get(best.customer_id, best.customer_id)[:22] if best else "—",
            invoices_text(m), str(best.score) if best else "—", match_status_label(m.status.value),
        )  # fmt: skip
    Console(highlight=False).print(table, crop=False)


@app.command("match")
def decide_match(
    ctx: typer.Context,
    match_id: Annotated[int, typer.Argument(help="Numéro de l'encaissement.", show_default=False)],
    do_apply: Annotated[bool, typer.Option("--apply", help="Appliquer (paiements).")] = False,
    invoice: Annotated[
        list[str] | None,
        typer.Option("--invoice", help="Facture(s) à régler, dans l'ordre (répéter l'option)."),
    ] = None,
    do_reject: Annotated[bool, typer.Option("--reject", help="Rejeter la proposition.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Motif du rejet.")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Annuler un encaissement appliqué.")] = False,
    as_json: AsJson = False,
) -> None:
    """Décider d'un encaissement : --apply [--invoice N …] | --reject [--reason R] | --undo."""
    chosen = [flag for flag in (do_apply, do_reject, undo) if flag]
    if len(chosen) > 1:
        raise UserError(tr("une seule action : --apply, --reject ou --undo",
                           "one action only: --apply, --reject or --undo"))  # fmt: skip
    if invoice and not do_apply:
        raise UserError(tr("--invoice va avec --apply", "--invoice goes with --apply"))
    with service_for(ctx) as service:
        if do_apply:
            view = service.apply_match(match_id, invoice or None)
        elif do_reject:
            view = service.reject_match(match_id, reason)
        elif undo:
            view = service.undo_match(match_id)
        else:
            view = service.match(match_id)
        names = service.customer_names()
    if as_json:
        echo(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return
    from assistant.bank.render import match_lines

    for line in match_lines(view, names):
        echo(line)


@app.command("sources")
def sources(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Sources de paiement : dernier import, date des données, âge, périmée ou non."""
    with service_for(ctx) as service:
        state = service.freshness(parse_day(as_of, service.store.today()))
    if as_json:
        echo(json.dumps([s.as_json() for s in state.sources], ensure_ascii=False, indent=2))
        return
    if not state.sources:
        echo(tr("Aucune source de paiement importée : rien à juger (le contrôle ne s'applique"
                " pas).", "No payment source imported: nothing to judge (the gate does not"
                " apply)."))  # fmt: skip
        return
    from rich.console import Console  # not at CLI start (`relance --help`)
    from rich.table import Table

    table = Table()
    for title in (tr("Source", "Source"), tr("Dernier import", "Last import"),
                  tr("Données au", "Data as of"), tr("Âge (j ouvrés)", "Age (bus. days)"),
                  tr("Max", "Max"), tr("Requise", "Required"), tr("État", "State")):  # fmt: skip
        table.add_column(title)
    for s in state.sources:
        table.add_row(
            s.source, s.last_import_at[:16].replace("T", " "), s.data_as_of.isoformat(),
            str(s.age_business_days), str(s.max_age), tr("oui", "yes") if s.required else "",
            tr("PÉRIMÉE", "STALE") if s.stale else tr("à jour", "fresh"),
        )  # fmt: skip
    console = Console(highlight=False)
    console.print(table, crop=False)
    rule = ", ".join(state.rule)
    console.print(
        tr("Règle : {r} ; au {d} : {v}", "Rule: {r}; as of {d}: {v}", r=rule,
           d=state.as_of.isoformat(),
           v=state.message() if state.stale else tr("données assez fraîches",
                                                     "data fresh enough")),
        crop=False,
    )  # fmt: skip


@app.command("daily")
def daily(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Option("--folder", help="Dossier surveillé (env RELANCE_WATCH_DIR ;"
                     " défaut <home>/a-importer).", show_default=False),
    ] = None,
    as_of: AsOf = None,
    offline: Annotated[bool, typer.Option("--offline", help="Mode modèle : pas de LLM.")] = False,
    mail_to: Annotated[
        str | None,
        typer.Option("--mail-to", help="Envoyer aussi le résumé à cette adresse.",
                     show_default=False),
    ] = None,
    as_json: AsJson = False,
    accept_stale: AcceptStale = False,
    reason: StaleReason = None,
) -> None:  # fmt: skip
    """Routine du matin : importe le dossier surveillé, rédige, dit ce qui attend une personne."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        report = service.daily(day, folder=folder, offline=offline,
                               accept_stale=stale_reason(accept_stale, reason))  # fmt: skip
        if mail_to:
            subject = tr("relance : à traiter au {d}", "relance: to do on {d}", d=day.isoformat())
            service.mail_summary(mail_to, subject, "\n".join(report.lines()))
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            echo(line)
    if not report.ok:
        refused = sum(1 for f in report.files if f.outcome == "rejected")
        raise UserError(
            report.stale
            or tr("{n} fichier(s) refusé(s) dans {d}", "{n} file(s) refused in {d}",
                  n=refused, d=report.folder)
        )  # fmt: skip
