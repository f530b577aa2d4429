package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// updateReward: PUT /v1/admin/rewards/{id} — creates (201) or replaces (200)
// the reward; a retired one is offered again.
func (a *App) updateReward(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathSlug(r, "id")
	if err != nil {
		return reply{}, err
	}
	var b rewardFields
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	return a.putReward(r, p, id, b)
}

// archiveReward: DELETE /v1/admin/rewards/{id} — retires the reward. It is
// kept, so that the ledger's redemptions still name it, and offered no more;
// retiring it again answers the same.
func (a *App) archiveReward(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathSlug(r, "id")
	if err != nil {
		return reply{}, err
	}
	rw, err := a.Store.Reward(r.Context(), id)
	if err != nil {
		return reply{}, err
	}
	if rw.ArchivedAt.IsZero() {
		rw.ArchivedAt, rw.UpdatedAt = a.Program.Now(), a.Program.Now()
		if err := a.Store.SaveReward(r.Context(), rw); err != nil {
			return reply{}, err
		}
		a.Program.RewardSaved(rw)
		if err := a.audit(r, p, "reward.archive", rw.ID, rw.Name); err != nil {
			return reply{}, err
		}
	}
	return reply{body: rw}, nil
}

// memberDetail is a member as the operator's console opens them.
type memberDetail struct {
	memberView
	BlockedAt time.Time `json:"blockedAt,omitzero"`
	BlockNote string    `json:"blockNote,omitempty"`
	// Lots are the points held, soonest expiry first.
	Lots []lotView `json:"lots"`
	// Ledger is the newest page of entries; Next pages on through
	// GET /v1/members/{id}/ledger?cursor=.
	Ledger    []entryView   `json:"ledger"`
	Next      string        `json:"next,omitempty"`
	Donations donationsView `json:"donations"`
	Devices   devicesView   `json:"devices"`
	Activity  activityView  `json:"activity"`
}

type lotView struct {
	ExpiresOn loyalty.Date `json:"expiresOn"`
	Points    int64        `json:"points"`
}

type donationsView struct {
	GivenThisYear int64                 `json:"givenThisYear"`
	Plan          *loyalty.DonationPlan `json:"plan,omitempty"`
}

// devicesView counts the phones told of the card's changes. Apple Wallet
// registers each device; Google Wallet keeps its own list and tells nobody.
// Push tokens are never shown.
type devicesView struct {
	Apple int `json:"apple"`
}

// detailLedgerPage is how many entries the detail shows before paging.
const detailLedgerPage = 20

// getMemberDetail: GET /v1/admin/members/{id} — profile, tier, balance, lots
// with their expiry, the newest ledger entries, donations and devices.
func (a *App) getMemberDetail(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	entries, err := a.Store.Ledger(r.Context(), id, 0, detailLedgerPage)
	if err != nil {
		return reply{}, err
	}
	devices, err := a.Store.PassRegistrations(r.Context(), acct.Member.Serial)
	if err != nil {
		return reply{}, err
	}
	m := acct.Member
	activity, err := a.activityOf(r, m)
	if err != nil {
		return reply{}, err
	}
	v := memberDetail{
		memberView: a.memberView(acct, rules, true), BlockedAt: m.BlockedAt, BlockNote: m.BlockNote,
		Lots: make([]lotView, len(acct.Lots)), Ledger: make([]entryView, len(entries)),
		Donations: donationsView{GivenThisYear: m.GivenThisYear(a.Program.Now()), Plan: m.DonationPlan},
		Devices:   devicesView{Apple: len(devices)}, Activity: activity,
	}
	for i, l := range acct.Lots {
		v.Lots[i] = lotView{ExpiresOn: l.ExpiresOn, Points: l.Remaining}
	}
	for i, e := range entries {
		v.Ledger[i] = newEntryView(e)
		v.Ledger[i].KeyID, v.Ledger[i].KeyName = e.KeyID, e.KeyName // only operators read this
	}
	if n := len(entries); n == detailLedgerPage && entries[n-1].Seq > 1 {
		v.Next = strconv.FormatInt(entries[n-1].Seq, 10)
	}
	return reply{body: v}, nil
}

type blockBody struct {
	Note string `json:"note"`
}

// blockMember: PUT /v1/admin/members/{id}/block — the member's card is
// refused at the till (scans, earnings, redemptions) until unblocked.
// Blocking a blocked member changes nothing.
func (a *App) blockMember(r *http.Request) (reply, error) {
	var b blockBody
	if r.ContentLength != 0 {
		if err := decode(r, &b); err != nil {
			return reply{}, err
		}
	}
	return a.setBlocked(r, loyalty.BlockRequest{Blocked: true, Note: b.Note})
}

// unblockMember: DELETE /v1/admin/members/{id}/block — the card works again,
// with every point the member had.
func (a *App) unblockMember(r *http.Request) (reply, error) {
	return a.setBlocked(r, loyalty.BlockRequest{})
}

func (a *App) setBlocked(r *http.Request, req loyalty.BlockRequest) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	req.MemberID = id
	m, err := a.Program.Block(r.Context(), req)
	if err != nil {
		return reply{}, err
	}
	action := "member.unblock"
	if req.Blocked {
		action = "member.block"
	}
	if err := a.audit(r, p, action, m.ID, req.Note); err != nil {
		return reply{}, err
	}
	return reply{body: struct {
		ID        string    `json:"id"`
		BlockedAt time.Time `json:"blockedAt,omitzero"`
		BlockNote string    `json:"blockNote,omitempty"`
	}{m.ID, m.BlockedAt, m.BlockNote}}, nil
}

// printCard: GET /v1/admin/members/{id}/card.pdf — the member's card, front
// and back, ready to print on a plastic card (ID-1 with 2 mm of bleed).
func (a *App) printCard(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if a.PrintCard == nil { // refused before reading the member: nothing to print with
		return reply{}, &clientError{http.StatusNotImplemented, "not_implemented", "this function does not print cards"}
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	m := acct.Member
	pdf, err := a.PrintCard(m, rules, a.Codes.Mint(m.ID, m.CodeGeneration))
	if err != nil {
		return reply{}, err
	}
	return reply{raw: pdf, header: http.Header{
		"Content-Type":        {"application/pdf"},
		"Content-Disposition": {`inline; filename="card-` + m.Number() + `.pdf"`},
		"Cache-Control":       {"no-store"},
	}}, nil
}
