"""Working together (SPEC 1.2-1.3): the weekly meeting and its actions, complaints and their escalation, the inbox."""
