package ses.dmarc_test

import data.lib.mail_fixtures_test as fx
import data.ses.dmarc

test_dmarc_reports_rua_present_passes if {
	fs := dmarc.deny with input as fx.doc(fx.sender("example.com"))
	fx.resources_of(fs, "SES-006") == set()
}

test_dmarc_reports_no_rua_fails if {
	fs := _rj(_rj_txt(["v=DMARC1; p=reject"]))
	fx.resources_of(fs, "SES-006") == {_rj_rec}
	fx.messages_of(fs, "SES-006") == {"the DMARC record at _dmarc.example.com names no rua=mailto: address for aggregate reports"}
}

test_dmarc_reports_rua_not_mailto_fails if {
	fs := _rj(_rj_txt(["v=DMARC1; p=reject; rua=https://reports.example.com"]))
	fx.resources_of(fs, "SES-006") == {_rj_rec}
}

test_dmarc_reports_left_to_ses_005_without_a_valid_record if {
	fx.resources_of(_rj([]), "SES-006") == set()
	fx.resources_of(_rj(_rj_txt(["v=DMARC1; p=bogus"])), "SES-006") == set()
}
