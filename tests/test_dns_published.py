"""`sesguard dns` against a real DNS server (dnsmasq on 127.0.0.1): a compliant zone passes, each
broken zone fails on the rule that owns the breakage, and a silent nameserver is an error (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from sesguard import cli
from sesguard.errors import SesguardError
from sesguard.sources.live import dns as dns_source

# The fixture module is imported here for Zone as well as loaded as a plugin below.
pytest.register_assert_rewrite("tests.dnsserver")
from tests.dnsserver import Zone  # noqa: E402

pytest_plugins = ["tests.dnsserver"]

DOMAIN = "example.com"
MAIL_FROM = "mail.example.com"
TOKENS = ("tok1aaaa", "tok2bbbb", "tok3cccc")
MX = "feedback-smtp.us-east-1.amazonses.com"
SPF = "v=spf1 include:amazonses.com ~all"
DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
# amazonses.com's own SPF record, so the include tree can be resolved and counted locally.
AMAZONSES_SPF = "v=spf1 ip4:199.255.192.0/22 ip4:54.240.0.0/18 -all"


def zone(
    *,
    dmarc: list[str] | None = None,
    spf: list[str] | None = None,
    tokens: tuple[str, ...] = TOKENS,
    mx: list[tuple[str, int]] | None = None,
    extra_txt: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> Zone:
    z = Zone(local=[DOMAIN, "amazonses.com"])
    z.txt += [(f"_dmarc.{DOMAIN}", v) for v in ([DMARC] if dmarc is None else dmarc)]
    z.txt += [(MAIL_FROM, v) for v in ([SPF] if spf is None else spf)]
    z.txt += [("amazonses.com", AMAZONSES_SPF), *extra_txt]
    for t in tokens:
        z.hosts.append((f"{t}.dkim.amazonses.com", "127.0.0.2"))
        z.cname.append((f"{t}._domainkey.{DOMAIN}", f"{t}.dkim.amazonses.com"))
    z.mx += [(MAIL_FROM, host, pref) for host, pref in ([(MX, 10)] if mx is None else mx)]
    return z


def run_dns(
    capsys: pytest.CaptureFixture[str], nameserver: str, *extra: str
) -> tuple[int, dict[str, Any], str]:
    argv = [
        "dns",
        DOMAIN,
        "--nameserver",
        nameserver,
        "--region",
        "us-east-1",
        "--format",
        "json",
        "--timeout",
        "2",
    ]
    argv += [a for t in TOKENS for a in ("--dkim-token", t)]
    code = cli.main([*argv, *extra])
    out = capsys.readouterr()
    report = json.loads(out.out) if code in (0, 1) else {}
    return code, report, out.err


def findings(report: dict[str, Any], rule: str) -> list[str]:
    return [f["message"] for r in report["results"] for f in r["findings"] if f["rule"] == rule]


def test_compliant_zone_passes(dns_server: Callable[[Zone], str], capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = run_dns(capsys, dns_server(zone()))
    assert report["results"][0]["source"] == "dns"
    assert [f for r in report["results"] for f in r["findings"] if f["rule"].startswith("SES-05")] == []
    assert code == 0


@pytest.mark.parametrize(
    ("broken", "rule", "expected"),
    [
        (
            zone(dmarc=[]),
            "SES-050",
            "no DMARC record is published at _dmarc.example.com: the name does not exist",
        ),
        (zone(dmarc=["v=DMARC1; p=none; rua=mailto:dmarc@example.com"]), "SES-050", "has p=none"),
        (zone(dmarc=[DMARC, "v=DMARC1; p=none"]), "SES-050", "2 DMARC records"),
        (zone(spf=[SPF, "v=spf1 -all"]), "SES-052", "2 SPF records are published at mail.example.com"),
        (zone(spf=["v=spf1 include:amazonses.com +all"]), "SES-052", "ends with +all"),
        (zone(spf=["v=spf1 mx ~all"]), "SES-052", "does not include amazonses.com"),
        (zone(spf=[]), "SES-052", "no SPF record is published at the MAIL FROM domain mail.example.com"),
        (
            zone(tokens=TOKENS[:2]),
            "SES-051",
            "no DKIM CNAME is published at tok3cccc._domainkey.example.com: "
            "the name does not exist (NXDOMAIN)",
        ),
        (
            zone(mx=[("feedback-smtp.eu-west-1.amazonses.com", 10)]),
            "SES-052",
            "has MX 10 feedback-smtp.eu-west-1.amazonses.com; SES needs exactly one MX 10 " + MX,
        ),
        (zone(mx=[(MX, 10), ("mx.example.net", 20)]), "SES-052", "SES needs exactly one MX"),
        (zone(mx=[]), "SES-052", "no MX record is published at the MAIL FROM domain mail.example.com"),
    ],
    ids=[
        "no-dmarc",
        "p-none",
        "two-dmarc",
        "two-spf",
        "plus-all",
        "spf-without-amazonses",
        "no-spf",
        "missing-dkim-cname",
        "wrong-mx",
        "extra-mx",
        "no-mx",
    ],
)
def test_broken_zone_fails(
    dns_server: Callable[[Zone], str],
    capsys: pytest.CaptureFixture[str],
    broken: Zone,
    rule: str,
    expected: str,
) -> None:
    code, report, _ = run_dns(capsys, dns_server(broken))
    messages = findings(report, rule)
    assert any(expected in m for m in messages), messages
    # The breakage is reported by the rule that owns it, and only there.
    others = [
        f
        for r in report["results"]
        for f in r["findings"]
        if f["rule"].startswith("SES-05") and f["rule"] != rule
    ]
    assert others == []
    assert code == 1


def test_spf_lookups_counted_over_real_includes(
    dns_server: Callable[[Zone], str], capsys: pytest.CaptureFixture[str]
) -> None:
    # The record itself has two lookups; the include chain behind it has ten more.
    chain = [(f"s{i}.{DOMAIN}", f"v=spf1 include:s{i + 1}.{DOMAIN} -all") for i in range(1, 10)]
    chain.append((f"s10.{DOMAIN}", "v=spf1 ip4:192.0.2.1 -all"))
    z = zone(spf=[f"v=spf1 include:amazonses.com include:s1.{DOMAIN} ~all"], extra_txt=chain)
    code, report, _ = run_dns(capsys, dns_server(z))
    assert any("needs 11 DNS lookups; receivers stop at 10" in m for m in findings(report, "SES-052"))
    assert code == 1


def test_spf_lookups_within_limit_pass(dns_server: Callable[[Zone], str]) -> None:
    # Two lookups in the record and eight behind it: exactly the limit.
    chain = [(f"s{i}.{DOMAIN}", f"v=spf1 include:s{i + 1}.{DOMAIN} -all") for i in range(1, 9)]
    chain.append((f"s9.{DOMAIN}", "v=spf1 ip4:192.0.2.1 -all"))
    z = zone(spf=[f"v=spf1 include:amazonses.com include:s1.{DOMAIN} ~all"], extra_txt=chain)
    address = dns_server(z)
    target = dns_source.Target(DOMAIN, MAIL_FROM, "us-east-1", TOKENS)
    doc = dns_source.read(target, dns_source.make_resolver(dns_source.parse_nameserver(address), 2.0))
    assert doc["facts"]["dns"]["spf"] == [{"name": MAIL_FROM, "lookups": 10.0, "error": None}]


def test_outcomes_are_distinct(dns_server: Callable[[Zone], str]) -> None:
    address = dns_server(zone(dmarc=[], mx=[]))
    resolver = dns_source.make_resolver(dns_source.parse_nameserver(address), 2.0)
    assert dns_source.query(resolver, f"_dmarc.{DOMAIN}", "TXT").status == "nxdomain"
    assert dns_source.query(resolver, MAIL_FROM, "MX").status == "nodata"
    ok = dns_source.query(resolver, f"{TOKENS[0]}._domainkey.{DOMAIN}.", "CNAME")
    assert (ok.status, ok.answers) == ("ok", [f"{TOKENS[0]}.dkim.amazonses.com"])
    # A name outside what the server serves is refused: an error, not "no record".
    assert dns_source.query(resolver, "example.org", "TXT").status == "error"


def test_document_records_are_resources(dns_server: Callable[[Zone], str]) -> None:
    address = dns_server(zone())
    target = dns_source.Target(DOMAIN, MAIL_FROM, "us-east-1", TOKENS)
    doc = dns_source.read(target, dns_source.make_resolver(dns_source.parse_nameserver(address), 2.0))
    from sesguard.document import validate

    validate(doc, "dns document")
    by_name = {r["name"]: r["props"] for r in doc["resources"]}
    assert by_name[f"{MAIL_FROM}/MX"] == {
        "name": MAIL_FROM,
        "type": "MX",
        "records": [f"10 {MX}"],
        "status": "ok",
    }
    assert by_name[f"_dmarc.{DOMAIN}/TXT"]["records"] == [DMARC]
    assert {r["type"] for r in doc["resources"]} == {dns_source.RECORD_TYPE}
    assert doc["facts"]["dns"]["nameserver"] == address


def test_silent_nameserver_is_an_error(silent_nameserver: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_dns(capsys, silent_nameserver, "--timeout", "1")
    assert code == 2
    assert f"nameserver {silent_nameserver} did not answer TXT _dmarc.example.com" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("bad", ["dns.example.com", "127.0.0.1:0", "127.0.0.1:99999", "[::1]x"])
def test_bad_nameserver_option_is_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["dns", DOMAIN, "--nameserver", bad, "--region", "us-east-1"]) == 2
    assert "--nameserver" in capsys.readouterr().err


def test_ipv6_nameserver_parses() -> None:
    assert dns_source.parse_nameserver("[::1]:5353") == dns_source.Nameserver("::1", 5353)
    assert str(dns_source.parse_nameserver("::1")) == "[::1]:53"


# --- what to look up ---------------------------------------------------------------------------


def _stubbed_sesv2(
    tokens: list[str] | None, error: str | None = None
) -> tuple[Callable[[str], Any], Stubber]:
    client = boto3.client("sesv2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    if error:
        stub.add_client_error("get_email_identity", service_error_code=error, http_status_code=403)
    else:
        stub.add_response(
            "get_email_identity",
            {"DkimAttributes": {"Tokens": tokens or []}},
            {"EmailIdentity": "staging.acmetickets.com"},
        )
    stub.activate()
    return (lambda region: client), stub


def test_target_from_stack_uses_its_config_and_live_tokens() -> None:
    factory, stub = _stubbed_sesv2(["AAA", "BBB", "CCC"])
    target = dns_source.make_target("Staging.AcmeTickets.com.", stack="staging", client_factory=factory)
    stub.assert_no_pending_responses()
    assert target.mail_from == "bounce.staging.acmetickets.com"  # mailFromSubdomain: bounce
    assert target.region == "us-east-1"
    assert target.dkim_tokens == ("aaa", "bbb", "ccc")
    assert target.config["ses-sender:mailType"] == "TRANSACTIONAL"


def test_target_given_tokens_skip_the_live_call() -> None:
    factory, stub = _stubbed_sesv2(None)
    target = dns_source.make_target(
        "staging.acmetickets.com",
        stack="staging",
        dkim_tokens=["T1"],
        mail_from="mx.staging.acmetickets.com",
        region="eu-west-1",
        client_factory=factory,
    )
    assert (target.dkim_tokens, target.mail_from, target.region) == (
        ("t1",),
        "mx.staging.acmetickets.com",
        "eu-west-1",
    )
    with pytest.raises(AssertionError):
        stub.assert_no_pending_responses()  # the stubbed call was never made


def test_target_live_tokens_denied_is_an_error() -> None:
    factory, _ = _stubbed_sesv2(None, error="AccessDeniedException")
    with pytest.raises(SesguardError, match="AccessDeniedException; give the tokens with --dkim-token"):
        dns_source.make_target("staging.acmetickets.com", stack="staging", client_factory=factory)


def test_target_domain_not_in_stack_is_an_error() -> None:
    with pytest.raises(SesguardError, match=r"example\.com is not one of its senders"):
        dns_source.make_target("example.com", stack="staging", dkim_tokens=["x"])


def test_target_defaults_to_mail_subdomain() -> None:
    target = dns_source.make_target("example.com", region="us-west-2")
    assert (target.mail_from, target.dkim_tokens, target.stack) == ("mail.example.com", (), None)


@pytest.mark.parametrize(
    ("domain", "problem"),
    [
        ("\U0001f600.example.com", "IDNA processing exception"),
        ("stra\u00dfe\u200d.example.de", "Joiner U+200D not allowed"),
        ("a" * 64 + ".example.com", "label is > 63 octets"),
    ],
)
def test_a_name_dns_cannot_carry_is_named_as_such(
    domain: str, problem: str, silent_nameserver: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "the nameserver did not answer": no query is sent for a name that cannot be encoded."""
    code = cli.main(
        ["dns", domain, "--nameserver", silent_nameserver, "--region", "us-east-1", "--timeout", "1"]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "is not a valid DNS name" in err and problem in err and "did not answer" not in err


@pytest.mark.parametrize("prefix", ["sesguard", "newsletter"])
def test_target_from_another_projects_stack_reads_its_senders(tmp_path: Path, prefix: str) -> None:
    """--stack in a project not named ses-sender: `sesguard:senders` or `<project>:senders`."""
    (tmp_path / "Pulumi.yaml").write_text("name: newsletter\nruntime: python\n", "utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n"
        f"  {prefix}:senders:\n    - domain: news.example.org\n      mailFromSubdomain: bounce\n",
        "utf-8",
    )
    target = dns_source.make_target("news.example.org", stack="dev", dkim_tokens=["T1"], root=tmp_path)
    assert (target.mail_from, target.region) == ("bounce.news.example.org", "eu-west-1")
