"""The policy files' verdict, remembered in the home per policy version, code and language.

Validating every policy file compiles every template (about a second). The verdict is kept in
`.cache/policy-check.json`; reading it back needs none of the validator's modules (Jinja,
pydantic models, the templates), so a command or the TUI that finds it pays a file read.
Any doubt (no file, another key) means validating again (`policy_edit.checked_policy_problems`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from assistant.i18n import language

CHECK_CACHE = Path(".cache") / "policy-check.json"


@functools.cache
def code_fingerprint() -> str:
    """Which relance code judged the policies: a changed validator re-validates. Computed once
    per process: a running process keeps the code it loaded, whatever the files become."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:16]


def _key(version: str) -> str:
    return f"{version}:{code_fingerprint()}:{language()}"


def remembered(home: Path, version: str) -> list[str] | None:
    """The remembered problems of this policy version (None: not judged yet, or in doubt)."""
    try:
        cached = json.loads((home / CHECK_CACHE).read_text(encoding="utf-8"))
        if cached.get("key") == _key(version) and isinstance(cached.get("problems"), list):
            return [str(p) for p in cached["problems"]]
    except (OSError, ValueError, AttributeError):
        pass
    return None


def remember(home: Path, version: str, problems: list[str]) -> None:
    """Keep the verdict (atomically); a read-only home keeps nothing (validated each time)."""
    path = home / CHECK_CACHE
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": _key(version), "problems": problems}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
