"""The demo company: data/demo/*.csv loaded with dates relative to today (seeded, reproducible)."""

from __future__ import annotations

import csv
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from salesctl.config import shipped_data_dir
from salesctl.messages import stored_text
from salesctl.models import (
    Contact,
    Customer,
    Deal,
    DealStageChange,
    GradeChange,
    OwnershipEntry,
    Payment,
    Staff,
    Visit,
)
from salesctl.services.context import Ctx
from salesctl.services.customers.matching import name_keys
from salesctl.services.customers.normalize import normalize_name, normalize_phone, phone_key

DEMO_USER = "zhao.min"
SEED = 20261127

VISIT_NOTES = [
    ("visit", "介绍新产品方案", "客户有兴趣，要求报价", "预算尚未确定", "准备报价单"),
    ("call", "电话回访使用情况", "反馈良好", None, "下周再联系"),
    ("visit", "技术交流会", "确认了技术参数", "竞争对手价格更低", "安排技术演示"),
    ("email", "发送报价单", "客户已收到", None, "跟进报价反馈"),
    ("visit", "商务谈判", "价格基本谈妥", "付款方式待定", "起草合同"),
    ("event", "参加行业展会", "结识采购负责人", None, "约时间拜访"),
    ("call", "确认需求细节", "需求明确", "决策人出差", "等待决策人回来"),
]


def load_demo(ctx: Ctx) -> dict:
    folder = shipped_data_dir() / "demo"
    rng = random.Random(SEED)
    session = ctx.session
    now = ctx.now
    today = ctx.today
    tz = ctx.clock.tz

    staff_by_handle: dict[str, Staff] = {}
    with (folder / "staff.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            boss = staff_by_handle.get(row["manager"]) if row["manager"] else None
            person = Staff(
                handle=row["handle"], name=row["name"], role=row["role"],
                manager_id=boss.id if boss else None, region=row["region"] or None,
                industry=row["industry"] or None, email=row["email"] or None, phone=row["phone"] or None,
                active=True, created_at=now - timedelta(days=500),
                start_date=today - timedelta(days=500),  # long on staff: late and missing reports show
            )
            session.add(person)
            session.flush()
            staff_by_handle[person.handle] = person
    actor = ctx.actor or staff_by_handle[DEMO_USER]
    ctx.actor = actor

    customers: list[tuple[Customer, Contact, Staff]] = []
    with (folder / "customers.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            owner = staff_by_handle[row["owner"]]
            created = now - timedelta(days=int(row["created_days_ago"]))
            days = row["expected_purchase_in_days"]
            phone = normalize_phone(row["phone"])
            customer = Customer(
                name=row["name"], name_norm=normalize_name(row["name"]), phone_norm=phone_key(phone),
                industry=row["industry"], region=row["region"], address=row["address"],
                status=row["status"], grade=row["grade"],
                expected_purchase=(today + timedelta(days=int(days))) if days else None,
                owner_id=owner.id, reported_by_id=owner.id, reported_at=created,
                created_at=created, updated_at=created, created_by_id=owner.id, **name_keys(row["name"]),
            )
            session.add(customer)
            session.flush()
            contact = Contact(customer_id=customer.id, name=row["contact"], title=row["title"], phone=phone,
                              phone_norm=phone_key(phone), decision_maker=rng.random() < 0.4, is_primary=True,
                              created_at=created, updated_at=created)
            session.add(contact)
            session.add(OwnershipEntry(customer_id=customer.id, kind="report", staff_id=owner.id,
                                       to_owner_id=owner.id, by_id=owner.id, at=created, need=stored_text("claim.need.demo")))
            session.add(GradeChange(customer_id=customer.id, from_grade=None, to_grade=customer.grade,
                                    by_id=owner.id, at=created, reason=stored_text("customer.reason.new"), source="create"))
            customers.append((customer, contact, owner))
    session.flush()

    # a few weeks of visits: each rep 0-3 contacts per weekday, at office hours
    visits = 0
    by_owner: dict[int, list[tuple[Customer, Contact]]] = {}
    for customer, contact, owner in customers:
        by_owner.setdefault(owner.id, []).append((customer, contact))
    for owner_id, owned in by_owner.items():
        for back in range(27, -1, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                customer, contact = rng.choice(owned)
                at = datetime.combine(day, time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])), tz)
                if at > now or at < customer.created_at:
                    continue
                kind, content, result, problems, next_step = rng.choice(VISIT_NOTES)
                follow = day + timedelta(days=rng.choice([2, 3, 5, 7])) if rng.random() < 0.6 else None
                session.add(Visit(customer_id=customer.id, contact_id=contact.id, rep_id=owner_id, at=at,
                                  kind=kind, content=content, result=result, problems=problems,
                                  next_step=next_step, follow_up=follow, created_by_id=owner_id, created_at=at))
                if customer.last_contact_at is None or at > customer.last_contact_at:
                    customer.last_contact_at = at
                visits += 1

    # deals for A/B customers, some won with payments
    deals = 0
    for customer, _contact, owner in customers:
        if customer.grade not in ("A", "B"):
            continue
        amount = Decimal(rng.randint(20, 300) * 1000)
        stage = 4 if deals % 3 == 0 else rng.choice([1, 2, 3, 3])  # every third deal won
        created = max(customer.created_at, now - timedelta(days=60))
        deal = Deal(customer_id=customer.id, owner_id=owner.id, title=f"{customer.name} 采购项目",
                    product=rng.choice(["标准版", "专业版", "企业版"]), amount=amount, stage=stage,
                    status="won" if stage >= 4 else "open",
                    expected_close=customer.expected_purchase, created_by_id=owner.id,
                    created_at=created, updated_at=created)
        if stage >= 4:
            # the first few won this week, so the Monday summary has wins and collections to show
            deal.won_on = today - timedelta(days=min(deals, today.weekday()) if deals < 12 else rng.randint(5, 20))
        session.add(deal)
        session.flush()
        for s in range(1, stage + 1):
            session.add(DealStageChange(deal_id=deal.id, from_stage=s - 1 or None, to_stage=s, by_id=owner.id,
                                        at=created + timedelta(days=s - 1)))
        if stage >= 4:
            session.add(Payment(deal_id=deal.id, amount=(amount * Decimal("0.3")).quantize(Decimal("0.01")),
                                paid_on=deal.won_on, note="首付款", created_by_id=owner.id, created_at=now))
        deals += 1
    session.flush()
    reps = [p for p in staff_by_handle.values() if p.role == "rep"]
    reports = _demo_reports(ctx, reps, rng)
    _demo_targets(ctx, reps, rng)
    ctx.actor = actor
    ctx.audit("demo.load", "database", None, None, {"staff": len(staff_by_handle), "customers": len(customers),
                                                     "visits": visits, "deals": deals, "reports": reports})
    return {"staff": len(staff_by_handle), "customers": len(customers), "visits": visits, "deals": deals,
            "reports": reports, "handle": DEMO_USER}


DAILY_SUMMARIES = ["拜访客户顺利，需求基本明确", "电话回访两家客户，一家有采购意向", "整理报价，准备下周演示",
                   "客户反馈价格偏高，需要申请折扣", "跟进合同细节，预计本月签约"]
DAILY_PLANS = ["继续跟进重点客户", "准备技术方案", "拜访新客户", "催收回款", "与经理讨论报价策略"]


def _demo_reports(ctx: Ctx, reps: list[Staff], rng: random.Random) -> int:
    """Daily reports for the past three weeks' workdays (most on time, a few late or missing)."""
    from salesctl.periods import Clock
    from salesctl.services.reports import reports
    from salesctl.workdays import WorkCalendar

    calendar = WorkCalendar()
    tz = ctx.clock.tz
    filed = 0
    for day in calendar.workdays(ctx.today - timedelta(days=21), ctx.today - timedelta(days=1)):
        for rep in reps:
            roll = rng.random()
            if roll < 0.08:
                continue  # missing: `report missing` has something to show
            hour = 20 if roll > 0.93 else rng.choice([16, 17])
            moment = datetime.combine(day, time(hour, rng.choice([5, 20, 40])), tz)
            rep_ctx = Ctx(session=ctx.session, actor=rep, clock=Clock(moment), url=ctx.url)
            filing = reports.prepare(rep_ctx, "daily", day.isoformat(), None,
                                     {"summary": rng.choice(DAILY_SUMMARIES), "plan": rng.choice(DAILY_PLANS)})
            reports.submit(rep_ctx, filing)
            filed += 1
    return filed


def _demo_targets(ctx: Ctx, reps: list[Staff], rng: random.Random) -> None:
    from salesctl.models import Target

    month = f"{ctx.today.year}-{ctx.today.month:02d}"
    for rep in reps:
        ctx.session.add(Target(staff_id=rep.id, period=month, amount=Decimal(rng.randint(8, 30) * 10000),
                               set_by_id=rep.manager_id, set_at=ctx.now))
    ctx.session.flush()
