"""`sesguard audit` end to end against a fake account (moto + Stubber; no network).

Each scenario is an account state a user meets: compliant, sandboxed under a production stack,
under review, a bounce rate at or near AWS's review level, drifted from the prod stack, throttled,
and a role missing a permission.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import botocore.retries.standard
import pytest
from live_aws import Account, fail_first, fake_account, fake_env, http_error

from sesguard import document
from sesguard.cli import main
from sesguard.commands import audit
from sesguard.sources.live import aws as live


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retries still happen, in botocore's own loop; only its sleep between attempts is skipped.
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)


# The prod stack's program run is the same in every test: run it once per worker.
_stack_inputs = functools.cache(audit._stack_inputs)


@pytest.fixture(autouse=True)
def _cached_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "_stack_inputs", _stack_inputs)


def run_audit(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    account: Account,
    *args: str,
    setup: Any = None,
) -> tuple[int, dict[str, Any], str]:
    with fake_account(monkeypatch, account) as (clients, _stub):
        if setup is not None:
            setup(clients)
        code = main(["audit", "--format", "json", *args])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def findings(report: dict[str, Any], rule: str | None = None) -> list[dict[str, Any]]:
    return [f for f in report["results"][0]["findings"] if rule is None or f["rule"] == rule]


def blocking(report: dict[str, Any]) -> list[str]:
    return [f"{f['rule']}: {f['message']}" for f in findings(report) if f["enforcement"] == "mandatory"]


def test_compliant_account_matches_prod_stack(monkeypatch, capsys):
    code, report, _ = run_audit(monkeypatch, capsys, Account(), "--stack", "prod")
    assert blocking(report) == []
    assert code == 0
    result = report["results"][0]
    assert (result["project"], result["stack"], result["source"], result["passed"]) == (
        "ses-sender", "prod", "live", True,
    )  # fmt: skip


def test_sandboxed_account_fails_a_production_stack(monkeypatch, capsys):
    account = Account(production=False, review={"Status": "PENDING", "CaseId": "1234"})
    code, report, _ = run_audit(monkeypatch, capsys, account, "--stack", "prod")
    assert code == 1
    assert [f["message"] for f in findings(report, "SES-041")] == [
        "the account is in the SES sandbox in us-east-1, but stack prod is marked production "
        "(production-access request PENDING, case 1234)"
    ]


def test_sandbox_is_fine_without_a_production_stack(monkeypatch, capsys):
    code, report, _ = run_audit(monkeypatch, capsys, Account(production=False))
    assert findings(report, "SES-041") == []
    assert code == 0


def test_account_under_review_fails(monkeypatch, capsys):
    code, report, _ = run_audit(monkeypatch, capsys, Account(enforcement="PROBATION"))
    assert code == 1
    assert [f["message"] for f in findings(report, "SES-041")] == [
        "the account's enforcement status is PROBATION (under review), not HEALTHY"
    ]


def test_bounce_rate_at_review_level_is_mandatory(monkeypatch, capsys):
    code, report, _ = run_audit(monkeypatch, capsys, Account(bounce=0.06))
    assert code == 1
    (f,) = findings(report, "SES-042")
    assert f["enforcement"] == "mandatory"
    assert f["message"].startswith("bounce rate reached 6.00 % in the last 24 hours")


def test_complaint_rate_at_half_level_is_advisory(monkeypatch, capsys):
    code, report, _ = run_audit(monkeypatch, capsys, Account(complaint=0.0007))
    assert code == 0
    (f,) = findings(report, "SES-042")
    assert f["enforcement"] == "advisory"
    assert "complaint rate reached 0.07 %" in f["message"]


def test_stack_threshold_tightens_the_reputation_rule(monkeypatch, capsys):
    code, report, _ = run_audit(monkeypatch, capsys, Account(bounce=0.03), "--threshold", "bounce_rate=0.02")
    assert code == 1
    assert findings(report, "SES-042")[0]["enforcement"] == "mandatory"


def test_drift_from_prod_stack_is_found(monkeypatch, capsys):
    account = Account(destination_enabled=False, bounce_threshold=0.08)
    code, report, _ = run_audit(monkeypatch, capsys, account, "--stack", "prod")
    assert code == 1
    messages = sorted(f["message"] for f in findings(report, "SES-043"))
    assert messages == [
        "event destination feedback-sns of configuration set ses-sender-prod-acmetickets-com drifted "
        "from stack prod: it was disabled in the account",
        "event destination feedback-sns of configuration set ses-sender-prod-acmetickets-jp drifted "
        "from stack prod: it was disabled in the account",
        "the AWS/SES Reputation.BounceRate alarm drifted from stack prod: its threshold was raised "
        "from 0.02 to 0.08 (alarm reputation-bouncerate)",
    ]


def test_deleted_alarm_is_drift(monkeypatch, capsys):
    def delete_alarm(clients: live.Clients) -> None:
        clients.cloudwatch.delete_alarms(AlarmNames=["reputation-complaintrate"])

    code, report, _ = run_audit(monkeypatch, capsys, Account(), "--stack", "prod", setup=delete_alarm)
    assert code == 1
    assert [f["message"] for f in findings(report, "SES-043")] == [
        "the AWS/SES Reputation.ComplaintRate alarm is declared by stack prod "
        "but missing from the live account"
    ]


def test_throttling_and_5xx_are_retried(monkeypatch, capsys):
    with fake_account(monkeypatch, Account()) as (clients, _):
        counter = fail_first(
            clients.sesv2,
            "list_email_identities",
            [http_error(400, "TooManyRequestsException"), http_error(500, "InternalFailure")],
        )
        code = main(["audit", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert len(counter) == 3  # two failures, then moto's answer
    assert code == 0, blocking(report)
    assert not any("not evaluated" in f["message"] for f in findings(report))


def test_call_still_failing_after_retries_is_not_evaluated(monkeypatch, capsys):
    with fake_account(monkeypatch, Account(), max_attempts=3) as (clients, _):
        counter = fail_first(
            clients.sesv2, "list_email_identities", [http_error(400, "TooManyRequestsException")] * 9
        )
        code = main(["audit", "--format", "json"])
    out = capsys.readouterr()
    assert len(counter) == 4  # the first attempt and botocore's max_attempts=3 retries
    assert code == 2
    report = json.loads(out.out)
    (f,) = findings(report, "SES-040")
    assert f["message"].startswith("not evaluated: the audit could not read ses:ListEmailIdentities")
    assert "TooManyRequestsException" in f["message"]
    assert "not evaluated" in out.err


def test_access_denied_marks_its_rules_not_evaluated(monkeypatch, capsys):
    code, report, err = run_audit(monkeypatch, capsys, Account(deny={"GetAccount"}, enforcement="SHUTDOWN"))
    assert code == 2
    for rule in ("SES-016", "SES-041"):
        (f,) = findings(report, rule)
        assert f["message"] == (
            "not evaluated: the audit could not read ses:GetAccount: AccessDeniedException: not authorized"
        )
        assert f["enforcement"] == "mandatory"
    # Rules fed by other reads are still judged and reported.
    assert findings(report, "SES-042") == []
    assert report["results"][0]["passed"] is False
    assert "2 rule(s) not evaluated (SES-016, SES-041)" in err


def test_access_denied_on_identity_details_still_prints_text_report(monkeypatch, capsys):
    with fake_account(monkeypatch, Account(deny={"GetEmailIdentity"})):
        code = main(["audit"])
    out = capsys.readouterr()
    assert code == 2
    assert "SES-040" in out.out and "not evaluated" in out.out
    assert "sesguard: audit incomplete: 7 rule(s) not evaluated" in out.err


def test_live_document_shape(monkeypatch):
    with fake_account(monkeypatch, Account()) as (clients, _):
        topic = clients.sns.create_topic(Name="hooks")["TopicArn"]
        clients.sns.subscribe(
            TopicArn=topic, Protocol="https", Endpoint="https://u:pw@hooks.example.com/ses?token=s3cr3t"
        )
        clients.cloudwatch.put_metric_alarm(
            AlarmName="hook-alarm", Namespace="AWS/SES", MetricName="Send", Statistic="Sum", Period=300,
            EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic],
        )  # fmt: skip
        clients.cloudwatch.put_metric_alarm(
            AlarmName="not-ses", Namespace="AWS/EC2", MetricName="CPUUtilization", Statistic="Average",
            Period=300, EvaluationPeriods=1, Threshold=90.0, ComparisonOperator="GreaterThanThreshold",
        )  # fmt: skip
        doc = live.read(clients)
    document.validate(doc, "live")
    assert doc["source"] == "live" and doc["config"]["sesguard:externalDns"] is True
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in doc["resources"]:
        assert r["urn"] == f"urn:sesguard:live::123456789012::{r['type']}::{r['name']}"
        by_type.setdefault(r["type"], []).append(r)
    (identity, _) = sorted(by_type[live.T_IDENTITY], key=lambda r: r["name"])
    assert identity["props"]["emailIdentity"] == "acmetickets.com"
    assert identity["props"]["configurationSetName"] == "ses-sender-prod-acmetickets-com"
    assert identity["props"]["dkimSigningAttributes"]["tokens"] == ["tok1", "tok2", "tok3"]
    assert {r["props"]["mailFromDomain"] for r in by_type[live.T_MAIL_FROM]} == {
        "mail.acmetickets.com",
        "mail.acmetickets.jp",
    }
    dest = by_type[live.T_EVENT_DESTINATION][0]["props"]
    assert dest["eventDestination"]["snsDestination"]["topicArn"].startswith(
        "arn:aws:sns:us-east-1:123456789012:"
    )
    assert by_type[live.T_ACCOUNT_SUPPRESSION][0]["props"] == {"suppressedReasons": ["BOUNCE", "COMPLAINT"]}
    assert sorted(r["name"] for r in by_type[live.T_ALARM]) == [
        "hook-alarm", "reputation-bouncerate", "reputation-complaintrate",
    ]  # fmt: skip
    assert all(isinstance(r["props"]["threshold"], float) for r in by_type[live.T_ALARM])
    assert {r["props"]["name"] for r in by_type[live.T_TOPIC]} >= {
        "hooks",
        "ses-sender-prod-reputation-alerts",
    }
    assert sum("ses.amazonaws.com" in r["props"]["policy"] for r in by_type[live.T_TOPIC_POLICY]) == 2
    # A subscription URL's credentials and query never reach the document.
    text = json.dumps(doc)
    assert "s3cr3t" not in text and "pw@" not in text
    assert "https://hooks.example.com/ses" in text
    facts = doc["facts"]
    assert facts["identities"]["acmetickets.jp"]["dkimStatus"] == "SUCCESS"
    assert facts["account"]["enforcementStatus"] == "HEALTHY"
    assert facts["metrics"]["bounceRate"]["max"] == pytest.approx(0.004)
    assert facts["notEvaluated"] == [] and facts["production"] is False


def test_no_credentials_is_one_line_exit_2(monkeypatch, capsys):
    fake_env(monkeypatch)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask the instance metadata service
    for key in (
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(key, raising=False)
    code = main(["audit", "--region", "us-east-1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        "sesguard: no AWS credentials found (environment, profile or instance role)"
    ]


def test_unknown_profile_is_one_line_exit_2(monkeypatch, capsys):
    fake_env(monkeypatch)
    code = main(["audit", "--profile", "nope"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sesguard: AWS profile 'nope':") and len(err.strip().splitlines()) == 1


def test_endpoint_url_and_region_come_from_the_environment(monkeypatch):
    fake_env(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    clients = live.Clients.connect()
    assert clients.region == "eu-west-1"
    assert {c.meta.endpoint_url for c in clients.all()} == {"http://127.0.0.1:4566"}
    assert clients.sesv2.meta.config.retries["mode"] == "standard"
    assert live.Clients.connect(region="us-west-2").region == "us-west-2"
