"""MLR204 notebook-state: results that depend on hidden notebook state, and pipelines that run notebooks."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mle_review.engine.context import ModuleContext, ProjectContext, dotted_name
from mle_review.engine.notebook import CodeCell, Notebook
from mle_review.rules._pipeline_common import (
    exploratory_globs,
    in_dirs,
    is_example_code,
    module_constants,
    walk_order,
)
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# Execution order matters for notebooks that compute data or model results.
_DATA_LIBRARIES = (
    "pandas",
    "numpy",
    "polars",
    "scipy",
    "sklearn",
    "torch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "statsmodels",
    "transformers",
    "datasets",
    "mlflow",
    "pyspark",
    "dask",
    "jax",
)
_NOTEBOOK_IMPORTERS = ("nbimporter", "import_ipynb", "ipynb", "importnb")
# Every importer name contains one of these, and an imported module name appears verbatim in
# ASCII source, so a module without them imports no hook.
_HOOK_WORDS = tuple(
    name
    for name in _NOTEBOOK_IMPORTERS
    if not any(o != name and o in name for o in _NOTEBOOK_IMPORTERS)
)
_RUNNERS = {
    "papermill.execute_notebook": "`papermill.execute_notebook`",
    "nbclient.execute": "`nbclient.execute`",
    "nbclient.NotebookClient": "`nbclient.NotebookClient`",
    "nbclient.client.NotebookClient": "`nbclient.NotebookClient`",
    "nbconvert.preprocessors.ExecutePreprocessor": "nbconvert's `ExecutePreprocessor`",
    "testbook.testbook": "`testbook`",
}
_SHELL_CALLS = re.compile(
    r"^(subprocess\.(run|call|check_call|check_output|Popen)|os\.(system|popen))$"
)
_SHELL_NOTEBOOK = re.compile(
    r"jupyter[\s\"',]+(nbconvert\b.*--execute|execute)\b|\bpapermill\s|runipy", re.S
)
_RUN_MAGIC = re.compile(r"^\s*%run\s+(?:-\w+\s+)*[\"']?([^\s\"']+)")
_DATABRICKS_RUN = re.compile(r"^\s*#\s*MAGIC\s+%run\s+[\"']?([^\s\"']+)")
_FILE_EXT = re.compile(
    r"\.(csv|tsv|parquet|pq|pkl|pickle|joblib|json|feather|arrow|h5|hdf5|hdf|npy|npz|pt|pth|onnx|xlsx|avro|orc|cbm|sav|model)$",
    re.I,
)
_WRITERS = frozenset(
    {
        "to_csv",
        "to_parquet",
        "to_pickle",
        "to_json",
        "to_feather",
        "to_excel",
        "to_hdf",
        "dump",
        "save",
        "savez",
        "savez_compressed",
        "save_model",
        "write_text",
        "write_bytes",
        "to_netcdf",
        "write_parquet",
        "write_csv",
    }
)
_READERS = frozenset(
    {
        "read_csv",
        "read_parquet",
        "read_pickle",
        "read_json",
        "read_feather",
        "read_excel",
        "read_hdf",
        "read_table",
        "load",
        "loadtxt",
        "load_model",
        "read_text",
        "read_bytes",
        "scan_parquet",
        "scan_csv",
        "load_dataset",
    }
)


@dataclass
class _FileUse:
    module: ModuleContext
    node: ast.AST
    basename: str


@register
class NotebookState(Rule):
    id = "MLR204"
    message = "result depends on hidden notebook state"
    fix = "Restart the kernel and run all cells before committing; move code the pipeline needs out of notebooks into modules."
    doc = RuleDoc(
        what_it_does=(
            "Reads notebooks as stored and the code around them:\n\n"
            "- a notebook that works with data or models (imports pandas, NumPy, scikit-learn, PyTorch...) whose executed code cells ran out of order, with gaps in the execution counts (cells "
            "re-run or deleted, or the first count above 1), or with an unexecuted cell before executed ones "
            "(one finding per notebook, on the first affected cell);\n"
            "- production code that runs or imports notebooks: `papermill.execute_notebook`, nbclient/nbconvert "
            "execution, `jupyter nbconvert --execute`/`papermill` through a shell, `dbutils.notebook.run`, "
            "`%run` of another notebook (also `# MAGIC %run` in Databricks source files), and notebook import "
            "hooks (`nbimporter`, `import_ipynb`, `ipynb.fs`, `importnb`);\n"
            "- production code that reads a file (`read_csv`, `read_parquet`, `joblib.load`...) that only a "
            "notebook in the scan writes.\n\n"
            "Notebooks in exploratory folders (`notebooks/`, `docs/`, `examples/`, `research/`, `scratch/`... "
            "configurable) are skipped unless production code refers to them by name; notebooks with no executed "
            "cell are never reported, nor is anything in tests."
        ),
        why_it_matters=(
            "A notebook's outputs are evidence only if a top-to-bottom run reproduces them. Out-of-order or "
            "re-run cells mean the numbers in the saved outputs came from a kernel state nobody can recreate: "
            "variables defined by deleted cells, data loaded twice, a model trained on an earlier version of the "
            "features. When a pipeline executes or imports notebooks, or reads a file that only a notebook "
            "writes, production depends on that state and on whoever last ran the notebook by hand; it cannot be "
            "tested, reviewed as code, or rebuilt from the repository."
        ),
        example=(
            "# pipelines/daily.py\n"
            "import papermill as pm\n\n"
            'pm.execute_notebook("notebooks/build_features.ipynb", "out/build_features.ipynb")\n'
            'features = pd.read_parquet("data/features.parquet")  # written only by that notebook\n'
        ),
        use_instead=(
            "# pipelines/daily.py\n"
            "from churn.features import build_features\n\n"
            "features = build_features(raw)\n"
            "features.to_parquet(paths.features)\n"
        ),
        options=(
            "`rule-options.MLR204.exploratory-dirs`: folder names whose notebooks are exploratory "
            "(default: notebooks, nbs, docs, examples, tutorials, exploration, research, scratch, sandbox)."
        ),
        references=(
            "Pimentel et al. (2019), 'A Large-scale Study about Quality and Reproducibility of Jupyter Notebooks': "
            "out-of-order and skipped cells are a leading cause of notebooks that do not reproduce",
            "Jupyter 'Restart & Run All' and nbconvert `--execute` for clean, ordered outputs",
        ),
    )

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.is_test:
            return
        exploratory = in_dirs(ctx.path, self._dirs(ctx), ctx.project) or is_example_code(ctx)
        if ctx.notebook is not None:
            if exploratory and not _referenced_by_production(ctx, self._dirs(ctx)):
                return
            if ctx.imports.imports_any(*_DATA_LIBRARIES):
                yield from self._execution_order(ctx, ctx.notebook)
            yield from self._run_magics(ctx, ctx.notebook)
        elif exploratory:
            return
        yield from self._runs_notebooks(ctx)

    def check_project(self, project: ProjectContext) -> Iterator[Hit]:
        # Only a file some notebook writes can be reported, so look at code only when one exists.
        notebook_writes: dict[str, _FileUse] = {}
        for module in project.modules:
            if module.notebook is not None and not module.is_test:
                for use in _file_uses(module, _WRITERS):
                    notebook_writes.setdefault(use.basename, use)
        if not notebook_writes:
            return
        code_writes: set[str] = set()
        reads: list[_FileUse] = []
        for module in project.modules:
            if module.is_test or module.notebook is not None:
                continue
            for use in _file_uses(module, _WRITERS):
                code_writes.add(use.basename)
            if not in_dirs(module.path, self._dirs(module), module.project) and not is_example_code(
                module
            ):
                reads.extend(_file_uses(module, _READERS))
        for read in reads:
            writer = notebook_writes.get(read.basename)
            if writer is None or read.basename in code_writes:
                continue
            nb = writer.module.notebook
            assert nb is not None
            write_line = nb.to_file_line(getattr(writer.node, "lineno", 1))[0]
            hit = Hit.at(
                read.node,
                f"reads `{read.basename}`, which only the notebook `{writer.module.path}` writes: production "
                "depends on whoever last ran that notebook, in whatever state",
                fix=(
                    f"Move the code that produces `{read.basename}` from `{writer.module.path}` into a module "
                    "the pipeline calls (or a pipeline step), and have the notebook import it."
                ),
            )
            hit.path = read.module.path
            hit.related.append(
                (writer.module.path, write_line, f"`{read.basename}` is written here")
            )
            yield hit

    @staticmethod
    def _dirs(ctx: ModuleContext) -> frozenset[str]:
        return exploratory_globs(ctx.config.rule_options.get("MLR204"))

    # -- the notebook itself --------------------------------------------------------------

    def _execution_order(self, ctx: ModuleContext, nb: Notebook) -> Iterator[Hit]:
        cells = [c for c in nb.cells if any(line.strip() for line in c.source_lines)]
        executed = [c for c in cells if c.execution_count is not None]
        if not executed:
            return
        last_executed = executed[-1].index
        problems: list[tuple[CodeCell, str]] = []
        previous: int | None = None
        for cell in cells:
            count = cell.execution_count
            if count is None:
                if cell.index < last_executed:
                    problems.append((cell, "a cell above executed ones was never run"))
                continue
            if previous is not None and count <= previous:
                problems.append((cell, "cells ran out of order"))
            elif count > (previous or 0) + 1:
                problems.append((cell, "execution counts have gaps (cells re-run or deleted)"))
            previous = count
        if not problems:
            return
        line = _first_code_line(ctx, nb, problems[0][0].index)
        if line is None:
            return
        kinds = list(dict.fromkeys(reason for _, reason in problems))
        counts = [("-" if c.execution_count is None else str(c.execution_count)) for c in cells]
        shown = ", ".join(counts[:20]) + (", ..." if len(counts) > 20 else "")
        yield Hit(
            line=line,
            message=(
                f"notebook state is not reproducible: {'; '.join(kinds)}, starting at this cell (execution "
                f"counts in cell order: {shown}); the saved outputs came from a kernel state a top-to-bottom "
                "run does not recreate"
            ),
            fix="Restart the kernel and run all cells (or `jupyter nbconvert --to notebook --execute --inplace`) before committing.",
        )

    def _run_magics(self, ctx: ModuleContext, nb: Notebook) -> Iterator[Hit]:
        for mline in sorted(nb.magic_lines):
            text = _original_line(nb, mline)
            m = _RUN_MAGIC.match(text)
            if m and _is_notebook_target(m.group(1)):
                yield Hit(
                    line=mline,
                    message=f"`%run {m.group(1)}` executes another notebook inside this pipeline notebook, sharing its hidden state",
                    fix="Import the needed functions from a Python module instead of running a notebook.",
                )

    # -- production code that runs notebooks ------------------------------------------------

    def _runs_notebooks(self, ctx: ModuleContext) -> Iterator[Hit]:
        hooks: list[tuple[ast.Import | ast.ImportFrom, str]] = []
        import_nodes: list[ast.Import | ast.ImportFrom] = []
        source = ctx.source
        if not source.isascii() or any(word in source for word in _HOOK_WORDS):
            import_nodes = [*ctx.nodes(ast.Import), *ctx.nodes(ast.ImportFrom)]
        for node in import_nodes:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            hook = next((n for n in names if n.split(".")[0] in _NOTEBOOK_IMPORTERS), None)
            if hook is not None:
                hooks.append((node, hook))
        if len(hooks) > 1:  # the order a tree walk meets them in, as always reported
            hooks.sort(key=lambda pair: walk_order(ctx, pair[0]))
        # With a hook installed, the statements that import a notebook of the scan are where
        # production starts to depend on it; the hook import is reported only when none is found.
        notebook_imports = _notebook_imports(ctx, import_nodes) if hooks else []
        for node, notebook in notebook_imports:
            yield Hit.at(
                node,
                f"imports the notebook `{notebook}` as a module (through `{hooks[0][1]}`): production code "
                "then depends on notebook cells, their order and their side effects",
                fix="Move the shared code into a `.py` module and import that from both the notebook and the pipeline.",
            )
        for node, name in hooks if not notebook_imports else []:
            yield Hit.at(
                node,
                f"imports `{name}`, a hook that imports notebooks as modules: production code then "
                "depends on notebook cells, their order and their side effects",
                fix="Move the shared code into a `.py` module and import that from both the notebook and the pipeline.",
            )
        checks = _RunnerChecks(ctx)
        if checks.any:
            for call in ctx.calls:
                what = self._runner(ctx, call, checks)
                if what is None:
                    continue
                yield Hit.at(
                    call,
                    f"{what} runs a notebook as a pipeline step: the step's behaviour lives in cells that are not "
                    "reviewed, tested or imported like code",
                    fix="Turn the notebook into a module with a function the pipeline calls; keep the notebook as a thin report that imports it.",
                )
        if (
            ctx.notebook is None
            and ctx.source.startswith("# Databricks notebook source")
            and ctx.lines
            and ctx.lines[0].startswith("# Databricks notebook source")
        ):
            for number, text in enumerate(ctx.lines, start=1):
                m = _DATABRICKS_RUN.match(text)
                if m:
                    yield Hit(
                        line=number,
                        message=f"`%run {m.group(1)}` pulls another notebook's state into this job",
                        fix="Package the shared code as a library or module and import it instead of `%run`.",
                    )

    def _runner(self, ctx: ModuleContext, call: ast.Call, checks: _RunnerChecks) -> str | None:
        # Each test below can only match when its module-level precondition holds.
        qual = (ctx.qualname(call) or "") if checks.qualified else ""
        if qual in _RUNNERS:
            return _RUNNERS[qual]
        name = (dotted_name(call.func) or "") if checks.named else ""
        if name.endswith("dbutils.notebook.run"):
            return "`dbutils.notebook.run`"
        if name.endswith(("run_line_magic", "magic")) and call.args:
            first = call.args[0]
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and first.value.split()[:1] == ["run"]
            ):
                return "`%run` through IPython"
        if _SHELL_CALLS.search(qual):
            text = " ".join(
                n.value
                for a in call.args
                for n in ast.walk(a)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            )
            if _SHELL_NOTEBOOK.search(text):
                return "a shell call to jupyter/papermill"
        return None


class _RunnerChecks:
    """Which notebook-runner patterns a module could contain at all (decided once per module).

    A runner from ``_RUNNERS`` or a shell call resolves through an import of its
    package; the ``dbutils``/``magic`` names are identifiers, which appear
    verbatim in ASCII source (non-ASCII source is not prefiltered, since
    identifiers are NFKC-normalised).
    """

    def __init__(self, ctx: ModuleContext) -> None:
        # the packages are top-level names, so "imports one of them" is a set test on the
        # imported modules' first segments (what ``imports_any`` checks one by one)
        tops = {module.partition(".")[0] for module in ctx.imports.modules}
        runner_import = not tops.isdisjoint(_RUNNER_PACKAGES)
        self.shell = "subprocess" in tops or "os" in tops
        self.qualified = runner_import or self.shell
        ascii_source = ctx.source.isascii()
        self.named = not ascii_source or "dbutils" in ctx.source or "magic" in ctx.source
        self.any = self.qualified or self.named


_RUNNER_PACKAGES = tuple(sorted({key.split(".")[0] for key in _RUNNERS}))


def _module_lines_of_cell(nb: Notebook, cell_index: int) -> list[int]:
    return sorted(line for line, (cell, _) in nb.line_map.items() if cell == cell_index)


def _first_code_line(ctx: ModuleContext, nb: Notebook, cell_index: int) -> int | None:
    """The first line of the cell that is code (not blank, a comment, or a neutralised magic)."""
    lines = _module_lines_of_cell(nb, cell_index)
    for line in lines:
        text = ctx.line_text(line).strip()
        if text and not text.startswith("#") and line not in nb.magic_lines:
            return line
    return lines[0] if lines else None


def _original_line(nb: Notebook, module_line: int) -> str:
    entry = nb.line_map.get(module_line)
    if entry is None:
        return ""
    cell_index = entry[0]
    lines = _module_lines_of_cell(nb, cell_index)
    cell = next((c for c in nb.cells if c.index == cell_index), None)
    if cell is None or module_line not in lines:
        return ""
    offset = lines.index(module_line)
    return cell.source_lines[offset] if offset < len(cell.source_lines) else ""


def _is_notebook_target(target: str) -> bool:
    name = PurePosixPath(target).name
    return name.endswith(".ipynb") or "." not in name


def _notebook_imports(
    ctx: ModuleContext, nodes: list[ast.Import | ast.ImportFrom]
) -> list[tuple[ast.Import | ast.ImportFrom, str]]:
    """Import statements whose module resolves to a notebook of the scan (``from pipelines
    import explore`` with ``pipelines/explore.ipynb`` present), with that notebook's path;
    relative imports resolve against the importing file's folder."""
    notebooks = [m.path for m in ctx.project.modules if m.notebook is not None]
    if not notebooks:
        return []
    here = PurePosixPath(ctx.path).parent.parts
    found: list[tuple[ast.Import | ast.ImportFrom, str]] = []
    for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
        dotted: list[str] = []
        if isinstance(node, ast.Import):
            dotted = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                up = here[: len(here) - (node.level - 1)] if node.level - 1 <= len(here) else ()
                base = ".".join([*up, *([base] if base else [])])
            dotted = [base, *(f"{base}.{a.name}" if base else a.name for a in node.names)]
        for name in dotted:
            if not name or name.split(".")[0] in _NOTEBOOK_IMPORTERS:
                continue
            suffix = name.replace(".", "/") + ".ipynb"
            match = next((p for p in notebooks if p == suffix or p.endswith("/" + suffix)), None)
            if match is not None:
                found.append((node, match))
                break
    return found


def _referenced_by_production(ctx: ModuleContext, dirs: frozenset[str]) -> bool:
    name = PurePosixPath(ctx.path).name
    stem = PurePosixPath(ctx.path).stem
    for other in ctx.project.modules:
        if other is ctx or other.is_test or in_dirs(other.path, dirs, other.project):
            continue
        if name in other.source or (
            other.notebook is None and re.search(rf"%run\s+\S*{re.escape(stem)}\b", other.source)
        ):
            return True
    return False


def _file_uses(module: ModuleContext, methods: frozenset[str]) -> Iterator[_FileUse]:
    """Calls of ``methods`` (or ``open`` in the matching mode) with a literal file name among their arguments."""
    constants = module_constants(module.tree)
    writing = methods is _WRITERS
    for call in module.calls:
        name = dotted_name(call.func) or ""
        last = name.rsplit(".", 1)[-1]
        parts: list[ast.AST] = []
        if last == "open" and name in ("open", "io.open"):
            mode = (
                call.args[1]
                if len(call.args) > 1
                else next((k.value for k in call.keywords if k.arg == "mode"), None)
            )
            mode_text = (
                mode.value
                if isinstance(mode, ast.Constant) and isinstance(mode.value, str)
                else "r"
            )
            if any(c in mode_text for c in "wax") != writing:
                continue
            parts = list(call.args[:1])
        elif last in methods:
            parts = [*call.args, *(k.value for k in call.keywords)]
            if isinstance(call.func, ast.Attribute):
                parts.append(call.func.value)
        else:
            continue
        for basename in _basenames(parts, constants):
            yield _FileUse(module, call, basename)


def _basenames(parts: list[ast.AST], constants: dict[str, ast.expr]) -> set[str]:
    found: set[str] = set()
    for part in parts:
        for node in ast.walk(part):
            value: ast.AST = node
            if isinstance(node, ast.Name) and node.id in constants:
                value = constants[node.id]
            for sub in ast.walk(value):
                if (
                    isinstance(sub, ast.Constant)
                    and isinstance(sub.value, str)
                    and _FILE_EXT.search(sub.value)
                ):
                    found.add(PurePosixPath(sub.value).name)
    return found
