"""Chinese help of every command and group, by command path (after `salesctl`); merged into
salesctl.messages.cli_help.COMMANDS. Paragraphs are separated by a blank line as in the English;
`示例：` lines are examples (data in them is Chinese, flags and accepted values stay as typed).
"""

COMMANDS_ZH: dict[str, str] = {
    "init": "创建或升级数据库及其第一个用户。\n\n"
            "示例：salesctl init --admin chen.jian --name 陈建 --role gm   （或：salesctl init --demo）",
    "config": "查看和修改配置文件（user、db、lang、policy 等）。",
    "config get": "显示一个配置项的值（不指定则显示全部）。\n\n示例：salesctl config get user",
    "config set": "设置一个配置项。\n\n示例：salesctl config set user wang.fang",
    "config unset": "删除一个配置项（文件其余内容连同注释保持不变）。\n\n示例：salesctl config unset lang",
    "config list": "列出所有配置项：当前值（如已设置）及其用途。\n\n示例：salesctl config list",
    "config path": "显示配置文件和默认数据库的位置。\n\n示例：salesctl config path",
    "whoami": "salesctl 认为你是谁（依次取 --as、SALESCTL_USER、配置中的 user、系统登录名）。\n\n"
              "示例：salesctl --as wang.fang whoami",
    "db": "数据库：升级、备份、检查、加密、更换密钥。",
    "db upgrade": "把数据库结构升级到当前版本（其他命令也会自动升级）。\n\n示例：salesctl db upgrade",
    "db backup": "在他人使用时安全复制 SQLite 数据库（SQLite 在线备份）。\n\n"
                 "示例：salesctl db backup ~/salesctl-2026-11-27.db",
    "db check": "检查数据完整性和数据库结构版本。\n\n示例：salesctl db check",
    "db encrypt": "用 SQLCipher 加密一个未加密的 SQLite 数据库（原地加密，或写到 --out）。\n\n"
                  "示例：SALESCTL_DB_KEY=… salesctl db encrypt   （之后使用 --db sqlite+pysqlcipher:///路径）",
    "db rekey": "更换加密数据库的密钥（当前密钥在 SALESCTL_DB_KEY 中）。\n\n"
                "示例：SALESCTL_DB_KEY=旧密钥 SALESCTL_DB_NEW_KEY=新密钥 salesctl --db sqlite+pysqlcipher:///salesctl.db db rekey",
    "db security-check": "团队服务器：检查每张表的行级安全、策略和员工权限；有问题时退出码为 1（可放入 cron）。\n\n"
                         "示例：salesctl db security-check --format json",
    "staff": "员工和组织架构。",
    "staff add": "把一个人加入组织架构（--login：同时在团队服务器上开通其登录）。\n\n"
                 "示例：salesctl staff add wang.fang --name 王芳 --role rep --manager zhang.wei --region 华东 --industry 制造业",
    "staff login": "开通或停用某人在团队服务器（PostgreSQL）上的登录（由管理员执行）。\n\n"
                   "示例：salesctl staff login wang.fang --enable --password-file ~/wang.fang.pw",
    "staff list": "列出员工。\n\n示例：salesctl staff list --role rep --format json",
    "staff show": "显示一个人：角色、上级、上级链、下属。\n\n示例：salesctl staff show wang.fang",
    "staff edit": "修改某人的姓名、角色、上级、区域或行业。\n\n示例：salesctl staff edit wang.fang --manager li.qiang",
    "staff deactivate": "停用已离职的人（从不删除：历史记录仍指向此人）。\n\n"
                        "此人仍负责客户或未结商机时拒绝（退出码 5）：请先交接。\n\n"
                        "示例：salesctl staff deactivate wang.fang --handover-to li.na",
    "staff handover": "离职交接：把全部客户（及其未结商机和待跟进事项）移交给另一个人。\n\n"
                      "示例：salesctl staff handover wang.fang --to li.na --dry-run",
    "staff tree": "画出组织架构图。\n\n示例：salesctl staff tree",
    "staff leave": "请假：申请（本人）、批准或驳回（经理）、列表、撤销。",
    "staff leave add": "登记请假：本人的请假在经理批准前是申请；经理为团队成员登记的直接批准。\n\n"
                       "只有已批准的请假可免交日报。\n\n"
                       "示例：salesctl staff leave wang.fang --from 2026-12-01 --to 2026-12-03 --reason 病假",
    "staff leave list": "列出你能看到的请假和申请。\n\n示例：salesctl staff leave list --pending --team",
    "staff leave approve": "批准一条待审批的请假申请（申请人的经理或更上级；不能批准自己的）。\n\n"
                           "示例：salesctl staff leave approve 7",
    "staff leave reject": "驳回一条待审批的请假申请，并说明原因。\n\n示例：salesctl staff leave reject 7 --reason 月底冲刺",
    "staff leave cancel": "撤销一条待审批或已批准的请假（本人或其经理）。\n\n示例：salesctl staff leave cancel 7",
    "customer list": "列出你能看到的客户（json 和 csv 逐行输出）。\n\n"
                     "示例：salesctl customer list --grade A,B --stale 14 --format json",
    "customer show": "显示一个客户：全部字段、联系人、资料、分级历史、负责人台账、最近拜访。\n\n"
                     "示例：salesctl customer show 华为技术 --format json",
    "customer edit": "修改客户的字段（选项与 add 相同）；--owner 更换负责人（经理）。\n\n"
                     "示例：salesctl customer edit 华为技术 --expected-purchase 2027-01-15 --address 深圳市龙岗区",
    "customer profile": "填写一个资料栏目（文字来自选项、文件、标准输入，或终端里的 $EDITOR）；不给 --section 时显示全部栏目。\n\n"
                        "示例：salesctl customer profile 华为技术 --section competitor --text \"主要竞争对手：中兴，价格低10%\"",
    "customer regrade": "手工调整客户分级，或用 --auto 按预计采购日期规则调整。\n\n"
                        "示例：salesctl customer regrade 华为技术 A --reason \"已确认下月采购\"；"
                        "salesctl customer regrade --auto --dry-run",
    "customer grades": "分级分布：终端里显示柱状图，json/csv 里是数量。\n\n示例：salesctl customer grades --team --by owner",
    "customer history": "客户的时间线：创建、分级变化、拜访、负责人变更。\n\n示例：salesctl customer history 华为技术",
    "customer lookup": "新增或报备之前：这是哪个客户（相同）或可能是哪个客户（疑似），由谁负责，从何时起。\n\n"
                       "只显示客户的名称、负责人和首次报备时间（不显示联系人和其他字段）。\n\n"
                       "示例：salesctl customer lookup 东莞富达 --phone 13812345678",
    "customer duplicates": "档案中已被匹配为同一家的客户对，供经理合并（customer merge KEEP DROP）。\n\n"
                           "示例：salesctl customer duplicates --all --min-match possible",
    "customer merge": "把 DROP 合并到 KEEP：联系人、资料、拜访、商机、分级、报备、投诉都转过去；DROP 的编号此后指向 KEEP。\n\n"
                      "限经理及以上，且两个客户都在其范围内。\n\n示例：salesctl customer merge 12 57 --dry-run",
    "customer contact": "客户的联系人（每个客户可有多位；可标记决策人）。",
    "customer contact add": "为客户添加一位联系人。\n\n"
                            "示例：salesctl customer contact add 华为技术 --name 李娜 --title 技术总监 --phone 13912345678 --decision-maker",
    "customer contact list": "列出客户的联系人（主要联系人在前）。\n\n"
                             "示例：salesctl customer contact list 华为技术 --format json",
    "customer contact edit": "修改一位联系人。\n\n示例：salesctl customer contact edit 12 --title 副总经理 --decision-maker",
    "customer archive": "客户档案包：导出加密的 .xlsx，打开档案包。",
    "customer archive export": "把客户档案导出为用你的档案密码加密的 .xlsx；本期新增和修改的行高亮显示。\n\n"
                               "示例：salesctl customer archive export --week this --out archive.xlsx --password-file ~/.salesctl-archive-pw",
    "customer archive open": "用作者的密码打开档案包：显示摘要，或解密到 --out。\n\n"
                             "示例：salesctl customer archive open archive-wang.fang-2026-W48.xlsx --password-file wang.fang.pw",
    "visit": "拜访、电话和跟进。",
    "visit log": "记录与你负责（或代为操作）的客户的一次拜访、电话、邮件或活动。\n\n"
                 "示例：salesctl visit log 华光科技 --contact 李总 --content 介绍新方案 --result 要求报价 --follow-up 2026-12-02",
    "visit list": "列出拜访记录，按时间从早到晚（按所属销售员）。\n\n示例：salesctl visit list --week this --team --format json",
    "visit due": "到期或逾期的跟进，以及太久未联系的 A/B 类客户。\n\n示例：salesctl visit due --team --check",
    "deal": "商机：五个销售阶段。",
    "deal add": "为客户新增商机；商机负责人即客户负责人。\n\n"
                "示例：salesctl deal add 华光科技 --title 年度采购 --amount 120000 --stage 2 --expected-close 2026-12-31",
    "deal advance": "把商机推进到另一个阶段（倒退需要 --reason）。\n\n示例：salesctl deal advance 12 --to 商务谈判 --note 已提交报价",
    "deal won": "合同已签：商机进入第 4 阶段（采购与回款），计为成交。\n\n示例：salesctl deal won 12 --contract-date 2026-11-25",
    "deal lost": "把未结商机（第 1-3 阶段）标记为丢单，并说明原因。\n\n示例：salesctl deal lost 12 --reason competitor",
    "deal list": "列出商机及其阶段和已回款金额。\n\n示例：salesctl deal list --open --team --format json",
    "deal show": "显示一个商机：阶段历史（谁、何时）、回款以及下一步可能的操作。\n\n示例：salesctl deal show 12",
    "deal reassign": "把商机转给另一个人（经理及以上），用于负责人规则覆盖不到的情况。\n\n"
                     "示例：salesctl deal reassign 12 --to li.na --reason \"投标由李娜负责\"",
    "deal pipeline": "销售漏斗：各阶段的商机数和金额、阶段间转化率、成交和丢单。\n\n"
                     "示例：salesctl deal pipeline --team --format json",
    "payment": "已成交商机的回款。",
    "payment add": "登记已成交商机收到的款项。\n\n示例：salesctl payment add 12 --amount 36000 --date today --note 首付款",
    "payment list": "按日期列出回款（表格中带合计）。\n\n示例：salesctl payment list --month this --team --format json",
    "contract": "已成交商机的合同及其回款计划。",
    "contract add": "登记已成交商机签订的合同。\n\n"
                    "示例：salesctl contract add 12 --number HT-2026-031 --signed 2026-11-25 --amount 200000 --file 合同.pdf",
    "contract list": "列出合同（按商机负责人的范围），以及已回款和未回款金额。\n\n"
                     "示例：salesctl contract list --team --expiring 30",
    "contract show": "显示一份合同及其回款计划（每期的已付、未付、逾期天数）。\n\n示例：salesctl contract show HT-2026-031",
    "contract edit": "修改合同的编号、日期、金额或备注（记入审计日志）。\n\n"
                     "示例：salesctl contract edit HT-2026-031 --ends 2027-11-30",
    "contract void": "作废合同：合同保留，其分期不再计算；回款仍留在商机上。\n\n"
                     "示例：salesctl contract void HT-2026-031 --reason \"已重签为 HT-2026-040\"",
    "contract plan": "设置回款计划：各期金额之和必须正好等于合同金额。\n\n"
                     "百分比四舍五入到分，最后一期取余数。商机上已登记的回款按时间先后分配到新计划。\n\n"
                     "示例：salesctl contract plan HT-2026-031 --installment \"40%:2026-12-15\" "
                     "--installment \"50%:on delivery\" --installment \"10%:on acceptance\"",
    "contract event": "登记发货或验收：约定“发货时”/“验收时”付款的分期在当天到期。\n\n"
                      "示例：salesctl contract event HT-2026-031 delivered --date 2026-12-20",
    "receivable": "合同下的应收账款：分期、逾期、账龄。",
    "receivable list": "范围内的每一期：到期日、已付、未付和逾期天数。\n\n"
                       "示例：salesctl receivable list --team --overdue --format json",
    "receivable ageing": "按账龄列出未收款：未到期、逾期 1-30、31-60、61-90、90 天以上。\n\n"
                         "示例：salesctl receivable ageing --by rep --as-of 2027-02-01",
    "attach": "客户、拜访、商机、合同、投诉上的附件（加密保存）。",
    "attach add": "把文件加密保存到一条记录上（按文件内容识别类型；拒绝可执行程序）。\n\n"
                  "示例：salesctl attach add customer 12 报价单.pdf --note \"报价第二版\"",
    "attach list": "一条记录上保存的文件。\n\n示例：salesctl attach list deal 7",
    "attach get": "把文件解密到 --out（记入审计日志）。\n\n示例：salesctl attach get 3 --out ~/Desktop/",
    "attach remove": "隐藏一个文件（为审计保留；经理仍可取出）。\n\n示例：salesctl attach remove 3 --reason \"客户选错了\"",
    "report weekly": "销售人员周报，周五下班前提交。\n\n上周的计划显示在本周总结旁边。\n\n"
                     "示例：salesctl report weekly --week 2026-W48 --submit --summary … --situation … --remember … --plan … --support …",
    "report monthly": "销售人员月报，每月最后一天提交。\n\n总结分为工作成果和存在问题，然后是下月计划。\n\n"
                      "示例：salesctl report monthly --month 2026-11 --draft --results-file results.txt",
    "report show": "显示一份报告（已提交的与提交时完全一致）。\n\n"
                   "示例：salesctl report show --rep wang.fang --date yesterday --format markdown",
    "report list": "列出范围内的报告，最近的期间在前。\n\n示例：salesctl report list --team --kind daily --status submitted",
    "report review": "批阅已提交的报告并写评语（仅限该销售员的经理）：按编号，或批阅团队某一期的全部报告。\n\n"
                     "每份报告各有一条批阅记录和审计记录；整批要么全部成功，要么全部不做"
                     "（有一份不在你的团队中就拒绝整批，退出码 3）。\n\n"
                     "示例：salesctl report review --team --date yesterday --comment 已阅",
    "report missing": "列出未交或迟交报告的销售员（--check 供 cron 使用）。\n\n"
                      "未交：未提交（截止前或截止后）；迟交：截止后才提交。\n\n"
                      "默认是今天的日报，除非给出 --date、--week 或 --month；只有销售员需要交报告，"
                      "且只针对未请假的工作日。加 --check 时有人未交则退出码为 1（供 cron 使用）。\n\n"
                      "示例：salesctl report missing --team --check || mail -s \"未交报告\" zhang.wei@example.com",
    "summary": "团队汇总：每个销售员的拜访、客户、分级、商机、回款和报告。",
    "summary week": "按销售员汇总一周：拜访、客户、分级、商机、回款、报告。\n\n"
                    "示例：salesctl summary week --team --send   （cron：0 9 * * 1）",
    "summary month": "按销售员汇总一个月，含目标和完成率。\n\n"
                     "示例：salesctl summary month --month 2026-11 --manager zhang.wei --by region",
    "calendar": "按月显示报告截止日期所用的工作日、节假日和调休上班的周末。\n\n"
                "当年尚未公布调休工作日时给出警告（请加到制度文件中）。\n\n示例：salesctl calendar --year 2026",
    "meeting": "周例会：会议纪要、跟踪到关闭的待办事项、议程。",
    "meeting new": "记录本周例会；`- [ ] @账号 内容 (due 2026-12-04)` 形式的行成为待办事项。\n\n"
                   "会议时间为制度规定的星期和时刻（周一 17:00），在 --date 所在的那一周（默认：本周）。"
                   "团队以前会议中仍未完成的待办都会转入本次会议。\n\n"
                   "示例：salesctl meeting new --minutes-file minutes-2026-11-30.md",
    "meeting show": "显示一次会议：先列转入的待办，然后是纪要和新的待办事项。\n\n"
                    "示例：salesctl meeting show 12 --format markdown",
    "meeting list": "列出你能看到的会议（你的团队及下级团队），最近的在前。\n\n"
                    "示例：salesctl meeting list --since 2026-10-01",
    "meeting actions": "按到期日列出你能看到的会议待办事项。\n\n"
                       "状态为未完成、已完成或已转入（转到后一次会议，在那里重新成为未完成）。\n\n"
                       "示例：salesctl meeting actions --open --owner wang.fang",
    "meeting agenda": "根据数据起草下次会议的议程：未完成的待办、本周数据、待审批的报备、未结投诉、未交的日报。\n\n"
                      "示例：salesctl meeting agenda > agenda.md",
    "meeting edit": "更正会议的纪要或主持人（该团队的经理及以上）。\n\n"
                    "新纪要替换旧纪要：仍在的待办行保留其待办（更新到期日、客户和 `[x]`），新增的行成为新待办，"
                    "行已删除的未完成待办被取消。已完成的待办保持完成。已取消的会议不能更正。\n\n"
                    "示例：salesctl meeting edit 12 --minutes-file minutes-2026-11-30.md",
    "meeting cancel": "取消记错或未召开的会议（该团队的经理及以上）。\n\n"
                      "会议仍在 `meeting list/show` 中，标为已取消，但不再算作该团队当周的例会：当周可重新记录。"
                      "其未完成的待办被取消，转入的待办回到原来的会议。\n\n"
                      "示例：salesctl meeting cancel 12 --reason \"记错了周次\"",
    "meeting action": "单个待办事项：标记完成，或更正（ID --reassign/--due/--cancel）。",
    "meeting action done": "把待办事项标记为完成（转入的事项同时关闭其未完成的副本）。\n\n"
                           "示例：salesctl meeting action done 17 --note \"报价已发给客户\"",
    "meeting action change": "更正待办事项：换成团队中的另一位负责人、另一个到期日，或取消。\n\n"
                             "示例：salesctl meeting action 17 --reassign li.na --due 2026-12-11",
    "complaint": "客户投诉：登记、上报、跟进直到满意度回访。",
    "complaint add": "登记客户投诉；立即通知客户负责人以上的每一级经理和销售总监。\n\n"
                     "示例：salesctl complaint add 华东医疗 --text \"发货延迟两周\" --severity high --channel phone",
    "complaint list": "列出你能看到的投诉（上报给你的、你或你团队客户的、你登记的）。\n\n"
                      "示例：salesctl complaint list --open --format json",
    "complaint show": "显示一条投诉的每一步：谁、何时、从哪个状态到哪个状态、备注。\n\n示例：salesctl complaint show 4",
    "complaint update": "推进投诉的处理流程，或添加备注（两者都会重新计算逾期时间）。\n\n"
                        "open → in_progress → resolved → closed；open 或 in_progress 可转为 rejected/duplicate；"
                        "resolved → in_progress 表示重新打开。\n\n"
                        "示例：salesctl complaint update 4 --status in_progress --note \"已联系客户，安排补发\"",
    "complaint resolve": "把处理中的投诉标记为已解决，并写明解决办法。\n\n"
                         "示例：salesctl complaint resolve 4 --resolution \"已补发货物并致歉\"",
    "complaint close": "以客户满意度（客户满意度调查，1-5）关闭已解决的投诉。\n\n"
                       "示例：salesctl complaint close 4 --satisfaction 4 --note \"客户表示满意\"",
    "complaint overdue": "列出超过制度规定小时数（按严重程度）未更新的未处理或处理中投诉。\n\n"
                         "示例：salesctl complaint overdue --check",
    "inbox": "等你处理的事项；`inbox done KEY` 隐藏一条通知。",
    "inbox done": "从收件箱和通知中隐藏一条通知（报备决定、报告评语、回收警告）。"
                  "其他事项在相应事情办完后自动离开收件箱。\n\n示例：salesctl inbox done comment:12",
    "notify": "邮件和群机器人通知：发送、状态、订阅。",
    "notify send": "把每个人收件箱中的新事项发出去，每人每个渠道一条消息（供 cron 每 15 分钟运行）。"
                   "发送失败的在之后的运行中按退避重试；不会重复发送。"
                   "免打扰时段（制度文件的 [notify]）只发紧急事项。有发送失败时退出码为 1。\n\n"
                   "示例：*/15 * * * * SALESCTL_USER=zhao.min salesctl notify send",
    "notify status": "发送队列（每人每渠道等待的事项、失败及下次重试时间）和最近的发送记录。"
                     "销售总监和总经理看到所有人的，其他人只看到自己的。\n\n示例：salesctl notify status",
    "notify subscribe": "把某人的通知同时发到一个渠道，例如团队的群机器人。\n\n"
                        "示例：salesctl notify subscribe zhang.wei dingtalk://TOKEN",
    "claim": "报备：先报先得、行业规则、经理审批、公海、漏单。",
    "claim add": "报备一个客户：立即生效，或成为待经理审批的申请。\n\n"
                 "示例：salesctl claim add 华为技术有限公司 --need \"扩建门店，年内采购收银系统\"",
    "claim list": "按台账顺序（先报先得）列出你能看到的人的报备。\n\n示例：salesctl claim list --pending --team",
    "claim approve": "批准一条待审批的报备：客户转给申请的销售员；台账保留原负责人。\n\n"
                     "示例：salesctl claim approve 42 --note \"王芳掌握客户需求更清楚\" --owner-had-info no",
    "claim reject": "驳回一条待审批的报备；客户仍归原负责人。\n\n"
                    "示例：salesctl claim reject 42 --reason \"张杰已及时掌握项目信息\"",
    "claim release": "把客户退回公海；台账记录你为前负责人。\n\n"
                     "示例：salesctl claim release 华为技术有限公司 --reason \"客户已转向其他供应商\"",
    "claim expire": "把负责人太久没有拜访记录的客户收回公海，并列出需要提醒的负责人（供 cron 使用）。\n\n"
                    "示例：salesctl claim expire --dry-run",
    "claim missed": "漏单：登记（默认）、用 --list 列出、作废。",
    "claim missed void": "作废误登记的漏单，须在其年终结算之前（结算后请用 commission adjust）。\n\n"
                         "示例：salesctl claim missed void 3 --reason \"客户其实在档案中（简称）\"",
    "claim missed add": "登记一笔漏单：罚款由该区域该行业的销售员平均分摊。\n\n"
                        "示例：salesctl claim missed 某连锁超市 --region 华东 --industry 零售 --amount 3000 --note \"被竞品拿下，档案中无此客户\"",
    "lead": "助理发现的线索，由经理分配：区域最近、成功率最高。",
    "lead add": "新增线索：你发现的新客户，放入公海等经理分配。\n\n"
                "示例：salesctl lead add 某连锁超市 --contact 李明 --phone 13912345678 --industry 零售 --region 华东 --source 展会",
    "lead list": "列出你能看到的线索。\n\n示例：salesctl lead list --open",
    "lead assign": "分配线索：先看区域远近，再看成功率，最后看工作量。\n\n"
                   "没有终端时给出 --yes（选第一名候选人）或 --to HANDLE；只给 --explain 仅预览。\n\n"
                   "示例：salesctl lead assign 7 --explain --yes",
    "target": "按月、季度或年度设定的销售目标。",
    "target set": "设定（或替换）一个月或一个季度的目标。\n\n示例：salesctl target set wang.fang --month 2026-11 --amount 100000",
    "target list": "列出目标及其对应的回款。\n\n示例：salesctl target list --quarter 2026-Q4 --team",
    "commission": "提成：方案、按月计算、明细、结算。",
    "commission calc": "一个月的提成，每个销售员一行：基数、完成率、档位、应发、系数、罚款、实发。\n\n"
                       "示例：salesctl commission calc --month 2026-11 --team",
    "commission statement": "一个月提成的每一行：哪笔回款、哪个比例和规则，便于手工核对。\n\n"
                            "示例：salesctl commission statement wang.fang --month 2026-11",
    "commission settle": "锁定一个月：保存每个销售员的明细；之后的更正记入下一个未结算的月份。\n\n"
                         "示例：salesctl commission settle --month 2026-11 --team",
    "commission adjust": "在未结算的月份加一行手工调整（已结算的月份永不改变）。\n\n"
                         "示例：salesctl commission adjust wang.fang --month 2026-11 --amount 200 --reason \"展会奖励\"",
    "commission whatif": "用另一个方案重算一个月，不写入任何数据，并显示每个销售员的差额。\n\n"
                         "示例：salesctl commission whatif --plan new-plan.toml --month 2026-11",
    "commission plan": "提成方案 TOML：显示正在使用的方案，检查方案文件。",
    "commission plan show": "显示正在使用的提成方案：档位、比例、合规系数、每个方案适用于谁。\n\n"
                            "示例：salesctl commission plan show --format json",
    "commission plan check": "检查方案文件；一次列出全部错误，每条注明文件、行号和键（退出码 2）。\n\n"
                             "示例：salesctl commission plan check my-plan.toml",
    "eval": "考核销售员和部门：目标完成率、新客户、拜访、报告合规、档案。\n\n示例：salesctl eval --quarter 2026-Q4 --team",
    "archive": "档案密码和周五档案包。",
    "archive friday": "把你的每周档案包（加密）及其清单写入档案文件夹：供你自己的周五 cron 任务使用。"
                      "加 --send 时通过邮件发给总经理和你的经理（加密，从不附带密码）。\n\n"
                      "示例：salesctl archive friday --send --password-file ~/.salesctl-archive-pw   （cron：0 16 * * 5）",
    "archive password": "你的档案密码：设置，查看已使用多久。",
    "archive password set": "设置（或修改）你的档案密码：在终端里不回显地输入两次。\n\n"
                            "修改已有的密码需要提供当前密码（--old-password-file 或提示输入）；"
                            "忘记的密码由经理用 `archive password reset` 重置。\n\n"
                            "示例：salesctl archive password set --password-file ~/.salesctl-archive-pw --old-password-file ~/.old-pw",
    "archive password reset": "重置团队成员忘记的档案密码（经理及以上；记入审计）。\n\n"
                              "把新密码告诉本人；本人再用 `archive password set` 更换。\n\n"
                              "示例：salesctl archive password reset wang.fang --password-file ~/.tmp-pw",
    "archive password status": "每个人的档案密码设置于何时，是否到了该更换的时候。\n\n"
                               "示例：salesctl archive password status --team",
    "import": "从电子表格（CSV/XLSX）和 CRM 导出文件（Maven CRM、Salesforce）导入。",
    "import customers": "导入客户；按中文或英文列名识别各列，每一行都像 `customer add` 一样检查。\n\n"
                        "示例：salesctl import customers 客户名单.xlsx --owner wang.fang --allow-incomplete --dry-run",
    "import visits": "导入档案中已有客户的拜访、电话和邮件（像 `visit log` 一样检查）。\n\n"
                     "示例：salesctl import visits 拜访记录.csv --dry-run",
    "import deals": "导入档案中已有客户的商机（未结、成交或丢单；像 `deal add/won/lost` 一样检查）。\n\n"
                    "示例：salesctl import deals 商机.xlsx --map '项目=title'",
    "import staff": "把人员导入组织架构（像 `staff add` 一样检查）；经理可以是同一文件中的行。\n\n"
                    "示例：salesctl import staff 员工.csv --under li.qiang",
    "import maven-crm": "导入 Maven Analytics CRM 示例数据：销售团队、客户以及 8,800 个带回款的商机。\n\n"
                        "示例：salesctl import maven-crm ../shared/data/maven-crm --under zhao.min",
    "import salesforce": "导入 Salesforce 数据导出：Account、Contact、Opportunity、Task 和 Lead 的 CSV 文件。\n\n"
                         "示例：salesctl import salesforce ~/Downloads/sf-export --owner zhang.wei --dry-run",
    "export": "把一张表导出为 CSV、JSON 或 XLSX：输出到标准输出，或写入用你的档案密码加密的文件。\n\n"
              "示例：salesctl export customers --out customers.xlsx --password-file ~/.salesctl-archive-pw",
    "policy": "检查制度文件（手册中的数字：分级天数、跟进、公海等）。",
    "policy check": "一次列出制度文件的全部问题：未知的键、错误的类型、超出范围的值。\n\n"
                    "示例：salesctl policy check ~/policy.toml",
    "audit": "列出审计日志：谁在何时改了什么，改前和改后（经理及以上）。\n\n"
             "示例：salesctl audit --entity customer --id 12",
}
