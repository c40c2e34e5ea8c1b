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
		["it gives no reason", _says_something(object.get(w, "reason", null))],
		["it has no expiry date (expires: YYYY-MM-DD)", _date(object.get(w, "expires", null))],
		[sprintf("it expired on %v", [object.get(w, "expires", null)]), _current(object.get(w, "expires", null))],
	]
	not ok
} if is_object(w)

valid(w) if count(problems(w)) == 0

# Text that is only spaces, separators, controls or invisible format characters (zero-width
# space, joiners, word joiner, BOM) says nothing: trim_space alone keeps U+200B and friends.
_nonempty(s) := true if {
	is_string(s)
	regex.replace(s, `[\s\p{Z}\p{Cc}\p{Cf}]`, "") != ""
} else := false

# A reason must hold a letter or a digit of some script. The Hangul fillers (U+115F, U+1160,
# U+3164, U+FFA0) are letters to Unicode but blank to a reader, so they do not count; the
# combining grapheme joiner (U+034F, a mark) and the Braille blank (U+2800, a symbol) never did.
_says_something(s) := true if {
	is_string(s)
	regex.match(`[\p{L}\p{N}]`, regex.replace(s, `[\x{115F}\x{1160}\x{3164}\x{FFA0}]`, ""))
} else := false

_date(s) := true if {
	is_string(s)
	regex.match(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`, s)
	_calendar_day(s)
} else := false

# Checked by hand rather than with time.parse_ns: that builtin errors (aborting the whole
# evaluation) on an impossible day such as 2027-02-30 and on any year past 2262.
_calendar_day(s) if {
	d := to_number(substring(s, 8, 2))
	d <= _days_in_month(to_number(substring(s, 0, 4)), to_number(substring(s, 5, 2)))
}

_days_in_month(y, 2) := 29 if _leap(y)

else := 28

_days_in_month(_, m) := 30 if m in {4, 6, 9, 11}

_days_in_month(_, m) := 31 if m in {1, 3, 5, 7, 8, 10, 12}

_leap(y) if {
	y % 4 == 0
	y % 100 != 0
}

_leap(y) if y % 400 == 0

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
