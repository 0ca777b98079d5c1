#!/usr/bin/env python
"""Seeded generator of the benchmark scale set (SPEC section 3), written straight into a salesctl database.

Default sizes are the scale set: 200 staff in a realistic org chart, 100,000 customers
with contacts, 1,000,000 visits, 50,000 deals with stage changes and payments, over the
3 years ending at --end; plus what a real company accumulates alongside (claim-ledger
entries, grade history, monthly targets, daily/weekly/monthly reports, leave).

    python benchmarks/generate.py --db /tmp/scale.db                      # the full set
    python benchmarks/generate.py --db /tmp/small.db --customers 2000 --visits 20000 --deals 1000 --staff 40

The database is made fresh by `salesctl init --admin …` (the real schema, migrations
included), then filled with SQLAlchemy Core `insert()` executemany in big batches, in
one transaction. Ids are assigned here in time order, as a live system would. Every
run with the same arguments gives the same data (`--seed`). Works on SQLite (the target)
and PostgreSQL (`--db postgresql+psycopg://…`, into an empty database; it ends with
`VACUUM ANALYZE` there, so the planner knows the tables at once instead of after autovacuum).

Reusable: `generate(url, customers=…, visits=…, deals=…, staff=…, seed=…, end=date)`
returns a dict of row counts and the acting users it created (`gm`, `director`, a
`manager` and one of their `rep`s).
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
BATCH = 50_000
NOW_TIME = dtime(17, 30)  # "now" on the end date: before the end of office, so today's reports are still due

GM_HANDLE = "chen.zong"
REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北", "华东二区", "华南二区", "华北二区")
INDUSTRIES = ("制造业", "医疗", "教育", "零售", "金融", "能源", "物流", "政府")
SURNAMES = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
            ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
            ("马", "ma"), ("罗", "luo"), ("梁", "liang"), ("宋", "song"), ("郑", "zheng"), ("谢", "xie"))
GIVEN = (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
         ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
         ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"),
         ("刚", "gang"), ("桂英", "guiying"), ("建华", "jianhua"), ("晓东", "xiaodong"), ("海燕", "haiyan"),
         ("志强", "zhiqiang"), ("雪", "xue"), ("慧", "hui"), ("鹏", "peng"), ("婷", "ting"))
CITIES = ("上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都", "重庆", "武汉", "西安", "天津",
          "长沙", "郑州", "青岛", "宁波", "合肥", "福州", "厦门", "济南", "沈阳", "大连", "昆明", "无锡",
          "佛山", "东莞", "南昌", "太原", "石家庄", "哈尔滨", "长春", "贵阳", "南宁", "兰州", "乌鲁木齐")
BRANDS = ("永安", "新华", "鼎盛", "恒通", "华泰", "宏远", "金桥", "瑞丰", "东方", "中联", "天成", "嘉禾",
          "博远", "明达", "正大", "信诚", "安泰", "华瑞", "长城", "海纳", "远航", "福星", "同创", "立信",
          "兴业", "伟业", "汇通", "卓越", "启明", "盛世", "泰和", "协力", "和信", "百川", "万通", "广源",
          "德润", "昌盛", "九州", "新元", "晨光", "志诚", "丰源", "凯达", "荣盛", "华美", "银河", "星辰")
KINDS_OF_BUSINESS = {
    "制造业": ("精密机械", "自动化", "电子", "模具", "装备", "材料"),
    "医疗": ("医院", "医疗器械", "诊所", "药业", "健康管理", "检验"),
    "教育": ("学校", "教育科技", "培训中心", "职业学院", "实验学校", "书院"),
    "零售": ("商贸", "超市", "百货", "连锁", "电商", "便利店"),
    "金融": ("银行支行", "保险", "证券营业部", "信托", "租赁", "小贷"),
    "能源": ("电力", "新能源", "燃气", "石化", "光伏", "储能"),
    "物流": ("物流", "快运", "供应链", "仓储", "货运", "冷链"),
    "政府": ("街道办", "管委会", "事务中心", "档案馆", "服务中心", "规划院"),
}
LEGAL_FORMS = ("有限公司", "股份有限公司", "集团", "", "有限责任公司")
TITLES = ("采购经理", "总经理", "技术总监", "运营经理", "财务经理", "IT主管", "行政主管", "副总裁", "项目经理")
PRODUCTS = ("标准版", "专业版", "企业版", "年度服务", "实施服务", "硬件套装")
LOST_REASONS = ("价格高于竞争对手", "预算取消", "决策人变更", "选择了竞争对手", "需求变化")
VISIT_NOTES = (
    ("visit", "介绍新产品方案", "客户有兴趣，要求报价", "预算尚未确定", "准备报价单"),
    ("call", "电话回访使用情况", "反馈良好", None, "下周再联系"),
    ("visit", "技术交流会", "确认了技术参数", "竞争对手价格更低", "安排技术演示"),
    ("email", "发送报价单", "客户已收到", None, "跟进报价反馈"),
    ("visit", "商务谈判", "价格基本谈妥", "付款方式待定", "起草合同"),
    ("event", "参加行业展会", "结识采购负责人", None, "约时间拜访"),
    ("call", "确认需求细节", "需求明确", "决策人出差", "等待决策人回来"),
    ("call", "预约拜访时间", "约定下周二上门", None, "准备演示环境"),
    ("email", "发送案例资料", "客户转给技术部门评估", None, "电话确认评估结果"),
    ("event", "客户答谢会", "关系进一步加深", None, "安排高层互访"),
)
KIND_WEIGHTS = {"visit": 0.4, "call": 0.35, "email": 0.15, "event": 0.1}
GRADE_VISIT_WEIGHT = {"A": 1.0, "B": 0.7, "C": 0.4, "D": 0.25}
FINAL_GRADES = (("A", 0.1), ("B", 0.2), ("C", 0.3), ("D", 0.4))
PURCHASE_DAYS = {"A": (0, 30), "B": (31, 90), "C": (91, 180), "D": (181, 400)}


# --------------------------------------------------------------------------- helpers
def _url(db: str) -> str:
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _log(quiet: bool, message: str, started: float) -> None:
    if not quiet:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)


def _local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, dtime(hh, mm), TZ)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class _Inserter:
    """Bulk Core inserts in batches on one connection (one transaction)."""

    def __init__(self, conn, quiet: bool, started: float):
        self.conn, self.quiet, self.started = conn, quiet, started
        self.counts: dict[str, int] = {}
        self.pending: dict[str, list[dict]] = {}

    def add(self, table, row: dict) -> None:
        rows = self.pending.setdefault(table.name, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush(table)

    def many(self, table, rows) -> None:
        for row in rows:
            self.add(table, row)
        self.flush(table)

    def flush(self, table) -> None:
        from sqlalchemy import insert

        rows = self.pending.get(table.name)
        if rows:
            self.conn.execute(insert(table), rows)
            self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
            self.pending[table.name] = []


# --------------------------------------------------------------------------- the org chart
def _people(rng: random.Random, count: int):
    """Unique (name, handle) pairs: pinyin handles like wang.fang, wang.fang2, …"""
    seen: dict[str, int] = {}
    while True:
        (s_cn, s_py), (g_cn, g_py) = rng.choice(SURNAMES), rng.choice(GIVEN)
        base = f"{s_py}.{g_py}"
        n = seen.get(base, 0) + 1
        seen[base] = n
        yield s_cn + g_cn, base if n == 1 else f"{base}{n}"


def plan_staff(rng: random.Random, total: int, start: date, end: date) -> list[dict]:
    """gm → director → managers (one per region) → regional managers → reps; an assistant per manager."""
    total = max(total, 8)
    managers = max(1, round(total / 25))
    regionals = round(managers * 1.5) if total >= 30 else 0
    assistants = managers
    reps = total - 2 - managers - regionals - assistants
    names = _people(rng, total)
    hired_before = start - timedelta(days=60)
    staff: list[dict] = []

    def person(role, manager_id, region=None, industry=None, hired=hired_before):
        name, handle = next(names)
        if role == "gm":
            name, handle = "陈总", GM_HANDLE
        row = {"id": len(staff) + 1, "handle": handle, "name": name, "role": role, "manager_id": manager_id,
               "region": region, "industry": industry, "email": f"{handle}@example.com",
               "phone": f"138{rng.randint(10_000_000, 99_999_999)}", "active": True,
               "created_at": _utc(_local(hired, 9))}
        staff.append(row)
        return row

    gm = person("gm", None)
    director = person("director", gm["id"])
    manager_rows = [person("manager", director["id"], REGIONS[i % len(REGIONS)]) for i in range(managers)]
    leads = list(manager_rows)  # who reps report to
    for i in range(regionals):
        boss = manager_rows[i % managers]
        leads.append(person("regional_manager", boss["id"], boss["region"]))
    for boss in manager_rows[:assistants]:
        person("assistant", boss["id"], boss["region"])
    span = (end - start).days
    for i in range(reps):
        lead = leads[i % len(leads)]
        industry = "*" if rng.random() < 0.05 else INDUSTRIES[rng.randrange(len(INDUSTRIES))]
        hired = hired_before if rng.random() < 0.85 else start + timedelta(days=rng.randrange(max(span - 30, 1)))
        person("rep", lead["id"], lead["region"], industry, hired)
    return staff


# --------------------------------------------------------------------------- customers
def _grade_path(rng: random.Random, final: str) -> list[str]:
    """Grades a customer went through, ending at `final` (one step at a time, sometimes a detour)."""
    order = "DCBA"
    first = rng.choices("DCBA", weights=(0.45, 0.35, 0.15, 0.05))[0]
    if rng.random() < 0.45:
        first = final
    path = [first]
    i, target = order.index(first), order.index(final)
    while i != target:
        i += 1 if target > i else -1
        path.append(order[i])
    if rng.random() < 0.2:  # a setback and a recovery
        j = order.index(path[-1])
        if 0 < j:
            path += [order[j - 1], order[j]]
    return path


def generate(url: str, *, customers: int = 100_000, visits: int = 1_000_000, deals: int = 50_000,
             staff: int = 200, seed: int = 1, end: date = date(2026, 11, 27), years: int = 3,
             reports: bool = True, quiet: bool = False) -> dict:
    started = time.perf_counter()
    rng = random.Random(seed)
    now_local = datetime.combine(end, NOW_TIME, TZ)
    now = _utc(now_local)
    start = end - timedelta(days=365 * years)
    _init_database(url, start, quiet, started)

    from sqlalchemy import create_engine, event, text

    from salesctl.models import (
        AuditEntry, Contact, Customer, Deal, DealStageChange, GradeChange, Leave, OwnershipEntry, Payment,
        Report, Staff, Target, Visit,
    )
    from salesctl.services.customers.normalize import normalize_name
    from salesctl.workdays import WorkCalendar

    calendar = WorkCalendar()
    staff_rows = plan_staff(rng, staff, start, end)
    reps = [s for s in staff_rows if s["role"] == "rep"]
    reps.sort(key=lambda s: s["created_at"])
    rep_hired = [s["created_at"] for s in reps]
    _log(quiet, f"org chart: {len(staff_rows)} staff, {len(reps)} reps", started)

    # ---------------------------------------------------------------- customers (in time order)
    span_seconds = (now - _utc(_local(start, 0))).total_seconds()
    origin = _utc(_local(start, 0))
    created_times = []
    for _ in range(customers):
        moment = origin + timedelta(seconds=rng.random() * span_seconds)
        local = moment.astimezone(TZ)
        if local.weekday() >= 5 and rng.random() < 0.85:  # mostly on workdays
            local = local - timedelta(days=local.weekday() - 4)
        local = local.replace(hour=rng.randint(9, 17), minute=rng.randrange(60))
        created_times.append(min(_utc(local), now - timedelta(hours=1)))
    created_times.sort()
    names_seen: set[str] = set()
    cust: list[dict] = []
    owner_of: list[int] = []
    grade_of: list[str] = []
    created_of: list[datetime] = []
    for i, created in enumerate(created_times, start=1):
        hired = bisect.bisect_right(rep_hired, created)
        owner = reps[rng.randrange(max(hired, 1))]
        industry = owner["industry"] if owner["industry"] != "*" else rng.choice(INDUSTRIES)
        while True:
            name = (rng.choice(CITIES) + rng.choice(BRANDS) + rng.choice(BRANDS)
                    + rng.choice(KINDS_OF_BUSINESS[industry]) + rng.choice(LEGAL_FORMS))
            norm = normalize_name(name)
            if norm not in names_seen:
                names_seen.add(norm)
                break
        final = rng.choices([g for g, _ in FINAL_GRADES], weights=[w for _, w in FINAL_GRADES])[0]
        lo, hi = PURCHASE_DAYS[final]
        phone = f"1{rng.choice('3578')}{rng.randint(100_000_000, 999_999_999)}"
        cust.append({
            "id": i, "name": name, "name_norm": norm, "phone_norm": phone, "industry": industry,
            "region": owner["region"], "address": f"{name[:2]}市{rng.choice(BRANDS)}路{rng.randint(1, 999)}号",
            "website": None, "email": None, "status": "following", "grade": final,
            "expected_purchase": end + timedelta(days=rng.randint(lo, hi)) if rng.random() < 0.8 else None,
            "owner_id": owner["id"], "reported_by_id": owner["id"], "reported_at": created,
            "last_contact_at": None, "incomplete": False, "created_at": created, "updated_at": created,
            "created_by_id": owner["id"],
        })
        owner_of.append(owner["id"])
        grade_of.append(final)
        created_of.append(created)
    _log(quiet, f"planned {len(cust)} customers", started)

    # ---------------------------------------------------------------- deals (planned before customers are written)
    deal_rows: list[dict] = []
    stage_rows: list[tuple] = []  # (at, deal_id, from, to, by)
    pay_rows: list[tuple] = []  # (paid_on, deal_id, amount, created_at)
    deal_weight = {"A": 1.0, "B": 0.8, "C": 0.35, "D": 0.1}
    plans = []
    while len(plans) < deals and cust:
        c = rng.randrange(len(cust))
        if rng.random() > deal_weight[grade_of[c]]:
            continue
        span = (now - created_of[c]).total_seconds() - 86_400
        if span <= 0:
            continue
        plans.append((created_of[c] + timedelta(seconds=rng.random() * span), c))
    plans.sort()
    for deal_id, (created, c) in enumerate(plans, start=1):
        owner = owner_of[c]
        amount = Decimal(int(round(math.exp(rng.uniform(math.log(5_000), math.log(500_000))), -2)))
        outcome = rng.choices(("won", "lost", "open"), weights=(0.4, 0.3, 0.3))[0]
        lose_at = rng.randint(1, 3)
        stage_rows.append((created, deal_id, None, 1, owner))
        stage, status, when = 1, "open", created
        won_on = lost_on = None
        last_event = created
        while True:
            when = when + timedelta(days=rng.expovariate(1 / 20) + 0.5)
            if when >= now:
                break
            if outcome == "lost" and stage == lose_at:
                status, lost_on, last_event = "lost", when.astimezone(TZ).date(), when
                break
            if stage < 3:
                stage_rows.append((when, deal_id, stage, stage + 1, owner))
                stage, last_event = stage + 1, when
                continue
            if outcome == "won":
                stage_rows.append((when, deal_id, 3, 4, owner))
                stage, status, won_on, last_event = 4, "won", when.astimezone(TZ).date(), when
            break
        if status == "won":
            parts = rng.choice(((1,), (3, 7), (3, 3, 4), (5, 5)))
            share = sum(parts)
            paid_at = when
            paid_total = Decimal(0)
            for k, part in enumerate(parts):
                paid_at = paid_at + timedelta(days=rng.randint(3, 20) if k == 0 else rng.randint(25, 60))
                if paid_at >= now:
                    break
                value = (amount * part / share).quantize(Decimal("0.01")) if k < len(parts) - 1 \
                    else amount - paid_total
                pay_rows.append((paid_at.astimezone(TZ).date(), deal_id, value, paid_at, owner))
                paid_total += value
                last_event = paid_at
            done = now - timedelta(days=1)
            if paid_total == amount and paid_at + timedelta(days=5) < done:
                after = paid_at + timedelta(days=rng.randint(1, 10))
                stage_rows.append((after, deal_id, 4, 5, owner))
                stage, last_event = 5, after
            cust[c]["status"] = "won"
        product = rng.choice(PRODUCTS)
        deal_rows.append({
            "id": deal_id, "customer_id": c + 1, "owner_id": owner, "title": f"{cust[c]['name']} {product}采购",
            "product": product, "amount": amount, "stage": stage, "status": status,
            "expected_close": (created + timedelta(days=rng.randint(30, 120))).astimezone(TZ).date(),
            "won_on": won_on, "lost_on": lost_on,
            "lost_reason": rng.choice(LOST_REASONS) if status == "lost" else None,
            "created_by_id": owner, "created_at": created, "updated_at": last_event,
        })
    _log(quiet, f"planned {len(deal_rows)} deals, {len(stage_rows)} stage changes, {len(pay_rows)} payments", started)

    engine = create_engine(url)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _fast(dbapi_connection, _record):  # bulk load: durability is not needed until the end
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA cache_size = -262144")
            cur.execute("PRAGMA temp_store = MEMORY")
            cur.close()

    with engine.begin() as conn:
        out = _Inserter(conn, quiet, started)
        out.many(Staff.__table__, [dict(s) for s in staff_rows if s["handle"] != GM_HANDLE])
        conn.execute(Staff.__table__.update().where(Staff.__table__.c.handle == GM_HANDLE)
                     .values(created_at=staff_rows[0]["created_at"]))
        out.many(Customer.__table__, cust)
        _log(quiet, "customers written", started)

        # contacts, claim ledger, grade history
        contact_of: list[int] = []
        contact_id = 0
        grade_events = []
        for i, c in enumerate(cust):
            first_contact = contact_id + 1
            for k in range(rng.choice((1, 1, 2, 2, 3))):
                contact_id += 1
                (s_cn, _), (g_cn, _) = rng.choice(SURNAMES), rng.choice(GIVEN)
                phone = f"13{rng.randint(100_000_000, 999_999_999)}"
                out.add(Contact.__table__, {
                    "id": contact_id, "customer_id": c["id"], "name": s_cn + g_cn, "title": rng.choice(TITLES),
                    "phone": phone, "phone_norm": phone, "email": None, "decision_maker": rng.random() < 0.3,
                    "is_primary": k == 0, "note": None, "created_at": c["created_at"], "updated_at": c["created_at"],
                })
            contact_of.append(first_contact)
            out.add(OwnershipEntry.__table__, {
                "id": i + 1, "customer_id": c["id"], "kind": "report", "staff_id": c["owner_id"],
                "from_owner_id": None, "to_owner_id": c["owner_id"], "by_id": c["owner_id"], "at": c["created_at"],
                "need": "首次报备", "note": None, "ref_id": None, "had_info_in_time": None,
            })
            path = _grade_path(rng, c["grade"])
            span = (now - c["created_at"]).total_seconds()
            moments = sorted(c["created_at"] + timedelta(seconds=rng.random() * span) for _ in path[1:])
            grade_events.append((c["created_at"], c["id"], None, path[0], "create", c["owner_id"]))
            for moment, before, after in zip(moments, path, path[1:]):
                grade_events.append((moment, c["id"], before, after, rng.choice(("hand", "visit", "rule")),
                                     c["owner_id"]))
        out.flush(Contact.__table__)
        out.flush(OwnershipEntry.__table__)
        grade_events.sort(key=lambda e: (e[0], e[1]))
        out.many(GradeChange.__table__, ({
            "id": n, "customer_id": cid, "from_grade": before, "to_grade": after, "by_id": by, "at": at,
            "reason": "新客户" if source == "create" else "客户需求变化", "source": source, "rule": None, "visit_id": None,
        } for n, (at, cid, before, after, source, by) in enumerate(grade_events, start=1)))
        _log(quiet, f"contacts, ledger and {len(grade_events)} grade changes written", started)

        # visits, day by day: a customer is visited only once it exists; better grades more often
        first_day, last_day = start, end
        days = [first_day + timedelta(days=d) for d in range((last_day - first_day).days + 1)]
        day_start = [_utc(_local(d, 0)) for d in days]
        eligible = [bisect.bisect_left(created_of, ds + timedelta(days=1)) for ds in day_start]
        weights = [(1.0 if calendar.is_workday(d) else 0.08) * n for d, n in zip(days, eligible)]
        total_w = sum(weights) or 1.0
        cum, done_so_far, visit_id = 0.0, 0, 0
        follow_cutoff = end - timedelta(days=10)
        kinds = list(KIND_WEIGHTS)
        kind_w = list(KIND_WEIGHTS.values())
        notes = {k: [n for n in VISIT_NOTES if n[0] == k] for k in kinds}
        for d, day, w, n_eligible in zip(range(len(days)), days, weights, eligible):
            cum += w
            upto = round(visits * cum / total_w)
            count, done_so_far = upto - done_so_far, upto
            if count <= 0 or n_eligible == 0:
                continue
            last_minute = 24 * 60 if day < end else NOW_TIME.hour * 60 + NOW_TIME.minute - 1
            todays = []
            for _ in range(count):
                while True:
                    c = rng.randrange(n_eligible)
                    if rng.random() < GRADE_VISIT_WEIGHT[grade_of[c]]:
                        break
                minute = min(rng.randint(8 * 60 + 30, 18 * 60 + 30), last_minute)
                at = day_start[d] + timedelta(minutes=minute)
                if at < created_of[c]:
                    at = created_of[c] + timedelta(minutes=rng.randint(1, 120))
                    if at >= now:
                        continue
                todays.append((at, c))
            todays.sort()
            for at, c in todays:
                visit_id += 1
                kind = rng.choices(kinds, weights=kind_w)[0]
                _, content, result, problems, next_step = rng.choice(notes[kind])
                follow = None
                done = False
                if rng.random() < 0.5:
                    follow = at.astimezone(TZ).date() + timedelta(days=rng.randint(1, 14))
                    done = (follow < follow_cutoff and rng.random() < 0.985) or rng.random() < 0.3
                rep_id = owner_of[c]
                out.add(Visit.__table__, {
                    "id": visit_id, "customer_id": c + 1, "contact_id": contact_of[c], "rep_id": rep_id, "at": at,
                    "kind": kind, "content": content, "result": result, "problems": problems,
                    "next_step": next_step, "follow_up": follow, "follow_up_done": done,
                    "created_by_id": rep_id, "created_at": at,
                })
            if not quiet and visit_id and d % 120 == 0:
                _log(quiet, f"  visits: {visit_id:,} (up to {day})", started)
        out.flush(Visit.__table__)
        _log(quiet, f"{visit_id:,} visits written", started)

        out.many(Deal.__table__, deal_rows)
        stage_rows.sort(key=lambda r: (r[0], r[1]))
        out.many(DealStageChange.__table__, ({
            "id": n, "deal_id": deal_id, "from_stage": before, "to_stage": after, "by_id": by, "at": at, "note": None,
        } for n, (at, deal_id, before, after, by) in enumerate(stage_rows, start=1)))
        pay_rows.sort(key=lambda r: (r[3], r[1]))
        out.many(Payment.__table__, ({
            "id": n, "deal_id": deal_id, "amount": amount, "paid_on": paid_on, "note": None, "created_by_id": by,
            "created_at": at,
        } for n, (paid_on, deal_id, amount, at, by) in enumerate(pay_rows, start=1)))
        _log(quiet, "deals, stage changes and payments written", started)

        # monthly targets for reps (personal) and managers (their team)
        target_id = 0
        month = date(start.year, start.month, 1)
        while month <= end:
            label = f"{month.year}-{month.month:02d}"
            for person in staff_rows:
                if person["role"] not in ("rep", "manager"):
                    continue
                target_id += 1
                team = person["role"] == "manager"
                low, high = (200, 500) if team else (20, 60)  # in 10,000s: a team's 2–5M, a rep's 200–600k
                out.add(Target.__table__, {
                    "id": target_id, "staff_id": person["id"], "team": team, "period": label,
                    "amount": Decimal(rng.randint(low, high) * 10_000),
                    "set_by_id": person["manager_id"], "set_at": _utc(_local(month, 9)),
                })
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        out.flush(Target.__table__)

        leave_id = 0
        for person in reps:
            for _ in range(rng.randint(0, years * 2)):
                first = start + timedelta(days=rng.randrange((end - start).days))
                leave_id += 1
                out.add(Leave.__table__, {
                    "id": leave_id, "staff_id": person["id"], "start": first,
                    "end": first + timedelta(days=rng.randint(0, 4)), "reason": rng.choice(("年假", "病假", "事假")),
                    "created_by_id": person["manager_id"], "created_at": _utc(_local(first, 9)) - timedelta(days=3),
                })
        out.flush(Leave.__table__)

        if reports:
            _write_reports(out, rng, calendar, reps, start, end, now, Report.__table__)
            _log(quiet, "targets, leave and reports written", started)

        out.add(AuditEntry.__table__, {
            "actor_id": 1, "at": now, "action": "benchmark.generate", "entity": "database", "entity_id": None,
            "before": None, "after": f'{{"seed": {seed}, "customers": {customers}, "visits": {visits}, "deals": {deals}}}',
        })
        out.flush(AuditEntry.__table__)

        # the customer's last contact, as visit logging keeps it
        conn.execute(text(
            "UPDATE customer SET last_contact_at = (SELECT max(v.at) FROM visit v WHERE v.customer_id = customer.id)"))
        if not url.startswith("sqlite"):
            for table in ("staff", "customer", "contact", "ownership_entry", "grade_change", "visit", "deal",
                          "deal_stage_change", "payment", "target", "leave", "report", "audit_entry"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"GREATEST((SELECT max(id) FROM \"{table}\"), 1))"))
        _log(quiet, "committing", started)
    if not url.startswith("sqlite"):
        # fresh statistics for the planner, and the visibility map for index-only scans:
        # autovacuum would get to a bulk load only later, and until then PostgreSQL plans
        # the scale set's queries from the empty tables' guesses
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        _log(quiet, "vacuumed and analyzed", started)
    engine.dispose()
    counts = dict(out.counts)
    counts["staff"] = len(staff_rows)
    manager = next(s for s in staff_rows if s["role"] == "manager")
    rep = next(s for s in staff_rows if s["role"] == "rep" and s["manager_id"] == manager["id"])
    _log(quiet, "done: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())), started)
    return {"counts": counts, "gm": GM_HANDLE, "director": staff_rows[1]["handle"], "manager": manager["handle"],
            "rep": rep["handle"], "now": now_local.isoformat(), "seconds": round(time.perf_counter() - started, 1)}


def _write_reports(out, rng, calendar, reps, start: date, end: date, now: datetime, table) -> None:
    """Daily reports on workdays (mostly on time), weekly and monthly reports; ids in time order."""
    rows = []
    workdays = calendar.workdays(start, end)
    for person in reps:
        hired = person["created_at"].astimezone(TZ).date()
        for day in workdays:
            if day < hired or rng.random() > 0.93:
                continue
            rows.append(_report(rng, person["id"], "daily", day.isoformat(), day, day,
                                calendar.daily_deadline(day, TZ), now))
        monday = start - timedelta(days=start.weekday())
        while monday <= end:
            if monday >= hired and rng.random() < 0.9:
                iso = monday.isocalendar()
                rows.append(_report(rng, person["id"], "weekly", f"{iso[0]}-W{iso[1]:02d}", monday,
                                    monday + timedelta(days=6), calendar.weekly_deadline(monday, TZ), now))
            monday += timedelta(days=7)
        month = date(start.year, start.month, 1)
        while month <= end:
            nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
            if month >= hired and rng.random() < 0.9:
                rows.append(_report(rng, person["id"], "monthly", f"{month.year}-{month.month:02d}", month,
                                    nxt - timedelta(days=1), calendar.monthly_deadline(month, TZ), now))
            month = nxt
    rows = [r for r in rows if r is not None]
    rows.sort(key=lambda r: (r["created_at"], r["rep_id"]))
    for n, row in enumerate(rows, start=1):
        row["id"] = n
        out.add(table, row)
    out.flush(table)


def _report(rng, rep_id, kind, label, first, last, deadline, now):
    deadline_utc = _utc(deadline)
    late = rng.random() < 0.08
    submitted = deadline_utc + timedelta(hours=rng.uniform(1, 30)) if late else \
        deadline_utc - timedelta(minutes=rng.randint(5, 240))
    if submitted >= now:
        if deadline_utc <= now or rng.random() < 0.5:
            return None  # not written yet
        submitted = now - timedelta(minutes=rng.randint(1, 60))
    status = "reviewed" if (now - submitted).days > 7 and rng.random() < 0.7 else "submitted"
    if rng.random() < 0.02:
        status, late, submitted = "draft", False, None
    created = submitted or deadline_utc - timedelta(hours=2)
    return {"rep_id": rep_id, "kind": kind, "period": label, "period_start": first, "period_end": last,
            "status": status, "late": late, "deadline": deadline_utc, "submitted_at": submitted, "texts": "{}",
            "created_at": created, "updated_at": created}


def _init_database(url: str, start: date, quiet: bool, started: float) -> None:
    """A fresh database through the real CLI: `salesctl init --admin …` (schema by the migrations)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESCTL_")}
    with tempfile.TemporaryDirectory() as home:
        env["SALESCTL_HOME"] = home
        env["SALESCTL_NOW"] = (start - timedelta(days=60)).isoformat()
        cmd = [sys.executable, "-m", "salesctl", "--db", url, "init", "--admin", GM_HANDLE, "--name", "陈总",
               "--role", "gm"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"salesctl init failed: {done.stderr.strip()}")
    _log(quiet, "database initialised by salesctl init", started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLite file path or database URL (must not exist / be empty)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default="2026-11-27", help="last day of the data (YYYY-MM-DD); 'now' is 17:30 that day")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--no-reports", action="store_true", help="leave out daily/weekly/monthly reports")
    parser.add_argument("--force", action="store_true", help="replace an existing SQLite file")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    url = _url(args.db)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if path.exists():
            if not args.force:
                parser.error(f"--db: {path} exists; use --force to replace it")
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    result = generate(url, customers=args.customers, visits=args.visits, deals=args.deals, staff=args.staff,
                      seed=args.seed, end=date.fromisoformat(args.end), years=args.years,
                      reports=not args.no_reports, quiet=args.quiet)
    import json

    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
