"""Text normalisation shared by training and serving."""

import re

_WS = re.compile(r"\s+")


def normalise_title(title: str) -> str:
    return _WS.sub(" ", title.lower()).strip()


def item_text(title: str, description: str, max_chars: int = 512) -> str:
    text = f"{normalise_title(title)} [SEP] {description.strip()}"
    return text[:max_chars]
