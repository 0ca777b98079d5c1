"""Files with customer data: Office encryption, atomic writes with owner-only modes, the unencrypted opt-out."""


from __future__ import annotations

import io
import os
from pathlib import Path


from salesctl.errors import Conflict, InvalidInput
from salesctl.messages import t

PLAIN_MODE = 0o600  # unencrypted or decrypted customer data: the owner only
ENCRYPTED_MODE = 0o640  # the hand-off folder may be read by a group (the file needs its password anyway)


# --------------------------------------------------------------------------- encryption
def encrypt_bytes(data: bytes, password: str) -> bytes:
    """Standard Office encryption (ECMA-376 agile, AES-256): what Excel's 'Encrypt with password' writes."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def is_encrypted(data: bytes) -> bool:
    import olefile

    return olefile.isOleFile(io.BytesIO(data))


def decrypt_bytes(data: bytes, password: str, *, source: str, path: str) -> bytes:
    import msoffcrypto
    from msoffcrypto import exceptions

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password, verify_password=True)
        out = io.BytesIO()
        office.decrypt(out)
    except (exceptions.InvalidKeyError, exceptions.DecryptionError):
        raise InvalidInput(t("archive.err.open_wrong_password", source=source, path=path)) from None
    except (exceptions.FileFormatError, exceptions.ParseError, OSError, ValueError, KeyError):
        raise InvalidInput(t("archive.err.not_office", path=path)) from None
    return out.getvalue()


# --------------------------------------------------------------------------- files
def check_out_path(out: str, *, overwrite: bool, flag: str = "--out") -> Path:
    target = Path(out).expanduser()
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(t("archive.err.not_xlsx", flag=flag, path=target))
    target = target.resolve()
    if not target.parent.is_dir():
        raise InvalidInput(t("archive.err.no_folder", flag=flag, path=target.parent))
    if target.exists() and not overwrite:
        raise Conflict(t("archive.err.exists", flag=flag, path=target))
    if target.is_dir():
        raise InvalidInput(t("archive.err.is_folder", flag=flag, path=target))
    return target


def write_file(target: Path, data: bytes, mode: int) -> None:
    """Write atomically (temporary file in the same folder, then rename) with the given mode from the start."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def check_unencrypted_opt_out(no_encrypt: bool, understood: bool) -> None:
    """The one rule for every file salesctl writes with customer data: opting out takes both flags."""
    if no_encrypt and not understood:
        raise InvalidInput(t("archive.err.no_encrypt_alone"))
    if understood and not no_encrypt:
        raise InvalidInput(t("archive.err.understood_alone"))


def audit_unencrypted_file(ctx, path: Path, what: str, rows: int | None = None) -> None:
    """Record that customer data was written to a file without encryption (who, where, what)."""
    ctx.audit("file.unencrypted", "file", None, None, {"path": str(path), "what": what, "rows": rows})




def write_customer_file(ctx, target: Path, xlsx: bytes | None, plain: bytes | None, *, secret, no_encrypt: bool,
                        understood: bool, what: str, rows: int | None = None) -> bool:
    """The rule for every file salesctl writes with customer data (exports, import error files).

    Encrypted by default: `xlsx` (a workbook, e.g. from `table_workbook`) is encrypted
    with the acting user's archive password (checked against its hash and age) and
    written with mode 640. With both opt-out flags, `plain` (CSV/JSON/xlsx bytes) is
    written with mode 600 and audited. CSV/JSON cannot carry Office encryption, so a
    .csv/.json target without the opt-out is refused, naming the ways out (.xlsx or
    stdout: what goes to stdout is the user's). Returns whether the file is encrypted.
    """
    from salesctl.services.security.passwords import require_author_password, warning_for

    check_unencrypted_opt_out(no_encrypt, understood)
    if no_encrypt:
        write_file(target, plain if plain is not None else xlsx, PLAIN_MODE)
        audit_unencrypted_file(ctx, target, what, rows)
        return False
    if target.suffix.lower() != ".xlsx" or xlsx is None:
        raise InvalidInput(t("archive.err.plain_format", path=target))
    age = require_author_password(ctx, secret)
    warning = warning_for(age)
    if warning:
        from salesctl import render

        render.warn(warning)
    write_file(target, encrypt_bytes(xlsx, secret.value), ENCRYPTED_MODE)
    ctx.audit("file.encrypted", "file", None, None, {"path": str(target), "what": what, "rows": rows})
    return True


