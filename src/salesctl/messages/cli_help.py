"""Chinese for the command line's own words (Click/Typer: Usage, Options, Error, Try … --help) and for
the help texts of commands and options, used by salesctl.cli.help_zh when the display language is zh.

Not a MESSAGES catalog: the keys are Click's English strings, the command paths and the option help
texts as written in the cli modules, so the English stays where it is and zh is looked up by it.
"""

# Click's and Typer's own words (gettext ids) -> zh
CLICK_WORDS: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Aborted!": "已中止！",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受取值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是以下之一：{choices}。",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Did you mean {possibility}?": "您是想输入 {possibility} 吗？",
    "(Did you mean one of: {possibilities}?)": "（您是想输入其中之一吗：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "integer": "整数",
    "float": "数字",
    "Install completion for the current shell.": "为当前 shell 安装自动补全。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前 shell 的自动补全脚本，可复制或自行安装。",
}

# the usage line's placeholders
USAGE_WORDS: tuple[tuple[str, str], ...] = (
    ("[OPTIONS]", "[选项]"),
    ("COMMAND [ARGS]...", "命令 [参数]..."),
)

# the same words where typer's own copy of Click writes them as literal text: (regex, zh replacement)
CLICK_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Usage: ", "用法："),
    (r"\nUsage: ", "\n用法："),
    (r"Try '([^']+)' for help\.", r"运行 '\1' 查看帮助。"),
    (r"Error: ", "错误："),
    (r"Missing argument '([^']+)'\.", r"缺少参数 '\1'。"),
    (r"Missing option '([^']+)'\.", r"缺少选项 '\1'。"),
    (r"No such option: (\S+)", r"没有选项：\1"),
    (r"No such option '([^']+)'\.", r"没有选项 '\1'。"),
    (r"No such command '([^']+)'\.", r"没有命令 '\1'。"),
    (r"Did you mean (\S+)\?", r"您是想输入 \1 吗？"),
    (r"Invalid value for ([^:]+): ", r"\1 的值无效："),
    (r"Invalid value: ", "值无效："),
    (r"Got unexpected extra arguments? \(([^)]*)\)", r"多余的参数（\1）"),
    (r"Option '([^']+)' requires an argument\.", r"选项 '\1' 需要一个值。"),
    (r"'([^']*)' is not a valid integer\.", r"'\1' 不是有效的整数。"),
    (r"'([^']*)' is not one of ([^.]+)\.", r"'\1' 不是以下之一：\2。"),
    (r"Aborted!", "已中止！"),
)

# command path (after `salesctl`) -> zh help text
COMMANDS: dict[str, str] = {
    "": "销售部管理制度。\n\n快速开始：\n\n  salesctl init --demo                 # 示例公司；你以销售总监身份操作\n\n"
        "  salesctl staff tree                  # 组织架构\n\n  salesctl customer list --grade A     # 你能看到的重要客户\n\n"
        "  salesctl --as wang.fang report daily # 销售员的日报\n\n全局选项写在命令前；--format 写在命令后。\n\n"
        "自动补全：salesctl --show-completion zsh   （或 bash、fish；--install-completion SHELL 直接安装）",
    "customer": "客户档案：新增、查看、列表、资料、分级、负责人。",
    "customer add": "新增客户（新客户登记表：名称、联系人、职务、电话、状态为必填）。\n\n"
                    "示例：salesctl customer add 华为技术有限公司 --contact 张伟 --title 采购经理 --phone 13812345678 --status 跟进中",
    "report": "日报、周报、月报（工作计划和报告制度）。",
    "report daily": "销售员工作日报告，由当天的客户联系自动汇总。\n\n你只需填写今日总结和明日计划。\n\n"
                    "没有终端且未给 --draft/--submit 时，只打印汇总的表格，不写入；在终端里会询问缺少的内容。\n\n"
                    "示例：salesctl report daily --submit --summary \"拜访三家客户\" --plan \"给苏州新华发报价\"",
}

# an option's or argument's help as written in English -> zh
OPTIONS: dict[str, str] = {
    "Show this message and exit.": "显示本帮助并退出。",
    "Customer (company) name.": "客户（公司）名称。",
    "Contact person (联系人).": "联系人。",
    "The contact's job title (职务).": "联系人的职务。",
    "Phone: 13812345678, 010-12345678 or +44 20 7946 0958.": "电话：13812345678、010-12345678 或 +44 20 7946 0958。",
    "跟进中/following, 已成交/won, 暂停/paused, 流失/lost.": "跟进中/following、已成交/won、暂停/paused、流失/lost。",
    "Industry (default: the owner's).": "行业（默认：负责人的行业）。",
    "Region (default: the owner's).": "区域（默认：负责人的区域）。",
    "Address.": "地址。",
    "Web address.": "网址。",
    "The customer's email address.": "客户的电子邮箱。",
    "A, B, C or D (default: from --expected-purchase).": "A、B、C 或 D（默认：按 --expected-purchase 推算）。",
    "Expected purchase date (YYYY-MM-DD; 'none' clears).": "预计采购日期（如 2026-12-31、12月31日、下周五；'none' 清除）。",
    "Owner's handle (assistants must give one).": "负责人账号（助理必须填写）。",
    "If it is already in the archive, request it as a claim.": "如果已在客户档案中，则提出认领申请。",
    "Output format: table, json, csv or markdown.": "输出格式：table、json、csv 或 markdown。",
    "Database URL or SQLite file path.": "数据库 URL 或 SQLite 文件路径。",
    "Act as this staff handle.": "以该员工账号身份操作。",
    "zh or en (default from the locale).": "zh 或 en（默认取自系统语言环境）。",
    "Print the version and exit.": "显示版本并退出。",
    "Colour: auto (default; NO_COLOR honoured), always or never.": "颜色：auto（默认，遵循 NO_COLOR）、always 或 never。",
    "Save the texts as a draft (run again to update it).": "保存为草稿（再次运行可更新）。",
    "Hand the report in (every text section needed).": "提交报告（每个文字栏目都要填写）。",
    "File it for this rep (their manager or assistant).": "替该销售员填报（其经理或助理）。",
    "Summary (总结).": "总结。",
    "Plan for the next period (计划).": "下一期的计划。",
    "Read --summary from a file ('-' = stdin).": "从文件读取 --summary（'-' 表示标准输入）。",
    "Read --plan from a file ('-' = stdin).": "从文件读取 --plan（'-' 表示标准输入）。",
}

# every other command and option (kept in their own modules to keep this one short)
from salesctl.messages.cli_help_commands import COMMANDS_ZH  # noqa: E402
from salesctl.messages.cli_help_options import OPTIONS_ZH  # noqa: E402

COMMANDS.update({k: v for k, v in COMMANDS_ZH.items() if k not in COMMANDS})
OPTIONS.update({k: v for k, v in OPTIONS_ZH.items() if k not in OPTIONS})
