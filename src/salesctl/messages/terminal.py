"""The terminal catalog: prompts, the editor, cancelling, dates as people write them, config, narrow tables (key: (en, zh))."""

# key: (en, zh)
MESSAGES: dict[str, tuple[str, str]] = {
    # --- prompts and the editor (salesctl.prompts)
    "prompt.cancelled": ("cancelled, nothing written", "已取消，未写入任何内容"),
    "prompt.hint.select": ("(arrow keys, Enter to choose)", "（方向键选择，回车确认）"),
    "prompt.hint.multiline": ("(finish with Esc then Enter)", "（按 Esc 再按回车结束）"),
    "prompt.hint.line": ("(Enter to finish)", "（回车结束）"),
    "prompt.hint.yes": ("(Y/n)", "（Y 是 / n 否）"),
    "prompt.hint.no": ("(y/N)", "（y 是 / N 否）"),
    "prompt.err.no_editor": ("no editor: set $VISUAL or $EDITOR, or give the text by flag or file",
                             "没有编辑器：请设置 $VISUAL 或 $EDITOR，或用参数、文件给出文本"),
    "prompt.err.editor_failed": ("editor failed: {editor} ({detail}); nothing written",
                                 "编辑器失败：{editor}（{detail}）；未写入任何内容"),
    "prompt.err.exit_code": ("exit code {code}", "退出码 {code}"),
    # --- narrow terminals (render.fit_columns)
    "render.hidden_columns": ("hidden to fit the terminal: {columns} (see them with --format json or csv, or a wider terminal)",
                              "为适应终端宽度已隐藏：{columns}（用 --format json 或 csv，或加宽终端查看）"),
    # --- config (salesctl.config, cli/config_cmd.py)
    "err.config_value_empty": ("config {key}: a value is needed", "配置项 {key}：需要一个值"),
    "err.config_value_bad": ("config {key}: '{value}' is not accepted; accepted: {accepted}",
                             "配置项 {key}：'{value}' 无效；可选：{accepted}"),
    "err.config_file_missing": ("config {key}: no such file: {path}", "配置项 {key}：文件不存在：{path}"),
    "err.config_not_dir": ("config {key}: {path} is not a folder", "配置项 {key}：{path} 不是文件夹"),
    "msg.config_unset": ("Removed {key} from {path}", "已从 {path} 删除 {key}"),
    "config.col.key": ("Key", "配置项"),
    "config.col.value": ("Value", "值"),
    "config.col.meaning": ("Meaning", "含义"),
    "config.meaning.user": ("acting user's handle when --as and SALESCTL_USER are not given",
                            "未给 --as 和 SALESCTL_USER 时的操作账号"),
    "config.meaning.db": ("database URL when --db and SALESCTL_DB are not given", "未给 --db 和 SALESCTL_DB 时的数据库 URL"),
    "config.meaning.lang": ("zh or en", "zh 或 en"),
    "config.meaning.policy": ("path of a policy TOML overriding data/policy.toml", "覆盖 data/policy.toml 的制度参数文件"),
    "config.meaning.commission_plan": ("path of a commission plan TOML overriding data/commission.toml",
                                       "覆盖 data/commission.toml 的提成方案文件"),
    "config.meaning.archive_dir": ("folder where `archive friday` writes the weekly pack", "`archive friday` 写入每周资料包的文件夹"),
    # --- global options
    "opt.color": ("--color: '{value}' is not accepted; accepted: auto, always, never",
                  "--color：'{value}' 无效；可选：auto、always、never"),
}
