"""Read declared dependencies from the files Python projects actually use.

Only what rules need: each requirement's name, version specifier, line and
whether it is exactly pinned, plus lock-file versions. Parsing is tolerant:
a line it does not understand is skipped, never fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[no-redef]

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

_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")
_VERSION = re.compile(r"(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class Requirement:
    name: str  # normalised: lower case, '-' separators
    spec: str  # e.g. ">=2.6,<3" or "==1.4.2" or "" when unconstrained
    line: int
    raw: str
    hashed: bool = False
    url: bool = False  # VCS/URL reference; pinned only with a commit

    @property
    def exact(self) -> bool:
        spec = self.spec.replace(" ", "")
        if self.hashed:
            return True
        if self.url:
            return bool(re.search(r"@[0-9a-f]{40}\b", self.raw))
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


def _parse_requirement(text: str, line: int) -> Requirement | None:
    text = text.split(" #", 1)[0].strip()
    if not text or text.startswith(("#", "-")):
        return None
    url = False
    if " @ " in text:
        name_part = text.split(" @ ", 1)[0]
        text_spec = ""
        url = True
    else:
        name_part, text_spec = text, ""
    text_spec_source = name_part.split(";", 1)[0]
    m = _REQ_NAME.match(text_spec_source)
    if not m:
        return None
    if not url:
        text_spec = m.group(3).strip().strip("()")
    hashed = "--hash" in text
    text_spec = text_spec.split("--hash", 1)[0].strip().rstrip("\\").strip()
    return Requirement(normalise_name(m.group(1)), text_spec, line, text.strip(), hashed, url)


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
        req = _parse_requirement(logical, start + 1)
        if req:
            reqs.append(req)
        i += 1
    return reqs


def _find_line(lines: list[str], needle: str, start: int = 0) -> int:
    pat = re.compile(
        r"(^|[\"'\s\[])" + re.escape(needle) + r"($|[\s\"'\[<>=!~;,@^*])", re.IGNORECASE
    )
    for i in range(start, len(lines)):
        if pat.search(lines[i]):
            return i + 1
    return 1


def parse_pyproject(text: str) -> list[Requirement]:
    data = tomllib.loads(text)
    lines = text.splitlines()
    reqs: list[Requirement] = []
    project = data.get("project", {})
    specs: list[str] = list(project.get("dependencies", []) or [])
    for group in (project.get("optional-dependencies", {}) or {}).values():
        specs.extend(group or [])
    for group in (data.get("dependency-groups", {}) or {}).values():
        specs.extend(s for s in group or [] if isinstance(s, str))
    for spec in specs:
        parsed = _parse_requirement(spec, 0)
        if parsed:
            line = _find_line(lines, spec.split(";")[0].strip()) if spec else 1
            reqs.append(
                Requirement(parsed.name, parsed.spec, line, spec, parsed.hashed, parsed.url)
            )
    poetry = data.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}) or {}]
    for grp in (poetry.get("group", {}) or {}).values():
        tables.append(grp.get("dependencies", {}) or {})
    tables.append(poetry.get("dev-dependencies", {}) or {})
    for table in tables:
        for name, value in table.items():
            if name.lower() == "python":
                continue
            if isinstance(value, dict):
                spec = str(value.get("version", ""))
                is_url = "git" in value or "url" in value or "path" in value
                raw = f"{name} = {value}"
            else:
                spec, is_url, raw = str(value), False, f"{name} = {value}"
            spec = _poetry_spec(spec)
            reqs.append(
                Requirement(normalise_name(name), spec, _find_line(lines, name), raw, False, is_url)
            )
    return reqs


def _poetry_spec(spec: str) -> str:
    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    if spec[0].isdigit():
        return "==" + spec
    if spec.startswith("^") or (spec.startswith("~") and not spec.startswith("~=")):
        return ">=" + spec.lstrip("^~")
    return spec


def parse_setup_cfg(text: str) -> list[Requirement]:
    reqs: list[Requirement] = []
    in_block = False
    for i, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if re.match(r"^(install_requires|[\w-]+)\s*=", stripped) and not line.startswith(
            (" ", "\t")
        ):
            key = stripped.split("=", 1)[0].strip()
            in_block = key == "install_requires" or (in_block and False)
            rest = stripped.split("=", 1)[1].strip()
            if key == "install_requires" and rest:
                req = _parse_requirement(rest, i)
                if req:
                    reqs.append(req)
            continue
        if stripped.startswith("["):
            in_block = stripped == "[options.extras_require]"
            continue
        if in_block and line.startswith((" ", "\t")) and stripped:
            req = _parse_requirement(stripped, i)
            if req:
                reqs.append(req)
    return reqs


def parse_environment_yml(text: str) -> list[Requirement]:
    data = yaml.safe_load(text) or {}
    lines = text.splitlines()
    reqs: list[Requirement] = []
    deps = data.get("dependencies", []) if isinstance(data, dict) else []
    for dep in deps or []:
        items = dep.get("pip", []) if isinstance(dep, dict) else [dep]
        for item in items or []:
            if not isinstance(item, str):
                continue
            conda = "::" in item or (
                "=" in item and "==" not in item and not re.search(r"[<>~!]", item)
            )
            spec_text = item.split("::")[-1]
            if conda:
                # conda syntax: name=1.2.3 (exact unless wildcard) or name>=x
                m = re.match(r"^([A-Za-z0-9._-]+)\s*(=+)?\s*([^\s]*)$", spec_text)
                if not m:
                    continue
                name, version = m.group(1), m.group(3)
                spec = "==" + version if version and "*" not in version and m.group(2) else ""
                if m.group(2) and not version:
                    spec = ""
            else:
                parsed = _parse_requirement(spec_text, 0)
                if not parsed:
                    continue
                name, spec = parsed.name, parsed.spec
            reqs.append(Requirement(normalise_name(name), spec, _find_line(lines, name), item))
    return reqs


def parse_pipfile(text: str) -> list[Requirement]:
    data = tomllib.loads(text)
    lines = text.splitlines()
    reqs: list[Requirement] = []
    for table in ("packages", "dev-packages"):
        for name, value in (data.get(table, {}) or {}).items():
            if isinstance(value, dict):
                spec = str(value.get("version", ""))
                is_url = "git" in value or "path" in value or "file" in value
            else:
                spec, is_url = str(value), False
            spec = "" if spec == "*" else spec
            reqs.append(
                Requirement(
                    normalise_name(name),
                    spec,
                    _find_line(lines, name),
                    f"{name} = {value}",
                    False,
                    is_url,
                )
            )
    return reqs


def dependency_parser(name: str):  # type: ignore[no-untyped-def]
    """The parser for a dependency file name, or None when it is not one."""
    base = PurePosixPath(name).name
    if re.match(r"^requirements.*\.(txt|in)$", base) or base.endswith(".requirements.txt"):
        return parse_requirements_txt
    return {
        "pyproject.toml": parse_pyproject,
        "setup.cfg": parse_setup_cfg,
        "environment.yml": parse_environment_yml,
        "environment.yaml": parse_environment_yml,
        "Pipfile": parse_pipfile,
    }.get(base)


def is_dependency_file(name: str) -> bool:
    return dependency_parser(name) is not None


def parse_dependencies(name: str, text: str) -> list[Requirement]:
    parser = dependency_parser(name)
    if parser is None:
        return []
    result: list[Requirement] = parser(text)
    return result


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
