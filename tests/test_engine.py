"""Engine internals: import resolution, notebooks, roles, fingerprints, the registry, discovery."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from mle_review.config import Config
from mle_review.engine.context import (
    ImportMap,
    ModuleContext,
    ProjectContext,
    _index_tree,
    has_call_text,
    has_word,
)
from mle_review.engine.notebook import load_notebook
from mle_review.engine.runner import scan_paths
from mle_review.rules.base import Registry, RegistryError, Rule, RuleDoc


def _ctx(src: str, path: str = "m.py") -> ModuleContext:
    cfg = Config()
    return ModuleContext(
        path=path,
        source=src,
        tree=ast.parse(src),
        config=cfg,
        project=ProjectContext(root=".", config=cfg),
    )


def test_import_alias_resolution() -> None:
    ctx = _ctx(
        "import joblib as jl\nfrom pickle import loads\nimport os.path\nimport numpy as np\n"
        "from torch import load as tload\n"
        "jl.load(p)\nloads(b)\nos.path.join(a)\nnp.random.seed(1)\ntload(f)\ndf.fillna(0)\n"
    )
    names = [ctx.qualname(c) for c in ctx.calls]
    assert names == [
        "joblib.load",
        "pickle.loads",
        "os.path.join",
        "numpy.random.seed",
        "torch.load",
        None,
    ]
    assert ctx.call_name(ctx.calls[-1]) == "df.fillna"
    assert ImportMap(ast.parse("from . import x\n")).names == {}


def test_notebook_magics_and_line_mapping() -> None:
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# t\n"]},
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "outputs": [],
                "source": [
                    "%load_ext autoreload\n",
                    "files = !ls data\n",
                    "import pandas as pd\n",
                    "for f in files:\n",
                    "    !echo $f\n",
                    "pd.read_csv?\n",
                    "x = 1",
                ],
            },
            {
                "cell_type": "code",
                "execution_count": 2,
                "metadata": {},
                "outputs": [],
                "source": ["%%bash\n", "rm -rf /\n"],
            },
            {
                "cell_type": "code",
                "execution_count": 3,
                "metadata": {},
                "outputs": [],
                "source": "y = x + 1\nz = y",
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    raw = json.dumps(nb, indent=1)
    book = load_notebook(raw)
    ast.parse(book.source)  # magics neutralised into valid Python
    raw_lines = raw.splitlines()
    lines = book.source.splitlines()
    x_line = lines.index("x = 1") + 1
    file_line, cell = book.to_file_line(x_line)
    assert cell == 1 and '"x = 1"' in raw_lines[file_line - 1]
    y_line = lines.index("y = x + 1") + 1
    file_line, cell = book.to_file_line(y_line)
    assert cell == 3 and "y = x + 1" in raw_lines[file_line - 1]
    assert "rm -rf" not in book.source


def test_fingerprint_survives_edits_above(tmp_path: Path) -> None:
    src = "import pickle\n\ndef load(fh):\n    return pickle.load(fh)\n"
    (tmp_path / "a.py").write_text(src)
    before = scan_paths([tmp_path], tmp_path, Config()).findings
    (tmp_path / "a.py").write_text("# a new header comment\nimport os\n" + src)
    after = scan_paths([tmp_path], tmp_path, Config()).findings
    assert before[0].line != after[0].line
    assert before[0].fingerprint == after[0].fingerprint
    (tmp_path / "a.py").write_text(src + "\ndef again(fh):\n    return pickle.load(fh)\n")
    twice = scan_paths([tmp_path], tmp_path, Config()).findings
    assert len({f.fingerprint for f in twice}) == 2


def test_registry_refuses_duplicates_and_unknown_ids() -> None:
    doc = RuleDoc("a", "b", "c", "d")

    class Dup(Rule):
        id = "MLR301"
        message = "m"
        fix = "f"

    Dup.doc = doc
    reg = Registry()
    reg.add(Dup())
    with pytest.raises(RegistryError, match="duplicate"):
        reg.add(Dup())

    class Unknown(Rule):
        id = "MLR999"
        message = "m"
        fix = "f"

    Unknown.doc = doc
    with pytest.raises(RegistryError, match="catalogue"):
        reg.add(Unknown())


def test_registered_rules_match_the_catalogue() -> None:
    from mle_review.rules import load_all
    from mle_review.rules.catalog import CATALOG

    for rule in load_all():
        entry = CATALOG[rule.id]
        assert (rule.slug, rule.severity) == (entry.slug, entry.severity)
        for attr, _heading in RuleDoc.HEADINGS:
            assert getattr(rule.doc, attr), f"{rule.id} doc lacks {attr}"


def test_catalogue_matches_shared_spec() -> None:
    spec = Path(__file__).resolve().parents[2] / "shared" / "spec" / "rules.md"
    if not spec.exists():
        pytest.skip("shared/spec not beside this checkout")
    import re

    from mle_review.rules.catalog import CATALOG

    rows = dict(re.findall(r"^\| (MLR\d{3}) \| ([a-z0-9-]+) \|", spec.read_text(), re.M))
    for rid, slug in rows.items():
        assert CATALOG[rid].slug == slug


def test_discovery_honours_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n*.tmp.py\n")
    for rel in [
        "a.py",
        "generated/b.py",
        "c.tmp.py",
        "sub/d.py",
        ".venv/e.py",
        "sub/notes.txt",
        "config.yaml",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    (tmp_path / "sub" / ".gitignore").write_text("d.py\n")
    report = scan_paths([tmp_path], tmp_path, Config())
    assert report.stats.files_analyzed == 2  # a.py and config.yaml


def test_requirements_folder_files_are_dependency_files() -> None:
    from mle_review.engine.files import FileKind, classify

    assert classify("requirements/prod.txt") == FileKind.DEPENDENCY
    assert classify("requirements-dev.txt") == FileKind.DEPENDENCY
    assert classify("docs/notes.txt") is None
    assert classify("uv.lock") == FileKind.LOCK


def test_notebook_last_line_with_trailing_newline_maps_to_its_own_line() -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "metadata": {},
                "outputs": [],
                "source": ["a = 1\n", "b = 2\n"],
            },
            {
                "cell_type": "code",
                "execution_count": 2,
                "metadata": {},
                "outputs": [],
                "source": ["c = 3\n"],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    raw = json.dumps(nb, indent=1)
    book = load_notebook(raw)
    raw_lines = raw.splitlines()
    lines = book.source.splitlines()
    for text in ("a = 1", "b = 2", "c = 3"):
        file_line, _cell = book.to_file_line(lines.index(text) + 1)
        assert f'"{text}\\n"' in raw_lines[file_line - 1]


def test_the_node_index_holds_every_node_and_its_parent() -> None:
    source = (
        "import numpy as np\n"
        "def f(df, k=2):\n"
        "    out = df[['a', 'b']] * k + np.log1p(df['c'])\n"
        "    return {'x': out, 'y': [1, 2.5, None]}\n"
    )
    tree = ast.parse(source)
    by_type, parents = _index_tree(tree)
    walked: dict[type[ast.AST], set[int]] = {}
    expected_parents: dict[int, int] = {}
    for node in ast.walk(tree):
        walked.setdefault(type(node), set()).add(id(node))
        for child in ast.iter_child_nodes(node):
            expected_parents[id(child)] = id(node)
    skipped = (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
    for kind, ids in walked.items():
        if not issubclass(kind, skipped):
            assert {id(n) for n in by_type.get(kind, [])} == ids, kind.__name__
    for child, parent in parents.items():
        assert expected_parents[id(child)] == id(parent)
    assert {id(n) for n in by_type[ast.Name]} <= {id(c) for c in parents}
    assert len(parents) == sum(len(nodes) for nodes in by_type.values()) - 1  # all but the module


@pytest.mark.parametrize(
    "text",
    [
        "score",
        "x.score(y)",
        "my_score = 1",
        "score_x",
        "éscore",
        "scoreé",
        "a score b score_",
        "f1score score1 (score)",
        "",
        "train_test_split(X)",
        "train_test_split (X, y)",
        "my_train_test_split(X)",
        "from sklearn import train_test_split\nsplits = train_test_split\n",
        "x=train_test_split\n(a)",
        "ätrain_test_split(a)",
    ],
)
def test_word_and_call_text_helpers_answer_as_the_regular_expressions_do(text: str) -> None:
    assert has_word(text, "score") == bool(re.search(r"\bscore\b", text))
    assert has_call_text(text, "train_test_split") == bool(
        re.search(r"\btrain_test_split\s*\(", text)
    )
