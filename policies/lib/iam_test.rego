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
