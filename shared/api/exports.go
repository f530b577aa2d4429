package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// An export answers one page at a time, a whole CSV file with its header
// line: API Gateway buffers a Lambda's answer and takes at most 6 MB of it,
// so a page stops at exportBytes of CSV (at most twice that once escaped in
// the Lambda's JSON answer) or exportTime of reading, and a
// `Link: <…?cursor=…>; rel="next"` header says where the next page is. The
// last page has no Link. A page reads the table in bounded Scans (store's
// Export*), never the whole table at once, and holds only its own lines.
const exportTime = 10 * time.Second

// A page holds exportBytes of CSV and at most one store page more (of
// exportScanLimit items, at most 300 KB of lines). Variables for the tests,
// which page small exports.
var (
	exportBytes     = 2 << 20
	exportScanLimit = 500
)

// exportMembers: GET /v1/admin/exports/members.csv?cursor=
func (a *App) exportMembers(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	today := loyalty.DateOf(a.Program.Now())
	header := []string{"id", "member_number", "name", "email", "locale", "time_zone", "birthday", "tier", "balance", "qualifying_points", "created_at", "blocked_at"}
	return a.exportPages(r, "members.csv", header, func(ctx context.Context, cursor string, w *csv.Writer) (string, error) {
		members, next, err := a.Store.ExportMembers(ctx, cursor, exportScanLimit)
		for _, m := range members {
			w.Write([]string{m.ID, m.Number(), cell(m.Name), cell(m.Email), cell(m.Locale), cell(m.TimeZone), m.Birthday.String(), string(m.Tier),
				strconv.FormatInt(m.Balance, 10), strconv.FormatInt(m.QualifyingPoints(today), 10), instant(m.CreatedAt), instant(m.BlockedAt)})
		}
		return next, err
	}, nil)
}

// exportLedger: GET /v1/admin/exports/ledger.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&cursor=
// — the entries made on those UTC days, both included.
func (a *App) exportLedger(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	q := r.URL.Query()
	from, errFrom := loyalty.ParseDate(q.Get("from"))
	to, errTo := loyalty.ParseDate(q.Get("to"))
	if errFrom != nil || errTo != nil || to.Before(from) || from.AddDays(366).Before(to) {
		return reply{}, badRequest("invalid_request", "from and to must be days written YYYY-MM-DD, to not before from, at most a year and a day apart")
	}
	header := []string{"transaction_id", "member_id", "created_at", "kind", "points", "balance_after", "qualifying", "shortfall", "matched",
		"amount", "currency", "store_id", "receipt_id", "reward_id", "charity_id", "reverses", "note", "actor"}
	return a.exportPages(r, "ledger-"+from.String()+"-"+to.String()+".csv", header, func(ctx context.Context, cursor string, w *csv.Writer) (string, error) {
		entries, next, err := a.Store.ExportLedger(ctx, from, to, cursor, exportScanLimit)
		for _, e := range entries {
			amount, currency := "", ""
			if e.Amount != nil {
				amount, currency = strconv.FormatInt(e.Amount.Value, 10), e.Amount.Currency
			}
			reverses := ""
			if e.Ref.Reverses != 0 {
				reverses = loyalty.TxID{MemberID: e.MemberID, Seq: e.Ref.Reverses}.String()
			}
			w.Write([]string{e.TxID().String(), e.MemberID, instant(e.CreatedAt), string(e.Kind), strconv.FormatInt(e.Points, 10),
				strconv.FormatInt(e.BalanceAfter, 10), strconv.FormatInt(e.Qualifying, 10), strconv.FormatInt(e.Shortfall, 10), strconv.FormatInt(e.Matched, 10),
				amount, currency, cell(e.Ref.StoreID), cell(e.Ref.ReceiptID), e.Ref.RewardID, e.Ref.CharityID, reverses, cell(e.Ref.Note), cell(e.Actor)})
		}
		return next, err
	}, url.Values{"from": {from.String()}, "to": {to.String()}})
}

// exportPages writes the CSV page that starts at the request's cursor:
// store pages (each one bounded read) until the page is full, its time is
// up or the table ends.
func (a *App) exportPages(r *http.Request, filename string, header []string, page func(context.Context, string, *csv.Writer) (string, error), query url.Values) (reply, error) {
	cursor := r.URL.Query().Get("cursor")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	start := time.Now()
	for {
		next, err := page(r.Context(), cursor, w)
		if err != nil {
			return reply{}, err
		}
		w.Flush()
		cursor = next
		if cursor == "" || b.Len() >= exportBytes || time.Since(start) >= exportTime {
			break
		}
	}
	if err := w.Error(); err != nil {
		return reply{}, err
	}
	rep := reply{raw: b.Bytes(), header: http.Header{
		"Content-Type":        {"text/csv; charset=utf-8"},
		"Content-Disposition": {`attachment; filename="` + filename + `"`},
	}}
	if cursor != "" {
		if query == nil {
			query = url.Values{}
		}
		query.Set("cursor", cursor)
		rep.header.Set("Link", "<"+r.URL.Path+"?"+query.Encode()+`>; rel="next"`)
	}
	return rep, nil
}

// cell is text a person wrote, made safe for a spreadsheet: a cell that
// starts with =, +, -, @ (or a tab or carriage return) would be read as a
// formula, so it is prefixed with a quote, as OWASP advises against CSV
// injection. Numbers are written by the program and never pass here.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// instant writes a time in RFC 3339, UTC; empty for none.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
