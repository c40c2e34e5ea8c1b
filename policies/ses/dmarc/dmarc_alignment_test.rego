package ses.dmarc_test

import data.lib.mail_fixtures_test as fx
import data.ses.dmarc

test_dmarc_alignment_relaxed_passes if {
	fx.resources_of(_rj(_rj_txt(["v=DMARC1; p=reject; aspf=r; adkim=s"])), "SES-007") == set()
}

test_dmarc_alignment_strict_spf_with_subdomain_mail_from_fails if {
	fs := _rj(_rj_txt(["v=DMARC1; p=reject; ASPF=S"]))
	fx.resources_of(fs, "SES-007") == {_rj_rec}
	fx.messages_of(fs, "SES-007") == {"_dmarc.example.com sets aspf=s while example.com sends with MAIL FROM mail.example.com, a subdomain: SPF will never align"}
}

test_dmarc_alignment_v1_mail_from_fails if {
	rs := [
		fx.v1_identity("d", "example.com"),
		fx.v1_mail_from("m", "example.com", "bounce.example.com", "RejectMessage"),
		fx.r53("dm", "_dmarc.example.com", "TXT", ["v=DMARC1; p=reject; aspf=s"]),
	]
	fs := dmarc.deny with input as fx.doc(rs)
	fx.says(fs, "SES-007", "MAIL FROM bounce.example.com")
}

test_dmarc_alignment_strict_without_custom_mail_from_passes if {
	rs := [fx.identity("d", "example.com"), fx.r53("dm", "_dmarc.example.com", "TXT", ["v=DMARC1; p=reject; aspf=s"])]
	fx.resources_of(dmarc.deny, "SES-007") == set() with input as fx.doc(rs)
}

test_dmarc_alignment_unknown_mail_from_cannot_verify if {
	rs := [
		fx.identity("d", "example.com"),
		fx.mail_from("m", "example.com", fx.U, "REJECT_MESSAGE"),
		fx.r53("dm", "_dmarc.example.com", "TXT", ["v=DMARC1; p=reject; aspf=s"]),
	]
	fs := dmarc.deny with input as fx.doc(rs)
	fx.says(fs, "SES-007", "cannot verify SPF alignment")
}
