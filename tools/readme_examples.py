"""Run the README's `console` examples and compare their output (and rewrite it with --update).

Why a runner of our own (checked on PyPI, 2026-12): pytest-examples 0.0.18 runs only
Python code blocks (print output in `#>` comments); sybil 10.1 parses Python code
blocks and doctests, so a `console` block would need our own parser *and* evaluator,
with no rewrite mode; cog rewrites generated text but runs nothing by itself.
Our `console` blocks are a sequence of `$ salesctl …` commands, each with its own
output and exit code, that must run in-process (one fresh demo database per file,
the tests' frozen clock, PostgreSQL via SALESCTL_TEST_DB), and be rewritable (--update).

The format (docs/readme/*.md and the head of README.md; see docs/readme/99-readme-examples.md):

* Every ```console block is run, in order, one fresh demo company per file
  (`salesctl init --demo`, acting as zhao.min), in one working directory per file,
  at the tests' frozen clock (2026-11-27 17:30 +08:00) unless `<!-- now: ISO -->`
  precedes the block. State carries across the blocks of a file.
* `$ salesctl ARGS` is one command (a line ending in `\\` continues it). `NAME=value`
  before `salesctl` sets an environment variable, `> FILE` at the end writes stdout to
  FILE, `~/` is the test's home. Anything else (pipes, other programs) cannot run:
  mark that block `<!-- readme-test: skip (why) -->`.
* A trailing `# comment` is a comment, except `# exit N …`: the command must exit N.
  Without it the command must exit 0 — an example meant to fail says so.
* The lines after a command up to the next `$` line are its output (stdout, then
  stderr; trailing spaces and blank lines ignored; the working directory printed as
  `…`, the home directory as `~`) and must match exactly, except
  that `…` alone on a line matches any number of lines and `…` inside a line matches
  any text. A command with no lines after it must print nothing.
* `<!-- readme-test: output not shown -->` before a block: its commands are run and
  their exit codes checked, but their output is not compared (a list of flags).
* `<!-- file: NAME -->` before any fenced block writes that block's text to NAME in
  the working directory; `<!-- readme-test: file NAME` + lines + `-->` writes a hidden one.

Usage: python tools/readme_examples.py [--update] [FILE ...]
  (runs tests/test_readme.py; with --update the fragments' outputs are rewritten from
  real runs and README.md is reassembled; review `git diff` before committing)
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ELLIPSIS = "…"
DIRECTIVE = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->", re.DOTALL)
NOW = re.compile(r"<!--\s*now:\s*(\S+)\s*-->")
FILE = re.compile(r"<!--\s*file:\s*(\S+)\s*-->")
START, END = "<!-- sections:start -->", "<!-- sections:end -->"
EXIT = re.compile(r"^exit\s+(\d+)\b")


class ExampleError(Exception):
    """An example the runner cannot run as written (say how to mark it)."""


@dataclass
class Command:
    line: int  # 1-based line of the `$` in its file
    raw: list[str]  # the command's lines as written (with `$` and continuations)
    output: list[str]  # the output lines as written (trailing blank lines removed)
    blanks: int = 0  # blank lines after the output (kept on --update)
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    redirect: str | None = None
    exit_code: int = 0
    shown: bool = True  # False: the block's outputs are not shown (exit code only)


@dataclass
class Block:
    path: Path
    line: int  # line of the opening fence
    end: int  # line of the closing fence
    commands: list[Command]
    skip: str | None = None
    output_shown: bool = True
    now: str | None = None
    files: list[tuple[str, str]] = field(default_factory=list)  # written before the block runs


@dataclass
class Fragment:
    path: Path
    lines: list[str]
    blocks: list[Block]
    files: list[tuple[str, str]]  # (name, text) in order of appearance, before the block that follows


@dataclass
class Outcome:
    command: Command
    exit_code: int
    output: list[str]

    @property
    def ok(self) -> bool:
        c = self.command
        return self.exit_code == c.exit_code and (not c.shown or matches(c.output, self.output))


# --------------------------------------------------------------------------- parsing
def split_comment(text: str) -> tuple[str, str]:
    """`cmd args  # note` → ("cmd args", "note"); a # inside quotes or a word is not a comment."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i + 1:].strip()
    return text, ""


def parse_command(cmd: Command, home: str = "~") -> None:
    joined = " ".join(part.rstrip("\\").strip() for part in cmd.raw)
    joined = joined[1:].strip() if joined.startswith("$") else joined
    text, comment = split_comment(joined)
    m = EXIT.match(comment)
    cmd.exit_code = int(m.group(1)) if m else 0
    tokens = shlex.split(text)
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        name, value = tokens.pop(0).split("=", 1)
        cmd.env[name] = value
    if not tokens or tokens[0] != "salesctl":
        raise ExampleError(f"line {cmd.line}: only `salesctl …` runs here; mark the block "
                           "`<!-- readme-test: skip (reason) -->`")
    tokens = tokens[1:]
    if len(tokens) >= 2 and tokens[-2] == ">":
        cmd.redirect = tokens[-1]
        tokens = tokens[:-2]
    if any(t in ("|", "||", "&&", ";", ">", ">>", "<", "2>") for t in tokens):
        raise ExampleError(f"line {cmd.line}: shell operators do not run here; mark the block "
                           "`<!-- readme-test: skip (reason) -->`")
    cmd.argv = [home + t[1:] if t.startswith("~/") or t == "~" else t for t in tokens]


def parse(path: Path) -> Fragment:
    original = lines = path.read_text(encoding="utf-8").splitlines()
    if path.name == "README.md":  # its assembled sections are run from docs/readme/ (tests check it is current)
        text = "\n".join(lines)
        if START in text and END in text:
            a = lines.index(START)
            b = lines.index(END)
            lines = lines[:a] + [""] * (b - a + 1) + lines[b + 1:]
    blocks: list[Block] = []
    files: list[tuple[str, str]] = []
    pending: dict = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("<!--"):
            end = i
            while "-->" not in lines[end] and end + 1 < len(lines):
                end += 1
            comment = "\n".join(lines[i:end + 1]).strip()
            if m := NOW.fullmatch(comment):
                pending["now"] = m.group(1)
            elif m := FILE.fullmatch(comment):
                pending["file"] = m.group(1)
            elif m := DIRECTIVE.fullmatch(comment):
                body = m.group(1)
                if body.startswith("file "):
                    name, _, text = body[5:].partition("\n")
                    files.append((name.strip(), text.strip("\n") + "\n"))
                elif body.startswith("skip"):
                    reason = body[4:].strip().strip("()").strip()
                    if not reason:
                        raise ExampleError(f"{path.name}:{i + 1}: a skip names its reason: skip (why)")
                    pending["skip"] = reason
                elif body == "output not shown":
                    pending["output_shown"] = False
                else:
                    raise ExampleError(f"{path.name}:{i + 1}: unknown readme-test directive {body!r}")
            i = end + 1
            continue
        if stripped.startswith("```"):
            fence_start = i
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            body = lines[i + 1:j]
            if "file" in pending:
                files.append((pending.pop("file"), "\n".join(body) + "\n"))
            if stripped == "```console":
                block = Block(path, fence_start + 1, j + 1, _commands(path, body, fence_start + 2),
                              skip=pending.get("skip"), output_shown=pending.get("output_shown", True),
                              now=pending.get("now"))
                blocks.append(block)
                block_files = list(files)
                files.clear()
                block.files = block_files
                for cmd in block.commands:
                    cmd.shown = block.output_shown
            pending = {}
            i = j + 1
            continue
        if stripped:
            pending = {}
        i += 1
    return Fragment(path, original, blocks, files)


def _commands(path: Path, body: list[str], first_line: int) -> list[Command]:
    commands: list[Command] = []
    k = 0
    while k < len(body):
        line = body[k]
        if line.startswith("$ ") or line == "$":
            raw = [line]
            while raw[-1].rstrip().endswith("\\") and k + 1 < len(body):
                k += 1
                raw.append(body[k])
            cmd = Command(first_line + k - len(raw) + 1, raw, [])
            commands.append(cmd)
        elif commands:
            commands[-1].output.append(line.rstrip())
        elif line.strip():
            raise ExampleError(f"{path.name}:{first_line + k}: a console block starts with `$ command`")
        k += 1
    for cmd in commands:
        while cmd.output and not cmd.output[-1]:
            cmd.output.pop()
            cmd.blanks += 1
    return commands


# --------------------------------------------------------------------------- comparing
def normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def pattern(expected: list[str]) -> re.Pattern:
    parts = []
    for line in expected:
        if line.strip() == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split(ELLIPSIS)) + r"\n")
    return re.compile("".join(parts))


def matches(expected: list[str], actual: list[str]) -> bool:
    """The README's lines against what the command printed (`…` elides, see the module docstring)."""
    text = "".join(line + "\n" for line in actual)
    return pattern(expected).fullmatch(text) is not None


# --------------------------------------------------------------------------- running
def run_fragment(fragment: Fragment, invoke, workdir: Path, home: str) -> list[Outcome]:
    """Run every block of one file in order; invoke(argv, env, now) → (exit_code, stdout, stderr)."""
    outcomes: list[Outcome] = []
    for block in fragment.blocks:
        for name, text in block.files:
            target = Path(home) / name[2:] if name.startswith("~/") else workdir / name
            target.write_text(text, encoding="utf-8")
            target.chmod(0o600)  # as a user keeps them: a password file others may read is refused
        if block.skip:
            continue
        for cmd in block.commands:
            parse_command(cmd, home)
            code, out, err = invoke(cmd.argv, cmd.env, block.now)
            if cmd.redirect:
                (workdir / cmd.redirect).write_text(out, encoding="utf-8")
                out = ""
            actual = [line.replace(str(workdir), ELLIPSIS).replace(home, "~")  # where the test runs varies
                      for line in normalise(out) + normalise(err)]
            outcomes.append(Outcome(cmd, code, actual))
    return outcomes


def report(fragment: Fragment, outcomes: list[Outcome]) -> str:
    """A readable account of every failing command (empty when all passed)."""
    out = []
    for o in outcomes:
        if o.ok:
            continue
        c = o.command
        out.append(f"{fragment.path.name}:{c.line}: $ {' '.join(c.raw)[1:].strip()}")
        if o.exit_code != c.exit_code:
            out.append(f"  exit {o.exit_code}, README expects {c.exit_code}"
                       + ("" if c.exit_code else " (an example meant to fail says `# exit N`)"))
        if c.shown and not matches(c.output, o.output):
            out.append("  README shows:")
            out += [f"    | {line}" for line in c.output] or ["    (nothing)"]
            out.append("  it printed:")
            out += [f"    | {line}" for line in o.output] or ["    (nothing)"]
    return "\n".join(out)


def rewrite(fragment: Fragment, outcomes: list[Outcome]) -> str:
    """The file's text with each shown output that no longer matches replaced by the real one."""
    lines = list(fragment.lines)
    replacements = []
    by_line = {o.command.line: o for o in outcomes}
    for block in fragment.blocks:
        if block.skip or not block.output_shown:
            continue
        for cmd in block.commands:
            o = by_line.get(cmd.line)
            if o is None or matches(cmd.output, o.output):
                continue
            start = cmd.line - 1 + len(cmd.raw)  # 0-based index of the first output line
            new = list(o.output)
            if new and not cmd.blanks and cmd is not block.commands[-1]:
                new.append("")  # a blank line before the next command
            replacements.append((start, start + len(cmd.output), new))
    for start, end, new in sorted(replacements, reverse=True):
        lines[start:end] = new
    return "\n".join(lines) + "\n"


def example_files() -> list[Path]:
    return [ROOT / "README.md"] + sorted((ROOT / "docs" / "readme").glob("*.md"))


def main(argv: list[str]) -> int:
    update = "--update" in argv
    names = [a for a in argv if not a.startswith("--")]
    env = dict(os.environ)
    if update:
        env["README_UPDATE"] = "1"
    args = [sys.executable, "-m", "pytest", "-n0", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "test_readme.py")]
    if names:
        args += ["-k", " or ".join(Path(n).stem for n in names)]
    code = subprocess.call(args, cwd=ROOT, env=env)
    if update:
        sys.path.insert(0, str(ROOT / "tools"))
        import build_docs

        build_docs.build_readme()
        print("README.md reassembled; review every changed output: git diff docs/readme README.md")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
