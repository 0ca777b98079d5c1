"""The deal catalog: the five sales stages, deals, payments collected (key: (en, zh))."""

# key: (en, zh)
MESSAGES: dict[str, tuple[str, str]] = {
    # --- the five stages (SPEC 1.5), by number; deal_stage_key.<n> is the stable English key
    "deal_stage.1": ("1 information", "1 信息开发"),
    "deal_stage.2": ("2 project", "2 项目建立"),
    "deal_stage.3": ("3 negotiation", "3 商务谈判"),
    "deal_stage.4": ("4 purchase & collection", "4 购卡/回款"),
    "deal_stage.5": ("5 after-sales", "5 售后服务"),
    "deal_stage_goal.1": ("accurate information", "重要点的准确信息"),
    "deal_stage_goal.2": ("an effective relationship", "培养有效的客户关系"),
    "deal_stage_goal.3": ("contract signed", "合同签订"),
    "deal_stage_goal.4": ("funds collected", "资金归集"),
    "deal_stage_goal.5": ("after-sales service", "售后服务"),
    "deal_status.open": ("open", "跟进中"),
    "deal_status.won": ("won", "已成交"),
    "deal_status.lost": ("lost", "已丢单"),
    # --- suggested lost reasons (free text is accepted too)
    "deal_lost.price": ("price", "价格"),
    "deal_lost.competitor": ("lost to a competitor", "输给竞争对手"),
    "deal_lost.budget": ("no budget", "没有预算"),
    "deal_lost.timing": ("project postponed or cancelled", "项目推迟或取消"),
    "deal_lost.no_need": ("no real need", "没有实际需求"),
    "deal_lost.relationship": ("relationship", "客户关系"),
    "deal_lost.other": ("other", "其他"),
    # --- columns
    "deal.col.customer": ("Customer", "客户"),
    "deal.col.title": ("Title", "商机"),
    "deal.col.product": ("Product", "产品"),
    "deal.col.amount": ("Amount", "金额"),
    "deal.col.stage": ("Stage", "阶段"),
    "deal.col.status": ("Status", "状态"),
    "deal.col.owner": ("Owner", "负责人"),
    "deal.col.expected_close": ("Expected close", "预计成交"),
    "deal.col.won_on": ("Won on", "成交日期"),
    "deal.col.lost_on": ("Lost on", "丢单日期"),
    "deal.col.lost_reason": ("Lost reason", "丢单原因"),
    "deal.col.paid": ("Collected", "已回款"),
    "deal.col.outstanding": ("Outstanding", "未回款"),
    "deal.col.count": ("Deals", "数量"),
    "deal.col.reached": ("Reached", "到达"),
    "deal.col.conversion": ("Conversion", "转化率"),
    "deal.col.name": ("Stage name", "阶段名称"),
    "deal.col.from_stage": ("From", "原阶段"),
    "deal.col.to_stage": ("To", "新阶段"),
    "deal.col.by": ("By", "操作人"),
    "deal.col.note": ("Note", "备注"),
    "deal.col.next": ("Possible next", "可执行操作"),
    "payment.col.deal_id": ("Deal", "商机"),
    "payment.col.date": ("Date", "回款日期"),
    # --- titles
    "deal.title.list": ("Deals", "商机"),
    "deal.title.pipeline": ("Sales pipeline", "销售漏斗"),
    "deal.title.history": ("Stage history", "阶段记录"),
    "deal.title.payments": ("Payments collected", "回款记录"),
    "payment.title.list": ("Payments collected", "回款记录"),
    "deal.pipeline.won": ("won", "已成交"),
    "deal.pipeline.lost": ("lost", "已丢单"),
    "deal.pipeline.total": ("Total", "合计"),
    # --- messages
    "deal.msg.added": ("Added deal {id}: {title} ({customer}), stage {stage}", "已添加商机 {id}：{title}（{customer}），阶段 {stage}"),
    "deal.msg.moved": ("Deal {id}: {before} → {after}", "商机 {id}：{before} → {after}"),
    "deal.msg.won": ("Deal {id} won (contract {date}): now {stage}", "商机 {id} 已成交（合同日期 {date}），当前阶段 {stage}"),
    "deal.msg.lost": ("Deal {id} lost at {stage}: {reason}", "商机 {id} 在{stage}阶段丢单：{reason}"),
    "deal.msg.created": ("created", "创建"),
    "payment.msg.added": ("Recorded payment {id} on deal {deal}: {amount} (collected {paid} of {total})", "已记录商机 {deal} 的回款 {id}：{amount}（已回款 {paid} / {total}）"),
    "payment.msg.paid_in_full": ("Deal {deal} is paid in full; move it to after-sales: salesctl deal advance {deal} --to 5", "商机 {deal} 已全额回款；可进入售后：salesctl deal advance {deal} --to 5"),
    "payment.prompt.overpay": ("Collections would reach {total}, more than the deal amount {amount}. Record it anyway?", "回款将达到 {total}，超过商机金额 {amount}。仍要记录吗？"),
    # --- errors and refusals
    "deal.err.bad_stage": ("{flag}: '{value}' is not a stage; accepted: {accepted}", "{flag}：“{value}”不是有效的阶段；可选：{accepted}"),
    "deal.err.lost_reason_required": (
        "--reason: required; one of {accepted} or your own words",
        "--reason：必填；可选 {accepted}，或自行填写原因",
    ),
    "deal.err.bad_id": (
        "deal: '{value}' is not a deal id; give the number shown by `salesctl deal list`",
        "商机：“{value}”不是商机编号；请给出 `salesctl deal list` 显示的编号",
    ),
    "deal.err.not_found": ("no deal {id} (see `salesctl deal list`)", "没有编号为 {id} 的商机（见 `salesctl deal list`）"),
    "deal.denied.deal": ("deal {id}", "商机 {id}"),
    "deal.denied.add": ("add deals", "添加商机"),
    "deal.denied.change": ("change deal {id}", "修改商机 {id}"),
    "deal.denied.win": ("win deal {id}", "将商机 {id} 标记为成交"),
    "deal.denied.lose": ("lose deal {id}", "将商机 {id} 标记为丢单"),
    "deal.denied.pay": ("record payments on deal {id}", "为商机 {id} 记录回款"),
    "deal.err.possible": ("possible: {actions}", "可执行：{actions}"),
    "deal.err.lost_final": ("a lost deal is final", "已丢单的商机不能再变更"),
    "deal.err.required": ("{flags}: required", "{flags}：必填"),
    "deal.err.amount_positive": ("--amount: '{value}' must be more than 0", "--amount：“{value}”必须大于 0"),
    "deal.err.start_open": (
        "--stage: a new deal starts open (1-3); stage {stage} means won: add it, then `salesctl deal won`",
        "--stage：新商机只能从跟进阶段（1-3）开始；阶段 {stage} 表示已成交：请先添加，再运行 `salesctl deal won`",
    ),
    "deal.err.lost_at": ("deal {id}: lost at stage {stage}; {legal}", "商机 {id}：已在阶段 {stage} 丢单；{legal}"),
    "deal.err.last_stage": (
        "--to: deal {id} is already at the last stage (5 after_sales); {legal}",
        "--to：商机 {id} 已处于最后阶段（5 after_sales）；{legal}",
    ),
    "deal.err.same_stage": (
        "--to: deal {id} is already at stage {stage} {name}; {legal}",
        "--to：商机 {id} 已处于阶段 {stage} {name}；{legal}",
    ),
    "deal.err.back_reason": (
        "--reason: required to move deal {id} back from stage {current} to {target}",
        "--reason：将商机 {id} 从阶段 {current} 退回到阶段 {target} 时必填",
    ),
    "deal.err.needs_won": (
        "--to: stage {stage} {name} follows a signed contract; run `salesctl deal won {id}` first ({legal})",
        "--to：阶段 {stage} {name} 须在合同签订之后；请先运行 `salesctl deal won {id}`（{legal}）",
    ),
    "deal.err.not_paid": (
        "--to: stage 5 after_sales needs the deal paid in full: collected {paid} of {amount}; "
        "record payments with `salesctl payment add {id}`",
        "--to：进入阶段 5 after_sales 需全额回款：已回款 {paid} / {amount}；"
        "请用 `salesctl payment add {id}` 记录回款",
    ),
    "deal.err.reopen_paid": (
        "--to: deal {id} has payments ({paid}); a won deal with money collected cannot reopen",
        "--to：商机 {id} 已有回款（{paid}）；已回款的成交商机不能重新打开",
    ),
    "deal.err.already_closed": (
        "deal {id}: already {status} (stage {stage}); {legal}",
        "商机 {id}：已是 {status} 状态（阶段 {stage}）；{legal}",
    ),
    "deal.err.future_contract": (
        "--contract-date: {date} is in the future; record the win once the contract is signed",
        "--contract-date：{date} 是将来的日期；请在合同签订后再记录成交",
    ),
    "deal.err.cannot_lose": (
        "deal {id}: {status} deals cannot be lost, only open ones (stage 1-3); {legal}",
        "商机 {id}：{status} 状态的商机不能标记丢单，只有跟进中的商机（阶段 1-3）可以；{legal}",
    ),
    "deal.err.bad_status": (
        "--status: '{value}' is not a deal status; accepted: open, won, lost",
        "--status：“{value}”不是有效的商机状态；可选：open, won, lost",
    ),
    "payment.err.future": (
        "--date: {date} is in the future; record a payment once it is received",
        "--date：{date} 是将来的日期；请在收到款项后再记录回款",
    ),
    "payment.err.not_won": (
        "deal {id}: payments are recorded on won deals (stage 4-5); this one is {status} at stage {stage}",
        "商机 {id}：只能为已成交的商机（阶段 4-5）记录回款；该商机为 {status} 状态，处于阶段 {stage}",
    ),
    "payment.err.run_won": ("; run `salesctl deal won {id}` first", "；请先运行 `salesctl deal won {id}`"),
    "payment.err.overpay": (
        "--allow-overpay: collections would reach {after}, more than the deal amount {amount} "
        "(collected so far {before}); pass --allow-overpay if that is right",
        "--allow-overpay：回款将达到 {after}，超过商机金额 {amount}"
        "（目前已回款 {before}）；如确认无误，请加上 --allow-overpay",
    ),
}
