"""MLR303 secret-in-ml-code: credentials committed in code, configs and notebook outputs.

Patterns come from the maintained ``detect-secrets`` plugins plus a few
ML-platform token formats written as detect-secrets plugins (see
``_secret_scan``, imported on first use). Findings carry only the secret type
and a redacted preview, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mle_review.engine.context import ModuleContext, TextContext
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

if TYPE_CHECKING:
    from mle_review.rules._secret_scan import SecretHit

_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing|fixtures?)/|(^|/)test_[^/]*$|_test\.py$|(^|/)conftest\.py$"
)
_CONFIG_SUFFIXES = {".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".env", ".txt", ""}


_ADVICE = {
    "AWS Access Key": "use an IAM role / instance profile or an AWS profile outside the repository",
    "Hugging Face Token": "run `huggingface-cli login` or set `HF_TOKEN` in the environment",
    "OpenAI Token": "read `OPENAI_API_KEY` from the environment or a secret manager",
    "Anthropic API Key": "read `ANTHROPIC_API_KEY` from the environment or a secret manager",
    "Basic Auth Credentials": "build the connection URL at run time from environment variables or a secret manager",
    "Private Key": "keep keys in a secret manager or a mounted file outside the repository",
    "Weights & Biases API Key": "set `WANDB_API_KEY` in the environment (or `wandb login` on the machine)",
    "Kaggle API Key": "keep `kaggle.json` in `~/.kaggle/` (or `KAGGLE_KEY` in the environment), never in the repo",
}


@register
class SecretInMLCode(Rule):
    id = "MLR303"
    confidence = Confidence.HIGH
    message = "a credential is committed in code, configuration or a notebook"
    fix = "Revoke and rotate the credential (it stays in git history), then read it at run time from the environment or a secret manager."
    doc = RuleDoc(
        what_it_does=(
            "Scans Python files, notebooks (cell sources and saved outputs, reported on the "
            "`.ipynb` line) and configuration files (`.yaml`, `.yml`, `.json`, `.toml`, `.cfg`, "
            "`.ini`, `.env`, dependency files) for credentials, using the detect-secrets plugins: "
            "AWS keys, GitHub/GitLab/Slack/Stripe/SendGrid/Twilio/PyPI/npm tokens, OpenAI keys, "
            "JWTs, private keys, connection strings with a password (`postgresql://user:pass@"
            "host`) and values assigned to names such as `password`, `secret`, `api_key`. On top "
            "of those it recognises Hugging Face (`hf_...`), Anthropic (`sk-ant-...`), OpenAI "
            "project keys, Weights & Biases `wandb.login(key=...)`, Kaggle `kaggle.json` content "
            "and high-entropy values assigned to `token`/`access_key`/`credentials` names. Each "
            "line is reported once, naming the secret type(s) and a redacted preview (the length, "
            "plus the issuer's prefix for vendor tokens, e.g. `AKIA…(20 chars)`); the secret itself "
            "never appears in any output.\n\n"
            "Not reported: placeholders (`<YOUR_KEY>`, `xxxx`, `changeme`, `your-api-key`, "
            "`${VAR}`, `{{ var }}`, values containing `example`/`dummy`/`fake`/`redacted`), "
            "references such as `os.environ[...]`, `os.getenv(...)` or `get_secret()`, "
            "environment-variable names, sequential strings and UUIDs, connection strings whose "
            "password is a placeholder or equals the user name (`postgres:postgres@localhost`, "
            "docker-compose defaults), lines marked `# pragma: allowlist secret` (detect-secrets' "
            "marker, also on the line before) or with a `# fake` / `# dummy` / `# not a real ...` "
            "comment. In test files (`tests/`, `test_*.py`, `conftest.py`, `fixtures/`) generic "
            "keyword and connection-string matches are skipped and provider-format tokens are "
            "skipped when they contain `test`, `mock`, `fixture` or `stub`; a real-looking provider "
            "token in a test is still reported."
        ),
        why_it_matters=(
            "ML work leaks credentials in ways application code rarely does: a notebook cell that "
            "logged in to the Hub, an output cell that printed the config, a `params.yaml` with the "
            "warehouse password, a training script with the feature-store connection string. Once "
            "pushed, the value sits in git history and in every clone and fork; a Hub token can "
            "publish a poisoned model under your organisation, a cloud key can read the training "
            "data, and a warehouse password exposes the personal data the model was trained on."
        ),
        example=(
            'HF_TOKEN = "hf_…"  # a real token pasted from the settings page\n'
            'engine = create_engine("postgresql://ml_user:<the real password>@warehouse:5432/features")\n'
        ),
        use_instead=(
            "import os\n\n"
            'HF_TOKEN = os.environ["HF_TOKEN"]\n'
            'engine = create_engine(os.environ["FEATURE_DB_URL"])\n'
        ),
        options=(
            "Mark a deliberate fake credential with `# pragma: allowlist secret`; use "
            "`per-file-ignores` only for generated files that are never committed with real "
            "values. Lines longer than 20,000 characters (embedded images, minified blobs) are "
            "not scanned."
        ),
        references=(
            "detect-secrets (Yelp): plugins and heuristic filters used for the patterns",
            "GitHub docs: 'Removing sensitive data from a repository' (rotate first; history "
            "rewriting does not un-leak a secret)",
            "Hugging Face docs: user access tokens and `HF_TOKEN`",
        ),
    )

    def prepare(self) -> None:
        # detect-secrets costs about a third of the parse floor to import
        import mle_review.rules._secret_scan  # noqa: F401

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.notebook is not None:
            return  # the notebook's raw JSON (sources and outputs) is scanned in check_text
        from mle_review.rules._secret_scan import scan_text

        test_file = bool(_TEST_PATH.search(ctx.path))
        hits = scan_text(ctx.lines, ".py", test_file, True)
        yield from _to_hits(hits, "source code", raw=False)

    def check_text(self, ctx: TextContext) -> Iterator[Hit]:
        from mle_review.rules._secret_scan import notebook_strings, scan_lines, scan_text

        test_file = bool(_TEST_PATH.search(ctx.path))
        if ctx.notebook is not None:
            # .ipynb line -> code line, so cell hits get the cell index and honour
            # `# mle-review: ignore[...]` comments like every other notebook finding
            module_line: dict[int, int] = {}
            for code_line, (_cell, file_line) in sorted(ctx.notebook.line_map.items()):
                module_line.setdefault(file_line, code_line)
            found = list(scan_lines(notebook_strings(ctx.lines), ".py", test_file, True))
            for line, group in _group(found):
                if line in module_line:
                    yield _hit(module_line[line], group, "a notebook cell", raw=False)
                else:
                    yield _hit(line, group, "a saved notebook output", raw=True)
            return
        suffix = PurePosixPath(ctx.path).suffix.lower()
        name = PurePosixPath(ctx.path).name
        if suffix not in _CONFIG_SUFFIXES and ctx.requirements is None:
            return
        if name.startswith(".env") or name.endswith(".env"):
            suffix = ".env"
        hits = scan_text(ctx.lines, suffix, test_file, suffix == ".json")
        yield from _to_hits(hits, "a configuration file", raw=False)


def _group(hits: list[SecretHit]) -> list[tuple[int, list[SecretHit]]]:
    by_line: dict[int, list[SecretHit]] = {}
    for hit in hits:
        by_line.setdefault(hit.line, []).append(hit)
    return sorted(by_line.items())


def _to_hits(hits: Iterable[SecretHit], where: str, raw: bool) -> Iterator[Hit]:
    for line, group in _group(list(hits)):
        yield _hit(line, group, where, raw)


def _hit(line: int, group: list[SecretHit], where: str, raw: bool) -> Hit:
    from mle_review.rules._secret_scan import GENERIC_TYPES, redact

    kinds = sorted({h.type for h in group}, key=lambda k: (k in GENERIC_TYPES, k))
    previews = ", ".join(f"`{redact(h.value, h.type)}`" for h in group)
    label = " and ".join(kinds)
    advice = next(
        (_ADVICE[k] for k in kinds if k in _ADVICE),
        "read it from the environment or a secret manager",
    )
    return Hit(
        line=line,
        message=(
            f"{label} committed in {where} ({previews}); anyone who can read the repository or "
            f"its history can use it"
        ),
        fix=(
            f"Revoke and rotate this credential now (deleting the line does not remove it from git "
            f"history), then {advice}."
        ),
        raw=raw,
    )
