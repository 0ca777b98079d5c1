"""The `salesctl` command: global options and one sub-app per noun, loaded on demand.

Modules under cli/ import only typer and the option aliases at top level; the
database, the ORM and the services are imported inside command bodies, so
`salesctl --help` and `--version` stay fast. A run imports and builds only the
command group it invokes (`SalesctlGroup.get_command`), not all of them.
"""

from __future__ import annotations

import importlib
import os
from typing import Annotated, Optional

# pydantic (under SQLModel and typer) would scan every installed distribution's entry points
# for plugins on first use, importing importlib.metadata and email: ~50 ms on every command.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from salesctl import __version__
from salesctl.cli import help_zh
from salesctl.cli.common import SalesctlGroup, state

help_zh.install()  # Click's own words and the help texts in Chinese when the display language is zh

HELP = """The sales department's management system (销售部管理制度).

Quick start:

  salesctl init --demo                 # a sample company; you act as its director

  salesctl staff tree                  # the org chart

  salesctl customer list --grade A     # important customers you may see

  salesctl --as wang.fang report daily # a rep's end-of-day report

Global options go before the command; --format goes after it.

Completion: salesctl --show-completion zsh   (or bash, fish; --install-completion SHELL installs it)
"""

app = typer.Typer(
    cls=SalesctlGroup,
    help=HELP,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# (command name, module under salesctl.cli), in the order `--help` lists them. A
# module exposes `app` (a group) or `register(root)` (top-level commands).
COMMANDS = (
    ("init", "setup"),
    ("config", "config_cmd"),
    ("whoami", "config_cmd"),
    ("db", "db_cmd"),
    ("staff", "staff"),
    ("customer", "customer"),
    ("visit", "visit"),
    ("deal", "deal"),
    ("payment", "payment"),
    ("contract", "contract"),
    ("receivable", "receivable"),
    ("attach", "attach"),
    ("report", "report"),
    ("summary", "summary"),
    ("calendar", "calendar_cmd"),
    ("meeting", "meeting"),
    ("complaint", "complaint"),
    ("inbox", "inbox"),
    ("notify", "notify"),
    ("claim", "claim"),
    ("lead", "lead"),
    ("target", "target"),
    ("commission", "commission"),
    ("eval", "evaluation"),
    ("archive", "archive"),
    ("import", "imports"),
    ("export", "export"),
    ("policy", "policy_cmd"),
    ("audit", "audit_cmd"),
)


def _version(value: bool):
    if value:
        typer.echo(f"salesctl {__version__}")
        raise typer.Exit()


def _language(value: str | None):
    """Eager, so `salesctl --lang zh --help` is Chinese too; else the config file's `lang`."""
    from salesctl.messages import set_language

    if value is None and not os.environ.get("SALESCTL_LANG"):
        try:
            from salesctl.config import load_config

            value = load_config().get("lang")
        except Exception:  # a broken config file is reported by the command that reads it
            value = None
    if value is not None and value.lower() not in ("zh", "en", "zh_cn", "zh-cn", "en_us", "en-us"):
        raise typer.BadParameter(f"'{value}' is not a language; accepted: zh, en", param_hint="--lang")
    set_language(value)
    return value


def _color(value: str | None):
    if value is None or value == "auto":
        return value
    if value == "never":
        os.environ["NO_COLOR"] = "1"
        os.environ.pop("FORCE_COLOR", None)
    elif value == "always":
        os.environ.pop("NO_COLOR", None)
        os.environ["FORCE_COLOR"] = "1"
    else:
        from salesctl.messages import t

        raise typer.BadParameter(t("opt.color", value=value), param_hint="--color")
    return value


@app.callback()
def root(
    db: Annotated[Optional[str], typer.Option("--db", envvar="SALESCTL_DB", help="Database URL or SQLite file path.")] = None,
    as_user: Annotated[Optional[str], typer.Option("--as", envvar="SALESCTL_USER", help="Act as this staff handle.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", envvar="SALESCTL_LANG", callback=_language, is_eager=True, help="zh or en (default from the locale).")] = None,
    color: Annotated[Optional[str], typer.Option("--color", callback=_color, is_eager=True, metavar="auto|always|never", help="Colour: auto (default; NO_COLOR honoured), always or never.")] = None,
    now: Annotated[Optional[str], typer.Option("--now", "--today", envvar="SALESCTL_NOW", hidden=True, help="Pretend it is this date/time (reproducible reports).")] = None,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
):
    state.db = db
    state.as_user = as_user
    state.lang = lang
    state.now = now


def load_command(name: str):
    """Import the module behind a top-level command and build its click command (None if unknown)."""
    module_name = dict(COMMANDS).get(name)
    if module_name is None:
        return None
    qualified = f"salesctl.cli.{module_name}"
    try:
        module = importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return None  # a capability not built in this version
        raise
    holder = typer.Typer(rich_markup_mode=None)
    if hasattr(module, "register"):
        module.register(holder)
    else:
        holder.add_typer(module.app, name=name)

    @holder.callback()
    def _holder():  # makes typer build a group even for one command
        pass

    group = typer.main.get_command(holder)
    return group.commands.get(name)


def main() -> None:
    app(prog_name="salesctl")
