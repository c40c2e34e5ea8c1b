"""Source "live": read one region of an SES account with boto3, read-only, and return the stack document.

What the account holds becomes resources of the same type tokens and camelCase props a Pulumi
program declares, so SES-001…SES-026 judge the live account unchanged; what only a live account
can show (verification, DKIM and MAIL FROM status, account health, reputation) goes into `facts`.

DNS records are not account resources: the audit does not claim them. The document says so with
`config["sesguard:externalDns"] = true`, which the DNS rules (SES-004/005/009…) read as "DNS is
published elsewhere and verified by `sesguard dns`", so they do not fire falsely on a live account.

Faults: throttling and 5xx are retried by botocore's standard retry mode. A call that is denied or
still fails after its retries is recorded in `facts.notEvaluated` with the rules whose input it
would have supplied; the command reports those rules as not evaluated and exits 2 — never a pass.
Missing credentials, an unknown profile or an unreachable STS are a SesguardError (one line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sesguard.document import Document, new_document
from sesguard.errors import SesguardError

DEFAULT_MAX_ATTEMPTS = 5
# Loops over pages stop here whatever the service says: a request loop is always bounded.
MAX_PAGES = 200
NAMESPACE = "AWS/SES"
METRICS = {"bounceRate": "Reputation.BounceRate", "complaintRate": "Reputation.ComplaintRate"}
METRIC_PERIOD = 900

T_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity"
T_MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"
T_IDENTITY_POLICY = "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy"
T_CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet"
T_EVENT_DESTINATION = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination"
T_ACCOUNT_SUPPRESSION = "aws:sesv2/accountSuppressionAttributes:AccountSuppressionAttributes"
T_CONTACT_LIST = "aws:sesv2/contactList:ContactList"
T_NOTIFICATION_TOPIC = "aws:ses/identityNotificationTopic:IdentityNotificationTopic"
T_TOPIC = "aws:sns/topic:Topic"
T_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
T_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"

# The rules whose input each read supplies: if the read fails, these rules are not evaluated.
_IDENTITY_RULES = (
    "SES-001", "SES-002", "SES-003", "SES-004", "SES-005", "SES-006", "SES-007", "SES-008",
    "SES-009", "SES-010", "SES-011", "SES-012", "SES-024", "SES-040", "SES-043",
)  # fmt: skip
RULES_BY_CALL: dict[str, tuple[str, ...]] = {
    "ses:GetAccount": ("SES-016", "SES-041", "SES-043"),
    "ses:ListEmailIdentities": _IDENTITY_RULES,
    "ses:GetEmailIdentity": (
        "SES-002",
        "SES-003",
        "SES-008",
        "SES-011",
        "SES-012",
        "SES-024",
        "SES-040",
        "SES-043",
    ),
    "ses:ListConfigurationSets": (
        "SES-011",
        "SES-012",
        "SES-013",
        "SES-014",
        "SES-015",
        "SES-017",
        "SES-018",
        "SES-019",
        "SES-020",
        "SES-043",
    ),
    "ses:GetConfigurationSet": ("SES-017", "SES-018", "SES-019", "SES-020", "SES-043"),
    "ses:GetConfigurationSetEventDestinations": ("SES-012", "SES-013", "SES-014", "SES-015", "SES-043"),
    "ses:GetIdentityNotificationAttributes": ("SES-011", "SES-012", "SES-013"),
    "ses:ListContactLists": ("SES-025", "SES-043"),
    "ses:GetContactList": ("SES-025", "SES-043"),
    "sns:GetTopicAttributes": ("SES-013", "SES-014", "SES-015", "SES-023", "SES-043"),
    "sns:ListSubscriptionsByTopic": ("SES-013", "SES-015", "SES-023"),
    "cloudwatch:DescribeAlarms": ("SES-021", "SES-022", "SES-023", "SES-043"),
    "cloudwatch:GetMetricData": ("SES-042",),
}

# A resource that is gone is a fact about the account, not a failed read.
_NOT_FOUND = {"NotFoundException", "NotFound", "ResourceNotFoundException", "ResourceNotFound"}
# The IAM action prefix of each boto3 service the audit uses.
IAM_PREFIX = {"sesv2": "ses", "ses": "ses", "sns": "sns", "cloudwatch": "cloudwatch", "sts": "sts"}

Progress = Callable[[str], None]


@dataclass
class Clients:
    """The boto3 clients the audit reads through; injectable so tests can stub or record them."""

    sesv2: Any
    ses: Any
    sns: Any
    cloudwatch: Any
    sts: Any
    region: str

    @classmethod
    def connect(
        cls, region: str | None = None, profile: str | None = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS
    ) -> Clients:
        """Clients for one region: `region`, else the AWS config chain (env, profile). boto3 itself
        honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>. `max_attempts` is botocore's retry
        setting: retries after the first attempt, with the standard mode's backoff and quota."""
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        try:
            session = boto3.session.Session(profile_name=profile, region_name=region)
        except BotoCoreError as err:  # ProfileNotFound and friends
            raise SesguardError(f"AWS profile {profile!r}: {err}") from None
        if not session.region_name:
            raise SesguardError("no AWS region: pass --region, set AWS_REGION or give the profile a region")
        config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            connect_timeout=10,
            read_timeout=30,
            user_agent_extra="sesguard-audit",
        )

        def make(name: str) -> Any:
            return session.client(name, config=config)

        return cls(
            sesv2=make("sesv2"),
            ses=make("ses"),
            sns=make("sns"),
            cloudwatch=make("cloudwatch"),
            sts=make("sts"),
            region=session.region_name,
        )

    def all(self) -> list[Any]:
        return [self.sesv2, self.ses, self.sns, self.cloudwatch, self.sts]


def iam_action(client: Any, operation: str) -> str:
    """`ses:GetAccount` for sesv2.get_account: how a failed call is named to the user and in the policy."""
    service = client.meta.service_model.service_name
    return f"{IAM_PREFIX.get(service, service)}:{client.meta.method_to_api_mapping.get(operation, operation)}"


def camel(value: Any) -> Any:
    """AWS API shapes (PascalCase) to the engine's camelCase names, at every depth."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:]): camel(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [camel(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _without(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in keys}


def _safe_endpoint(protocol: str, endpoint: str) -> str:
    """Subscription endpoints can carry tokens in a URL's query or user info: keep only what rules need."""
    if protocol in ("http", "https"):
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return endpoint


@dataclass
class _Reader:
    clients: Clients
    progress: Progress
    not_evaluated: list[dict[str, Any]] = field(default_factory=list)

    def call(
        self, client: Any, operation: str, target: str | None = None, **params: Any
    ) -> dict[str, Any] | None:
        """One API call; a failure is recorded against the rules it feeds and answers None.

        A missing resource answers {"__missing__": True} so callers can tell "gone" from "unread".
        """
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        action = iam_action(client, operation)
        try:
            response: dict[str, Any] = getattr(client, operation)(**params)
            return response
        except NoCredentialsError:
            raise SesguardError("no AWS credentials found (environment, profile or instance role)") from None
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", "Error"))
            if code in _NOT_FOUND:
                return {"__missing__": True}
            problem = f"{code}: {err.response.get('Error', {}).get('Message', '')}".strip().rstrip(":")
        except BotoCoreError as err:
            problem = f"{type(err).__name__}: {err}"
        entry: dict[str, Any] = {
            "call": action,
            "error": problem,
            "rules": list(RULES_BY_CALL.get(action, ())),
        }
        if target is not None:
            entry["target"] = target
        self.not_evaluated.append(entry)
        return None

    def pages(
        self, client: Any, operation: str, token_in: str, token_out: str, **params: Any
    ) -> Iterator[dict]:
        """Follow a NextToken loop, bounded; stops (recorded) on the first failed page."""
        token: str | None = None
        for _ in range(MAX_PAGES):
            page = self.call(client, operation, **params, **({token_in: token} if token else {}))
            if page is None or page.get("__missing__"):
                return
            yield page
            token = page.get(token_out)
            if not token:
                return


@dataclass
class _Builder:
    account: str
    partition: str
    region: str
    resources: list[dict[str, Any]] = field(default_factory=list)

    def add(self, type_: str, name: str, props: dict[str, Any]) -> None:
        self.resources.append(
            {
                "urn": f"urn:sesguard:live::{self.account}::{type_}::{name}",
                "type": type_,
                "name": name,
                "props": props,
            }
        )

    def ses_arn(self, kind: str, name: str) -> str:
        return f"arn:{self.partition}:ses:{self.region}:{self.account}:{kind}/{name}"


def caller(clients: Clients) -> tuple[str, str]:
    """Account id and partition; failing here means no usable credentials, so it is fatal."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        who = clients.sts.get_caller_identity()
    except NoCredentialsError:
        raise SesguardError("no AWS credentials found (environment, profile or instance role)") from None
    except ClientError as err:
        error = err.response.get("Error", {})
        raise SesguardError(
            f"AWS STS GetCallerIdentity: {error.get('Code')}: {error.get('Message')}"
        ) from None
    except BotoCoreError as err:
        raise SesguardError(f"AWS STS GetCallerIdentity: {err}") from None
    arn = str(who.get("Arn", "arn:aws:"))
    return str(who["Account"]), arn.split(":")[1] or "aws"


# --- account and metrics (shared with `sesguard status`) ----------------------------------------------


def account_facts(reader: _Reader) -> dict[str, Any] | None:
    """get_account as facts (the suppression reasons also become an AccountSuppressionAttributes)."""
    reader.progress("reading the account")
    acc = reader.call(reader.clients.sesv2, "get_account")
    if acc is None or acc.get("__missing__"):
        return None
    details = acc.get("Details") or {}
    review = details.get("ReviewDetails")
    return {
        "productionAccessEnabled": acc.get("ProductionAccessEnabled"),
        "sendingEnabled": acc.get("SendingEnabled"),
        "enforcementStatus": acc.get("EnforcementStatus"),
        "dedicatedIpAutoWarmupEnabled": acc.get("DedicatedIpAutoWarmupEnabled"),
        "sendQuota": camel(acc.get("SendQuota") or {}),
        "mailType": details.get("MailType"),
        "reviewDetails": camel(review) if review else None,
        "suppressedReasons": (acc.get("SuppressionAttributes") or {}).get("SuppressedReasons"),
    }


def metric_facts(reader: _Reader, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The last 24 h of the two reputation metrics: latest and max per metric, None without data."""
    reader.progress("reading reputation metrics")
    end = now or dt.datetime.now(dt.UTC)
    queries = [
        {
            "Id": key.lower(),
            "MetricStat": {
                "Metric": {"Namespace": NAMESPACE, "MetricName": metric},
                "Period": METRIC_PERIOD,
                # The highest value in each period: a spike that could trigger a review is not averaged away.
                "Stat": "Maximum",
            },
            "ReturnData": True,
        }
        for key, metric in METRICS.items()
    ]
    points: dict[str, list[tuple[dt.datetime, float]]] = {key.lower(): [] for key in METRICS}
    read_any = False
    for page in reader.pages(
        reader.clients.cloudwatch,
        "get_metric_data",
        "NextToken",
        "NextToken",
        MetricDataQueries=queries,
        StartTime=end - dt.timedelta(hours=24),
        EndTime=end,
        ScanBy="TimestampDescending",
    ):
        read_any = True
        for result in page.get("MetricDataResults", []):
            points.setdefault(result["Id"], []).extend(
                zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
            )
    if not read_any:
        return None
    out: dict[str, Any] = {}
    for key, metric in METRICS.items():
        series = points.get(key.lower(), [])
        out[key] = (
            {
                "metric": metric,
                "latest": float(max(series, key=lambda p: p[0])[1]),
                "max": float(max(v for _, v in series)),
                "points": float(len(series)),
            }
            if series
            else None
        )
    return out


def read_status(clients: Clients, progress: Progress | None = None) -> dict[str, Any]:
    """What `sesguard status` shows: account facts, metrics and any read that failed."""
    reader = _Reader(clients, progress or (lambda _msg: None))
    account = account_facts(reader)
    metrics = metric_facts(reader)
    return {"account": account, "metrics": metrics, "notEvaluated": reader.not_evaluated}


# --- the full audit -----------------------------------------------------------------------------------


def _identities(reader: _Reader, b: _Builder) -> tuple[dict[str, Any], list[str]]:
    c = reader.clients.sesv2
    names: list[tuple[str, dict[str, Any]]] = []
    for page in reader.pages(c, "list_email_identities", "NextToken", "NextToken", PageSize=100):
        names.extend((i["IdentityName"], i) for i in page.get("EmailIdentities", []) if i.get("IdentityName"))
    facts: dict[str, Any] = {}
    for n, (name, info) in enumerate(names, 1):
        reader.progress(f"reading identity {n}/{len(names)}: {name}")
        got = reader.call(c, "get_email_identity", target=name, EmailIdentity=name)
        if got is not None and got.get("__missing__"):
            continue  # deleted between list and get
        props: dict[str, Any] = {
            "emailIdentity": name,
            "arn": b.ses_arn("identity", name),
            "identityType": info.get("IdentityType"),
        }
        if got is None:
            # Keep the identity so rules that only need its existence still see it; the rules that
            # need its attributes are marked not evaluated.
            b.add(T_IDENTITY, name, props)
            facts[name] = {"identityType": info.get("IdentityType"), "read": False}
            continue
        dkim = got.get("DkimAttributes") or {}
        mail_from = got.get("MailFromAttributes") or {}
        props["identityType"] = got.get("IdentityType", info.get("IdentityType"))
        props["verifiedForSendingStatus"] = bool(got.get("VerifiedForSendingStatus"))
        if got.get("ConfigurationSetName"):
            props["configurationSetName"] = got["ConfigurationSetName"]
        if dkim:
            props["dkimSigningAttributes"] = {
                k: v
                for k, v in {
                    "tokens": dkim.get("Tokens"),
                    "status": dkim.get("Status"),
                    "signingAttributesOrigin": dkim.get("SigningAttributesOrigin"),
                    "currentSigningKeyLength": dkim.get("CurrentSigningKeyLength"),
                    "nextSigningKeyLength": dkim.get("NextSigningKeyLength"),
                    "signingEnabled": dkim.get("SigningEnabled"),
                }.items()
                if v is not None
            }
        b.add(T_IDENTITY, name, props)
        if mail_from.get("MailFromDomain"):
            b.add(
                T_MAIL_FROM,
                name,
                {
                    "emailIdentity": name,
                    "mailFromDomain": mail_from["MailFromDomain"],
                    "behaviorOnMxFailure": mail_from.get("BehaviorOnMxFailure"),
                },
            )
        for policy_name, policy in sorted((got.get("Policies") or {}).items()):
            b.add(
                T_IDENTITY_POLICY,
                f"{name}/{policy_name}",
                {"emailIdentity": name, "policyName": policy_name, "policy": policy},
            )
        facts[name] = {
            "read": True,
            "identityType": props["identityType"],
            "verifiedForSendingStatus": props["verifiedForSendingStatus"],
            "verificationStatus": got.get("VerificationStatus"),
            "dkimStatus": dkim.get("Status"),
            "dkimSigningEnabled": dkim.get("SigningEnabled"),
            "dkimOrigin": dkim.get("SigningAttributesOrigin"),
            "mailFromDomain": mail_from.get("MailFromDomain") or None,
            "mailFromStatus": mail_from.get("MailFromDomainStatus")
            if mail_from.get("MailFromDomain")
            else None,
            "configurationSetName": got.get("ConfigurationSetName"),
        }
    return facts, [name for name, _ in names]


def _configuration_sets(reader: _Reader, b: _Builder) -> set[str]:
    """Configuration sets and their event destinations; answers the SNS topics they point at."""
    c = reader.clients.sesv2
    names: list[str] = []
    for page in reader.pages(c, "list_configuration_sets", "NextToken", "NextToken", PageSize=100):
        names.extend(page.get("ConfigurationSets", []))
    topics: set[str] = set()
    for n, name in enumerate(names, 1):
        reader.progress(f"reading configuration set {n}/{len(names)}: {name}")
        got = reader.call(c, "get_configuration_set", target=name, ConfigurationSetName=name)
        if got is not None and got.get("__missing__"):
            continue
        props: dict[str, Any] = {"configurationSetName": name, "arn": b.ses_arn("configuration-set", name)}
        if got is not None:
            props.update(camel(_without(got, "ConfigurationSetName", "Tags", "ResponseMetadata")))
        b.add(T_CONFIGURATION_SET, name, props)
        dests = reader.call(
            c, "get_configuration_set_event_destinations", target=name, ConfigurationSetName=name
        )
        for d in (dests or {}).get("EventDestinations", []):
            b.add(
                T_EVENT_DESTINATION,
                f"{name}/{d['Name']}",
                {
                    "configurationSetName": name,
                    "eventDestinationName": d["Name"],
                    "eventDestination": camel(_without(d, "Name")),
                },
            )
            arn = (d.get("SnsDestination") or {}).get("TopicArn")
            if arn:
                topics.add(arn)
    return topics


def _notification_topics(reader: _Reader, b: _Builder, identities: list[str]) -> set[str]:
    """SES v1 identity notification topics (Bounce/Complaint/Delivery) as IdentityNotificationTopic."""
    topics: set[str] = set()
    for start in range(0, len(identities), 100):  # the API takes at most 100 identities a call
        batch = identities[start : start + 100]
        got = reader.call(reader.clients.ses, "get_identity_notification_attributes", Identities=batch)
        for identity, attrs in sorted(((got or {}).get("NotificationAttributes") or {}).items()):
            for kind in ("Bounce", "Complaint", "Delivery"):
                arn = attrs.get(f"{kind}Topic")
                if not arn:
                    continue
                topics.add(arn)
                b.add(
                    T_NOTIFICATION_TOPIC,
                    f"{identity}/{kind}",
                    {
                        "identity": identity,
                        "notificationType": kind,
                        "topicArn": arn,
                        "includeOriginalHeaders": bool(attrs.get(f"HeadersIn{kind}NotificationsEnabled")),
                    },
                )
    return topics


def _alarms(reader: _Reader, b: _Builder) -> set[str]:
    """CloudWatch alarms on AWS/SES metrics; answers the SNS topics their actions notify."""
    reader.progress("reading CloudWatch alarms")
    topics: set[str] = set()
    for page in reader.pages(
        reader.clients.cloudwatch, "describe_alarms", "NextToken", "NextToken", MaxRecords=100
    ):
        for a in page.get("MetricAlarms", []):
            in_ses = a.get("Namespace") == NAMESPACE or any(
                ((q.get("MetricStat") or {}).get("Metric") or {}).get("Namespace") == NAMESPACE
                for q in a.get("Metrics") or []
            )
            if not in_ses:
                continue
            props = camel(
                _without(
                    a,
                    "AlarmName",
                    "AlarmArn",
                    "StateValue",
                    "StateReason",
                    "StateReasonData",
                    "StateUpdatedTimestamp",
                    "AlarmConfigurationUpdatedTimestamp",
                    "StateTransitionedTimestamp",
                    "Dimensions",
                    "Metrics",
                    "OKActions",
                )
            )
            props.update(
                {
                    "name": a["AlarmName"],
                    "arn": a.get("AlarmArn"),
                    "okActions": a.get("OKActions", []),
                    "dimensions": {d["Name"]: d["Value"] for d in a.get("Dimensions") or []},
                    "state": a.get("StateValue"),
                }
            )
            if a.get("Metrics"):
                props["metricQueries"] = camel(a["Metrics"])
            b.add(T_ALARM, a["AlarmName"], props)
            for action in [*a.get("AlarmActions", []), *a.get("OKActions", [])]:
                if str(action).startswith(f"arn:{b.partition}:sns:"):
                    topics.add(action)
    return topics


def _topics(reader: _Reader, b: _Builder, arns: Iterable[str]) -> None:
    c = reader.clients.sns
    for arn in sorted(set(arns)):
        name = arn.rsplit(":", 1)[-1]
        reader.progress(f"reading SNS topic {name}")
        got = reader.call(c, "get_topic_attributes", target=arn, TopicArn=arn)
        if got is None or got.get("__missing__"):
            continue  # a topic that is gone is simply absent: the rules then say nothing consumes events
        attrs = got.get("Attributes") or {}
        props: dict[str, Any] = {"name": name, "arn": arn, "fifoTopic": attrs.get("FifoTopic") == "true"}
        if attrs.get("KmsMasterKeyId"):
            props["kmsMasterKeyId"] = attrs["KmsMasterKeyId"]
        if attrs.get("DisplayName"):
            props["displayName"] = attrs["DisplayName"]
        b.add(T_TOPIC, name, props)
        if attrs.get("Policy"):
            b.add(T_TOPIC_POLICY, name, {"arn": arn, "policy": attrs["Policy"]})
        n = 0
        for page in reader.pages(c, "list_subscriptions_by_topic", "NextToken", "NextToken", TopicArn=arn):
            for s in page.get("Subscriptions", []):
                n += 1
                sub_arn = s.get("SubscriptionArn", "")
                pending = not sub_arn.startswith("arn:")
                protocol = s.get("Protocol", "")
                sprops: dict[str, Any] = {
                    "topic": arn,
                    "protocol": protocol,
                    "endpoint": _safe_endpoint(protocol, s.get("Endpoint", "")),
                    "pendingConfirmation": pending,
                }
                if not pending:
                    sprops["arn"] = sub_arn
                b.add(
                    T_SUBSCRIPTION,
                    sub_arn.rsplit(":", 1)[-1] if not pending else f"{name}/pending-{n}",
                    sprops,
                )


def _contact_lists(reader: _Reader, b: _Builder) -> None:
    c = reader.clients.sesv2
    names: list[str] = []
    for page in reader.pages(c, "list_contact_lists", "NextToken", "NextToken", PageSize=100):
        names.extend(
            cl["ContactListName"] for cl in page.get("ContactLists", []) if cl.get("ContactListName")
        )
    for name in names:
        got = reader.call(c, "get_contact_list", target=name, ContactListName=name)
        if got is None or got.get("__missing__"):
            continue
        b.add(
            T_CONTACT_LIST,
            name,
            {
                "contactListName": name,
                "description": got.get("Description"),
                "topics": camel(got.get("Topics") or []),
            },
        )


def read(
    clients: Clients,
    *,
    project: str = "aws-account",
    stack: str | None = None,
    config: dict[str, Any] | None = None,
    production: bool = False,
    declared: list[dict[str, Any]] | None = None,
    progress: Progress | None = None,
) -> Document:
    """Read the account in `clients.region` and return its stack document (source "live").

    `config` is the stack config the findings are judged under (waivers, thresholds, mail type);
    `declared` are the resources the stack's program declares, for the drift rule SES-043.
    """
    reader = _Reader(clients, progress or (lambda _msg: None))
    account_id, partition = caller(clients)
    b = _Builder(account_id, partition, clients.region)

    account = account_facts(reader)
    if account is not None and account.get("suppressedReasons") is not None:
        b.add(T_ACCOUNT_SUPPRESSION, "account", {"suppressedReasons": account["suppressedReasons"]})
    identity_facts, identity_names = _identities(reader, b)
    topics = _configuration_sets(reader, b)
    topics |= _notification_topics(reader, b, identity_names)
    topics |= _alarms(reader, b)
    _topics(reader, b, topics)
    _contact_lists(reader, b)
    metrics = metric_facts(reader)

    facts: dict[str, Any] = {
        "account": account,
        "accountId": account_id,
        "identities": identity_facts,
        "metrics": metrics,
        "notEvaluated": reader.not_evaluated,
        "production": bool(production),
    }
    if declared is not None:
        facts["declared"] = declared
    doc_config = dict(config or {})
    doc_config["sesguard:externalDns"] = True
    doc_config.setdefault("aws:region", clients.region)
    return new_document(
        source="live",
        project=project,
        stack=stack or f"{account_id}/{clients.region}",
        region=clients.region,
        config=doc_config,
        resources=b.resources,
        facts=facts,
    )
