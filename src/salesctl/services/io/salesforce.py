"""`import salesforce`: a standard Salesforce data export (Account, Contact, Opportunity, Task, Lead CSVs).

Salesforce field names are read as exported (headers start with a UTF-8 BOM; address
fields hold JSON inside quoted fields). Salesforce user ids do not map to staff, so
everything imported is owned by `--owner` (checked as `customer add --owner`).

- Account → customer: Name, Industry, BillingState as region, the billing address,
  Website; Type "Customer…" → status won, else following. Its first contact (in file
  order) becomes the primary contact, else the account's Phone is kept as the
  contact phone; incomplete allowed (flagged). Two accounts with the same name are
  one customer (the second is merged into the first).
- Contact (with an AccountId) → a contact of that customer: FirstName LastName,
  Title, Phone (else MobilePhone), Email. Contacts without an account (person
  records) have no customer to belong to: counted, not imported.
- Opportunity → deal of the account's customer: Name, Amount, Product__c, StageName
  (Prospecting/Qualification → 1, Needs Analysis/Value Proposition/Id. Decision
  Makers/Perception Analysis/Discovery → 2, Proposal/Price Quote/Negotiation/Review →
  3; IsClosed+IsWon → won at stage 4 on CloseDate; IsClosed without IsWon → lost on
  CloseDate, reason "other"); open deals take CloseDate as the expected close.
- Task → visit (WhatId or AccountId naming an account, else WhoId's contact's
  account): Subject as content, Description (else the task status) as result,
  Type (or Type__c / TaskSubtype) Call → call, Email → email, Meeting → visit,
  anything else → event; ActivityDate at 09:00. Tasks dated in the future are
  planned work, not contacts: counted, not imported.
- Lead → a lead (pool customer found by the acting user): Company, or the person's
  name when Company holds an account id (B2C exports); converted leads and leads
  already in the archive are counted, not imported.

Phone numbers without a country code are read with the record's country (US → +1).
A phone that still does not validate is left out (counted as phone_dropped).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from salesctl.errors import Conflict, InvalidInput, PermissionDenied
from salesctl.messages import t
from salesctl.models import Contact, Deal, DealStageChange, Lead, Visit
from salesctl.services.io.bulk import allocate_ids, bulk_insert
from salesctl.services.io.checks import CustomerValidator, DuplicateIndex, StaffIndex, default_owner
from salesctl.services.io.columns import check_folder, find_file, read_records
from salesctl.services.io.imports import write_customers
from salesctl.services.io.outcomes import ImportReport, Progress, RowError, RowResult
from salesctl.services.io.sheets import DEFAULT_TIME

STAGE_MAP = {
    "prospecting": 1, "qualification": 1,
    "needs analysis": 2, "value proposition": 2, "id. decision makers": 2, "perception analysis": 2, "discovery": 2,
    "proposal/price quote": 3, "proposal/quote": 3, "proposal": 3, "negotiation/review": 3, "negotiation": 3,
}
TASK_KINDS = {"call": "call", "email": "email", "meeting": "visit", "visit": "visit", "event": "event"}
# country names Salesforce exports spell out → ISO region (two-letter codes are taken as they are);
# the calling codes and number plans come from the phone library
COUNTRY_REGIONS = {"usa": "US", "united states": "US", "united states of america": "US", "canada": "CA",
                   "china": "CN", "中国": "CN", "united kingdom": "GB", "uk": "GB", "hong kong": "HK", "香港": "HK",
                   "taiwan": "TW", "台湾": "TW", "macau": "MO", "macao": "MO", "澳门": "MO", "singapore": "SG",
                   "japan": "JP", "germany": "DE", "france": "FR", "australia": "AU"}
SF_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
TRUE = ("1", "true", "yes")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE


def region_of(country: str | None) -> str | None:
    """The ISO region of a record's country (US, United States, 中国…), for the phone library; None if unknown."""
    import phonenumbers

    value = (country or "").strip()
    if len(value) == 2 and value.upper() in phonenumbers.SUPPORTED_REGIONS:
        return value.upper()
    return COUNTRY_REGIONS.get(value.lower())


def phone_in_country(raw: str | None, country: str | None) -> str | None:
    """The phone normalised, read in the record's country when it has no +code; None if invalid."""
    from salesctl.services.customers.normalize import normalize_phone

    if not raw:
        return None
    try:
        return normalize_phone(raw, "phone", region_of(country))
    except InvalidInput:
        return None


def _email(raw: str | None) -> str | None:
    from salesctl.services.customers.customers import validate_email

    try:
        return validate_email(raw)
    except InvalidInput:
        return None


def _day(raw: str | None, today: date) -> date | None:
    """The date part of a Salesforce date or datetime (2026-11-30, 2026-11-30T10:00:00.000+0000)."""
    from salesctl.periods import read_date

    if not raw:
        return None
    return read_date(raw.strip()[:10], today)


def _person(record: dict) -> str | None:
    name = " ".join(x for x in (record.get("FirstName"), record.get("LastName")) if x)
    return name or record.get("Name") or None


def _address(record: dict, prefix: str) -> str | None:
    parts = [record.get(f"{prefix}Street"), record.get(f"{prefix}City"),
             " ".join(x for x in (record.get(f"{prefix}State"), record.get(f"{prefix}PostalCode")) if x),
             record.get(f"{prefix}Country")]
    text = ", ".join(p for p in parts if p)
    return text or None


def import_salesforce(ctx, folder: str | Path, *, owner: str, partial: bool = False, dry_run: bool = False,
                      progress: Progress | None = None) -> ImportReport:
    from salesctl.money import parse_money
    from salesctl.services.sales.leads import ADDER_ROLES

    progress = progress or Progress()
    if not owner:
        raise InvalidInput(t("import.err.sf_owner"))
    root = check_folder(folder)
    account_path = find_file(root, "Account.csv", "Accounts.csv")
    if account_path is None:
        raise InvalidInput(t("import.err.crm_missing_file", file="Account.csv", path=root))
    paths = {"Account": account_path,
             "Contact": find_file(root, "Contact.csv", "Contacts.csv"),
             "Opportunity": find_file(root, "Opportunity.csv", "Opportunities.csv"),
             "Task": find_file(root, "Task.csv", "Tasks.csv"),
             "Lead": find_file(root, "Lead.csv", "Leads.csv")}
    required = {"Account": ("Id", "Name"), "Contact": ("Id", "AccountId"), "Opportunity": ("Id", "AccountId", "Name", "StageName"),
                "Task": ("Id", "Subject"), "Lead": ("Id", "LastName")}
    data: dict[str, list[tuple[int, dict]]] = {}
    encoding = None
    for key, path in paths.items():
        if path is None:
            data[key] = []
            continue
        sheet, records = read_records(path, required[key])
        encoding = encoding or sheet.encoding
        data[key] = records
    used = {p.name.lower() for p in paths.values() if p is not None}
    others = sorted(p.name for p in root.iterdir() if p.is_file() and p.suffix.lower() == ".csv" and p.name.lower() not in used)

    session = ctx.session
    report = ImportReport(kind="salesforce", source=str(root), dry_run=dry_run, partial=partial, on_duplicate="skip",
                          encoding=encoding)
    report.total = sum(len(v) for v in data.values())
    index = StaffIndex(ctx)
    owner_staff = default_owner(ctx, index, owner, has_column=False)
    if data["Lead"] and ctx.actor.role not in ADDER_ROLES:
        raise PermissionDenied(t("err.denied", what=t("lead.what.add")), hint=t("import.hint.sf_leads"))
    validator = CustomerValidator(ctx, index, owner=owner_staff, allow_incomplete=True)
    pool = CustomerValidator(ctx, index, owner=None, allow_incomplete=True, pool=True)
    dupes = DuplicateIndex(session)
    files = {key: Counter() for key in data}

    def reject(key: str, row: int, name: str | None, exc: RowError):
        files[key]["rejected"] += 1
        report.add(RowResult(row, "rejected", name, exc.reason, exc.code, None, paths[key].name))

    def done(key: str, row: int, name: str | None, outcome: str, status: str = "imported", reason: str | None = None):
        files[key][outcome] += 1
        report.add(RowResult(row, status, name, reason, outcome if status != "imported" else None, None,
                             paths[key].name))

    # contacts by account, in file order (the first is the primary)
    contacts_of: dict[str, list[tuple[int, dict]]] = {}
    contact_account: dict[str, str] = {}
    account_ids = {r.get("Id") for _n, r in data["Account"] if not _flag(r.get("IsDeleted"))}
    for number, record in data["Contact"]:
        if _flag(record.get("IsDeleted")):
            done("Contact", number, _person(record), "deleted", "skipped", t("import.reason.sf_deleted"))
            continue
        account = record.get("AccountId")
        if not account or account not in account_ids:
            done("Contact", number, _person(record), "no_account", "skipped", t("import.reason.sf_no_account"))
            continue
        contacts_of.setdefault(account, []).append((number, record))
        contact_account[record["Id"]] = account

    # accounts → customers
    prepared, customer_of_account = [], {}
    by_name: dict[str, str] = {}  # name_norm → first account id
    progress.phase(t("import.progress.checking"), report.total)
    for number, record in data["Account"]:
        name = record.get("Name")
        if _flag(record.get("IsDeleted")):
            done("Account", number, name, "deleted", "skipped", t("import.reason.sf_deleted"))
            continue
        country = record.get("BillingCountry")
        first = contacts_of.get(record["Id"], [None])[0]
        contact = first[1] if first else {}
        phone = phone_in_country(contact.get("Phone") or contact.get("MobilePhone"), contact.get("MailingCountry") or country)
        raw_phone = contact.get("Phone") or contact.get("MobilePhone") or record.get("Phone")
        if phone is None:
            phone = phone_in_country(record.get("Phone"), country)
        values = {"name": name, "industry": record.get("Industry"), "region": record.get("BillingState"),
                  "address": _address(record, "Billing"), "website": record.get("Website"),
                  "status": "won" if (record.get("Type") or "").lower().startswith("customer") else "following",
                  "contact": _person(contact) if contact else None, "title": contact.get("Title"), "phone": phone}
        try:
            item = validator.check(number, values)
        except RowError as exc:
            if exc.code == "website":
                values["website"] = None
                item = validator.check(number, values)
            else:
                reject("Account", number, name, exc)
                continue
        if raw_phone and not phone:
            files["Account"]["phone_dropped"] += 1
        if item.contact is not None:
            item.contact["email"] = _email(contact.get("Email"))
        twin = by_name.get(item.name_norm)
        if twin is not None:
            customer_of_account[record["Id"]] = twin
            done("Account", number, name, "merged", "duplicate", t("import.reason.sf_merged", name=name))
            continue
        hit = dupes.existing(item.name_norm, item.phone_key)
        if hit is not None:
            raise Conflict(t("import.err.crm_customer_exists", name=name))
        dupes.add(item.name_norm, item.phone_key, number)
        by_name[item.name_norm] = record["Id"]
        customer_of_account[record["Id"]] = record["Id"]
        prepared.append((record["Id"], item))
        done("Account", number, name, "customer")

    for account, rows in contacts_of.items():
        for number, record in rows:
            if account in customer_of_account:
                done("Contact", number, _person(record), "contact")
            else:
                done("Contact", number, _person(record), "account_rejected", "skipped",
                     t("import.reason.sf_account_rejected"))

    # leads → pool customers
    lead_items = []
    for number, record in data["Lead"]:
        person = _person(record)
        if _flag(record.get("IsDeleted")):
            done("Lead", number, person, "deleted", "skipped", t("import.reason.sf_deleted"))
            continue
        if _flag(record.get("IsConverted")):
            done("Lead", number, person, "converted", "skipped", t("import.reason.sf_converted"))
            continue
        company = record.get("Company")
        name = person if (not company or SF_ID.match(company) and any(ch.isdigit() for ch in company)) else company
        values = {"name": name, "contact": person, "title": record.get("Title"),
                  "phone": phone_in_country(record.get("Phone") or record.get("MobilePhone"), record.get("Country")),
                  "status": "following", "industry": record.get("Industry"), "region": record.get("State"),
                  "address": _address(record, ""), "website": record.get("Website"), "email": None}
        try:
            item = pool.check(number, values)
        except RowError as exc:
            if exc.code != "website":
                reject("Lead", number, name, exc)
                continue
            values["website"] = None
            item = pool.check(number, values)
        if item.contact is not None:
            item.contact["email"] = _email(record.get("Email"))
        hit = dupes.existing(item.name_norm, item.phone_key) or dupes.in_file(item.name_norm, item.phone_key)
        if hit is not None:
            done("Lead", number, name, "duplicate", "duplicate", t("import.reason.sf_lead_duplicate"))
            continue
        dupes.add(item.name_norm, item.phone_key, -number)
        source = "; ".join(x for x in ("Salesforce lead", record.get("LeadSource"), record.get("Status")) if x)
        lead_items.append((item, source))
        done("Lead", number, name, "lead")

    # opportunities → deals
    today = ctx.today
    deals = []
    seen_titles: set[tuple[str, str]] = set()
    for number, record in data["Opportunity"]:
        title = record.get("Name")
        if _flag(record.get("IsDeleted")):
            done("Opportunity", number, title, "deleted", "skipped", t("import.reason.sf_deleted"))
            continue
        try:
            account = customer_of_account.get(record.get("AccountId") or "")
            if account is None:
                raise RowError("customer", t("import.reason.customer_unknown", column="AccountId",
                                             value=record.get("AccountId")))
            if not title:
                raise RowError("missing", t("import.reason.missing", fields="Name"))
            try:
                amount = parse_money(record.get("Amount") or "0", "Amount")
            except InvalidInput as exc:
                raise RowError("amount", exc.message.lstrip("-")) from None
            if amount <= 0:
                raise RowError("amount", t("import.reason.amount", column="Amount", value=record.get("Amount")))
            close = _day(record.get("CloseDate"), today)
            stage_name = (record.get("StageName") or "").strip()
            closed = _flag(record.get("IsClosed")) or stage_name.lower().startswith("closed")
            won = _flag(record.get("IsWon")) or stage_name.lower() == "closed won"
            if closed:
                status, stage = ("won", 4) if won else ("lost", 1)
                if close is None:
                    raise RowError("missing", t("import.reason.missing", fields="CloseDate"))
                if close > today:
                    raise RowError("future", t("import.reason.future", column="CloseDate", value=close))
            else:
                status = "open"
                stage = STAGE_MAP.get(stage_name.lower())
                if stage is None:
                    raise RowError("stage", t("import.reason.sf_stage", value=stage_name,
                                              accepted=", ".join(sorted(STAGE_MAP))))
        except RowError as exc:
            reject("Opportunity", number, title, exc)
            continue
        key = (account, title.strip().lower())
        if key in seen_titles:
            done("Opportunity", number, title, "duplicate", "duplicate",
                 t("import.reason.same_as_row", row="?", on="AccountId, Name"))
            continue
        seen_titles.add(key)
        deals.append({"account": account, "title": title, "product": record.get("Product__c") or None,
                      "amount": amount, "stage": stage, "status": status, "close": close, "id": record["Id"]})
        done("Opportunity", number, title, f"deal_{status}")

    # tasks → visits
    visits = []
    for number, record in data["Task"]:
        subject = record.get("Subject")
        if _flag(record.get("IsDeleted")):
            done("Task", number, subject, "deleted", "skipped", t("import.reason.sf_deleted"))
            continue
        what = record.get("WhatId") or ""
        account = customer_of_account.get(what) or customer_of_account.get(record.get("AccountId") or "")
        who = record.get("WhoId") or ""
        if account is None and who in contact_account:
            account = customer_of_account.get(contact_account[who])
        if account is None:
            done("Task", number, subject, "no_account", "skipped", t("import.reason.sf_task_no_account"))
            continue
        day = _day(record.get("ActivityDate"), today) or _day(record.get("CreatedDate"), today)
        if not subject or day is None:
            reject("Task", number, subject, RowError("missing", t("import.reason.missing", fields="Subject, ActivityDate")))
            continue
        if day > today:
            done("Task", number, subject, "planned", "skipped", t("import.reason.sf_planned", day=day))
            continue
        kind_text = (record.get("Type") or record.get("Type__c") or record.get("TaskSubtype") or "").strip().lower()
        visits.append({"account": account, "who": who if who in contact_account else None, "subject": subject,
                       "result": record.get("Description") or f"Salesforce task: {record.get('Status') or '-'}",
                       "kind": TASK_KINDS.get(kind_text, "event"), "day": day})
        done("Task", number, subject, "visit")
    progress.advance(report.total)

    report.files = []
    for key in data:
        if paths[key] is None:
            continue
        outcomes = dict(files[key])
        dropped = outcomes.pop("phone_dropped", 0)  # a row with its phone left out is still one customer
        report.files.append({"file": paths[key].name, "rows": len(data[key]), "outcomes": outcomes,
                             **({"also": {"phone_dropped": dropped}} if dropped else {})})
    if others:
        report.notes.append(t("import.sf.note.other_files", files=", ".join(others)))
    report.decide()
    if not report.writes:
        return report

    # writes: customers (accounts, then leads), extra contacts, deals, visits, leads
    everything = [item for _a, item in prepared] + [item for item, _s in lead_items]
    ids = write_customers(ctx, everything, progress=progress, note="import salesforce")
    customer_id = {account: cid for (account, _item), cid in zip(prepared, ids)}
    now, actor_id = ctx.now, ctx.actor.id
    primary_contacts = dict(session.execute(select(Contact.customer_id, Contact.id)
                                            .where(Contact.customer_id.in_(list(customer_id.values()) or [0]))).all())
    extra, contact_by_sf = [], {}
    for account, rows in contacts_of.items():
        target = customer_of_account.get(account)
        if target is None:
            continue
        cid = customer_id[target]
        for position, (number, record) in enumerate(rows):
            if account == target and position == 0 and cid in primary_contacts:
                contact_by_sf[record["Id"]] = primary_contacts[cid]
                continue
            phone = phone_in_country(record.get("Phone") or record.get("MobilePhone"), record.get("MailingCountry"))
            extra.append((record["Id"], {"customer_id": cid, "name": _person(record) or "", "title": record.get("Title"),
                                         "phone": phone, "phone_norm": _key(phone), "email": _email(record.get("Email")),
                                         "decision_maker": False, "is_primary": False, "note": "Salesforce contact",
                                         "created_at": now, "updated_at": now}))
    for new_id, (sf_id, row) in zip(allocate_ids(session, Contact.__table__, len(extra)), extra):
        row["id"] = new_id
        contact_by_sf[sf_id] = new_id
    bulk_insert(session, Contact.__table__, [row for _s, row in extra])

    deal_rows, moves = [], []
    for new_id, d in zip(allocate_ids(session, Deal.__table__, len(deals)), deals):
        status = d["status"]
        deal_rows.append({"id": new_id, "customer_id": customer_id[d["account"]], "owner_id": owner_staff.id,
                          "title": d["title"], "product": d["product"], "amount": d["amount"], "stage": d["stage"],
                          "status": status, "expected_close": d["close"] if status == "open" else None,
                          "won_on": d["close"] if status == "won" else None,
                          "lost_on": d["close"] if status == "lost" else None,
                          "lost_reason": "other" if status == "lost" else None, "created_by_id": actor_id,
                          "created_at": now, "updated_at": now})
        note = t("import.note.deal", source=f"salesforce {d['id']}")
        if status == "won":
            note += f"; won: contract {d['close'].isoformat()}"
        elif status == "lost":
            note += "; lost: other"
        moves.append({"deal_id": new_id, "from_stage": None, "to_stage": d["stage"], "by_id": actor_id, "at": now,
                      "note": note})
    bulk_insert(session, Deal.__table__, deal_rows)
    bulk_insert(session, DealStageChange.__table__, moves)

    tz = ctx.clock.tz
    visit_rows, latest = [], {}
    for v in visits:
        cid = customer_id[v["account"]]
        at = datetime.combine(v["day"], DEFAULT_TIME, tz)
        visit_rows.append({"customer_id": cid, "contact_id": contact_by_sf.get(v["who"]) if v["who"] else None,
                           "rep_id": owner_staff.id, "at": at, "kind": v["kind"], "content": v["subject"],
                           "result": v["result"], "problems": None, "next_step": None, "follow_up": None,
                           "follow_up_done": False, "created_by_id": actor_id, "created_at": now})
        latest[cid] = max(latest.get(cid, at), at)
    bulk_insert(session, Visit.__table__, visit_rows)
    if latest:
        from sqlalchemy import bindparam, update

        from salesctl.models import Customer

        table = Customer.__table__
        session.connection().execute(update(table).where(table.c.id == bindparam("cid"))
                                     .values(last_contact_at=bindparam("last")),
                                     [{"cid": cid, "last": at} for cid, at in latest.items()])
    lead_rows = [{"customer_id": cid, "found_by_id": actor_id, "source": source, "status": "open",
                  "assigned_to_id": None, "assigned_by_id": None, "assigned_at": None, "created_at": now}
                 for cid, (_item, source) in zip(ids[len(prepared):], lead_items)]
    bulk_insert(session, Lead.__table__, lead_rows)
    report.created = {"customer": len(prepared), "lead_customer": len(lead_items), "lead": len(lead_rows),
                      "contact": len(extra) + len(primary_contacts), "deal": len(deal_rows), "visit": len(visit_rows)}
    report.written = True
    ctx.audit("import.salesforce", "import", None, None,
              {"kind": "salesforce", "folder": str(root), "owner": owner_staff.handle, "rows": report.total,
               "created": report.created, "files": report.files, "rejected": report.counts["rejected"],
               "partial": partial})
    return report


def _key(phone: str | None) -> str | None:
    from salesctl.services.customers.normalize import phone_key

    return phone_key(phone)
