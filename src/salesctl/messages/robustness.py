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
}
