"""The test homes start with their policies' verdict, judged once per session
(tests/support/policy_verdict.py): a home that keeps its policies is not validated again, and a
home whose policies change, or that runs in English, is validated as a user's home would be."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import PolicyError
from assistant.i18n import set_language
from assistant.service import Service
from tests.support.pg_neutral import put_policy
from tests.unit.test_policy_check_cache import counting

AS_OF = date(2026, 11, 24)


def test_a_home_that_keeps_its_policies_plans_without_validating_them(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting(monkeypatch)
    service.plan(AS_OF)
    assert calls == [] and service.policy_problems() == []


def test_a_changed_policy_is_validated_and_refused_despite_the_verdict(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting(monkeypatch)
    put_policy(service.home, "scenario.yaml", "min_gap_days 5\n")  # a missing ':'
    with pytest.raises(PolicyError, match=r"scenario\.yaml"):
        service.plan(AS_OF)
    assert calls == [service.home]


def test_another_language_is_validated_again(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting(monkeypatch)
    set_language("en")  # problems are stored in words: the French verdict does not answer
    assert service.policy_problems() == [] and calls == [service.home]
