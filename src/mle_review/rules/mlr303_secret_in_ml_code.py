"""MLR303 secret-in-ml-code: credentials committed in code, configs and notebook outputs.

Patterns come from the maintained ``detect-secrets`` plugins (plus a few
ML-platform token formats written as detect-secrets plugins). The plugins are
instantiated once at import and called through ``analyze_string``, which never
touches detect-secrets' global settings and never runs its network
verification. Findings carry only the secret type and a redacted preview.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from detect_secrets.filters import heuristic
from detect_secrets.filters.allowlist import is_line_allowlisted
from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.keyword import (
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
    REGEX_BY_FILETYPE,
    KeywordDetector,
)
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.private_key import PrivateKeyDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector
from detect_secrets.util.code_snippet import CodeSnippet
from detect_secrets.util.filetype import FileType

from mle_review.engine.context import ModuleContext, TextContext
from mle_review.models import Confidence
from mle_review.rules.base import Hit, Rule, RuleDoc, register

# -- extra detectors for ML platforms, in detect-secrets' own plugin form --------


class HuggingFaceTokenDetector(RegexBasedDetector):
    """Hugging Face user access tokens (``hf_`` + 34 letters)."""

    secret_type = "Hugging Face Token"
    denylist = (re.compile(r"(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])"),)


class AnthropicKeyDetector(RegexBasedDetector):
    secret_type = "Anthropic API Key"
    denylist = (re.compile(r"sk-ant-[a-z]+\d*-[A-Za-z0-9_\-]{32,}"),)


class OpenAIProjectKeyDetector(RegexBasedDetector):
    """OpenAI project/service-account keys, which the upstream OpenAI plugin predates."""

    secret_type = "OpenAI Token"
    denylist = (re.compile(r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}"),)


class WandbKeyDetector(RegexBasedDetector):
    secret_type = "Weights & Biases API Key"
    denylist = (re.compile(r"wandb\.login\([^)]*key\s*=\s*[\"']([0-9a-f]{40})[\"']"),)


class KaggleKeyDetector(RegexBasedDetector):
    """The ``kaggle.json`` credential file pasted into code or config."""

    secret_type = "Kaggle API Key"
    denylist = (
        re.compile(
            r"[\"']username[\"']\s*:\s*[\"'][^\"']+[\"']\s*,\s*[\"']key[\"']\s*:\s*[\"']([0-9a-f]{32})[\"']"
        ),
    )


class TokenAssignmentDetector(RegexBasedDetector):
    """Values assigned to token/credential-like names, which the keyword plugin does not cover."""

    secret_type = "Secret Keyword"
    denylist = (
        RegexBasedDetector.build_assignment_regex(
            prefix_regex=r"\w*",
            secret_keyword_regex=(
                r"(?:access_?token|auth_?token|api_?token|bearer_?token|refresh_?token|token|"
                r"access_?key|secret_?key|credentials?)"
            ),
            secret_regex=r"([A-Za-z0-9_\-./+=~]{16,})",
        ),
    )


_SPECIFIC_PLUGINS: tuple[Any, ...] = tuple(
    cls()
    for cls in (
        AWSKeyDetector,
        AzureStorageKeyDetector,
        BasicAuthDetector,
        DiscordBotTokenDetector,
        GitHubTokenDetector,
        GitLabTokenDetector,
        JwtTokenDetector,
        MailchimpDetector,
        NpmDetector,
        OpenAIDetector,
        PrivateKeyDetector,
        PypiTokenDetector,
        SendGridDetector,
        SlackDetector,
        SquareOAuthDetector,
        StripeDetector,
        TelegramBotTokenDetector,
        TwilioKeyDetector,
        HuggingFaceTokenDetector,
        AnthropicKeyDetector,
        OpenAIProjectKeyDetector,
        WandbKeyDetector,
        KaggleKeyDetector,
    )
)
_KEYWORD = KeywordDetector()
_TOKEN_ASSIGNMENT = TokenAssignmentDetector()
_ENTROPY = Base64HighEntropyString()
# Every detect-secrets keyword contains one of these stems; lines without them skip the
# (comparatively slow) keyword regexes entirely.
_KEYWORD_STEMS = ("key", "pass", "pwd", "secret", "contrase")
_TOKEN_STEMS = ("token", "key", "credential")
_GENERIC_TYPES = {"Secret Keyword", "Basic Auth Credentials"}

# Keyword regex family per file kind (detect-secrets decides this by extension).
_FILETYPE_BY_SUFFIX = {
    ".py": FileType.PYTHON,
    ".ipynb": FileType.PYTHON,
    ".yaml": FileType.YAML,
    ".yml": FileType.YAML,
    ".toml": FileType.TOML,
    ".cfg": FileType.CONFIG,
    ".ini": FileType.INI,
    ".env": FileType.CONFIG,
}
_CONFIG_SUFFIXES = {".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".env", ".txt", ""}

_PLACEHOLDER_WORDS = (
    "your", "xxxx", "changeme", "change_me", "change-me", "placeholder", "example", "dummy",
    "fake", "redacted", "replace", "insert", "todo", "fixme", "notreal", "not-real",
    "not_real", "sample", "here", "***", "...", "<", ">", "${", "{{", "%(", "$(",
)  # fmt: skip
_TEST_WORDS = ("test", "mock", "fixture", "stub")
_PLACEHOLDER_PASSWORDS = {
    "password", "passwd", "pass", "pwd", "secret", "changeme", "username", "user", "none",
    "null", "true", "false",
}  # fmt: skip
_SEQUENTIAL_RUNS = tuple(
    seq[i : i + 6]
    for seq in ("abcdefghijklmnopqrstuvwxyz", "0123456789")
    for i in range(len(seq) - 5)
)
_FAKE_MARKER = re.compile(r"#\s*(fake|dummy|not\s+a\s+real\b|example\b)", re.IGNORECASE)
_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing|fixtures?)/|(^|/)test_[^/]*$|_test\.py$|(^|/)conftest\.py$"
)
_IDENTIFIER = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$|^[a-z]+([_-][a-z]+)*$|^[A-Z][A-Z0-9_]*$"
)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_MAX_LINE = 20_000  # longer lines (embedded images, minified blobs) are not scanned

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


@dataclass(frozen=True)
class SecretHit:
    """One detected secret. ``value`` never leaves this module except through ``redact``."""

    line: int
    type: str
    value: str


def redact(value: str) -> str:
    """A preview that identifies the secret to its owner without disclosing it."""
    shown = min(4, len(value) // 4)
    return f"{value[:shown]}…({len(value)} chars)"


def _looks_placeholder(value: str, test_file: bool) -> bool:
    low = value.lower()
    if any(word in low for word in _PLACEHOLDER_WORDS):
        return True
    if test_file and any(word in low for word in _TEST_WORDS):
        return True
    if any(run in low for run in _SEQUENTIAL_RUNS):
        return True  # "ghp_abcdefghijklmnop...", "sk-123456789..." are typed by hand, not issued
    if len(value) >= 12:
        # issued credentials are random; a handful of symbols is a pattern, e.g. a DNA
        # sequence "ACCAGTTGACTGATCGATGC" in a bioinformatics notebook matching the AWS prefix
        return len(set(value)) <= 5
    return len(set(low)) <= 2  # "aaaaaaaa", "00000000"


def _generic_value_ok(value: str, line: str, quoted_only: bool) -> bool:
    """Does a keyword-matched value look like a real credential rather than a name or reference?"""
    if len(value) < 6 or _IDENTIFIER.match(value) or any(c.isspace() for c in value):
        return False  # names, references and prose ("Hugging Face Token") are not credentials
    if value.lower() in _PLACEHOLDER_PASSWORDS:
        return False
    if quoted_only and f'"{value}"' not in line and f"'{value}'" not in line:
        return False
    if heuristic.is_indirect_reference(line):
        return False
    return bool(_ENTROPY.calculate_shannon_entropy(value) >= 2.5)


def _basic_auth_ok(value: str, line: str) -> bool:
    if value.lower() in _PLACEHOLDER_PASSWORDS or value.startswith(("$", "%", "{")):
        return False
    user = re.search(r"://([^:/@\s]+):" + re.escape(value) + "@", line)
    return not (user and user.group(1) == value)  # postgres:postgres style local defaults


def scan_lines(
    lines: Iterable[tuple[int, str]], filetype: FileType, test_file: bool, quoted_only: bool
) -> Iterator[SecretHit]:
    """Secrets in ``(line number, text)`` pairs; each (line, value) once, most specific type first."""
    denylist = REGEX_BY_FILETYPE.get(filetype, QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
    previous = ""
    for number, line in lines:
        if len(line) > _MAX_LINE:
            previous = line
            continue
        found: dict[str, str] = {}
        for plugin in _SPECIFIC_PLUGINS:
            for value in plugin.analyze_string(line):
                found.setdefault(_whole_token(plugin, line, value), plugin.secret_type)
        low = line.lower()
        if any(stem in low for stem in _KEYWORD_STEMS):
            for value in _KEYWORD.analyze_string(line, denylist_regex_to_group=denylist):
                found.setdefault(value, _KEYWORD.secret_type)
        if any(stem in low for stem in _TOKEN_STEMS):
            for value in _TOKEN_ASSIGNMENT.analyze_string(line):
                if value not in found and _ENTROPY.calculate_shannon_entropy(value) >= 3.5:
                    found[value] = _TOKEN_ASSIGNMENT.secret_type
        if found:
            yield from _filtered(number, line, previous, found, test_file, quoted_only)
        previous = line


def _whole_token(plugin: Any, line: str, value: str) -> str:
    """The full token when a plugin's pattern captured only its prefix (``ghp`` of ``ghp_...``)."""
    if len(value) >= 8:
        return value
    for regex in getattr(plugin, "denylist", ()):
        for match in regex.finditer(line):
            whole = str(match.group(0))
            if value in match.groups() and whole.startswith(value) and len(whole) > len(value):
                return whole
    return value


def _filtered(
    number: int, line: str, previous: str, found: dict[str, str], test_file: bool, quoted_only: bool
) -> Iterator[SecretHit]:
    if _FAKE_MARKER.search(line):
        return
    snippet = CodeSnippet(snippet=[previous, line], start_line=max(number - 1, 1), target_index=1)
    if is_line_allowlisted(filename="x.py", line=line, context=snippet):
        return  # `# pragma: allowlist secret` (on the line or the line before)
    # the same text found twice (e.g. a key inside a keyword match) is reported once
    values = sorted(found, key=len, reverse=True)
    for value in values:
        kind = found[value]
        if any(value != other and value in other for other in values):
            continue
        if (
            heuristic.is_sequential_string(value)
            or heuristic.is_potential_uuid(value)
            or heuristic.is_templated_secret(value)
            or heuristic.is_prefixed_with_dollar_sign(value)
            or heuristic.is_not_alphanumeric_string(value)
            or _looks_placeholder(value, test_file)
        ):
            continue
        if kind in _GENERIC_TYPES:
            if test_file:
                continue  # generic passwords in tests are conventionally fake
            if kind == "Basic Auth Credentials" and not _basic_auth_ok(value, line):
                continue
            if kind == "Secret Keyword" and not _generic_value_ok(value, line, quoted_only):
                continue
        yield SecretHit(number, kind, value)


def _notebook_strings(raw_lines: list[str]) -> Iterator[tuple[int, str]]:
    """Decoded JSON string values per line of a notebook file (cell sources and outputs)."""
    for number, raw in enumerate(raw_lines, start=1):
        if '"' not in raw or len(raw) > _MAX_LINE or raw.lstrip().startswith('"image/'):
            continue
        for match in _JSON_STRING.finditer(raw):
            try:
                text = json.loads(match.group(0))
            except ValueError:
                continue
            if isinstance(text, str) and len(text) > 5:
                yield number, text.rstrip("\n")


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
            "line is reported once, naming the secret type(s) and a redacted preview (first few "
            "characters and the length); the secret itself never appears in any output.\n\n"
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

    def check_module(self, ctx: ModuleContext) -> Iterator[Hit]:
        if ctx.notebook is not None:
            return  # the notebook's raw JSON (sources and outputs) is scanned in check_text
        test_file = bool(_TEST_PATH.search(ctx.path))
        hits = scan_lines(enumerate(ctx.lines, start=1), FileType.PYTHON, test_file, True)
        yield from _to_hits(hits, "source code", raw=False)

    def check_text(self, ctx: TextContext) -> Iterator[Hit]:
        test_file = bool(_TEST_PATH.search(ctx.path))
        if ctx.notebook is not None:
            source_lines = {entry[1] for entry in ctx.notebook.line_map.values()}
            found = list(scan_lines(_notebook_strings(ctx.lines), FileType.PYTHON, test_file, True))
            for line, group in _group(found):
                where = "a notebook cell" if line in source_lines else "a saved notebook output"
                yield _hit(line, group, where, raw=True)
            return
        suffix = PurePosixPath(ctx.path).suffix.lower()
        name = PurePosixPath(ctx.path).name
        if suffix not in _CONFIG_SUFFIXES and ctx.requirements is None:
            return
        if name.startswith(".env") or name.endswith(".env"):
            suffix = ".env"
        filetype = _FILETYPE_BY_SUFFIX.get(suffix, FileType.OTHER)
        hits = scan_lines(enumerate(ctx.lines, start=1), filetype, test_file, suffix == ".json")
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
    kinds = sorted({h.type for h in group}, key=lambda k: (k in _GENERIC_TYPES, k))
    previews = ", ".join(f"`{redact(h.value)}`" for h in group)
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
