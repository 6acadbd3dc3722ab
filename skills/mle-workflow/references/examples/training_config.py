"""A training run configuration that can be reproduced and traced from its artifact.

Copy and adapt. The ideas worth keeping:

* every hyperparameter and path lives in one frozen, validated object, never in literals
  scattered through the training script;
* the artifact name is derived from the code SHA and a hash of the whole config, so a new
  run never silently overwrites an old artifact, and the name alone identifies what built it;
* the metadata saved beside the artifact says which code, config and dataset produced it.

Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

_SHA = re.compile(r"[0-9a-f]{7,40}")
_NAME = re.compile(r"[a-z][a-z0-9-]*")


class ConfigError(ValueError):
    """The configuration is incomplete or out of range; training must not start."""


@dataclass(frozen=True)
class TrainingConfig:
    model_name: str
    dataset_uri: str
    dataset_version: str  # snapshot id; "latest" is refused because it is not reproducible
    seed: int
    learning_rate: float
    batch_size: int
    epochs: int
    output_dir: str

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not _NAME.fullmatch(self.model_name):
            problems.append("model_name must be lowercase letters, digits and dashes")
        if not self.dataset_uri:
            problems.append("dataset_uri is empty")
        if not self.dataset_version or self.dataset_version.lower() == "latest":
            problems.append("dataset_version must name a fixed snapshot, not 'latest'")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            problems.append("seed must be a non-negative integer")
        if not 0.0 < self.learning_rate < 1.0:
            problems.append("learning_rate must be in (0, 1)")
        for name in ("batch_size", "epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{name} must be a positive integer")
        if not self.output_dir:
            problems.append("output_dir is empty")
        if problems:
            raise ConfigError("; ".join(problems))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> TrainingConfig:
        """Build from parsed TOML/YAML/JSON; unknown or missing keys are errors, not defaults."""
        expected = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - expected)
        missing = sorted(expected - set(raw))
        if unknown or missing:
            raise ConfigError(f"unknown keys: {unknown}; missing keys: {missing}")
        return cls(**dict(raw))

    def fingerprint(self) -> str:
        """SHA-256 over every field, in a canonical JSON form, so any change gives a new value."""
        canonical = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def artifact_name(config: TrainingConfig, code_sha: str) -> str:
    """``<model>-<code sha, 12>-<config fingerprint, 12>``: unique per code and config."""
    sha = code_sha.strip().lower()
    if not _SHA.fullmatch(sha):
        raise ConfigError("code_sha must be a git commit hash (7 to 40 hex digits)")
    return f"{config.model_name}-{sha[:12]}-{config.fingerprint()[:12]}"


def artifact_metadata(config: TrainingConfig, code_sha: str) -> dict[str, Any]:
    """What to write next to the artifact (e.g. as ``metadata.json``) so it can be traced."""
    return {
        "artifact": artifact_name(config, code_sha),
        "code_sha": code_sha.strip().lower(),
        "config_fingerprint": config.fingerprint(),
        "config": asdict(config),
        "dataset": {"uri": config.dataset_uri, "version": config.dataset_version},
    }


if __name__ == "__main__":
    example = TrainingConfig(
        model_name="churn-classifier",
        dataset_uri="s3://example-bucket/churn/features.parquet",
        dataset_version="2024-03-31.v12",
        seed=17,
        learning_rate=0.05,
        batch_size=256,
        epochs=20,
        output_dir="artifacts/churn",
    )
    print(json.dumps(artifact_metadata(example, "3f2a9c1d7e4b5a6c8d9e0f1a2b3c4d5e6f7a8b9c"), indent=2))
