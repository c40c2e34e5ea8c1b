package ses.suppression_test

import data.lib.sesfix_test as fx
import data.ses.suppression

_deny(rs, config) := fs if {
	fs := suppression.deny with input as fx.stack_config(rs, config)
}

_supp_urn := fx.urn(fx.t_supp, "suppression")

_no_supp := fx.drop(fx.sender, fx.t_supp, "suppression")

_msg_has(fs, id, s) if {
	some m in fx.msgs(fs, id)
	contains(m, s)
}

test_ses016_compliant if count(fx.of(_deny(fx.sender, {}), "SES-016")) == 0

test_ses016_missing_fails if {
	fs := _deny(_no_supp, {})
	fx.of(fs, "SES-016") == {""}
}

test_ses016_other_stack_owns_it if count(fx.of(_deny(_no_supp, {"ses-sender:accountSuppression": false}), "SES-016")) == 0

test_ses016_other_stack_owns_it_text_config if count(fx.of(_deny(_no_supp, {"sesguard:accountSuppression": "False"}), "SES-016")) == 0

test_ses016_config_true_still_requires if fx.of(_deny(_no_supp, {"ses-sender:accountSuppression": "true"}), "SES-016") == {""}

test_ses016_non_ses_stack_not_judged if {
	rs := [r | some r in _no_supp; not startswith(r.type, "aws:ses")]
	count(fx.of(_deny(rs, {}), "SES-016")) == 0
}

test_ses016_only_bounce if {
	fs := _deny(fx.patch(fx.sender, fx.t_supp, "suppression", {"suppressedReasons": ["BOUNCE"]}), {})
	fx.of(fs, "SES-016") == {_supp_urn}
	_msg_has(fs, "SES-016", "does not cover COMPLAINT")
}

test_ses016_empty_reasons if {
	fs := _deny(fx.replace(fx.sender, fx.t_supp, "suppression", {}), {})
	_msg_has(fs, "SES-016", "does not cover BOUNCE and COMPLAINT")
}

test_ses016_declared_but_disowned_is_still_judged if {
	fs := _deny(fx.patch(fx.sender, fx.t_supp, "suppression", {"suppressedReasons": ["complaint"]}), {"ses-sender:accountSuppression": false})
	fx.of(fs, "SES-016") == {_supp_urn}
}

test_ses016_unknown_reasons if {
	fs := _deny(fx.patch(fx.sender, fx.t_supp, "suppression", {"suppressedReasons": ["BOUNCE", fx.U]}), {})
	_msg_has(fs, "SES-016", "unknown until apply")
}

test_ses016_secret_reasons if {
	fs := _deny(fx.patch(fx.sender, fx.t_supp, "suppression", {"suppressedReasons": "[secret]"}), {})
	_msg_has(fs, "SES-016", "secret")
}

_cfn(rs, config) := fs if {
	fs := suppression.deny with input as object.union(fx.stack_config(rs, config), {"source": "cloudformation"})
}

test_ses016_template_without_owner_is_told_its_metadata_opt_out if {
	fs := _cfn(_no_supp, {})
	_msg_has(fs, "SES-016", "the template's Metadata (sesguard: accountSuppression: false)")
	_msg_has(fs, "SES-016", "25 November 2019")
}

test_ses016_template_whose_metadata_says_another_owner_passes if {
	count(fx.of(_cfn(_no_supp, {"sesguard:accountSuppression": false}), "SES-016")) == 0
}
