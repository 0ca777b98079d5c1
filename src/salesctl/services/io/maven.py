"""`import maven-crm`: the Maven Analytics "CRM + Sales + Opportunities" sample (a B2B hardware company).

What becomes what (every row of every file is counted in the report):

- sales_teams.csv: each manager → a `manager` under the acting user (or `--under`),
  region = the regional office of their agents; each agent → a `rep` under their
  manager, region = regional office, industry `*` (that company does not split reps
  by industry). Handles come from the names: "Anna Snelling" → anna.snelling.
- accounts.csv → customers (incomplete: the file has no contact, title or phone),
  sector as industry ("technolgy" read as "technology"), headquarters as address,
  founding year, revenue, employees and parent company in the background profile.
  The owner and first reporter is the agent with the earliest engage date on the
  account (ties: the row that comes first in sales_pipeline.csv), reported then; an
  account without any deal goes to the pool (no owner). Status `won` when it has a
  won deal, else `following`; grade by the written rule (no expected date → D).
- products.csv: the price list. "GTXPro" in the pipeline is "GTX Pro" (names are
  compared without spaces).
- sales_pipeline.csv → deals owned by the row's agent, titled "<product> · <id>":
  Prospecting → stage 1, Engaging → stage 2, Won → won at stage 4 (won on the close
  date, amount = close_value, and one payment of close_value on the close date),
  Lost → lost at stage 2 on the close date (reason "other"). Open and lost deals
  carry no value in the file (blank, or 0 when lost), so their amount is the
  product's list price (sales_price). Open opportunities without an account are
  kept on one placeholder customer per agent, "[Maven CRM] <agent>: opportunities
  without account", owned by that agent and flagged incomplete, so the pipeline
  still counts them; the report says how many.
- data_dictionary.csv describes the other files: read, not imported.

Refused (exit 5, nothing written) when a handle or an account is already in the
database: importing twice would double the figures.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from salesctl.errors import Conflict, InvalidInput
from salesctl.messages import t
from salesctl.models import Deal, DealStageChange, Payment, ProfileSection
from salesctl.services.io.bulk import allocate_ids, bulk_insert
from salesctl.services.io.checks import CustomerValidator, DuplicateIndex, StaffIndex
from salesctl.services.io.columns import check_folder, find_file, read_records
from salesctl.services.io.imports import write_customers
from salesctl.services.io.imports_other import handle_from_name
from salesctl.services.io.outcomes import ImportReport, Progress, RowError, RowResult
from salesctl.services.io.sheets import DEFAULT_TIME

STAGES = {"prospecting": 1, "engaging": 2, "won": 4, "lost": 2}
SECTOR_FIXES = {"technolgy": "technology"}
LOST_REASON = "other"
FILES = {
    "teams": ("sales_teams.csv", ("sales_agent", "manager", "regional_office")),
    "accounts": ("accounts.csv", ("account", "sector")),
    "products": ("products.csv", ("product", "sales_price")),
    "pipeline": ("sales_pipeline.csv", ("opportunity_id", "sales_agent", "product", "account", "deal_stage",
                                        "engage_date", "close_date", "close_value")),
}


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name or "").casefold()


def placeholder_name(agent: str) -> str:
    return f"[Maven CRM] {agent}: opportunities without account"


@dataclass
class Opportunity:
    row: int
    opportunity_id: str
    agent: str
    product: str
    account: str | None
    stage: str
    engage: date | None
    close: date | None
    value: Decimal | None


def _day(text: str | None, column: str, today: date) -> date | None:
    from salesctl.periods import read_date

    if not text:
        return None
    found = read_date(text, today)
    if found is None:
        raise RowError("date", t("import.reason.bad_date", column=column, value=text))
    return found


def _money(text: str | None, column: str) -> Decimal | None:
    if text in (None, ""):
        return None
    from salesctl.money import parse_money

    try:
        return parse_money(text, column)
    except InvalidInput:
        raise RowError("amount", t("import.reason.amount", column=column, value=text)) from None


def import_maven(ctx, folder: str | Path, *, under: str | None = None, partial: bool = False, dry_run: bool = False,
                 progress: Progress | None = None) -> ImportReport:
    progress = progress or Progress()
    root = check_folder(folder)
    paths = {}
    for key, (name, _required) in FILES.items():
        path = find_file(root, name)
        if path is None:
            raise InvalidInput(t("import.err.crm_missing_file", file=name, path=root))
        paths[key] = path
    teams_sheet, teams = read_records(paths["teams"], FILES["teams"][1])
    _accounts_sheet, accounts = read_records(paths["accounts"], FILES["accounts"][1])
    _products_sheet, products = read_records(paths["products"], FILES["products"][1])
    _pipeline_sheet, pipeline = read_records(paths["pipeline"], FILES["pipeline"][1])
    dictionary = find_file(root, "data_dictionary.csv")
    dictionary_rows = len(read_records(dictionary, ())[1]) if dictionary else 0

    report = ImportReport(kind="maven-crm", source=str(root), dry_run=dry_run, partial=partial, on_duplicate="skip",
                          encoding=teams_sheet.encoding)
    report.total = len(teams) + len(accounts) + len(products) + len(pipeline)

    def reject(file: str, row: int, name: str | None, exc: RowError):
        report.add(RowResult(row, "rejected", name, exc.reason, exc.code, None, file))

    # the price list
    prices: dict[str, tuple[str, Decimal]] = {}
    for number, record in products:
        try:
            if not record.get("product"):
                raise RowError("missing", t("import.reason.missing", fields="product"))
            price = _money(record.get("sales_price"), "sales_price")
            if price is None or price <= 0:
                raise RowError("amount", t("import.reason.amount", column="sales_price", value=record.get("sales_price")))
        except RowError as exc:
            reject("products.csv", number, record.get("product"), exc)
            continue
        prices[_key(record["product"])] = (record["product"], price)
        report.add(RowResult(number, "imported", record["product"]))

    # the teams: agent → (manager, office)
    agents: dict[str, tuple[str, str]] = {}
    for number, record in teams:
        agent, manager, office = record.get("sales_agent"), record.get("manager"), record.get("regional_office")
        try:
            if not agent or not manager or not office:
                raise RowError("missing", t("import.reason.missing", fields="sales_agent, manager, regional_office"))
            if agent in agents:
                raise RowError("duplicate_in_file", t("import.reason.same_as_row", row="?", on="sales_agent"))
            if not handle_from_name(agent) or not handle_from_name(manager):
                raise RowError("handle", t("import.reason.handle_required", column="sales_agent"))
        except RowError as exc:
            reject("sales_teams.csv", number, agent, exc)
            continue
        agents[agent] = (manager, office)
        report.add(RowResult(number, "imported", agent))

    # the accounts
    account_rows: dict[str, tuple[int, dict]] = {}
    for number, record in accounts:
        name = record.get("account")
        if not name:
            reject("accounts.csv", number, None, RowError("missing", t("import.reason.missing", fields="account")))
            continue
        if name in account_rows:
            reject("accounts.csv", number, name, RowError(
                "duplicate_in_file", t("import.reason.same_as_row", row=account_rows[name][0], on="account")))
            continue
        account_rows[name] = (number, record)
        report.add(RowResult(number, "imported", name))

    # the opportunities
    opportunities: list[Opportunity] = []
    progress.phase(t("import.progress.checking"), len(pipeline))
    for number, record in pipeline:
        oid = record.get("opportunity_id") or ""
        try:
            agent = record.get("sales_agent") or ""
            if agent not in agents:
                raise RowError("owner", t("import.reason.maven_agent", value=agent))
            product = prices.get(_key(record.get("product") or ""))
            if product is None:
                raise RowError("product", t("import.reason.maven_product", value=record.get("product")))
            stage = (record.get("deal_stage") or "").strip().lower()
            if stage not in STAGES:
                raise RowError("stage", t("import.reason.maven_stage", value=record.get("deal_stage")))
            account = record.get("account") or None
            if account is not None and account not in account_rows:
                raise RowError("customer", t("import.reason.customer_unknown", column="account", value=account))
            engage = _day(record.get("engage_date"), "engage_date", ctx.today)
            close = _day(record.get("close_date"), "close_date", ctx.today)
            value = _money(record.get("close_value"), "close_value")
            if stage in ("won", "lost"):
                if account is None or engage is None or close is None:
                    raise RowError("missing", t("import.reason.missing", fields="account, engage_date, close_date"))
                if close < engage:
                    raise RowError("date", t("import.reason.close_before", close=close, engage=engage))
                if close > ctx.today:
                    raise RowError("future", t("import.reason.future", column="close_date", value=close))
            if stage == "won" and (value is None or value <= 0):
                raise RowError("amount", t("import.reason.amount", column="close_value", value=record.get("close_value")))
        except RowError as exc:
            reject("sales_pipeline.csv", number, oid, exc)
            continue
        opportunities.append(Opportunity(number, oid, agent, product[0], account, stage, engage, close, value))
        report.add(RowResult(number, "imported", oid))
    progress.advance(len(pipeline))

    # owners: the agent with the earliest engage date on each account (ties: first in the file)
    first_engage: dict[str, tuple[date, int, str]] = {}
    for o in opportunities:
        if o.account and o.engage is not None:
            current = first_engage.get(o.account)
            if current is None or (o.engage, o.row) < (current[0], current[1]):
                first_engage[o.account] = (o.engage, o.row, o.agent)
    for o in opportunities:  # an account with prospecting rows only: its first row's agent, reported at import
        if o.account and o.account not in first_engage:
            first_engage[o.account] = (None, o.row, o.agent)
    no_account = Counter(o.agent for o in opportunities if o.account is None)
    outcome = Counter(("won" if o.stage == "won" else "lost" if o.stage == "lost"
                       else "open_no_account" if o.account is None else "open") for o in opportunities)
    report.files = [
        {"file": "sales_teams.csv", "rows": len(teams),
         "outcomes": {"rep": len(agents), "rejected": len(teams) - len(agents)},
         "also": {"manager": len({m for m, _o in agents.values()})}},
        {"file": "accounts.csv", "rows": len(accounts),
         "outcomes": {"customer": sum(1 for a in account_rows if a in first_engage),
                      "customer_pool": sum(1 for a in account_rows if a not in first_engage),
                      "rejected": len(accounts) - len(account_rows)}},
        {"file": "products.csv", "rows": len(products), "outcomes": {"price_list": len(prices),
                                                                     "rejected": len(products) - len(prices)}},
        {"file": "sales_pipeline.csv", "rows": len(pipeline),
         "outcomes": {"deal_won": outcome["won"], "deal_lost": outcome["lost"], "deal_open": outcome["open"],
                      "deal_open_without_account": outcome["open_no_account"],
                      "rejected": len(pipeline) - len(opportunities)},
         "also": {"payment": outcome["won"], "placeholder_customer": len(no_account)}},
        {"file": "data_dictionary.csv", "rows": dictionary_rows, "outcomes": {"not_data": dictionary_rows}},
    ]
    if no_account:
        report.notes.append(t("import.maven.note.placeholders", count=sum(no_account.values()), agents=len(no_account)))
    report.notes.append(t("import.maven.note.amounts"))

    # what is already in the database: importing twice would double everything
    index = StaffIndex(ctx)
    boss = index.flag(under, "--under") if under else ctx.actor
    managers = sorted({m for m, _o in agents.values()})
    handles = {name: handle_from_name(name) for name in list(agents) + managers}
    taken = sorted(h for h in handles.values() if h in index.by_handle)
    if taken:
        raise Conflict(t("import.err.maven_staff_exist", handles=", ".join(taken[:5]) + (" …" if len(taken) > 5 else "")))
    report.decide()
    if not report.writes:
        return report

    # staff, through `staff add` (its checks and audit)
    from salesctl.services.org.staff import add_staff

    offices: dict[str, Counter] = {}
    for agent, (manager, office) in agents.items():
        offices.setdefault(manager, Counter())[office] += 1
    for manager in managers:
        add_staff(ctx, handles[manager], name=manager, role="manager", manager=boss.handle,
                  region=offices[manager].most_common(1)[0][0])
    for agent, (manager, office) in agents.items():
        add_staff(ctx, handles[agent], name=agent, role="rep", manager=handles[manager], region=office, industry="*")
    index = StaffIndex(ctx)
    staff_id = {name: index.by_handle[handle].id for name, handle in handles.items()}

    # customers, through the rules of `customer add` (incomplete allowed)
    session = ctx.session
    owned = CustomerValidator(ctx, index, owner=None, allow_incomplete=True)
    pool = CustomerValidator(ctx, index, owner=None, allow_incomplete=True, pool=True)
    dupes = DuplicateIndex(session)
    prepared, when = [], {}
    tz = ctx.clock.tz
    won_accounts = {o.account for o in opportunities if o.stage == "won"}
    for name, (number, record) in account_rows.items():
        sector = (record.get("sector") or "").strip()
        sector = SECTOR_FIXES.get(sector.lower(), sector) or None
        first = first_engage.get(name)
        values = {"name": name, "industry": sector, "address": record.get("office_location") or None,
                  "status": "won" if name in won_accounts else "following",
                  "owner": handles[first[2]] if first else None, "region": agents[first[2]][1] if first else None}
        item = (owned if first else pool).check(number, values)
        if dupes.existing(item.name_norm, item.phone_key) or dupes.in_file(item.name_norm, item.phone_key):
            raise Conflict(t("import.err.crm_customer_exists", name=name))
        dupes.add(item.name_norm, item.phone_key, number)
        prepared.append(item)
        if first and first[0] is not None:
            when[number] = datetime.combine(first[0], DEFAULT_TIME, tz)
    placeholders = []
    for i, agent in enumerate(sorted(no_account)):
        item = owned.check(-(i + 1), {"name": placeholder_name(agent), "owner": handles[agent],
                                      "region": agents[agent][1]})
        if dupes.existing(item.name_norm, None):
            raise Conflict(t("import.err.crm_customer_exists", name=item.name))
        placeholders.append(item)
    ids = write_customers(ctx, prepared + placeholders, progress=progress, note="import maven-crm", reported_at=when)
    customer_id = {item.name: cid for item, cid in zip(prepared + placeholders, ids)}
    now = ctx.now
    profiles = []
    for item in prepared:
        record = account_rows[item.name][1]
        facts = [t("import.maven.profile", year=record.get("year_established") or "?",
                   revenue=record.get("revenue") or "?", employees=record.get("employees") or "?",
                   hq=record.get("office_location") or "?")]
        if record.get("subsidiary_of"):
            facts.append(t("import.maven.subsidiary", parent=record["subsidiary_of"]))
        profiles.append({"customer_id": customer_id[item.name], "section": "background", "text": " ".join(facts),
                         "updated_by_id": ctx.actor.id, "updated_at": now})
    bulk_insert(session, ProfileSection.__table__, profiles)

    # deals, their stage history and the payments of won deals
    deal_ids = allocate_ids(session, Deal.__table__, len(opportunities))
    deals, moves, payments = [], [], []
    actor_id = ctx.actor.id

    def at(day: date | None) -> datetime:
        return datetime.combine(day, DEFAULT_TIME, tz) if day else now

    for deal_id, o in zip(deal_ids, opportunities):
        owner_id = staff_id[o.agent]
        cid = customer_id[o.account] if o.account else customer_id[placeholder_name(o.agent)]
        list_price = prices[_key(o.product)][1]
        stage = STAGES[o.stage]
        status = {"won": "won", "lost": "lost"}.get(o.stage, "open")
        amount = o.value if o.stage == "won" else list_price
        created = at(o.engage)
        deals.append({"id": deal_id, "customer_id": cid, "owner_id": owner_id, "title": f"{o.product} · {o.opportunity_id}",
                      "product": o.product, "amount": amount, "stage": stage, "status": status, "expected_close": None,
                      "won_on": o.close if status == "won" else None, "lost_on": o.close if status == "lost" else None,
                      "lost_reason": LOST_REASON if status == "lost" else None, "created_by_id": actor_id,
                      "created_at": created, "updated_at": at(o.close) if o.close else created})
        first_stage = 1 if o.stage == "prospecting" else 2
        moves.append({"deal_id": deal_id, "from_stage": None, "to_stage": first_stage, "by_id": actor_id, "at": created,
                      "note": t("import.note.deal", source=f"maven-crm {o.opportunity_id}")})
        if status == "won":
            moves.append({"deal_id": deal_id, "from_stage": 2, "to_stage": 4, "by_id": actor_id, "at": at(o.close),
                          "note": f"won: contract {o.close.isoformat()}"})
            payments.append({"deal_id": deal_id, "amount": o.value, "paid_on": o.close,
                             "note": f"Maven CRM close_value {o.opportunity_id}", "created_by_id": actor_id,
                             "created_at": at(o.close)})
        elif status == "lost":
            moves.append({"deal_id": deal_id, "from_stage": 2, "to_stage": 2, "by_id": actor_id, "at": at(o.close),
                          "note": f"lost: {LOST_REASON}"})
    progress.phase(t("import.progress.writing"), len(deals) + len(moves) + len(payments))
    bulk_insert(session, Deal.__table__, deals, progress=progress)
    bulk_insert(session, DealStageChange.__table__, moves, progress=progress)
    bulk_insert(session, Payment.__table__, payments, progress=progress)
    report.created = {"staff": len(handles), "customer": len(ids), "placeholder_customer": len(placeholders),
                      "profile_section": len(profiles), "deal": len(deals), "deal_stage_change": len(moves),
                      "payment": len(payments)}
    report.written = True
    ctx.audit("import.maven_crm", "import", None, None,
              {"kind": "maven-crm", "folder": str(root), "rows": report.total, "created": report.created,
               "files": report.files, "rejected": report.counts["rejected"], "partial": partial})
    return report
