"""What a rule is: catalogue identity, documentation, and check functions.

A rule is a small class registered with :func:`register`. It overrides one or
more hooks:

* ``check_module(ctx)`` for Python files and notebooks (``ModuleContext``);
* ``check_text(ctx)`` for dependency and configuration files (``TextContext``);
* ``check_project(project)`` for evidence that spans files (``ProjectContext``).

Hooks yield :class:`Hit` objects; the engine turns them into ``Finding``s
(path, notebook line mapping, severity overrides, suppressions, fingerprints).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from mle_review.models import Confidence, Severity
from mle_review.rules.catalog import CATALOG, SLUG_TO_ID

if TYPE_CHECKING:
    from mle_review.engine.context import ModuleContext, ProjectContext, TextContext


@dataclass(frozen=True)
class RuleDoc:
    """Every rule documents itself under the same headings (ruff-style)."""

    what_it_does: str
    why_it_matters: str
    example: str
    use_instead: str
    options: str = "None beyond `select`, `ignore`, `severity` and `per-file-ignores`."
    references: tuple[str, ...] = ()

    HEADINGS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("what_it_does", "What it does"),
        ("why_it_matters", "Why it matters in production ML"),
        ("example", "Example"),
        ("use_instead", "Use instead"),
        ("options", "Options"),
        ("references", "References"),
    )


@dataclass
class Hit:
    """One raw result of a check, in the coordinates of the analysed text.

    ``line`` is 1-based in the module source (for notebooks, the concatenated
    code cells) unless ``raw`` is set, in which case it is a line of the file
    as stored (used for notebook outputs and text files). ``path`` is only set
    by project-level checks that report on another file.
    """

    line: int
    message: str
    column: int = 0
    end_line: int | None = None
    fix: str | None = None
    severity: Severity | None = None
    confidence: Confidence | None = None
    related: list[tuple[str | None, int, str]] = field(default_factory=list)
    raw: bool = False
    path: str | None = None

    @classmethod
    def at(cls, node: ast.AST, message: str, **kwargs: object) -> Hit:
        """A hit spanning ``node`` (statement or expression)."""
        line = getattr(node, "lineno", 1)
        end = getattr(node, "end_lineno", None) or line
        col = getattr(node, "col_offset", 0) + 1
        return cls(line=line, end_line=end, column=col, message=message, **kwargs)  # type: ignore[arg-type]


class Rule:
    """Base class; subclasses set ``id``, ``message``, ``fix`` and ``doc``."""

    id: ClassVar[str]
    confidence: ClassVar[Confidence] = Confidence.HIGH
    message: ClassVar[str]
    fix: ClassVar[str]
    doc: ClassVar[RuleDoc]

    @property
    def slug(self) -> str:
        return CATALOG[self.id].slug

    @property
    def family(self) -> str:
        return CATALOG[self.id].family

    @property
    def severity(self) -> Severity:
        return CATALOG[self.id].severity

    @property
    def title(self) -> str:
        return CATALOG[self.id].title

    def check_module(self, ctx: ModuleContext) -> Iterable[Hit]:
        return ()

    def check_text(self, ctx: TextContext) -> Iterable[Hit]:
        return ()

    def check_project(self, project: ProjectContext) -> Iterable[Hit]:
        return ()

    # Set when ``check_project`` reads per-module facts through ``project.summary``.
    summarises: ClassVar[bool] = False

    def summarise(self, ctx: ModuleContext) -> object:
        """Plain, picklable facts about one module, computed from that module alone.

        Checks read them through ``ctx.project.summary(rule, module)`` instead of
        the module's tree. On a scan split over worker processes, each module's
        summary is computed by the process that parsed it and handed to the
        others with its imports, so a question about every module (what does
        each training module write?) parses nothing twice. In one process it
        is computed on first request. Return None for a module with nothing of
        interest. A summary must not look at other modules: they may not be
        loaded yet when it is computed.
        """
        return None

    # Set when ``precompute`` does something (the engine skips the call otherwise).
    precomputes: ClassVar[bool] = False

    def precompute(self, ctx: ModuleContext) -> None:
        """Work on one module that needs nothing but that module, cached on it for the checks.

        A worker process runs this for the modules it parsed while the other
        workers are still sending what they know about theirs, so time that
        would be spent waiting goes into analysis ``check_module`` needs
        anyway. It must not look at other modules (they are not there yet),
        and it must leave the results where ``check_module`` finds them.
        """

    def prepare(self) -> None:
        """Load what the checks import lazily, before the engine forks workers.

        A lazy import keeps small scans fast to start, but done after the fork
        every worker pays for it again; the engine calls this once, only when
        it is about to start workers.
        """

    def render_doc(self) -> str:
        """Plain-markdown documentation, as printed by ``mle-review rules ID``."""
        out = [
            f"# {self.id} {self.slug}",
            "",
            f"{self.title}. Default severity: `{self.severity.value}`, "
            f"confidence: `{self.confidence.value}`.",
            "",
        ]
        for attr, heading in RuleDoc.HEADINGS:
            value = getattr(self.doc, attr)
            out.append(f"## {heading}")
            out.append("")
            if attr == "references":
                out.extend(f"- {ref}" for ref in value) if value else out.append("None.")
            elif attr in ("example", "use_instead"):
                out.extend(["```python", value.strip("\n"), "```"])
            else:
                out.append(value.strip())
            out.append("")
        return "\n".join(out).rstrip() + "\n"


class RegistryError(Exception):
    pass


class Registry:
    """All known rules, keyed by ID. Refuses duplicates and catalogue mismatches."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> None:
        rid = rule.id
        if rid not in CATALOG:
            raise RegistryError(f"{rid} is not in the rule catalogue")
        if rid in self._rules:
            raise RegistryError(f"duplicate rule ID {rid}")
        for attr in ("message", "fix", "doc"):
            if not hasattr(rule, attr):
                raise RegistryError(f"{rid} lacks {attr}")
        self._rules[rid] = rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rid: object) -> bool:
        return rid in self._rules

    def get(self, key: str) -> Rule | None:
        """Look a rule up by ID (any case) or slug."""
        rid = SLUG_TO_ID.get(key, key.upper())
        return self._rules.get(rid)

    def ids(self) -> list[str]:
        return sorted(self._rules)


REGISTRY = Registry()


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: instantiate the rule and add it to the global registry."""
    REGISTRY.add(cls())
    return cls
