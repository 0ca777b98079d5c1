"""Pay and evaluation (SPEC 1.7, 薪酬绩效考核): targets, commission plans and statements, settlement, evaluation."""
