"""Dependency-file parsing: names, specs, exactness, lines and sections that rules rely on."""

from __future__ import annotations

from mle_review.engine import deps
from mle_review.engine.deps import (
    parse_dependencies,
    parse_environment_yml,
    parse_pipfile,
    parse_pyproject,
    parse_requirements_txt,
    parse_setup_cfg,
    pyproject_is_library,
)


def _by_name(reqs: list[deps.Requirement]) -> dict[str, deps.Requirement]:
    return {r.name: r for r in reqs}


def test_requirements_txt_specs_lines_and_exactness() -> None:
    text = "\n".join(
        [
            "# training deps",
            "-e .",
            "--extra-index-url https://download.pytorch.org/whl/cu121",
            "numpy==1.26.4",
            "pandas>=2.0,<3  # loose",
            "Scikit_Learn ~= 1.4",
            "torch==2.3.1 \\",
            "    --hash=sha256:0123abcd",
            "xgboost==2.0.*",
            'lightgbm==4.3.0; python_version >= "3.9"',
            "peft @ git+https://github.com/huggingface/peft@0123456789abcdef0123456789abcdef01234567",
            "trl @ git+https://github.com/huggingface/trl@main",
            "git+https://github.com/org/featlib.git@v1#egg=featlib",
            "tokenizers @ https://files.example.org/tokenizers-0.19.1-cp311-none-any.whl",
        ]
    )
    reqs = _by_name(parse_requirements_txt(text))
    assert "-e" not in reqs and "." not in reqs
    assert reqs["numpy"].exact and reqs["numpy"].line == 4
    assert not reqs["pandas"].exact and reqs["pandas"].spec == ">=2.0,<3"
    assert reqs["scikit-learn"].spec == "~= 1.4" and not reqs["scikit-learn"].exact
    assert reqs["torch"].hashed and reqs["torch"].exact and reqs["torch"].line == 7
    assert not reqs["xgboost"].exact
    assert reqs["lightgbm"].exact and reqs["lightgbm"].line == 10
    assert reqs["peft"].url and reqs["peft"].exact
    assert reqs["trl"].url and not reqs["trl"].exact
    assert reqs["featlib"].url and not reqs["featlib"].exact
    assert reqs["tokenizers"].exact  # a fixed archive is immutable
    assert all(r.section == deps.SECTION_REQUIREMENTS for r in reqs.values())


def test_pyproject_sections_and_lines_ignore_build_system() -> None:
    text = """\
[build-system]
requires = ["setuptools>=68", "numpy>=1.26"]

[project]
name = "churn"
keywords = ["torch"]
dependencies = [
    "numpy>=1.26",
    "torch>=2.2",
]

[project.optional-dependencies]
serve = ["fastapi>=0.110", "onnxruntime>=1.17"]

[dependency-groups]
train = ["xgboost==2.0.3", {include-group = "serve"}]
"""
    reqs = _by_name(parse_pyproject(text))
    assert reqs["numpy"].line == 8 and reqs["numpy"].section == deps.SECTION_PROJECT
    assert reqs["torch"].line == 9
    assert reqs["onnxruntime"].line == 13 and reqs["onnxruntime"].section == deps.SECTION_OPTIONAL
    assert reqs["xgboost"].line == 16 and reqs["xgboost"].section == deps.SECTION_GROUP
    assert reqs["xgboost"].exact
    assert "setuptools" not in reqs
    assert pyproject_is_library(text)


def test_poetry_tables() -> None:
    text = """\
[tool.poetry]
name = "ranker"
package-mode = false

[tool.poetry.dependencies]
python = "^3.11"
pandas = "2.2.1"
lightgbm = "^4.3"
transformers = { version = ">=4.40", extras = ["torch"] }

[tool.poetry.group.dev.dependencies]
pytest = "^8"
"""
    reqs = _by_name(parse_pyproject(text))
    assert "python" not in reqs
    assert reqs["pandas"].exact and reqs["pandas"].line == 7
    assert reqs["lightgbm"].spec == ">=4.3" and reqs["lightgbm"].line == 8
    assert reqs["transformers"].line == 9 and reqs["transformers"].section == deps.SECTION_POETRY
    assert reqs["pytest"].section == deps.SECTION_POETRY_GROUP
    assert not pyproject_is_library(text)


def test_application_pyproject_without_build_system_is_not_a_library() -> None:
    assert not pyproject_is_library('[project]\nname = "app"\ndependencies = ["numpy"]\n')
    assert not pyproject_is_library(
        '[build-system]\nrequires = ["hatchling"]\n[tool.uv]\npackage = false\n'
    )


def test_setup_cfg_reads_install_requires_and_all_extras() -> None:
    text = """\
[metadata]
name = churn

[options]
packages = find:
install_requires =
    numpy>=1.26
    pandas==2.2.1
python_requires = >=3.10

[options.extras_require]
train =
    torch>=2.2
    xgboost
serve = onnxruntime>=1.17

[flake8]
max-line-length = 100
"""
    reqs = _by_name(parse_setup_cfg(text))
    assert set(reqs) == {"numpy", "pandas", "torch", "xgboost", "onnxruntime"}
    assert reqs["numpy"].line == 7 and reqs["pandas"].exact
    assert reqs["torch"].line == 13 and reqs["xgboost"].spec == ""
    assert reqs["onnxruntime"].line == 15


def test_environment_yml_conda_and_pip() -> None:
    text = """\
name: churn
channels:
  - conda-forge
dependencies:
  - python=3.11
  - numpy=1.26.4
  - pandas=2.2
  - conda-forge::scikit-learn
  - pytorch::pytorch=2.3.1=py3.11_cuda12.1_cudnn8.9.2_0
  - scipy>=1.12
  - pip
  - pip:
      - transformers==4.41.2
      - datasets>=2.19
"""
    reqs = _by_name(parse_environment_yml(text))
    assert reqs["numpy"].exact and reqs["numpy"].line == 6
    assert not reqs["pandas"].exact and reqs["pandas"].lower_bound() == (2, 2)
    assert not reqs["scikit-learn"].exact and reqs["scikit-learn"].line == 8
    assert reqs["pytorch"].exact and reqs["pytorch"].line == 9
    assert not reqs["scipy"].exact
    assert reqs["transformers"].exact and reqs["transformers"].section == deps.SECTION_CONDA_PIP
    assert reqs["datasets"].line == 14


def test_pipfile_sections() -> None:
    text = """\
[[source]]
url = "https://pypi.org/simple"

[packages]
numpy = "==1.26.4"
torch = "*"
catboost = {version = ">=1.2"}

[dev-packages]
pytest = "*"
"""
    reqs = _by_name(parse_pipfile(text))
    assert reqs["numpy"].exact and reqs["numpy"].line == 5
    assert reqs["torch"].spec == "" and reqs["torch"].line == 6
    assert reqs["catboost"].spec == ">=1.2" and reqs["catboost"].line == 7


def test_dependency_parser_dispatch() -> None:
    assert parse_dependencies("requirements-train.txt", "numpy\n")[0].name == "numpy"
    assert parse_dependencies("requirements.in", "numpy\n")[0].name == "numpy"
    assert parse_dependencies("notes.txt", "numpy\n") == []
