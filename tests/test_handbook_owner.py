"""Issue 16, item 1: a change of owner moves the account (open deals, follow-ups), `deal reassign`,
`staff handover`, and `staff deactivate` refusing while someone still owns customers."""

from __future__ import annotations

import pytest

from conftest import query
from test_visit_fixtures import add_deal, assert_refused, counts, make_customer


def ok(result):
    assert result.exit_code == 0, result
    return result


def deal_owners(url, cid):
    return query(url, "select d.id, d.status, s.handle from deal d join staff s on s.id = d.owner_id "
                      "where d.customer_id = :c order by d.id", c=cid)


def moves(url, deal_id):
    return query(url, "select f.handle, t.handle, b.handle, c.reason, c.entry_id from deal_owner_change c "
                      "left join staff f on f.id = c.from_owner_id join staff t on t.id = c.to_owner_id "
                      "left join staff b on b.id = c.by_id where c.deal_id = :d order by c.id", d=deal_id)


@pytest.fixture
def account(org, cli, db_url):
    """rep_a1's customer with two open deals, a won deal and an open follow-up."""
    cid = make_customer(db_url, "华光科技", "rep_a1", grade="B")
    open1 = add_deal(cli, "华光科技", as_="rep_a1", amount="5000")
    open2 = add_deal(cli, "华光科技", as_="rep_a1", amount="3000", stage="2", title="二期")
    won = add_deal(cli, "华光科技", as_="rep_a1", amount="8000", title="首单")
    ok(cli("deal", "won", str(won), as_="rep_a1"))
    ok(cli("visit", "log", "华光科技", "--contact", "李总", "--content", "拜访", "--result", "有意向", "--follow-up", "2026-11-30",
           as_="rep_a1"))
    return {"cid": cid, "open": [open1, open2], "won": won}


def test_claim_approve_moves_open_deals_and_the_old_owner_is_refused(account, cli, db_url):
    cid, (d1, d2), won = account["cid"], account["open"], account["won"]
    request = ok(cli("claim", "add", str(cid), "--need", "我更了解客户需求", "--format", "json", as_="rep_b1")).json()["id"]
    ok(cli("claim", "approve", str(request), "--note", "乙一更了解需求", "--owner-had-info", "no", as_="dir"))
    listed = ok(cli("deal", "list", "--customer", str(cid), "--all", "--format", "json", as_="dir")).json()
    by_id = {r["id"]: r["owner"] for r in listed}
    assert by_id[d1] == by_id[d2] == "rep_b1"
    assert by_id[won] == "rep_a1"  # the won deal keeps the rep who won it (their commission)
    entry = query(db_url, "select max(id) from ownership_entry where customer_id = :c and kind = 'approve'", c=cid)[0][0]
    assert moves(db_url, d1) == [("rep_a1", "rep_b1", "dir", "approve: 乙一更了解需求", entry)]
    # the old owner may no longer work the account
    before = counts(db_url)
    assert cli("deal", "advance", str(d1), as_="rep_a1").exit_code == 3
    assert cli("deal", "won", str(d2), as_="rep_a1").exit_code == 3
    assert cli("payment", "add", str(won), "--amount", "100", "--date", "2026-11-27", as_="rep_a1").exit_code == 3
    assert counts(db_url) == before
    # the new owner advances and wins them, and records payments on the won deal
    ok(cli("deal", "advance", str(d1), as_="rep_b1"))
    ok(cli("deal", "won", str(d2), as_="rep_b1"))
    ok(cli("payment", "add", str(won), "--amount", "100", "--date", "2026-11-27", as_="rep_b1"))
    assert deal_owners(db_url, cid) == [(d1, "open", "rep_b1"), (d2, "won", "rep_b1"), (won, "won", "rep_a1")]
    # the follow-up is the new owner's now
    due = ok(cli("visit", "due", "--days", "7", "--format", "json", as_="rep_b1")).json()
    assert [r["customer_id"] for r in due if r["kind"] == "follow_up"] == [cid]
    shown = ok(cli("deal", "show", str(d1), "--format", "json", as_="rep_b1")).json()
    assert [(o["from"], o["to"], o["by"]) for o in shown["owners"]] == [("rep_a1", "rep_b1", "dir")]


def test_customer_edit_owner_moves_open_deals(account, cli, db_url):
    cid, (d1, d2) = account["cid"], account["open"]
    ok(cli("customer", "edit", str(cid), "--owner", "rep_a2", "--reason", "甲一调岗", as_="mgr_a"))
    assert [h for _i, s, h in deal_owners(db_url, cid) if s == "open"] == ["rep_a2", "rep_a2"]
    assert moves(db_url, d2)[0][:3] == ("rep_a1", "rep_a2", "mgr_a")
    assert cli("deal", "won", str(d1), as_="rep_a1").exit_code == 3
    ok(cli("deal", "won", str(d1), as_="rep_a2"))


def test_deal_reassign_needs_a_manager_and_a_reason_for_a_non_owner(account, cli, db_url):
    d1 = account["open"][0]
    before = counts(db_url)
    assert_refused(cli("deal", "reassign", str(d1), "--to", "rep_a2", as_="mgr_a"), 2, "--reason")
    assert cli("deal", "reassign", str(d1), "--to", "rep_a2", "--reason", "x", as_="rep_a1").exit_code == 3
    assert cli("deal", "reassign", str(d1), "--to", "rep_b1", "--reason", "x", as_="mgr_a").exit_code == 3  # not mgr_a's
    assert counts(db_url) == before and moves(db_url, d1) == []
    row = ok(cli("deal", "reassign", str(d1), "--to", "rep_a2", "--reason", "甲二负责招标", "--format", "json",
                 as_="mgr_a")).json()
    assert row["owner"] == "rep_a2"
    assert moves(db_url, d1) == [("rep_a1", "rep_a2", "mgr_a", "reassign: 甲二负责招标", None)]


def test_deactivate_refuses_while_owning_then_handover_moves_everything(account, cli, db_url):
    cid = account["cid"]
    other = make_customer(db_url, "东方电子", "rep_a1", grade="A")
    before = counts(db_url)
    refused = cli("staff", "deactivate", "rep_a1", as_="mgr_a")
    assert_refused(refused, 5, "staff handover rep_a1")
    assert counts(db_url) == before
    assert query(db_url, "select active from staff where handle = 'rep_a1'")[0][0] in (1, True)
    # dry run: a summary, nothing written
    dry = ok(cli("staff", "handover", "rep_a1", "--to", "rep_a2", "--dry-run", "--format", "json", as_="mgr_a")).json()
    assert (dry["customers"], dry["deals"], dry["follow_ups"], dry["dry_run"]) == (2, 2, 1, True)
    assert counts(db_url) == before
    # only some grades
    ok(cli("staff", "handover", "rep_a1", "--to", "rep_a2", "--grade", "A", as_="mgr_a"))
    assert query(db_url, "select s.handle from customer c join staff s on s.id = c.owner_id where c.id = :c",
                 c=other) == [("rep_a2",)]
    done = ok(cli("staff", "handover", "rep_a1", "--to", "rep_a2", "--format", "json", as_="mgr_a"))
    assert (done.json()["customers"], done.json()["deals"], done.json()["follow_ups"]) == (1, 2, 1)
    assert "1 customers, 2 open deals, 1 open follow-ups" in done.stderr
    assert query(db_url, "select count(*) from customer c join staff s on s.id = c.owner_id where s.handle = 'rep_a1'") == [(0,)]
    assert [h for _i, s, h in deal_owners(db_url, cid) if s == "open"] == ["rep_a2", "rep_a2"]
    kinds = query(db_url, "select kind from ownership_entry where customer_id = :c order by id", c=cid)
    assert kinds[-1] == ("handover",)
    due = ok(cli("visit", "due", "--days", "7", "--format", "json", as_="rep_a2")).json()
    assert cid in [r["customer_id"] for r in due if r["kind"] == "follow_up"]
    ok(cli("staff", "deactivate", "rep_a1", as_="mgr_a"))
    assert query(db_url, "select active from staff where handle = 'rep_a1'")[0][0] in (0, False)


def test_deactivate_with_handover_to_does_both(account, cli, db_url):
    ok(cli("staff", "deactivate", "rep_a1", "--handover-to", "rep_a2", as_="mgr_a"))
    assert query(db_url, "select count(*) from customer c join staff s on s.id = c.owner_id where s.handle = 'rep_a2'") == [(1,)]
    assert query(db_url, "select active from staff where handle = 'rep_a1'")[0][0] in (0, False)


def test_handover_refuses_another_industry_an_inactive_person_and_outsiders(account, cli, db_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("update customer set industry = 'Retail' where id = :c"), {"c": account["cid"]})
    engine.dispose()
    before = counts(db_url)
    crossed = cli("staff", "handover", "rep_a1", "--to", "rep_a2", as_="mgr_a")  # rep_a2 sells Health
    assert crossed.exit_code == 5 and "Health" in crossed.stderr
    ok(cli("staff", "add", "rep_gone", "--name", "离职者", "--role", "rep", "--manager", "mgr_a", "--region", "East",
           "--industry", "Retail", as_="mgr_a"))
    ok(cli("staff", "deactivate", "rep_gone", as_="mgr_a"))
    before = counts(db_url)
    inactive = cli("staff", "handover", "rep_a1", "--to", "rep_gone", as_="mgr_a")
    assert inactive.exit_code == 5 and "rep_gone" in inactive.stderr
    assert cli("staff", "handover", "rep_a1", "--to", "rep_b1", as_="mgr_b").exit_code == 3  # rep_a1 is not mgr_b's
    assert cli("staff", "handover", "rep_a1", "--to", "rep_a2", "--grade", "E", as_="mgr_a").exit_code == 2
    assert counts(db_url) == before
    assert query(db_url, "select s.handle from customer c join staff s on s.id = c.owner_id where c.id = :c",
                 c=account["cid"]) == [("rep_a1",)]
