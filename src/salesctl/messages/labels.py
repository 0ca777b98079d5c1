"""Labels for stored keys and generated texts that had none (issue 19: Chinese all the way through).

Rendered through `salesctl.messages.label(kind, value)` (enumerations) and `t(key, **params)`
(texts stored as a key and its parameters); the stored value itself never changes with the language.
"""

MESSAGES = {
    # a scope as commands name it in titles (permissions.Scope.label: all, team:HANDLE, rep:HANDLE)
    "scope.all": ("all", "全部"),
    "scope.team": ("team:{handle}", "{handle} 的团队"),
    "scope.rep": ("rep:{handle}", "{handle}"),
    # `deal show`: what may happen next
    "deal.note.lost": ("lost: {reason}", "丢单：{reason}"),
    "deal.action.when_paid": ("advance --to 5 (when paid in full)", "advance --to 5（全部回款后）"),
    "deal.action.no_payments": ("advance --to 1-3 --reason … (no payments yet)", "advance --to 1-3 --reason …（尚无回款时）"),
}
MESSAGES.update({
    # commission: the shipped plan's name, bases and modes (a plan file's own names pass through)
    "commission_plan.standard": ("standard", "标准方案"),
    "commission_basis.collected": ("collected", "按回款"),
    "commission_basis.won": ("won", "按成交"),
    "commission_mode.marginal": ("marginal", "分段累进"),
    "commission_mode.whole": ("whole", "全额"),
    "commission.plan.reps": ("reps: {handles}", "销售员：{handles}"),
    "commission.plan.roles": ("roles: {roles}", "岗位：{roles}"),
    "commission.plan.compliance": ("-{per_missing}/missing, -{per_late}/late, floor {floor}",
                                   "每缺交一份 -{per_missing}，每迟交一份 -{per_late}，下限 {floor}"),
    # commission lines: stored as keys and parameters (stored_text), shown in the reader's language
    "commission.tier.of_target": ("{start}–{end} of target", "目标的 {start}–{end}"),
    "commission.tier.above_target": ("≥{start} of target", "目标的 ≥{start}"),
    "commission.tier.label": ("{n}: {label} @ {rate}", "{n}：{label} @ {rate}"),
    "commission.override.product": ("product rate ({product})", "产品比例（{product}）"),
    "commission.override.grade": ("grade {grade} rate", "{grade} 类客户比例"),
    "commission.rule.whole": ("tier {n} ({label}) reached by the base {base}, whole",
                              "基数 {base} 达到第 {n} 档（{label}），全额计提"),
    "commission.rule.whole_override": ("{override}; base reached tier {n}", "{override}；基数达到第 {n} 档"),
    "commission.rule.marginal": ("tier {n} ({label}), marginal", "第 {n} 档（{label}），分段累进"),
    "commission.rule.marginal_override": ("{override}; slice in tier {n}", "{override}；本段在第 {n} 档"),
    "commission.note.item": ("{day} {customer} · deal {deal_id} {title}", "{day} {customer} · 商机 {deal_id} {title}"),
    "commission.note.slice": ("{item}; slice {low}–{high} of the base", "{item}；基数中 {low}–{high} 的一段"),
    "commission.rule.compliance": (
        "factor 1 − {per_missing}×{missing} missing − {per_late}×{late} late = {raw}, floor {floor} → {factor}",
        "系数 1 − {per_missing}×{missing}（缺交）− {per_late}×{late}（迟交）= {raw}，下限 {floor} → {factor}"),
    "commission.note.missing": ("missing {days}", "缺交 {days}"),
    "commission.note.late": ("late {days}", "迟交 {days}"),
    "commission.note.both": ("{missing}; {late}", "{missing}；{late}"),
    "commission.rule.penalty": ("missed-sale penalty, charged in the year-end month {due}",
                                "漏单罚款，在年终月份 {due} 扣除"),
    "commission.rule.penalty_late": (
        "missed-sale penalty, charged in the year-end month {due} (settled before it was recorded: next open month)",
        "漏单罚款，在年终月份 {due} 扣除（登记前已结算：记入下一个未结算月份）"),
    "commission.note.penalty": ("{day} {name} ({region}, {industry}); sale {amount}",
                                "{day} {name}（{region}，{industry}）；销售额 {amount}"),
    "commission.rule.adjustment_by": ("manual adjustment by {by}", "{by} 手工调整"),
    "commission.rule.adjustment": ("manual adjustment", "手工调整"),
    "commission.rule.correction": (
        "{origin} recomputed with its settled plan, target and factor {factor}: "
        "gross {gross} + compliance {compliance} − settled {settled}",
        "{origin} 按其结算时的方案、目标和系数 {factor} 重算：应发 {gross} + 日报系数 {compliance} − 已结算 {settled}"),
    "commission.rule.correction_before": (
        "{origin} recomputed with its settled plan, target and factor {factor}: "
        "gross {gross} + compliance {compliance} − settled {settled} − corrected before {before}",
        "{origin} 按其结算时的方案、目标和系数 {factor} 重算：应发 {gross} + 日报系数 {compliance} − 已结算 {settled}"
        " − 此前已更正 {before}"),
    "commission.change.late": ("{source} {day} +{amount} recorded after settlement", "{source} {day} +{amount}（结算后登记）"),
    "commission.change.added": ("{source} {day} +{amount} added", "{source} {day} +{amount}（新增）"),
    "commission.change.changed": ("{source} changed {before} → {after}", "{source} 由 {before} 改为 {after}"),
    "commission.change.removed": ("{source} removed −{amount}", "{source} 已删除 −{amount}"),
})
MESSAGES.update({
    "handover.deal_reason": ("handover: {note}", "离职交接：{note}"),
    "text.joined": ("{first}; {rest}", "{first}；{rest}"),
    # the written grading rules (services.customers.grading), stored with each automatic grade change
    "grade_rule.no_date": ("no expected purchase date → D", "无预计采购日期 → D"),
    "grade_rule.past": ("expected purchase {date} is past: needs review", "预计采购日期 {date} 已过：需要复核"),
    "grade_rule.past_d": ("{rule} → D", "{rule} → D"),
    "grade_rule.a": ("purchase in {days} days (≤{a}) → A", "{days} 天后采购（≤{a}）→ A"),
    "grade_rule.range": ("purchase in {days} days ({low}–{high}) → {grade}", "{days} 天后采购（{low}–{high}）→ {grade}"),
    "grade_rule.beyond": ("purchase in {days} days (>{c}) → D", "{days} 天后采购（>{c}）→ D"),
    # the demo company's first reports
    "claim.need.demo": ("demo", "示例数据"),
    # the inbox: a report waiting for its review
    "inbox.text.report": ("{handle} {kind} report {period}", "{handle} 的{kind} {period}"),
    "inbox.text.report_late": ("{handle} {kind} report {period} (late)", "{handle} 的{kind} {period}（迟交）"),
})
MESSAGES.update({
    # where a grade change came from (GradeChange.source)
    "grade_source.create": ("create", "新建"),
    "grade_source.hand": ("hand", "手工"),
    "grade_source.rule": ("rule", "规则"),
    "grade_source.visit": ("visit", "拜访"),
    "grade_source.import": ("import", "导入"),
})
MESSAGES.update({
    # config keys added with the notifications (issue 13) had no meaning yet
    "config.meaning.smtp_url": ("SMTP server: smtp://HOST:PORT, smtp://HOST:PORT?starttls=yes or smtps://HOST:PORT",
                                "SMTP 服务器：smtp://HOST:PORT、smtp://HOST:PORT?starttls=yes 或 smtps://HOST:PORT"),
    "config.meaning.smtp_from": ("sender address of the mail salesctl sends", "salesctl 发出邮件的发件人地址"),
    "config.meaning.smtp_user": ("SMTP login name (when the server asks for one)", "SMTP 登录名（服务器要求时）"),
    "config.meaning.smtp_password_file": ("file (chmod 600) holding the SMTP password; never stored in the database",
                                          "存放 SMTP 密码的文件（权限 600）；密码从不存入数据库"),
    # what an audit entry is about (its `--entity`)
    "entity.action_item": ("action_item", "待办事项"), "entity.archive": ("archive", "档案包"),
    "entity.archive_password": ("archive_password", "档案密码"), "entity.attachment": ("attachment", "附件"),
    "entity.attachment_key": ("attachment_key", "附件密钥"), "entity.commission_adjustment": ("commission_adjustment", "提成调整"),
    "entity.commission_settlement": ("commission_settlement", "提成结算"), "entity.complaint": ("complaint", "投诉"),
    "entity.contact": ("contact", "联系人"), "entity.contract": ("contract", "合同"), "entity.customer": ("customer", "客户"),
    "entity.database": ("database", "数据库"), "entity.deal": ("deal", "商机"), "entity.file": ("file", "文件"),
    "entity.import": ("import", "导入"), "entity.inbox_dismissal": ("inbox_dismissal", "收件箱隐藏"),
    "entity.lead": ("lead", "线索"), "entity.leave": ("leave", "请假"), "entity.meeting": ("meeting", "会议"),
    "entity.missed_sale": ("missed_sale", "漏单"), "entity.notify_channel": ("notify_channel", "通知渠道"),
    "entity.notify_log": ("notify_log", "通知记录"), "entity.payment": ("payment", "回款"),
    "entity.profile_section": ("profile_section", "客户资料"), "entity.report": ("report", "报告"),
    "entity.staff": ("staff", "员工"), "entity.summary": ("summary", "汇总"), "entity.target": ("target", "目标"),
    "entity.visit": ("visit", "拜访"), "entity.ownership_entry": ("ownership_entry", "负责人台账"),
    "entity.claim": ("claim", "报备"),
    # the team server's audit: an entry salesctl wrote, or a row change the database recorded
    "audit_source.app": ("app", "salesctl"),
    "audit_source.db": ("db", "数据库"),
})
MESSAGES.update({
    # `report review ID ID …` / `--team --date …` (a batch, all or nothing)
    "report.err.batch_denied": ("permission denied: {what}; {handle} is outside your team, so nothing was reviewed",
                                "无权操作：{what}；{handle} 不在你的团队中，未批阅任何报告"),
    "report.err.review_ids_or_team": ("give report ids, or --team/--manager with --date, --week or --month",
                                      "请给出报告编号，或用 --team/--manager 加 --date、--week 或 --month"),
    "report.col.comment": ("Comment", "批阅意见"),
    "report.msg.reviewed_many": ("Reviewed {count} reports.", "已批阅 {count} 份报告。"),
    "report.msg.none_waiting": ("No submitted report waiting for review in {period}.", "{period} 没有等待批阅的已提交报告。"),
})
MESSAGES.update({
    "completion.err.shell": ("{flag}: '{value}' is not a shell salesctl completes; accepted: {accepted}",
                             "{flag}：不支持为 '{value}' 生成自动补全；可用：{accepted}"),
    "completion.installed": ("{shell} completion installed in {path}; it takes effect in a new terminal",
                             "已为 {shell} 安装自动补全：{path}；新开终端后生效"),
})
