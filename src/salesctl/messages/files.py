"""Files and settings users exchange: reading (encodings, delimiters), writing CSV/XLSX, policy files."""

MESSAGES = {
    "files.err.delimiter": ("--delimiter: '{value}' is not a delimiter; accepted: ',', tab, ';', '|'",
                            "--delimiter：'{value}' 不是有效的分隔符；可选：','、tab、';'、'|'"),
    "files.progress.reading": ("Reading {file}…", "正在读取 {file}…"),
}
