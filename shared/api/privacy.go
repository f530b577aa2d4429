package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// memberExport is everything the program keeps about a member, as the
// member downloads it (GDPR article 15 and 20): the profile, every ledger
// entry, the donation plan and gifts, and the phones their card reaches.
type memberExport struct {
	ExportedAt   time.Time             `json:"exportedAt"`
	Profile      memberView            `json:"profile"`
	Ledger       []entryView           `json:"ledger"`
	DonationPlan *loyalty.DonationPlan `json:"donationPlan"`
	Giving       loyalty.Giving        `json:"giving"`
	Devices      []deviceExport        `json:"devices"`
}

// deviceExport is a phone registered for the card's updates. Its push
// token is left out: it is a credential to push to the phone, not
// information about the member.
type deviceExport struct {
	DeviceID     string    `json:"deviceId"`
	RegisteredAt time.Time `json:"registeredAt"`
}

// exportMember: GET /v1/members/{id}/export (that member, admin) — the
// member's data as one JSON file to download.
func (a *App) exportMember(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if p, err := a.requireMemberAccess(r, id); err != nil {
		return reply{}, err
	} else if p.role == roleStaff {
		return reply{}, errForbidden
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	out := memberExport{ExportedAt: a.Program.Now(), Profile: a.memberView(acct, rules, true), Ledger: []entryView{},
		DonationPlan: acct.Member.DonationPlan, Giving: acct.Member.Giving, Devices: []deviceExport{}}
	for before := int64(0); ; {
		page, err := a.Store.Ledger(r.Context(), id, before, 100)
		if err != nil {
			return reply{}, err
		}
		for _, e := range page {
			out.Ledger = append(out.Ledger, newEntryView(e))
		}
		if len(page) < 100 || page[len(page)-1].Seq <= 1 {
			break
		}
		before = page[len(page)-1].Seq
	}
	regs, err := a.Store.PassRegistrations(r.Context(), acct.Member.Serial)
	if err != nil {
		return reply{}, err
	}
	for _, reg := range regs {
		out.Devices = append(out.Devices, deviceExport{DeviceID: reg.DeviceID, RegisteredAt: reg.CreatedAt})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return reply{}, err
	}
	return reply{raw: append(b, '\n'), header: http.Header{
		"Content-Type":        {"application/json"},
		"Content-Disposition": {`attachment; filename="member-` + id + `.json"`},
		"Cache-Control":       {"no-store"},
	}}, nil
}
