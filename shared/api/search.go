package api

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// memberHit is a member as a search lists them: enough to tell people
// apart and open the right one.
type memberHit struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	MemberNumber string       `json:"memberNumber"`
	Email        string       `json:"email"`
	Tier         loyalty.Tier `json:"tier"`
	Balance      int64        `json:"balance"`
}

// searchMembers: GET /v1/admin/members?q=&limit=&cursor= — members by
// email, by the number on their card or by the start of a name
// (store.SearchMembers), a page at a time.
func (a *App) searchMembers(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	query := r.URL.Query()
	q := query.Get("q")
	if len(q) > 254 {
		return reply{}, badRequest("invalid_request", "q must be at most 254 bytes: an email, a member number or the start of a name")
	}
	limit := 20
	if s := query.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return reply{}, badRequest("invalid_request", "limit must be a whole number from 1 to 100")
		}
		limit = n
	}
	cursor, err := base64.RawURLEncoding.DecodeString(query.Get("cursor"))
	if err != nil {
		return reply{}, badRequest("invalid_request", "cursor must be the next value of a previous page")
	}
	found, err := store.SearchMembers(r.Context(), a.Store, q, string(cursor), limit)
	if err != nil {
		return reply{}, err
	}
	out := struct {
		Members   []memberHit `json:"members"`
		MatchedBy string      `json:"matchedBy"`
		Next      string      `json:"next,omitempty"`
	}{Members: make([]memberHit, len(found.Members)), MatchedBy: found.By, Next: base64.RawURLEncoding.EncodeToString([]byte(found.Next))}
	for i, m := range found.Members {
		out.Members[i] = memberHit{ID: m.ID, Name: m.Name, MemberNumber: m.Number(), Email: m.Email, Tier: m.Tier, Balance: m.Balance}
	}
	return reply{body: out}, nil
}
