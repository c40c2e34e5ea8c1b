# METADATA
# title: SNS topics, their policies and subscribers; SQS queues
# description: |
#   Indexed by topic URN, so a rule asks "who subscribes to this topic" without scanning. A
#   reference to a topic or queue is resolved by identifier (arn, id, name), by the name at the
#   end of a known ARN (a program may write the ARN it will get, before the topic exists), or,
#   when unknown at preview, through the referring resource's dependencies.
package lib.topics

import data.lib
import data.lib.resources
import data.lib.ses

topics_by_name := {n: {r | some r in _topics; r.props.name == n} | some n in {n | some r in _topics; n := r.props.name; is_string(n)}}

queues_by_name := {n: {r | some r in _queues; r.props.name == n} | some n in {n | some r in _queues; n := r.props.name; is_string(n)}}

# Rules, not calls: comprehension indexing needs the collection to be a reference.
_topics := resources.of_type(ses.t.topic)

_queues := resources.of_type(ses.t.queue)

# The last field of an ARN (arn:partition:service:region:account:name) for the given service.
_arn_name(value, service) := parts[5] if {
	is_string(value)
	startswith(value, "arn:")
	parts := split(value, ":")
	count(parts) == 6
	parts[0] == "arn"
	parts[2] == service
}

# The topics in the stack a property value of r points at (a set of resources). The indexes
# are referenced, never passed as arguments: a large argument costs its size on every call.
# A value unknown at preview is no ARN: it resolves through dependencies alone.
# The unknown case is resources.resolve's dependency walk written against this file's own URN
# index (the same value: the resources of the type among r's dependencies), which saves a call
# and its type dispatch for each of the several references per sending domain.
resolve_topic(value, r) := {x | x := _topic_by_urn[r.dependencies[_]]} if {
	value == lib.unknown_value
} else := resources.resolve(value, r, ses.t.topic) | {t | some t in object.get(topics_by_name, _arn_name(value, "sns"), set())}

resolve_queue(value, r) := {x | x := _queue_by_urn[r.dependencies[_]]} if {
	value == lib.unknown_value
} else := resources.resolve(value, r, ses.t.queue) | {q | some q in object.get(queues_by_name, _arn_name(value, "sqs"), set())}

# The queues a subscription delivers to: those its endpoint names. An endpoint unknown until apply
# resolves through the subscription's dependencies, which hold every queue it reaches (Terraform's
# are transitive: the queue's dead-letter queue, through its redrive policy, is among them). A
# queue another of those queues depends on is reached through that one, not subscribed: only the
# queues no other candidate depends on are the endpoint.
subscribed_queues(s) := qs if {
	cands := resolve_queue(object.get(s.props, "endpoint", null), s)
	qs := {q | some q in cands; not _behind(q, cands)}
	count(qs) > 0
} else := resolve_queue(object.get(s.props, "endpoint", null), s)

_behind(q, cands) if {
	some other in cands
	other.urn != q.urn
	q.urn in object.get(other, "dependencies", [])
}

_topic_by_urn := {r.urn: r | some r in _topics}

_queue_by_urn := {r.urn: r | some r in _queues}

# Subscriptions by the URN of the topic they subscribe to.
subscriptions_by_topic := {u: {v | some [k, v] in _subscription_pairs; k == u} | some u in {k | some [k, _] in _subscription_pairs}}

_subscription_pairs contains [t.urn, s] if {
	some s in resources.of_type(ses.t.topic_subscription)
	some t in resolve_topic(object.get(s.props, "topic", null), s)
}

subscriptions(topic) := object.get(subscriptions_by_topic, topic.urn, set())

# Policies that govern a topic, by topic URN: {resource, policy}. A TopicPolicy resource
# (props arn, policy) or the topic's own `policy`. The topic's `policy` as the provider reported
# it (listed in the resource's `computed`: an output the program did not set) is SNS's default
# policy read when the topic was created; a TopicPolicy on the topic has replaced it since, and
# neither Pulumi nor Terraform reads the topic again in the same update. So that output counts only
# when no TopicPolicy targets the topic; a `policy` the program sets on the topic always counts.
policies_by_topic := {u: {v | some [k, v] in _policy_pairs; k == u} | some u in {k | some [k, _] in _policy_pairs}}

_topic_policy_pairs contains [t.urn, {"resource": p, "policy": object.get(p.props, "policy", null)}] if {
	some p in resources.of_type(ses.t.topic_policy)
	some t in resolve_topic(object.get(p.props, "arn", null), p)
}

# URNs of the topics some TopicPolicy targets.
_has_topic_policy := {u | some [u, _] in _topic_policy_pairs}

_policy_pairs contains pair if some pair in _topic_policy_pairs

_policy_pairs contains [t.urn, {"resource": t, "policy": t.props.policy}] if {
	some t in resources.of_type(ses.t.topic)
	not t.props.policy in {null, ""}
	not _replaced(t)
}

_replaced(t) if {
	"policy" in object.get(t, "computed", [])
	t.urn in _has_topic_policy
}

policies(topic) := object.get(policies_by_topic, topic.urn, set())

# Standalone redrive policies (aws:sqs/redrivePolicy:RedrivePolicy, props queueUrl, redrivePolicy)
# by the URN of the queue they apply to: the queue's url (or id, which is its url) or, when
# unknown, through dependencies.
redrive_type := "aws:sqs/redrivePolicy:RedrivePolicy"

_queues_by_url := {u: {v | some [k, v] in _queue_url_pairs; k == u} | some u in {k | some [k, _] in _queue_url_pairs}}

_queue_url_pairs contains [u, q] if {
	some q in resources.of_type(ses.t.queue)
	some k in ["url", "id"]
	u := q.props[k]
	is_string(u)
	lib.known(u)
}

redrive_by_queue := {u: {v | some [k, v] in _redrive_pairs; k == u} | some u in {k | some [k, _] in _redrive_pairs}}

_redrive_pairs contains [q.urn, object.get(r.props, "redrivePolicy", null)] if {
	some r in resources.of_type(redrive_type)
	v := object.get(r.props, "queueUrl", null)
	lib.known(v)
	some q in object.get(_queues_by_url, v, set())
}

_redrive_pairs contains [q.urn, object.get(r.props, "redrivePolicy", null)] if {
	some r in resources.of_type(redrive_type)
	lib.unknown(object.get(r.props, "queueUrl", null))
	some q in resources.resolve(r.props.queueUrl, r, ses.t.queue)
}

# The redrive policies that apply to a queue: its own and standalone ones.
# A queue no standalone policy applies to (the usual one) has only its own: one body, no union.
redrive_policies(queue) := _own_redrive(queue) if {
	not redrive_by_queue[queue.urn]
} else := {p | some p in object.get(redrive_by_queue, queue.urn, set())} | _own_redrive(queue)

_own_redrive(queue) := {p |
	p := queue.props.redrivePolicy
	not p in {null, ""}
}

# Whether a redrive policy names a dead-letter queue: "yes", "no" or "unknown".
dead_letter(p) := "unknown" if {
	not lib.known(p)
} else := "yes" if {
	d := _json(p)
	not object.get(d, "deadLetterTargetArn", null) in {null, ""}
} else := "no"

_json(p) := p if is_object(p)

# Only an object can name a target: the JSON text of a list or a number (`"[1]"`) names none, and
# object.get on it would stop the whole evaluation with a type error.
_json(p) := d if {
	is_string(p)
	json.is_valid(p)
	d := json.unmarshal(p)
	is_object(d)
}
