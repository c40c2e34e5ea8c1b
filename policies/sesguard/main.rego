# METADATA
# title: sesguard entry point
# description: |
#   The one document every engine queries: data.sesguard.findings. It gathers the findings of
#   every rule package under data.ses, drops rules switched off by level, and marks the ones a
#   valid waiver covers. Waived findings stay in the list; the report decides nothing.
package sesguard

import data.lib.waivers

# With no waiver at all (the usual run) every finding is marked unwaived in one expression: the
# two bodies below cost a waiver lookup, a sort and two counts per finding.
findings := {object.union(f, {"waived": false}) |
	some f in data.ses[_].deny
	f.enforcement != "disabled"
} if {
	waivers.all == []
} else := _findings

_raw contains f if {
	some f in data.ses[_].deny
	f.enforcement != "disabled"
}

_findings contains object.union(f, {"waived": true, "waiver": reasons[0]}) if {
	some f in _raw
	reasons := sort([w.reason | some w in waivers.covering(f)])
	count(reasons) > 0
}

_findings contains object.union(f, {"waived": false}) if {
	some f in _raw
	count(waivers.covering(f)) == 0
}
