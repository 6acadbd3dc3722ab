"""The reference examples are code people copy: import them and hold them to their promises."""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Iterator
from dataclasses import FrozenInstanceError, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mle_review.skillpack.bundle import SKILL_DIR

REPO = (
    Path(__file__).resolve().parents[1]
)  # the checkout, also when mle_review is installed non-editable

EXAMPLES = REPO / SKILL_DIR / "references" / "examples"


def _load(name: str) -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location(
        f"mle_skill_example_{name}", EXAMPLES / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    previous = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # keep __pycache__ out of the shipped skill folder
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.dont_write_bytecode = previous
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def gates() -> Iterator[ModuleType]:
    yield from _load("promotion_gates")


@pytest.fixture(scope="module")
def cfg() -> Iterator[ModuleType]:
    yield from _load("training_config")


GOOD = {
    "roc_auc": 0.85,
    "recall_at_review_capacity": 0.70,
    "expected_calibration_error": 0.02,
    "p95_latency_ms": 90.0,
}


# --- promotion gates ---------------------------------------------------------------


def test_passing_metrics_promote(gates: ModuleType) -> None:
    assert gates.require_promotion(GOOD) is None


def test_missing_metric_raises(gates: ModuleType) -> None:
    metrics = {k: v for k, v in GOOD.items() if k != "expected_calibration_error"}
    with pytest.raises(gates.PromotionBlocked) as info:
        gates.require_promotion(metrics)
    assert info.value.reasons == ("expected_calibration_error is missing",)


@pytest.mark.parametrize("bad", [math.nan, math.inf, None, "0.9", True])
def test_non_numeric_or_non_finite_metric_raises(gates: ModuleType, bad: Any) -> None:
    with pytest.raises(gates.PromotionBlocked, match="roc_auc"):
        gates.require_promotion({**GOOD, "roc_auc": bad})


def test_every_failed_bound_is_reported_together(gates: ModuleType) -> None:
    metrics = {**GOOD, "roc_auc": 0.70, "p95_latency_ms": 400.0}
    with pytest.raises(gates.PromotionBlocked) as info:
        gates.require_promotion(metrics)
    assert len(info.value.reasons) == 2
    assert any("roc_auc" in r for r in info.value.reasons)
    assert any("p95_latency_ms" in r for r in info.value.reasons)


def test_bounds_are_inclusive(gates: ModuleType) -> None:
    at_bounds = {g.metric: g.bound for g in gates.RELEASE_GATES}
    gates.require_promotion(at_bounds)


def test_empty_gate_list_fails_closed(gates: ModuleType) -> None:
    with pytest.raises(gates.PromotionBlocked, match="no promotion gates"):
        gates.require_promotion(GOOD, gates=())


def test_custom_gates(gates: ModuleType) -> None:
    gate = gates.Gate("brier", gates.Direction.AT_MOST, 0.1)
    gates.require_promotion({"brier": 0.05}, gates=[gate])
    with pytest.raises(gates.PromotionBlocked):
        gates.require_promotion({"brier": 0.2}, gates=[gate])


def test_improvement_over_production(gates: ModuleType) -> None:
    gates.require_improvement({"roc_auc": 0.84}, {"roc_auc": 0.80}, "roc_auc", min_gain=0.02)
    with pytest.raises(gates.PromotionBlocked, match="gain"):
        gates.require_improvement({"roc_auc": 0.81}, {"roc_auc": 0.80}, "roc_auc", min_gain=0.02)
    # lower-is-better metrics improve by going down
    gates.require_improvement({"ms": 80.0}, {"ms": 100.0}, "ms", 10.0, gates.Direction.AT_MOST)


@pytest.mark.parametrize(
    ("candidate", "production"),
    [({}, {"roc_auc": 0.8}), ({"roc_auc": 0.9}, {}), ({"roc_auc": math.nan}, {"roc_auc": 0.8})],
)
def test_improvement_without_both_numbers_blocks(
    gates: ModuleType, candidate: dict[str, float], production: dict[str, float]
) -> None:
    with pytest.raises(gates.PromotionBlocked):
        gates.require_improvement(candidate, production, "roc_auc")


def test_slices_missing_or_failing_block(gates: ModuleType) -> None:
    floor = [gates.Gate("recall", gates.Direction.AT_LEAST, 0.6)]
    ok = {"mobile": {"recall": 0.7}, "desktop": {"recall": 0.65}}
    gates.require_slices(ok, ["mobile", "desktop"], floor)
    with pytest.raises(gates.PromotionBlocked, match="'tablet' was not evaluated"):
        gates.require_slices(ok, ["mobile", "tablet"], floor)
    with pytest.raises(gates.PromotionBlocked, match="'desktop'"):
        gates.require_slices({**ok, "desktop": {"recall": 0.3}}, ["mobile", "desktop"], floor)
    with pytest.raises(gates.PromotionBlocked, match="no evaluation slices"):
        gates.require_slices(ok, [], floor)
    with pytest.raises(gates.PromotionBlocked, match="no promotion gates"):
        gates.require_slices(ok, ["mobile"], [])


# --- training config ---------------------------------------------------------------

VALID = {
    "model_name": "churn-classifier",
    "dataset_uri": "s3://bucket/churn.parquet",
    "dataset_version": "2024-03-31.v12",
    "seed": 7,
    "learning_rate": 0.01,
    "batch_size": 64,
    "epochs": 3,
    "output_dir": "artifacts",
}
SHA = "0123456789abcdef0123456789abcdef01234567"


def test_config_is_frozen_and_round_trips(cfg: ModuleType) -> None:
    config = cfg.TrainingConfig.from_mapping(VALID)
    with pytest.raises(FrozenInstanceError):
        config.seed = 8
    assert cfg.TrainingConfig.from_mapping(cfg.artifact_metadata(config, SHA)["config"]) == config


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("dataset_version", "latest"),
        ("dataset_version", ""),
        ("seed", -1),
        ("seed", True),
        ("learning_rate", 0.0),
        ("learning_rate", 1.5),
        ("batch_size", 0),
        ("epochs", 2.5),
        ("model_name", "Churn Model"),
        ("output_dir", ""),
    ],
)
def test_invalid_values_are_refused(cfg: ModuleType, key: str, value: Any) -> None:
    with pytest.raises(cfg.ConfigError):
        cfg.TrainingConfig.from_mapping({**VALID, key: value})


def test_unknown_or_missing_keys_are_refused(cfg: ModuleType) -> None:
    with pytest.raises(cfg.ConfigError, match="unknown keys: \\['lr'\\]"):
        cfg.TrainingConfig.from_mapping({**VALID, "lr": 0.1})
    with pytest.raises(cfg.ConfigError, match="missing keys: \\['seed'\\]"):
        cfg.TrainingConfig.from_mapping({k: v for k, v in VALID.items() if k != "seed"})


def test_artifact_name_changes_with_any_field_and_with_code(cfg: ModuleType) -> None:
    base = cfg.TrainingConfig.from_mapping(VALID)
    name = cfg.artifact_name(base, SHA)
    assert name.startswith("churn-classifier-0123456789ab-")
    assert cfg.artifact_name(base, SHA) == name  # deterministic
    for key, value in [
        ("seed", 8),
        ("learning_rate", 0.02),
        ("dataset_version", "v13"),
        ("output_dir", "x"),
    ]:
        assert cfg.artifact_name(replace(base, **{key: value}), SHA) != name
    assert cfg.artifact_name(base, "f" * 40) != name


@pytest.mark.parametrize("sha", ["", "abc", "not-a-sha", "g" * 40])
def test_artifact_name_needs_a_commit_sha(cfg: ModuleType, sha: str) -> None:
    with pytest.raises(cfg.ConfigError):
        cfg.artifact_name(cfg.TrainingConfig.from_mapping(VALID), sha)


def test_metadata_traces_code_config_and_data(cfg: ModuleType) -> None:
    config = cfg.TrainingConfig.from_mapping(VALID)
    meta = cfg.artifact_metadata(config, SHA.upper())
    assert meta["code_sha"] == SHA
    assert meta["dataset"] == {"uri": VALID["dataset_uri"], "version": VALID["dataset_version"]}
    assert meta["config_fingerprint"] == config.fingerprint()
    assert meta["artifact"] == cfg.artifact_name(config, SHA)


def test_examples_leave_no_bytecode_in_the_skill() -> None:
    assert not list(EXAMPLES.rglob("__pycache__"))
