"""Finding the line of a key in a plan file, for error messages that name it."""

from __future__ import annotations

import json
import re


# --------------------------------------------------------------------------- key → line
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")


def _split_dotted(name: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', name)
    return [a or b or c for a, b, c in parts]


def _key_pattern(key: str) -> re.Pattern:
    quoted = re.escape(key)
    return re.compile(rf'^\s*(?:{quoted}|"{quoted}"|\'{quoted}\')\s*(?:=|\.)')


def _inline_key(key: str) -> re.Pattern:
    quoted = re.escape(key)
    return re.compile(rf'(?:^|[{{,\s])(?:{quoted}|"{quoted}"|\'{quoted}\')\s*=')


def _scan_elements(lines: list[str], row: int, col: int) -> list[tuple[int, int, int, int]]:
    """From the `=` of `key = [...]`, the (line, col) start and end of each top-level `{...}` element."""
    found = []
    depth_sq = 0
    depth_br = 0
    start = None
    in_str = None
    r, c = row, col
    while r < len(lines):
        text = lines[r]
        while c < len(text):
            ch = text[c]
            if in_str:
                if ch == "\\" and in_str == '"':
                    c += 2
                    continue
                if ch == in_str:
                    in_str = None
            elif ch in "\"'":
                in_str = ch
            elif ch == "#":
                break
            elif ch == "[":
                depth_sq += 1
            elif ch == "]":
                depth_sq -= 1
                if depth_sq == 0:
                    return found
            elif ch == "{":
                if depth_br == 0 and depth_sq == 1:
                    start = (r, c)
                depth_br += 1
            elif ch == "}":
                depth_br -= 1
                if depth_br == 0 and depth_sq == 1 and start:
                    found.append((start[0], start[1], r, c))
                    start = None
            c += 1
        r += 1
        c = 0
    return found


def locate_key(text: str, path: list) -> int | None:
    """The 1-based line of a key path like ["plans", "senior", "tiers", 1, "rate"] (tomllib has no positions)."""
    lines = text.splitlines()
    headers = []
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if m and "=" not in line:
            headers.append((i, m.group(1) == "[[", _split_dotted(m.group(2))))
    # which table holds the path: the longest header that prefixes it
    lo, hi, rest, best = 0, len(lines), list(path), None
    first_header = headers[0][0] if headers else len(lines)
    hi = first_header
    for length in range(len(path), 0, -1):
        prefix = [p for p in path[:length]]
        if any(isinstance(p, int) for p in prefix):
            continue
        matches = [h for h in headers if h[2] == prefix]
        if not matches:
            continue
        rest = list(path[length:])
        if matches[0][1] and rest and isinstance(rest[0], int):  # [[array.of.tables]]
            index = rest.pop(0)
            if index >= len(matches):
                return matches[-1][0] + 1
            row = matches[index][0]
        else:
            row = matches[0][0]
        later = [h[0] for h in headers if h[0] > row]
        lo, hi, best = row + 1, (later[0] if later else len(lines)), row + 1
        break
    if not rest:
        return best
    key = rest.pop(0)
    pattern = _key_pattern(str(key))
    row = next((i for i in range(lo, hi) if pattern.match(lines[i])), None)
    if row is None:
        return best
    best = row + 1
    col = lines[row].find("=")
    if rest and isinstance(rest[0], int):
        elements = _scan_elements(lines, row, col)
        index = rest.pop(0)
        if index >= len(elements):
            return best
        r0, c0, r1, c1 = elements[index]
        best = r0 + 1
        if rest:
            inner = _inline_key(str(rest[0]))
            for r in range(r0, r1 + 1):
                segment = lines[r][(c0 if r == r0 else 0):(c1 + 1 if r == r1 else None)]
                if inner.search(segment):
                    return r + 1
        return best
    if rest:
        inner = _inline_key(str(rest[0]))
        for r in range(row, min(hi, row + 50)):
            if inner.search(lines[r][col + 1:] if r == row else lines[r]):
                return r + 1
    return best


def dotted(path: list) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = str(part)
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                name = json.dumps(name, ensure_ascii=False)
            out += ("." if out else "") + name
    return out


