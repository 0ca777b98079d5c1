"""The summary catalog: team summaries, their charts and the five sales stages (key: (en, zh))."""

# key: (en, zh)
MESSAGES: dict[str, tuple[str, str]] = {
    # --- titles and notes
    "summary.title": ("Summary {period} ({first} – {last}) — {scope}", "工作汇总 {period}（{first} 至 {last}）— {scope}"),
    "summary.total": ("Total", "合计"),
    "summary.no_activity": ("No activity in {period} for {scope}: no visits, customers, deals, payments or reports.",
                            "{period}（{scope}）没有任何活动：无拜访、新客户、商机、回款或报告。"),
    "summary.compare_note": ("▲/▼: change against {previous}.", "▲/▼：与 {previous} 相比的变化。"),
    "summary.late_count": ("{n} late", "迟交{n}"),
    "summary.none": ("(none)", "（无）"),
    "summary.narrow": ("({n} columns hidden to fit the terminal; widen it, or use --format markdown)",
                       "（终端太窄，已隐藏 {n} 列；请加宽窗口或使用 --format markdown）"),
    "summary.legend": ("Kinds: visit/call/email/event. A/B/C/D: customers owned now. Deals: advanced/won/lost. "
                       "Daily: reports submitted/due. Overdue: follow-ups past due and not done.",
                       "方式：面访/电话/邮件/活动。A/B/C/D：当前拥有的各级客户数。商机：推进/签约/丢单。"
                       "日报：已交/应交。逾期：已过跟进日期仍未跟进的数量。"),
    # --- table columns
    "summary.col.rep": ("Rep", "销售"),
    "summary.col.region": ("Region", "区域"),
    "summary.col.industry": ("Industry", "行业"),
    "summary.col.manager": ("Manager", "销售经理"),
    "summary.col.reps": ("Reps", "人数"),
    "summary.col.visits": ("Visits", "拜访"),
    "summary.col.kinds": ("Kinds (v/c/e/ev)", "面访/电话/邮件/活动"),
    "summary.col.contacted": ("Contacted", "联系客户"),
    "summary.col.new_customers": ("New", "新客户"),
    "summary.col.grade_moves": ("Grade ↑/↓", "升级/降级"),
    "summary.col.by_grade": ("A/B/C/D", "A/B/C/D"),
    "summary.col.deals": ("Deals adv/won/lost", "商机 推进/签约/丢单"),
    "summary.col.amount_won": ("Amount won", "签约金额"),
    "summary.col.payments": ("Payments", "回款"),
    "summary.col.target": ("Target", "目标"),
    "summary.col.attainment": ("% of target", "完成率"),
    "summary.col.daily": ("Daily", "日报"),
    "summary.col.weekly_report": ("Weekly", "周报"),
    "summary.col.monthly_report": ("Monthly", "月报"),
    "summary.col.overdue": ("Overdue", "逾期跟进"),
    # --- report status words
    "summary.report.submitted": ("submitted", "已提交"),
    "summary.report.reviewed": ("reviewed", "已审阅"),
    "summary.report.late": ("late", "迟交"),
    "summary.report.draft": ("draft", "草稿"),
    "summary.report.missing": ("missing", "未交"),
    "summary.report.pending": ("not due", "未到期"),
    # --- charts
    "summary.chart.grades": ("Grade distribution (customers owned now)", "客户级别分布（当前）"),
    "summary.chart.pipeline": ("Pipeline by stage (open and won deals now)", "销售漏斗（当前进行中及已签约商机）"),
    "summary.chart.upgraded": ("Upgraded to A in {period}", "{period} 升为A级的客户"),
    "summary.chart.won": ("Deals won in {period}", "{period} 签约的商机"),
    "summary.chart.deals": ("{n} deals", "{n} 个商机"),
    # --- errors
    "summary.err.bad_grouping": ("--by: '{value}' is not a grouping; accepted: {accepted}",
                                 "--by：'{value}' 不是有效的分组方式；可选：{accepted}"),
    # --- the five stages of the sales process (SPEC 1.5)
    "summary.stage.1": ("Information development", "信息开发"),
    "summary.stage.2": ("Project establishment", "项目建立"),
    "summary.stage.3": ("Business negotiation", "商务谈判"),
    "summary.stage.4": ("Purchase and payment", "购卡/回款"),
    "summary.stage.5": ("After-sales service", "售后服务"),
}
