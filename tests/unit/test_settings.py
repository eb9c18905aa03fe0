"""`Settings` takes the usual values itself and leaves the others to the pydantic model: for every
value it takes, the model gives the same; every other value gets the model's value or error."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from annotated_types import Ge, Le
from pydantic import SecretStr, ValidationError

from assistant import config
from assistant.config import FIELDS, Secret, Settings, load_settings
from assistant.errors import UserError
from assistant.settings_model import SettingsModel, validated

ROOT = Path(__file__).resolve().parents[2]

TEXT = ["", " ", "abc", "é x", "0", "None"]
WORDS = ["on", "off", "ON", " on", "", "ssl", "starttls", "none", "fr", "en", "FR", "de"]
WHOLE = [
    "0", "1", "8", "10", "11", "64", "65", "08", "-1", "+3", " 8", "8 ", "1_000", "1e3", "8.0",
    "", "99999999999", "٣", 8, 0, -1, 65, True, False, 8.0, 8.5, None,
]  # fmt: skip
DECIMAL = [
    "30", "30.5", "0", "0.0", "60", "60.1", "61", "-1", ".5", "5.", "1e3", "inf", "nan", " 3",
    "", "1_0", "0.123456789", "123456789.5", 30, 30.5, 0, -0.5, True, float("nan"),
    float("inf"), None,
]  # fmt: skip
DATES = [
    "2026-11-24", "2026-02-30", "2024-02-29", "2026-1-2", "20261124", "2026-11-24T00:00",
    "", " 2026-11-24", date(2026, 1, 1), datetime(2026, 1, 1), None,
]  # fmt: skip
PATHS = ["", " ", "/tmp/x", "~/x", "rel/dir", ".", Path("/x"), Path("rel"), None]
SECRETS = ["", "sk-1", " ", None, SecretStr("s")]
VALUES = {
    "text": [*TEXT, None, 3],
    "word": [*WORDS, None],
    "whole": WHOLE,
    "decimal": DECIMAL,
    "date": DATES,
    "path": PATHS,
    "secret": SECRETS,
}


@pytest.fixture(autouse=True)
def no_settings_in_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    aliases = {f[1] for f in FIELDS}
    for name in list(os.environ):
        if name.upper() in aliases:
            monkeypatch.delenv(name)
    monkeypatch.setenv("RELANCE_HOME", str(tmp_path))


def _model(data: dict[str, Any]) -> dict[str, Any] | str:
    try:
        return validated(data)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]


def _plain(data: dict[str, Any]) -> dict[str, Any] | str:
    try:
        return dict(Settings(**data).__dict__)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]


def test_the_fields_are_the_models() -> None:
    model = SettingsModel.model_fields
    assert [f[0] for f in FIELDS] == list(model)
    for name, alias, kind, default, low, high, words in FIELDS:
        field = model[name]
        assert field.validation_alias == alias, name
        if name != "home":
            assert field.default == default, name
        bounds = {type(m): m for m in field.metadata}
        assert (bounds[Ge].ge if Ge in bounds else None) == low, name
        assert (bounds[Le].le if Le in bounds else None) == high, name
        literal = [a for a in get_args(field.annotation) if a is not type(None)]
        if kind.rstrip("?") == "word":
            assert tuple(get_args(literal[0]) if len(literal) == 1 else literal) == words, name
        assert kind.endswith("?") == (type(None) in get_args(field.annotation)), name


@pytest.mark.parametrize("field", FIELDS, ids=[f[0] for f in FIELDS])
def test_every_value_taken_is_the_models_and_the_others_are_left_to_it(field: tuple) -> None:
    name, alias, kind, *_ = field
    taken = 0
    for value in VALUES[kind.rstrip("?")]:
        data = {alias: value}
        expected = _model(data)
        if config.taken({**config.environment(), **data}) is not None:
            taken += 1
            assert isinstance(expected, dict), (name, value, expected)
            got = dict(Settings(**data).__dict__)
            assert repr(got) == repr(expected), (name, value)  # repr: nan is nan
            assert type(got[name]) is type(expected[name]), (name, value)
        assert repr(_plain(data)) == repr(expected), (name, value)  # taken or not: the model's
    assert taken >= 2, name  # the usual values are taken here (no pydantic)


def test_environment_names_match_without_case_and_the_exact_name_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("relance_lang", "en")
    assert Settings().ui_language == "en"
    monkeypatch.setenv("RELANCE_LANG", "fr")
    assert Settings().ui_language == "fr"
    assert Settings(RELANCE_LANG="en").ui_language == "en"  # the constructor's value wins
    assert Settings(home="/elsewhere").home != Path("/elsewhere")  # only the documented names


def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELANCE_LLM_CONCURRENCY", "0")
    with pytest.raises(UserError) as err:
        load_settings()
    assert str(err.value) == (
        "réglage RELANCE_LLM_CONCURRENCY invalide : Input should be greater than or equal to 1"
    )
    monkeypatch.setenv("RELANCE_LLM_CONCURRENCY", "4")
    monkeypatch.setenv("RELANCE_HOME", "  ")
    with pytest.raises(UserError, match="RELANCE_HOME invalide"):
        load_settings()


def test_secrets_never_show_and_copies_are_not_checked(tmp_path: Path) -> None:
    settings = Settings(OPENAI_API_KEY="sk-very-secret", RELANCE_DATABASE_URL="postgresql://u:pw@h")
    assert "sk-very-secret" not in repr(settings) and "pw" not in repr(settings)
    assert str(settings.openai_api_key) == "**********"
    assert settings.openai_api_key == Secret("sk-very-secret")
    assert settings.uses_postgres and settings.llm_enabled
    copy = settings.model_copy(update={"company": "alpha", "database_url": None})
    assert (copy.company, copy.uses_postgres, settings.company) == ("alpha", False, None)
    assert settings.with_home(Path("~/x")).home == Path("~/x").expanduser()
    assert settings.db_path == tmp_path / "relance.db"


def test_the_default_home_is_found_when_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELANCE_HOME")
    settings = Settings()
    assert "home" not in settings.__dict__  # not looked for yet
    assert settings.home == config.default_home() == validated({})["home"]
    assert Settings().with_home(Path("/given")).home == Path("/given")
    assert Settings() == Settings() and "home=" in repr(Settings())


def test_usual_settings_load_no_pydantic(tmp_path: Path) -> None:
    env = {**os.environ, "RELANCE_LLM_CONCURRENCY": "16", "RELANCE_TODAY": "2026-11-24"}
    code = (
        "import sys; from assistant.config import load_settings; s = load_settings();"
        "print(s.llm_concurrency, s.today, 'pydantic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["16", "2026-11-24", "False"]
