"""`salesctl config` and `salesctl whoami`: the config file and the acting user."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from salesctl.cli.common import command_context, fmt_value
from salesctl.cli.options import FormatOpt, OutputFormat

app = typer.Typer(help="Read and change the config file (user, db, lang, policy…).", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="config")
    root.command("whoami")(whoami)


@app.command("get")
def get(key: Annotated[Optional[str], typer.Argument(help="One key; all when left out.")] = None,
        format: FormatOpt = OutputFormat.table):
    """Print a config value (or all of them).

    Example: salesctl config get user
    """
    from salesctl import config, render
    from salesctl.errors import InvalidInput, NotFound
    from salesctl.messages import t
    from salesctl.render import Column

    values = config.load_config()
    if key is not None:
        if key not in config.CONFIG_KEYS:
            raise InvalidInput(t("err.config_key_unknown", key=key, accepted=", ".join(config.CONFIG_KEYS)))
        if key not in values:
            raise NotFound(t("err.config_key_unset", key=key))
        render.write(f"{config.shown(key, values[key])}\n")
        return
    rows = [{"key": k, "value": config.shown(k, v)} for k, v in sorted(values.items())]
    render.emit_rows(rows, [Column("key"), Column("value")], fmt_value(format))


@app.command("set")
def set_(key: Annotated[str, typer.Argument(help="user, db, lang, policy, commission_plan or archive_dir.")],
         value: Annotated[str, typer.Argument(help="The new value.")]):
    """Set a config value.

    Example: salesctl config set user wang.fang
    """
    from salesctl import config, render
    from salesctl.messages import t

    if key.startswith("smtp_"):  # notifications (issue 21): checked before it is saved
        from salesctl.services.teamwork.delivery import validate_setting

        validate_setting(key, value)
    config.refuse_password(key, value)
    if key == "policy":  # the policy schema checks the file before it is configured
        from salesctl.policy_schema import validate_policy_file

        validate_policy_file(value)
    path = config.set_value(key, value)
    render.info(t("msg.config_set", key=key, path=path))


@app.command("unset")
def unset(key: Annotated[str, typer.Argument(help="user, db, lang, policy, commission_plan or archive_dir.")]):
    """Remove a config value (the rest of the file, comments included, is kept).

    Example: salesctl config unset lang
    """
    from salesctl import config, render
    from salesctl.messages import t

    path = config.unset_value(key)
    render.info(t("msg.config_unset", key=key, path=path))


@app.command("list")
def list_(format: FormatOpt = OutputFormat.table):
    """List every config key: its value (if set) and what it is for.

    Example: salesctl config list
    """
    from salesctl import config, render
    from salesctl.messages import t
    from salesctl.render import Column

    values = config.load_config()
    rows = [{"key": k, "value": values.get(k), "meaning": t(f"config.meaning.{k}")} for k in config.CONFIG_KEYS]
    render.emit_rows(rows, [Column("key", "config.col.key", keep=True), Column("value", "config.col.value", keep=True),
                            Column("meaning", "config.col.meaning")], fmt_value(format))


@app.command("path")
def path():
    """Print where the config file and the default database live.

    Example: salesctl config path
    """
    from salesctl import config, render

    render.write(f"config\t{config.config_path()}\ndatabase\t{config.default_db_path()}\n")


def whoami(format: FormatOpt = OutputFormat.table):
    """Who salesctl thinks you are (--as, SALESCTL_USER, config user, OS login).

    Example: salesctl --as wang.fang whoami
    """
    from salesctl import render
    from salesctl.services.org import staff as svc

    with command_context() as ctx:
        detail = svc.staff_detail(ctx, ctx.actor.handle)
    detail = {k: detail[k] for k in ("id", "handle", "name", "role", "manager", "region", "industry", "reviewing_manager")}
    if fmt_value(format) == "table":
        from salesctl.messages import label

        render.write(f"{detail['name']} ({detail['handle']}) — {label('role', detail['role'])}\n")
    else:
        render.emit_object(detail, fmt_value(format))
