package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

type campaignBody struct {
	Name        string          `json:"name"`
	Segment     loyalty.Segment `json:"segment"`
	Message     loyalty.Texts   `json:"message"`
	BonusPoints int64           `json:"bonusPoints"`
	StartsAt    time.Time       `json:"startsAt"`
}

// campaignView is a campaign and its report.
type campaignView struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Segment     loyalty.Segment `json:"segment"`
	Message     loyalty.Texts   `json:"message"`
	BonusPoints int64           `json:"bonusPoints"`
	StartsAt    time.Time       `json:"startsAt"`
	CreatedAt   time.Time       `json:"createdAt"`
	// Status is "scheduled", "running" or "finished".
	Status     string     `json:"status"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
	Targeted   int64      `json:"targeted"`
	Delivered  int64      `json:"delivered"`
	Pushed     int64      `json:"pushed"`
	Failed     int64      `json:"failed"`
}

func (a *App) viewCampaign(c loyalty.Campaign) campaignView {
	v := campaignView{ID: c.ID, Name: c.Name, Segment: c.Segment, Message: c.Message, BonusPoints: c.BonusPoints,
		StartsAt: c.StartsAt, CreatedAt: c.CreatedAt, Status: "running",
		Targeted: c.Targeted, Delivered: c.Delivered, Pushed: c.Pushed, Failed: c.Failed + c.PushFailed}
	switch {
	case c.Finished():
		v.Status, v.FinishedAt = "finished", &c.FinishedAt
	case c.Pages == 0 && a.Program.Now().Before(c.StartsAt):
		v.Status = "scheduled"
	}
	return v
}

var errCampaignsOff = &clientError{http.StatusServiceUnavailable, "unavailable", "campaigns are not configured in this deployment"}

// createCampaign: POST /v1/admin/campaigns (Idempotency-Key optional) — a
// message to the consenting members of a segment, on their cards, from
// startsAt (now when absent). Failed counts members it could not reach and
// notifications refused.
func (a *App) createCampaign(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var b campaignBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	key, err := idempotencyKey(r, "campaigns", false)
	if err != nil {
		return reply{}, err
	}
	if a.StartCampaign == nil {
		return reply{}, errCampaignsOff
	}
	c, replayed, err := a.Program.CreateCampaign(r.Context(), a.Store, p.actor(), key, loyalty.Campaign{
		Name: b.Name, Segment: b.Segment, Message: b.Message, BonusPoints: b.BonusPoints, StartsAt: b.StartsAt,
	})
	if err != nil {
		return reply{}, err
	}
	// Started again on a replay: the first request may have saved the
	// campaign and failed to start it, and a fan-out started twice does
	// each page once.
	if err := a.StartCampaign(r.Context(), c); err != nil {
		return reply{}, errors.Join(store.ErrUnavailable, err)
	}
	rep := reply{status: http.StatusCreated, header: http.Header{"Location": {"/v1/admin/campaigns/" + c.ID}}}
	if replayed {
		// The campaign as it is now, as enrollment answers the member.
		if c, err = a.Store.Campaign(r.Context(), c.ID); err != nil {
			return reply{}, err
		}
		rep.header.Set("Idempotent-Replayed", "true")
	}
	rep.body = a.viewCampaign(c)
	return rep, nil
}

// listCampaigns: GET /v1/admin/campaigns, newest first.
func (a *App) listCampaigns(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	cs, err := a.Store.Campaigns(r.Context(), store.MaxCampaigns)
	if err != nil {
		return reply{}, err
	}
	views := make([]campaignView, len(cs))
	for i, c := range cs {
		views[i] = a.viewCampaign(c)
	}
	return reply{body: map[string]any{"campaigns": views}}, nil
}

// getCampaign: GET /v1/admin/campaigns/{id} — the campaign and its report.
func (a *App) getCampaign(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	id := r.PathValue("id")
	if !loyalty.IsID(id) {
		return reply{}, badRequest("invalid_request", "the campaign id in the path must be the 26 letters and digits the program gave it")
	}
	c, err := a.Store.Campaign(r.Context(), id)
	if err != nil {
		return reply{}, err
	}
	return reply{body: a.viewCampaign(c)}, nil
}

type marketingBody struct {
	Marketing *bool `json:"marketing"`
}

// putMarketing: PUT /v1/members/{id}/marketing (that member) — the
// member's consent to marketing messages, given or withdrawn.
func (a *App) putMarketing(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if _, err := a.requireSelf(r, id); err != nil {
		return reply{}, err
	}
	var b marketingBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	if b.Marketing == nil {
		return reply{}, badRequest("invalid_request", "marketing must be true or false")
	}
	m, err := a.Program.SetMarketing(r.Context(), id, *b.Marketing)
	if err != nil {
		return reply{}, err
	}
	return reply{body: map[string]bool{"marketing": m.Marketing}}, nil
}
