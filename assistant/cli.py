"""`relance` command line (typer). Errors: exit 1 with a one-line message, never a traceback."""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

try:  # recent typer vendors click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover - older typer
    from click.exceptions import ClickException, NoArgsIsHelpError

from assistant import __version__
from assistant.cli_load import command_for
from assistant.cli_texts import install as install_texts
from assistant.cli_texts import usage_error
from assistant.cliargs import hoist_global_options
from assistant.cliparams import install as install_params
from assistant.demo import DEFAULT_SEED as DEMO_SEED
from assistant.errors import ImportRejected, UserError
from assistant.faults import describe
from assistant.i18n import set_language, tr
from assistant.labels import invoice_status_label, outcome_label, status_label, step_label
from assistant.storage.db import Clock, utc_now

if TYPE_CHECKING:  # loaded by the commands that open a home, not by `relance --help`
    from rich.console import Console

    from assistant.config import Settings
    from assistant.service import Service


# Rich (assistant.render) is loaded by the commands that draw, not by `--help` nor `--json`.
def console(*, stderr: bool = False) -> Console:
    from assistant import render

    return render.console(stderr=stderr)


def render_draft(*args: Any, **kwargs: Any) -> Any:
    from assistant import render

    return render.render_draft(*args, **kwargs)


def render_drafts(*args: Any, **kwargs: Any) -> Any:
    from assistant import render

    return render.render_drafts(*args, **kwargs)


def render_plan(*args: Any, **kwargs: Any) -> Any:
    from assistant import render

    return render.render_plan(*args, **kwargs)


def render_send_list(*args: Any, **kwargs: Any) -> Any:
    from assistant import render

    return render.render_send_list(*args, **kwargs)


def schedule_lines(*args: Any, **kwargs: Any) -> Any:
    from assistant import render

    return render.schedule_lines(*args, **kwargs)


install_texts()  # typer's own words (help, usage, errors) in the interface's language
install_params()  # text options checked without pydantic (start-up time)

app = typer.Typer(
    name="relance",
    help="Relances clients structurées et validées par un humain / "
    "Structured, human-validated payment reminders.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"relance {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    home: Annotated[
        str | None,
        typer.Option(
            "--home",
            help="Dossier de travail (env RELANCE_HOME) ; avant ou après la commande.",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="fr (défaut) ou en.", show_default=False)
    ] = None,
    company: Annotated[
        str | None,
        typer.Option(
            "--company",
            help="Société d'une base PostgreSQL partagée (env RELANCE_COMPANY, docs/companies.md).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Afficher la version.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    if lang is not None:
        if lang not in ("fr", "en"):
            raise UserError(tr("--lang attend fr ou en", "--lang expects fr or en"))
        os.environ["RELANCE_LANG"] = lang
    if home is not None and not home.strip():
        raise UserError(
            tr("--home est vide : indiquez un dossier", "--home is empty: give a folder")
        )
    from assistant.config import load_settings  # pydantic: not for `--help`

    settings = load_settings().with_home(Path(home) if home is not None else None)
    if company is not None:
        if not company.strip():
            raise UserError(tr("--company est vide", "--company is empty"))
        settings = settings.model_copy(update={"company": company.strip()})
    set_language(lang or settings.ui_language)
    ctx.obj = State(settings)


def clock_for(settings: Settings) -> Clock:
    """The real clock, or one pinned to RELANCE_TODAY (noon UTC) for tests and replays."""
    if settings.today is None:
        return utc_now
    pinned = datetime.combine(settings.today, time(12, 0, tzinfo=UTC))
    return lambda: pinned


@contextmanager
def service_for(ctx: typer.Context, *, create: bool = False) -> Iterator[Service]:
    """Open the service for this command's home; always closed afterwards. Only `init` (and
    `demo`) create a store: a mistyped --home is an error, not a new empty database. A policy
    problem met while reading (results, briefs, sending) is said on stderr, once."""
    settings = ctx.obj.settings
    if not create and not settings.uses_postgres and not settings.db_path.exists():
        raise UserError(
            tr(
                "aucune base relance dans {home} : vérifiez --home (ou RELANCE_HOME),"
                " ou créez-la avec « relance init »",
                "no relance database in {home}: check --home (or RELANCE_HOME),"
                " or create it with `relance init`",
                home=settings.home,
            )
        )
    from assistant.service import Service  # the whole application: loaded once a home is used

    service = Service.open(settings, clock=clock_for(settings), create=create)
    try:
        service.require(operation_of(ctx))  # the role table (docs/roles.md): before any work
        yield service
    finally:
        for warning in service.policy_warnings:
            typer.echo(tr("Attention : {w}", "Warning: {w}", w=warning), err=True)
        service.close()


def operation_of(ctx: typer.Context) -> str:
    """The command's path after `relance` ("approve", "import invoices"): its key in the role
    table `assistant.roles.OPERATIONS`."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def echo(text: str = "") -> None:
    typer.echo(text)


@contextmanager
def working(label: str, *, quiet: bool = False) -> Iterator[None]:
    """A spinner on stderr for a job with no count (planning a large portfolio); nothing when
    stderr is not a terminal, or with --json."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    with console(stderr=True).status(label):
        yield


@contextmanager
def progress_bar(label: str, *, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for a long job; nothing when stderr is not a terminal, or
    with --json (`quiet`). Yields `step(done, total)`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    shown = not quiet and sys.stderr.isatty()
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=console(stderr=True),
        transient=True,
        disable=not shown,
    ) as bar:
        task = bar.add_task(label, total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield step


@app.command()
def init(ctx: typer.Context) -> None:
    """Créer le dossier, la base et des copies modifiables des politiques."""
    with service_for(ctx, create=True) as service:
        report = service.init_home()
        problem = service.company_problem()
        shared = service.store.kind != "sqlite"  # policies in the database (policies-db.md)
    echo(tr("Dossier prêt : {home}", "Home ready: {home}", home=report.home))
    echo(tr("Base : {db}", "Database: {db}", db=report.database))
    if report.policies_copied:
        echo(tr("Politiques copiées : {n}", "Policies copied: {n}", n=len(report.policies_copied)))
    home = report.home
    echo(tr("Ensuite :", "Next:"))
    steps = [
        tr(
            "  1. Renseignez votre entreprise (nom, e-mail, IBAN…) : {f}",
            "  1. Fill in your company (name, e-mail, IBAN…): {f}",
            f=home / "policies" / "company.yaml"
            if not shared
            else tr(
                "company.yaml, écran Politiques (F4) ou relance policy export/import",
                "company.yaml, Policies screen (F4) or relance policy export/import",
            ),
        ),
        tr(
            "  2. Importez vos factures : relance import invoices export.csv",
            "  2. Import your invoices: relance import invoices export.csv",
        ),
        tr(
            "  3. Voyez le plan du jour : relance plan --explain",
            "  3. See today's plan: relance plan --explain",
        ),
        tr(
            "  4. Créez les brouillons puis validez-les : relance draft, puis relance review",
            "  4. Create the drafts, then review them: relance draft, then relance review",
        ),
    ]
    for line in steps[0 if problem else 1 :]:
        echo(line)


@app.command()
def demo(
    ctx: typer.Context,
    no_tui: Annotated[
        bool, typer.Option("--no-tui", help="Afficher le résumé sans ouvrir l'interface.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Date de la démo, AAAA-MM-JJ ou jj/mm/aaaa (défaut : aujourd'hui).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Même graine, même démo.")] = DEMO_SEED,
) -> None:
    """Charger une entreprise de démonstration dans un dossier neuf et la résumer."""
    settings = ctx.obj.settings
    if ctx.parent is None or ctx.parent.params.get("home") is None:
        settings = settings.with_home(settings.home / "demo")  # never the user's real database
    day = parse_day(as_of, clock_for(settings)().date()) if as_of is not None else None
    where = tr("Données de la démo : {home}", "Demo data: {home}", home=settings.home.resolve())
    from assistant.demo.report import render_summary
    from assistant.service import Service

    built = Service.demo(settings, as_of=day, seed=seed, clock=clock_for(settings))
    typer.echo(where, err=True)
    try:
        drafted = built.service.draft(built.summary.as_of, offline=True)
        if not no_tui and sys.stdin.isatty() and sys.stdout.isatty():
            run_tui(built.service, built.summary.as_of)
            echo(where)
            return
        out = console()
        out.print(render_summary(built.summary, built.home, recreated=built.recreated), crop=False)
        out.print()
        for line in drafted.lines()[:-1]:
            out.print(line, crop=False)
        out.print(where, crop=False, soft_wrap=True)
    finally:
        built.service.close()


def run_tui(service: Service, as_of: date) -> None:
    from tui.app import make_app  # the UI is loaded only when it is shown

    # The modules loaded so far live as long as the process: the garbage collector's full
    # passes during the first paint skip them (about 0.1 s of CPU less; benchmarks/tui_bench.py)
    gc.freeze()
    app = make_app(service, as_of)
    app.run()
    if app.return_code:  # the interface stopped on an error: say so with the exit code
        raise typer.Exit(app.return_code)


def main() -> None:
    """Entry point: run the typer app; user errors and crashes become one clear line."""
    # relance uses no pydantic plugin: not looking for one (every installed package's metadata
    # read at the first model) saves a command ~15 ms; typer does the same for its own models.
    # A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        root = command_for(app, sys.argv[1:])  # built once, with only the command named
        root(args=hoist_global_options(sys.argv[1:], root), standalone_mode=False)
    except UserError as exc:
        typer.echo(tr("Erreur : {msg}", "Error: {msg}", msg=exc), err=True)
        sys.exit(1)
    except typer.Abort:
        typer.echo(tr("Annulé.", "Aborted."), err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except ClickException as exc:  # usage errors: one line, exit 1
        msg = usage_error(exc.format_message())
        typer.echo(tr("Erreur : {msg}", "Error: {msg}", msg=msg), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo(tr("Interrompu.", "Interrupted."), err=True)
        sys.exit(130)
    except Exception as exc:  # last resort: never show a traceback to the user
        if os.environ.get("RELANCE_DEBUG"):
            raise
        if (known := describe(exc)) is not None:  # disk full, read-only home, busy database
            typer.echo(tr("Erreur : {msg}", "Error: {msg}", msg=known), err=True)
            sys.exit(1)
        typer.echo(
            tr(
                "Erreur inattendue : {kind}: {msg} (RELANCE_DEBUG=1 pour le détail)",
                "Unexpected error: {kind}: {msg} (RELANCE_DEBUG=1 for details)",
                kind=type(exc).__name__,
                msg=exc,
            ),
            err=True,
        )
        sys.exit(1)


# -- import -----------------------------------------------------------------------------
import_app = typer.Typer(
    name="import",
    help="Importer un export comptable (CSV, XLSX, FEC) / Import an accounting export.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(import_app, name="import")

ImportFile = Annotated[
    Path, typer.Argument(help="Fichier CSV (, ; ou tabulation) ou XLSX.", show_default=False)
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Simuler : rien n'est enregistré.")]
JsonReport = Annotated[bool, typer.Option("--json", help="Rapport en JSON.")]


def _run_import(
    ctx: typer.Context,
    kind: str,
    file: Path,
    dry_run: bool,
    as_json: bool,
    terms_days: int | None = None,
    split_collective: bool = False,
) -> None:
    with service_for(ctx) as service:
        try:
            with progress_bar(tr("Import", "Import"), quiet=as_json) as step:
                if kind == "fec":
                    report = service.import_fec(
                        file,
                        dry_run=dry_run,
                        terms_days=terms_days,
                        split_collective=split_collective,
                        progress=step,
                    )
                else:
                    report = service.import_file(kind, file, dry_run=dry_run, progress=step)
        except ImportRejected as exc:
            if as_json:
                rejected = getattr(exc, "rejected", len(exc.problems))
                echo(
                    json.dumps(
                        {
                            "kind": kind,
                            "file": exc.path,
                            "dry_run": dry_run,
                            "rows_read": getattr(exc, "rows_read", None),
                            "rejected": rejected,
                            "problems": exc.problems,
                        },
                        ensure_ascii=False,
                    )
                )
            raise
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        for line in report.lines():
            echo(line)


@import_app.command("invoices")
def import_invoices(
    ctx: typer.Context, file: ImportFile, dry_run: DryRun = False, as_json: JsonReport = False
) -> None:
    """Factures : n° facture, code client, dates, montant, reste à payer..."""
    _run_import(ctx, "invoices", file, dry_run, as_json)


@import_app.command("customers")
def import_customers(
    ctx: typer.Context, file: ImportFile, dry_run: DryRun = False, as_json: JsonReport = False
) -> None:
    """Clients : code client, raison sociale, e-mail, langue, pays, fermetures..."""
    _run_import(ctx, "customers", file, dry_run, as_json)


@import_app.command("payments")
def import_payments(
    ctx: typer.Context, file: ImportFile, dry_run: DryRun = False, as_json: JsonReport = False
) -> None:
    """Règlements : n° facture, date de règlement, montant réglé."""
    _run_import(ctx, "payments", file, dry_run, as_json)


@import_app.command("fec")
def import_fec(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Fichier FEC (tabulation ou |).", show_default=False)
    ],
    dry_run: DryRun = False,
    terms_days: Annotated[
        int | None,
        typer.Option(
            "--terms-days",
            min=0,
            max=365,
            help="Délai de paiement (jours) des clients qui n'en ont pas"
            " (défaut : default_payment_terms_days de la politique, 30).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonReport = False,
    split_collective: Annotated[
        bool,
        typer.Option(
            "--split-collective",
            help="Comptes collectifs (clients divers) : un client par tiers nommé dans les"
            " libellés (docs/imports.md).",
        ),
    ] = False,
) -> None:
    """Créances ouvertes (comptes 411*/416*) d'un FEC, d'après le lettrage."""
    _run_import(ctx, "fec", file, dry_run, as_json, terms_days, split_collective)


# -- plan, disputes, promises -------------------------------------------------------------
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Date, AAAA-MM-JJ ou jj/mm/aaaa (défaut : aujourd'hui ; 20 ans avant à 5 ans après).",
        show_default=False,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Sortie JSON.")]
AcceptStale = Annotated[
    bool,
    typer.Option(
        "--accept-stale", help="Passer outre des données de paiement périmées (avec --reason)."
    ),
]
StaleReason = Annotated[
    str | None, typer.Option("--reason", help="Pourquoi (enregistré).", show_default=False)
]


def stale_reason(accept: bool, reason: str | None) -> str | None:
    """`--accept-stale --reason R` -> R; `--accept-stale` alone is a user error."""
    if not accept:
        return None
    if not reason or not reason.strip():
        raise UserError(tr("--accept-stale demande --reason", "--accept-stale needs --reason"))
    return reason


def parse_day(text: str | None, default: date, option: str = "--as-of") -> date:
    """`--as-of` (ISO or jj/mm/aaaa, within the documented range), or `default`."""
    if text is None:
        return default
    from assistant import inputs  # dates and amounts: babel, dateutil

    return inputs.check_as_of(inputs.parse_day(text, option), default, option)


def parse_money_option(text: str | None, option: str = "--amount") -> int | None:
    """An amount above zero (ASCII digits), or None."""
    from assistant import inputs  # dates and amounts: babel, dateutil

    return None if text is None else inputs.parse_money(text, option)


@app.command()
def plan(
    ctx: typer.Context,
    as_of: AsOf = None,
    as_json: AsJson = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Montrer aussi ce qui est écarté et pourquoi.")
    ] = False,
) -> None:
    """Actions dues à une date (aucune modification)."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        with working(tr("Planification…", "Planning…"), quiet=as_json):
            result = service.plan(day, explain=explain)
        freshness = service.freshness(day)
    if as_json:
        echo(json.dumps([a.as_json() for a in result.actions], ensure_ascii=False, indent=2))
        return
    if freshness.stale:
        echo(tr("ATTENTION : {m}", "WARNING: {m}", m=freshness.message()))
    console().print(render_plan(result, explain=explain), crop=False)


@app.command()
def dispute(
    ctx: typer.Context,
    invoice: Annotated[str, typer.Argument(help="Numéro de facture.", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Motif du litige.", show_default=False)],
) -> None:
    """Ouvrir un litige : la facture n'est plus relancée."""
    with service_for(ctx) as service:
        service.open_dispute(invoice, reason)
    echo(
        tr(
            "Litige ouvert sur {n} : plus aucune relance jusqu'à sa résolution.",
            "Dispute opened on {n}: no reminder until it is resolved.",
            n=invoice,
        )
    )


@app.command()
def resolve(
    ctx: typer.Context,
    invoice: Annotated[str, typer.Argument(help="Numéro de facture.", show_default=False)],
    note: Annotated[str | None, typer.Option("--note", help="Commentaire.")] = None,
) -> None:
    """Clore un litige : la facture reprend le parcours de relance."""
    with service_for(ctx) as service:
        result = service.resolve_dispute(invoice, note)
    echo(
        tr(
            "Litige clos sur {n} (statut : {s}).",
            "Dispute closed on {n} (status: {s}).",
            n=invoice,
            s=invoice_status_label(result.status.value),
        )
    )


@app.command()
def promise(
    ctx: typer.Context,
    invoice: Annotated[str, typer.Argument(help="Numéro de facture.", show_default=False)],
    on: Annotated[
        str,
        typer.Option(
            "--date",
            help="Date promise, AAAA-MM-JJ ou jj/mm/aaaa (au plus 6 mois, politique).",
            show_default=False,
        ),
    ],
    amount: Annotated[
        str | None, typer.Option("--amount", help="Montant promis (ex. 1234,56).")
    ] = None,
    made_on: Annotated[
        str | None,
        typer.Option(
            "--made-on",
            help="Jour où la promesse a été faite, AAAA-MM-JJ ou jj/mm/aaaa"
            " (défaut : aujourd'hui).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Enregistrer une promesse de paiement (les relances attendent sa date + délai de grâce)."""
    from assistant import inputs

    with service_for(ctx) as service:
        promised = inputs.parse_day(on, "--date")
        made = None
        if made_on is not None:  # a past event: not after today
            made = inputs.check_past(
                inputs.parse_day(made_on, "--made-on"), service.store.today(), "--made-on"
            )
        service.record_promise(invoice, promised, parse_money_option(amount), made_on=made)
        grace = service.scenario().promise_grace_days
    echo(
        tr(
            "Promesse enregistrée sur {n} pour le {d} : relances suspendues jusqu'au {d} + {g} j.",
            "Promise recorded on {n} for {d}: reminders paused until {d} + {g} days.",
            n=invoice,
            d=promised.isoformat(),
            g=grace,
        )
    )


# -- drafts -----------------------------------------------------------------------------
@app.command()
def draft(
    ctx: typer.Context,
    as_of: AsOf = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Mode modèle : aucun appel au LLM.")
    ] = False,
    as_json: AsJson = False,
    accept_stale: AcceptStale = False,
    reason: StaleReason = None,
) -> None:
    """Créer les brouillons des actions dues (idempotent), à valider ensuite."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())

        def waiting() -> None:
            console(stderr=True).print(
                tr(
                    "Un autre « relance draft » est en cours : attente de sa fin…",
                    "Another `relance draft` is running: waiting for it to finish…",
                )
            )

        with progress_bar(tr("Brouillons", "Drafts"), quiet=as_json) as step:
            report = service.draft(
                day,
                offline=offline,
                progress=step,
                on_wait=waiting,
                accept_stale=stale_reason(accept_stale, reason),
            )
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for line in report.lines():
        echo(line)


@app.command("drafts")
def list_drafts(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, approved, rejected, sent...")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Lister les brouillons."""
    with service_for(ctx) as service:
        items = service.drafts(status)
    if as_json:
        echo(json.dumps([d.as_json() for d in items], ensure_ascii=False, indent=2))
        return
    out = console()
    out.print(render_drafts(items, out.width), crop=False, soft_wrap=True)


@app.command()
def show(
    ctx: typer.Context,
    draft_id: Annotated[int, typer.Argument(help="Numéro du brouillon.", show_default=False)],
    as_json: AsJson = False,
) -> None:
    """Afficher un brouillon complet (texte, modèle d'origine, contrôles)."""
    with service_for(ctx) as service:
        item = service.get_draft(draft_id)
    if as_json:
        echo(json.dumps(item.as_json(), ensure_ascii=False, indent=2))
        return
    console().print(render_draft(item), crop=False)


# two people on one queue (docs/concurrency.md): what the person read, and acting anyway
SeenVersion = Annotated[
    int | None,
    typer.Option(
        "--version",
        help="Version lue (show --json) : refusé si le brouillon a changé depuis.",
        show_default=False,
        min=1,
    ),
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Agir même si une autre personne l'a ouvert (enregistré)."),
]


def seen_versions(draft_ids: list[int], version: int | None) -> dict[int, int] | None:
    """`--version N` names the version of one draft."""
    if version is None:
        return None
    if len(set(draft_ids)) != 1:
        raise UserError(
            tr("--version vaut pour un seul brouillon", "--version applies to one draft only")
        )
    return {draft_ids[0]: version}


@app.command()
def approve(
    ctx: typer.Context,
    draft_ids: Annotated[list[int], typer.Argument(help="Numéros de brouillons.")],
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help="Approuver malgré des contrôles non passés, avec ce motif (enregistré).",
            show_default=False,
        ),
    ] = None,
    version: SeenVersion = None,
    force: Force = False,
) -> None:
    """Approuver des brouillons (ils partiront au prochain envoi)."""
    versions = seen_versions(draft_ids, version)
    with service_for(ctx) as service:
        for item in service.approve(draft_ids, override=override, versions=versions, force=force):
            echo(
                tr(
                    "Brouillon {i} approuvé ({c}, {s}).",
                    "Draft {i} approved ({c}, {s}).",
                    i=item.id,
                    c=item.customer_name,
                    s=step_label(item.step),
                )
            )


@app.command()
def unapprove(
    ctx: typer.Context,
    draft_ids: Annotated[list[int], typer.Argument(help="Numéros de brouillons.")],
) -> None:
    """Retirer une approbation : le brouillon revient en attente (tant que l'envoi n'a pas
    commencé)."""
    with service_for(ctx) as service:
        for item in service.unapprove(draft_ids):
            echo(
                tr(
                    "Brouillon {i} de nouveau en attente ({c}, {s}).",
                    "Draft {i} back to pending ({c}, {s}).",
                    i=item.id,
                    c=item.customer_name,
                    s=step_label(item.step),
                )
            )


@app.command()
def reject(
    ctx: typer.Context,
    draft_ids: Annotated[list[int], typer.Argument(help="Numéros de brouillons.")],
    reason: Annotated[str, typer.Option("--reason", help="Motif du rejet.", show_default=False)],
    version: SeenVersion = None,
    force: Force = False,
) -> None:
    """Rejeter des brouillons avec un motif (l'étape n'est pas envoyée)."""
    versions = seen_versions(draft_ids, version)
    with service_for(ctx) as service:
        for item in service.reject(draft_ids, reason, versions=versions, force=force):
            echo(
                tr(
                    "Brouillon {i} rejeté ({c}, {s}).",
                    "Draft {i} rejected ({c}, {s}).",
                    i=item.id,
                    c=item.customer_name,
                    s=step_label(item.step),
                )
            )


@app.command()
def regenerate(
    ctx: typer.Context,
    draft_id: Annotated[int, typer.Argument(help="Numéro du brouillon.", show_default=False)],
    tone: Annotated[
        str | None, typer.Option("--tone", help="softer, firmer, shorter ou longer.")
    ] = None,
    language: Annotated[str | None, typer.Option("--language", help="fr ou en.")] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Mode modèle : aucun appel au LLM.")
    ] = False,
) -> None:
    """Régénérer un brouillon en attente (autre ton ou autre langue, dans la politique)."""
    with service_for(ctx) as service:
        item = service.regenerate(draft_id, adjustment=tone, language=language, offline=offline)
    echo(
        tr(
            "Brouillon {o} remplacé par {i} (source : {s}).",
            "Draft {o} replaced by {i} (source: {s}).",
            o=draft_id,
            i=item.id,
            s=item.source,
        )
    )
    console().print(render_draft(item), crop=False)


@app.command()
def send(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Montrer ce qui partirait, sans rien envoyer.")
    ] = False,
    as_json: AsJson = False,
    accept_stale: AcceptStale = False,
    reason: StaleReason = None,
) -> None:
    """Envoyer les brouillons approuvés (SMTP, sinon fichiers .eml dans <home>/outbox)."""
    with service_for(ctx) as service:
        with progress_bar(tr("Envoi", "Sending"), quiet=as_json or dry_run) as step:
            report = service.send(
                dry_run=dry_run,
                progress=step,
                accept_stale=stale_reason(accept_stale, reason),
            )
        listed = report.would_send if dry_run else report.sent
        views = [service.get_draft(i) for i in listed]
        held = [service.get_draft(i) for i in report.held + report.cancelled]
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False))
    elif dry_run:
        echo(
            tr(
                "Simulation ({w}) : {n} message(s) partiraient, {c} seraient annulés, {h} retenus.",
                "Dry run ({w}): {n} message(s) would leave, {c} would be cancelled, {h} held.",
                w=report.destination,
                n=len(report.would_send),
                c=len(report.cancelled),
                h=len(report.held),
            )
        )
        console().print(render_send_list(views, held, report.reasons), crop=False)
    else:
        echo(tr("Destination : {w}", "Destination: {w}", w=report.destination))
        echo(report.summary(with_error=False))  # the error goes to stderr below
        console().print(render_send_list(views, held, report.reasons), crop=False)
        if report.renewed:
            echo(
                tr(
                    "À valider de nouveau (politique ou faits de l'entreprise modifiés) : {ids}",
                    "To review again (policy or company facts changed): {ids}",
                    ids=", ".join(map(str, report.renewed)),
                )
            )
    if report.stuck and not as_json:
        echo(
            tr(
                "À vérifier (envoi interrompu) : {ids} ; puis relance stuck ID --sent|--not-sent",
                "To check (interrupted send): {ids}; then relance stuck ID --sent|--not-sent",
                ids=", ".join(map(str, report.stuck)),
            )
        )
    if report.error:  # server unavailable or bad configuration: the run did not finish
        raise UserError(report.error)


@app.command()
def migrate(
    ctx: typer.Context,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            envvar="RELANCE_DATABASE_URL",
            show_default=False,
            help="Base PostgreSQL vide : postgresql://utilisateur@hôte/base (env"
            " RELANCE_DATABASE_URL, préférable : le mot de passe n'apparaît pas dans ps).",
        ),
    ] = None,
    new_company: Annotated[
        str | None,
        typer.Option(
            "--new-company",
            show_default=False,
            help="Copier dans une nouvelle société CODE d'une base de cabinet (son schéma ;"
            " la base a déjà sa société : relance init). Avec --name.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", show_default=False, help="Nom de la nouvelle société."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Copier la base SQLite du dossier dans une base PostgreSQL vide (vérifiée, source intacte)."""
    from assistant.money import cents_to_str
    from assistant.storage.pg.move import move_home

    if not to:
        raise UserError(
            tr(
                "indiquez la base PostgreSQL : --to postgresql://… ou RELANCE_DATABASE_URL",
                "give the PostgreSQL database: --to postgresql://… or RELANCE_DATABASE_URL",
            )
        )
    settings = ctx.obj.settings
    if settings.db_path.is_file():  # the role gate, read-only: the source stays unchanged
        from assistant.people import require_on_file

        require_on_file(settings.db_path, settings.user, operation_of(ctx))
    company = None
    if new_company is not None or name is not None:
        from assistant.firm import migrate_into_company

        if new_company is None or name is None:
            raise UserError(
                tr(
                    "--new-company CODE et --name NOM vont ensemble",
                    "--new-company CODE and --name NAME go together",
                )
            )
        company, report = migrate_into_company(settings, clock_for(settings), to, new_company, name)
    else:
        report = move_home(settings.db_path, to)
    tables = [
        {"table": t.table, "rows": t.rows, "sums": {c: cents_to_str(v) for c, v in t.sums.items()}}
        for t in report.tables
    ]
    if as_json:
        out = {"source": str(report.source), "target": report.target, "rows": report.rows,
               "schema_version": report.schema_version, "tables": tables,
               "policies": report.policies,
               "company": None if company is None else company.code}  # fmt: skip
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for t in tables:
        sums = "  ".join(f"{c}={v}" for c, v in t["sums"].items())
        echo(f"{t['table']:<24} {t['rows']:>9}  {sums}".rstrip())
    echo(
        tr(
            "Copié et vérifié : {n} lignes, {t} tables, vers {u} (schéma {v}) ; source intacte.",
            "Copied and verified: {n} rows, {t} tables, into {u} (schema {v}); source unchanged.",
            n=report.rows,
            t=len(tables),
            u=report.target,
            v=report.schema_version,
        )
    )
    if company is not None:
        echo(
            tr(
                "Société {c} créée : {n} (schéma {s}) ; relance --company {c} …",
                "Company {c} created: {n} (schema {s}); relance --company {c} …",
                c=company.code,
                n=company.name,
                s=company.schema,
            )
        )
    if report.policies:  # the home's edited policy files, now the team's (policies-db.md)
        echo(tr("Politiques copiées dans la base : {f}", "Policies copied into the database: {f}",
                f=", ".join(report.policies)))  # fmt: skip


@app.command()
def stuck(
    ctx: typer.Context,
    draft_id: Annotated[int, typer.Argument(help="Numéro du brouillon.", show_default=False)],
    sent: Annotated[
        bool,
        typer.Option("--sent/--not-sent", help="Le message est-il parti ?", show_default=False),
    ],
) -> None:
    """Trancher un envoi interrompu : parti (--sent) ou à renvoyer (--not-sent)."""
    with service_for(ctx) as service:
        item = service.resolve_stuck(draft_id, was_sent=sent)
    echo(tr("Brouillon {i} : {s}.", "Draft {i}: {s}.", i=item.id, s=status_label(item.status)))


@app.command()
def stats(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Indicateurs : DSO, retards par ancienneté, paiement après relance, promesses."""
    from assistant.kpis_text import kpi_lines

    with service_for(ctx) as service:
        kpis = service.stats(parse_day(as_of, service.store.today()))
    if as_json:
        echo(json.dumps(kpis.as_json(), ensure_ascii=False, indent=2))
        return
    for line in kpi_lines(kpis):
        echo(line)


# -- briefs and calls ---------------------------------------------------------------------
@app.command()
def brief(
    ctx: typer.Context,
    customer: Annotated[
        str,
        typer.Argument(
            help="Code client, ou nom (sans accents ni majuscules, s'il est sans ambiguïté).",
            show_default=False,
        ),
    ],
    as_of: AsOf = None,
    as_json: AsJson = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Sortie Markdown brute.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Sans LLM.")] = False,
) -> None:
    """Fiche de préparation d'appel : factures, historique, options de paiement, script."""
    with service_for(ctx) as service:
        day = parse_day(as_of, service.store.today())
        result = service.brief(service.find_customer(customer), day, offline=offline)
    from assistant.briefs.brief import render_markdown

    if as_json:
        echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    elif markdown:
        echo(render_markdown(result))
    else:
        from rich.markdown import Markdown

        console().print(Markdown(render_markdown(result), hyperlinks=False))


@app.command("log-call")
def log_call(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Code client.", show_default=False)],
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="promesse, plan, litige, pas-de-réponse, mauvais-contact, payé"
            " (ou promise, plan, dispute, no-answer, wrong-contact, paid).",
            show_default=False,
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Date promise (promise), première échéance (plan) ou jour du paiement annoncé"
            " (paid), AAAA-MM-JJ ou jj/mm/aaaa.",
        ),
    ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Montant promis.")] = None,
    instalments: Annotated[
        int | None, typer.Option("--instalments", help="Nombre d'échéances (plan).")
    ] = None,
    invoice: Annotated[str | None, typer.Option("--invoice", help="Facture concernée.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Commentaire.")] = None,
    as_of: AsOf = None,
) -> None:
    """Enregistrer le résultat d'un appel (il oriente les prochaines relances)."""
    from assistant import inputs

    with service_for(ctx) as service:
        today = service.store.today()
        if as_of is not None:  # the day of the call: a past event, not after today
            today = inputs.check_past(inputs.parse_day(as_of, "--as-of"), today, "--as-of")
        promised = inputs.parse_day(on, "--date") if on is not None else None
        data = service.log_call(
            customer,
            outcome,
            on=today,
            promised=promised,
            amount_cents=parse_money_option(amount),
            instalments=instalments,
            invoice=invoice,
            note=note,
        )
    echo(
        tr(
            "Appel enregistré pour {c} : {o}.",
            "Call logged for {c}: {o}.",
            c=customer,
            o=outcome_label(str(data["outcome"])),
        )
    )
    if data.get("plan_id"):
        echo(tr("Plan de paiement n° {p} créé.", "Payment plan #{p} created.", p=data["plan_id"]))
        for line in schedule_lines(data.get("schedule") or []):  # type: ignore[arg-type]
            echo(line)
    if data.get("paid_on"):
        echo(
            tr(
                "Paiement annoncé le {p} : relances suspendues le temps qu'il arrive"
                " (délai de grâce) ; sans encaissement, un appel sera proposé.",
                "Payment announced on {p}: reminders paused while it arrives (grace days);"
                " if nothing comes in, a call will be proposed.",
                p=data["paid_on"],
            )
        )
    elif data.get("promised_date"):
        echo(
            tr(
                "Relances suspendues jusqu'au {d} (+ délai de grâce).",
                "Reminders paused until {d} (+ grace).",
                d=data["promised_date"],
            )
        )


@app.command()
def review(ctx: typer.Context, as_of: AsOf = None) -> None:
    """Ouvrir l'interface de validation (file, appels, politiques, résultats)."""
    with service_for(ctx) as service:
        run_tui(service, parse_day(as_of, service.store.today()))


# Commands of other modules (bank, replies, statutory, users, export, edit, team, companies,
# policy) register on
# `app` when they are imported: `main` imports only the module of the command it runs
# (assistant/cli_load.py).
