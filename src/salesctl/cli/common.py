"""What every command shares: the global options, the error boundary, and one context per command."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import typer
from typer.core import TyperGroup


@dataclass
class GlobalOptions:
    db: str | None = None
    as_user: str | None = None
    lang: str | None = None
    now: str | None = None


state = GlobalOptions()


class DefaultAddGroup(TyperGroup):
    """A noun whose first form was one command (`staff leave HANDLE …`, `claim missed NAME …`) and that
    grew sub-commands: anything that is not a sub-command's name goes to its `add` command."""

    default = "add"

    def parse_args(self, ctx, args):
        if not args and not ctx.resilient_parsing:  # bare, as every group: its help, exit 0
            from typer._click.exceptions import NoArgsIsHelpError

            raise NoArgsIsHelpError(ctx)
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


class DefaultChangeGroup(DefaultAddGroup):
    """`meeting action ID --reassign …` changes the action; `meeting action done ID` stays as it was."""

    default = "change"


class SalesctlGroup(TyperGroup):
    """The root group: turns service errors into one stderr line and the SPEC's exit code."""

    def invoke(self, ctx):
        from salesctl.errors import SalesctlError
        from salesctl.prompts import Cancelled

        if not getattr(ctx, "_protected_args", True) and not ctx.args:  # only global options: the help, exit 0
            typer.echo(ctx.get_help())
            raise typer.Exit(0)
        try:
            return super().invoke(ctx)
        except (Cancelled, KeyboardInterrupt):  # Ctrl-C at a prompt, picker or editor: nothing was written
            _cancelled()
        except _usage_errors() as exc:  # a subcommand's bad value: one error line, not Click's usage block
            _usage_fail(exc)
        except SalesctlError as exc:
            _fail(exc.message, exc.hint, int(exc.exit_code))
        except OSError as exc:
            import errno

            if exc.errno != errno.ENAMETOOLONG:  # a path over the file system's limit, wherever it is checked
                raise
            from salesctl.messages import t

            _fail(t("err.path_too_long", path=exc.filename), None, 2)
        except Exception as exc:  # database trouble: one clear line, not a traceback
            code = _database_error(exc)
            if code is None:
                raise
            _fail(code[1], None, code[0])

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _usage_errors() as exc:  # a bad global option
            _usage_fail(exc)

    def parse_args(self, ctx, args):
        from salesctl.cli import completion

        named = completion.named_shell(args)
        if named is not None:  # `--show-completion zsh`: the named shell, not the one detected
            from salesctl.errors import SalesctlError

            try:
                completion.run(ctx, *named)
            except SalesctlError as exc:
                _fail(exc.message, exc.hint, int(exc.exit_code))
        return super().parse_args(ctx, args)

    def list_commands(self, ctx):
        from salesctl.cli import COMMANDS

        names = list(dict.fromkeys(name for name, _ in COMMANDS))
        return [n for n in names if n in self.commands or self.get_command(ctx, n) is not None]

    def get_command(self, ctx, name):
        command = self.commands.get(name)
        if command is None:
            from salesctl.cli import load_command

            command = load_command(name)
            if command is not None:
                self.commands[name] = command
        return command


def _fail(message: str, hint: str | None, code: int):
    from salesctl import render
    from salesctl.messages import t

    render.error(message)
    if hint:
        render.info(t("msg.hint", hint=hint))
    raise typer.Exit(code)


def _cancelled():
    from salesctl import render
    from salesctl.messages import t

    render.info(t("prompt.cancelled"))
    raise typer.Exit(130)
def _usage_errors():
    from typer._click.exceptions import UsageError

    return UsageError


def _usage_fail(exc):
    """Click's usage errors as one `error:` line and a hint naming the command's --help."""
    from typer._click.exceptions import NoArgsIsHelpError

    from salesctl.messages import t

    if isinstance(exc, NoArgsIsHelpError):  # a bare group (`salesctl customer`): its help on stdout, exit 0, as gh does
        typer.echo(exc.ctx.get_help())
        raise typer.Exit(0)
    command = exc.ctx.command_path if exc.ctx is not None else "salesctl"
    message = exc.format_message()
    from salesctl.messages import language

    if language() == "zh":  # Click's own words in the display language (cli/help_zh.py)
        from salesctl.cli.help_zh import words

        message = words(message)
    if len(message) > 400:  # Click echoes the value whole; keep the start and the accepted values at the end
        message = f"{message[:200]}…({len(message)} characters)…{message[-150:]}"
    _fail(message, t("err.usage_help", command=command), int(exc.exit_code))


def _database_error(exc: Exception) -> tuple[int, str] | None:
    name = type(exc).__module__
    if not name.startswith("sqlalchemy"):
        return None
    from sqlalchemy.exc import IntegrityError, OperationalError

    from salesctl.messages import t

    if isinstance(exc, IntegrityError):
        return 5, t("err.db_conflict", detail=str(exc.orig).splitlines()[0])
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501":  # row-level security, a missing grant
        return 3, t("ts.err.denied_db", detail=str(exc.orig).splitlines()[0])
    if isinstance(exc, OperationalError):
        return 2, t("err.db_error", detail=str(exc.orig).splitlines()[0])
    return None


def clock():
    from salesctl.periods import Clock

    return Clock.system(state.now)


@contextmanager
def command_context(*, write: bool = False, actor: bool = True) -> Iterator["Ctx"]:  # noqa: F821
    """Open the database (upgrading an older schema), find the acting user, yield a Ctx.

    Everything written inside commits at the end, or nothing does.
    """
    from salesctl import db
    from salesctl.services.context import Ctx

    url = db.resolve_url(state.db)
    db.ensure_ready(url)
    with db.session(url, write=write) as sess:
        if actor and not db.is_sqlite(url):
            from salesctl.services.org.staff import team_login

            team_login(sess)  # a PostgreSQL role that is no staff login stops here (exit 3)
        if not db.has_staff(sess):
            from salesctl.errors import NotInitialised
            from salesctl.messages import t

            raise NotInitialised(t(db.NOT_INITIALISED))
        ctx = Ctx(session=sess, actor=None, clock=clock(), url=url)
        if actor:
            from salesctl.services.org.staff import resolve_actor

            ctx.actor = resolve_actor(sess, state.as_user)
        yield ctx


def fmt_value(fmt) -> str:
    return fmt.value if hasattr(fmt, "value") else str(fmt)


def read_text_option(text: str | None, path: str | None, field: str) -> str | None:
    """A text given by flag, or by file (`-` for stdin); both is an error."""
    import sys

    from salesctl.errors import InvalidInput
    from salesctl.messages import t

    if text is not None and path is not None:
        raise InvalidInput(t("err.text_both", field=field))
    if path is None:
        return text
    if path == "-":
        return sys.stdin.read()
    from salesctl.inputs import read_text_file

    return read_text_file(path, f"--{field}-file")
