"""The customer archive (SPEC 1.4, 客户管理系统): customers, contacts, profiles, A/B/C/D grading, duplicate detection (查重) and the ownership ledger."""
