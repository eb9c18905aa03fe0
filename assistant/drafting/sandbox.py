"""A Jinja sandbox with limits: every manager template (and prompt) renders through it.

Jinja's own sandbox stops attribute tricks, not work: `range(1000000)` raises a bare
OverflowError, nested loops run for minutes, `"x" * 10**9` or a string doubled in a loop eats
the memory. Here each render has a budget (`Limits`): a deadline, a number of loop iterations
and calls, a size for every value built (concatenation, `*`, `+`, `%`, `join`, `replace`,
padding filters...) and for all the text produced (buffers of macros and `{% set %}` blocks
included). The template is rewritten when it is parsed so that loops, `~` and every output
go through the budget. Any failure inside a template becomes a `TemplateError` the callers turn
into a one-line `PolicyError`.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from assistant.i18n import tr


@dataclass(frozen=True)
class Limits:
    """What one render may use (documented in docs/hostile-input.md)."""

    seconds: float = 2.0
    output_chars: int = 1_000_000  # all text produced, buffers included
    value_chars: int = 1_000_000  # one string or list built by the template
    iterations: int = 100_000  # loop iterations, all loops together
    calls: int = 100_000  # function, method and macro calls
    range_items: int = 10_000  # one range()
    int_argument: int = 10_000  # a number given to a filter or a method (widths, counts)
    exponent: int = 64  # `**`


DEFAULT_LIMITS = Limits()


class TemplateLimitError(SecurityError):
    """A template went over one of its limits (time, size, loops)."""


@dataclass
class _Budget:
    limits: Limits
    deadline: float
    output: int = 0
    iterations: int = 0
    calls: int = 0
    checks: int = field(default=0)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(
                tr(
                    "rendu trop long (plus de {s} s : boucle infinie ou trop imbriquée ?)",
                    "render too slow (over {s} s: endless or too deeply nested loop?)",
                    s=_seconds(self.limits.seconds),
                )
            )


def _seconds(value: float) -> str:
    return f"{value:g}"


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "relance_template_budget", default=None
)


def _budget() -> _Budget:
    """The render's budget; a render started outside `limited()` gets its own on first use."""
    budget = _BUDGET.get()
    if budget is None:
        budget = _Budget(DEFAULT_LIMITS, time.monotonic() + DEFAULT_LIMITS.seconds)
        _BUDGET.set(budget)
    return budget


def _too_big(what: str, size: int, cap: int) -> TemplateLimitError:
    return TemplateLimitError(
        tr(
            "{w} trop grand ({n} > {m})",
            "{w} too large ({n} > {m})",
            w=what,
            n=size,
            m=cap,
        )
    )


def _check_value(size: int) -> None:
    cap = _budget().limits.value_chars
    if size > cap:
        raise _too_big(tr("texte ou liste", "text or list"), size, cap)


def _check_int(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        cap = _budget().limits.int_argument
        if abs(value) > cap:
            raise _too_big(tr("nombre en argument", "number argument"), abs(value), cap)


def _size(value: Any) -> int:
    if isinstance(value, str | list | tuple | dict | set | frozenset | bytes):
        return len(value)
    return 0


def _text_size(items: Iterable[Any]) -> int:
    return sum(len(x) if isinstance(x, str) else len(str(x)) for x in items)


_FORMAT_WIDTH = re.compile(r"%[-+ #0]*(\d+)|%[-+ #0]*\d*\.(\d+)|\{[^{}]*:[^{}]*?(\d+)[^{}]*\}")


def _check_format(pattern: str) -> None:
    """`"%999999999d" % 1` or `"{:>999999999}".format(x)` would build a huge string."""
    for match in _FORMAT_WIDTH.finditer(pattern):
        for width in match.groups():
            if width is not None:
                _check_int(int(width))


# -- what the rewritten template calls ---------------------------------------------------------
def guard_loop(iterable: Any) -> Iterator[Any]:
    """Every `{% for %}` iterates through this: counted, and the deadline checked."""
    budget = _budget()
    cap = budget.limits.iterations
    for item in iterable:
        budget.iterations += 1
        if budget.iterations > cap:
            raise _too_big(
                tr("nombre d'itérations", "number of iterations"), budget.iterations, cap
            )
        budget.tick()
        yield item


def guard_output(value: Any) -> Any:
    """Every `{{ expression }}` (yielded or buffered) is charged to the output budget."""
    _charge(len(value) if isinstance(value, str) else len(str(value)))
    return value


def charge_text(size: int) -> str:
    """Literal template text is charged too (a loop repeats it)."""
    _charge(size)
    return ""


def _charge(size: int) -> None:
    budget = _budget()
    budget.output += size
    if budget.output > budget.limits.output_chars:
        raise _too_big(
            tr("texte produit", "text produced"), budget.output, budget.limits.output_chars
        )
    budget.tick()


def guard_concat(parts: list[Any], autoescape: bool) -> str:
    """`a ~ b`: the result's size is checked before it is built."""
    _check_value(_text_size(parts))
    return markup_join(parts) if autoescape else str_join(parts)


def safe_range(*args: int) -> range:
    rng = range(*args)
    cap = _budget().limits.range_items
    if len(rng) > cap:
        raise _too_big("range()", len(rng), cap)
    return rng


def _predicted_size(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """The size a str method would build, computed before calling it (0: not an amplifier)."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, str):
        if name == "replace" and args:
            new = args[1] if len(args) > 1 else ""
            return len(owner) + (len(owner) + 1) * max(len(str(new)), 1)
        if name == "join" and args:
            items = list(args[0]) if not isinstance(args[0], str) else args[0]
            return _text_size(items) + len(owner) * max(len(items) - 1, 0)
        if name in ("format", "format_map"):
            _check_format(owner)
        if name == "expandtabs":
            width = args[0] if args else kwargs.get("tabsize", 8)
            _check_int(width)
            return len(owner) + owner.count("\t") * int(width)
    return 0


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter with its number arguments capped and its result's size checked."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _check_int(value)
        _budget().tick()
        values = [a for a in args if not _is_context(a)]
        if name == "join" and values:
            items = list(values[0])
            sep = values[1] if len(values) > 1 else kwargs.get("d", "")
            _check_value(_text_size(items) + len(str(sep)) * max(len(items) - 1, 0))
            args = (*args[: len(args) - len(values)], items, *values[1:])
        elif name == "indent" and values:
            text = str(values[0])
            width = values[1] if len(values) > 1 else kwargs.get("width", 4)
            width_size = len(width) if isinstance(width, str) else int(width)
            _check_value(len(text) + (text.count("\n") + 1) * width_size)
        elif name == "format" and values:
            _check_format(str(values[0]))
        elif name == "replace" and values and len(values) > 2:
            text, new = str(values[0]), str(values[2])
            _check_value(len(text) + (len(text) + 1) * max(len(new), 1))
        result = func(*args, **kwargs)
        _check_value(_size(result))
        return result

    return run


def _is_context(value: Any) -> bool:
    """pass_context / pass_environment filters receive those objects first."""
    from jinja2.nodes import EvalContext
    from jinja2.runtime import Context

    return isinstance(value, Context | EvalContext | SandboxedEnvironment)


class LimitedSandbox(SandboxedEnvironment):
    """SandboxedEnvironment + the limits above. Use `limited()` around each render."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: Limits = DEFAULT_LIMITS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.globals["range"] = safe_range
        self.globals.pop("lipsum", None)  # up to megabytes of text from one call
        self.guard_loop = guard_loop
        self.guard_output = guard_output
        self.charge_text = charge_text
        self.filters = {name: _guarded_filter(name, f) for name, f in self.filters.items()}

    @contextmanager
    def limited(self) -> Iterator[None]:
        """One render's budget (the deadline starts now)."""
        token = _BUDGET.set(_Budget(self.limits, time.monotonic() + self.limits.seconds))
        try:
            yield
        finally:
            _BUDGET.reset(token)

    # -- runtime checks -------------------------------------------------------------------
    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(__obj, "_relance_guard", False):
            return __context.call(__obj, *args, **kwargs)
        budget = _budget()
        budget.calls += 1
        if budget.calls > budget.limits.calls:
            raise _too_big(
                tr("nombre d'appels", "number of calls"), budget.calls, budget.limits.calls
            )
        budget.tick()
        if __obj is not safe_range:
            for value in (*args, *kwargs.values()):
                _check_int(value)
        _check_value(_predicted_size(__obj, args, kwargs))
        result = super().call(__context, __obj, *args, **kwargs)
        _check_value(_size(result))
        return result

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > self.limits.exponent:
                raise _too_big(tr("exposant", "exponent"), int(abs(right)), self.limits.exponent)
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if _size(seq) and isinstance(times, int):
                    _check_value(_size(seq) * max(times, 0))
        elif operator == "+":
            _check_value(_size(left) + _size(right))
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        result = self.binop_table[operator](left, right)
        if isinstance(result, int) and result.bit_length() > 256:
            raise _too_big(tr("nombre", "number"), result.bit_length(), 256)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`"{:>999999999}".format(x)`: the pattern is checked when the method is looked up."""
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:
            _check_format(str(value.__self__))
        return wrapper

    # -- the rewrite of every parsed template -----------------------------------------------
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = _Rewrite(self).visit(super()._parse(source, name, filename))
        tree.set_environment(self)
        return tree

    def guard_concat_escaped(self, parts: list[Any]) -> str:
        return guard_concat(parts, True)

    def guard_concat_plain(self, parts: list[Any]) -> str:
        return guard_concat(parts, False)


def _call(name: str, arg: nodes.Expr, lineno: int) -> nodes.Call:
    call = nodes.Call(nodes.EnvironmentAttribute(name), [arg], [], None, None)
    return call.set_lineno(lineno)


class _Rewrite(NodeTransformer):
    """Loops, `~` and every output of a parsed template go through the budget."""

    def __init__(self, env: LimitedSandbox) -> None:
        self.concat = "guard_concat_escaped" if env.autoescape else "guard_concat_plain"

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _call("guard_loop", node.iter, node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _call(self.concat, nodes.List(list(node.nodes)), node.lineno)

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        children: list[nodes.Expr] = []
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                children.append(_call("charge_text", nodes.Const(len(child.data)), node.lineno))
                children.append(child)
            else:
                children.append(_call("guard_output", child, node.lineno))
        node.nodes = children
        return node


for _guard in (guard_loop, guard_output, charge_text, guard_concat):
    _guard._relance_guard = True  # type: ignore[attr-defined]
LimitedSandbox.guard_concat_escaped._relance_guard = True  # type: ignore[attr-defined]
LimitedSandbox.guard_concat_plain._relance_guard = True  # type: ignore[attr-defined]


def template_failure(exc: BaseException) -> str:
    """One line for an error raised while a template ran (not a syntax error)."""
    if isinstance(exc, TemplateRuntimeError | SecurityError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return tr("récursion trop profonde", "recursion too deep")
    if isinstance(exc, MemoryError):
        return tr("mémoire épuisée", "out of memory")
    return f"{type(exc).__name__}: {exc}"
