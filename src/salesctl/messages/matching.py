"""查重's catalog: `customer lookup/duplicates/merge`, possible matches, the credit code (key: (en, zh))."""

# key: (en, zh)
MESSAGES: dict[str, tuple[str, str]] = {
    # --- what a match rests on (customer_match.name/phone are in the customer catalog)
    "customer_match.trade_name": ("trade name", "字号"),
    "customer_match.trade_name_industry": ("trade name, other industry", "字号相同、行业不同"),
    "customer_match.contains": ("trade name contained", "字号包含"),
    "customer_match.one_char": ("trade name one character apart", "字号相差一个字"),
    "customer_match.email": ("email", "邮箱"),
    "customer_match.credit_code": ("unified social credit code", "统一社会信用代码"),
    "match_kind.same": ("same", "相同"),
    "match_kind.possible": ("possible", "可能相同"),
    # --- columns
    "match.col.match": ("match", "匹配"),
    "match.col.reason": ("reason", "依据"),
    "match.col.owner": ("owner", "负责人"),
    "match.col.reported_at": ("first reported", "首次报备"),
    "match.col.keep": ("keep", "保留"),
    "match.col.drop": ("drop", "合并"),
    "match.col.keep_name": ("keep name", "保留客户"),
    "match.col.drop_name": ("drop name", "被合并客户"),
    "match.col.table": ("table", "数据表"),
    "match.col.rows": ("rows", "行数"),
    "match.title.lookup": ("Customers matching '{text}'", "与“{text}”匹配的客户"),
    "match.title.duplicates": ("Probable duplicates in the archive", "档案中可能重复的客户"),
    "match.title.merge": ("Merge {drop} into {keep}", "将 {drop} 合并到 {keep}"),
    "match.msg.none": ("no customer matches", "没有匹配的客户"),
    "match.msg.no_pairs": ("no duplicates found", "未发现重复客户"),
    "match.msg.merged": ("merged {drop} into {keep} ({moved} rows moved)", "已将 {drop} 合并到 {keep}（移动 {moved} 行）"),
    "match.msg.dry_run": ("dry run: nothing was changed", "试运行：未做任何修改"),
    # --- prompts
    "match.prompt.same_company": ("'{name}' may be the same company as: {listing}. Is it the same company?",
                                  "“{name}”可能与以下客户是同一家公司：{listing}。是同一家公司吗？"),
    # --- errors
    "match.err.possible": (
        "possible duplicate: '{name}' may be the same company as {listing}; if it is not, add --not-duplicate",
        "可能重复：“{name}”可能与 {listing} 是同一家公司；如确认不是，请加 --not-duplicate",
    ),
    "match.err.not_duplicate_same": (
        "--not-duplicate: '{name}' is the same company as '{other}' (same {on}); a same match is never overridden "
        "(use --force-claim to request it)",
        "--not-duplicate：“{name}”与“{other}”是同一家公司（{on}相同）；相同匹配不能跳过（可用 --force-claim 提交报备申请）",
    ),
    "match.err.not_duplicate_same_plain": (
        "--not-duplicate: '{name}' is the same company as '{other}' (same {on}); a same match is never overridden",
        "--not-duplicate：“{name}”与“{other}”是同一家公司（{on}相同）；相同匹配不能跳过",
    ),
    "match.err.credit_code": (
        "--credit-code: '{value}' is not a unified social credit code (18 characters: digits and capital letters "
        "without I, O, S, V, Z, with the GB 32100 check character)",
        "--credit-code：“{value}”不是有效的统一社会信用代码（18 位数字或大写字母，不含 I、O、S、V、Z，末位为 GB 32100 校验码）",
    ),
    "match.err.lookup_empty": ("TEXT: give a name, or --phone or --credit-code", "TEXT：请给出名称，或 --phone、--credit-code"),
    "match.err.min_match": ("--min-match: '{value}' is not one of: same, possible", "--min-match：“{value}”不是 same、possible 之一"),
    "match.err.merge_self": ("KEEP and DROP are the same customer ({id})", "KEEP 与 DROP 是同一个客户（{id}）"),
    "match.err.merged_already": ("'{name}' (id {id}) was already merged into {into}", "“{name}”（id {id}）已合并到 {into}"),
    "match.err.merge_owners": (
        "'{keep}' is owned by {keep_owner} and '{drop}' by {drop_owner}: say who keeps it with --owner HANDLE",
        "“{keep}”的负责人是 {keep_owner}，“{drop}”的负责人是 {drop_owner}：请用 --owner HANDLE 指定由谁负责",
    ),
    "match.err.merge_owner_not_theirs": ("--owner: {handle} owns neither customer", "--owner：{handle} 不是这两个客户的负责人"),
    "match.denied.merge": ("merge customers (a manager or above, both customers in their scope)",
                           "合并客户（需经理及以上，且两个客户都在其管辖范围内）"),
    "match.note.merge": ("merged from '{name}' (id {id})", "由“{name}”（id {id}）合并而来"),
    "match.reason.merge": ("merge of '{name}' (id {id})", "合并“{name}”（id {id}）"),
}
