"""Assemble README.md sections from docs/readme/*.md and CHANGELOG entries from changelog.d/*.md.

README.md keeps its hand-written head; everything between the markers
`<!-- sections:start -->` and `<!-- sections:end -->` is replaced by the
fragments in file-name order. Fragments in changelog.d/ are appended under
[Unreleased] → Added and then deleted. Usage: python tools/build_docs.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- sections:start -->", "<!-- sections:end -->"


def build_readme() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    fragments = sorted((ROOT / "docs" / "readme").glob("*.md"))
    body = "\n\n".join(f.read_text(encoding="utf-8").strip() for f in fragments)
    block = f"{START}\n{body}\n{END}"
    if START in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def build_changelog() -> None:
    changelog = ROOT / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    fragments = sorted((ROOT / "changelog.d").glob("*.md"))
    lines = []
    for f in fragments:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("-", "*")) or (lines and line.startswith("  ")):
                lines.append(line.replace("* ", "- ", 1) if line.startswith("* ") else line)
    if not lines:
        return
    marker = "## [Unreleased]\n\n### Added\n"
    if marker not in text:
        raise SystemExit("CHANGELOG.md has no [Unreleased] → ### Added section")
    head, tail = text.split(marker, 1)
    changelog.write_text(head + marker + "\n".join(lines) + "\n" + tail, encoding="utf-8")
    for f in fragments:
        f.unlink()


if __name__ == "__main__":
    build_readme()
    build_changelog()
