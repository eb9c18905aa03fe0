"""`relance export status [--json|--csv]`: payment status for a CRM (docs/contracts.md)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from assistant.cli import AsJson, AsOf, app, echo, parse_day, service_for
from assistant.errors import UserError
from assistant.i18n import tr

export_app = typer.Typer(
    name="export",
    help="Exporter pour d'autres outils (CRM) / Export for other tools (CRM).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(export_app, name="export")


@export_app.command("status")
def export_status(
    ctx: typer.Context,
    as_of: AsOf = None,
    as_json: AsJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Sortie CSV (défaut).")] = False,
) -> None:
    """Une ligne par client et facture ouverte : étape atteinte et prochaine action."""
    if as_json and as_csv:
        raise UserError(tr("--json ou --csv, pas les deux", "--json or --csv, not both"))
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        rows = service.export_status(day)
    if as_json:
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from assistant.export_status import to_csv

    sys.stdout.write(to_csv(rows))
