"""Read declared dependencies from the files Python projects actually use.

Only what rules need: each requirement's name, version specifier, line,
where in the file it was declared and whether it is exactly pinned, plus
lock-file versions. Parsing is tolerant: a line it does not understand is
skipped, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

import yaml

LOCK_FILES = frozenset(
    {
        "uv.lock",
        "poetry.lock",
        "Pipfile.lock",
        "conda-lock.yml",
        "conda-lock.yaml",
        "pdm.lock",
        "pixi.lock",
        "pylock.toml",
    }
)

# Where a requirement was declared. Rules use it to tell published library
# metadata (which conventionally uses ranges) from application environments.
SECTION_REQUIREMENTS = "requirements"  # requirements*.txt / *.in
SECTION_PROJECT = "project"  # [project].dependencies
SECTION_OPTIONAL = "optional"  # [project.optional-dependencies]
SECTION_GROUP = "group"  # [dependency-groups] (PEP 735, never published)
SECTION_POETRY = "poetry"  # [tool.poetry.dependencies]
SECTION_POETRY_GROUP = "poetry-group"  # poetry groups / dev-dependencies
SECTION_SETUP_CFG = "setup-cfg"  # install_requires / extras_require
SECTION_CONDA = "conda"  # environment.yml conda entries
SECTION_CONDA_PIP = "conda-pip"  # environment.yml pip: entries
SECTION_PIPFILE = "pipfile"  # Pipfile [packages] / [dev-packages]

_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")
_VERSION = re.compile(r"(\d+(?:\.\d+)*)")
_COMMIT = re.compile(r"@[0-9a-fA-F]{40}\b")
_ARCHIVE_URL = re.compile(r"\.(whl|tar\.gz|zip|tar\.bz2)(#|$|\s)|#sha256=", re.IGNORECASE)
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Requirement:
    name: str  # normalised: lower case, '-' separators
    spec: str  # e.g. ">=2.6,<3" or "==1.4.2" or "" when unconstrained
    line: int
    raw: str
    hashed: bool = False
    url: bool = False  # VCS/URL reference; pinned only with a commit or a fixed archive
    section: str = ""  # one of the SECTION_* values ("" when unknown)

    @property
    def exact(self) -> bool:
        spec = self.spec.replace(" ", "")
        if self.hashed:
            return True
        if self.url:
            return bool(_COMMIT.search(self.raw) or _ARCHIVE_URL.search(self.raw))
        return spec.startswith(("==", "===")) and "*" not in spec and "," not in spec

    def lower_bound(self) -> tuple[int, ...] | None:
        """The lowest version the specifier admits, if it names one."""
        for part in self.spec.replace(" ", "").split(","):
            for op in ("===", "==", "~=", ">=", ">"):
                if part.startswith(op):
                    m = _VERSION.match(part[len(op) :])
                    if m:
                        return tuple(int(x) for x in m.group(1).split("."))
        return None


def normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse_requirement(text: str, line: int, section: str = "") -> Requirement | None:
    text = text.split(" #", 1)[0].strip()
    if not text or text.startswith(("#", "-")):
        return None
    if " @ " in text or re.match(r"^[\w.-]+(\[[^\]]*\])?@\s*\w+\+?\w*://", text):
        # PEP 508 direct reference: name @ url
        name_part = re.split(r"\s*@\s*", text, maxsplit=1)[0]
        m = _REQ_NAME.match(name_part.split(";", 1)[0])
        if not m:
            return None
        return Requirement(
            normalise_name(m.group(1)), "", line, text, "--hash" in text, True, section
        )
    if "://" in text:
        # bare URL / VCS line (git+https://...#egg=name): only usable with an egg name
        egg = _EGG.search(text)
        if not egg:
            return None
        return Requirement(
            normalise_name(egg.group(1)), "", line, text, "--hash" in text, True, section
        )
    m = _REQ_NAME.match(text.split(";", 1)[0])
    if not m:
        return None
    hashed = "--hash" in text
    spec = m.group(3).split("--hash", 1)[0].strip().rstrip("\\").strip().strip("()").strip()
    return Requirement(normalise_name(m.group(1)), spec, line, text, hashed, False, section)


def parse_requirements_txt(text: str) -> list[Requirement]:
    reqs: list[Requirement] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i
        logical = lines[i]
        while logical.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            logical = logical.rstrip()[:-1] + " " + lines[i]
        req = _parse_requirement(logical, start + 1, SECTION_REQUIREMENTS)
        if req:
            reqs.append(req)
        i += 1
    return reqs


def _find_line(lines: list[str], needle: str, start: int = 0) -> int:
    """1-based line of ``needle`` as a whole token at or after index ``start``; 0 when absent."""
    pat = re.compile(
        r"(^|[\"'\s\[{,:])" + re.escape(needle) + r"($|[\s\"'\[\]<>=!~;,@^*:])", re.IGNORECASE
    )
    for i in range(start, len(lines)):
        if pat.search(lines[i]):
            return i + 1
    return 0


def _header_index(lines: list[str], header: str) -> int | None:
    """Index of the line holding TOML/INI table ``[header]`` (dotted parts may be quoted)."""
    parts = [re.escape(p) for p in header.split(".")]
    pat = re.compile(
        r"^\s*\[\s*" + r"\s*\.\s*".join(rf"[\"']?{p}[\"']?" for p in parts) + r"\s*\]\s*(#.*)?$"
    )
    for i, line in enumerate(lines):
        if pat.match(line):
            return i
    return None


def _locate(lines: list[str], spec: str, name: str, start: int) -> int:
    """Line of a dependency declared inside a table that starts at ``start``."""
    for needle in (spec.strip(), name):
        if not needle:
            continue
        found = _find_line(lines, needle, start)
        if found:
            return found
    for needle in (spec.strip(), name):  # declared above its table (dotted keys, inline tables)
        found = _find_line(lines, needle, 0) if needle else 0
        if found:
            return found
    return start + 1 if start < len(lines) else 1


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    cur: Any = data
    for key in keys:
        cur = cur.get(key, {}) if isinstance(cur, dict) else {}
    return cur if isinstance(cur, dict) else {}


def parse_pyproject(text: str) -> list[Requirement]:
    data = tomllib.loads(text)
    lines = text.splitlines()
    reqs: list[Requirement] = []
    project = _table(data, "project")
    pep621: list[tuple[str, str, int]] = []
    project_start = _header_index(lines, "project") or 0
    for spec in project.get("dependencies", []) or []:
        pep621.append((spec, SECTION_PROJECT, project_start))
    optional_start = _header_index(lines, "project.optional-dependencies")
    for group in (project.get("optional-dependencies", {}) or {}).values():
        for spec in group or []:
            pep621.append(
                (
                    spec,
                    SECTION_OPTIONAL,
                    project_start if optional_start is None else optional_start,
                )
            )
    groups_start = _header_index(lines, "dependency-groups") or 0
    for group in (data.get("dependency-groups", {}) or {}).values():
        for spec in group or []:
            if isinstance(spec, str):  # {include-group = ...} entries are not requirements
                pep621.append((spec, SECTION_GROUP, groups_start))
    for spec, section, start in pep621:
        if not isinstance(spec, str):
            continue
        parsed = _parse_requirement(spec, 0, section)
        if parsed:
            line = _locate(lines, spec.split(";")[0], parsed.name, start)
            reqs.append(
                Requirement(
                    parsed.name, parsed.spec, line, spec, parsed.hashed, parsed.url, section
                )
            )
    poetry = _table(data, "tool", "poetry")
    tables: list[tuple[dict[str, Any], str, int]] = [
        (
            _table(poetry, "dependencies"),
            SECTION_POETRY,
            _header_index(lines, "tool.poetry.dependencies") or 0,
        )
    ]
    for gname, grp in (poetry.get("group", {}) or {}).items():
        start = _header_index(lines, f"tool.poetry.group.{gname}.dependencies") or 0
        tables.append((_table(grp, "dependencies"), SECTION_POETRY_GROUP, start))
    dev_start = _header_index(lines, "tool.poetry.dev-dependencies") or 0
    tables.append((_table(poetry, "dev-dependencies"), SECTION_POETRY_GROUP, dev_start))
    for table, section, start in tables:
        for name, value in table.items():
            if name.lower() == "python":
                continue
            if isinstance(value, dict):
                spec = str(value.get("version", ""))
                is_url = "git" in value or "url" in value or "path" in value
            elif isinstance(value, list):  # multiple-constraint form: never a single exact pin
                spec, is_url = (
                    ",".join(str(v.get("version", "")) for v in value if isinstance(v, dict)),
                    False,
                )
            else:
                spec, is_url = str(value), False
            raw = f"{name} = {value}"
            if is_url and isinstance(value, dict) and value.get("rev"):
                raw += f" @{value.get('rev')}"
            spec = _poetry_spec(spec)
            line = _find_line(lines, name, start) or _find_line(lines, name) or start + 1
            reqs.append(Requirement(normalise_name(name), spec, line, raw, False, is_url, section))
    return reqs


def _poetry_spec(spec: str) -> str:
    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    if spec[0].isdigit():
        return "==" + spec  # poetry reads a bare version as an exact pin
    if spec.startswith("^") or (spec.startswith("~") and not spec.startswith("~=")):
        return ">=" + spec.lstrip("^~")
    return spec


def pyproject_is_library(text: str) -> bool:
    """Is this pyproject a distributable package (whose metadata conventionally uses ranges)?

    An application project opts out of packaging (``[tool.uv] package = false``,
    ``[tool.poetry] package-mode = false``) or declares no build backend at all
    (``uv init`` for an app writes none).
    """
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    if _table(data, "tool", "uv").get("package") is False:
        return False
    if _table(data, "tool", "poetry").get("package-mode") is False:
        return False
    return "build-system" in data or bool(_table(data, "tool", "poetry"))


_INI_KEY = re.compile(r"^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$")


def parse_setup_cfg(text: str) -> list[Requirement]:
    """``[options] install_requires`` and every key of ``[options.extras_require]``."""
    reqs: list[Requirement] = []
    section = ""
    collecting = False
    for i, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        indented = line[0] in (" ", "\t")
        if not indented and stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip().lower()
            collecting = False
            continue
        if not indented:
            m = _INI_KEY.match(stripped)
            if not m:
                collecting = False
                continue
            key, rest = m.group(1).lower(), m.group(2).strip()
            collecting = (
                section == "options" and key == "install_requires"
            ) or section == "options.extras_require"
            if collecting and rest:
                req = _parse_requirement(rest, i, SECTION_SETUP_CFG)
                if req:
                    reqs.append(req)
            continue
        if collecting:
            req = _parse_requirement(stripped, i, SECTION_SETUP_CFG)
            if req:
                reqs.append(req)
    return reqs


_CONDA_SPEC = re.compile(r"^([A-Za-z0-9._-]+)\s*(?:(=+)\s*([^\s]*)|\s+([0-9][^\s]*))?$")


def _conda_spec(item: str) -> tuple[str, str] | None:
    """(name, pip-style spec) for a conda match spec like ``numpy=1.26.4=py311_0``.

    ``name=1.26.4`` (three or more components, or with a build string) is
    treated as exact; ``name=1.26`` and wildcards are ranges, written
    ``==1.26.*`` so the lower bound survives.
    """
    m = _CONDA_SPEC.match(item.split("::")[-1].strip())
    if not m:
        return None
    name = m.group(1)
    version = m.group(3) if m.group(2) else (m.group(4) or "")
    if not version:
        return name, ""
    base, _, build = version.partition("=")
    if "*" not in base and (build or base.count(".") >= 2):
        return name, "==" + base
    return name, "==" + base.rstrip(".*") + ".*"


def parse_environment_yml(text: str) -> list[Requirement]:
    data = yaml.safe_load(text) or {}
    lines = text.splitlines()
    reqs: list[Requirement] = []
    deps = data.get("dependencies", []) if isinstance(data, dict) else []
    cursor = 0
    entries: list[tuple[str, bool]] = []
    for dep in deps or []:
        if isinstance(dep, dict):
            entries.extend(
                (item, True) for item in dep.get("pip", []) or [] if isinstance(item, str)
            )
        elif isinstance(dep, str):
            entries.append((dep, False))
    for item, pip in entries:
        if pip or re.search(r"[<>~!]|==", item.split("::")[-1]):
            parsed = _parse_requirement(item.split("::")[-1], 0)
            if not parsed:
                continue
            name, spec, url = parsed.name, parsed.spec, parsed.url
        else:
            conda = _conda_spec(item)
            if conda is None:
                continue
            name, spec, url = conda[0], conda[1], False
        section = SECTION_CONDA_PIP if pip else SECTION_CONDA
        line = _find_line(lines, item.strip(), cursor) or _find_line(
            lines, name.split("::")[-1], cursor
        )
        if line:
            cursor = line  # entries are listed in file order
        reqs.append(Requirement(normalise_name(name), spec, line or 1, item, False, url, section))
    return reqs


def parse_pipfile(text: str) -> list[Requirement]:
    data = tomllib.loads(text)
    lines = text.splitlines()
    reqs: list[Requirement] = []
    for table in ("packages", "dev-packages"):
        start = _header_index(lines, table) or 0
        for name, value in (data.get(table, {}) or {}).items():
            raw = f"{name} = {value}"
            if isinstance(value, dict):
                spec = str(value.get("version", ""))
                is_url = "git" in value or "path" in value or "file" in value
                if is_url and value.get("ref"):
                    raw += f" @{value.get('ref')}"
            else:
                spec, is_url = str(value), False
            spec = "" if spec == "*" else spec
            line = _find_line(lines, name, start) or _find_line(lines, name) or start + 1
            reqs.append(
                Requirement(normalise_name(name), spec, line, raw, False, is_url, SECTION_PIPFILE)
            )
    return reqs


Parser = Callable[[str], list[Requirement]]


def dependency_parser(name: str) -> Parser | None:
    """The parser for a dependency file name, or None when it is not one."""
    path = PurePosixPath(name)
    base = path.name
    if re.match(r"^requirements.*\.(txt|in)$", base) or base.endswith(".requirements.txt"):
        return parse_requirements_txt
    if path.parent.name == "requirements" and path.suffix in (".txt", ".in"):
        return parse_requirements_txt  # requirements/prod.txt, requirements/dev.in
    parsers: dict[str, Parser] = {
        "pyproject.toml": parse_pyproject,
        "setup.cfg": parse_setup_cfg,
        "environment.yml": parse_environment_yml,
        "environment.yaml": parse_environment_yml,
        "Pipfile": parse_pipfile,
    }
    return parsers.get(base)


def is_dependency_file(name: str) -> bool:
    return dependency_parser(name) is not None


def parse_dependencies(name: str, text: str) -> list[Requirement]:
    parser = dependency_parser(name)
    if parser is None:
        return []
    return parser(text)


def locked_versions(name: str, text: str) -> dict[str, tuple[int, ...]]:
    """Package versions recorded in a lock file (poetry/uv/pdm TOML, Pipfile.lock JSON)."""
    versions: dict[str, tuple[int, ...]] = {}
    base = PurePosixPath(name).name
    if base == "Pipfile.lock":
        import json

        try:
            data = json.loads(text)
        except ValueError:
            return versions
        for section in ("default", "develop"):
            for pkg, info in (data.get(section, {}) or {}).items():
                m = (
                    _VERSION.search(str(info.get("version", "")))
                    if isinstance(info, dict)
                    else None
                )
                if m:
                    versions[normalise_name(pkg)] = tuple(int(x) for x in m.group(1).split("."))
        return versions
    for m in re.finditer(r'name\s*=\s*"([^"]+)"\s*\n\s*version\s*=\s*"([^"]+)"', text):
        v = _VERSION.match(m.group(2))
        if v:
            versions[normalise_name(m.group(1))] = tuple(int(x) for x in v.group(1).split("."))
    return versions
