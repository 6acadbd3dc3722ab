"""Turn a notebook into one analysable module and map its lines back to the .ipynb file.

Code cells are concatenated in stored order (the order a clean "run all"
uses). IPython magics and shell escapes are replaced by harmless Python of
the same line count, so line numbers stay aligned. Every module line knows
its cell and the line of the ``.ipynb`` text holding it, which is where a
GitHub inline comment must land.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

# Cell magics whose body is not Python: the whole cell is blanked.
_FOREIGN_CELL_MAGICS = {
    "bash",
    "sh",
    "script",
    "html",
    "javascript",
    "js",
    "latex",
    "markdown",
    "svg",
    "sql",
    "writefile",
    "perl",
    "ruby",
    "file",
    "system",
    "sx",
    "cmd",
    "powershell",
}
_MAGIC_ASSIGN = re.compile(r"^(\s*)([A-Za-z_][\w\s,.\[\]]*?)\s*=\s*[!%]")
_MAGIC_LINE = re.compile(r"^(\s*)(%|!)")
_HELP_LINE = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$|^(\s*)\?{1,2}[\w.]+\s*$")
_CELL_TYPE_KEY = re.compile(r'(?<!\\)"cell_type"\s*:')
_SOURCE_KEY = re.compile(r'(?<!\\)"source"\s*:')


class NotebookError(ValueError):
    pass


@dataclass
class CodeCell:
    index: int  # position among all cells of the notebook
    source_lines: list[str]
    execution_count: int | None
    has_outputs: bool


@dataclass
class Notebook:
    """A parsed notebook with its concatenated code and line map."""

    raw_text: str
    cells: list[CodeCell]
    source: str = ""
    # module line (1-based) -> (cell index, ipynb line)
    line_map: dict[int, tuple[int, int]] = field(default_factory=dict)
    magic_lines: set[int] = field(default_factory=set)

    def to_file_line(self, module_line: int) -> tuple[int, int | None]:
        """Return (.ipynb line, cell index) for a module line; falls back to line 1."""
        entry = self.line_map.get(module_line)
        if entry is None:
            return 1, None
        return entry[1], entry[0]


def _cell_source(cell: dict[str, object]) -> list[str]:
    src = cell.get("source", [])
    if isinstance(src, str):
        text = src
    elif isinstance(src, list) and all(isinstance(s, str) for s in src):
        text = "".join(src)
    else:
        raise NotebookError("cell source is neither a string nor a list of strings")
    return text.splitlines()


def _neutralise(lines: list[str]) -> tuple[list[str], set[int]]:
    """Replace magics/shell escapes with Python of the same shape; return replaced indexes."""
    if lines and lines[0].lstrip().startswith("%%"):
        name = lines[0].lstrip()[2:].split(maxsplit=1)[0] if lines[0].strip() != "%%" else ""
        if name in _FOREIGN_CELL_MAGICS:
            return ["" for _ in lines], set(range(len(lines)))
        return ["", *lines[1:]], {0}
    out: list[str] = []
    replaced: set[int] = set()
    continuing = False
    for i, line in enumerate(lines):
        if continuing:
            # continuation of a magic line ending in a backslash
            out.append("")
            replaced.add(i)
            continuing = line.rstrip().endswith("\\")
            continue
        m = _MAGIC_ASSIGN.match(line)
        if m and not re.match(r"^\s*[\w.\[\]]+\s*[!=<>]=", line):
            out.append(f"{m.group(1)}{m.group(2).strip()} = None")
            replaced.add(i)
            continuing = line.rstrip().endswith("\\")
            continue
        m2 = _MAGIC_LINE.match(line)
        if m2 or _HELP_LINE.match(line):
            indent = m2.group(1) if m2 else re.match(r"^\s*", line).group(0)  # type: ignore[union-attr]
            out.append(f"{indent}pass" if indent else "")
            replaced.add(i)
            continuing = line.rstrip().endswith("\\")
            continue
        out.append(line)
    return out, replaced


def _line_of(newlines: list[int], pos: int) -> int:
    """1-based line holding offset ``pos``; ``newlines`` are the offsets of every newline."""
    return bisect.bisect_left(newlines, pos) + 1


def _locate_source_lines(
    raw: str,
    newlines: list[int],
    cell_positions: list[int],
    cell_index: int,
    lines: list[str],
    one_string: bool,
) -> list[int]:
    """Find the .ipynb line holding each source line of one cell.

    Jupyter writes each source line as its own JSON string on its own line, so
    the encoded string is searched for after the cell's ``"source"`` key. When
    a line cannot be found (hand-written JSON, one-string sources) the line of
    the ``"source"`` key is used: still inside the right cell.
    """
    start = cell_positions[cell_index] if cell_index < len(cell_positions) else 0
    end = cell_positions[cell_index + 1] if cell_index + 1 < len(cell_positions) else len(raw)
    key = _SOURCE_KEY.search(raw, start, end)
    cursor = key.end() if key else start
    fallback = _line_of(newlines, cursor)
    if one_string:
        return [fallback for _ in lines]  # one JSON string holds the whole cell
    result: list[int] = []
    for idx, line in enumerate(lines):
        # Jupyter ends every stored line but the last with "\n"; other writers end the last one too
        candidates = (line + "\n", line) if idx < len(lines) - 1 else (line, line + "\n")
        pos = -1
        for candidate in candidates:
            for ascii_only in (False, True):
                needle = json.dumps(candidate, ensure_ascii=ascii_only)
                pos = raw.find(needle, cursor, end)
                if pos >= 0:
                    break
            if pos >= 0:
                break
        if pos >= 0:
            result.append(_line_of(newlines, pos))
            cursor = pos + 1
        else:
            result.append(result[-1] if result else fallback)
    return result


def load_notebook(raw_text: str) -> Notebook:
    """Parse notebook JSON; raise NotebookError with a one-line reason when it is broken."""
    try:
        data = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"invalid notebook JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        if isinstance(data, dict) and isinstance(data.get("worksheets"), list):
            raise NotebookError(
                "nbformat 3 notebooks are not supported; convert with `jupyter nbconvert --to notebook`"
            )
        raise NotebookError("not a notebook: no 'cells' list")
    cell_positions = [m.start() for m in _CELL_TYPE_KEY.finditer(raw_text)]
    newlines = [m.start() for m in re.finditer("\n", raw_text)]
    if len(cell_positions) != len(data["cells"]):
        cell_positions = []  # unusual layout; fall back to sequential search
    nb = Notebook(raw_text=raw_text, cells=[])
    module_lines: list[str] = []
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {index} is not an object")
        if cell.get("cell_type") != "code":
            continue
        lines = _cell_source(cell)
        count = cell.get("execution_count")
        nb.cells.append(
            CodeCell(
                index=index,
                source_lines=lines,
                execution_count=count if isinstance(count, int) else None,
                has_outputs=bool(cell.get("outputs")),
            )
        )
        neutral, replaced = _neutralise(lines)
        file_lines = (
            _locate_source_lines(
                raw_text,
                newlines,
                cell_positions,
                index,
                lines,
                isinstance(cell.get("source"), str),
            )
            if cell_positions
            else [1 for _ in lines]
        )
        for offset, text in enumerate(neutral):
            module_lines.append(text)
            mline = len(module_lines)
            nb.line_map[mline] = (index, file_lines[offset])
            if offset in replaced:
                nb.magic_lines.add(mline)
        module_lines.append("")  # cell separator keeps cells syntactically apart
    nb.source = "\n".join(module_lines) + "\n"
    return nb
