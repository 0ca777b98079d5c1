"""Policy files validated by one schema: on load, on `config set policy`, and by `salesctl policy check`."""

from __future__ import annotations

BAD = """# my department
[grading]
a_within_days = "thirty"
b_within_days = -5

[followup]
a_no_contact_dayz = 7

[meeting]
weekday = "someday"
"""


def test_policy_check_lists_every_problem_with_file_line_and_key(cli, tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(BAD, encoding="utf-8")
    result = cli("policy", "check", str(path))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(f"{path}:3: grading.a_within_days: 'thirty'")
    assert lines[1].startswith(f"{path}:4: grading.b_within_days: -5")
    assert lines[2].startswith(f"{path}:7: followup.a_no_contact_dayz: unknown key (did you mean a_no_contact_days?)")
    assert "b_no_contact_days" in lines[2]
    assert lines[3].startswith(f"{path}:10: meeting.weekday: 'someday'")
    assert result.stderr == f"error: {path}: 4 problem(s) in the policy file\n"


def test_the_shipped_policy_and_a_good_override_pass(cli, tmp_path):
    shipped = cli("policy", "check")
    assert shipped.exit_code == 0 and "valid" in shipped.stderr
    path = tmp_path / "ok.toml"
    path.write_text("[grading]\na_within_days = 20\n[pool]\nenabled = true\n", encoding="utf-8")
    assert cli("policy", "check", str(path)).exit_code == 0


def test_config_set_policy_refuses_a_bad_file_and_keeps_the_old_value(cli, tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[grading]\na_within_days = \"thirty\"\n", encoding="utf-8")
    result = cli("config", "set", "policy", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:2: grading.a_within_days: 'thirty'")
    assert "Traceback" not in result.stderr
    shown = cli("config", "get", "--format", "json")
    assert shown.exit_code == 0
    assert str(path) not in shown.stdout
    good = tmp_path / "good.toml"
    good.write_text("[grading]\na_within_days = 20\n", encoding="utf-8")
    assert cli("config", "set", "policy", str(good)).exit_code == 0
    assert str(good) in cli("config", "get", "--format", "json").stdout


def test_a_bad_policy_in_use_exits_2_instead_of_a_traceback(demo, cli, tmp_path, monkeypatch):
    path = tmp_path / "policy.toml"
    path.write_text("[grading]\na_within_days = \"thirty\"\n", encoding="utf-8")
    monkeypatch.setenv("SALESCTL_POLICY", str(path))
    result = cli("customer", "regrade", "--auto", "--dry-run")
    assert result.exit_code == 2, result
    assert f"{path}:2: grading.a_within_days" in result.stderr and "Traceback" not in result.stderr


def test_commission_plan_check_lists_every_error_at_once(org, cli, tmp_path):
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "data" / "commission.toml").read_text(encoding="utf-8")
    text = text.replace('basis = "collected"', 'basis = "collectedd"', 1).replace(
        'mode = "marginal"', 'mode = "wholesale"\nbonus = "1"', 1)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    result = cli("commission", "plan", "check", str(path), as_="dir")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("plan.toml:") and ": basis:" in lines[0]
    assert ": mode:" in lines[1] and ": bonus: unknown key" in lines[2]
    assert result.stderr.startswith("error: plan.toml: 3 problems")
