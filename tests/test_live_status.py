"""`sesguard status` against a fake account (moto + Stubber; no network)."""

from __future__ import annotations

import json

import pytest
from live_aws import Account, fake_account

from sesguard.cli import main
from sesguard.commands.status import rate_state


def status(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], account: Account, *args: str):
    with fake_account(monkeypatch, account):
        code = main(["status", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_production_account_table(monkeypatch, capsys):
    code, out, _ = status(monkeypatch, capsys, Account())
    assert code == 0
    assert "Amazon SES in us-east-1" in out
    for text in ("production", "enabled", "HEALTHY", "1,234 / 50,000", "2.5 % used", "14 / s",
                 "0.40 % max", "review 5.00 %, pause 10.00 %", "review 0.10 %, pause 0.50 %"):  # fmt: skip
        assert text in out, text


def test_sandbox_under_review_as_json(monkeypatch, capsys):
    account = Account(production=False, enforcement="PROBATION", bounce=0.06, complaint=0.006,
                      review={"Status": "PENDING", "CaseId": "42"})  # fmt: skip
    code, out, _ = status(monkeypatch, capsys, account, "--format", "json")
    assert code == 0
    s = json.loads(out)["status"]
    assert s["account"] == {
        "mode": "sandbox", "productionAccessEnabled": False, "sendingEnabled": True,
        "enforcementStatus": "PROBATION", "reviewStatus": "PENDING", "reviewCaseId": "42",
    }  # fmt: skip
    assert s["quota"]["max24HourSend"] == 200 and s["quota"]["sentLast24Hours"] == 12
    assert s["reputation"]["bounceRate"]["state"] == "REVIEW LEVEL"
    assert s["reputation"]["complaintRate"]["state"] == "PAUSE LEVEL"
    assert s["reputation"]["bounceRate"]["max24h"] == pytest.approx(0.06)


def test_unlimited_quota(monkeypatch, capsys):
    code, out, _ = status(monkeypatch, capsys, Account(max_24h=-1.0, bounce=None, complaint=None))
    assert code == 0
    assert "unlimited (-1)" in out
    assert "no data" in out


def test_access_denied_still_prints_and_exits_2(monkeypatch, capsys):
    code, out, _ = status(monkeypatch, capsys, Account(deny={"GetAccount"}))
    assert code == 2
    assert "not read: ses:GetAccount: AccessDeniedException: not authorized" in out
    assert "Bounce rate" in out  # what could be read is still shown


def test_output_file_gets_the_table(monkeypatch, capsys, tmp_path):
    target = tmp_path / "status.json"
    code, out, _ = status(monkeypatch, capsys, Account(), "--format", "json", "--output", str(target))
    assert code == 0
    assert json.loads(target.read_text())["status"]["account"]["mode"] == "production"
    assert out.strip() == "sesguard: us-east-1: production, enforcement HEALTHY"


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (None, "no data"),
        (0.0, "ok"),
        (0.0249, "ok"),
        (0.025, "watch"),
        (0.05, "REVIEW LEVEL"),
        (0.1, "PAUSE LEVEL"),
    ],
)
def test_rate_state_levels(value, state):
    assert rate_state(value, 0.05, 0.10) == state
