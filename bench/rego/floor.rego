# METADATA
# title: The floor under the pack
# description: |
#   Ten checks over the prod-shaped documents, written as leanly as Rego allows: each resource type
#   is scanned once into an object keyed by what the checks join on, and each check is one pass over
#   the identities with constant-time lookups. No normalization, no unknowns, no v1 spellings, no
#   messages: what OPA needs for the joins the real rules make. bench/engine_scaling.py times it
#   beside the whole pack to show how much of the pack's time any Rego would spend.
package bench_floor

recs := [r | some r in input.resources; r.type == "aws:route53/record:Record"]

names := {lower(trim_suffix(r.props.name, ".")) | some r in recs}

by_name := {n: [r | some r in recs; lower(trim_suffix(r.props.name, ".")) == n] | some n in names}

ids := [r | some r in input.resources; r.type == "aws:sesv2/emailIdentity:EmailIdentity"]

mfs := {r.props.emailIdentity: r | some r in input.resources; r.type == "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes"}

sets := {r.props.configurationSetName: r | some r in input.resources; r.type == "aws:sesv2/configurationSet:ConfigurationSet"}

dests := {r.props.configurationSetName: r | some r in input.resources; r.type == "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination"}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	not by_name[concat(".", ["_dmarc", d])]
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	some r in by_name[concat(".", ["_dmarc", d])]
	some v in r.props.records
	not contains(v, "p=reject")
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	i.props.dkimSigningAttributes.nextSigningKeyLength != "RSA_2048_BIT"
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	not mfs[d]
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	m := mfs[d]
	m.props.behaviorOnMxFailure != "REJECT_MESSAGE"
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	m := mfs[d]
	not by_name[lower(m.props.mailFromDomain)]
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	s := sets[i.props.configurationSetName]
	not s.props.reputationOptions.reputationMetricsEnabled
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	not dests[i.props.configurationSetName]
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	e := dests[i.props.configurationSetName]
	not "BOUNCE" in e.props.eventDestination.matchingEventTypes
}

deny contains d if {
	some i in ids
	d := i.props.emailIdentity
	e := dests[i.props.configurationSetName]
	not e.props.eventDestination.enabled
}
