"""Parsed context handed to rules: one per file, plus one for the whole project.

A module is parsed once; rules share its AST, import table, parent links and
role. Nothing here imports or executes the code under review.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property, lru_cache
from pathlib import PurePosixPath
from typing import Protocol, TypeVar

from mle_review.config import Config, path_matches
from mle_review.engine.astutil import statement_list_fields
from mle_review.engine.deps import Requirement
from mle_review.engine.notebook import Notebook


class SummarisingRule(Protocol):
    """What ``ProjectContext.summary`` needs of a rule (``rules.base.Rule`` has it)."""

    @property
    def id(self) -> str: ...

    def summarise(self, ctx: ModuleContext) -> object: ...


class Role(str, Enum):
    TRAINING = "training"
    SERVING = "serving"
    EVALUATION = "evaluation"
    TEST = "test"
    OTHER = "other"


# --- import alias resolution ------------------------------------------------


@lru_cache(maxsize=256)
def _prefix_set(prefixes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(prefixes)


class ImportMap:
    """Local name -> fully qualified name, from every import in the module.

    ``import joblib as jl`` maps ``jl`` to ``joblib``; ``from pickle import
    loads`` maps ``loads`` to ``pickle.loads``; ``import os.path`` maps ``os``.
    Imports anywhere in the module count (notebooks import inside cells and
    functions); a later import of the same name wins, which is what runs.
    """

    def __init__(self, tree: ast.AST, nodes: Sequence[ast.AST] | None = None) -> None:
        # ``nodes``: the module's import statements in source order (found here if not given)
        self.names: dict[str, str] = {}
        self.modules: set[str] = set()
        if nodes is None:
            nodes = _import_statements(tree)
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules.add(alias.name)
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                self.modules.add(node.module)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def imports_any(self, *prefixes: str) -> bool:
        """True when some imported module is one of ``prefixes`` or inside one."""
        wanted = _prefix_set(prefixes)
        return not wanted.isdisjoint(self._enclosing_packages())

    def _enclosing_packages(self) -> set[str]:
        """Every imported module and each package it sits in (``a.b.c`` -> a, a.b, a.b.c)."""
        found = self.__dict__.get("_packages")
        if found is None:
            found = set()
            for module in self.modules:
                parts = module.split(".")
                found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            self.__dict__["_packages"] = found
        return found


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for Name/Attribute chains, else None (no resolution)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


# --- roles --------------------------------------------------------------------

_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*$|_test\.py$|(^|/)conftest\.py$")
_SERVING_PATH = re.compile(
    r"(^|/)(serv(e|er|ing)|api|apis|app|inference|infer|endpoints?|handlers?|deploy(ment)?|predictor|scoring|online)"
    r"(/|[._-][^/]*$|\.py$)|(^|/)(predict|score|batch_score|lambda_function|main)\.py$",
)
_TRAINING_PATH = re.compile(
    r"(^|/)(train(ing|er)?|fit|pipelines?|experiments?|models?)(/|[._-][^/]*$|\.py$)"
)
_EVAL_PATH = re.compile(
    r"(^|/)(eval(uate|uation)?|metrics|validation|promot(e|ion)|gates?|benchmark)(/|[._-][^/]*$|\.py$)"
)
_SERVING_IMPORTS = (
    "fastapi",
    "flask",
    "starlette",
    "bentoml",
    "ray.serve",
    "kserve",
    "seldon_core",
    "ts.torch_handler",
    "litserve",
    "django.http",
    "aiohttp.web",
    "sanic",
    "grpc",
    "mangum",
)
_ML_IMPORTS = (
    "sklearn",
    "torch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "transformers",
    "statsmodels",
    "imblearn",
    "pytorch_lightning",
    "lightning",
)
# A fit or training step: one of these method calls, or ``train_test_split(``.
_FIT_CALL = re.compile(r"\.(?:fit|fit_transform|fit_resample|train|backward)\s*\(")
# An evaluation: one of these metric names as a whole word.
_EVAL_NAMES = (
    "accuracy_score",
    "roc_auc_score",
    "f1_score",
    "precision_score",
    "recall_score",
    "classification_report",
    "confusion_matrix",
    "mean_squared_error",
    "r2_score",
    "log_loss",
    "average_precision_score",
)

# Literals every match of the patterns above contains: a substring test runs in C
# and rules out most files before the (much slower) regular expression runs.
_FIT_WORDS = (".fit", ".train", "train_test_split", ".backward")
_EVAL_WORDS = (
    "_score",
    "classification_report",
    "confusion_matrix",
    "mean_squared_error",
    "log_loss",
)
_LAMBDA_HANDLER = re.compile(r"def\s+lambda_handler\s*\(|def\s+handler\s*\(\s*event\s*,\s*context")


def _mentions_any(source: str, words: tuple[str, ...]) -> bool:
    return any(w in source for w in words)


# A pattern that starts with ``\b`` has no literal prefix for ``re`` to scan for, so it is
# tried at every position of a file: the two helpers below find the word with ``str.find``
# and test only where it occurs (roles and prefilters ask this of every file).


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what ``\w`` matches in a str pattern


def has_word(text: str, word: str) -> bool:
    """What ``re.search(rf"\b{word}\b", text)`` answers, for a word of word characters."""
    end_of_text = len(text)
    pos = text.find(word)
    while pos >= 0:
        end = pos + len(word)
        if (pos == 0 or not _word_char(text[pos - 1])) and (
            end == end_of_text or not _word_char(text[end])
        ):
            return True
        pos = text.find(word, pos + 1)
    return False


_OPEN_PAREN = re.compile(r"\s*\(")


def has_call_text(text: str, name: str) -> bool:
    """What ``re.search(rf"\b{name}\\s*\\(", text)`` answers: ``name`` spelled as a call."""
    pos = text.find(name)
    while pos >= 0:
        if (pos == 0 or not _word_char(text[pos - 1])) and _OPEN_PAREN.match(text, pos + len(name)):
            return True
        pos = text.find(name, pos + 1)
    return False


def detect_roles(
    path: str, source: str, imports: ImportMap | None, config: Config
) -> frozenset[Role]:
    """Decide which pipeline roles a file plays. Config globs override heuristics."""
    configured = {
        Role.TRAINING: config.roles.training,
        Role.SERVING: config.roles.serving,
        Role.EVALUATION: config.roles.evaluation,
        Role.TEST: config.roles.test,
    }
    explicit = {
        role for role, globs in configured.items() if any(path_matches(path, g) for g in globs)
    }
    if explicit:
        return frozenset(explicit)
    if _TEST_PATH.search(path):
        return frozenset({Role.TEST})
    roles: set[Role] = set()
    lower = path.lower()
    if _SERVING_PATH.search(lower) or (
        imports is not None and imports.imports_any(*_SERVING_IMPORTS)
    ):
        roles.add(Role.SERVING)
    if "handler" in source and _LAMBDA_HANDLER.search(source):
        roles.add(Role.SERVING)
    if _TRAINING_PATH.search(lower):
        roles.add(Role.TRAINING)
    if _EVAL_PATH.search(lower):
        roles.add(Role.EVALUATION)
    ml = imports is not None and imports.imports_any(*_ML_IMPORTS)
    if (
        ml
        and _mentions_any(source, _FIT_WORDS)
        and (_FIT_CALL.search(source) or has_call_text(source, "train_test_split"))
    ):
        roles.add(Role.TRAINING)
    if (
        ml
        and _mentions_any(source, _EVAL_WORDS)
        and any(has_word(source, name) for name in _EVAL_NAMES)
    ):
        roles.add(Role.EVALUATION)
    if path.endswith(".ipynb") and ml:
        roles.update({Role.TRAINING, Role.EVALUATION})
    return frozenset(roles or {Role.OTHER})


# --- contexts -------------------------------------------------------------------

_N = TypeVar("_N", bound=ast.AST)


# Fields that never hold a node worth indexing: names and flags are strings or
# numbers, and ``ctx``/``op``/``ops`` hold shared singletons (Load(), Add(), Eq())
# that are a third of all nodes yet never queried.
_SKIP_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "id",
        "attr",
        "arg",
        "module",
        "level",
        "kind",
        "type_comment",
        "name",
        "asname",
        "conversion",
        "is_async",
        "simple",
        "lineno",
        "col_offset",
    }
)
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _SKIP_FIELDS)
    return fields


def _index_tree(tree: ast.AST) -> tuple[dict[type[ast.AST], list[ast.AST]], dict[ast.AST, ast.AST]]:
    """One pass over the tree: nodes grouped by type, and child -> parent links.

    Every name the loop uses is local and the per-class field lists are read
    from their dict directly: this loop visits every node of every module.
    Names and constants (three nodes in ten) have no children, so they are
    filed when their parent is visited instead of going through the stack;
    the lists of those two types are therefore not in visiting order, which
    no caller relies on (the other lists are).
    """
    names: list[ast.AST] = []
    constants: list[ast.AST] = []
    by_type: dict[type[ast.AST], list[ast.AST]] = {ast.Name: names, ast.Constant: constants}
    parents: dict[ast.AST, ast.AST] = {}
    stack: list[ast.AST] = [tree]
    pop, push = stack.pop, stack.append
    add_name, add_constant = names.append, constants.append
    name_type, constant_type = ast.Name, ast.Constant
    node_type = ast.AST
    list_type = list
    fields_of = _CHILD_FIELDS
    while stack:
        node = pop()
        kind = node.__class__
        bucket = by_type.get(kind)
        if bucket is None:
            by_type[kind] = [node]
        else:
            bucket.append(node)
        fields = fields_of.get(kind)
        if fields is None:
            fields = _child_fields(kind)
        for name in fields:
            value = getattr(node, name, None)
            for item in value if value.__class__ is list_type else (value,):
                if isinstance(item, node_type):
                    parents[item] = node
                    child = item.__class__
                    if child is name_type:
                        add_name(item)
                    elif child is constant_type:
                        add_constant(item)
                    else:
                        push(item)
    if not names:
        del by_type[ast.Name]
    if not constants:
        del by_type[ast.Constant]
    return by_type, parents


def _import_statements(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in source order, by a walk over statement lists only."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
            continue
        for name in statement_list_fields(node.__class__):
            value = getattr(node, name, None)
            if value.__class__ is list:
                stack.extend(value)
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found


@dataclass(eq=False)
class ModuleContext:
    """A parsed Python file or notebook."""

    path: str  # root-relative, '/' separators
    source: str
    tree: ast.Module
    config: Config
    project: ProjectContext
    notebook: Notebook | None = None
    roles: frozenset[Role] = frozenset({Role.OTHER})
    imports: ImportMap = field(init=False)
    # Import statements in source order; project-wide questions (what a module
    # imports) read these without indexing the module's whole tree.
    import_nodes: list[ast.Import | ast.ImportFrom] = field(init=False, repr=False)
    _index: tuple[dict[type[ast.AST], list[ast.AST]], dict[ast.AST, ast.AST]] | None = field(
        init=False, repr=False, default=None
    )

    def __post_init__(self) -> None:
        self.import_nodes = _import_statements(self.tree)
        self.imports = ImportMap(self.tree, self.import_nodes)

    def _indexed(self) -> tuple[dict[type[ast.AST], list[ast.AST]], dict[ast.AST, ast.AST]]:
        # Built on first use rather than at load time: when rules run in worker
        # processes, each worker then indexes the modules it analyses in parallel
        # instead of the parent indexing every module before the fork.
        if self._index is None:
            self._index = _index_tree(self.tree)
        return self._index

    @property
    def indexed(self) -> bool:
        """Whether the node index exists yet: questions it answers cheaply can then use it."""
        return self._index is not None

    @property
    def parents(self) -> dict[ast.AST, ast.AST]:
        """Child -> parent links for every node, from the one indexing walk."""
        return self._indexed()[1]

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    def nodes(self, kind: type[_N]) -> list[_N]:
        """All nodes of one AST type, from the single indexing walk of the module.

        Rules should use this (or ``calls``) instead of walking the tree again:
        a tree walk in Python costs about as much as parsing the file.
        """
        return self._indexed()[0].get(kind, [])  # type: ignore[return-value]

    @cached_property
    def calls(self) -> list[ast.Call]:
        """Every call in source order; most rules start here."""
        return sorted(self.nodes(ast.Call), key=lambda n: (n.lineno, n.col_offset))

    @cached_property
    def functions(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        found: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
            *self.nodes(ast.FunctionDef),
            *self.nodes(ast.AsyncFunctionDef),
        ]
        return sorted(found, key=lambda n: n.lineno)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_test(self) -> bool:
        return Role.TEST in self.roles

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def qualname(self, node: ast.AST) -> str | None:
        """Fully qualified name of a Name/Attribute/Call target via the import table.

        ``jl.load`` -> ``joblib.load`` when ``import joblib as jl``. Returns None
        when the chain does not start at an imported name (e.g. ``df.fillna``).
        """
        if isinstance(node, ast.Call):
            node = node.func
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.imports.names.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def call_name(self, call: ast.Call) -> str | None:
        """Qualified name when resolvable, else the dotted text (``df.fillna``)."""
        return self.qualname(call) or dotted_name(call.func)

    def enclosing(self, node: ast.AST, kinds: tuple[type[ast.AST], ...]) -> ast.AST | None:
        cur = self.parents.get(node)
        while cur is not None and not isinstance(cur, kinds):
            cur = self.parents.get(cur)
        return cur

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        found = self.enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        return found if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


@dataclass(eq=False)
class TextContext:
    """A dependency or configuration file, analysed as text."""

    path: str
    text: str
    config: Config
    project: ProjectContext
    requirements: list[Requirement] | None = None  # set for dependency files
    notebook: Notebook | None = None  # set when scanning a notebook's raw JSON

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass(eq=False)
class ProjectContext:
    """Facts about the whole scan: all files, dependency pins, lock files."""

    root: str
    config: Config
    modules: list[ModuleContext] = field(default_factory=list)
    texts: list[TextContext] = field(default_factory=list)
    # directory (root-relative, '' for root) -> requirements declared there
    requirements_by_dir: dict[str, list[Requirement]] = field(default_factory=dict)
    lock_dirs: set[str] = field(default_factory=set)
    locked_by_dir: dict[str, dict[str, tuple[int, ...]]] = field(default_factory=dict)
    # rule ID -> module path -> that rule's per-module summary (see ``Rule.summarise``)
    summaries: dict[str, dict[str, object]] = field(default_factory=dict)

    def summary(self, rule: SummarisingRule, module: ModuleContext) -> object:
        """``rule.summarise(module)``, computed once: here, or by the process that parsed it."""
        store = self.summaries.setdefault(rule.id, {})
        if module.path not in store:
            store[module.path] = rule.summarise(module)
        return store[module.path]

    @cached_property
    def top_level_functions(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        """Module-level functions of every non-test module, by name (first definition wins).

        Built once per scan so rules that follow a call into another module
        do a dictionary lookup instead of scanning every module per call.
        """
        index: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for module in self.modules:
            if module.is_test:
                continue
            for stmt in module.tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    index.setdefault(stmt.name, stmt)
        return index

    @staticmethod
    def _ancestors(path: str) -> Iterator[str]:
        parent = PurePosixPath(path).parent
        while True:
            yield "" if str(parent) == "." else str(parent)
            if str(parent) in (".", ""):
                return
            parent = parent.parent

    def has_lock_file(self, path: str) -> bool:
        """True when ``path``'s folder or an ancestor up to the root holds a lock file."""
        return any(d in self.lock_dirs for d in self._ancestors(path))

    def package_lower_bound(self, path: str, package: str) -> tuple[int, ...] | bool | None:
        """Lowest version of ``package`` the nearest project allows.

        Returns a version tuple, ``None`` when the package is declared without
        a lower bound, or ``False`` when no dependency file near ``path``
        declares it at all.
        """
        for d in self._ancestors(path):
            locked = self.locked_by_dir.get(d, {})
            if package in locked:
                return locked[package]
            for req in self.requirements_by_dir.get(d, []):
                if req.name == package:
                    return req.lower_bound()
        return False
