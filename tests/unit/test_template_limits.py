"""Manager templates render with limits on time, output size and loops (issue 13, item 7)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.drafting.templates import TemplateStore
from assistant.errors import PolicyError
from assistant.llm.prompts import PromptStore
from assistant.policy_edit import sample_context, validate_policy

BODY = "{% block subject %}Objet{% endblock %}{% block body %}BODY{% endblock %}"

HOSTILE = {
    "range": "{% for i in range(1000000) %}x{% endfor %}",
    "nested loops": "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}"
    "{% endfor %}",
    "string times": "{{ 'a' * 1000000000 }}",
    "power": "{{ 10 ** 100000 }}",
    "padding filter": "{{ 'a'|center(1000000000) }}",
    "padding method": "{{ 'a'.ljust(1000000000) }}",
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "macro fan-out": "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}"
    "{% endmacro %}{{ f(40) }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "printf width": "{{ '%999999999d' % 1 }}",
    "format width": "{{ '{:>999999999}'.format(1) }}",
    "division by zero": "{{ 1 / 0 }}",
    "buffered in a macro": "{% macro m() %}{% for i in range(10000) %}{% for j in range(9) %}"
    "{{ customer_name * 100 }}{% endfor %}{% endfor %}{% endmacro %}{{ m()|length }}",
    "joined list": "{% set ns = namespace(l=[]) %}{% for i in range(5000) %}"
    "{% set _ = ns.l.append(customer_name * 500) %}{% endfor %}{{ ns.l|join|length }}",
    "replace": "{{ (customer_name * 1000).replace('', customer_name * 1000) }}",
    "lipsum": "{{ lipsum(1000) }}",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_template_is_a_policy_error_within_seconds(tmp_path: Path, name: str) -> None:
    text = BODY.replace("BODY", HOSTILE[name])
    store = TemplateStore(tmp_path, {"fr/x.j2": text})
    started = time.monotonic()
    with pytest.raises(PolicyError) as caught:
        store.render("fr/x.j2", sample_context())
    assert time.monotonic() - started < 5
    assert "\n" not in str(caught.value) and str(caught.value).startswith("fr/x.j2")


def test_the_policy_editor_check_refuses_an_endless_template(tmp_path: Path) -> None:
    text = BODY.replace("BODY", HOSTILE["range"])
    with pytest.raises(PolicyError, match="range"):
        validate_policy(tmp_path, "templates/fr/reminder_1.j2", text)


def test_the_html_block_has_the_same_limits(tmp_path: Path) -> None:
    text = BODY + "{% block html %}" + HOSTILE["string times"] + "{% endblock %}"
    store = TemplateStore(tmp_path, {"fr/x.j2": text})
    with pytest.raises(PolicyError, match="html"):
        store.render_html("fr/x.j2", "corps", {"subject": "s", "company_name": "c"})


def test_prompts_have_the_same_limits(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "rewrite_system.j2").write_text(HOSTILE["nested loops"])
    with pytest.raises(PolicyError, match=r"prompts/rewrite_system\.j2"):
        PromptStore(tmp_path).render("rewrite_system", language="fr")


def test_the_deadline_stops_slow_work_that_stays_under_the_counts() -> None:
    from assistant.drafting.sandbox import LimitedSandbox, Limits

    env = LimitedSandbox(limits=Limits(seconds=0.1, iterations=10**9))
    slow = env.from_string(
        "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
        "{% endfor %}{% endfor %}{% endfor %}"
    )
    with env.limited(), pytest.raises(Exception, match=r"trop long|too slow"):
        slow.render()


def test_ordinary_templates_render_as_before(tmp_path: Path) -> None:
    text = BODY.replace(
        "BODY",
        "{% for i in range(3) %}{{ i ~ '-' }}{% endfor %} {{ customer_name|upper }}"
        "{% if several %} plusieurs{% endif %} {{ '%05.1f' % 3.14159 }}"
        " {{ ['a', 'b']|join(', ') }} {{ 'x' * 3 }}",
    )
    rendered = TemplateStore(tmp_path, {"fr/x.j2": text}).render("fr/x.j2", sample_context())
    assert rendered.body == "0-1-2- <CUSTOMER_NAME> plusieurs 003.1 a, b xxx"
