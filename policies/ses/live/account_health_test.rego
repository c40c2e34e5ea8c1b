package ses.live_test

import data.ses.live

_healthy := {"productionAccessEnabled": true, "sendingEnabled": true, "enforcementStatus": "HEALTHY"}

_acct(account, production) := {
	"source": "live", "region": "us-east-1", "stack": "prod", "resources": [],
	"facts": {"account": account, "production": production},
}

_msgs(fs, id) := {f.message | some f in fs; f.rule == id}

test_healthy_production_account_passes if {
	count(_msgs(live.deny, "SES-041")) == 0 with input as _acct(_healthy, true)
}

test_sandbox_for_production_stack_fails if {
	a := object.union(_healthy, {"productionAccessEnabled": false, "reviewDetails": {"status": "PENDING", "caseId": "42"}})
	ms := _msgs(live.deny, "SES-041") with input as _acct(a, true)
	ms == {"the account is in the SES sandbox in us-east-1, but stack prod is marked production (production-access request PENDING, case 42)"}
}

test_sandbox_for_non_production_stack_passes if {
	a := object.union(_healthy, {"productionAccessEnabled": false})
	count(_msgs(live.deny, "SES-041")) == 0 with input as _acct(a, false)
}

test_sending_disabled_fails if {
	ms := _msgs(live.deny, "SES-041") with input as _acct(object.union(_healthy, {"sendingEnabled": false}), false)
	ms == {"sending is disabled for the account in us-east-1"}
}

test_probation_fails if {
	ms := _msgs(live.deny, "SES-041") with input as _acct(object.union(_healthy, {"enforcementStatus": "PROBATION"}), false)
	ms == {"the account's enforcement status is PROBATION (under review), not HEALTHY"}
}

test_shutdown_fails if {
	ms := _msgs(live.deny, "SES-041") with input as _acct(object.union(_healthy, {"enforcementStatus": "SHUTDOWN"}), false)
	ms == {"the account's enforcement status is SHUTDOWN (sending paused), not HEALTHY"}
}

test_unread_account_fails_closed if {
	ms := _msgs(live.deny, "SES-041") with input as _acct(null, false)
	count(ms) == 1
}
