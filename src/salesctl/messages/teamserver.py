"""The team-server catalog: logins, --as on PostgreSQL, db security-check, the DB audit trail (key: (en, zh))."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ts.err.sqlite_login": (
        "--login: logins belong to the team server (a PostgreSQL database); a SQLite file has none",
        "--login：登录账号属于团队服务器（PostgreSQL 数据库）；SQLite 文件没有登录账号",
    ),
    "ts.err.no_createrole": (
        "permission denied: creating logins needs the CREATEROLE privilege, which the database role {role} lacks (run it as the administrator)",
        "权限不足：创建登录账号需要 CREATEROLE 权限，数据库角色 {role} 没有（请由管理员执行）",
    ),
    "ts.err.inactive": ("{handle} is deactivated: a login cannot be enabled", "{handle} 已停用，不能启用登录"),
    "ts.err.as_other": (
        "--as {requested}: on a team server you act as the login you connect with ({handle}, role {role})",
        "--as {requested}：在团队服务器上，你只能以自己连接时的登录账号（{handle}，角色 {role}）操作",
    ),
    "ts.err.not_login": (
        "the database role {role} is not a salesctl login; ask the administrator ({admin}) for one (salesctl staff login HANDLE --enable)",
        "数据库角色 {role} 不是 salesctl 的登录账号；请向管理员（{admin}）申请（salesctl staff login HANDLE --enable）",
    ),
    "ts.err.login_disabled": (
        "the team server refuses the login {role}: it is disabled (a deactivated person's login); ask the administrator",
        "团队服务器拒绝登录账号 {role}：该账号已停用（人员已停用）；请联系管理员",
    ),
    "ts.err.schema_behind": (
        "the team server's schema is at revision {rev} and this salesctl needs {head}: "
        "ask the administrator ({admin}) to run `salesctl db upgrade`",
        "团队服务器的数据库结构为版本 {rev}，本版 salesctl 需要 {head}：请管理员（{admin}）运行 `salesctl db upgrade`",
    ),
    "ts.err.denied_db": ("permission denied by the database: {detail}", "数据库拒绝：{detail}"),
    "ts.err.login_mode": ("staff login: give --enable or --disable", "staff login：请指定 --enable 或 --disable"),
    "ts.msg.login_enabled": (
        "Login {role} enabled for {handle}. They set their own database with:",
        "已为 {handle} 启用登录账号 {role}。本人用以下命令设置数据库：",
    ),
    "ts.msg.login_disabled": ("Login {role} of {handle} disabled", "已停用 {handle} 的登录账号 {role}"),
    "ts.msg.password_once": (
        "Generated password for {role} (shown once, store it in ~/.pgpass): {password}",
        "{role} 的生成密码（只显示这一次，请保存到 ~/.pgpass）：{password}",
    ),
    "ts.msg.no_group": (
        "note: the role {role} lacks CREATEROLE; logins for staff need it (see the README's team server section)",
        "提示：角色 {role} 没有 CREATEROLE 权限，为员工创建登录账号需要该权限（见 README 的团队服务器一节）",
    ),
    "ts.msg.check_sqlite": (
        "db security-check applies to the team server (PostgreSQL); a SQLite file is one trusted machine",
        "db security-check 适用于团队服务器（PostgreSQL）；SQLite 文件视为一台受信任的机器",
    ),
    "ts.msg.check_ok": ("security check passed: {tables} tables, group role {group}", "安全检查通过：{tables} 张表，组角色 {group}"),
    "ts.msg.check_failed": ("security check FAILED: {count} problem(s)", "安全检查未通过：{count} 个问题"),
    "ts.what.deal": ("deal {id}", "商机 {id}"),
    "ts.what.report": ("report {id}", "报告 {id}"),
    "ts.what.complaint": ("complaint {id}", "投诉 {id}"),
    "ts.what.meeting": ("meeting {id}", "例会 {id}"),
    "ts.what.action": ("action item {id}", "行动项 {id}"),
    "ts.what.claim": ("claim {id}", "报备 {id}"),
    "ts.what.leave": ("leave {id}", "请假 {id}"),
    "ts.title.security": ("Team server security", "团队服务器安全"),
    "col.table": ("Table", "表"),
    "col.kind": ("Rule", "规则"),
    "col.rls": ("RLS", "行级安全"),
    "col.policies": ("Policies", "策略"),
    "col.privileges": ("Staff privileges", "员工权限"),
    "col.problems": ("Problems", "问题"),
    "col.db_user": ("DB role", "数据库角色"),
    "col.source": ("Source", "来源"),
}
