# METADATA
# title: Waivers
# description: |
#   A waiver names a rule, optionally a resource URN, a reason and an expiry date. It comes
#   from the stack config (`sesguard:waivers`) or a waiver file loaded as data.sesguard_settings.waivers.
#   Only a valid waiver waives; an invalid one is itself a finding (SES-026).
package lib.waivers

_config_waivers := _list(input.config["sesguard:waivers"]) if config_list(input.config["sesguard:waivers"])

else := []

# The config value is a list, or JSON text of one (how Pulumi hands structured config to a pack
# when nothing decoded it first); anything else waives nothing and is a finding (SES-026).
config_list(w) if is_array(w)

config_list(w) if is_array(_decoded(w))

_list(w) := w if is_array(w)

else := _decoded(w)

_decoded(w) := json.unmarshal(w) if {
	is_string(w)
	json.is_valid(w)
}

_file_waivers := data.sesguard_settings.waivers if is_array(data.sesguard_settings.waivers)

else := []

all := array.concat(
	[{"waiver": w, "origin": "stack config sesguard:waivers"} | some w in _config_waivers],
	[{"waiver": w, "origin": "waiver file"} | some w in _file_waivers],
)

today := time.format([time.now_ns(), "UTC", "2006-01-02"])

problems(w) := {"it is not an object"} if not is_object(w)

problems(w) := {m |
	some [m, ok] in [
		["it names no rule", _nonempty(object.get(w, "rule", null))],
		["it gives no reason", _nonempty(object.get(w, "reason", null))],
		["it has no expiry date (expires: YYYY-MM-DD)", _date(object.get(w, "expires", null))],
		[sprintf("it expired on %v", [object.get(w, "expires", null)]), _current(object.get(w, "expires", null))],
	]
	not ok
} if is_object(w)

valid(w) if count(problems(w)) == 0

_nonempty(s) := true if {
	is_string(s)
	trim_space(s) != ""
} else := false

_date(s) := true if {
	is_string(s)
	regex.match(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`, s)
	_calendar_day(s)
} else := false

# time.parse_ns covers only the years an int64 of nanoseconds can hold (up to 2262); a later
# date is checked by the pattern alone rather than failing the whole evaluation.
_calendar_day(s) if s >= "2262"

_calendar_day(s) if {
	s < "2262"
	time.parse_ns("2006-01-02", s)
}

# A malformed date is reported once, as such; only a well-formed past date is "expired".
_current(s) := false if {
	_date(s)
	s < today
} else := true

# The valid waivers covering a finding: same rule, and the same resource unless the waiver
# names none. A set, since two waivers may cover one finding.
covering(f) := {w |
	some entry in all
	w := entry.waiver
	valid(w)
	w.rule == f.rule
	object.get(w, "resource", null) in {null, "", f.resource}
}
