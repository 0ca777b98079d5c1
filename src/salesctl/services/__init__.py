"""The handbook's rules as plain functions taking a context (session, actor, clock)."""
