"""The README's team-server section, run as written on a fresh PostgreSQL database.

The administrator's steps come from the first console block of
`docs/readme/92-team-server.md`: each `$ salesctl …` line runs in the administrator's
own home, with the README's server (`db.example.com:5432`, `sslmode=verify-full`)
replaced by the test server. `createuser` is the CI's non-superuser administrator
(`salesctl_admin`), `createdb` is done here. Every person then runs the
`salesctl config set db …` line that `staff add --login` printed for them, in their own
home, and sees only what the handbook allows, through salesctl and through `psql`
with their own login. (The CI's server trusts local connections, so the passwords are
written to each person's `~/.pgpass` as the README says, but not checked by the server.)
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from conftest import TEST_DB, drop_roles, pg_only

README = Path(__file__).resolve().parents[1] / "docs" / "readme" / "92-team-server.md"
EXAMPLE_URL = "postgresql+psycopg://salesctl_admin@db.example.com:5432/salesctl?sslmode=verify-full"


def _first_console_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("```console", 1)[1].split("```", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


class Person:
    def __init__(self, root: Path, handle: str):
        self.handle = handle
        self.home = root / handle
        self.home.mkdir(mode=0o700)

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESCTL_", "PG"))}
        env.update(SALESCTL_HOME=str(self.home), HOME=str(self.home), NO_COLOR="1", SALESCTL_NO_INPUT="1",
                   SALESCTL_TZ="Asia/Shanghai", LANG="en_US.UTF-8", COLUMNS="200")
        return env

    def run(self, argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "salesctl", *argv], cwd=cwd, env=self.env(),
                              capture_output=True, text=True, timeout=120)


@pg_only
@pytest.mark.skipif(shutil.which("psql") is None, reason="needs the psql client")
def test_the_readme_team_server_section_works_as_written(tmp_path):
    from sqlalchemy import create_engine, text

    name = f"salesctl_rd_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # `createdb -U salesctl_admin … salesctl`
    server = make_url(TEST_DB).set(database=name).render_as_string(hide_password=False)
    work = tmp_path / "work"
    work.mkdir()
    people: dict[str, Person] = {}
    try:
        admin = Person(tmp_path, "administrator")
        printed: dict[str, str] = {}  # handle → the config line printed for them
        passwords: dict[str, str] = {}
        commands = _first_console_block()
        assert any(c.startswith("createdb ") for c in commands)  # the README still creates the database first
        for command in commands:
            command = command.split("   #", 1)[0].strip()
            if not command.startswith("salesctl "):
                continue  # createuser / createdb: the CI's administrator role, and the database made above
            argv = shlex.split(command.replace(EXAMPLE_URL, server))[1:]
            for i, arg in enumerate(argv):  # the password files the administrator keeps (mode 600)
                if arg == "--password-file":
                    file = work / argv[i + 1]
                    handle = argv[i + 1].removesuffix(".pw")
                    passwords[handle] = f"pw-{uuid.uuid4().hex}"
                    file.write_text(passwords[handle] + "\n")
                    file.chmod(0o600)
            done = admin.run(argv, work)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr
            if argv[:2] == ["staff", "add"] and "--login" in argv:
                handle = argv[2]
                lines = [ln.strip() for ln in (done.stdout + done.stderr).splitlines()
                         if ln.strip().startswith("salesctl config set db ")]
                assert len(lines) == 1, done
                printed[handle] = lines[0]
                generated = re.search(r"Generated password for \S+ .*?: (\S+)", done.stderr)
                if handle not in passwords:
                    assert generated, done.stderr  # shown once, on stderr
                    passwords[handle] = generated.group(1)
                else:
                    assert generated is None  # a password file: nothing printed
                for secret in passwords.values():
                    assert secret not in done.stdout
        assert set(printed) == {"zhang.wei", "wang.fang", "li.na"}

        # each person runs their printed line at home, keeps the password in ~/.pgpass
        for handle, line in printed.items():
            person = people[handle] = Person(tmp_path, handle)
            url = make_url(shlex.split(line)[-1])
            assert url.username.endswith("." + handle) and url.password is None
            pgpass = person.home / ".pgpass"
            pgpass.write_text(f"*:*:{name}:{url.username}:{passwords[handle]}\n")
            pgpass.chmod(0o600)
            done = person.run(shlex.split(line)[1:], work)
            assert done.returncode == 0, done
            config = "".join(p.read_text() for p in person.home.rglob("*.toml"))
            assert passwords[handle] not in config
            who = person.run(["whoami", "--format", "json"], work)
            assert who.returncode == 0, who
            assert json.loads(who.stdout)["handle"] == handle

        wang, li, zhang = people["wang.fang"], people["li.na"], people["zhang.wei"]
        add = ["customer", "add", "--contact", "联系人", "--title", "经理", "--status", "following"]
        assert wang.run([*add[:2], "苏州王芳精密机械有限公司", *add[2:], "--phone", "13911110001"], work).returncode == 0
        assert li.run([*add[:2], "杭州李娜医疗器械有限公司", *add[2:], "--phone", "13911110002",
                       "--industry", "医疗"], work).returncode == 0

        def names(person: Person) -> list[str]:
            done = person.run(["customer", "list", "--format", "json"], work)
            assert done.returncode == 0, done
            return sorted(c["name"] for c in json.loads(done.stdout))

        def psql(person: Person, sql: str) -> list[str]:
            url = make_url(shlex.split(printed[person.handle])[-1]).set(drivername="postgresql")
            done = subprocess.run(["psql", url.render_as_string(hide_password=False), "-At", "-c", sql],
                                  env=person.env(), capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            return sorted(line for line in done.stdout.splitlines() if line)

        assert names(wang) == ["苏州王芳精密机械有限公司"] == psql(wang, "select name from customer")
        assert names(li) == ["杭州李娜医疗器械有限公司"] == psql(li, "select name from customer")
        assert names(zhang) == ["杭州李娜医疗器械有限公司", "苏州王芳精密机械有限公司"] == psql(zhang, "select name from customer")
        assert psql(wang, "select phone from contact") == ["13911110001"]
        # the rep's `--as` the general manager is refused; the administrator's works
        refused = wang.run(["--as", "chen.jian", "customer", "list"], work)
        assert refused.returncode == 3 and "Traceback" not in refused.stderr
        assert len(admin.run(["--as", "chen.jian", "customer", "list", "--format", "json"], work).stdout) > 2
        # and the check the section ends with
        check = admin.run(["db", "security-check"], work)
        assert check.returncode == 0, check
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
                {"d": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            drop_roles(conn, name)
        admin_engine.dispose()
