# METADATA
# title: The production-access request, as `sesguard request` builds it
# description: |
#   Helpers for SES-030…032. input.request = {params (the put_account_details fields), answers
#   (the stack config's answers to AWS's four questions), claims (what the use case asserts about
#   the stack), evidence (the sentence each claim rests on)}. Only documents whose source is
#   "request" are judged here.
package ses.request

req := input.request if input.source == "request"

params := object.get(req, "params", {})

answers := object.get(req, "answers", {})

claims := object.get(req, "claims", {})

evidence := object.get(req, "evidence", {})

use_case := params.UseCaseDescription if is_string(params.UseCaseDescription)

else := ""

# AWS's four questions, by the stack config key that answers each (sesguard:request.<key>).
questions := {
	"listBuilding": "how recipients get on the list",
	"bounceHandling": "how bounces and complaints are handled",
	"optOut": "how recipients opt out",
	"volumeRationale": "how the sending rate and volume were chosen",
}

answer(k) := trim_space(a) if {
	a := answers[k]
	is_string(a)
} else := ""

words(s) := count([w | some w in regex.split(`\s+`, trim_space(s)); w != ""])
