"""`salesctl import visits|deals|staff`: rows checked as `visit log`, `deal add/won/lost` and `staff add` check
them, with their rejection reasons, duplicates, all or nothing, and what is stored."""

from __future__ import annotations

import pytest

from conftest import query


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(url, table):
    return query(url, f"select count(*) from {table}")[0][0]


def staff_id(url, handle):
    return query(url, "select id from staff where handle = :h", h=handle)[0][0]


@pytest.fixture
def book(org, cli, tmp_path):
    """rep_a1 owns 甲 and 乙 (Retail), rep_b1 owns 丙; 丁 is in the pool (a lead)."""
    path = write(tmp_path / "customers.csv", "客户名称,联系人,职务,手机,状态,负责人\n"
                 "甲有限公司,张伟,采购经理,13812345678,跟进中,rep_a1\n"
                 "乙有限公司,李娜,经理,13812345679,跟进中,rep_a1\n"
                 "丙有限公司,王五,经理,13812345680,跟进中,rep_b1\n")
    assert cli("import", "customers", path, as_="dir").exit_code == 0
    lead = cli("lead", "add", "丁有限公司", "--contact", "赵六", "--phone", "13812345681", "--industry", "Retail",
               "--region", "North", "--source", "展会", as_="asst_b")
    assert lead.exit_code == 0, lead
    return org


# --------------------------------------------------------------------------- visits
VISITS = ("客户,拜访时间,方式,联系人,拜访内容,结果,下次跟进\n"
          "甲有限公司,2026-11-20 10:00,拜访,张伟,介绍方案,有兴趣,2026-11-30\n"    # 2 imported (known contact)
          "甲公司,2026/11/21,电话,新人,电话回访,反馈良好,\n"                        # 3 imported (new contact, 09:00)
          "乙有限公司,2026-11-22 15:30,email,李娜,发送报价,已收到,\n"                # 4 imported
          "无此客户,2026-11-22 10:00,拜访,张伟,x,y,\n"                              # 5 customer
          "丙有限公司,2026-11-22 10:00,拜访,王五,x,y,\n"                            # 6 permission
          "丁有限公司,2026-11-22 10:00,拜访,赵六,x,y,\n"                            # 7 pool
          "乙有限公司,2026-12-20 10:00,拜访,李娜,x,y,\n"                            # 8 future
          "乙有限公司,2026-11-20 10:00,飞鸽,李娜,x,y,\n"                            # 9 kind
          "乙有限公司,2026-11-20 10:00,拜访,李娜,x,y,2026-11-01\n"                  # 10 follow-up before
          "乙有限公司,2026-11-20 10:00,拜访,李娜,,y,\n"                             # 11 missing content
          "乙有限公司,someday,拜访,李娜,x,y,\n"                                     # 12 date
          "甲有限公司,2026-11-20 10:00,拜访,张伟,介绍方案,有兴趣,\n")               # 13 same as row 2


def test_visits_each_reason_and_what_is_stored(book, cli, db_url, tmp_path):
    path = write(tmp_path / "visits.csv", VISITS)
    before = count(db_url, "visit")
    refused = cli("import", "visits", path, as_="rep_a1")
    assert refused.exit_code == 2 and count(db_url, "visit") == before

    result = cli("import", "visits", path, "--partial", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert [(p["row"], p["code"]) for p in doc["problems"]] == [
        (5, "customer"), (6, "permission"), (7, "pool"), (8, "future"), (9, "kind"), (10, "date"), (11, "missing"),
        (12, "date"), (13, "duplicate_in_file")]
    assert "王五" not in doc["problems"][1]["reason"]  # a refusal never shows the other rep's customer's fields
    assert doc["imported"] == 3
    a1 = staff_id(db_url, "rep_a1")
    rows = query(db_url, "select c.name, v.rep_id, v.kind, k.name, v.content, v.follow_up from visit v "
                         "join customer c on c.id = v.customer_id left join contact k on k.id = v.contact_id order by v.at")
    assert [(n, r, kd, ct, body, str(f) if f else None) for n, r, kd, ct, body, f in rows] == [
        ("甲有限公司", a1, "visit", "张伟", "介绍方案", "2026-11-30"),
        ("甲有限公司", a1, "call", "新人", "电话回访", None),
        ("乙有限公司", a1, "email", "李娜", "发送报价", None)]
    # the known contact was reused, the new one added; last contact moved to the latest visit
    assert count(db_url, "contact") == 5
    shown = cli("customer", "show", "乙有限公司", "--format", "json", as_="rep_a1").json()
    assert shown["last_contact_at"] == "2026-11-22T15:30:00+08:00"
    again = cli("import", "visits", path, "--partial", "--format", "json", as_="rep_a1").json()
    assert again["imported"] == 0 and [p["code"] for p in again["problems"]].count("duplicate") == 4


def test_visits_in_small_batches_find_earlier_batches_and_stay_all_or_nothing(book, cli, db_url, tmp_path,
                                                                              monkeypatch):
    from salesctl.services.io import imports

    monkeypatch.setattr(imports, "BATCH_ROWS", 2)  # rows 2-3, 4-5, 6-7, 8-9 are four batches
    header = "客户,拜访时间,方式,联系人,拜访内容,结果\n"
    lines = ["甲有限公司,2026-11-20 10:00,拜访,新人甲,介绍方案,有兴趣",   # 2 imported, new contact 新人甲
             "乙有限公司,2026-11-21 10:00,电话,李娜,电话回访,良好",       # 3 imported
             "甲有限公司,2026-11-22 10:00,拜访,新人甲,二次拜访,有兴趣",   # 4 imported: 新人甲 of row 2 reused
             "甲有限公司,2026-11-20 10:00,拜访,新人甲,介绍方案,有兴趣",   # 5 same as row 2 (an earlier batch)
             "乙有限公司,2026-11-23 11:00,拜访,李娜,上门演示,顺利",       # 6 imported
             "乙有限公司,2026-11-21 10:00,电话,李娜,电话回访,良好"]       # 7 same as row 3
    good = write(tmp_path / "visits.csv", header + "\n".join(lines) + "\n")
    bad = write(tmp_path / "bad.csv", header + "\n".join(lines + ["甲有限公司,someday,拜访,张伟,x,y"]) + "\n")
    before = {t: count(db_url, t) for t in ("visit", "contact", "audit_entry")}
    refused = cli("import", "visits", bad, "--format", "json", as_="rep_a1")
    assert refused.exit_code == 2 and refused.json()["refused"] == "rejected"
    assert {t: count(db_url, t) for t in before} == before  # a rejection in the last batch: nothing written
    assert [(p["row"], p["code"]) for p in refused.json()["problems"]] == [
        (5, "duplicate_in_file"), (7, "duplicate_in_file"), (8, "date")]

    result = cli("import", "visits", good, "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert (doc["rows"], doc["imported"], doc["duplicate"]) == (6, 4, 2)
    assert [(p["row"], p["code"]) for p in doc["problems"]] == [(5, "duplicate_in_file"), (7, "duplicate_in_file")]
    assert "2" in doc["problems"][0]["reason"] and "3" in doc["problems"][1]["reason"]
    assert count(db_url, "visit") == before["visit"] + 4
    assert count(db_url, "contact") == before["contact"] + 1  # 新人甲 once, though named in two batches
    shown = cli("customer", "show", "乙有限公司", "--format", "json", as_="rep_a1").json()
    assert shown["last_contact_at"] == "2026-11-23T11:00:00+08:00"
    again = cli("import", "visits", good, "--format", "json", as_="rep_a1").json()  # now all stored before
    assert again["imported"] == 0 and [p["code"] for p in again["problems"]] == ["duplicate"] * 6


# --------------------------------------------------------------------------- deals
DEALS = ("客户,商机名称,产品,金额,阶段,状态,成交日期,丢单原因\n"
         "甲有限公司,一期项目,企业版,\"12,000.50\",2,,,\n"            # 2 open at stage 2
         "甲有限公司,二期项目,企业版,8000,,赢单,2026-11-10,\n"        # 3 won on 11-10
         "乙有限公司,三期项目,,5000,项目建立,输单,2026-11-12,价格\n"  # 4 lost (price) at stage 2
         "乙有限公司,零元项目,,0,,,,\n"                               # 5 amount
         "乙有限公司,无日期赢单,,100,,won,,\n"                        # 6 won needs its date
         "乙有限公司,开放第四阶段,,100,4,open,,\n"                    # 7 open at stage 4
         "乙有限公司,奇怪状态,,100,,暂停,,\n"                         # 8 status
         "乙有限公司,未来赢单,,100,,won,2027-01-01,\n"                # 9 future
         "乙有限公司,坏阶段,,100,9,,,\n"                              # 10 stage
         "乙有限公司,输单无因,,100,,lost,2026-11-12,\n"               # 11 lost needs a reason
         "无此客户,某项目,,100,,,,\n"                                 # 12 customer
         "甲有限公司,一期项目,企业版,100,,,,\n")                      # 13 same as row 2


def test_deals_each_reason_and_the_pipeline(book, cli, db_url, tmp_path):
    path = write(tmp_path / "deals.csv", DEALS)
    result = cli("import", "deals", path, "--partial", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert [(p["row"], p["code"]) for p in doc["problems"]] == [
        (5, "amount"), (6, "missing"), (7, "stage"), (8, "status"), (9, "future"), (10, "stage"), (11, "missing"),
        (12, "customer"), (13, "duplicate_in_file")]
    rows = query(db_url, "select title, amount, stage, status, won_on, lost_on, lost_reason, owner_id from deal order by id")
    a1 = staff_id(db_url, "rep_a1")
    assert [(t, a, s, st, str(w) if w else None, str(lo) if lo else None, r, o) for t, a, s, st, w, lo, r, o in rows] == [
        ("一期项目", 1200050, 2, "open", None, None, None, a1),
        ("二期项目", 800000, 4, "won", "2026-11-10", None, None, a1),
        ("三期项目", 500000, 2, "lost", None, "2026-11-12", "price", a1)]
    assert count(db_url, "deal_stage_change") == 3
    pipeline = cli("deal", "pipeline", "--format", "json", as_="rep_a1").json()
    assert pipeline["won"] == {"count": 1, "amount": "8000.00"}
    assert pipeline["lost"] == {"count": 1, "amount": "5000.00"}
    assert pipeline["stages"][1] == {"stage": 2, "name": "project", "count": 1, "amount": "12000.50"}
    fail = cli("import", "deals", path, "--on-duplicate", "fail", as_="rep_a1")
    assert fail.exit_code == 2  # rejected rows come first: invalid input


def test_deals_in_small_batches_find_earlier_batches_and_stay_all_or_nothing(book, cli, db_url, tmp_path,
                                                                             monkeypatch):
    from salesctl.services.io import imports

    monkeypatch.setattr(imports, "BATCH_ROWS", 2)  # rows 2-3, 4-5, 6-7: three batches
    header = "客户,商机名称,金额\n"
    lines = ["甲有限公司,一期项目,1000", "乙有限公司,一期项目,2000",   # 2, 3 imported (another customer's title)
             "甲有限公司,二期项目,3000", "甲有限公司,一期项目,100",     # 4 imported; 5 same as row 2
             "乙有限公司,一期项目,50"]                                  # 6 same as row 3
    good = write(tmp_path / "deals.csv", header + "\n".join(lines) + "\n")
    bad = write(tmp_path / "bad.csv", header + "\n".join(lines + ["甲有限公司,坏项目,0"]) + "\n")
    before = {t: count(db_url, t) for t in ("deal", "deal_stage_change", "audit_entry")}
    refused = cli("import", "deals", bad, "--format", "json", as_="rep_a1")
    assert refused.exit_code == 2 and refused.json()["refused"] == "rejected"
    assert {t: count(db_url, t) for t in before} == before  # a rejection in the last batch: nothing written
    result = cli("import", "deals", good, "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    doc = result.json()
    assert (doc["rows"], doc["imported"], doc["duplicate"]) == (5, 3, 2)
    assert [(p["row"], p["code"]) for p in doc["problems"]] == [(5, "duplicate_in_file"), (6, "duplicate_in_file")]
    assert "2" in doc["problems"][0]["reason"] and "3" in doc["problems"][1]["reason"]
    assert count(db_url, "deal") == before["deal"] + 3 and count(db_url, "deal_stage_change") == before[
        "deal_stage_change"] + 3
    again = cli("import", "deals", good, "--format", "json", as_="rep_a1").json()
    assert again["imported"] == 0 and [p["code"] for p in again["problems"]] == ["duplicate"] * 5


# --------------------------------------------------------------------------- staff
STAFF = ("账号,姓名,角色,上级,区域,行业\n"
         "rep_c1,销售丙一,rep,经理丙,West,Retail\n"       # 2 after its manager (row 3), by the manager's name
         "mgr_c,经理丙,manager,,West,\n"                   # 3 under --under (dir)
         "rep_c2,销售丙二,rep,mgr_c,,Retail\n"             # 4 a rep needs a region
         "rep_a1,重复,rep,mgr_a,East,Retail\n"             # 5 already in the org chart
         "rep_c3,销售丙三,销售代表,nobody,West,Retail\n"    # 6 unknown manager
         ",Anna Snelling,rep,mgr_c,West,*\n"               # 7 handle made from the name
         "rep_c4,销售丙四,boss,mgr_c,West,Retail\n")       # 8 role


def test_staff_managers_first_each_reason_and_savepoints(book, cli, db_url, tmp_path):
    path = write(tmp_path / "staff.csv", STAFF)
    before = count(db_url, "staff")
    refused = cli("import", "staff", path, "--under", "dir", as_="boss")
    assert refused.exit_code == 2 and count(db_url, "staff") == before
    result = cli("import", "staff", path, "--under", "dir", "--partial", "--format", "json", as_="boss")
    assert result.exit_code == 0, result
    doc = result.json()
    assert [(p["row"], p["status"]) for p in doc["problems"]] == [
        (4, "rejected"), (5, "duplicate"), (6, "rejected"), (8, "rejected")]
    assert "--region" in doc["problems"][0]["reason"] and "--role: 'boss'" in doc["problems"][3]["reason"]
    tree = {r["handle"]: r for r in cli("staff", "list", "--format", "json", as_="boss").json()}
    assert tree["mgr_c"]["manager"] == "dir" and tree["mgr_c"]["role"] == "manager"
    assert tree["rep_c1"]["manager"] == "mgr_c" and tree["rep_c1"]["industry"] == "Retail"
    assert tree["anna.snelling"]["industry"] == "*"
    assert count(db_url, "staff") == before + 3


def test_staff_import_needs_manager_rights(book, cli, db_url, tmp_path):
    path = write(tmp_path / "staff.csv", "账号,姓名,角色,上级,区域,行业\nrep_z,某人,rep,mgr_a,East,Retail\n")
    result = cli("import", "staff", path, "--format", "json", as_="rep_a1")
    assert result.exit_code == 2 and count(db_url, "staff") == 9
    assert "permission denied" in result.json()["problems"][0]["reason"]
