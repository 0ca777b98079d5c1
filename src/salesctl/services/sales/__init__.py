"""The sales process and its management rules (SPEC 1.5-1.6, 销售部工作流程 / 销售管理制度): visits and follow-ups, deals through five stages, payments, claims (报备) and leads."""
