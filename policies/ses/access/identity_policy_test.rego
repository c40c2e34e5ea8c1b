package ses.access_test

import data.lib.sesfix_test as fx
import data.ses.access

_t2 := "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy"

_t1 := "aws:ses/identityPolicy:IdentityPolicy"

_deny(t, policy) := fs if {
	r := fx.res(t, "pol", {"emailIdentity": "example.com", "policyName": "p", "policy": policy}, [])
	fs := access.deny with input as fx.stack(array.concat(fx.sender, [r]))
}

_doc(stmts) := json.marshal({"Version": "2012-10-17", "Statement": stmts})

_ok := {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": fx.U}

_msg_has(fs, s) if {
	some m in fx.msgs(fs, "SES-024")
	contains(m, s)
}

test_ses024_compliant if count(fx.of(_deny(_t2, _doc([_ok])), "SES-024")) == 0

test_ses024_no_policy_resources_pass if {
	fs := access.deny with input as fx.stack(fx.sender)
	count(fs) == 0
}

test_ses024_public_unconditioned if {
	fs := _deny(_t2, _doc([object.union(_ok, {"Principal": "*"})]))
	fx.of(fs, "SES-024") == {fx.urn(_t2, "pol")}
	_msg_has(fs, "any principal (*)")
}

test_ses024_public_aws_star_unconditioned_v1 if {
	fs := _deny(_t1, _doc([object.union(_ok, {"Principal": {"AWS": ["*"]}})]))
	fx.of(fs, "SES-024") == {fx.urn(_t1, "pol")}
}

test_ses024_public_with_condition_passes if {
	s := object.union(_ok, {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}})
	count(fx.of(_deny(_t2, _doc([s])), "SES-024")) == 0
}

test_ses024_not_principal_is_public if {
	s := object.remove(object.union(_ok, {"NotPrincipal": {"AWS": "arn:aws:iam::1:root"}}), ["Principal"])
	count(fx.of(_deny(_t2, _doc([s])), "SES-024")) == 1
}

test_ses024_ses_star if {
	fs := _deny(_t2, _doc([object.union(_ok, {"Action": "SES:*"})]))
	_msg_has(fs, "grants ses:* (statement \"Partner\")")
}

test_ses024_star_action if {
	fs := _deny(_t2, json.marshal({"Statement": object.union(_ok, {"Action": "*", "Sid": ""})}))
	_msg_has(fs, "grants * (statement without Sid)")
}

test_ses024_not_action if {
	s := object.remove(object.union(_ok, {"NotAction": "ses:DeleteIdentity"}), ["Action"])
	_msg_has(_deny(_t2, _doc([s])), "everything but")
}

test_ses024_deny_statement_ignored if {
	s := object.union(_ok, {"Effect": "Deny", "Principal": "*", "Action": "ses:*"})
	count(fx.of(_deny(_t2, _doc([_ok, s])), "SES-024")) == 0
}

test_ses024_invalid_json if _msg_has(_deny(_t2, "{\"Statement\": "), "not a JSON policy document")

test_ses024_no_statement if _msg_has(_deny(_t2, "{\"Version\": \"2012-10-17\"}"), "not a JSON policy document")

test_ses024_missing_policy if _msg_has(_deny(_t1, ""), "not a JSON policy document")

test_ses024_unknown_policy if _msg_has(_deny(_t2, fx.U), "cannot verify")

test_ses024_secret_policy if _msg_has(_deny(_t2, "[secret]"), "cannot verify")

test_ses024_decoded_object_policy if {
	fs := _deny(_t2, {"Statement": [object.union(_ok, {"Principal": "*"})]})
	count(fx.of(fs, "SES-024")) == 1
}

test_ses024_malformed_fields_fail_closed if {
	# A non-string Effect is no Allow; a non-object Condition is no condition.
	s := object.union(_ok, {"Effect": 1, "Principal": "*"})
	c := object.union(_ok, {"Principal": "*", "Condition": "yes", "Sid": "C"})
	fs := _deny(_t2, _doc([s, c, "not a statement"]))
	fx.msgs(fs, "SES-024") == {"identity policy pol lets any principal (*) act on the identity without a condition (statement \"C\")"}
}
