"""Attachments on customers, visits, deals, contracts and complaints, stored encrypted (AES-256-GCM).

Content lives inside the database (table `attachment_blob`), so a failed command
writes nothing and a backup carries its files. Each distinct content is stored
once: the dedup key is HMAC-SHA256 of the bytes under the attachment key (a plain
SHA-256 would let anyone holding the file test it for a known document).

The attachment key (32 bytes) of a database, in this order:
1. SALESCTL_ATTACHMENT_KEY (like SALESCTL_DB_KEY: only in the environment, never
   stored): a passphrase of 16+ characters stretched with HKDF-SHA256 over the
   database's key id;
2. SQLite: a random key in a file of the salesctl data folder,
   `keys/attachments-<key id>.key` (0600, folder 0700), made on the first `attach
   add`: copying the database file alone does not give its attachments away;
3. PostgreSQL (the team server): a random key kept in `attachment_key.stored_key`,
   which only the server's privileges and row-level security protect.
The table holds a check value, so a wrong key fails in one clear line.

An attachment has the permission scope of the record it hangs on; every `get`
is audited; `remove` hides it (kept for the audit; managers may still get it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from salesctl.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from salesctl.inputs import is_id
from salesctl.messages import t
from salesctl.models import MANAGER_ROLES, Attachment, AttachmentBlob, AttachmentKey, Customer, Staff
from salesctl.services.context import Ctx

ENTITIES = ("customer", "visit", "deal", "contract", "complaint")
KEY_ENV = "SALESCTL_ATTACHMENT_KEY"
_CHECK = b"salesctl attachment key check v1"
_INFO = b"salesctl attachments v1"
EXECUTABLE_TYPES = {
    "application/x-executable", "application/x-msdownload", "application/x-mach-binary",
    "application/vnd.microsoft.portable-executable", "application/x-dosexec", "application/x-elf",
    "application/x-sharedlib", "application/x-dex", "application/java-archive", "application/x-msi",
}
# what filetype 1.2 does not know, checked on the first bytes
EXECUTABLE_SIGNATURES = (
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xfe\xed\xfa\xce", "application/x-mach-binary"), (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"), (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (b"#!", "text/x-script"),
)


# --------------------------------------------------------------------------- the key
def _hkdf(secret: bytes, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(secret)


def _check_value(key: bytes) -> str:
    return hmac.new(key, _CHECK, hashlib.sha256).hexdigest()


def key_file(key_id: str) -> Path:
    from salesctl.config import data_dir

    return data_dir() / "keys" / f"attachments-{key_id}.key"


def _is_sqlite(ctx: Ctx) -> bool:
    return ctx.session.get_bind().dialect.name == "sqlite"


def _env_key(key_id: str) -> bytes | None:
    secret = os.environ.get(KEY_ENV)
    if not secret:
        return None
    if len(secret) < 16:
        raise InvalidInput(t("attach.err.key_short", env=KEY_ENV))
    return _hkdf(secret.encode("utf-8"), key_id.encode("ascii"))


def _write_key_file(path: Path, key: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(key).decode("ascii") + "\n")


def _read_key_file(path: Path) -> bytes:
    try:
        raw = path.read_text(encoding="ascii").strip()
        key = base64.b64decode(raw, validate=True)
    except FileNotFoundError:
        raise InvalidInput(t("attach.err.no_key_file", path=path, env=KEY_ENV)) from None
    except (OSError, ValueError):
        raise InvalidInput(t("attach.err.bad_key_file", path=path)) from None
    if len(key) != 32:
        raise InvalidInput(t("attach.err.bad_key_file", path=path))
    return key


def database_key(ctx: Ctx, *, create: bool = False) -> tuple[str, bytes]:
    """(key id, key) of this database's attachments; made on first use when `create`."""
    row = ctx.session.exec(select(AttachmentKey).order_by(AttachmentKey.id)).first()
    if row is None:
        if not create:
            raise InvalidInput(t("attach.err.no_key"))
        import secrets
        import uuid

        key_id = uuid.uuid4().hex
        key = _env_key(key_id)
        stored = None
        if key is None:
            key = secrets.token_bytes(32)
            if _is_sqlite(ctx):
                _write_key_file(key_file(key_id), key)
            else:
                stored = key
        row = AttachmentKey(key_id=key_id, check_value=_check_value(key), stored_key=stored, created_at=ctx.now)
        ctx.session.add(row)
        ctx.session.flush()
        ctx.audit("attachment.key_created", "attachment_key", row.id, None,
                  {"key_id": key_id, "kept": "environment" if os.environ.get(KEY_ENV) else
                   ("database" if stored else "key file")})
        return key_id, key
    key = _env_key(row.key_id)
    if key is None:
        key = bytes(row.stored_key) if row.stored_key else _read_key_file(key_file(row.key_id))
    if not hmac.compare_digest(_check_value(key), row.check_value):
        raise InvalidInput(t("attach.err.wrong_key", env=KEY_ENV))
    return row.key_id, key


def _aad(digest: str, key_id: str) -> bytes:
    return f"salesctl-attachment:{key_id}:{digest}".encode("ascii")


def encrypt(key: bytes, key_id: str, digest: str, data: bytes) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return nonce, AESGCM(key).encrypt(nonce, data, _aad(digest, key_id))


def decrypt(key: bytes, blob: AttachmentBlob) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(bytes(blob.nonce), bytes(blob.ciphertext), _aad(blob.digest, blob.key_id))
    except InvalidTag:
        raise InvalidInput(t("attach.err.tampered", id=blob.id)) from None


# --------------------------------------------------------------------------- content checks
def policy_limits() -> dict:
    from salesctl.policy import section

    policy = section("attachments")
    max_mb = policy.get("max_size_mb", 20)
    try:
        max_bytes = int(float(max_mb) * 1024 * 1024)
    except (TypeError, ValueError):
        raise InvalidInput(t("attach.err.bad_policy", key="attachments.max_size_mb", value=max_mb)) from None
    forbidden_ext = tuple(str(e).lower().lstrip(".") for e in policy.get("forbidden_extensions", []))
    return {"max_bytes": max_bytes, "max_mb": max_mb, "forbidden_extensions": forbidden_ext}


def detect_type(data: bytes) -> str:
    """The content type from the bytes (filetype's signatures, then ours), never from the name."""
    import filetype

    head = data[:8192]
    for magic, mime in EXECUTABLE_SIGNATURES:
        if head.startswith(magic):
            return mime
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    try:
        head.decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        # a multi-byte character cut at the 8 KiB boundary is still text
        try:
            head[:-3].decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            return "application/octet-stream"


def _check_content(name: str, data: bytes, limits: dict) -> str:
    mime = detect_type(data)
    if mime in EXECUTABLE_TYPES or mime == "text/x-script":
        raise InvalidInput(t("attach.err.executable", file=name, type=mime))
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix and suffix in limits["forbidden_extensions"]:
        raise InvalidInput(t("attach.err.forbidden_ext", file=name, ext=suffix,
                             accepted=", ".join(limits["forbidden_extensions"])))
    return mime


# --------------------------------------------------------------------------- the records they hang on
def parse_entity(text: str) -> str:
    value = (text or "").strip().lower()
    if value in ENTITIES:
        return value
    raise InvalidInput(t("attach.err.bad_entity", value=text, accepted=", ".join(ENTITIES)))


def _int_id(ref, entity: str) -> int:
    value = str(ref).strip().lstrip("#")
    if not is_id(value):
        raise InvalidInput(t("attach.err.bad_id", entity=entity, value=ref))
    return int(value)


def _deny_if_hidden(ctx: Ctx, entity: str, number: int) -> None:
    """The team server: a record that exists out of the login's reach is refused, as on SQLite (exit 3)."""
    from salesctl.rls import deny_if_hidden

    deny_if_hidden(ctx.session, entity, number, t("attach.what.record", entity=entity, id=number))


def _customer_name(ctx: Ctx, customer_id: int) -> str | None:
    """The name of the record's customer; None when the team server hides it (a visit of a customer since moved)."""
    customer = ctx.session.get(Customer, customer_id)
    return customer.name if customer is not None else None


def check_record(ctx: Ctx, entity: str, ref, *, write: bool) -> tuple[int, str]:
    """The record's id and its customer's name, after the same scope check as the record itself."""
    from salesctl.models import Complaint, Deal, Visit
    from salesctl.permissions import require_act_for, require_change_customer, require_see_customer, require_see_staff

    if entity == "customer":
        from salesctl.services.customers.lookup import find_customer

        customer = find_customer(ctx, str(ref))
        (require_change_customer if write else require_see_customer)(ctx, customer)
        return customer.id, customer.name
    if entity == "deal":
        from salesctl.services.sales.deals import deal_for_reading, deal_for_writing

        deal = deal_for_writing(ctx, ref, "attach.denied.write") if write else deal_for_reading(ctx, ref)
        return deal.id, _customer_name(ctx, deal.customer_id)
    if entity == "contract":
        from salesctl.services.sales.contracts import get_contract
        from salesctl.services.sales.deals import deal_for_reading, deal_for_writing

        contract = get_contract(ctx, ref)
        deal = (deal_for_writing(ctx, contract.deal_id, "attach.denied.write") if write
                else deal_for_reading(ctx, contract.deal_id))
        return contract.id, _customer_name(ctx, deal.customer_id)
    if entity == "visit":
        number = _int_id(ref, entity)
        visit = ctx.session.get(Visit, number)
        if visit is None:
            _deny_if_hidden(ctx, entity, number)
            raise NotFound(t("attach.err.record_not_found", entity=entity, id=number))
        rep = ctx.session.get(Staff, visit.rep_id)
        what = t("attach.what.record", entity=entity, id=number)
        require_see_staff(ctx, rep, what=what)
        if write:
            require_act_for(ctx, rep, what)
        return visit.id, _customer_name(ctx, visit.customer_id)
    # complaint: whoever may see the complaint
    from salesctl.permissions import may_see_complaint

    number = _int_id(ref, entity)
    complaint = ctx.session.get(Complaint, number)
    if complaint is None:
        _deny_if_hidden(ctx, entity, number)
        raise NotFound(t("attach.err.record_not_found", entity=entity, id=number))
    customer = ctx.session.get(Customer, complaint.customer_id)
    owner = ctx.session.get(Staff, customer.owner_id) if customer is not None and customer.owner_id else None
    if not may_see_complaint(ctx, complaint, owner):
        raise PermissionDenied(t("err.denied", what=t("attach.what.record", entity=entity, id=number)))
    return complaint.id, customer.name if customer is not None else None


def _sees_removed(ctx: Ctx) -> bool:
    return ctx.actor.role in MANAGER_ROLES + ("director", "gm")


# --------------------------------------------------------------------------- commands
@dataclass
class Added:
    row: dict
    deduplicated: bool


def add_attachment(ctx: Ctx, entity: str, ref, path: str, *, note: str | None = None) -> Added:
    entity = parse_entity(entity)
    limits = policy_limits()
    file = Path(path).expanduser()
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise InvalidInput(t("attach.err.not_file", path=path))
        if size > limits["max_bytes"]:
            raise InvalidInput(t("attach.err.too_big", file=file.name, size=size, max=limits["max_mb"]))
        with file.open("rb") as fh:
            data = fh.read(limits["max_bytes"] + 1)
    except OSError as exc:
        raise InvalidInput(t("attach.err.cannot_read", path=path, error=exc.strerror)) from None
    if len(data) > limits["max_bytes"]:
        raise InvalidInput(t("attach.err.too_big", file=file.name, size=len(data), max=limits["max_mb"]))
    if not data:
        raise InvalidInput(t("attach.err.empty", path=path))
    mime = _check_content(file.name, data, limits)
    record_id, customer = check_record(ctx, entity, ref, write=True)
    key_id, key = database_key(ctx, create=True)
    digest = hmac.new(key, data, hashlib.sha256).hexdigest()
    blob_id, deduplicated = _store(ctx, key, key_id, digest, data)
    attachment = Attachment(entity=entity, entity_id=record_id, blob_id=blob_id, filename=file.name[:300],
                            content_type=mime, size=len(data), note=(note or "").strip() or None,
                            added_by_id=ctx.actor.id, added_at=ctx.now)
    ctx.session.add(attachment)
    ctx.session.flush()
    ctx.audit("attachment.add", "attachment", attachment.id, None, attachment)
    return Added(_row(attachment, ctx.actor.handle, customer), deduplicated)


def _store(ctx: Ctx, key: bytes, key_id: str, digest: str, data: bytes) -> tuple[int, bool]:
    """(blob id, deduplicated): one stored copy per distinct content."""
    from salesctl.rls import is_staff_login, store_blob

    if is_staff_login(ctx.session):  # the team server: a login may not see the blob another team's file made
        nonce, ciphertext = encrypt(key, key_id, digest, data)
        return store_blob(ctx.session, digest=digest, key_id=key_id, nonce=nonce, ciphertext=ciphertext,
                          size=len(data), at=ctx.now)
    blob = ctx.session.exec(select(AttachmentBlob).where(AttachmentBlob.digest == digest)).first()
    if blob is not None:
        return blob.id, True
    nonce, ciphertext = encrypt(key, key_id, digest, data)
    blob = AttachmentBlob(digest=digest, key_id=key_id, nonce=nonce, ciphertext=ciphertext, size=len(data),
                          created_at=ctx.now)
    ctx.session.add(blob)
    ctx.session.flush()
    return blob.id, False


def _row(a: Attachment, added_by: str | None, customer: str | None = None) -> dict:
    return {"id": a.id, "entity": a.entity, "entity_id": a.entity_id, "customer": customer, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "note": a.note, "added_by": added_by,
            "added_at": a.added_at, "removed": a.removed_at is not None, "removed_reason": a.removed_reason}


def list_attachments(ctx: Ctx, entity: str, ref, *, removed: bool = False) -> list[dict]:
    entity = parse_entity(entity)
    record_id, customer = check_record(ctx, entity, ref, write=False)
    if removed and not _sees_removed(ctx):
        raise PermissionDenied(t("err.denied", what=t("attach.what.removed")))
    stmt = (select(Attachment, Staff.handle).join(Staff, Staff.id == Attachment.added_by_id)
            .where(Attachment.entity == entity, Attachment.entity_id == record_id).order_by(Attachment.id))
    if not removed:
        stmt = stmt.where(Attachment.removed_at.is_(None))
    return [_row(a, handle, customer) for a, handle in ctx.session.exec(stmt)]


def _load(ctx: Ctx, ref, *, write: bool) -> tuple[Attachment, str]:
    number = _int_id(ref, "attachment")
    attachment = ctx.session.get(Attachment, number)
    if attachment is None:
        _deny_if_hidden(ctx, "attachment", number)
        raise NotFound(t("attach.err.not_found", id=number))
    _record_id, customer = check_record(ctx, attachment.entity, attachment.entity_id, write=write)
    if attachment.removed_at is not None and (write or not _sees_removed(ctx)):
        raise NotFound(t("attach.err.not_found", id=number))
    return attachment, customer


@dataclass
class Got:
    row: dict
    data: bytes
    target: Path


def get_attachment(ctx: Ctx, ref, out: str | None, *, force: bool = False) -> Got:
    """Decrypt an attachment for `out` (a new file unless --force) and audit it; `write_out` once committed.

    The file is written only after the audit entry is committed, so no copy leaves unrecorded.
    """
    if not (out or "").strip():
        raise InvalidInput(t("deal.err.required", flags="--out"))
    attachment, customer = _load(ctx, ref, write=False)
    target = Path(out).expanduser()
    if target.is_dir():
        target = target / attachment.filename
    if target.exists() and not force:
        raise Conflict(t("attach.err.out_exists", path=target))
    if not target.parent.is_dir():
        raise InvalidInput(t("attach.err.no_folder", path=target.parent))
    blob = ctx.session.get(AttachmentBlob, attachment.blob_id)
    _key_id, key = database_key(ctx)
    data = decrypt(key, blob)
    ctx.audit("attachment.get", "attachment", attachment.id, None,
              {"filename": attachment.filename, "entity": attachment.entity, "entity_id": attachment.entity_id,
               "out": str(target.resolve())})
    return Got({**_row(attachment, None, customer), "out": str(target)}, data, target)


def write_out(got: Got) -> None:
    """Write a decrypted attachment (mode 0600) through a temporary file beside the target."""
    target = got.target
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(got.data)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(t("attach.err.cannot_write", path=target, error=exc.strerror)) from None


def remove_attachment(ctx: Ctx, ref, *, reason: str | None) -> dict:
    from salesctl.audit import snapshot

    why = (reason or "").strip()
    if not why:
        raise InvalidInput(t("attach.err.reason_required"))
    attachment, customer = _load(ctx, ref, write=True)
    before = snapshot(attachment)
    attachment.removed_at = ctx.now
    attachment.removed_by_id = ctx.actor.id
    attachment.removed_reason = why
    ctx.session.add(attachment)
    ctx.session.flush()
    ctx.audit("attachment.remove", "attachment", attachment.id, before, attachment)
    return _row(attachment, None, customer)
