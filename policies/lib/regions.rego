# METADATA
# title: The AWS region of a resource
# description: |
#   A stack may create resources through several AWS providers (an explicit
#   `aws.Provider("euw1", region="eu-west-1")` beside the default one). Sources set a resource's
#   optional `region` to its own provider's region (or its own `region` property, or its ARN's);
#   of(r) reads it, falling back to the stack's region (the document's, else `aws:region`).
package lib.regions

import data.lib

# The stack's region: the document's, else the stack's aws:region config; undefined when neither.
stack := input.region if {
	_usable(input.region)
} else := input.config["aws:region"] if {
	_usable(input.config["aws:region"])
}

# The region of resource r; undefined when neither it nor the stack has one.
# `r.region` is undefined when absent, which fails the body as _usable(null) did, without a call.
of(r) := r.region if _usable(r.region)
else := stack

_usable(x) if {
	is_string(x)
	lib.known(x)
	x != ""
}

# A region a CloudFormation template names only as its AWS::Region pseudo-parameter (the source's
# symbol `${aws::region}`): the same value wherever the stack uses it, but no particular region.
# A value built from it compares equal to another built from it; a literal region never matches.
symbolic(x) if {
	is_string(x)
	startswith(x, "${")
}
