package ses.waivers_test

import data.lib.sesfix_test as fx
import data.lib.waivers
import data.ses.waivers as rule

# 2025-06-15T12:00:00Z
_now := 1749988800000000000

_tls_off := fx.patch(fx.sender, fx.t_cs, "cs", {"deliveryOptions": {"tlsPolicy": "OPTIONAL"}})

_cs_urn := fx.urn(fx.t_cs, "cs")

_findings(rs, ws) := fs if {
	fs := data.sesguard.findings with input as fx.stack_config(rs, {"sesguard:waivers": ws}) with time.now_ns as _now
}

_deny(ws) := fs if {
	fs := rule.deny with input as fx.stack_config(fx.sender, {"sesguard:waivers": ws}) with time.now_ns as _now
}

_f(fs, id) := {f | some f in fs; f.rule == id}

_valid := {"rule": "SES-019", "reason": "receivers of this stream lack TLS; ticket OPS-1", "expires": "2025-12-31"}

test_ses026_valid_waiver_marks_finding_waived if {
	fs := _findings(_tls_off, [_valid])
	_f(fs, "SES-019") == {object.union(_tls_f, {"waived": true, "waiver": _valid.reason})}
	count(_f(fs, "SES-026")) == 0
}

_tls_f := f if {
	some f in data.ses.configuration_set.deny with input as fx.stack(_tls_off)
	f.rule == "SES-019"
}

test_ses026_no_waiver_not_waived if {
	fs := _findings(_tls_off, [])
	some f in _f(fs, "SES-019")
	f.waived == false
}

test_ses026_expires_today_still_valid if {
	fs := _findings(_tls_off, [object.union(_valid, {"expires": "2025-06-15"})])
	some f in _f(fs, "SES-019")
	f.waived == true
}

test_ses026_expired_waives_nothing if {
	w := object.union(_valid, {"expires": "2025-06-14"})
	fs := _findings(_tls_off, [w])
	some f in _f(fs, "SES-019")
	f.waived == false
	some g in _f(fs, "SES-026")
	g.message == "the waiver for SES-019 on every resource (stack config sesguard:waivers) waives nothing: it expired on 2025-06-14"
	g.waived == false
}

test_ses026_invisible_reason_waives_nothing if {
	every reason in ["\u200b", " \u200b\u200c\u200d\u2060\ufeff ", "\u00a0\u3000", "\t\n"] {
		fs := _findings(_tls_off, [object.union(_valid, {"reason": reason})])
		count({f | some f in _f(fs, "SES-019"); not f.waived}) == 1
		some g in _f(fs, "SES-026")
		contains(g.message, "it gives no reason")
	}
}

# Fillers a reader sees as blank, which Unicode files as letters (Hangul fillers, Lo), a mark
# (combining grapheme joiner, Mn) or a symbol (Braille blank, So): one of each, and all of them.
test_ses026_filler_reason_waives_nothing if {
	every reason in ["\u034f", "\u3164", "\u2800", "\u115f", "\uffa0", "\u1160", "\u034f\u3164 \u2800\u115f\uffa0", "-.;"] {
		fs := _findings(_tls_off, [object.union(_valid, {"reason": reason})])
		count({f | some f in _f(fs, "SES-019"); not f.waived}) == 1
		some g in _f(fs, "SES-026")
		contains(g.message, "it gives no reason")
	}
}

# A reason in any script, or only a ticket number, says something.
test_ses026_reason_in_any_script_waives if {
	every reason in ["OPS-1", "1234", "\u30c1\u30b1\u30c3\u30c8", "\u3164ticket", "\u0662"] {
		fs := _findings(_tls_off, [object.union(_valid, {"reason": reason})])
		count({f | some f in _f(fs, "SES-019"); f.waived}) == 1
	}
}

test_ses026_reason_with_a_zero_width_space_inside_text_waives if {
	fs := _findings(_tls_off, [object.union(_valid, {"reason": "ticket\u200bOPS-1"})])
	count({f | some f in _f(fs, "SES-019"); f.waived}) == 1
}

test_ses026_reasonless_waives_nothing if {
	fs := _findings(_tls_off, [object.union(_valid, {"reason": "  "})])
	some f in _f(fs, "SES-019")
	f.waived == false
	some g in _f(fs, "SES-026")
	contains(g.message, "it gives no reason")
}

test_ses026_no_expiry_waives_nothing if {
	fs := _findings(_tls_off, [object.remove(_valid, ["expires"])])
	some f in _f(fs, "SES-019")
	f.waived == false
	some g in _f(fs, "SES-026")
	contains(g.message, "it has no expiry date")
}

test_ses026_malformed_date if {
	some g in _f(_findings(_tls_off, [object.union(_valid, {"expires": "31/12/2025"})]), "SES-026")
	contains(g.message, "it has no expiry date (expires: YYYY-MM-DD)")
}

test_ses026_no_rule if {
	fs := _deny([object.remove(_valid, ["rule"])])
	some g in fs
	contains(g.message, "the waiver for (no rule) on every resource")
	contains(g.message, "it names no rule")
}

test_ses026_not_an_object if {
	some g in _deny(["SES-019"])
	contains(g.message, "it is not an object")
}

test_ses026_resource_scoped_covers_only_that_resource if {
	other := fx.res(fx.t_cs, "cs2", {"configurationSetName": "prod2", "reputationOptions": {"reputationMetricsEnabled": true}}, [])
	id2 := fx.res(fx.t_identity, "identity2", {"emailIdentity": "example.net", "configurationSetName": "prod2"}, [])
	rs := array.concat(_tls_off, [other, id2])
	fs := _findings(rs, [object.union(_valid, {"resource": _cs_urn})])
	{[f.resource, f.waived] | some f in _f(fs, "SES-019")} == {[_cs_urn, true], [fx.urn(fx.t_cs, "cs2"), false]}
}

test_ses026_null_resource_covers_all if {
	fs := _findings(_tls_off, [object.union(_valid, {"resource": null})])
	every f in _f(fs, "SES-019") {
		f.waived == true
	}
}

test_ses026_invalid_resource_scoped_waiver_names_resource if {
	fs := _deny([object.union(_valid, {"resource": _cs_urn, "reason": ""})])
	fx.of(fs, "SES-026") == {_cs_urn}
	some g in fs
	contains(g.message, sprintf("the waiver for SES-019 on %s", [_cs_urn]))
}

test_ses026_waivers_not_a_list if {
	fs := _findings(_tls_off, {"rule": "SES-019"})
	some f in _f(fs, "SES-019")
	f.waived == false
	some g in _f(fs, "SES-026")
	contains(g.message, "must be a list of waivers")
	contains(g.message, "got object")
}

test_ses026_waivers_text_not_a_list if {
	some g in _deny("SES-019 until friday")
	contains(g.message, "got \"SES-019 until friday\"")
}

test_ses026_waivers_json_text_list_accepted if {
	fs := _findings(_tls_off, json.marshal([_valid]))
	some f in _f(fs, "SES-019")
	f.waived == true
	count(_f(fs, "SES-026")) == 0
}

test_ses026_waiver_file if {
	w := object.union(_valid, {"expires": "2020-01-01"})
	fs := data.sesguard.findings with input as fx.stack(_tls_off) with time.now_ns as _now with data.sesguard_settings.waivers as [w]
	some g in _f(fs, "SES-026")
	contains(g.message, "(waiver file)")
}

test_ses026_two_waivers_first_reason_wins if {
	b := object.union(_valid, {"reason": "another reason"})
	fs := _findings(_tls_off, [_valid, b])
	some f in _f(fs, "SES-019")
	f.waiver == "another reason"
}

test_ses026_disabled_level_drops_findings if {
	fs := data.sesguard.findings with input as fx.stack(_tls_off) with data.sesguard_settings.levels as {"SES-019": "disabled"}
	count(_f(fs, "SES-019")) == 0
}

test_ses026_today if waivers.today == "2025-06-15" with time.now_ns as _now

test_ses026_malformed_waiver_file_waives_nothing if {
	fs := data.sesguard.findings with input as fx.stack(_tls_off) with data.sesguard_settings.waivers as {"rule": "SES-019"}
	some f in _f(fs, "SES-019")
	f.waived == false
}

# Years past 2262 do not fit OPA's nanosecond clock: such a waiver is judged by its pattern
# instead of aborting the whole evaluation.
test_ses026_far_future_expiry_is_valid if {
	fs := _findings(_tls_off, [object.union(_valid, {"expires": "2999-01-01"})])
	some f in _f(fs, "SES-019")
	f.waived == true
	count(_f(fs, "SES-026")) == 0
}

test_ses026_impossible_calendar_day if {
	some g in _f(_findings(_tls_off, [object.union(_valid, {"expires": "2027-02-30"})]), "SES-026")
	contains(g.message, "it has no expiry date (expires: YYYY-MM-DD)")
}

test_ses026_leap_day if {
	fs := _findings(_tls_off, [object.union(_valid, {"expires": "2028-02-29"})])
	count(_f(fs, "SES-026")) == 0
	some g in _f(_findings(_tls_off, [object.union(_valid, {"expires": "2100-02-29"})]), "SES-026")
	contains(g.message, "it has no expiry date")
}
