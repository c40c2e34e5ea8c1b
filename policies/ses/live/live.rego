# METADATA
# title: Live-account helpers
# description: |
#   Shared views for the rules that only apply to a live account (source "live"): the identity
#   resources by name and the observed facts. These rules never fire on a declared stack.
package ses.live

import data.lib.resources
import data.lib.ses

live if input.source == "live"

_facts := input.facts if is_object(input.facts)

else := {}

# The live EmailIdentity resource of each identity name, lower-case. Built as one object over the
# identities only: a key lookup in a partial rule over all resources re-scans them every time.
identity_urn := {lower(r.props.emailIdentity): r.urn |
	some r in resources.of_type(ses.t.v2_identity)
	is_string(r.props.emailIdentity)
}

urn_of_identity(name) := object.get(identity_urn, lower(name), null)

# A fraction as a percentage with two decimals; OPA passes whole numbers to sprintf as integers, so
# the digits are computed rather than formatted with %.2f.
pct(x) := sprintf("%d.%02d %%", [floor(h / 100), h % 100]) if h := round(x * 10000)

# Downgrade a finding to advisory, unless its level was set to something else (disabled stays disabled).
advisory(f) := object.union(f, {"enforcement": "advisory"}) if f.enforcement == "mandatory"

advisory(f) := f if f.enforcement != "mandatory"

_leveled(f, "advisory") := advisory(f)

_leveled(f, "mandatory") := f

# A helper rule, so `not _is_object_fact(k)` also holds when the fact is absent altogether.
_is_object_fact(k) if is_object(_facts[k])
