"""The policy verdict is remembered in the home per policy version, code and language: a
command reading one customer does not re-validate every template, yet any change is seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import policy_edit
from assistant.policyfile import policy_version
from assistant.service import Service
from tests.support.pg_neutral import drop_policy, put_policy

pytestmark = pytest.mark.own_policy_verdict  # each home judges its policies itself


def counting(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = policy_edit.policy_problems

    def spy(home: Path) -> list[str]:
        calls.append(home)
        return real(home)

    monkeypatch.setattr(policy_edit, "policy_problems", spy)
    return calls


def test_a_second_process_reuses_the_verdict_and_a_change_is_validated_again(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = service.home
    calls = counting(monkeypatch)
    assert policy_edit.checked_policy_problems(home, policy_version(home)) == []
    assert policy_edit.checked_policy_problems(home, policy_version(home)) == []
    assert len(calls) == 1  # the second caller (another command) read the verdict
    put_policy(home, "scenario.yaml", "min_gap_days 5\n")  # a missing ':'
    problems = policy_edit.checked_policy_problems(home, policy_version(home))
    assert len(calls) == 2 and problems and problems[0].startswith("scenario.yaml")
    drop_policy(home, "scenario.yaml")  # back to the shipped file: the first verdict's version
    assert policy_edit.checked_policy_problems(home, policy_version(home)) == []
    assert len(calls) == 3  # one verdict is remembered, the latest


def test_a_damaged_cache_or_another_language_validates_again(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.i18n import set_language

    home = service.home
    calls = counting(monkeypatch)
    version = policy_version(home)
    policy_edit.checked_policy_problems(home, version)
    (home / policy_edit.CHECK_CACHE).write_text("{not json", encoding="utf-8")
    assert policy_edit.checked_policy_problems(home, version) == []
    set_language("en")  # messages are stored in words: another language, another verdict
    assert policy_edit.checked_policy_problems(home, version) == []
    assert len(calls) == 3


def test_plan_still_refuses_an_invalid_policy_through_the_cache(service: Service) -> None:
    from datetime import date

    from assistant.errors import PolicyError

    service.plan(date(2026, 11, 24))  # valid: remembered
    put_policy(service.home, "scenario.yaml", "min_gap_days 5\n")
    with pytest.raises(PolicyError, match=r"scenario\.yaml"):
        service.plan(date(2026, 11, 24))
