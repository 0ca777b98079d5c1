"""The visit catalog: visits, calls, follow-ups due (key: (en, zh))."""

# key: (en, zh)
MESSAGES: dict[str, tuple[str, str]] = {
    # --- visit kinds
    "visit_kind.visit": ("visit", "拜访"),
    "visit_kind.call": ("call", "电话"),
    "visit_kind.email": ("email", "邮件"),
    "visit_kind.event": ("event", "活动"),
    # --- what `visit due` lists
    "due_kind.follow_up": ("follow-up", "跟进"),
    "due_kind.no_contact": ("no contact", "久未联系"),
    "due_status.overdue": ("overdue", "已逾期"),
    "due_status.due": ("due today", "今日到期"),
    "due_status.upcoming": ("upcoming", "即将到期"),
    # --- columns
    "visit.col.at": ("When", "拜访时间"),
    "visit.col.customer": ("Customer", "客户"),
    "visit.col.contact": ("Contact", "联络人"),
    "visit.col.kind": ("Kind", "方式"),
    "visit.col.content": ("Content", "拜访内容"),
    "visit.col.result": ("Result", "结果"),
    "visit.col.problems": ("Problems", "存在问题"),
    "visit.col.next_step": ("Next step", "下一步"),
    "visit.col.follow_up": ("Follow-up", "跟进日期"),
    "visit.col.rep": ("Rep", "销售代表"),
    "visit.col.grade": ("Grade", "级别"),
    "visit.col.due": ("Due", "到期"),
    "visit.col.status": ("Status", "状态"),
    "visit.col.due_kind": ("What", "事项"),
    "visit.col.days_overdue": ("Days over", "逾期天数"),
    "visit.col.last_contact_at": ("Last contact", "最近联系"),
    "visit.col.owner": ("Owner", "负责人"),
    # --- titles
    "visit.title.list": ("Visits", "拜访记录"),
    "visit.title.due": ("Follow-ups due", "待跟进"),
    # --- prompts
    "visit.prompt.content": ("What was discussed (content)", "拜访内容"),
    "visit.prompt.result": ("Result", "拜访结果"),
    "visit.prompt.contact": ("Whom did you meet (contact)", "拜访对象（联络人）"),
    # --- messages
    "visit.msg.logged": ("Logged visit {id}: {customer}, {kind} with {contact} at {at}", "已记录拜访 {id}：{customer}，{kind}，对象 {contact}，时间 {at}"),
    "visit.msg.contact_added": ("Added contact {name} to {customer}", "已为 {customer} 添加联络人 {name}"),
    "visit.msg.regraded": ("Grade of {customer}: {before} → {after}", "{customer} 的级别：{before} → {after}"),
    "visit.msg.grade_unchanged": ("Grade of {customer} is already {grade}; unchanged", "{customer} 的级别已是 {grade}，未变更"),
    "visit.msg.nothing_due": ("Nothing due.", "没有待跟进事项。"),
    "visit.msg.overdue": ("{count} overdue", "{count} 项已逾期"),
    # --- errors and refusals
    "visit.denied.log": ("log visits", "记录拜访"),
    "visit.denied.pool": (
        "{what} for customer {id}: it is in the pool (no owner); claim it first (salesctl claim add)",
        "为客户 {id} {what}：该客户在公海中（无负责人）；请先报备认领（salesctl claim add）",
    ),
    "visit.denied.owned": ("{what} for customer {id} (owned by {handle})", "为客户 {id} {what}（负责人 {handle}）"),
    "visit.err.one_period": (
        "period: give only one of --date, --week, --month, --since (got {flags})",
        "时间段：--date、--week、--month、--since 只能给出一个（收到 {flags}）",
    ),
    "visit.err.bad_kind": (
        "--kind: '{value}' is not a kind of contact; accepted: {accepted}",
        "--kind：“{value}”不是有效的联系方式；可选：{accepted}",
    ),
    "visit.err.empty": ("{flag}: required and must not be empty", "{flag}：必填，不能为空"),
    "visit.err.missing": (
        "{flags}: required (what was discussed, the result, and whom you met)",
        "{flags}：必填（拜访内容、结果和拜访对象）",
    ),
    "visit.err.bad_grade": (
        "--grade: '{value}' is not a grade; accepted: {accepted}",
        "--grade：“{value}”不是有效的客户级别；可选：{accepted}",
    ),
    "visit.err.reason_without_grade": (
        "--reason: only with --grade (the reason for the new grade)",
        "--reason：只能与 --grade 一起使用（新级别的原因）",
    ),
    "visit.err.future": (
        "--at: {at} is in the future; a visit is logged after it happened",
        "--at：{at} 是将来的时间；拜访发生后才能记录",
    ),
    "visit.err.before_customer": (
        "--at: {at} is before the customer was added ({created})",
        "--at：{at} 早于客户建档时间（{created}）",
    ),
    "visit.err.follow_up_early": (
        "--follow-up: {follow_up} is before the visit ({visit}); give a later date",
        "--follow-up：{follow_up} 早于拜访日期（{visit}）；请给出更晚的日期",
    ),
    "visit.err.negative_days": ("--days: {value} is negative; give 0 or more", "--days：{value} 是负数；请给出 0 或更大的数"),
}
