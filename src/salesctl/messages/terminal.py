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
}
