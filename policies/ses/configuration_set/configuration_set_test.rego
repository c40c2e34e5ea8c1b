package ses.configuration_set_test

import data.lib.sesfix_test as fx
import data.ses.configuration_set

_cs_urn := fx.urn(fx.t_cs, "cs")

_cs(props) := fx.replace(fx.sender, fx.t_cs, "cs", object.union({"configurationSetName": "prod"}, props))

_full := {
	"reputationOptions": {"reputationMetricsEnabled": true},
	"deliveryOptions": {"tlsPolicy": "REQUIRE"},
	"sendingOptions": {"sendingEnabled": true},
}

_deny_cs(props) := fs if {
	fs := configuration_set.deny with input as fx.stack(_cs(props))
}

# SES-018
test_ses018_compliant if count(fx.of(_deny_cs(_full), "SES-018")) == 0

test_ses018_absent_fails if {
	fs := _deny_cs(object.remove(_full, ["reputationOptions"]))
	fx.of(fs, "SES-018") == {_cs_urn}
	some m in fx.msgs(fs, "SES-018")
	contains(m, "not set")
}

test_ses018_false_fails if fx.of(_deny_cs(object.union(_full, {"reputationOptions": {"reputationMetricsEnabled": false}})), "SES-018") == {_cs_urn}

test_ses018_unknown_cannot_verify if {
	fs := _deny_cs(object.union(_full, {"reputationOptions": fx.U}))
	some m in fx.msgs(fs, "SES-018")
	contains(m, "cannot verify")
}

test_ses018_unused_set_not_judged if {
	extra := fx.res(fx.t_cs, "spare", {"configurationSetName": "spare"}, [])
	fs := configuration_set.deny with input as fx.stack(array.concat(_cs(_full), [extra]))
	count(fx.of(fs, "SES-018")) == 0
}

_v1_cs(props) := fx.res("aws:ses/configurationSet:ConfigurationSet", "v1cs", object.union({"name": "legacy"}, props), [])

_v1cs_urn := fx.urn("aws:ses/configurationSet:ConfigurationSet", "v1cs")

# No identity names a set: every declared set is used (v1 programs name the set per send).
test_ses018_v1_set_judged_when_no_identity_names_one if {
	fs := configuration_set.deny with input as fx.stack([_v1_cs({"deliveryOptions": {"tlsPolicy": "Require"}})])
	fx.of(fs, "SES-018") == {_v1cs_urn}
}

test_ses018_v1_set_compliant if {
	fs := configuration_set.deny with input as fx.stack([_v1_cs({"reputationMetricsEnabled": true, "deliveryOptions": {"tlsPolicy": "Require"}})])
	count(fs) == 0
}

# SES-019
test_ses019_compliant if count(fx.of(_deny_cs(_full), "SES-019")) == 0

test_ses019_optional_fails if {
	fs := _deny_cs(object.union(_full, {"deliveryOptions": {"tlsPolicy": "OPTIONAL"}}))
	fx.of(fs, "SES-019") == {_cs_urn}
	fs[f]
	f.rule == "SES-019"
	f.enforcement == "advisory"
}

test_ses019_absent_fails if {
	fs := _deny_cs(object.remove(_full, ["deliveryOptions"]))
	some m in fx.msgs(fs, "SES-019")
	contains(m, "not set, OPTIONAL")
}

test_ses019_unknown_cannot_verify if {
	fs := _deny_cs(object.union(_full, {"deliveryOptions": {"tlsPolicy": fx.U}}))
	some m in fx.msgs(fs, "SES-019")
	contains(m, "cannot verify")
}

test_ses019_v1_require_passes if {
	fs := configuration_set.deny with input as fx.stack([_v1_cs({"reputationMetricsEnabled": true, "deliveryOptions": {"tlsPolicy": "Require"}})])
	count(fx.of(fs, "SES-019")) == 0
}

# SES-020
test_ses020_compliant if count(fx.of(_deny_cs(_full), "SES-020")) == 0

test_ses020_absent_passes if count(fx.of(_deny_cs(object.remove(_full, ["sendingOptions"])), "SES-020")) == 0

test_ses020_disabled_fails if {
	fs := _deny_cs(object.union(_full, {"sendingOptions": {"sendingEnabled": false}}))
	fx.of(fs, "SES-020") == {_cs_urn}
}

test_ses020_v1_disabled_fails if {
	fs := configuration_set.deny with input as fx.stack([_v1_cs({"reputationMetricsEnabled": true, "sendingEnabled": false})])
	fx.of(fs, "SES-020") == {_v1cs_urn}
}

test_ses020_unknown_cannot_verify if {
	fs := _deny_cs(object.union(_full, {"sendingOptions": {"sendingEnabled": fx.U}}))
	some m in fx.msgs(fs, "SES-020")
	contains(m, "cannot verify")
}

test_ses018_unknown_set_name_named_by_logical_name if {
	rs := fx.patch(fx.patch(_cs({}), fx.t_cs, "cs", {"configurationSetName": fx.U}), fx.t_identity, "identity", {"configurationSetName": fx.U})
	fs := configuration_set.deny with input as fx.stack(rs)
	some m in fx.msgs(fs, "SES-018")
	contains(m, "configuration set cs does not publish")
}
