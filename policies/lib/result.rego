# METADATA
# title: Findings, levels and thresholds
# description: |
#   Every rule builds its findings here so all findings share one shape and every level and
#   threshold override is applied in one place. Levels come from data.sesguard_settings.levels (the
#   pack's policy config or the checker's options); thresholds can only be tightened, by
#   data.sesguard_settings.thresholds or by the stack's own `sesguard:thresholds` config.
package lib.result

# AWS's review levels and sesguard's defaults (SES-FACTS.md).
default_thresholds := {
	"bounce_rate": 0.05,
	"complaint_rate": 0.001,
	"spf_lookups": 10,
}

levels := data.sesguard_settings.levels if is_object(data.sesguard_settings.levels)

else := {}

# The enforcement a rule runs at: an override from data, else its METADATA default.
level(meta) := object.get(levels, meta.custom.id, meta.custom.enforcement)

# One else-chain: the three cases exclude each other, and only the one that applies is evaluated
# (it runs once per finding).
urn_of(r) := r.urn if is_object(r)

else := r if is_string(r)

else := "" if r == null

finding(meta, r, msg) := {
	"rule": meta.custom.id,
	"title": meta.title,
	"severity": meta.custom.severity,
	"enforcement": level(meta),
	"resource": urn_of(r),
	"message": msg,
	"remediation": meta.custom.remediation,
}

_candidates(name) := {v |
	some src in [
		default_thresholds,
		_settings_thresholds,
		object.get(input, ["config", "sesguard:thresholds"], {}),
	]
	v := src[name]
	is_number(v)
}

_settings_thresholds := data.sesguard_settings.thresholds if is_object(data.sesguard_settings.thresholds)

else := {}

# The lowest of the default and every override: configuration tightens, never loosens.
threshold(name) := min(_candidates(name))
