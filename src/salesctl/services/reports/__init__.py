"""Work plans and reports (SPEC 1.3, 工作计划和报告制度): daily/weekly/monthly forms, compliance, and the team summaries."""
