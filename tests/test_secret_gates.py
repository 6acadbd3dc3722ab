"""The cheap gates in front of the MLR303 provider patterns never hide a match.

``_plugins_for`` skips a pattern when a literal or probe every match must
contain is absent from the text. Each pattern's matches are sampled at run time
(random values, nothing credential-shaped is committed) and embedded in code;
the gated answer must equal plainly searching every pattern.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest

from mle_review.rules._secret_scan import _PLUGIN_GATES, _plugins_for

REPO = Path(__file__).resolve().parent.parent
_ALPHABET = [chr(c) for c in range(32, 127)]
_CATEGORIES = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_SPACE": " ",
    "CATEGORY_WORD": "abcXYZ019_",
}


def _chars(items: list[tuple[Any, Any]]) -> list[str]:
    allowed: set[str] = set()
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            allowed.add(chr(arg))
        elif name == "RANGE":
            allowed.update(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY":
            allowed.update(_CATEGORIES.get(str(arg), ""))
    if negate:
        return [c for c in _ALPHABET if c not in allowed and c != "\n"]
    return sorted(allowed)


def _sample(parsed: Any, rng: random.Random) -> str:
    out = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append(rng.choice([c for c in "aZ9_-" if c != chr(arg)]))
        elif name == "ANY":
            out.append(rng.choice("aZ9_- "))
        elif name == "IN":
            out.append(rng.choice(_chars(arg)))
        elif name == "CATEGORY":
            out.append(rng.choice(_CATEGORIES[str(arg)]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = rng.randint(low, min(high, low + 3))
            out.extend(_sample(sub, rng) for _ in range(count))
        elif name == "SUBPATTERN":
            out.append(_sample(arg[-1], rng))
        elif name == "BRANCH":
            out.append(_sample(rng.choice(arg[1]), rng))
        # assertions (lookarounds, AT) add nothing; the embedding below keeps them satisfied
    return "".join(out)


_PATTERNS = [(plugin, regex) for plugin, gates in _PLUGIN_GATES for regex, _steps, _lower in gates]


def _ungated(text: str) -> tuple[Any, ...]:
    return tuple(plugin for plugin, gates in _PLUGIN_GATES if any(g[0].search(text) for g in gates))


@pytest.mark.parametrize("index", range(len(_PATTERNS)))
def test_gates_pass_every_sampled_match(index: int) -> None:
    plugin, regex = _PATTERNS[index]
    rng = random.Random(index)
    for _ in range(20):
        value = _sample(sre_parse.parse(regex.pattern, regex.flags), rng)
        if regex.flags & re.IGNORECASE and rng.random() < 0.5:
            value = value.upper()
        text = f"import os\n\nCONFIG = {{'x': 1}}\nvalue = ' {value} '\nprint(value)\n"
        if not regex.search(text):
            continue  # a sample the embedding broke (e.g. a lookaround); nothing to compare
        low = text.lower() if text.isascii() else None
        assert plugin in _plugins_for(text, low), (regex.pattern, value)
        assert _plugins_for(text, low) == _ungated(text)


def test_gates_agree_with_plain_search_on_the_repository_texts() -> None:
    roots = [REPO / "tests" / "fixtures", REPO / "benchmarks" / "corpus", REPO / "examples"]
    suffixes = {".py", ".ipynb", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".env", ".json", ".txt"}
    checked = 0
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix not in suffixes or not path.is_file():
                continue
            text = "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines())
            low = text.lower() if text.isascii() else None
            assert _plugins_for(text, low) == _ungated(text), path
            checked += 1
    assert checked > 100
