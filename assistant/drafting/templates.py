"""Email/SMS templates: Jinja in a sandbox (managers edit them), StrictUndefined, blocks.

A template has `{% block subject %}` (emails) and `{% block body %}`. It is looked up as
`<language>/<name>.j2` in `<home>/policies/templates/` (on PostgreSQL: the database's
`templates/…` rows, docs/policies-db.md) first, then in the shipped templates.
Templates only ever see plain strings and booleans; LLM output is never rendered by Jinja.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
)
from markupsafe import Markup

from assistant.drafting.sandbox import LimitedSandbox, template_failure
from assistant.errors import PolicyError
from assistant.i18n import tr
from assistant.paths import bundled_dir
from assistant.policy_source import DbSource, OwnPolicy, source_for


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class DatabaseLoader(BaseLoader):
    """Templates from the team's database (`policy_files`, docs/policies-db.md). The rows are
    read once per store (one operation); a compiled template is up to date while its row keeps
    the version it was read at."""

    def __init__(self, source: DbSource) -> None:
        self.source = source
        self._rows: dict[str, OwnPolicy] | None = None

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if self._rows is None:
            self._rows = self.source.own_all("templates/")
        own = self._rows.get(f"templates/{template}")
        if own is None:
            raise TemplateNotFound(template)
        path, version = own.path, own.version
        return own.text, None, lambda: self.source.version(path) == version

    def list_templates(self) -> list[str]:
        rows = self.source.own_all("templates/")
        return sorted(p.removeprefix("templates/") for p in rows)


def _environment(
    search: list[str],
    extra: dict[str, str] | None = None,
    *,
    autoescape: bool = False,
    database: DbSource | None = None,
) -> LimitedSandbox:
    from jinja2 import ChoiceLoader, DictLoader

    loaders: list[BaseLoader] = [DictLoader(extra)] if extra else []
    if database is not None:
        loaders.append(DatabaseLoader(database))
    loaders.append(FileSystemLoader(search))
    return LimitedSandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=False,
        trim_blocks=False,
        # a store serves one operation (a drafting run, a send, a preview): each template is
        # read once, not checked on disk again at every render
        auto_reload=False,
    )


class TemplateStore:
    """Finds and renders templates; `overrides` lets the policy editor preview unsaved text."""

    def __init__(self, home: Path | None, overrides: dict[str, str] | None = None) -> None:
        search = []
        source = source_for(home)
        database = source if isinstance(source, DbSource) else None
        if database is None and home is not None and (home / "policies" / "templates").is_dir():
            search.append(str(home / "policies" / "templates"))
        search.append(str(bundled_dir("policies") / "templates"))
        self.env = _environment(search, overrides, database=database)
        self.html_env = _environment(search, overrides, autoescape=True, database=database)

    def render_html(self, name: str, body: str, context: dict[str, object]) -> str | None:
        """The template's optional `{% block html %}` (autoescaped), wrapping the final plain
        text as `body_html`; None when the template has no HTML part."""
        try:
            template = self.html_env.get_template(name)
            block = template.blocks.get("html")
            if block is None:
                return None
            ctx = template.new_context({**context, "body_html": text_to_html(body)})
            with self.html_env.limited():
                return "".join(block(ctx)).strip()
        except TemplateSyntaxError as exc:
            raise PolicyError(_syntax(exc, name)) from exc
        except Exception as exc:  # anything a manager's template does wrong, in one line
            raise PolicyError(f"{name} (html): {template_failure(exc)}") from exc

    def exists(self, name: str) -> bool:
        """A template `fr/reminder_1.softer.j2` exists (the manager's or shipped)."""
        try:
            self.env.get_template(name)
        except TemplateNotFound:
            return False
        except TemplateSyntaxError as exc:
            raise PolicyError(_syntax(exc, name)) from exc
        return True

    def name_for(self, language: str, names: list[str]) -> str:
        """The first of `names` (e.g. ["strategic", "reminder_1"]) that exists in `language`,
        falling back to French."""
        for lang in (language, "fr"):
            for name in names:
                candidate = f"{lang}/{name}.j2"
                try:
                    self.env.get_template(candidate)
                    return candidate
                except TemplateNotFound:
                    continue
                except TemplateSyntaxError as exc:
                    raise PolicyError(_syntax(exc, candidate)) from exc
        raise PolicyError(
            tr(
                "aucun modèle pour {n} ({lang})",
                "no template for {n} ({lang})",
                n=" / ".join(names),
                lang=language,
            )
        )

    def render(self, name: str, context: dict[str, object]) -> Rendered:
        try:
            template = self.env.get_template(name)
            ctx = template.new_context(dict(context))
            body_block = template.blocks.get("body")
            if body_block is None:
                raise PolicyError(
                    tr("{n} : bloc « body » manquant", "{n}: missing « body » block", n=name)
                )
            subject_block = template.blocks.get("subject")
            with self.env.limited():
                subject = "".join(subject_block(ctx)).strip() if subject_block else ""
                body = "".join(body_block(ctx)).strip()
        except PolicyError:
            raise
        except TemplateSyntaxError as exc:
            raise PolicyError(_syntax(exc, name)) from exc
        except Exception as exc:  # anything a manager's template does wrong, in one line
            raise PolicyError(f"{name}: {template_failure(exc)}") from exc
        return Rendered(" ".join(subject.split()), _tidy(body))


HTML_CONTEXT = ("subject", "company_name", "language")  # what an html block may use, + body_html


def text_to_html(text: str) -> Markup:
    """Plain text as escaped HTML paragraphs (the text itself is never a template)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(p.splitlines())) for p in paragraphs
    )


def _syntax(exc: TemplateSyntaxError, name: str) -> str:
    return f"{exc.filename or name}: {tr('ligne', 'line')} {exc.lineno}: {exc.message}"


def _tidy(body: str) -> str:
    """Collapse runs of blank lines left by conditional blocks."""
    lines = [line.rstrip() for line in body.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip()
