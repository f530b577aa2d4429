package api

import (
	"context"
	"net/http"
)

// requestLog is what a request's log line says beyond its route and
// status: the member it was about, once a handler knows (from the path, the
// member's token or a scanned code). It never holds a token, a code or a
// push token: only ids.
type requestLog struct {
	memberID string
}

type requestLogKey struct{}

func withRequestLog(r *http.Request) (*http.Request, *requestLog) {
	l := &requestLog{}
	return r.WithContext(context.WithValue(r.Context(), requestLogKey{}, l)), l
}

// noteMember records the member a request is about, for its log line.
func noteMember(r *http.Request, id string) {
	if l, ok := r.Context().Value(requestLogKey{}).(*requestLog); ok && l.memberID == "" {
		l.memberID = id
	}
}
