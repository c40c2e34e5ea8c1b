# METADATA
# title: Published DNS, as observed by `sesguard dns`
# description: |
#   Helpers for SES-050…052: the queries `sesguard dns` made (input.facts.dns.queries) and the
#   records it saw (resources of type sesguard:dns/record:Record, props shaped like a Route53
#   record). Only documents whose source is "dns" are judged here.
package ses.dns

import data.lib.dns

record_type := "sesguard:dns/record:Record"

facts := input.facts.dns if input.source == "dns"

domain := dns.normalize(facts.domain)

mail_from := dns.normalize(facts.mailFrom)

# The query for one name and type: {name, type, status, answers, detail?}.
queries[dns.normalize(q.name)][upper(q.type)] := q if some q in facts.queries

# The record resource `sesguard dns` built for a query, to name in findings (null when absent).
_resources[dns.normalize(r.props.name)][upper(r.props.type)] := r if {
	input.source == "dns"
	some r in input.resources
	r.type == record_type
}

resource_at(name, type) := object.get(_resources, [name, type], null)

query_at(name, type) := object.get(queries, [name, type], null)

# Outcomes that say the record is not there: the name does not exist, or has no such record.
absent := {"nxdomain": "the name does not exist (NXDOMAIN)", "nodata": "the name has no such record (NODATA)"}

# Outcomes that say nothing about the record: the check could not be made.
unverifiable(q) if not q.status in {"ok", "nxdomain", "nodata"}

why(q) := sprintf("%s%s", [q.status, _detail(q)])

_detail(q) := sprintf(" (%s)", [q.detail]) if {
	is_string(q.detail)
	q.detail != ""
} else := ""
