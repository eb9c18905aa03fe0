"""`relance policy list|export|import`: the policy files as a folder (docs/policies-db.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import AsJson, DryRun, app, echo, service_for
from assistant.i18n import tr

policy_app = typer.Typer(
    name="policy",
    help="Politiques et modèles en fichiers (liste, export, import) / Policy files.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(policy_app, name="policy")

Folder = Annotated[Path, typer.Argument(help="Dossier.", show_default=False)]


@policy_app.command("list")
def policy_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Lister les fichiers de politique en vigueur et leur origine (base, dossier, livré)."""
    with service_for(ctx) as service:
        rows = service.policy_list()
    if as_json:
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    origins = {
        "database": tr("base", "database"),
        "home": tr("dossier", "home"),
        "shipped": tr("livré", "shipped"),
    }
    for row in rows:
        line = f"{row['file']:<40} {origins[row['origin']]:<8} {row['sha256']}"
        if row["version"] is not None:
            line += "  v{v} {at} {by}".format(
                v=row["version"], at=row["updated_at"], by=row["updated_by"]
            )
        echo(line)


@policy_app.command("export")
def policy_export(ctx: typer.Context, folder: Folder) -> None:
    """Écrire les fichiers de politique en vigueur dans DOSSIER."""
    with service_for(ctx) as service:
        names = service.export_policies(folder)
    echo(tr("{n} fichier(s) écrit(s) dans {d}.", "{n} file(s) written to {d}.", n=len(names),
            d=folder))  # fmt: skip


@policy_app.command("import")
def policy_import(
    ctx: typer.Context, folder: Folder, dry_run: DryRun = False, as_json: AsJson = False
) -> None:
    """Importer les fichiers de DOSSIER (tous validés comme dans l'éditeur, tout ou rien)."""
    with service_for(ctx) as service:
        report = service.import_policies(folder, dry_run=dry_run)
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    for name in report.changed:
        echo(("~ " if dry_run else "✓ ") + name)
    if dry_run:
        summary = tr(
            "Simulation : {c} fichier(s) sur {n} seraient modifiés ; rien n'est enregistré.",
            "Dry run: {c} of {n} file(s) would change; nothing saved.",
            c=len(report.changed),
            n=len(report.files),
        )
    else:
        summary = tr(
            "{c} fichier(s) sur {n} modifié(s).",
            "{c} of {n} file(s) changed.",
            c=len(report.changed),
            n=len(report.files),
        )
    echo(summary)
    for note in report.notes:
        echo(note)
