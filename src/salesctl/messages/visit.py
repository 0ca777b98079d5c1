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
}
