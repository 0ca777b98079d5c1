"""Grades: regrade by hand, the automatic rules at their boundaries (SPEC 1.4), the hand-set hold,
dry runs, idempotence, policy overrides, and the grade distribution."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import query

TODAY = date(2026, 11, 27)  # the frozen now's local date
EARLIER = "2026-06-01T10:00"  # customers are created here, graded by the rules of that day


def add(cli, name, phone, *extra, as_="rep_a1", now=EARLIER):
    result = cli("customer", "add", name, "--contact", "张伟", "--title", "经理", "--phone", phone,
                 "--status", "following", *extra, as_=as_, now=now)
    assert result.exit_code == 0, result
    return int(result.stdout.strip())


def grade_of(url, customer_id):
    return query(url, "select grade from customer where id = :i", i=customer_id)[0][0]


def history_count(url):
    return query(url, "select count(*) from grade_change")[0][0]


# --------------------------------------------------------------------------- by hand
def test_regrade_by_hand_keeps_from_to_who_when_why(org, cli, db_url):
    cid = add(cli, "甲公司", "13800000001", "--grade", "C")
    result = cli("customer", "regrade", str(cid), "a", "--reason", "确认下月采购", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    assert result.json()["from"] == "C" and result.json()["to"] == "A"
    rep = query(db_url, "select id from staff where handle = 'rep_a1'")[0][0]
    rows = query(db_url, "select from_grade, to_grade, by_id, reason, source, rule, at from grade_change "
                         "where customer_id = :i order by id", i=cid)
    assert rows[-1][:6] == ("C", "A", rep, "确认下月采购", "hand", None)
    assert str(rows[-1][6]).startswith("2026-11-27 09:30")  # stored in UTC
    assert grade_of(db_url, cid) == "A"
    audit = query(db_url, "select count(*) from audit_entry where action = 'customer.grade' and entity_id = :i", i=cid)
    assert audit == [(2,)]


def test_regrade_refusals_write_nothing(org, cli, db_url):
    cid = add(cli, "甲公司", "13800000001", "--grade", "C")
    before = history_count(db_url)
    no_reason = cli("customer", "regrade", str(cid), "A", as_="rep_a1")
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr
    bad = cli("customer", "regrade", str(cid), "E", "--reason", "x", as_="rep_a1")
    assert bad.exit_code == 2 and "A, B, C, D" in bad.stderr
    assert cli("customer", "regrade", str(cid), "--reason", "x", as_="rep_a1").exit_code == 2
    assert cli("customer", "regrade", str(cid), "A", "--reason", "x", as_="rep_b1").exit_code == 3
    assert cli("customer", "regrade", str(cid), "A", "--auto", as_="rep_a1").exit_code == 2
    same = cli("customer", "regrade", str(cid), "C", "--reason", "x", as_="rep_a1")
    assert same.exit_code == 0 and "nothing changed" in same.stderr
    assert history_count(db_url) == before


# --------------------------------------------------------------------------- automatic rules
def test_new_customer_grade_follows_the_rules(org, cli, db_url):
    cases = {0: "A", 30: "A", 31: "B", 90: "B", 91: "C", 180: "C", 181: "D", None: "D"}
    for i, (days, grade) in enumerate(cases.items()):
        extra = ("--expected-purchase", (TODAY + timedelta(days=days)).isoformat()) if days is not None else ()
        result = cli("customer", "add", f"新客户{i}", "--contact", "A", "--title", "B", "--phone", f"1380000010{i}",
                     "--status", "following", *extra, as_="rep_a1")
        assert result.exit_code == 0, result
        assert grade_of(db_url, int(result.stdout)) == grade, days


@pytest.fixture
def boundary(org, cli):
    """Customers created months ago (graded then), whose expected purchase is now N days away."""
    days = {"d30": 30, "d31": 31, "d90": 90, "d91": 91, "d180": 180, "d181": 181, "past": -3, "none": None}
    ids = {}
    for i, (key, n) in enumerate(days.items()):
        extra = ("--expected-purchase", (TODAY + timedelta(days=n)).isoformat()) if n is not None else ()
        ids[key] = add(cli, f"边界{key}", f"1390000000{i}", *extra)
    return ids


def test_auto_regrade_boundaries_and_past_dates(boundary, cli, db_url):
    before = {k: grade_of(db_url, v) for k, v in boundary.items()}
    # on 2026-06-01 every future date was more than 180 days away; the now past one was 176 days away
    assert before == {"d30": "D", "d31": "D", "d90": "D", "d91": "D", "d180": "D", "d181": "D", "past": "C", "none": "D"}
    result = cli("customer", "regrade", "--auto", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    changes = result.json()
    assert all(set(c) == {"customer_id", "customer", "from", "to", "rule"} for c in changes)
    by_id = {c["customer_id"]: c for c in changes}
    expected = {"d30": ("D", "A"), "d31": ("D", "B"), "d90": ("D", "B"), "d91": ("D", "C"), "d180": ("D", "C")}
    assert {k: (by_id[boundary[k]]["from"], by_id[boundary[k]]["to"]) for k in expected} == expected
    assert boundary["d181"] not in by_id and boundary["none"] not in by_id  # already D
    assert boundary["past"] not in by_id  # a past date changes nothing …
    assert "needs review" in result.stderr and "边界past" in result.stderr  # … and is listed
    assert "30 days" in by_id[boundary["d30"]]["rule"] and "31 days" in by_id[boundary["d31"]]["rule"]
    after = {k: grade_of(db_url, v) for k, v in boundary.items()}
    assert after == {"d30": "A", "d31": "B", "d90": "B", "d91": "C", "d180": "C", "d181": "D", "past": "C", "none": "D"}
    stored = query(db_url, "select source, rule, by_id from grade_change where customer_id = :i order by id",
                   i=boundary["d30"])[-1]
    from salesctl.messages import render_stored

    assert stored[0] == "rule" and '"msg":"grade_rule.a"' in stored[1] and "30 days (≤30) → A" in render_stored(stored[1])


def test_auto_regrade_is_idempotent_and_cron_safe(boundary, cli, db_url):
    assert cli("customer", "regrade", "--auto", as_="rep_a1").exit_code == 0
    count = history_count(db_url)
    again = cli("customer", "regrade", "--auto", "--format", "json", as_="rep_a1")
    assert again.exit_code == 0 and again.json() == []
    assert history_count(db_url) == count
    table = cli("customer", "regrade", "--auto", as_="rep_a1")
    assert table.exit_code == 0 and "No grade changes." in table.stdout


def test_auto_regrade_dry_run_writes_nothing(boundary, cli, db_url):
    before = (history_count(db_url), query(db_url, "select count(*) from audit_entry")[0][0])
    dry = cli("customer", "regrade", "--auto", "--dry-run", "--format", "json", as_="rep_a1")
    assert dry.exit_code == 0 and len(dry.json()) == 5
    assert "nothing written" in dry.stderr
    assert (history_count(db_url), query(db_url, "select count(*) from audit_entry")[0][0]) == before
    assert grade_of(db_url, boundary["d30"]) == "D"
    table = cli("customer", "regrade", "--auto", "--dry-run", as_="rep_a1")
    assert "边界d30" in table.stdout and "→ A" in table.stdout


def test_a_grade_set_by_hand_in_the_last_14_days_is_left_alone(boundary, cli, db_url):
    # hand-set 13 days ago: held; hand-set 15 days ago: the rule applies
    assert cli("customer", "regrade", str(boundary["d30"]), "C", "--reason", "客户犹豫", as_="rep_a1",
               now="2026-11-14T17:30").exit_code == 0
    assert cli("customer", "regrade", str(boundary["d31"]), "C", "--reason", "客户犹豫", as_="rep_a1",
               now="2026-11-12T17:00").exit_code == 0
    result = cli("customer", "regrade", "--auto", "--format", "json", as_="rep_a1")
    changed = {c["customer_id"] for c in result.json()}
    assert boundary["d30"] not in changed and grade_of(db_url, boundary["d30"]) == "C"
    assert boundary["d31"] in changed and grade_of(db_url, boundary["d31"]) == "B"
    assert "1 set by hand recently" in result.stderr


def test_a_grade_given_at_creation_counts_as_set_by_hand(org, cli, db_url):
    cid = add(cli, "刚建档", "13800000001", "--grade", "D", "--expected-purchase", "2026-12-01",
              now="2026-11-20T10:00")
    auto = add(cli, "自动档", "13800000002", "--expected-purchase", "2027-04-01", now="2026-11-20T10:00")
    result = cli("customer", "regrade", "--auto", "--format", "json", as_="rep_a1")
    assert [c["customer_id"] for c in result.json()] == []
    assert grade_of(db_url, cid) == "D" and grade_of(db_url, auto) == "C"


def test_auto_regrade_scope(boundary, cli, db_url):
    other = add(cli, "乙公司", "13700000001", "--expected-purchase", "2026-12-01", as_="rep_b1")
    mine = cli("customer", "regrade", "--auto", "--dry-run", "--format", "json", as_="rep_a1").json()
    assert other not in {c["customer_id"] for c in mine}
    team = cli("customer", "regrade", "--auto", "--dry-run", "--manager", "mgr_b", "--format", "json", as_="dir").json()
    assert [c["customer_id"] for c in team] == [other]
    assert cli("customer", "regrade", "--auto", "--manager", "mgr_b", as_="mgr_a").exit_code == 3
    assert cli("customer", "regrade", "--auto", "--team", as_="rep_a1").exit_code == 3
    assert grade_of(db_url, other) == "D"
    assert cli("customer", "regrade", "--auto", "--team", as_="mgr_b").exit_code == 0
    assert grade_of(db_url, other) == "A"


def test_policy_file_overrides_the_thresholds(boundary, cli, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[grading]\na_within_days = 45\n", encoding="utf-8")
    result = cli("customer", "regrade", "--auto", "--dry-run", "--format", "json", as_="rep_a1",
                 env={"SALESCTL_POLICY": str(policy)})
    assert result.exit_code == 0, result
    to = {c["customer_id"]: c["to"] for c in result.json()}
    assert to[boundary["d31"]] == "A" and to[boundary["d90"]] == "B"


# --------------------------------------------------------------------------- distribution
@pytest.fixture
def graded(org, cli):
    spec = [("rep_a1", "A"), ("rep_a1", "A"), ("rep_a1", "C"), ("rep_a2", "B"), ("rep_b1", "D")]
    for i, (rep, grade) in enumerate(spec):
        add(cli, f"分布{i}", f"1360000000{i}", "--grade", grade, as_=rep)


def test_grades_json_counts_and_scope(graded, cli):
    result = cli("customer", "grades", "--format", "json", as_="dir")
    assert result.exit_code == 0, result
    assert result.json() == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert cli("customer", "grades", "--format", "json", as_="rep_a1").json() == {"A": 2, "B": 0, "C": 1, "D": 0}
    assert cli("customer", "grades", "--team", "--format", "json", as_="mgr_a").json() == {"A": 2, "B": 1, "C": 1, "D": 0}
    assert cli("customer", "grades", "--manager", "mgr_b", "--format", "json", as_="dir").json() == {"A": 0, "B": 0, "C": 0, "D": 1}
    assert cli("customer", "grades", "--manager", "mgr_b", as_="mgr_a").exit_code == 3
    assert cli("customer", "grades", "--by", "colour", as_="dir").exit_code == 2


def test_grades_by_owner_region_industry(graded, cli):
    rows = cli("customer", "grades", "--by", "owner", "--format", "json", as_="dir").json()
    assert rows == [
        {"owner": "rep_a1", "A": 2, "B": 0, "C": 1, "D": 0},
        {"owner": "rep_a2", "A": 0, "B": 1, "C": 0, "D": 0},
        {"owner": "rep_b1", "A": 0, "B": 0, "C": 0, "D": 1},
    ]
    regions = cli("customer", "grades", "--by", "region", "--format", "json", as_="dir").json()
    assert regions == [{"region": "East", "A": 2, "B": 1, "C": 1, "D": 0}, {"region": "North", "A": 0, "B": 0, "C": 0, "D": 1}]
    csv_out = cli("customer", "grades", "--by", "industry", "--format", "csv", as_="dir").stdout.splitlines()
    assert csv_out == ["industry,A,B,C,D", "Health,0,1,0,0", "Retail,2,0,1,1"]
    plain = cli("customer", "grades", "--format", "csv", as_="dir").stdout.splitlines()
    assert plain == ["A,B,C,D", "2,1,1,1"]


def test_grades_chart(graded, cli):
    result = cli("customer", "grades", as_="dir")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    a_line = next(line for line in lines if line.startswith("A important"))
    d_line = next(line for line in lines if line.startswith("D development"))
    assert a_line.count("█") == 40 and a_line.rstrip().endswith("2")
    assert d_line.count("░") == 20 and d_line.rstrip().endswith("1")
    by_owner = cli("customer", "grades", "--by", "owner", as_="dir").stdout
    assert "rep_a1" in by_owner and "A:2 B:0 C:1 D:0" in by_owner
    zh = cli("customer", "grades", as_="dir", lang="zh").stdout
    assert "A 重要客户" in zh and "客户级别分布" in zh
