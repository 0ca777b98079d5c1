"""`salesctl init`: create (or upgrade) the database and its first user, or the demo company."""

from __future__ import annotations

from typing import Annotated, Optional

import typer


def register(root: typer.Typer) -> None:
    root.command("init")(init)


def init(
    admin: Annotated[Optional[str], typer.Option("--admin", help="Handle of the first user.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Display name of the first user.")] = None,
    role: Annotated[str, typer.Option("--role", help="gm or director.")] = "gm",
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo company and act as its director.")] = False,
):
    """Create or upgrade the database and its first user.

    Example: salesctl init --admin chen.jian --name 陈建 --role gm   (or: salesctl init --demo)
    """
    from salesctl import config, db, render
    from salesctl.cli.common import clock, state
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.context import Ctx

    if not demo:
        missing = [flag for flag, value in (("--admin", admin), ("--name", name)) if not value]
        if missing:
            raise InvalidInput(t("err.init_required", fields=t("msg.list_and").join(missing)))
        if role not in ("gm", "director"):
            raise InvalidInput(t("err.init_role", value=role))
    url = db.resolve_url(state.db)
    before, after = db.upgrade(url)
    if before is not None and before != after:
        render.info(t("msg.upgraded", before=before, after=after))
    with db.session(url, write=True) as sess:
        if db.has_staff(sess):
            render.info(t("msg.init_exists", rev=after))
            return
        ctx = Ctx(session=sess, actor=None, clock=clock(), url=url)
        if demo:
            from salesctl.services.io.demo import load_demo

            summary = load_demo(ctx)
            handle = summary["handle"]
        else:
            from salesctl.services.org.staff import add_staff

            person = add_staff(ctx, admin, name=name, role=role, bootstrap=True)
            handle = person.handle
        if not db.is_sqlite(url):
            from salesctl import rls

            conn = sess.connection()
            if rls.may_create_roles(conn):
                rls.ensure_group(conn)  # this database's group role and its grants (the role prefix is recorded)
            else:
                render.info(t("ts.msg.no_group", role=conn.exec_driver_sql("SELECT current_user").scalar()))
    current = config.load_config()
    if demo or not current.get("user"):
        config.set_value("user", handle)
    if demo:
        render.info(t("msg.demo_loaded", staff=summary["staff"], customers=summary["customers"],
                      visits=summary["visits"], handle=handle))
    else:
        render.info(t("msg.init_done", url=_safe(url), name=name, handle=handle, role=role))


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
