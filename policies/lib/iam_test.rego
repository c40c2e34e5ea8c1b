package lib.iam_test

import data.lib.iam

# A service principal is matched whatever its case: the lower-case one by a set lookup, another
# spelling by lower-casing the principals.
test_has_service_ignores_case if {
	s := iam.normalize({"Effect": "Allow", "Principal": {"Service": "SES.amazonaws.com"}, "Action": "sns:Publish"})
	iam.has_service(s, "ses.amazonaws.com")
	iam.has_service(s, "SES.AMAZONAWS.COM")
	t := iam.normalize({"Effect": "Allow", "Principal": {"Service": ["ses.amazonaws.com"]}, "Action": "sns:Publish"})
	iam.has_service(t, "ses.amazonaws.com")
	not iam.has_service(t, "sns.amazonaws.com")
}

# A single string Action and a list of them normalize alike.
test_actions_string_or_list if {
	iam.normalize({"Action": "SNS:Publish"}).actions == {"sns:publish"}
	iam.normalize({"Action": ["SNS:Publish", 1]}).actions == {"sns:publish"}
	iam.normalize({"NotAction": "sns:Delete*"}).actions == {"sns:delete*"}
}

# The shape SES-014 asks for is recognised without normalizing it (text or decoded); one step off
# that shape is not, and is left to the full judgement.
_ses_only := {"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "sns:Publish", "Condition": {"StringEquals": {"AWS:SourceAccount": "1"}}}

_one(s) := json.marshal({"Statement": [s]})

_cond(c) := object.union(object.remove(_ses_only, ["Condition"]), {"Condition": c})

test_ses_publish_only_the_recommended_shape if {
	iam.ses_publish_only(_one(_ses_only))
	iam.ses_publish_only({"Statement": [_ses_only]})
	iam.ses_publish_only(_one(_cond({"ArnLike": {"aws:sourcearn": "arn:aws:ses:us-east-1:1:configuration-set/x"}})))
}

test_ses_publish_only_nothing_else if {
	not iam.ses_publish_only(json.marshal({"Statement": [_ses_only, _ses_only]}))
	not iam.ses_publish_only(json.marshal({"Statement": _ses_only}))
	not iam.ses_publish_only(_one(object.union(_ses_only, {"NotPrincipal": {"AWS": "arn:aws:iam::1:root"}})))
	not iam.ses_publish_only(_one(object.union(_ses_only, {"NotAction": "sns:DeleteTopic"})))
	not iam.ses_publish_only(_one(object.union(_ses_only, {"Effect": "Deny"})))
	not iam.ses_publish_only(_one(object.union(_ses_only, {"Action": ["sns:Publish"]})))
	not iam.ses_publish_only(_one(object.union(_ses_only, {"Principal": "*"})))
	not iam.ses_publish_only(_one(_cond({"StringEquals": {"AWS:SourceOwner": "1"}})))
	not iam.ses_publish_only(_one(_cond([{"StringEquals": {"AWS:SourceAccount": "1"}}])))
	not iam.ses_publish_only(_one(_cond({"StringEquals": ["AWS:SourceAccount"]})))
	not iam.ses_publish_only(_one(object.remove(_ses_only, ["Condition"])))
	not iam.ses_publish_only("{not json")
	not iam.ses_publish_only(null)
	not iam.ses_publish_only("04da6b54-80e4-46f7-96ec-b56ff0331ba9")
}
