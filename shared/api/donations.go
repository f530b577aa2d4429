package api

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// charityBody is what an operator writes of a charity; the rest is the
// program's to keep.
type charityBody struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	LogoURL       string            `json:"logoUrl"`
	PointsPerUnit int64             `json:"pointsPerUnit"`
	Currency      string            `json:"currency"`
	MinPoints     int64             `json:"minPoints"`
	Step          int64             `json:"step"`
	Matching      *loyalty.Matching `json:"matching"`
	Archived      bool              `json:"archived"`
}

// saveCharity: POST /v1/admin/charities and PUT /v1/admin/charities/{id} —
// creates (201) or replaces (200) a charity; a charity is archived, never
// deleted, so its reports stay.
func (a *App) saveCharity(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var b charityBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	if r.PathValue("id") != "" {
		id, err := pathSlug(r, "id")
		if err != nil {
			return reply{}, err
		}
		if b.ID != "" && b.ID != id {
			return reply{}, badRequest("invalid_request", "the id in the body differs from the one in the path")
		}
		b.ID = id
	}
	if err := loyalty.ValidSlug("id", b.ID); err != nil {
		return reply{}, err
	}
	var prev *loyalty.Charity
	if c, err := a.Store.Charity(r.Context(), b.ID); err == nil {
		prev = &c
	} else if !errors.Is(err, loyalty.ErrCharityNotFound) {
		return reply{}, err
	}
	c, err := loyalty.PrepareCharity(loyalty.Charity{
		ID: b.ID, Name: b.Name, Description: b.Description, LogoURL: b.LogoURL, PointsPerUnit: b.PointsPerUnit,
		Currency: b.Currency, MinPoints: b.MinPoints, Step: b.Step, Matching: b.Matching, Archived: b.Archived,
	}, prev, a.Program.Now())
	if err != nil {
		return reply{}, err
	}
	if err := a.Store.SaveCharity(r.Context(), c); err != nil {
		return reply{}, err
	}
	if err := a.audit(r, p, "charity.save", c.ID, c.Name); err != nil {
		return reply{}, err
	}
	if prev == nil {
		return reply{status: http.StatusCreated, body: c}, nil
	}
	return reply{body: c}, nil
}

// listCharities: GET /v1/charities (public) — the causes members can give to.
func (a *App) listCharities(r *http.Request) (reply, error) {
	cs, err := a.Store.Charities(r.Context(), true)
	if err != nil {
		return reply{}, err
	}
	if cs == nil {
		cs = []loyalty.Charity{}
	}
	return reply{body: map[string]any{"charities": cs}}, nil
}

type donationBody struct {
	CharityID string `json:"charityId"`
	Points    int64  `json:"points"`
}

// donate: POST /v1/members/{id}/donations (that member, Idempotency-Key).
func (a *App) donate(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	p, err := a.requireSelf(r, id)
	if err != nil {
		return reply{}, err
	}
	key, err := idempotencyKey(r, "donate/"+id, true)
	if err != nil {
		return reply{}, err
	}
	var b donationBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	rc, err := a.Program.Donate(r.Context(), loyalty.DonateRequest{MemberID: id, CharityID: b.CharityID, Points: b.Points, Actor: p.actor(), Key: key})
	if err != nil {
		return reply{}, err
	}
	rep := created(rc)
	view := rep.body.(transactionView)
	rep.body = struct {
		transactionView
		Donation *loyalty.Gift `json:"donation"`
	}{view, rc.Donation}
	return rep, nil
}

type planBody struct {
	CharityID            string `json:"charityId"`
	MonthlyPoints        int64  `json:"monthlyPoints"`
	DonateExpiringPoints bool   `json:"donateExpiringPoints"`
}

// putDonationPlan: PUT /v1/members/{id}/donation-plan (that member).
func (a *App) putDonationPlan(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if _, err := a.requireSelf(r, id); err != nil {
		return reply{}, err
	}
	var b planBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	plan, err := a.Program.SetDonationPlan(r.Context(), id, loyalty.DonationPlan{CharityID: b.CharityID, MonthlyPoints: b.MonthlyPoints, DonateExpiringPoints: b.DonateExpiringPoints})
	if err != nil {
		return reply{}, err
	}
	return reply{body: plan}, nil
}

var errNoPlan = &clientError{http.StatusNotFound, "donation_plan_not_found", "this member has no donation plan"}

// getDonationPlan: GET /v1/members/{id}/donation-plan (that member, admin) —
// the plan as it stands, with what its last monthly run did.
func (a *App) getDonationPlan(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if p, err := a.requireMemberAccess(r, id); err != nil {
		return reply{}, err
	} else if p.role == roleStaff {
		return reply{}, errForbidden
	}
	m, err := a.Store.Member(r.Context(), id)
	if err != nil {
		return reply{}, err
	}
	if m.DonationPlan == nil {
		return reply{}, errNoPlan
	}
	return reply{body: m.DonationPlan}, nil
}

// deleteDonationPlan: DELETE /v1/members/{id}/donation-plan (that member).
func (a *App) deleteDonationPlan(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if _, err := a.requireSelf(r, id); err != nil {
		return reply{}, err
	}
	if err := a.Program.DeleteDonationPlan(r.Context(), id); err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusNoContent, raw: []byte{}}, nil
}

// charityReport: GET /v1/admin/charities/{id}/report?month=YYYY-MM — the
// month's points, money value, donors and matching; as CSV, one line per
// donor and a total, for settlement.
func (a *App) charityReport(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	charityID, err := pathSlug(r, "id")
	if err != nil {
		return reply{}, err
	}
	month, err := loyalty.ParseMonth(r.URL.Query().Get("month"))
	if err != nil {
		return reply{}, err
	}
	csv := wantsCSV(r.Header.Get("Accept"))
	report, err := store.MonthReport(r.Context(), a.Store, charityID, month, csv)
	if err != nil {
		return reply{}, err
	}
	if !csv {
		return reply{body: report}, nil
	}
	var b strings.Builder
	if err := report.CSV(&b); err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusOK, raw: []byte(b.String()), header: http.Header{
		"Content-Type":        {"text/csv; charset=utf-8"},
		"Content-Disposition": {`attachment; filename="` + report.CharityID + "-" + month.String() + `.csv"`},
	}}, nil
}

func wantsCSV(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/csv" {
			return true
		}
	}
	return false
}

// requireSelf admits the member themselves only: giving points away is theirs to do.
func (a *App) requireSelf(r *http.Request, memberID string) (principal, error) {
	p, err := a.require(r, roleMember)
	if err == nil && p.memberID != memberID {
		return p, errForbidden
	}
	return p, err
}
