package ses.identity

import data.lib
import data.lib.dns
import data.lib.mail
import data.lib.result
import data.lib.ses

# METADATA
# title: DKIM records are declared
# description: |
#   SES only signs once it finds the three Easy DKIM CNAMEs `<token>._domainkey.<domain>` →
#   `<token>.dkim.amazonses.com` (BYODKIM: a TXT at `<selector>._domainkey.<domain>`; an identity
#   whose `signingAttributesOrigin` is AWS_SES is Easy DKIM whatever its inputs say). When the
#   tokens are known (state, live) every token needs its CNAME. At preview the tokens are unknown,
#   so the rule checks the structure instead: three CNAMEs (Route53 or Cloudflare) that depend on
#   the identity (or its v1 DomainDkim), whose names are unknown or `*._domainkey.<domain>` and
#   whose values are unknown or end in `.dkim.amazonses.com`, in a zone that holds the domain.
#   When the stack says its DNS is published elsewhere (`ses-sender:dns: external`,
#   `<project>:dns: external`, or `sesguard:externalDns`) and declares no DKIM record for the
#   domain, nothing is required here: `sesguard dns` checks the published records.
# custom:
#   id: SES-004
#   slug: dkim-records
#   severity: high
#   enforcement: mandatory
#   remediation: |
#     Declare one CNAME per Easy DKIM token, `<token>._domainkey.<domain>` →
#     `<token>.dkim.amazonses.com`, built from the identity's token outputs (not inside an apply), or
#     set `sesguard:externalDns: true` (or `<project>:dns: external`) in the stack config when another
#     team publishes them.
#   remediation_code:
#     python: |
#       # One CNAME per Easy DKIM token, built from the identity's outputs (not inside an apply).
#       tokens = identity.dkim_signing_attributes.tokens
#       for i in range(3):
#           aws.route53.Record(f"dkim-{i}", zone_id=zone_id, type="CNAME", ttl=1800,
#               name=pulumi.Output.concat(tokens[i], "._domainkey.example.com"),
#               records=[pulumi.Output.concat(tokens[i], ".dkim.amazonses.com")])
#       # Records published by another team: `pulumi config set sesguard:externalDns true`
#     typescript: |
#       // One CNAME per Easy DKIM token, built from the identity's outputs.
#       for (let i = 0; i < 3; i++) {
#           const token = identity.dkimSigningAttributes.apply(a => a.tokens[i]);
#           new aws.route53.Record(`dkim-${i}`, {
#               zoneId: zoneId,
#               type: "CNAME",
#               ttl: 1800,
#               name: pulumi.interpolate`${token}._domainkey.example.com`,
#               records: [pulumi.interpolate`${token}.dkim.amazonses.com`],
#           });
#       }
#       // Records published by another team: `pulumi config set sesguard:externalDns true`
#     go: |
#       // One CNAME per Easy DKIM token, built from the identity's outputs.
#       for i := 0; i < 3; i++ {
#       	token := identity.DkimSigningAttributes.Tokens().Index(pulumi.Int(i))
#       	_, err := route53.NewRecord(ctx, fmt.Sprintf("dkim-%d", i), &route53.RecordArgs{
#       		ZoneId:  pulumi.String(zoneId),
#       		Type:    pulumi.String("CNAME"),
#       		Ttl:     pulumi.Int(1800),
#       		Name:    pulumi.Sprintf("%s._domainkey.example.com", token),
#       		Records: pulumi.StringArray{pulumi.Sprintf("%s.dkim.amazonses.com", token)},
#       	})
#       	if err != nil {
#       		return err
#       	}
#       }
#       // Records published by another team: `pulumi config set sesguard:externalDns true`
#     csharp: |
#       // One CNAME per Easy DKIM token, built from the identity's outputs.
#       for (var i = 0; i < 3; i++)
#       {
#           var index = i;
#           var token = identity.DkimSigningAttributes.Apply(a => a.Tokens[index]);
#           new Aws.Route53.Record($"dkim-{index}", new()
#           {
#               ZoneId = zoneId,
#               Type = "CNAME",
#               Ttl = 1800,
#               Name = Output.Format($"{token}._domainkey.example.com"),
#               Records = new[] { Output.Format($"{token}.dkim.amazonses.com") },
#           });
#       }
#       // Records published by another team: `pulumi config set sesguard:externalDns true`
#     yaml: |
#       # One CNAME per Easy DKIM token. Records published by another team instead:
#       # `pulumi config set sesguard:externalDns true`
#       resources:
#         dkim0:
#           type: aws:route53:Record
#           properties:
#             zoneId: ${zoneId}
#             type: CNAME
#             ttl: 1800
#             name: ${identity.dkimSigningAttributes.tokens[0]}._domainkey.example.com
#             records: ["${identity.dkimSigningAttributes.tokens[0]}.dkim.amazonses.com"]
#         dkim1:
#           type: aws:route53:Record
#           properties:
#             zoneId: ${zoneId}
#             type: CNAME
#             ttl: 1800
#             name: ${identity.dkimSigningAttributes.tokens[1]}._domainkey.example.com
#             records: ["${identity.dkimSigningAttributes.tokens[1]}.dkim.amazonses.com"]
#         dkim2:
#           type: aws:route53:Record
#           properties:
#             zoneId: ${zoneId}
#             type: CNAME
#             ttl: 1800
#             name: ${identity.dkimSigningAttributes.tokens[2]}._domainkey.example.com
#             records: ["${identity.dkimSigningAttributes.tokens[2]}.dkim.amazonses.com"]
#     terraform: |
#       # One CNAME per Easy DKIM token.
#       resource "aws_route53_record" "dkim" {
#         count   = 3
#         zone_id = var.zone_id
#         type    = "CNAME"
#         ttl     = 1800
#         name    = "${aws_sesv2_email_identity.identity.dkim_signing_attributes[0].tokens[count.index]}._domainkey.example.com"
#         records = ["${aws_sesv2_email_identity.identity.dkim_signing_attributes[0].tokens[count.index]}.dkim.amazonses.com"]
#       }
#     cloudformation: |
#       # AWS::SES::EmailIdentity returns each record's full name and value (DkimDNSTokenName1..3,
#       # DkimDNSTokenValue1..3).
#       Resources:
#         Dkim1:
#           Type: AWS::Route53::RecordSet
#           Properties:
#             HostedZoneId: !Ref HostedZoneId
#             Type: CNAME
#             TTL: "1800"
#             Name: !GetAtt Identity.DkimDNSTokenName1
#             ResourceRecords: [!GetAtt Identity.DkimDNSTokenValue1]
#         Dkim2:
#           Type: AWS::Route53::RecordSet
#           Properties:
#             HostedZoneId: !Ref HostedZoneId
#             Type: CNAME
#             TTL: "1800"
#             Name: !GetAtt Identity.DkimDNSTokenName2
#             ResourceRecords: [!GetAtt Identity.DkimDNSTokenValue2]
#         Dkim3:
#           Type: AWS::Route53::RecordSet
#           Properties:
#             HostedZoneId: !Ref HostedZoneId
#             Type: CNAME
#             TTL: "1800"
#             Name: !GetAtt Identity.DkimDNSTokenName3
#             ResourceRecords: [!GetAtt Identity.DkimDNSTokenValue3]
#     cdk-typescript: |
#       // Identity.publicHostedZone(zone) writes the three DKIM CNAMEs itself; for an identity
#       // declared with Identity.domain(...), write them from its dkimRecords:
#       const identity = new ses.EmailIdentity(this, 'Identity', { identity: ses.Identity.domain('example.com') });
#       identity.dkimRecords.forEach((record, i) => {
#         new route53.CnameRecord(this, `Dkim${i + 1}`, { zone, recordName: record.name, domainName: record.value });
#       });
#     cdk-python: |
#       # Identity.public_hosted_zone(zone) writes the three DKIM CNAMEs itself; for an identity
#       # declared with Identity.domain(...), write them from its dkim_records:
#       identity = ses.EmailIdentity(self, "Identity", identity=ses.Identity.domain("example.com"))
#       for i, record in enumerate(identity.dkim_records):
#           route53.CnameRecord(self, f"Dkim{i + 1}", zone=zone, record_name=record.name, domain_name=record.value)
deny contains result.finding(rego.metadata.rule(), p.resource, p.message) if some p in _dkim_records_problems

_dkim_suffix := ".dkim.amazonses.com"

# The identities SES-003, SES-004 and SES-008 may report (SES-004's records of the wrong shape
# aside, judged below for every identity): every identity but the common clean one, which one
# body recognises without building its DKIM view: an SES v2 identity of a known domain on Easy
# DKIM (no selector, no private key), next key RSA_2048_BIT, signing on or left to AWS's default,
# tokens unknown, and three or more records traced to it, each a CNAME at a resource of its own
# with the unknown name and the one unknown value of a preview, in no zone or the domain's.
# SES-003 (dkim_enabled) and SES-008 (dkim_2048) cannot report such an identity, nor can SES-004's
# per-identity rules: they look at the others only.
_dkimx_open := [i | some i in ses.domain_identities; not _dkimx_clean(i)]

_dkimx_clean(i) if {
	i.version == "v2"
	domain := i.domain
	not domain in lib._not_known
	props := i.resource.props
	object.get(props, "dkimSigningEnabled", null) in {true, null}
	attrs := props.dkimSigningAttributes
	is_object(attrs)
	u := lib.unknown_value
	object.filter(attrs, _dkimx_attr_keys) == {"nextSigningKeyLength": "RSA_2048_BIT", "tokens": u}
	linked := object.get(dns.by_dependency, i.resource.urn, [])
	count(linked) >= 3
	shapes := {{"name": u, "type": "CNAME", "values": [u], "zone": null}, {"name": u, "type": "CNAME", "values": [u], "zone": domain}}
	keys := _dkimx_shape_keys
	good := {r | rec := linked[_]; object.filter(rec, keys) in shapes; r := rec.resource}
	count(good) == count(linked)
}

# Of the DKIM attributes, those the gate reads: no selector and no private key (Easy DKIM), the
# next key RSA_2048_BIT, the tokens unknown (a preview).
_dkimx_attr_keys := {"domainSigningPrivateKey", "domainSigningSelector", "nextSigningKeyLength", "tokens"}

# A DKIM CNAME at preview as the clean identity's gate accepts it: the unknown name, the unknown
# value alone, in no zone or the domain's (what _dkim_shape_ok accepts first). Every record that
# depends on the identity must be one, at a resource of its own (count(good) == count(linked)).
_dkimx_shape_keys := {"name", "type", "values", "zone"}

_dkim_identities contains [i, mail.dkim(i)] if {
	some i in _dkimx_open
	lib.known(i.domain)
	not _dkim_skipped(i)
}

# The judged identities by DKIM mode, split once for the rules of each mode.
_dkim_easy contains [i, d] if {
	some [i, d] in _dkim_identities
	d.mode == "easy"
}

_dkim_byodkim contains [i, d] if {
	some [i, d] in _dkim_identities
	d.mode == "byodkim"
}

# Easy DKIM identities the two preview rules below may report: all but those whose tokens are
# unknown and whose linked CNAMEs are three or more, each of the DKIM shape. Such an identity has
# at least three good records and no linked record of the wrong shape, so neither rule fires; it
# costs this one check instead of both rules' walks.
_dkim_easy_open contains [i, d] if {
	some [i, d] in _dkim_easy
	not _dkim_linked_fine(i, d)
}

_dkim_linked_fine(i, d) if {
	not mail.known_tokens(d.tokens)
	linked := _dkim_linked(i, d)
	good := {rec.resource | some rec in linked; _dkim_shape_ok(rec, i.domain)}
	count(good) == count(linked)
	count(good) >= 3
}

# External DNS with no DKIM record declared for the domain: the published records are checked
# by `sesguard dns` instead.
_dkim_skipped(i) if {
	dns.external(i.domain)
	count(_dkim_linked(i, mail.dkim(i))) == 0
	count(object.get(dns.domainkey_by_domain, i.domain, [])) == 0
}

# CNAMEs that depend on the resources whose outputs are the identity's tokens.
_dkim_linked(i, d) := {rec |
	some u in d.resources
	some rec in object.get(dns.by_dependency, u, [])
	rec.type == "CNAME"
}

_dkim_name_ok(rec, domain) if rec.name == lib.unknown_value

# Named relative to a zone the stack only looks up: `<token>._domainkey` (pulumi-aws's DomainDkim
# example). Such a record only counts through its dependency on the identity (_dkim_linked).
_dkim_name_ok(rec, domain) if {
	regex.match(`^[^.]+\._domainkey$`, rec.name)
	dns.relative_match(rec, concat("", [rec.name, ".", domain]), domain)
}

_dkim_name_ok(rec, domain) if {
	suffix := concat("", ["._domainkey.", domain])
	endswith(rec.name, suffix)
	regex.match(`^[^.]+$`, trim_suffix(rec.name, suffix))
}

_dkim_value_ok(v) if not lib.known(v)

_dkim_value_ok(v) if endswith(v, _dkim_suffix)

_dkim_zone_ok(rec, domain) if rec.zone == null

_dkim_zone_ok(rec, domain) if rec.zone == domain

_dkim_zone_ok(rec, domain) if dns.strict_subdomain(domain, rec.zone)

# Exactly one value, of the DKIM form; matched first, as the cheapest test.
_dkim_shape_ok(rec, domain) if {
	[v] := rec.values
	_dkim_value_ok(v)
	_dkim_name_ok(rec, domain)
	_dkim_zone_ok(rec, domain)
}

# Easy DKIM with known tokens: each token has its CNAME.
_dkim_records_problems contains {"resource": i.resource, "message": msg} if {
	some [i, d] in _dkim_easy
	mail.known_tokens(d.tokens)
	some t in d.tokens
	name := concat("", [lower(t), "._domainkey.", i.domain])
	target := concat("", [lower(t), _dkim_suffix])
	not _has_value(name, "CNAME", target)
	not _has_relative(i, d, name, target)
	msg := sprintf("no CNAME %s -> %s is declared; SES cannot verify DKIM for %s", [name, target, i.domain])
}

# A CNAME built from the identity's tokens, named relative to a zone the stack does not declare.
_has_relative(i, d, name, target) if {
	some rec in _dkim_linked(i, d)
	dns.relative_match(rec, name, i.domain)
	target in rec.values
}

_has_value(name, type, value) if {
	some x in dns.values_at(name, type)
	x.value == value
}

# Easy DKIM at preview: three well-formed CNAMEs traced to the identity.
_dkim_records_problems contains {"resource": i.resource, "message": msg} if {
	some [i, d] in _dkim_easy_open
	not mail.known_tokens(d.tokens)
	candidates := _dkim_linked(i, d) | {rec | some rec in object.get(dns.domainkey_by_domain, i.domain, []); rec.type == "CNAME"}
	good := {rec.resource | some rec in candidates; _dkim_shape_ok(rec, i.domain)}
	count(good) < 3
	msg := sprintf(
		"%d of the 3 DKIM CNAMEs <token>._domainkey.%s -> <token>%s are declared (the tokens are known only after deployment, so a record counts when its name has the DKIM form and it depends on the identity)",
		[count(good), i.domain, _dkim_suffix],
	)
}

# A CNAME built from the identity's tokens that points somewhere else, names another domain or
# sits in a zone that does not hold the domain.
_dkim_records_problems contains {"resource": rec.resource, "message": msg} if {
	some [i, d] in _dkim_easy_open
	some rec in _dkim_linked(i, d)
	not _dkim_shape_ok(rec, i.domain)
	msg := sprintf(
		"DKIM record %s (zone %v, value %v) for %s must be <token>._domainkey.%s -> <token>%s",
		[_show(rec.name), _show(rec.zone), concat(", ", [_show(v) | some v in rec.values]), i.domain, i.domain, _dkim_suffix],
	)
}

_show(x) := "(unknown)" if not lib.known(x)

else := x

# BYODKIM: one TXT record at the selector.
_dkim_records_problems contains {"resource": i.resource, "message": msg} if {
	some [i, d] in _dkim_byodkim
	lib.known(d.selector)
	name := concat("", [dns.normalize(d.selector), "._domainkey.", i.domain])
	count(dns.at(name, "TXT")) == 0
	msg := sprintf("%s uses BYODKIM with selector %s but no TXT record %s holds its public key", [i.domain, d.selector, name])
}

_dkim_records_problems contains {"resource": i.resource, "message": msg} if {
	some [i, d] in _dkim_byodkim
	d.selector != null
	not lib.known(d.selector)
	msg := sprintf("cannot verify the BYODKIM record of %s: its selector is not known", [i.domain])
}

_dkim_records_problems contains {"resource": i.resource, "message": msg} if {
	some i in _dkimx_open
	not lib.known(i.domain)
	msg := "cannot verify DKIM records: the identity's domain is not known"
}

# A record of the wrong shape that may be one of the identity's DKIM records.
_dkim_records_problems contains {"resource": m.resource, "message": dns.malformed_message(m, sprintf("the DKIM records of %s", [i.domain]))} if {
	some m in dns.malformed
	some i in ses.domain_identities
	lib.known(i.domain)
	not _dkim_skipped(i)
	d := mail.dkim(i)
	_dkim_maybe(m, i, d)
}

_dkim_maybe(m, _, _) if m.name == null

_dkim_maybe(m, i, _) if endswith(m.name, concat("", ["._domainkey.", i.domain]))

_dkim_maybe(m, _, d) if {
	some u in m.dependencies
	u in d.resources
}
