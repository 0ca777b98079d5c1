"""Messages of the input checks shared by every command: ids, amounts, times, text files, usage errors."""

from __future__ import annotations

MESSAGES = {
    "err.usage_help": ("see '{command} --help'", "参见 '{command} --help'"),
    "err.amount_too_large": ("--{field}: '{value}' is too large; the largest amount is {max}",
                             "--{field}：'{value}' 太大；金额最大为 {max}"),
    "err.bad_id": ("{field}: '{value}' is not an id; ids are whole numbers from 1 to {max}",
                   "{field}：'{value}' 不是编号；编号是 1 到 {max} 的整数"),
    "err.not_utf8": ("{field}: {path} is not UTF-8 text (undecodable byte at offset {offset}); save it as UTF-8",
                     "{field}：{path} 不是 UTF-8 文本（第 {offset} 字节无法解码）；请另存为 UTF-8"),
    "err.text_nul": ("{field}: the text contains a NUL character", "{field}：文本含有 NUL 字符"),
    "err.text_too_long": ("{field}: {n} characters is too long; at most {max}", "{field}：{n} 个字符太长；最多 {max} 个"),
    "err.date_out_of_range": ("--{field}: '{value}' is outside the years {first}–{last}",
                              "--{field}：'{value}' 不在 {first}–{last} 年之间"),
    "err.not_time_of_day": ("--{field}: '{value}' is not a time of day; use HH:MM from 00:00 to 23:59",
                            "--{field}：'{value}' 不是时刻；请用 00:00 到 23:59 的 HH:MM"),
    "err.file_unreadable": ("{field}: cannot read {path}: {error}", "{field}：无法读取 {path}：{error}"),
    "err.as_empty": ("--as: an empty handle; give a staff handle or leave --as out",
                     "--as：账号为空；请给出员工账号或不用 --as"),
    "err.bad_choice": ("{field}: '{value}' is not accepted; accepted: {accepted}", "{field}：不接受 '{value}'；可选：{accepted}"),
    "err.force_claim_need": ("--force-claim needs --need TEXT (what you know of the customer's need)",
                             "--force-claim 需要 --need TEXT（你了解的客户需求）"),
    "err.db_empty": ("--db: an empty URL; give a database URL or a SQLite file path",
                     "--db：地址为空；请给出数据库地址或 SQLite 文件路径"),
    "err.db_missing": ("no database at {path}; run `salesctl init` first (or check --db for a typo)",
                       "{path} 没有数据库；请先运行 `salesctl init`（或检查 --db 是否拼错）"),
    "err.config_db_password": ("db: the URL holds a password; the config file is plain text. Leave it out and "
                               "put it in ~/.pgpass (or the file PGPASSFILE names)",
                               "db：地址中含有密码；配置文件是明文。请去掉密码，写入 ~/.pgpass（或 PGPASSFILE 指定的文件）"),
    "err.csv_field_too_long": ("line {line}: a field is longer than {max} characters, the longest a CSV field may be",
                               "第 {line} 行：有一个字段超过 {max} 个字符，CSV 字段最多这么长"),
    "err.csv_unreadable": ("line {line}: not readable as CSV: {error}", "第 {line} 行：无法按 CSV 读取：{error}"),
    "err.path_too_long": ("path too long for the file system: {path}", "路径超出文件系统的长度限制：{path}"),
}
