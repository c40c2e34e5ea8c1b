# METADATA
# title: sesguard entry point
# description: |
#   The one document every engine queries: data.sesguard.findings. It gathers the findings of
#   every rule package under data.ses, drops rules switched off by level, and marks the ones a
#   valid waiver covers. Waived findings stay in the list; the report decides nothing.
package sesguard

import data.lib.waivers

_raw contains f if {
	some f in data.ses[_].deny
	f.enforcement != "disabled"
}

findings contains object.union(f, {"waived": true, "waiver": reasons[0]}) if {
	some f in _raw
	reasons := sort([w.reason | some w in waivers.covering(f)])
	count(reasons) > 0
}

findings contains object.union(f, {"waived": false}) if {
	some f in _raw
	count(waivers.covering(f)) == 0
}
