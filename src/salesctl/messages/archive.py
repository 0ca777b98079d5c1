"""The archive catalog: the Friday pack, archive passwords, database encryption (key: (en, zh))."""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- sheets of the pack
    "archive.sheet.customers": ("Customers", "客户"),
    "archive.sheet.contacts": ("Contacts", "联系人"),
    "archive.sheet.visits": ("Visits", "拜访"),
    "archive.sheet.grade_changes": ("Grade changes", "级别变更"),
    "archive.legend": (
        "Highlighted rows: added or changed {start} – {end} ({label}); author {author}, scope {scope}",
        "高亮行：{start} 至 {end}（{label}）新增或变更；制表人 {author}，范围 {scope}",
    ),
    "archive.title": ("Customer archive of {author}, {label}", "{author} 的客户档案，{label}"),
    # --- columns of the pack and of the summaries
    "archive.col.id": ("ID", "编号"),
    "archive.col.name": ("Customer name", "客户名称"),
    "archive.col.contact": ("Contact person", "联系人"),
    "archive.col.title": ("Title", "职务"),
    "archive.col.phone": ("Phone", "联系电话"),
    "archive.col.status": ("Customer status", "客户状态"),
    "archive.col.industry": ("Industry", "行业"),
    "archive.col.region": ("Region", "区域"),
    "archive.col.address": ("Address", "地址"),
    "archive.col.website": ("Website", "网址"),
    "archive.col.email": ("Email", "邮箱"),
    "archive.col.expected_purchase": ("Expected purchase", "预计购买时间"),
    "archive.col.grade": ("Grade", "客户级别"),
    "archive.col.owner": ("Owner", "负责人"),
    "archive.col.reported_by": ("First reporter", "首报人"),
    "archive.col.reported_at": ("Reported at", "报备时间"),
    "archive.col.created_at": ("Created", "创建时间"),
    "archive.col.updated_at": ("Updated", "更新时间"),
    "archive.col.last_contact_at": ("Last contact", "最近联系"),
    "archive.col.open_amount": ("Open deals", "在谈金额"),
    "archive.col.paid_amount": ("Collected", "已回款"),
    "archive.col.customer": ("Customer", "客户"),
    "archive.col.customer_id": ("Customer ID", "客户编号"),
    "archive.col.decision_maker": ("Decision maker", "决策人"),
    "archive.col.primary": ("Primary", "主要联系人"),
    "archive.col.note": ("Note", "备注"),
    "archive.col.at": ("When", "时间"),
    "archive.col.kind": ("Kind", "方式"),
    "archive.col.rep": ("Rep", "销售代表"),
    "archive.col.content": ("Content", "拜访情况"),
    "archive.col.result": ("Result", "结果"),
    "archive.col.problems": ("Problems", "问题"),
    "archive.col.next_step": ("Next step", "下一步"),
    "archive.col.follow_up": ("Follow-up date", "跟进日期"),
    "archive.col.from_grade": ("From", "原级别"),
    "archive.col.to_grade": ("To", "新级别"),
    "archive.col.by": ("By", "操作人"),
    "archive.col.reason": ("Reason", "原因"),
    "archive.col.source": ("Source", "来源"),
    "archive.col.rule": ("Rule", "规则"),
    "archive.col.sheet": ("Sheet", "工作表"),
    "archive.col.rows": ("Rows", "行数"),
    "archive.col.highlighted": ("Highlighted", "高亮行数"),
    "archive.col.row": ("Row", "行号"),
    "archive.col.text": ("Text", "内容"),
    "archive.col.handle": ("Handle", "账号"),
    "archive.col.person": ("Name", "姓名"),
    "archive.col.set_at": ("Password set", "密码设置时间"),
    "archive.col.age_days": ("Age (days)", "已用天数"),
    "archive.col.state": ("State", "状态"),
    "archive.title.highlighted": ("Highlighted rows", "高亮行"),
    "archive.title.passwords": ("Archive passwords", "档案密码"),
    "pwstate.ok": ("ok", "正常"),
    "pwstate.warn": ("change soon", "即将到期"),
    "pwstate.expired": ("expired", "已过期"),
    "pwstate.none": ("not set", "未设置"),
    # --- prompts
    "archive.prompt.password": ("Archive password{handle}:", "档案密码{handle}："),
    "archive.prompt.open": ("Password of {path} (its author's archive password):", "{path} 的密码（制表人的档案密码）："),
    "archive.prompt.new": ("New archive password:", "新档案密码："),
    "archive.prompt.again": ("The same again:", "再输入一次："),
    # --- messages
    "archive.msg.exported": (
        "Wrote {path}: {customers} customers, {highlighted} highlighted ({new} new, {changed} changed) for {period}; encrypted with your archive password",
        "已写入 {path}：{customers} 个客户，高亮 {highlighted} 个（新增 {new}，变更 {changed}），期间 {period}；已用您的档案密码加密",
    ),
    "archive.msg.exported_plain": (
        "Wrote {path} UNENCRYPTED: {customers} customers, {highlighted} highlighted ({new} new, {changed} changed) for {period}; recorded in the audit log",
        "已写入未加密文件 {path}：{customers} 个客户，高亮 {highlighted} 个（新增 {new}，变更 {changed}），期间 {period}；已记入审计日志",
    ),
    "archive.msg.friday": (
        "Friday pack {path} and manifest {manifest}: {customers} customers, {highlighted} highlighted ({new} new, {changed} changed), {period}",
        "周五档案 {path} 及清单 {manifest}：{customers} 个客户，高亮 {highlighted} 个（新增 {new}，变更 {changed}），{period}",
    ),
    "archive.msg.friday_dry": (
        "Dry run, nothing written: would write {path} and {manifest}: {customers} customers, {highlighted} highlighted ({new} new, {changed} changed), {period}",
        "演练，未写入：将写入 {path} 和 {manifest}：{customers} 个客户，高亮 {highlighted} 个（新增 {new}，变更 {changed}），{period}",
    ),
    "archive.msg.decrypted": (
        "{path} is decrypted customer data (mode 600): delete it when done; recorded in the audit log",
        "{path} 为解密后的客户数据（权限 600）：用完请删除；已记入审计日志",
    ),
    "archive.msg.summary": (
        "{path}: author {author}, period {period}, encrypted: {encrypted}",
        "{path}：制表人 {author}，期间 {period}，已加密：{encrypted}",
    ),
    "archive.msg.password_set": (
        "Archive password of {handle} set on {set_on}; change it within {max} days (a reminder from day {warn}). Tell it to your department, not to salesctl's output.",
        "{handle} 的档案密码已于 {set_on} 设置；请在 {max} 天内更换（第 {warn} 天起提醒）。请告知部门，密码不会出现在任何输出中。",
    ),
    "archive.warn.old_password": (
        "your archive password was set on {set_on}, {days} days ago; change it with `salesctl archive password set` (exports stop after {max_days} days, {left} days left)",
        "您的档案密码设置于 {set_on}，已 {days} 天；请用 `salesctl archive password set` 更换（超过 {max_days} 天将无法导出，还剩 {left} 天）",
    ),
    # --- refusals
    "archive.err.file_not_private": (
        "{flag}: {path} may be read by group or others (mode {mode}); run `chmod 600 {path}`",
        "{flag}：{path} 可被同组或其他用户读取（权限 {mode}）；请运行 `chmod 600 {path}`",
    ),
    "archive.err.no_password": (
        "{flag}: the archive password is needed; give {flag} FILE or set {env} (no terminal to ask at)",
        "{flag}：需要档案密码；请提供 {flag} FILE 或设置 {env}（当前无终端可询问）",
    ),
    "archive.err.prompt_cancelled": ("{flag}: no password typed", "{flag}：未输入密码"),
    "archive.err.prompt_mismatch": ("password: the two entries differ; nothing changed", "密码：两次输入不一致；未作修改"),
    "archive.err.too_short": (
        "{field}: the password has {length} characters; at least {minimum} are required",
        "{field}：密码只有 {length} 个字符；至少需要 {minimum} 个",
    ),
    "archive.err.only_digits": (
        "{field}: the password is only digits; mix in letters or symbols",
        "{field}：密码只有数字；请加入字母或符号",
    ),
    "archive.err.only_letters": (
        "{field}: the password is only letters; mix in digits or symbols",
        "{field}：密码只有字母；请加入数字或符号",
    ),
    "archive.err.spaces": (
        "{field}: the password may not start or end with a space",
        "{field}：密码不能以空格开头或结尾",
    ),
    "archive.err.reused": (
        "{field}: this password was used before (one of the last {count}); choose a new one",
        "{field}：该密码近期用过（最近 {count} 个之一）；请换一个新密码",
    ),
    "archive.err.no_password_set": (
        "archive password: {handle} has none yet; set one with `salesctl archive password set`",
        "档案密码：{handle} 尚未设置；请先运行 `salesctl archive password set`",
    ),
    "archive.err.old_needed": (
        "--old-password-file: {handle} already has an archive password; give the current one to change it "
        "(forgotten? your manager runs `salesctl archive password reset {handle}`)",
        "--old-password-file：{handle} 已有档案密码；更换时需提供当前密码（忘记了？请经理运行 `salesctl archive password reset {handle}`）",
    ),
    "archive.err.old_wrong": (
        "{source}: not the current archive password of {handle}; nothing changed",
        "{source}：不是 {handle} 当前的档案密码；未作修改",
    ),
    "archive.err.reset_self": (
        "archive password reset: not for yourself; change your own with `salesctl archive password set`",
        "档案密码重置：不能重置自己的；请用 `salesctl archive password set` 更换",
    ),
    "archive.what.reset": ("reset the archive password of {handle}", "重置 {handle} 的档案密码"),
    "archive.prompt.old": ("Current archive password:", "当前档案密码："),
    "archive.msg.password_reset": (
        "Archive password of {handle} reset on {set_on} (audited); tell it to {handle}, who changes it with "
        "`salesctl archive password set`",
        "{handle} 的档案密码已于 {set_on} 重置（已记入审计）；请告知 {handle}，由其用 `salesctl archive password set` 更换",
    ),
    "archive.err.wrong_password": (
        "{source}: not the archive password of {handle}; nothing written",
        "{source}：不是 {handle} 的档案密码；未写入任何文件",
    ),
    "archive.err.expired": (
        "archive password: set on {set_on}, {days} days ago (more than {max_days}); set a new one with `salesctl archive password set` before exporting",
        "档案密码：设置于 {set_on}，已 {days} 天（超过 {max_days} 天）；请先用 `salesctl archive password set` 设置新密码再导出",
    ),
    "archive.err.open_wrong_password": (
        "{source}: wrong password for {path} (a pack opens with its author's archive password)",
        "{source}：{path} 的密码错误（档案用制表人的档案密码打开）",
    ),
    "archive.err.not_office": (
        "{path}: not an .xlsx workbook (or it is damaged)",
        "{path}：不是 .xlsx 工作簿（或已损坏）",
    ),
    "archive.err.not_xlsx": ("{flag}: {path} must end in .xlsx", "{flag}：{path} 必须以 .xlsx 结尾"),
    "archive.err.exists": (
        "{flag}: {path} already exists; give --force to replace it",
        "{flag}：{path} 已存在；如需覆盖请加 --force",
    ),
    "archive.err.no_encrypt_alone": (
        "--no-encrypt: also give --i-understand-this-file-is-unencrypted (the file holds customer data)",
        "--no-encrypt：还需同时提供 --i-understand-this-file-is-unencrypted（文件含客户数据）",
    ),
    "archive.err.understood_alone": (
        "--i-understand-this-file-is-unencrypted: only together with --no-encrypt",
        "--i-understand-this-file-is-unencrypted：只能与 --no-encrypt 一起使用",
    ),
    "archive.err.folder_missing": (
        "archive_dir: folder {path} does not exist; create it or change `salesctl config set archive_dir PATH`",
        "archive_dir：文件夹 {path} 不存在；请创建，或用 `salesctl config set archive_dir PATH` 修改",
    ),
    "archive.err.plain_format": (
        "--out: {path} would hold customer data unencrypted; write an .xlsx (encrypted with your archive password), print to stdout, or give --no-encrypt --i-understand-this-file-is-unencrypted",
        "--out：{path} 将以明文保存客户数据；请写成 .xlsx（用您的档案密码加密）、输出到标准输出，或同时给出 --no-encrypt --i-understand-this-file-is-unencrypted",
    ),
    # --- database encryption (SQLCipher)
    "enc.prompt.key": ("New database key:", "新的数据库密钥："),
    "enc.prompt.again": ("The same again:", "再输入一次密钥："),
    "enc.err.not_sqlite": (
        "{command}: only a SQLite database file can be encrypted by salesctl; encrypt PostgreSQL at the server (disk or TDE)",
        "{command}：salesctl 只能加密 SQLite 数据库文件；PostgreSQL 请在服务器端加密（磁盘或 TDE）",
    ),
    "enc.err.already": (
        "--db: the database is already encrypted (sqlite+pysqlcipher); use `salesctl db rekey` to change its key",
        "--db：数据库已加密（sqlite+pysqlcipher）；更换密钥请用 `salesctl db rekey`",
    ),
    "enc.err.not_encrypted": (
        "--db: db rekey needs an encrypted database: --db sqlite+pysqlcipher:///path with SALESCTL_DB_KEY",
        "--db：db rekey 需要已加密的数据库：--db sqlite+pysqlcipher:///path 并设置 SALESCTL_DB_KEY",
    ),
    "enc.err.cannot_read": (
        "--db: {path} is not a plain SQLite database (already encrypted?)",
        "--db：{path} 不是未加密的 SQLite 数据库（已经加密了？）",
    ),
    "enc.err.busy": (
        "--db: {path} is in use by another program; stop other salesctl commands and try again",
        "--db：{path} 正被其他程序使用；请停止其他 salesctl 命令后重试",
    ),
    "enc.err.exists": ("--out: {path} already exists; choose a new file", "--out：{path} 已存在；请选择新文件"),
    "enc.err.verify_failed": (
        "db: the encrypted copy {path} did not check out (integrity or row counts); nothing replaced",
        "db：加密副本 {path} 校验失败（完整性或行数）；未替换任何文件",
    ),
    "enc.err.wrong_key": (
        "SALESCTL_DB_KEY: wrong key for {path}",
        "SALESCTL_DB_KEY：{path} 的密钥错误",
    ),
    "enc.err.same_key": ("{source}: the new key is the current one; choose another", "{source}：新密钥与当前密钥相同；请换一个"),
    "enc.msg.encrypted": (
        "Encrypted {path}; from now on open it as --db {url} with the key in {env}",
        "已加密 {path}；今后请用 --db {url} 打开，密钥放在 {env}",
    ),
    "enc.msg.copied": (
        "Wrote the encrypted copy {path}; open it as --db {url} with the key in {env} (the original is unchanged)",
        "已写入加密副本 {path}；请用 --db {url} 打开，密钥放在 {env}（原文件未改动）",
    ),
    "enc.msg.config": ("Config db set to {url}", "配置项 db 已设为 {url}"),
    "enc.msg.rekeyed": (
        "Changed the key of {path}; set {env} to the new key from now on",
        "已更换 {path} 的密钥；今后请把 {env} 设为新密钥",
    ),

    # --- errors moved from literals
    "archive.err.week_and_since": ("--week/--since: give one of them, not both", "--week/--since：只能给出其中一个，不能同时使用"),
    "archive.err.since_future": ("--since: {date} is after today ({today}); give a past date",
                                 "--since：{date} 晚于今天（{today}）；请给出过去的日期"),
    "archive.err.no_folder": ("{flag}: folder {path} does not exist", "{flag}：文件夹 {path} 不存在"),
    "archive.err.is_folder": ("{flag}: {path} is a folder", "{flag}：{path} 是文件夹"),
    "archive.err.cannot_read": ("{flag}: cannot read {path}: {reason}", "{flag}：无法读取 {path}：{reason}"),
    "archive.err.not_utf8": ("{flag}: {path} is not UTF-8 text", "{flag}：{path} 不是 UTF-8 文本"),
    "archive.err.file_empty": ("{flag}: {path} is empty", "{flag}：{path} 是空文件"),
    "archive.err.unknown_alg": ("archive password: unknown hash algorithm {alg}", "档案密码：未知的哈希算法 {alg}"),
    "enc.err.no_sqlcipher": ("db: SQLCipher is not installed; pip install 'salesctl[encrypted]'",
                             "db：未安装 SQLCipher；请执行 pip install 'salesctl[encrypted]'"),
    "enc.what.backup": ("backing up the database", "备份数据库"),
    "enc.err.backup_exists": ("PATH: {path} already exists; choose a new file", "PATH：{path} 已存在；请选择新文件"),
    "enc.err.backup_no_folder": ("PATH: folder {path} does not exist", "PATH：文件夹 {path} 不存在"),
}
