"""The one way salesctl asks a person something at a terminal: text, choice, confirmation,
password, or a text in $VISUAL/$EDITOR.

Every question goes through `unsafe_ask()`, so Ctrl-C raises `Cancelled` (never a silent None
that lets the command carry on); the CLI boundary turns it into exit 130 and one line
"cancelled, nothing written". Commands ask everything first and only then open the write
transaction, so an open prompt never holds the database's write lock.
"""

from __future__ import annotations

import os

from salesctl.errors import InvalidInput
from salesctl.messages import t


class Cancelled(Exception):
    """The person pressed Ctrl-C (or Ctrl-D) at a prompt, picker or editor."""


def _ask(question):
    try:
        answer = question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise Cancelled() from None
    if answer is None:  # defensive: questionary returns None only on interruption
        raise Cancelled()
    return answer


def text(message: str, *, default: str = "", validate=None, multiline: bool = False) -> str:
    import questionary

    instruction = t("prompt.hint.multiline") if multiline else None
    return _ask(questionary.text(message, default=default, validate=validate, multiline=multiline,
                                 instruction=instruction))


def select(message: str, choices: list[tuple[str, object]], *, default=None):
    """Pick one of (label, value) pairs; returns the value."""
    import questionary

    options = [questionary.Choice(label, value=value) for label, value in choices]
    chosen = next((o for o in options if o.value == default), None) if default is not None else None
    return _ask(questionary.select(message, choices=options, default=chosen, instruction=t("prompt.hint.select")))


def confirm(message: str, *, default: bool = False) -> bool:
    import questionary

    hint = t("prompt.hint.yes") if default else t("prompt.hint.no")
    return bool(_ask(questionary.confirm(message, default=default, instruction=hint, auto_enter=True)))


def password(message: str) -> str:
    import questionary

    return _ask(questionary.password(message))


# --------------------------------------------------------------------------- the editor
def editor_command() -> list[str] | None:
    """$VISUAL, else $EDITOR, split like a shell would; None when neither is set."""
    import shlex

    value = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
    return shlex.split(value) if value else None


def edit(initial: str, *, suffix: str = ".md", prefix: str = "salesctl-") -> str:
    """Open the editor on a temporary file holding `initial`; return what the person saved.

    An editor that cannot be started or exits non-zero is `InvalidInput` ("editor failed", exit 2);
    Ctrl-C while it runs is `Cancelled`. The file is private (0600) and removed afterwards.
    """
    import subprocess
    import tempfile

    command = editor_command()
    if not command:
        raise InvalidInput(t("prompt.err.no_editor"))
    fd, path = tempfile.mkstemp(suffix=suffix, prefix=prefix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(initial)
        try:
            result = subprocess.run([*command, path], check=False)
        except KeyboardInterrupt:
            raise Cancelled() from None
        except OSError as exc:
            raise InvalidInput(t("prompt.err.editor_failed", editor=command[0], detail=exc.strerror or str(exc))) from None
        if result.returncode < 0 and -result.returncode == 2:  # SIGINT
            raise Cancelled()
        if result.returncode != 0:
            raise InvalidInput(t("prompt.err.editor_failed", editor=command[0],
                                 detail=t("prompt.err.exit_code", code=result.returncode)))
        with open(path, encoding="utf-8-sig") as fh:
            return fh.read()
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
