package api

import (
	"net/http"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// segments answers the program's segments with their member counts, read
// from the counters (a few items a shard), never from the members.
func (a *App) segments(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	today := loyalty.DateOf(a.Program.Now())
	q, err := a.Store.Quintiles(r.Context())
	if err != nil {
		return reply{}, err
	}
	stats, err := a.Store.StatsCounters(r.Context(), today)
	if err != nil {
		return reply{}, err
	}
	segments, err := a.Store.SegmentCounters(r.Context())
	if err != nil {
		return reply{}, err
	}
	return reply{body: loyalty.NewSegmentReport(loyalty.SegmentCounts(stats, segments), q, today)}, nil
}

// activityView is what a member's purchases say, as the console shows it.
type activityView struct {
	// Class is the member's RFM class, empty for a member who never bought.
	Class          loyalty.Class   `json:"class,omitempty"`
	Scores         *loyalty.Scores `json:"scores,omitempty"`
	LastPurchaseOn loyalty.Date    `json:"lastPurchaseOn,omitzero"`
	// Purchases and Spend are over the last loyalty.ActivityMonths months.
	Purchases int64  `json:"purchases"`
	Spend     int64  `json:"spend"`
	TopStore  string `json:"topStore,omitempty"`
}

func (a *App) activityOf(r *http.Request, m loyalty.Member) (activityView, error) {
	q, err := a.Store.Quintiles(r.Context())
	if err != nil {
		return activityView{}, err
	}
	today := loyalty.DateOf(a.Program.Now())
	w := m.Activity.Window(today)
	v := activityView{LastPurchaseOn: m.Activity.LastPurchaseOn, Purchases: w.Purchases, Spend: w.Spend, TopStore: m.Activity.TopStore}
	if s, ok := q.Scores(m.Activity, today); ok {
		v.Class, v.Scores = q.ClassOf(m.Activity, today), &s
	}
	return v, nil
}
