"""The notifications catalog: the inbox's new kinds, `notify`, and the messages salesctl sends (key: (en, zh))."""

MESSAGES = {
    # --- inbox kinds and texts
    "inbox.kind.claim_decided": ("claim decided", "报备结果"),
    "inbox.kind.claim_against": ("claim on your customer", "他人报备您的客户"),
    "inbox.kind.lead": ("lead assigned", "分配的线索"),
    "inbox.kind.comment": ("report comment", "报告批注"),
    "inbox.kind.followup": ("follow-up", "跟进"),
    "inbox.kind.missing": ("missing report", "未交报告"),
    "inbox.kind.recall": ("pool recall", "公海回收提醒"),
    "inbox.col.key": ("Key", "键"),
    "inbox.text.claim_approve": ("your claim was approved by {by}", "您的报备已由 {by} 批准"),
    "inbox.text.claim_reject": ("your claim was rejected by {by}", "您的报备被 {by} 驳回"),
    "inbox.text.claim_against": ("{handle} claims your customer", "{handle} 申请报备您的客户"),
    "inbox.text.lead": ("lead assigned to you by {by}; not contacted yet", "{by} 分配给您的线索，尚未联系"),
    "inbox.text.comment": ("{by} commented on your {kind} report {period}: {comment}",
                           "{by} 批注了您的{kind}报告 {period}：{comment}"),
    "inbox.text.followup_today": ("follow-up due today", "今天应跟进"),
    "inbox.text.followup_overdue": ("follow-up overdue since {due}", "跟进已逾期（应于 {due}）"),
    "inbox.text.missing": ("your daily report of {day} is missing", "您 {day} 的日报未提交"),
    "inbox.count_part": ("{count} {kind}", "{kind} {count}"),
    "inbox.count_sep": (", ", "，"),
    "inbox.counts_line": ("Waiting: {parts}.", "待处理：{parts}。"),
    "inbox.counts_none": ("Waiting: nothing.", "待处理：无。"),
    "inbox.msg.done": ("Hid {key} from your inbox.", "已从待办中隐藏 {key}。"),
    "inbox.err.no_item": ("inbox done: '{key}' is not in your inbox (see `salesctl inbox` for the keys)",
                          "inbox done：'{key}' 不在您的待办中（键见 `salesctl inbox`）"),
    "inbox.err.not_informational": (
        "inbox done: '{key}' ({kind}) leaves the inbox when it is handled; only notices can be hidden",
        "inbox done：'{key}'（{kind}）处理完毕后自动消失；只有通知类事项可以隐藏"),

    # --- settings and channels
    "notify.err.smtp_missing": ("no SMTP server configured: set `salesctl config set smtp_url smtp://HOST:PORT` "
                                "(or SALESCTL_SMTP_URL)",
                                "未配置 SMTP 服务器：请执行 `salesctl config set smtp_url smtp://主机:端口`（或设置 SALESCTL_SMTP_URL）"),
    "notify.err.from_missing": ("no sender address: set `salesctl config set smtp_from ADDRESS` (or SALESCTL_SMTP_FROM)",
                                "未配置发件人：请执行 `salesctl config set smtp_from 地址`（或设置 SALESCTL_SMTP_FROM）"),
    "notify.err.smtp_url": ("smtp_url: '{value}' is not an SMTP URL; accepted: smtp://HOST:PORT, "
                            "smtp://HOST:PORT?starttls=yes, smtps://HOST:PORT",
                            "smtp_url：'{value}' 不是 SMTP 地址；可用：smtp://主机:端口、smtp://主机:端口?starttls=yes、smtps://主机:端口"),
    "notify.err.email": ("{field}: '{value}' is not an e-mail address", "{field}：'{value}' 不是有效的电子邮件地址"),
    "notify.err.channel": ("channel URL: '{value}' is not accepted; schemes: {schemes}",
                           "频道地址：'{value}' 无效；可用的协议：{schemes}"),
    "notify.err.password_file": ("smtp_password_file: {path}: {error}", "smtp_password_file：{path}：{error}"),
    "notify.err.password_file_open": (
        "smtp_password_file: {path} is readable by others (mode {mode}); run chmod 600 {path}",
        "smtp_password_file：{path} 其他用户可读（权限 {mode}）；请执行 chmod 600 {path}"),
    "notify.err.no_email": ("{handle} has no e-mail address: set it with `salesctl staff edit {handle} --email ADDRESS`",
                            "{handle} 没有电子邮件地址：请执行 `salesctl staff edit {handle} --email 地址`"),
    "notify.err.send_failed": ("sending to {to} failed: {error}", "发送给 {to} 失败：{error}"),
    "notify.err.sender_role": ("notify send: only the director or the general manager runs the delivery for everyone",
                               "notify send：只有总监或总经理可以为所有人投递通知"),
    "notify.what.subscribe": ("subscribe a channel for {handle}", "为 {handle} 订阅通知频道"),
    "notify.msg.subscribed": ("{handle} now also receives notifications at {channel} (channel {id}).",
                              "{handle} 现在也会在 {channel} 收到通知（频道 {id}）。"),
    "notify.msg.sent": ("Delivered {sent} message(s) with {items} item(s); {failed} failed, {waiting} waiting.",
                        "已投递 {sent} 条消息，共 {items} 项；失败 {failed} 条，等待 {waiting} 条。"),
    "notify.msg.dry": ("Dry run: {messages} message(s) with {items} item(s) would be sent; nothing was sent.",
                       "试运行：将发送 {messages} 条消息，共 {items} 项；未发送任何内容。"),
    "notify.msg.quiet": ("Quiet hours ({start}–{end}): only urgent items were sent.",
                         "免打扰时段（{start}–{end}）：只发送了紧急事项。"),
    "notify.title.status": ("Notification queue", "通知队列"),
    "notify.title.log": ("Recent deliveries", "最近的投递"),
    "notify.col.handle": ("Person", "人员"),
    "notify.col.channel": ("Channel", "频道"),
    "notify.col.items": ("Items", "事项数"),
    "notify.col.status": ("Status", "状态"),
    "notify.col.attempts": ("Attempts", "尝试次数"),
    "notify.col.next_try": ("Next try", "下次尝试"),
    "notify.col.error": ("Last error", "最近错误"),
    "notify.col.at": ("At", "时间"),
    "notify.col.subject": ("Subject", "主题"),
    "notify.col.purpose": ("What", "内容"),
    "notify.status.pending": ("pending", "待发送"),
    "notify.status.failed": ("failed", "失败"),
    "notify.status.sent": ("sent", "已发送"),
    "notify.status.waiting": ("quiet hours", "免打扰"),
    "notify.empty": ("Nothing waiting to be delivered.", "没有待投递的通知。"),

    # --- the messages themselves
    "notify.subject.inbox": ("[salesctl] {count} new item(s) for {name}", "[salesctl] {name} 有 {count} 项新待办"),
    "notify.body.inbox_intro": ("New in your inbox (salesctl inbox shows everything):",
                                "您的待办中有新事项（`salesctl inbox` 查看全部）："),
    "notify.body.robot_intro": ("{name}: {count} new item(s) in salesctl", "{name}：salesctl 中有 {count} 项新待办"),
    "notify.subject.missing_rep": ("[salesctl] Your {kind} report {day} is missing", "[salesctl] 您的{kind} {day} 尚未提交"),
    "notify.body.missing_rep": ("Your {kind} report {day} has not been submitted (deadline {deadline}).\n"
                                "Submit it with: salesctl report {command}",
                                "您的{kind} {day} 尚未提交（截止时间 {deadline}）。\n请执行：salesctl report {command}"),
    "notify.subject.missing_mgr": ("[salesctl] {count} {kind} report(s) still missing for {day}",
                                   "[salesctl] {day} 仍有 {count} 份{kind}未交"),
    "notify.body.missing_mgr": ("{kind} reports of {day} still missing in your team:", "您团队中 {day} 仍未提交{kind}的人员："),
    "notify.msg.missing_sent": ("Reminded {reps} rep(s) and {managers} manager(s).", "已提醒 {reps} 名销售和 {managers} 名经理。"),
    "notify.subject.archive": ("[salesctl] Customer archive {period} of {name}", "[salesctl] {name} 的客户档案 {period}"),
    "notify.body.archive": ("{name} ({handle}) sends the weekly customer archive {period} ({start} – {end}).\n\n"
                            "Customers: {customers}, contacts: {contacts}, visits: {visits}, grade changes: {grades}.\n"
                            "New this week: {new}, changed: {changed}, highlighted rows: {highlighted}.\n\n"
                            "The attached workbook is encrypted; open it with the sender's archive password "
                            "(given separately, never by e-mail).\nSHA-256: {sha256}",
                            "{name}（{handle}）发送本周客户档案 {period}（{start} – {end}）。\n\n"
                            "客户 {customers}，联系人 {contacts}，拜访 {visits}，等级变更 {grades}。\n"
                            "本周新增 {new}，变更 {changed}，高亮行 {highlighted}。\n\n"
                            "附件已加密，请用发件人的档案密码打开（密码另行告知，绝不通过邮件发送）。\nSHA-256：{sha256}"),
    "notify.msg.archive_sent": ("Sent the pack to {recipients}.", "已将档案发送给 {recipients}。"),
    "notify.err.no_recipients": ("archive friday --send: nobody to send to (no general manager and no manager above {handle})",
                                 "archive friday --send：没有收件人（{handle} 之上既没有总经理也没有经理）"),
    "notify.subject.summary": ("[salesctl] Weekly summary {period}", "[salesctl] 周总结 {period}"),
    "notify.msg.summary_sent": ("Sent the summary to {recipients}.", "已将总结发送给 {recipients}。"),
}
