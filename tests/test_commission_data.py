"""Fixture data for the commission, target and eval tests, inserted through the models.

Other features (customers, deals, payments, reports, claims) are built by their own
modules; these tests write the rows those would write, so they depend on nothing
but models.py.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from conftest import query

TZ = ZoneInfo("Asia/Shanghai")
_names = itertools.count(1)


def local(day: date, hh: int = 10, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


class Data:
    """Inserts rows for the `org` fixture's people."""

    def __init__(self, url: str):
        self.url = url

    def _session(self):
        from salesctl import db

        return db.session(self.url, write=True)

    def staff_id(self, handle: str) -> int:
        return query(self.url, "select id from staff where handle = :h", h=handle)[0][0]

    def backdate(self, *handles: str, to: date = date(2026, 1, 1)) -> None:
        from sqlmodel import select

        from salesctl.models import Staff

        with self._session() as s:
            for person in s.exec(select(Staff).where(Staff.handle.in_(handles))):
                person.created_at = local(to, 9)
                person.start_date = to
                s.add(person)

    def customer(self, owner: str, name: str, grade: str = "B", *, reported_at: datetime | None = None,
                 incomplete: bool = False, last_contact_at: datetime | None = None,
                 contact: tuple | None = ("张三", "采购经理", "13800000000")) -> int:
        from salesctl.models import Contact, Customer, OwnershipEntry

        owner_id = self.staff_id(owner)
        when = reported_at or local(date(2026, 1, 5))
        with self._session() as s:
            c = Customer(name=name, name_norm=f"{name}-{next(_names)}", grade=grade, owner_id=owner_id,
                         reported_by_id=owner_id, reported_at=when, incomplete=incomplete,
                         last_contact_at=last_contact_at, created_at=when, updated_at=when, region="East")
            s.add(c)
            s.flush()
            s.add(OwnershipEntry(customer_id=c.id, kind="report", staff_id=owner_id, to_owner_id=owner_id,
                                 by_id=owner_id, at=when))
            if contact:
                s.add(Contact(customer_id=c.id, name=contact[0], title=contact[1], phone=contact[2], is_primary=True,
                              created_at=when, updated_at=when))
            return c.id

    def deal(self, owner: str, customer_id: int, title: str, amount: str, *, product: str | None = None,
             won_on: date | None = None) -> int:
        from salesctl.models import Deal

        when = local(date(2026, 1, 5))
        with self._session() as s:
            d = Deal(customer_id=customer_id, owner_id=self.staff_id(owner), title=title, product=product,
                     amount=Decimal(amount), stage=4 if won_on else 2, status="won" if won_on else "open",
                     won_on=won_on, created_at=when, updated_at=when)
            s.add(d)
            s.flush()
            return d.id

    def payment(self, deal_id: int, amount: str, paid_on: date, recorded_at: datetime | None = None) -> int:
        from salesctl.models import Payment

        with self._session() as s:
            p = Payment(deal_id=deal_id, amount=Decimal(amount), paid_on=paid_on,
                        created_at=recorded_at or local(paid_on, 16))
            s.add(p)
            s.flush()
            return p.id

    def set_payment(self, payment_id: int, amount: str) -> None:
        from salesctl.models import Payment

        with self._session() as s:
            p = s.get(Payment, payment_id)
            p.amount = Decimal(amount)
            s.add(p)

    def daily_reports(self, handle: str, first: date, last: date, *, missing=(), late=()) -> None:
        """Submitted daily reports for every workday in [first, last] except `missing`; `late` ones late."""
        from salesctl.models import Report
        from salesctl.workdays import WorkCalendar

        rep_id = self.staff_id(handle)
        with self._session() as s:
            for day in WorkCalendar().workdays(first, last):
                if day in missing:
                    continue
                is_late = day in late
                at = local(day + timedelta(days=1), 9) if is_late else local(day, 17)
                s.add(Report(rep_id=rep_id, kind="daily", period=day.isoformat(), period_start=day,
                             period_end=day, status="submitted", late=is_late, submitted_at=at,
                             created_at=at, updated_at=at))

    def missed_sale(self, handle: str, amount: str, occurred_on: date, share: str | None = None,
                    name: str = "远东连锁") -> int:
        from salesctl.models import MissedSale, MissedSaleShare

        with self._session() as s:
            sale = MissedSale(name=name, region="East", industry="Retail", amount=Decimal(amount),
                              occurred_on=occurred_on, recorded_by_id=self.staff_id("mgr_a"),
                              recorded_at=local(occurred_on, 12))
            s.add(sale)
            s.flush()
            s.add(MissedSaleShare(missed_sale_id=sale.id, staff_id=self.staff_id(handle),
                                  amount=Decimal(share or amount)))
            return sale.id

    def visits(self, handle: str, customer_id: int, days: list[date]) -> None:
        from salesctl.models import Visit

        rep_id = self.staff_id(handle)
        with self._session() as s:
            for day in days:
                s.add(Visit(customer_id=customer_id, rep_id=rep_id, at=local(day, 11), kind="visit",
                            content="拜访", result="ok", created_at=local(day, 12)))


def counts(url: str) -> dict:
    tables = ("commission_settlement", "commission_line", "commission_adjustment", "target", "audit_entry",
              "payment", "deal")
    return {name: query(url, f"select count(*) from {name}")[0][0] for name in tables}


# ------------------------------------------------------------------ the README's worked example
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def worked_example(url: str, cli) -> dict:
    """Exactly the data of docs/readme/70-commission.md's worked example (rep_a1, November 2026)."""
    data = Data(url)
    data.backdate("rep_a1", "rep_a2", "rep_b1", to=date(2026, 10, 1))
    shop = data.customer("rep_a1", "华东商贸", "B")
    mart = data.customer("rep_a1", "明光超市", "A")
    yearly = data.deal("rep_a1", shop, "年度采购", "80000.00", won_on=date(2026, 10, 20))
    system = data.deal("rep_a1", mart, "门店系统", "35000.00", won_on=date(2026, 11, 2))
    p1 = data.payment(yearly, "28500.00", date(2026, 11, 5))
    p2 = data.payment(yearly, "46250.50", date(2026, 11, 12))
    p3 = data.payment(system, "35000.00", date(2026, 11, 20))
    data.daily_reports("rep_a1", *NOVEMBER, missing={date(2026, 11, 4), date(2026, 11, 12)},
                       late={date(2026, 11, 18)})
    data.daily_reports("rep_a1", date(2026, 12, 1), date(2026, 12, 2))
    result = cli("target", "set", "rep_a1", "--month", "2026-11", "--amount", "100000", as_="mgr_a")
    assert result.exit_code == 0, result
    result = cli("commission", "adjust", "rep_a1", "--month", "2026-11", "--amount", "200",
                 "--reason", "展会奖励", as_="mgr_a", now="2026-11-30T12:00")
    assert result.exit_code == 0, result
    return {"data": data, "payments": (p1, p2, p3), "deals": (yearly, system)}
