"""Secret detection for MLR303, built on detect-secrets.

Kept out of the rule module (and out of rule auto-import) because importing
detect-secrets pulls in ``requests`` and costs a few hundred milliseconds; the
rule imports this module on first use, so ``mle-review rules`` and scans that
deselect MLR303 stay fast. The plugins are instantiated once here and called
through ``analyze_string``, which never touches detect-secrets' global
settings and never runs its network verification.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
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
_ALL_STEMS = tuple(dict.fromkeys(_KEYWORD_STEMS + _TOKEN_STEMS))
GENERIC_TYPES = {"Secret Keyword", "Basic Auth Credentials"}

# Keyword regex family per file suffix (detect-secrets decides this by extension; `.env`
# and notebooks are mapped explicitly). Unknown suffixes get the quotes-required family.
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
_IDENTIFIER = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$|^[a-z]+([_-][a-z]+)*$|^[A-Z][A-Z0-9_]*$"
)
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_\-+/=.:]{16,}")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_MAX_LINE = 20_000  # longer lines (embedded images, minified blobs) are not scanned


@dataclass(frozen=True)
class SecretHit:
    """One detected secret. ``value`` never leaves this module except through ``redact``."""

    line: int
    type: str
    value: str


def redact(value: str, secret_type: str = "Secret Keyword") -> str:
    """A preview that identifies the secret to its owner without disclosing it.

    Vendor tokens start with their issuer's public prefix (``AKIA``, ``ghp_``,
    ``sk-``), so up to four characters (never more than a quarter) are shown;
    passwords and other free-form values have no such prefix, and even their
    first characters narrow a guess, so only the length is shown.
    """
    if secret_type in GENERIC_TYPES:
        return f"…({len(value)} chars)"
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
    lines: Iterable[tuple[int, str]], suffix: str, test_file: bool, quoted_only: bool
) -> Iterator[SecretHit]:
    """Secrets in ``(line number, text)`` pairs of a file with ``suffix`` (``.py``, ``.yaml``, ...).

    Each (line, value) is reported once, with the most specific type found.

    The gates (token-looking runs, keyword stems) are found on the whole text
    at once, and a provider plugin runs on a line only if one of its patterns
    matches the joined text: none of those patterns is anchored, and their
    lookarounds treat a line end like the newline joining the lines, so a
    pattern that matches a line also matches the joined text.
    """
    pairs = list(lines)
    yield from _scan([number for number, _line in pairs], [line for _number, line in pairs],
                     suffix, test_file, quoted_only)  # fmt: skip


def scan_text(
    lines: Sequence[str], suffix: str, test_file: bool, quoted_only: bool
) -> Iterator[SecretHit]:
    """``scan_lines`` for a whole file's lines numbered from 1, without building the pairs."""
    yield from _scan(None, lines, suffix, test_file, quoted_only)


def _scan(
    numbers: Sequence[int] | None,
    texts: Sequence[str],
    suffix: str,
    test_file: bool,
    quoted_only: bool,
) -> Iterator[SecretHit]:
    if not texts:
        return
    joined = "\n".join(texts)
    # A pattern that matches a line matches the joined text, so plugins with no match there are
    # skipped outright, and lines are gated only when some plugin is left.
    ascii_text = joined.isascii()
    low = joined.lower() if ascii_text else ""
    plugins = _plugins_for(joined, low if ascii_text else None)
    if ascii_text and not plugins and not any(stem in low for stem in _ALL_STEMS):
        return  # the common case: no provider pattern and no keyword stem anywhere
    filetype = _FILETYPE_BY_SUFFIX.get(suffix, FileType.OTHER)
    denylist = REGEX_BY_FILETYPE.get(filetype, QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))

    def entries(positions: Iterable[int]) -> set[int]:
        return {bisect_right(starts, pos) - 1 for pos in positions}

    token_lines: set[int] = set()
    if plugins:
        token_lines = entries(m.start() for m in _TOKEN_RUN.finditer(joined))
        for literal in ("://", "PRIVATE KEY", "PuTTY"):
            token_lines |= entries(_find_all(joined, literal))
        token_lines = {i for i in token_lines if len(texts[i]) <= _MAX_LINE}
    if ascii_text:  # lower() keeps positions, so stems can be found in the joined text
        keyword_lines = entries(pos for stem in _KEYWORD_STEMS for pos in _find_all(low, stem))
        assignment_lines = entries(pos for stem in _TOKEN_STEMS for pos in _find_all(low, stem))
    else:
        lowered = [t.lower() for t in texts]
        keyword_lines = {
            i for i, t in enumerate(lowered) if any(stem in t for stem in _KEYWORD_STEMS)
        }
        assignment_lines = {
            i for i, t in enumerate(lowered) if any(stem in t for stem in _TOKEN_STEMS)
        }
    for i in sorted(token_lines | keyword_lines | assignment_lines):
        number = numbers[i] if numbers is not None else i + 1
        line = texts[i]
        if len(line) > _MAX_LINE:
            continue
        found: dict[str, str] = {}
        if i in token_lines:
            for plugin in plugins:
                for value in plugin.analyze_string(line):
                    found.setdefault(_whole_token(plugin, line, value), plugin.secret_type)
        if i in keyword_lines:
            for value in _KEYWORD.analyze_string(line, denylist_regex_to_group=denylist):
                found.setdefault(value, _KEYWORD.secret_type)
        if i in assignment_lines:
            for value in _TOKEN_ASSIGNMENT.analyze_string(line):
                if value not in found and _ENTROPY.calculate_shannon_entropy(value) >= 3.5:
                    found[value] = _TOKEN_ASSIGNMENT.secret_type
        if found:
            previous = texts[i - 1] if i else ""
            yield from _filtered(number, line, previous, found, test_file, quoted_only)


# Cheap necessary conditions for the provider patterns, keyed by the exact pattern text, so a
# pattern that changes upstream simply loses its shortcut (it is then searched outright).
# A gate is a sequence of steps that every match passes: a literal the match contains, a tuple
# of literals one of which it contains, or a probe regex it contains. Literals of
# case-insensitive patterns are lower case and looked up in the lower-cased text. Steps are
# memoised per text, so a step shared by several patterns ("sk-", "PRIVATE KEY", the GitLab
# probe) costs one pass. Patterns that start with a literal are not gated: sre already skips to
# that literal, so searching them costs no more than a gate would.
_Step = str | tuple[str, ...] | re.Pattern[str]
_GITLAB_PROBE = re.compile(r"gl[a-z]{2,5}-")
_PATTERN_GATES: dict[str, tuple[_Step, ...]] = {
    "(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}": (),
    "aws.{0,20}?(?:key|pwd|pw|password|pass|token).{0,20}?[\\'\\\"]([0-9a-zA-Z/+]{40})[\\'\\\"]": (
        "aws",
    ),
    "AccountKey=[a-zA-Z0-9+\\/=]{88}": ("AccountKey=",),
    "(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}": (),
    "eyJ[A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+\\.?[A-Za-z0-9-_.+/=]*?": (),
    "[0-9a-z]{32}-us[0-9]{1,2}": ("-us",),
    "sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}": ("sk-", "T3BlbkFJ"),
    "SG\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9_-]{43}": (),
    "xox(?:a|b|p|o|s|r)-(?:\\d+-)+[a-z0-9]+": ("xox",),
    "sq0csp-[0-9A-Za-z\\\\\\-_]{43}": ("sq0csp-",),
    "(?:r|s)k_live_[0-9a-zA-Z]{24}": ("k_live_",),
    "(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])": ("hf_",),
    "sk-ant-[a-z]+\\d*-[A-Za-z0-9_\\-]{32,}": ("sk-", "sk-ant-"),
    "sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\\-]{20,}": (
        "sk-",
        ("sk-proj-", "sk-svcacct-", "sk-admin-"),
    ),
    "wandb\\.login\\([^)]*key\\s*=\\s*[\\\"']([0-9a-f]{40})[\\\"']": ("wandb.login(",),
    "(glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_\\-]{20,50}(?!\\w)": (_GITLAB_PROBE,),
    "GR1348941[A-Za-z0-9_\\-]{20,50}(?!\\w)": ("GR1348941",),
    "glcbt-([0-9a-fA-F]{2}_)?[A-Za-z0-9_\\-]{20,50}(?!\\w)": (_GITLAB_PROBE, "glcbt-"),
    "glimt-[A-Za-z0-9_\\-]{25}(?!\\w)": (_GITLAB_PROBE, "glimt-"),
    "glptt-[A-Za-z0-9_\\-]{40}(?!\\w)": (_GITLAB_PROBE, "glptt-"),
    "glagent-[A-Za-z0-9_\\-]{50,1024}(?!\\w)": (_GITLAB_PROBE, "glagent-"),
    "gloas-[A-Za-z0-9_\\-]{64}(?!\\w)": (_GITLAB_PROBE, "gloas-"),
    "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9-_]{70,}": ("pypi-AgE",),
    "pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9-_]{70,}": ("pypi-AgE",),
    "://[^:/\\?\\#\\[\\]@!\\$\\&'\\(\\)\\*\\+,;=\\s]+:([^:/\\?\\#\\[\\]@!\\$\\&'\\(\\)\\*\\+,;=\\s]+)@": (),
    "\\/\\/.+\\/:_authToken=\\s*((npm_.+)|([A-Fa-f0-9-]{36})).*": (":_authToken=",),
    "https://hooks\\.slack\\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+": (
        "hooks.slack.com",
    ),
    "[\\\"']username[\\\"']\\s*:\\s*[\\\"'][^\\\"']+[\\\"']\\s*,\\s*[\\\"']key[\\\"']\\s*:\\s*[\\\"']([0-9a-f]{32})[\\\"']": (
        "username",
    ),
    # no literal at all: probe for the part after the first fixed character instead (sre skips
    # to the ":" or "." and then fails within a few characters on ordinary code)
    "\\d{8,10}:[0-9A-Za-z_-]{35}": (re.compile(r":[0-9A-Za-z_-]{35}"),),
    "[MNO][a-zA-Z\\d_-]{23,25}\\.[a-zA-Z\\d_-]{6}\\.[a-zA-Z\\d_-]{27}": (
        re.compile(r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),
    ),
    "AC[a-z0-9]{32}": (),
    "SK[a-z0-9]{32}": (),
}


def _gate(pattern: str) -> tuple[_Step, ...]:
    """What ``_PATTERN_GATES`` says; the private-key headers (plain text) are grouped behind
    "PRIVATE KEY" when they contain it; any other pattern is searched outright."""
    if pattern in _PATTERN_GATES:
        return _PATTERN_GATES[pattern]
    if re.fullmatch(r"[A-Za-z0-9 -]+", pattern):
        # plain text: the private-key headers share "PRIVATE KEY"; any other is its own literal
        return ("PRIVATE KEY",) if "PRIVATE KEY" in pattern else (pattern,)
    return ()


# Every distinct (lower case?, step) once, so a text's step results fit in a list by index.
_STEPS: list[tuple[bool, _Step]] = []


def _step_indexes(steps: tuple[_Step, ...], lower: bool) -> tuple[int, ...]:
    indexes = []
    for step in steps:
        if (lower, step) not in _STEPS:
            _STEPS.append((lower, step))
        indexes.append(_STEPS.index((lower, step)))
    return tuple(indexes)


# Per plugin: its patterns with the indexes of their gate steps and whether they ignore case.
_Gate = tuple[re.Pattern[str], tuple[int, ...], bool]
_PLUGIN_GATES: tuple[tuple[Any, tuple[_Gate, ...]], ...] = tuple(
    (
        plugin,
        tuple(
            (
                regex,
                _step_indexes(_gate(regex.pattern), bool(regex.flags & re.IGNORECASE)),
                bool(regex.flags & re.IGNORECASE),
            )
            for regex in plugin.denylist
        ),
    )
    for plugin in _SPECIFIC_PLUGINS
)


def _passes(index: int, text: str, low: str) -> bool:
    lower, step = _STEPS[index]
    where = low if lower else text
    if isinstance(step, str):
        return step in where
    if isinstance(step, tuple):
        return any(literal in where for literal in step)
    return step.search(where) is not None


def _first_steps() -> tuple[tuple[str, ...], tuple[str, ...], tuple[re.Pattern[str], ...]]:
    """What a pattern needs first: its first gate step, or (ungated) the pattern itself.
    Split into literals in the text, literals in the lower-cased text and regexes; a tuple step
    contributes all its literals (one of them is needed)."""
    literals: dict[str, None] = {}
    lowered: dict[str, None] = {}
    regexes: dict[re.Pattern[str], None] = {}
    for _plugin, gates in _PLUGIN_GATES:
        for regex, steps, lower in gates:
            first = _STEPS[steps[0]][1] if steps else regex
            if isinstance(first, re.Pattern):
                regexes[first] = None
            else:
                for literal in (first,) if isinstance(first, str) else first:
                    (lowered if lower else literals)[literal] = None
    return tuple(literals), tuple(lowered), tuple(regexes)


_FIRST_LITERALS, _FIRST_LOWER_LITERALS, _FIRST_REGEXES = _first_steps()


def _any_first_step(text: str, low: str) -> bool:
    """Can any provider pattern match ``text`` at all? (A pattern matches only if its first
    gate step passes; ungated patterns are searched themselves.)"""
    return (
        any(literal in text for literal in _FIRST_LITERALS)
        or any(literal in low for literal in _FIRST_LOWER_LITERALS)
        or any(regex.search(text) for regex in _FIRST_REGEXES)
    )


def _plugins_for(text: str, low: str | None) -> tuple[Any, ...]:
    """The provider plugins with a pattern that searches ``text`` successfully.

    ``low`` is ``text.lower()`` for ASCII text, else None: case-insensitive matching also pairs
    ASCII letters with a few other characters (the Kelvin sign, the long s), so the gates of
    case-insensitive patterns are only trusted on ASCII text.
    """
    if low is not None and not _any_first_step(text, low):
        return ()  # the common case, decided without the per-pattern bookkeeping
    seen: list[bool | None] = [None] * len(_STEPS)
    found = []
    for plugin, gates in _PLUGIN_GATES:
        for regex, steps, lower in gates:
            if low is not None or not lower:
                for index in steps:
                    passed = seen[index]
                    if passed is None:
                        passed = seen[index] = _passes(index, text, low or "")
                    if not passed:
                        break
                else:
                    if regex.search(text):
                        found.append(plugin)
                        break
            elif regex.search(text):
                found.append(plugin)
                break
    return tuple(found)


def _find_all(text: str, literal: str) -> Iterator[int]:
    pos = text.find(literal)
    while pos >= 0:
        yield pos
        pos = text.find(literal, pos + 1)


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
        if kind in GENERIC_TYPES:
            if test_file:
                continue  # generic passwords in tests are conventionally fake
            if kind == "Basic Auth Credentials" and not _basic_auth_ok(value, line):
                continue
            if kind == "Secret Keyword" and not _generic_value_ok(value, line, quoted_only):
                continue
        yield SecretHit(number, kind, value)


def notebook_strings(raw_lines: list[str]) -> Iterator[tuple[int, str]]:
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
