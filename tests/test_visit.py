"""Visits through the real CLI: logging (and its refusals), regrading, listing, follow-ups due."""

from __future__ import annotations

import json

import pytest

from conftest import query
from test_visit_fixtures import assert_refused, counts, make_customer

LOG = ("--content", "介绍新方案", "--result", "要求报价")


@pytest.fixture
def shop(org, db_url):
    """Customers of rep_a1 (A, C), rep_a2, rep_b1, and one in the pool."""
    return {
        "a1": make_customer(db_url, "华光科技", "rep_a1", grade="C"),
        "a1_A": make_customer(db_url, "东方电子", "rep_a1", grade="A", last_contact="2026-11-19T10:00:00+08:00"),
        "a2": make_customer(db_url, "仁和医院", "rep_a2", grade="B", last_contact="2026-11-13T10:00:00+08:00"),
        "b1": make_customer(db_url, "北方零售", "rep_b1", grade="D"),
        "pool": make_customer(db_url, "无主公司", None, grade="D"),
    }


# --------------------------------------------------------------------------- visit log
def test_owner_logs_a_visit_with_a_known_contact(shop, cli, db_url):
    result = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", "--kind", "call", "--at", "2026-11-27T10:00",
                 "--problems", "预算未定", "--next-step", "准备报价", "--follow-up", "2026-12-02", as_="rep_a1")
    assert result.exit_code == 0, result
    visit_id = int(result.stdout.strip())
    assert "Logged visit" in result.stderr
    row = query(db_url, "select v.customer_id, c.name, s.handle, v.kind, v.content, v.result, v.problems, v.next_step, "
                        "v.follow_up, v.at from visit v join contact c on c.id = v.contact_id "
                        "join staff s on s.id = v.rep_id where v.id = :i", i=visit_id)[0]
    assert row[:8] == (shop["a1"], "李总", "rep_a1", "call", "介绍新方案", "要求报价", "预算未定", "准备报价")
    assert str(row[8]) == "2026-12-02"
    assert str(row[9]).startswith("2026-11-27 02:00")  # stored as UTC
    # last contact updated; the known contact (any case) was reused
    assert str(query(db_url, "select last_contact_at from customer where id = :i", i=shop["a1"])[0][0]).startswith("2026-11-27 02:00")
    assert query(db_url, "select count(*) from contact where customer_id = :i", i=shop["a1"])[0][0] == 1
    actions = [a for (a,) in query(db_url, "select action from audit_entry order by id")]
    assert "visit.log" in actions and "customer.last_contact" in actions


def test_contact_matching_is_case_insensitive_and_new_names_are_added(org, cli, db_url):
    cid = make_customer(db_url, "Acme Ltd", "rep_a1", contact="John Smith")
    assert cli("visit", "log", str(cid), *LOG, "--contact", "john smith", as_="rep_a1").exit_code == 0
    assert query(db_url, "select count(*) from contact where customer_id = :i", i=cid)[0][0] == 1
    result = cli("visit", "log", str(cid), *LOG, "--contact", "Mary Wu", as_="rep_a1")
    assert result.exit_code == 0, result
    assert "Added contact Mary Wu" in result.stderr
    assert query(db_url, "select name from contact where customer_id = :i order by id", i=cid) == [("John Smith",), ("Mary Wu",)]
    assert query(db_url, "select count(*) from audit_entry where action = 'contact.add'")[0][0] == 1


def test_json_output_is_the_new_visit(shop, cli):
    result = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", "--format", "json", as_="rep_a1")
    assert result.exit_code == 0, result
    data = result.json()
    assert data["customer"] == "华光科技" and data["contact"] == "李总" and data["rep"] == "rep_a1"
    assert data["kind"] == "visit" and data["at"] == "2026-11-27T17:30:00+08:00"


def test_missing_required_fields_name_every_flag_and_write_nothing(shop, cli, db_url):
    before = counts(db_url)
    result = cli("visit", "log", "华光科技", "--problems", "x", as_="rep_a1")
    assert_refused(result, 2, "--content, --result, --contact")
    result = cli("visit", "log", "华光科技", "--content", "c", "--result", "  ", as_="rep_a1")
    assert_refused(result, 2, "--result, --contact")
    assert counts(db_url) == before


@pytest.mark.parametrize("extra, needle", [
    (("--at", "2026-11-28T09:00"), "--at"),              # the future
    (("--at", "yesterday 25:00"), "--at"),               # not a time
    (("--kind", "fax"), "--kind"),
    (("--grade", "E"), "--grade"),
    (("--reason", "why"), "--reason"),                   # --reason without --grade
    (("--follow-up", "2026-11-20"), "--follow-up"),      # before the visit
    (("--follow-up", "someday"), "--follow-up"),
])
def test_invalid_values_are_refused_naming_the_flag(shop, cli, db_url, extra, needle):
    before = counts(db_url)
    result = cli("visit", "log", "华光科技", *LOG, "--contact", "新人", *extra, as_="rep_a1")
    assert_refused(result, 2, needle)
    assert counts(db_url) == before


def test_future_is_refused_but_a_first_visit_before_the_form_is_kept(shop, cli, db_url):
    future = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", "--at", "2026-11-27T18:00", as_="rep_a1")
    assert "in the future" in future.stderr
    # 首次来访: met on 2026-09-30, entered on 2026-10-01 (issue 16)
    early = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", "--at", "2026-09-30T15:00", "--format", "json",
                as_="rep_a1")
    assert early.exit_code == 0, early
    visit_id = early.json()["id"]
    assert len(query(db_url, "select id from visit where id = :i", i=visit_id)) == 1
    history = cli("customer", "history", "华光科技", "--format", "json", as_="rep_a1").json()
    assert [e["event"] for e in history][:2] == ["visit", "created"]
    day = cli("report", "daily", "--date", "2026-09-30", "--format", "json", as_="rep_a1").json()
    assert [r["visit_id"] for r in day["rows"]] == [visit_id]


# --------------------------------------------------------------------------- permissions
def test_only_the_owner_or_those_acting_for_them_may_log(shop, cli, db_url):
    before = counts(db_url)
    for actor in ("rep_a2", "rep_b1", "mgr_b", "asst_b"):
        result = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", as_=actor)
        assert result.exit_code == 3, (actor, result)
        assert "李总" not in result.stderr  # a refusal reveals no fields
    assert counts(db_url) == before
    # the manager above, and the assistant of the owner's manager's team, log for the owner
    by_manager = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", as_="mgr_a")
    assert by_manager.exit_code == 0, by_manager
    by_assistant = cli("visit", "log", "北方零售", *LOG, "--contact", "王经理", as_="asst_b")
    assert by_assistant.exit_code == 0, by_assistant
    rows = query(db_url, "select r.handle, b.handle from visit v join staff r on r.id = v.rep_id "
                         "join staff b on b.id = v.created_by_id order by v.id")
    assert rows == [("rep_a1", "mgr_a"), ("rep_b1", "asst_b")]


def test_pool_customers_get_no_visits_until_claimed(shop, cli, db_url):
    before = counts(db_url)
    result = cli("visit", "log", str(shop["pool"]), *LOG, "--contact", "李总", as_="mgr_a")
    assert_refused(result, 3, "pool")
    assert counts(db_url) == before


# --------------------------------------------------------------------------- grade with a visit
def test_grade_changes_in_the_same_transaction_pointing_at_the_visit(shop, cli, db_url):
    result = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", "--grade", "a", "--reason", "下月采购", as_="rep_a1")
    assert result.exit_code == 0, result
    visit_id = int(result.stdout.strip())
    assert "C → A" in result.stderr
    assert query(db_url, "select grade from customer where id = :i", i=shop["a1"]) == [("A",)]
    change = query(db_url, "select from_grade, to_grade, source, visit_id, reason from grade_change "
                           "where customer_id = :i and source = 'visit'", i=shop["a1"])
    assert change == [("C", "A", "visit", visit_id, "下月采购")]
    # without --reason, the visit itself is the reason
    result = cli("visit", "log", "华光科技", *LOG, "--contact", "李总", "--grade", "B", as_="rep_a1")
    second = int(result.stdout.strip())
    assert query(db_url, "select reason from grade_change where visit_id = :i", i=second) == [(f"visit {second}: 要求报价",)]


def test_a_failed_grade_leaves_no_visit(shop, cli, db_url):
    before = counts(db_url)
    assert cli("visit", "log", "华光科技", *LOG, "--contact", "李总", "--grade", "Z", as_="rep_a1").exit_code == 2
    assert counts(db_url) == before


def test_older_visit_does_not_move_last_contact_back(shop, cli, db_url):
    assert cli("visit", "log", "东方电子", *LOG, "--contact", "李总", "--at", "2026-11-10T10:00", as_="rep_a1").exit_code == 0
    assert str(query(db_url, "select last_contact_at from customer where id = :i", i=shop["a1_A"])[0][0]).startswith("2026-11-19 02:00")


# --------------------------------------------------------------------------- visit list
def _log(cli, customer, at, as_="rep_a1", **kw):
    args = ["visit", "log", customer, *LOG, "--contact", "李总", "--at", at]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", value]
    result = cli(*args, as_=as_)
    assert result.exit_code == 0, result
    return int(result.stdout.strip())


def test_visit_list_scopes_and_periods(shop, cli):
    v1 = _log(cli, "华光科技", "2026-11-23T10:00")
    v2 = _log(cli, "东方电子", "2026-11-27T09:00")
    v3 = _log(cli, "仁和医院", "2026-11-26T15:00", as_="rep_a2")
    v4 = _log(cli, "北方零售", "2026-11-16T15:00", as_="rep_b1")

    def ids(*args, as_):
        result = cli("visit", "list", *args, "--format", "json", as_=as_)
        assert result.exit_code == 0, result
        return [r["id"] for r in result.json()]

    assert ids(as_="rep_a1") == [v1, v2]
    assert ids(as_="mgr_a") == [v1, v3, v2]
    assert ids("--rep", "rep_a2", as_="mgr_a") == [v3]
    assert ids("--date", "2026-11-27", as_="mgr_a") == [v2]
    assert ids("--week", "2026-W48", as_="dir") == [v1, v3, v2]
    assert ids("--since", "2026-11-24", as_="dir") == [v3, v2]
    assert ids("--manager", "mgr_b", as_="dir") == [v4]
    assert ids("--customer", "华光科技", as_="mgr_a") == [v1]
    assert ids("--team", as_="asst_b") == [v4]
    row = cli("visit", "list", "--format", "json", as_="rep_a1").json()[0]
    assert set(row) >= {"id", "at", "customer", "contact", "kind", "content", "result", "follow_up", "rep"}
    assert cli("visit", "list", "--rep", "rep_a2", as_="rep_a1").exit_code == 3
    assert cli("visit", "list", "--team", as_="rep_a1").exit_code == 3
    assert cli("visit", "list", "--customer", "仁和医院", as_="rep_a1").exit_code == 3
    assert_refused(cli("visit", "list", "--date", "today", "--week", "this", as_="rep_a1"), 2, "--date, --week")


def test_visit_list_table_and_csv(shop, cli):
    _log(cli, "华光科技", "2026-11-23T10:00")
    table = cli("visit", "list", as_="rep_a1")
    assert "华光科技" in table.stdout and "2026-11-23 10:00" in table.stdout and "visit" in table.stdout
    zh = cli("visit", "list", as_="rep_a1", lang="zh")
    assert "拜访" in zh.stdout
    csv_lines = cli("visit", "list", "--format", "csv", as_="rep_a1").stdout.splitlines()
    assert csv_lines[0].startswith("id,at,customer,contact,kind")
    assert len(csv_lines) == 2


# --------------------------------------------------------------------------- visit due
def _due(cli, *args, as_="rep_a1", now=None):
    result = cli("visit", "due", *args, "--format", "json", as_=as_, now=now)
    assert result.exit_code in (0, 1), result
    return result


def test_follow_ups_due_and_cleared_by_a_later_visit(shop, cli):
    overdue = _log(cli, "华光科技", "2026-11-20T10:00", follow_up="2026-11-25", next_step="报价")
    today = _log(cli, "东方电子", "2026-11-26T10:00", follow_up="2026-11-27")
    later = _log(cli, "仁和医院", "2026-11-26T10:00", as_="rep_a2", follow_up="2026-11-30")
    rows = _due(cli).json()
    follow = [(r["id"], r["status"], r["due"], r["days_overdue"]) for r in rows if r["kind"] == "follow_up"]
    assert follow == [(overdue, "overdue", "2026-11-25", 2), (today, "due", "2026-11-27", 0)]
    first = [r for r in rows if r["id"] == overdue][0]
    assert first["customer"] == "华光科技" and first["next_step"] == "报价" and first["owner"] == "rep_a1"
    # --days looks ahead; --team covers the team
    team = _due(cli, "--days", "3", as_="mgr_a").json()
    assert later in [r["visit_id"] for r in team if r["kind"] == "follow_up"]
    # a later visit by anyone (here the manager) clears the follow-up
    _log(cli, "华光科技", "2026-11-27T11:00", as_="mgr_a")
    rows = _due(cli).json()
    assert [r["id"] for r in rows if r["kind"] == "follow_up"] == [today]


def test_a_and_b_customers_without_contact(shop, cli, db_url):
    # 东方电子 (A) last contact 11-19: due 11-26 (7 days) → overdue by 1 today (11-27)
    rows = _due(cli).json()
    stale = [(r["customer"], r["status"], r["due"]) for r in rows if r["kind"] == "no_contact"]
    assert stale == [("东方电子", "overdue", "2026-11-26")]
    # 仁和医院 (B) last contact 11-13: due 11-27 (14 days) → due today
    rows = _due(cli, as_="rep_a2").json()
    assert [(r["customer"], r["status"]) for r in rows if r["kind"] == "no_contact"] == [("仁和医院", "due")]
    # C and D customers are never listed for lack of contact
    assert all(r["grade"] in ("A", "B") for r in _due(cli, as_="dir").json() if r["kind"] == "no_contact")
    # a visit today clears it
    _log(cli, "东方电子", "2026-11-27T09:00")
    assert [r for r in _due(cli).json() if r["kind"] == "no_contact"] == []


def test_thresholds_come_from_the_policy_file(shop, cli, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[followup]\na_no_contact_days = 10\nb_no_contact_days = 20\n", encoding="utf-8")
    rows = cli("visit", "due", "--format", "json", as_="mgr_a", env={"SALESCTL_POLICY": str(policy)}).json()
    assert [r for r in rows if r["kind"] == "no_contact"] == []
    rows = cli("visit", "due", "--days", "3", "--format", "json", as_="mgr_a", env={"SALESCTL_POLICY": str(policy)}).json()
    assert [(r["customer"], r["due"], r["status"]) for r in rows if r["kind"] == "no_contact"] == [("东方电子", "2026-11-29", "upcoming")]


def test_check_exits_1_only_when_something_is_overdue(shop, cli):
    # rep_a2: only a B customer due today → exit 0
    result = cli("visit", "due", "--check", as_="rep_a2")
    assert result.exit_code == 0, result
    assert "仁和医院" in result.stdout
    # rep_a1: an A customer overdue → exit 1, the rows still printed
    result = cli("visit", "due", "--check", as_="rep_a1")
    assert result.exit_code == 1, result
    assert "东方电子" in result.stdout and "1 overdue" in result.stderr
    # rep_b1: nothing at all
    result = cli("visit", "due", "--check", as_="rep_b1")
    assert result.exit_code == 0 and "Nothing due." in result.stdout


def test_due_scope_and_refusals(shop, cli):
    assert cli("visit", "due", "--team", as_="rep_a1").exit_code == 3
    assert cli("visit", "due", "--rep", "rep_b1", as_="mgr_a").exit_code == 3
    assert cli("visit", "due", "--days", "-1", as_="rep_a1").exit_code == 2
    rows = _due(cli, "--manager", "mgr_a", as_="dir").json()
    assert {r["customer"] for r in rows if r["kind"] != "review"} == {"东方电子", "仁和医院"}
    # 华光科技 is graded C by hand with no expected purchase date: its grade is for a person to review
    assert {r["customer"] for r in rows if r["kind"] == "review"} == {"华光科技", "东方电子", "仁和医院"}


# --------------------------------------------------------------------------- customer history
def test_customer_history_shows_visit_and_grade_as_one_event(shop, cli):
    """Runs once `customer history` (issue 3) exists: a visit with --grade is one event."""
    if cli("customer", "history", "--help").exit_code != 0:
        pytest.skip("`salesctl customer history` is not built yet")
    result = cli("visit", "log", "华光科技", "--content", "独特的拜访内容XYZ", "--result", "同意试用", "--contact", "李总",
                 "--grade", "B", "--reason", "两个月内采购", as_="rep_a1")
    assert result.exit_code == 0, result
    visit_id = int(result.stdout.strip())
    history = cli("customer", "history", "华光科技", "--format", "json", as_="rep_a1")
    assert history.exit_code == 0, history
    data = history.json()
    events = data if isinstance(data, list) else data.get("events") or data.get("rows") or []
    texts = [json.dumps(e, ensure_ascii=False) for e in events]
    about_visit = [s for s in texts if "独特的拜访内容XYZ" in s or f'"visit_id": {visit_id}' in s]
    assert len(about_visit) == 1, texts           # one event, not a visit event plus a grade event
    assert "两个月内采购" in about_visit[0] or '"B"' in about_visit[0]
    assert "独特的拜访内容XYZ" in about_visit[0]
