"""`sesguard request`: the production-access request built from a stack, its lint (SES-030…032) and
`--submit`, which must send exactly once after a passing lint and confirmation, and never otherwise."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from botocore.validate import validate_parameters

from sesguard import cli
from sesguard import request as builder
from sesguard.commands import request as request_cmd
from sesguard.document import Document
from sesguard.engine.embedded import EmbeddedEngine
from sesguard.sources.pulumi import program

REPO = Path(__file__).resolve().parents[1]
STACKS = ("dev", "staging", "prod", "marketing")


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {name: builder.document(name) for name in STACKS}


@pytest.fixture(scope="module")
def configs() -> dict[str, dict[str, Any]]:
    return {name: program.load_stack_config(REPO, name) for name in STACKS}


def findings(engine: EmbeddedEngine, doc: Document, rule: str) -> list[str]:
    return [f.message for f in engine.evaluate(doc) if f.rule == rule]


def rebuilt(doc: Document, config: dict[str, Any], **request_changes: Any) -> Document:
    """The same declared stack, with the request built from changed config answers."""
    config = copy.deepcopy(config)
    req = config["ses-sender:request"]
    for key, value in request_changes.items():
        if value is None:
            req.pop(key, None)
        else:
            req[key] = value
    return builder.request_document(doc, config)


def sesv2_client() -> Any:
    return boto3.client(
        "sesv2", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="x"
    )


def botocore_accepts(params: dict[str, Any]) -> bool:
    model = sesv2_client().meta.service_model.operation_model("PutAccountDetails")
    try:
        validate_parameters(params, model.input_shape)
    except Exception:
        return False
    return True


# --- building ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STACKS)
def test_repository_stacks_build_a_passing_request(
    name: str, docs: dict[str, Document], engine: EmbeddedEngine
) -> None:
    doc = docs[name]
    assert doc["source"] == "request"
    failing = [
        (f.rule, f.message) for f in engine.evaluate(doc) if f.rule in ("SES-030", "SES-031", "SES-032")
    ]
    assert failing == []
    params = builder.params(doc)
    assert set(params) == set(builder.PARAM_KEYS)
    assert len(params["UseCaseDescription"]) <= 5000
    assert botocore_accepts(params)


def test_use_case_states_what_the_stack_declares(docs: dict[str, Document]) -> None:
    text = builder.params(docs["prod"])["UseCaseDescription"]
    for expected in (
        "We send from acmetickets.com and acmetickets.jp",
        "Easy DKIM with 2048-bit keys",
        "(mail.acmetickets.com and mail.acmetickets.jp)",
        "SES refuses to send if its MX is missing",
        "DMARC is published with p=reject for acmetickets.com and acmetickets.jp",
        "consumed from an SQS queue with a dead-letter queue",
        "The account-level suppression list covers BOUNCE and COMPLAINT.",
        "bounce rate reaches 2 % or the complaint rate reaches 0.05 %",
        "We expect about 40,000 messages a day.",
        "How recipients get on our list: Every recipient is a customer",
    ):
        assert expected in text
    assert "contact list" not in text  # prod declares none
    marketing = builder.params(docs["marketing"])["UseCaseDescription"]
    assert "SES contact list acmetickets-newsletter and a topic (weekly-events and presales)" in marketing
    assert builder.params(docs["marketing"])["MailType"] == "MARKETING"


def test_use_case_omits_what_the_stack_does_not_declare(configs: dict[str, dict[str, Any]]) -> None:
    config = copy.deepcopy(configs["staging"])
    config["ses-sender:accountSuppression"] = False
    doc = builder.document("staging", config=config)
    assert "suppression list covers" not in builder.params(doc)["UseCaseDescription"]


def test_claims_follow_the_text() -> None:
    claims, evidence = builder.claims_of(
        "Bounces go to SNS. Promotional mail comes from another sender with one-click unsubscribe.",
        "TRANSACTIONAL",
    )
    assert claims["bounceHandling"] and not claims["unsubscribe"] and not claims["suppression"]
    assert evidence["bounceHandling"] == "Bounces go to SNS."
    claims, _ = builder.claims_of("Every message has an unsubscribe link.", "MARKETING")
    assert claims["unsubscribe"]


# --- SES-030: complete, within limits --------------------------------------------------------------


@pytest.mark.parametrize("answer", ["listBuilding", "bounceHandling", "optOut", "volumeRationale"])
def test_each_missing_answer_is_caught(
    answer: str, docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    doc = rebuilt(docs["prod"], configs["prod"], **{answer: None})
    assert any(f"sesguard:request.{answer} is empty" in m for m in findings(engine, doc, "SES-030"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"contactEmails": [f"ops{i}@acmetickets.com" for i in range(5)]},
            "5 contact addresses; AWS accepts at most 4",
        ),
        ({"contactLanguage": "FR"}, 'ContactLanguage is "FR"; AWS accepts EN or JA'),
        ({"websiteUrl": "http://www.acmetickets.com"}, "is not an https:// URL"),
        ({"websiteUrl": None}, "the request has no WebsiteURL"),
        ({"contactEmails": None}, "names no contact address"),
    ],
    ids=["five-contacts", "FR", "http-website", "no-website", "no-contacts"],
)
def test_each_limit_breach_is_caught(
    change: dict[str, Any],
    expected: str,
    docs: dict[str, Document],
    configs: dict[str, dict[str, Any]],
    engine: EmbeddedEngine,
) -> None:
    doc = rebuilt(docs["prod"], configs["prod"], **change)
    assert any(expected in m for m in findings(engine, doc, "SES-030"))


def test_5001_characters_are_caught_though_botocore_accepts_them(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    base = builder.params(docs["prod"])["UseCaseDescription"]
    rationale = configs["prod"]["ses-sender:request"]["volumeRationale"]
    padding = " " + "x" * (5001 - len(base) - 1)
    doc = rebuilt(docs["prod"], configs["prod"], volumeRationale=rationale + padding)
    params = builder.params(doc)
    assert len(params["UseCaseDescription"]) == 5001
    assert botocore_accepts(params)  # botocore does not enforce the limit: sesguard must
    assert "the use case is 5001 characters; AWS accepts at most 5000" in findings(engine, doc, "SES-030")


def test_botocore_accepts_what_sesguard_rejects(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]]
) -> None:
    five = rebuilt(docs["prod"], configs["prod"], contactEmails=[f"o{i}@acmetickets.com" for i in range(5)])
    french = rebuilt(docs["prod"], configs["prod"], contactLanguage="FR")
    assert botocore_accepts(builder.params(five))
    assert botocore_accepts(builder.params(french))


# --- SES-031: red flags -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "flag"),
    [
        (
            "We also purchased a list of 20,000 addresses from a data vendor.",
            "a purchased, rented or imported list",
        ),
        ("We rent email lists from partners for seasonal campaigns.", "a purchased, rented or imported list"),
        (
            "New contacts are scraped from public business directories every week.",
            "scraped or harvested addresses",
        ),
        ("Our team harvests addresses from conference attendee pages.", "scraped or harvested addresses"),
        ("Sales sends unsolicited bulk mail to prospects in our region.", "unsolicited mail"),
        ("We mail a third-party list of prospects that fit our audience.", "third-party or brokered lists"),
    ],
    ids=["purchased", "rented", "scraped", "harvested", "unsolicited", "third-party"],
)
def test_each_red_flag_is_caught(
    sentence: str,
    flag: str,
    docs: dict[str, Document],
    configs: dict[str, dict[str, Any]],
    engine: EmbeddedEngine,
) -> None:
    answer = configs["prod"]["ses-sender:request"]["listBuilding"] + " " + sentence
    doc = rebuilt(docs["prod"], configs["prod"], listBuilding=answer)
    assert any(flag in m for m in findings(engine, doc, "SES-031"))


def test_negated_red_flags_pass(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    # prod already says "we never buy, rent or import lists"; marketing "never buy, rent or scrape".
    assert "never buy, rent or import lists" in builder.params(docs["prod"])["UseCaseDescription"]
    assert findings(engine, docs["prod"], "SES-031") == []
    assert findings(engine, docs["marketing"], "SES-031") == []


def test_vague_one_liner_is_caught(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    doc = rebuilt(docs["prod"], configs["prod"], optOut="They can unsubscribe.")
    assert any("vague one-liner" in m for m in findings(engine, doc, "SES-031"))


# --- SES-032: claims the stack backs -------------------------------------------------------------


def _without(doc: Document, *types: str) -> Document:
    stripped = copy.deepcopy(doc)
    stripped["resources"] = [r for r in stripped["resources"] if r["type"] not in types]
    return stripped


def test_bounce_handling_claim_without_destination_is_caught(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    stack = _without(docs["prod"], builder.T_DESTINATION)
    doc = builder.request_document(stack, configs["prod"])
    assert doc["request"]["claims"]["bounceHandling"] is True
    assert any("no enabled event destination" in m for m in findings(engine, doc, "SES-032"))


def test_suppression_claim_without_account_suppression_is_caught(
    configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    # prod's bounceHandling answer says "the SES account suppression list covers BOUNCE and COMPLAINT".
    config = copy.deepcopy(configs["prod"])
    config["ses-sender:accountSuppression"] = False
    doc = builder.document("prod", config=config)
    assert any("no account suppression" in m for m in findings(engine, doc, "SES-032"))


def test_marketing_unsubscribe_without_contact_list_is_caught(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    stack = _without(docs["marketing"], builder.T_CONTACT_LIST)
    doc = builder.request_document(stack, configs["marketing"])
    assert any("no SES contact list" in m for m in findings(engine, doc, "SES-032"))


def test_mail_type_other_than_the_stacks_is_caught(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    config = copy.deepcopy(configs["prod"])
    config["ses-sender:mailType"] = "MARKETING"
    doc = builder.request_document(docs["prod"], config)
    assert "the request's MailType is MARKETING but the stack declares mailType TRANSACTIONAL" in findings(
        engine, doc, "SES-032"
    )


def test_alarm_and_queue_claims_without_resources_are_caught(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], engine: EmbeddedEngine
) -> None:
    stack = _without(docs["prod"], builder.T_ALARM, builder.T_QUEUE)
    doc = builder.request_document(stack, configs["prod"])
    messages = findings(engine, doc, "SES-032")
    assert any("no CloudWatch alarm on AWS/SES Reputation.BounceRate" in m for m in messages)
    assert any("no SQS queue" in m for m in messages)


# --- --submit ------------------------------------------------------------------------------------


class Recorder:
    """A client factory around a Stubber: every client call must have been stubbed."""

    def __init__(self) -> None:
        self.client = sesv2_client()
        self.stub = Stubber(self.client)
        self.regions: list[str] = []

    def __call__(self, region: str) -> Any:
        self.regions.append(region)
        self.stub.activate()
        return self.client


def _args(*argv: str) -> Any:
    return cli.build_parser().parse_args(["request", *argv])


def _project(tmp_path: Path, name: str, config: dict[str, Any]) -> Path:
    """A Pulumi project whose program is this repository's, with one stack file of our own."""
    (tmp_path / "__main__.py").symlink_to(REPO / "__main__.py")
    (tmp_path / "infra").symlink_to(REPO / "infra")
    project_file = "name: ses-sender\nruntime: python\nstackConfigDir: stacks\n"
    (tmp_path / "Pulumi.yaml").write_text(project_file, "utf-8")
    (tmp_path / "stacks").mkdir()
    import yaml

    (tmp_path / "stacks" / f"Pulumi.{name}.yaml").write_text(
        yaml.safe_dump({"config": config}), encoding="utf-8"
    )
    return tmp_path


def test_submit_sends_once_after_lint_and_yes(
    docs: dict[str, Document], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    expected = builder.params(docs["prod"])
    recorder.stub.add_response("put_account_details", {}, expected)
    recorder.stub.add_response(
        "get_account",
        {
            "ProductionAccessEnabled": False,
            "Details": {"ReviewDetails": {"Status": "PENDING", "CaseId": "17"}},
        },
        {},
    )
    code = request_cmd.run(
        _args("--stack", "prod", "--submit", "--yes", "--format", "json"), client_factory=recorder
    )
    out = capsys.readouterr()
    assert code == 0
    recorder.stub.assert_no_pending_responses()
    assert recorder.regions == ["us-east-1"]
    assert "review status PENDING, case 17 (still in the sandbox)" in out.err
    assert json.loads(out.out)["results"][0]["passed"] is True
    assert "Production-access request for stack prod (us-east-1)" in out.err


def test_submit_never_sends_on_a_failed_lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = program.load_stack_config(REPO, "prod")
    config["ses-sender:request"]["listBuilding"] = (
        "We purchased a list of 50,000 addresses from a data broker and add customers who opt in."
    )
    root = _project(tmp_path, "flagged", config)
    recorder = Recorder()  # nothing stubbed: any call would raise
    code = request_cmd.run(
        _args("--stack", "flagged", "--root", str(root), "--submit", "--yes", "--format", "json"),
        client_factory=recorder,
    )
    out = capsys.readouterr()
    assert code == 1
    assert recorder.regions == []
    assert "not submitted" in out.err
    assert any(f["rule"] == "SES-031" for f in json.loads(out.out)["results"][0]["findings"])


def test_submit_without_terminal_or_yes_refuses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(request_cmd, "sesv2_client", lambda region, *_: calls.append(region))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["request", "--stack", "prod", "--submit"]) == 2
    err = capsys.readouterr().err
    assert "no terminal to ask on: add --yes" in err
    assert calls == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "sent"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_submit_asks_first(
    answer: str,
    sent: bool,
    docs: dict[str, Document],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorder = Recorder()
    if sent:
        recorder.stub.add_response("put_account_details", {}, builder.params(docs["prod"]))
        recorder.stub.add_response("get_account", {"Details": {"ReviewDetails": {"Status": "PENDING"}}}, {})
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    code = request_cmd.run(_args("--stack", "prod", "--submit", "--format", "json"), client_factory=recorder)
    err = capsys.readouterr().err
    assert code == 0
    assert "Submit this production-access request to SES in us-east-1? [y/N]" in err
    assert (recorder.regions == ["us-east-1"]) is sent
    recorder.stub.assert_no_pending_responses()
    assert ("submitted; review status PENDING" in err) is sent


def test_submit_error_is_one_line(docs: dict[str, Document], capsys: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder()
    recorder.stub.add_client_error(
        "put_account_details", service_error_code="ConflictException", service_message="already under review"
    )
    with pytest.raises(Exception) as info:
        request_cmd.run(
            _args("--stack", "prod", "--submit", "--yes", "--format", "json"), client_factory=recorder
        )
    assert str(info.value) == "sesv2 put_account_details (us-east-1): ConflictException: already under review"


def test_request_output_writes_the_parameters(
    tmp_path: Path, docs: dict[str, Document], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "request.json"
    code = request_cmd.run(_args("--stack", "marketing", "--request-output", str(out), "--format", "json"))
    capsys.readouterr()
    assert code == 0
    assert json.loads(out.read_text()) == builder.params(docs["marketing"])


def test_unknown_stack_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["request", "--stack", "nope"]) == 2
    assert "no such stack" in capsys.readouterr().err


def test_submit_never_sends_behind_a_lying_opa_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server answering `{"result": []}` would make any request pass its lint; and decoys cannot be
    mixed into a request's own facts: an OPA server never judges a request that may be sent."""
    from opa_rest_server import OpaRestServer

    recorder = Recorder()  # nothing stubbed: any call would raise
    monkeypatch.setattr(request_cmd, "sesv2_client", lambda region, *_: recorder(region))
    with OpaRestServer() as server:
        server.set_fault("answer", "/v1/data/sesguard/findings")
        server.answer = {"result": []}
        code = cli.main(["request", "--stack", "prod", "--submit", "--yes", "--opa-url", server.url])
    err = capsys.readouterr().err
    assert code == 2
    assert recorder.regions == []
    assert "does not evaluate sesguard's policies" in err or "judged with the embedded engine only" in err


@pytest.mark.parametrize("prefix", ["sesguard", "newsletter"])
def test_another_project_answers_in_sesguard_or_its_own_keys(
    docs: dict[str, Document], configs: dict[str, dict[str, Any]], prefix: str
) -> None:
    """A project not named ses-sender: its `sesguard:` (or `<project>:`) keys answer AWS's questions."""
    doc = {**docs["prod"], "project": "newsletter"}
    config = {k.replace("ses-sender:", f"{prefix}:"): v for k, v in configs["prod"].items()}
    ours = builder.request_document(doc, config)["request"]
    theirs = builder.request_document(docs["prod"], configs["prod"])["request"]
    assert ours["answers"] == theirs["answers"] and all(ours["answers"].values())
    assert ours["params"] == theirs["params"]


def test_submit_never_sends_on_a_servers_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even an honest server: its answer on SES-030..032 cannot be checked, so nothing is sent."""
    from opa_rest_server import OpaRestServer

    recorder = Recorder()  # nothing stubbed: any call would raise
    monkeypatch.setattr(request_cmd, "sesv2_client", lambda region, *_: recorder(region))
    with OpaRestServer() as server:
        server.dishonest = "first-only"  # the old canary's place: truthful first, [] after
        code = cli.main(["request", "--stack", "prod", "--submit", "--yes", "--opa-url", server.url])
    err = capsys.readouterr().err
    assert code == 2
    assert recorder.regions == []
    assert "request documents are judged with the embedded engine only" in err
