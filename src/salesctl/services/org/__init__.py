"""The organisation (SPEC 1.1, 销售部组织架构及岗位职责): staff, roles, the org chart, leave, start dates."""
