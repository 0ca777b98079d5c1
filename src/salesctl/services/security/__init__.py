"""Confidentiality (SPEC 1.2, 保密): the encrypted archive pack, archive passwords, database encryption, backups and checks, the audit log reader."""
