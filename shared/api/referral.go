package api

import (
	"net/http"
	"net/url"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// referralView is what a member shares to refer a friend: the code, and the
// join page's link that fills it in.
type referralView struct {
	Code string `json:"code"`
	Link string `json:"link"`
}

// referralView is nil while the program's referral is off.
func (a *App) referralView(r *http.Request, m loyalty.Member, rules loyalty.Rules) *referralView {
	if !rules.Referral.Enabled {
		return nil
	}
	code := m.ReferralCode()
	return &referralView{Code: code, Link: a.baseURL(r) + "/?" + url.Values{"ref": {code}}.Encode()}
}
