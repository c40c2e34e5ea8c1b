"""Source "dns": what a domain really publishes, read with dnspython, as a stack document.

The document carries every query and its outcome in ``facts.dns`` and each answered name/type as a
``sesguard:dns/record:Record`` resource whose props follow the Route53 record shape (``name``,
``type``, ``records``), so SES-050…052 judge published records with the same lib.dmarc / lib.spf
parsers the pack uses for declared ones. The type is deliberately not a Route53 or Cloudflare
token: the declaration rules (SES-004/005/009/010) must not judge published DNS a second time.

Outcomes are kept apart: NXDOMAIN and NODATA are observations ("no record" findings); a nameserver
that does not answer at all is a network error (exit 2 naming it), never a pass.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.resolver

from sesguard import project as pulumi_project
from sesguard.aws import sesv2_client
from sesguard.document import Document, new_document
from sesguard.errors import SesguardError

RECORD_TYPE = "sesguard:dns/record:Record"
PROJECT = "published-dns"
DEFAULT_TIMEOUT = 3.0
# dnspython retries each nameserver within the lifetime; one lost UDP datagram should not cost it.
_TRY_TIMEOUT = 1.0

Status = str  # "ok" | "nxdomain" | "nodata" | "timeout" | "servfail" | "error"


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """``HOST[:PORT]`` (``[v6]:PORT`` for IPv6) to a nameserver; HOST must be an IP address."""
    host, port = text.strip(), "53"
    if host.startswith("["):
        inner, _, rest = host[1:].partition("]")
        host = inner
        if rest:
            if not rest.startswith(":"):
                raise SesguardError(f"--nameserver {text!r}: expected HOST[:PORT] or [IPv6]:PORT")
            port = rest[1:]
    elif host.count(":") == 1:
        host, port = host.split(":")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise SesguardError(f"--nameserver {text!r}: {host!r} is not an IP address") from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise SesguardError(f"--nameserver {text!r}: port {port!r} is not 1-65535")
    return Nameserver(host, int(port))


def make_resolver(nameserver: Nameserver | None, timeout: float = DEFAULT_TIMEOUT) -> dns.resolver.Resolver:
    """A resolver bounded by ``timeout`` seconds per query: the given nameserver, or the system's."""
    if nameserver is None:
        try:
            resolver = dns.resolver.Resolver(configure=True)
        except dns.resolver.NoResolverConfiguration:
            raise SesguardError("no system resolver configured: give --nameserver HOST[:PORT]") from None
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [nameserver.host]
        resolver.port = nameserver.port
    resolver.timeout = min(_TRY_TIMEOUT, timeout)
    resolver.lifetime = timeout
    resolver.cache = None
    return resolver


def describe(resolver: dns.resolver.Resolver) -> str:
    return ", ".join(
        f"{ns}:{resolver.port}" if isinstance(ns, str) else str(ns) for ns in resolver.nameservers
    )


def _check_name(name: str, what: str) -> None:
    """A name DNS cannot carry (bad IDNA, a label over 63 octets) is the user's error, not the
    nameserver's: dnspython would otherwise fail each query and it would read as "did not answer"."""
    try:
        dns.name.from_text(name)
    except dns.exception.DNSException as err:
        reason = str(err).splitlines()[0][:120] or type(err).__name__
        raise SesguardError(f"{what} {name[:80]!r} is not a valid DNS name: {reason}") from None


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _rdata_text(rdtype: str, rdata: Any) -> str:
    if rdtype == "TXT":
        # One TXT record may be several character-strings; receivers join them (RFC 7208 §3.3).
        return b"".join(rdata.strings).decode("utf-8", errors="replace")
    if rdtype == "MX":
        return f"{rdata.preference} {_norm(rdata.exchange.to_text())}"
    if rdtype == "CNAME":
        return _norm(rdata.target.to_text())
    return str(rdata.to_text())


@dataclass
class Query:
    name: str
    type: str
    status: Status
    answers: list[str] = field(default_factory=list)
    detail: str = ""

    def as_fact(self) -> dict[str, Any]:
        fact: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "answers": self.answers,
        }
        if self.detail:
            fact["detail"] = self.detail
        return fact


def _no_nameservers(err: dns.resolver.NoNameservers) -> tuple[Status, str]:
    """Every server failed: SERVFAIL is the zone's problem (a receiver sees it too); anything else
    (REFUSED, a socket error) means the resolver would not answer us."""
    errors = err.kwargs.get("errors") or []
    rcodes = []
    for entry in errors:
        answer = entry[-1] if len(entry) >= 5 else None
        if isinstance(answer, dns.message.Message):
            rcodes.append(dns.rcode.to_text(answer.rcode()))
        else:
            rcodes.append(str(entry[3]) if len(entry) > 3 else "error")
    if rcodes and all(r == "SERVFAIL" for r in rcodes):
        return "servfail", "SERVFAIL"
    return "error", "; ".join(dict.fromkeys(rcodes)) or str(err)


def query(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> Query:
    """One question, one clearly named outcome; never raises for what the DNS answered."""
    name = _norm(name)
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return Query(name, rdtype, "nxdomain")
    except dns.resolver.LifetimeTimeout as err:
        return Query(name, rdtype, "timeout", detail=f"no answer within {err.kwargs.get('timeout', 0):.1f}s")
    except dns.resolver.NoNameservers as err:
        status, detail = _no_nameservers(err)
        return Query(name, rdtype, status, detail=detail)
    except (dns.exception.DNSException, OSError) as err:
        return Query(name, rdtype, "error", detail=f"{type(err).__name__}: {err}")
    # A CNAME chain is followed for other types; only the records of the asked type are answers.
    wanted = dns.rdatatype.from_text(rdtype)
    values = sorted(
        _rdata_text(rdtype, rd) for rrset in answer.response.answer if rrset.rdtype == wanted for rd in rrset
    )
    return Query(name, rdtype, "ok" if values else "nodata", values)


# --- SPF lookup counting -------------------------------------------------------------------------


def spf_lookups(resolver: dns.resolver.Resolver, name: str) -> dict[str, Any]:
    """RFC 7208 §4.6.4 counts DNS lookups over the whole include tree, which only resolving the real
    includes can tell: checkdmarc does that, through the same resolver."""
    import checkdmarc.spf
    import checkdmarc.utils

    # checkdmarc memoizes answers and nameserver failures per process; a check must see live DNS.
    checkdmarc.utils.DNS_CACHE.clear()
    failures = getattr(checkdmarc.utils, "_NAMESERVER_FAILURES", None)
    if failures is not None:
        failures.clear()
    try:
        result = checkdmarc.spf.check_spf(name, resolver=resolver, timeout=resolver.lifetime, retries=0)
    except Exception as err:  # checkdmarc's own failure is a fact to report, never a pass
        return {"name": name, "lookups": None, "error": f"{type(err).__name__}: {err}"}
    error = result.get("error")
    lookups = result.get("dns_lookups")
    return {
        "name": name,
        "lookups": float(lookups) if isinstance(lookups, int) else None,
        "error": str(error) if error else None,
    }


# --- the document --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What to look up for one sending domain."""

    domain: str
    mail_from: str
    region: str
    dkim_tokens: tuple[str, ...] = ()
    stack: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    project: str | None = None  # the Pulumi project of --stack


def questions(target: Target) -> list[tuple[str, str]]:
    qs = [(f"_dmarc.{target.domain}", "TXT")]
    qs += [(f"{t}._domainkey.{target.domain}", "CNAME") for t in target.dkim_tokens]
    qs += [(target.mail_from, "MX"), (target.mail_from, "TXT")]
    return qs


def read(
    target: Target,
    resolver: dns.resolver.Resolver,
    *,
    progress: Callable[[str], None] | None = None,
) -> Document:
    """Query every record SES needs for ``target`` and build the stack document.

    Raises SesguardError when the first question times out or the resolver refuses to serve
    it: then nothing published could be observed, and that is a network error, not a finding.
    """
    queries: list[Query] = []
    for i, (name, rdtype) in enumerate(questions(target)):
        if progress:
            progress(f"{rdtype} {name}")
        q = query(resolver, name, rdtype)
        if i == 0 and q.status in ("timeout", "error"):
            raise SesguardError(f"nameserver {describe(resolver)} did not answer {rdtype} {name}: {q.detail}")
        queries.append(q)
    spf = [
        spf_lookups(resolver, q.name)
        for q in queries
        if q.type == "TXT" and q.name == target.mail_from and sum(is_spf(a) for a in q.answers) == 1
    ]
    return build_document(target, queries, spf, nameserver=describe(resolver))


def is_spf(txt: str) -> bool:
    return txt.lower().startswith("v=spf1") and (len(txt) == 6 or txt[6] == " ")


def _urn(stack: str, project: str, name: str, rdtype: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{RECORD_TYPE}::{name}/{rdtype}"


def build_document(
    target: Target, queries: Sequence[Query], spf: Iterable[dict[str, Any]], *, nameserver: str
) -> Document:
    project = target.project or PROJECT
    stack = target.stack or target.domain
    resources = [
        {
            "urn": _urn(stack, project, q.name, q.type),
            "type": RECORD_TYPE,
            "name": f"{q.name}/{q.type}",
            "props": {"name": q.name, "type": q.type, "records": q.answers, "status": q.status},
        }
        for q in queries
    ]
    facts = {
        "dns": {
            "domain": target.domain,
            "mailFrom": target.mail_from,
            "region": target.region,
            "nameserver": nameserver,
            "dkimTokens": list(target.dkim_tokens),
            "queries": [q.as_fact() for q in queries],
            "spf": list(spf),
        }
    }
    return new_document(
        source="dns",
        project=project,
        stack=stack,
        region=target.region,
        config=pulumi_project.redact_secure(target.config)[0],
        resources=resources,
        facts=facts,
    )


# --- what to look up -----------------------------------------------------------------------------

ClientFactory = Callable[[str], Any]


def live_dkim_tokens(
    domain: str, region: str, client_factory: ClientFactory = sesv2_client
) -> tuple[str, ...]:
    """The identity's Easy DKIM tokens as SES holds them (read-only: sesv2 get_email_identity)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        reply = client_factory(region).get_email_identity(EmailIdentity=domain)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "error")
        raise SesguardError(
            f"sesv2 get_email_identity {domain} ({region}): {code}; give the tokens with --dkim-token"
        ) from None
    except BotoCoreError as err:
        raise SesguardError(
            f"sesv2 get_email_identity {domain} ({region}): {err}; give --dkim-token"
        ) from None
    tokens = (reply.get("DkimAttributes") or {}).get("Tokens") or []
    return tuple(str(t) for t in tokens)


def _default_region() -> str | None:
    try:
        import boto3

        return boto3.session.Session().region_name
    except Exception:  # no usable AWS config is not an error here: --region can still say it
        return None


def make_target(
    domain: str,
    *,
    region: str | None = None,
    mail_from: str | None = None,
    dkim_tokens: Sequence[str] = (),
    stack: str | None = None,
    root: Any = None,
    client_factory: ClientFactory = sesv2_client,
) -> Target:
    """Decide what to query: options first, then the stack's config, then defaults.

    With --stack the domain must be one of its senders; its region and MAIL FROM subdomain are
    the stack's, and the DKIM tokens (unless given) are read from the live identity.
    """
    domain = _norm(domain)
    if not domain or "." not in domain:
        raise SesguardError(f"{domain!r} is not a domain name")
    _check_name(domain, "the domain")
    if mail_from:
        _check_name(_norm(mail_from), "--mail-from")
    config: dict[str, Any] = {}
    stack_mail_from = None
    project_name: str | None = None
    if stack:
        from sesguard import stackconfig
        from sesguard.sources.pulumi import program

        config = program.load_stack_config(root, stack)
        project_name = pulumi_project.find(root).name
        senders = stackconfig.setting(config, project_name, "senders") or []
        if not isinstance(senders, list):
            raise SesguardError(f"stack {stack}: `senders` must be a list of {{domain, mailFromSubdomain}}")
        sender = next(
            (s for s in senders if isinstance(s, dict) and _norm(str(s.get("domain", ""))) == domain), None
        )
        if sender is None:
            known = ", ".join(str(s.get("domain")) for s in senders if isinstance(s, dict)) or "none"
            raise SesguardError(f"stack {stack}: {domain} is not one of its senders ({known})")
        stack_mail_from = f"{sender.get('mailFromSubdomain', 'mail')}.{domain}"
        stack_region = config.get("aws:region")
        region = region or (stack_region if isinstance(stack_region, str) else None)
    region = region or _default_region()
    if not region:
        raise SesguardError("no AWS region: give --region (the MAIL FROM MX names feedback-smtp.<region>)")
    tokens = tuple(_norm(t) for t in dkim_tokens if t.strip())
    if not tokens and stack:
        tokens = tuple(_norm(t) for t in live_dkim_tokens(domain, region, client_factory))
    mf = _norm(mail_from or stack_mail_from or f"mail.{domain}")
    return Target(domain, mf, region, tokens, stack, config, project_name)
