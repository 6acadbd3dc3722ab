"""Cleaning text on its way to the model and on its way back.

Everything a pull request carries (title, body, code, comments) is written by
its author, who may try to steer the reviewer. Before sending, text loses what
a human reader of the PR would not see (HTML comments, zero-width and bidi
control characters, hidden markdown) so the model judges what reviewers see,
and it is wrapped in delimiters the content cannot close. On the way back the
model's words lose links, markup and mentions: the bot's comment must not
become a channel for the author's instructions.
"""

from __future__ import annotations

import re
import unicodedata

# --- characters ---------------------------------------------------------------

_KEEP_CONTROLS = {"\t", "\n"}
_LINE_SEPARATORS = {"\u2028", "\u2029", "\x85"}


def strip_invisible(text: str) -> str:
    """Drop format characters (zero-width, bidi controls, tag characters) and stray controls.

    Unicode category ``Cf`` covers U+200B-U+200F, U+202A-U+202E, U+2060-U+2064,
    U+2066-U+2069, U+FEFF and the U+E0000 tag block used to smuggle invisible
    ASCII. Other controls except tab and newline go too; CR is dropped.
    """
    out: list[str] = []
    for ch in text:
        if ch in _KEEP_CONTROLS:
            out.append(ch)
        elif ch in _LINE_SEPARATORS:
            out.append("\n")
        else:
            cat = unicodedata.category(ch)
            if cat in ("Cf", "Cc", "Co", "Cs", "Cn") and ch not in _KEEP_CONTROLS:
                continue
            out.append(ch)
    return "".join(out)


# --- HTML and hidden markdown -------------------------------------------------

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_MD_COMMENT_LINE = re.compile(
    r"^[ \t]{0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>|<#>)[^\n]*$", re.M
)  # [//]: # (hidden), [comment]: <> (hidden)
_HIDDEN_ELEMENT = re.compile(
    r"<(?P<tag>[a-zA-Z][a-zA-Z0-9]*)\b(?P<attrs>[^>]*?)"
    r"(?:\bhidden\b|display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0(?:\.0+)?\b)"
    r"[^>]*>.*?(?:</(?P=tag)\s*>|\Z)",
    re.S | re.I,
)
_DROP_ELEMENT = re.compile(
    r"<(script|style|template|noscript)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I
)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\n]*)\)")
_MD_REF_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\[[^\]\n]*\]")
_MD_LINK_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.M)


def strip_html_comments(text: str) -> str:
    return _HTML_COMMENT.sub("", text)


def strip_hidden_markdown(text: str) -> str:
    """Remove content a rendered PR description does not show.

    Comment-style link definitions, elements marked hidden or styled invisible,
    scripts/styles, image alt text (never visible when the image loads), link
    targets and titles; remaining tags are dropped but their text kept.
    """
    text = _MD_COMMENT_LINE.sub("", text)
    text = _DROP_ELEMENT.sub("", text)
    # Hidden elements may nest; repeat until stable (bounded).
    for _ in range(5):
        new = _HIDDEN_ELEMENT.sub("", text)
        if new == text:
            break
        text = new
    text = _MD_IMAGE.sub("[image]", text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _MD_REF_LINK.sub(lambda m: m.group(1), text)
    text = _MD_LINK_DEF.sub("", text)
    return _TAG.sub("", text)


_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def sanitize_pr_text(text: str, max_chars: int = 20_000) -> str:
    """Title/body/comment text as a reader sees it, bounded in length."""
    text = strip_invisible(text)
    text = strip_html_comments(text)
    text = strip_hidden_markdown(text)
    text = _BLANK_RUNS.sub("\n\n", text).strip()
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + "\n[... truncated]"
    return text


def sanitize_code_lines(lines: list[str]) -> list[str]:
    """Per-line cleaning of diff content that keeps the line count (anchoring needs it).

    HTML comments are blanked even across lines: in markdown and notebooks
    they hide text from reviewers; in Python they are harmless to lose.
    """
    out: list[str] = []
    in_comment = False
    for raw in lines:
        line = strip_invisible(raw).replace("\n", " ")
        buf: list[str] = []
        i = 0
        while i < len(line):
            if in_comment:
                end = line.find("-->", i)
                if end < 0:
                    i = len(line)
                else:
                    in_comment = False
                    i = end + 3
            else:
                start = line.find("<!--", i)
                if start < 0:
                    buf.append(line[i:])
                    break
                buf.append(line[i:start])
                in_comment = True
                i = start + 4
        out.append("".join(buf).rstrip() if buf else "")
    return out


# --- delimiting ---------------------------------------------------------------

BLOCK_TAG = "untrusted_data"
_TAG_LOOKALIKE = re.compile(
    r"<\s*(/?)\s*(untrusted[_\s-]*data|deterministic[_\s-]*findings|instructions?)", re.I
)


def neutralize_delimiters(text: str) -> str:
    """Make any look-alike of our block tags inert so content cannot close its own block."""
    return _TAG_LOOKALIKE.sub(lambda m: f"[{m.group(1)}{m.group(2)}", text)


_ATTR_UNSAFE = re.compile(r"[^A-Za-z0-9._/+@=:,~ -]")


def attr_value(text: str, limit: int = 200) -> str:
    """A file path or label made safe to sit inside a delimiter's attribute."""
    return _ATTR_UNSAFE.sub("_", strip_invisible(text))[:limit]


def wrap_untrusted(kind: str, content: str, **attrs: str) -> str:
    """Wrap untrusted content in a delimited block the content cannot terminate."""
    extra = "".join(f' {k}="{attr_value(v)}"' for k, v in attrs.items())
    return f'<{BLOCK_TAG} kind="{kind}"{extra}>\n{neutralize_delimiters(content)}\n</{BLOCK_TAG}>'


# --- model output -------------------------------------------------------------

_URL = re.compile(
    r"(?i)\b(?:https?|ftp|file|data|javascript|vbscript|mailto|ssh|git|s3|gs):(?://)?[^\s<>\"'`]+"
    r"|\bwww\.[^\s<>\"'`]+"
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,24}(?::\d+)?/[^\s<>\"'`]*"  # host.tld/path without a scheme
)
_AUTOLINK = re.compile(r"<[^<>\s]+(?::|@)[^<>\s]*>")
_MENTION = re.compile(r"(?<![\w`])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9_.-]+)?)")
LINK_REMOVED = "[link removed]"


def strip_links(text: str) -> str:
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _AUTOLINK.sub(LINK_REMOVED, text)
    return _URL.sub(LINK_REMOVED, text)


def clean_model_text(text: str, max_chars: int = 600, single_line: bool = True) -> str:
    """Model prose made safe to post: no links, markup, mentions or hidden characters."""
    text = strip_invisible(text)
    text = strip_html_comments(text)
    text = _DROP_ELEMENT.sub("", text)
    text = strip_links(text)
    text = _TAG.sub("", text)
    text = _MENTION.sub(lambda m: f"`@{m.group(1)}`", text)
    text = " ".join(text.split()) if single_line else _BLANK_RUNS.sub("\n\n", text).strip()
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def clean_model_quote(text: str, max_chars: int = 400) -> str:
    """A code quote from the model: invisible characters out, links out, length bounded."""
    text = strip_links(strip_invisible(text))
    if len(text) > max_chars:
        text = text[:max_chars]
    return text
