"""MLR303 must report secrets without ever repeating them, and must stay fast on big inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mle_review.render import FORMATS
from mle_review.rules._secret_scan import notebook_strings, redact, scan_lines

FOLDER = Path(__file__).parent / "fixtures" / "rules" / "MLR303"

# Secrets planted in the fixtures, spelled out so the test does not depend on the detector.
PLANTED = (
    "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",
    "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",
    "AKIAB1SKCZTKMBF4JDPY",
    "a/LcBfS83Cedu3QlYJJJbgIQrBc5O+x2A7CzMp1G",
    "f5otWhWfS27wde",
    "nJCAnpI2PE22",
    "Ezrm8PqBCB64fohOtqxBnkv5L2JCNwzD",
    "4f73985764ea1996c87dc700da1b06c7ab603ca4",
    "ghp_nPa5lwOo0OpGcSDuJZKMvlsbxFHz9GuXlmPv",
    "ghp_NRB0tR1lirRVzYkBEyhiXUTdSZZqPy7tTKP6",
    "p8WZr7Se0AlSj20b",
    "sk-proj-x6sDYZfyXI8q6keblhnInXpYsPQQgd_1OWUyTC-BbE88rijj",
    "sk_live_CUbyMJcxDWo7hq5onH1ap2Iy",
    "139d1032089583ea665d5a95f514703d",
    "xoxb-93595943741-2483862000794-dsmvmrvj3wr4yc589gxlzfqi",
    "E2FdKmpSx5b-p7CXJ4rcChlSxNAVPLof96KC7RHXLaZOUfW2naW",
)


def _detected_values() -> set[str]:
    """Every value the detector itself extracts from the fixture files."""
    values: set[str] = set()
    for path in FOLDER.rglob("*"):
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        pairs = notebook_strings(lines) if path.suffix == ".ipynb" else enumerate(lines, start=1)
        values.update(h.value for h in scan_lines(pairs, ".txt", False, False))
        values.update(h.value for h in scan_lines(enumerate(lines, 1), ".py", False, True))
    return {v for v in values if len(v) >= 8}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_value_in_any_report_format(fmt: str, cli: Callable[..., Any]) -> None:
    result = cli(
        "scan", str(FOLDER), "--root", str(FOLDER), "--select", "MLR303",
        "--format", fmt, "--fail-on", "never",
    )  # fmt: skip
    assert result.code == 0, result.err
    output = result.out + result.err
    assert "MLR303" in output or "secret-in-ml-code" in output
    secrets = set(PLANTED) | _detected_values()
    assert len(secrets) >= len(PLANTED)
    leaked = sorted(s for s in secrets if s in output)
    assert not leaked, (
        f"{fmt} output repeats secret values (showing lengths only): {[len(s) for s in leaked]}"
    )


def test_redaction_shows_a_vendor_prefix_at_most_and_nothing_of_a_password() -> None:
    assert redact("AKIAB1SKCZTKMBF4JDPY", "AWS Access Key") == "AKIA…(20 chars)"
    assert redact("abc", "AWS Access Key") == "…(3 chars)"  # never more than a quarter
    assert redact("hunter22", "Secret Keyword") == "…(8 chars)"
    assert redact("Wq4sLp9vXb2K", "Basic Auth Credentials") == "…(12 chars)"


def test_placeholders_and_references_are_not_secrets() -> None:
    lines = [
        'OPENAI_API_KEY = "<YOUR_KEY>"',
        'api_key = os.environ["OPENAI_API_KEY"]',
        'token = os.getenv("HF_TOKEN")',
        'password = "changeme"',
        'HF_TOKEN = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'url = "postgresql://user:${DB_PASSWORD}@db:5432/x"',
        'secret_name = "churn-model-db"',
        'MODEL_REVISION = "6cdc0aad91f5ae2e6712e91bc7b65d1cf5c05411"',
    ]
    assert list(scan_lines(enumerate(lines, 1), ".py", False, True)) == []


def test_large_input_stays_fast() -> None:
    source = (Path(__file__).parent.parent / "src" / "mle_review" / "rules").glob("*.py")
    lines = [line for path in sorted(source) for line in path.read_text().splitlines()]
    lines = (lines * (20_000 // len(lines) + 1))[:20_000]
    started = time.perf_counter()
    list(scan_lines(enumerate(lines, 1), ".py", False, True))
    assert time.perf_counter() - started < 5.0
