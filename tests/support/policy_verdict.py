"""The verdict on the policies a test home starts with (the shipped files and the test company,
`tests.conftest.write_company`), judged once per test session by the real validator and
written into each such home as its first command would leave it (`assistant.policy_verdict`).

Validating every policy file compiles every template: about 0.7 s, which was most of the time of
a test that plans or drafts, and of each mutant of the planner and the send loop
(docs/mutation.md, "Time"). The verdict is keyed by the policies' content, the code and the
language, so a test that changes a policy, or runs in English, is validated again as a user's
home would be. Tests of the verdict itself are marked `own_policy_verdict` (the `service`
fixture) or call `write_company(home, judged=False)`: their homes start without one.

`python -m tests.support.policy_verdict FILE` writes the verdict to FILE: the mutation run
judges once, on the code without any mutant, for every mutant's session
(`MUTATION_POLICY_VERDICT`, read by tests/conftest.py).
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path

from assistant.i18n import using
from assistant.policy_verdict import CHECK_CACHE

ENV = "MUTATION_POLICY_VERDICT"  # not RELANCE_*: the tests' isolation removes those


def judge(company: str) -> str:
    """The verdict file of a folder home holding `company` as its company.yaml, validated in
    French (the tests' language); the problems must be none."""
    from assistant.policy_edit import checked_policy_problems  # Jinja: only when judging
    from assistant.policyfile import policy_version

    with using("fr"), tempfile.TemporaryDirectory(prefix="relance-verdict-") as root:
        home = Path(root) / "home"
        (home / "policies").mkdir(parents=True)
        (home / "policies" / "company.yaml").write_text(company, encoding="utf-8")
        problems = checked_policy_problems(home, policy_version(home))
        if problems:
            raise AssertionError(f"the test company's policies are invalid: {problems}")
        return (home / CHECK_CACHE).read_text(encoding="utf-8")


@functools.cache
def company_verdict(company: str) -> str:
    """The verdict for `company`, judged once per process (a test session, an xdist worker);
    a mutation run's, judged once for every mutant's session, when it names one."""
    given = os.environ.get(ENV)
    if given:
        return Path(given).read_text(encoding="utf-8")
    return judge(company)


def seed(home: Path, verdict: str) -> None:
    """Write the judged verdict into `home`, as a first command there would have."""
    path = home / CHECK_CACHE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(verdict, encoding="utf-8")


if __name__ == "__main__":
    from tests.conftest import TEST_COMPANY

    Path(sys.argv[1]).write_text(judge(TEST_COMPANY), encoding="utf-8")
