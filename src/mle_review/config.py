"""Project configuration: ``[tool.mle-review]`` in pyproject.toml or ``.mle-review.toml``.

Unknown keys and unknown rule IDs are errors (exit 2): a typo in an
``ignore`` list that silently ignored nothing would be worse than a failed run.
"""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mle_review.github.settings import GitHubConfig
from mle_review.llm.settings import LlmSettings
from mle_review.models import Confidence, Severity
from mle_review.review.settings import ReviewConfig
from mle_review.rules.catalog import CATALOG, SLUG_TO_ID

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration or usage problem; the CLI prints it on one line and exits 2."""


FailOn = Literal["critical", "high", "medium", "low", "info", "never"]


def resolve_rule_selector(token: str) -> list[str]:
    """Expand an ID, slug or ID prefix (``MLR1``, ``MLR30``) to catalogue IDs."""
    token = token.strip()
    if not token:
        return []
    if token in SLUG_TO_ID:
        return [SLUG_TO_ID[token]]
    upper = token.upper()
    if upper == "ALL":
        return sorted(CATALOG)
    matched = sorted(rid for rid in CATALOG if rid.startswith(upper))
    if not matched or not upper.startswith("MLR"):
        raise ConfigError(f"unknown rule ID or slug: {token!r} (see `mle-review rules`)")
    return matched


def _expand(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        for rid in resolve_rule_selector(v):
            if rid not in out:
                out.append(rid)
    return out


class Roles(BaseModel):
    model_config = ConfigDict(extra="forbid")

    training: list[str] = Field(default_factory=list)
    serving: list[str] = Field(default_factory=list)
    evaluation: list[str] = Field(default_factory=list)
    test: list[str] = Field(default_factory=list)


class Config(BaseModel):
    """Validated settings. Keys use the hyphenated spelling users write in TOML."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=True)

    select: list[str] = Field(default_factory=lambda: ["ALL"])
    ignore: list[str] = Field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
    severity: dict[str, Severity] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)
    roles: Roles = Field(default_factory=Roles)
    fail_on: FailOn = Field(default="high", alias="fail-on")
    min_confidence: Confidence = Field(default=Confidence.LOW, alias="min-confidence")
    max_file_size: int = Field(default=2_000_000, alias="max-file-size", gt=0)
    # Processes that run rules: 0 picks one per core (at most 4) on big scans.
    jobs: int = Field(default=0, ge=0, le=64)
    rule_options: dict[str, dict[str, object]] = Field(default_factory=dict, alias="rule-options")
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    github: GitHubConfig = Field(default_factory=GitHubConfig)

    @field_validator("select", "ignore")
    @classmethod
    def _check_ids(cls, values: list[str]) -> list[str]:
        return _expand(values)

    @field_validator("per_file_ignores")
    @classmethod
    def _check_pfi(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {glob: _expand(ids) for glob, ids in value.items()}

    @field_validator("severity", "rule_options", mode="before")
    @classmethod
    def _check_keys(cls, value: object) -> object:
        if isinstance(value, dict):
            out = {}
            for key, v in value.items():
                ids = resolve_rule_selector(str(key))
                for rid in ids:
                    out[rid] = v
            return out
        return value

    def enabled(self, rule_id: str) -> bool:
        return rule_id in self.select and rule_id not in self.ignore

    def ignored_for_path(self, rule_id: str, path: str) -> bool:
        for glob, ids in self.per_file_ignores.items():
            if rule_id in ids and path_matches(path, glob):
                return True
        return False

    def is_excluded(self, path: str) -> bool:
        return any(path_matches(path, g) for g in self.exclude)


def path_matches(path: str, glob: str) -> bool:
    """Glob match on a root-relative posix path; a bare folder name matches everything under it."""
    glob = glob.strip().lstrip("./") if glob.startswith("./") else glob.strip()
    if fnmatch.fnmatchcase(path, glob):
        return True
    if glob.endswith("/**") or glob.endswith("/"):
        prefix = glob.rstrip("*").rstrip("/")
        return path == prefix or path.startswith(prefix + "/")
    if "/" not in glob:
        return any(fnmatch.fnmatchcase(part, glob) for part in path.split("/"))
    return fnmatch.fnmatchcase(path, glob + "/*") or path.startswith(glob.rstrip("/") + "/")


CONFIG_FILE_NAMES = (".mle-review.toml", "pyproject.toml")


def find_config(root: Path) -> Path | None:
    """The config file in ``root``: ``.mle-review.toml`` wins; pyproject.toml only with our table."""
    dedicated = root / ".mle-review.toml"
    if dedicated.is_file():
        return dedicated
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            return None  # a broken pyproject is reported by the dependency scan, not here
        if "mle-review" in data.get("tool", {}):
            return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Load and validate; every failure becomes a one-line ConfigError."""
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("mle-review", {})
    elif "tool" in data and "mle-review" in data.get("tool", {}):
        data = data["tool"]["mle-review"]
    return config_from_dict(data, str(path))


def config_from_dict(data: dict[str, object], source: str = "config") -> Config:
    try:
        return Config.model_validate(data)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        ctx_err = err.get("ctx", {}).get("error") if err.get("ctx") else None
        if isinstance(ctx_err, ConfigError):
            msg = str(ctx_err)
        raise ConfigError(f"{source}: {loc}: {msg}") from exc
