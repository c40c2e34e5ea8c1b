package ses.suppression_test

import data.lib.sesfix_test as fx

_cs_urn := fx.urn(fx.t_cs, "cs")

_opts(o) := fx.patch(fx.sender, fx.t_cs, "cs", {"suppressionOptions": o})

test_ses017_compliant if count(fx.of(_deny(fx.sender, {}), "SES-017")) == 0

test_ses017_absent_passes if count(fx.of(_deny(fx.remove_prop(fx.sender, fx.t_cs, "cs", "suppressionOptions"), {}), "SES-017")) == 0

test_ses017_empty_list_turns_suppression_off if {
	fs := _deny(fx.replace(fx.sender, fx.t_cs, "cs", {"configurationSetName": "prod", "suppressionOptions": {"suppressedReasons": []}}), {})
	fx.of(fs, "SES-017") == {_cs_urn}
	_msg_has(fs, "SES-017", "without BOUNCE and COMPLAINT")
}

test_ses017_block_without_list if {
	fs := _deny(fx.replace(fx.sender, fx.t_cs, "cs", {"configurationSetName": "prod", "suppressionOptions": {}}), {})
	fx.of(fs, "SES-017") == {_cs_urn}
}

test_ses017_omits_bounce if {
	fs := _deny(fx.replace(fx.sender, fx.t_cs, "cs", {"configurationSetName": "prod", "suppressionOptions": {"suppressedReasons": ["COMPLAINT"]}}), {})
	_msg_has(fs, "SES-017", "without BOUNCE:")
}

test_ses017_omits_complaint if {
	fs := _deny(fx.replace(fx.sender, fx.t_cs, "cs", {"configurationSetName": "prod", "suppressionOptions": {"suppressedReasons": ["BOUNCE"]}}), {})
	_msg_has(fs, "SES-017", "without COMPLAINT:")
}

test_ses017_unknown_options if {
	fs := _deny(_opts(fx.U), {})
	_msg_has(fs, "SES-017", "cannot verify")
}

test_ses017_unknown_reasons if {
	fs := _deny(fx.replace(fx.sender, fx.t_cs, "cs", {"configurationSetName": "prod", "suppressionOptions": {"suppressedReasons": [fx.U]}}), {})
	_msg_has(fs, "SES-017", "cannot verify")
}

test_ses017_secret_reasons if {
	fs := _deny(fx.replace(fx.sender, fx.t_cs, "cs", {"configurationSetName": "prod", "suppressionOptions": {"suppressedReasons": "[secret]"}}), {})
	_msg_has(fs, "SES-017", "cannot verify")
}
