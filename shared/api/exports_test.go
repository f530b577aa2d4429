package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
)

// csvPage sends one export request and returns its lines and next link.
func (f *fixture) csvPage(path string) (lines [][]string, next string) {
	f.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	out := f.serve(req)
	if out.StatusCode != 200 || out.Headers["Content-Type"] != "text/csv; charset=utf-8" {
		f.t.Fatalf("GET %s: %d %s", path, out.StatusCode, out.Body)
	}
	lines, err := csv.NewReader(strings.NewReader(out.Body)).ReadAll()
	if err != nil {
		f.t.Fatalf("GET %s is not CSV: %v", path, err)
	}
	if m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(out.Headers["Link"]); m != nil {
		next = m[1]
	} else if out.Headers["Link"] != "" {
		f.t.Fatalf("Link header %q", out.Headers["Link"])
	}
	return lines, next
}

// csvAll follows an export's pages to the end: every page is a whole CSV
// file with its header.
func (f *fixture) csvAll(path string) (header []string, rows [][]string, pages int) {
	f.t.Helper()
	for path != "" {
		lines, next := f.csvPage(path)
		if header == nil {
			header = lines[0]
		} else if strings.Join(lines[0], ",") != strings.Join(header, ",") {
			f.t.Fatalf("page %d starts with %v, not the header", pages+1, lines[0])
		}
		rows = append(rows, lines[1:]...)
		pages++
		path = next
	}
	return header, rows, pages
}

func TestExportsPageThroughEveryMemberAndEntrySafeForSpreadsheets(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris")
	const members = 12
	for i := range members {
		name := fmt.Sprintf("Member %d", i)
		if i == 0 {
			name = `=HYPERLINK("http://evil.example","click")`
		}
		r := f.do("POST", "/v1/members", "", fmt.Sprintf(`{"name":%q,"email":"export%d@example.com"}`, name, i))
		f.expect(r, 201, "")
		f.expect(f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":"-R%d","amount":{"value":1000,"currency":"EUR"}}`, r.str("code"), i)), 201, "")
	}
	defer api.SetExportPage(300, 4)()

	header, rows, pages := f.csvAll("/v1/admin/exports/members.csv")
	if len(rows) != members || pages < 2 || header[2] != "name" {
		t.Fatalf("members export: %d rows in %d pages, header %v; want %d rows in several pages", len(rows), pages, header, members)
	}
	seen := map[string]bool{}
	for _, row := range rows {
		if seen[row[0]] {
			t.Fatalf("member %s exported twice", row[0])
		}
		seen[row[0]] = true
		if strings.HasPrefix(row[2], "=") {
			t.Fatalf("a name exported as a formula: %q", row[2])
		}
		if strings.HasPrefix(row[2], "'=") && row[8] != "60" {
			t.Fatalf("the escaped member's row %v", row)
		}
	}

	_, ledger, _ := f.csvAll("/v1/admin/exports/ledger.csv?from=2026-11-23&to=2026-11-23")
	kinds := map[string]int{}
	for _, row := range ledger {
		kinds[row[3]]++
		if row[3] == "earn" && (!strings.HasPrefix(row[12], "'-R") || row[9] != "1000" || row[10] != "EUR") {
			t.Fatalf("an earning's row %v: the receipt must be escaped, the amount kept", row)
		}
	}
	if kinds["welcome"] != members || kinds["earn"] != members {
		t.Fatalf("ledger export of the day: %v", kinds)
	}
	if _, none, _ := f.csvAll("/v1/admin/exports/ledger.csv?from=2026-11-24&to=2026-11-30"); len(none) != 0 {
		t.Fatalf("the ledger of days without entries has %d rows", len(none))
	}

	f.expect(f.do("GET", "/v1/admin/exports/ledger.csv?from=2026-11-30&to=2026-11-01", adminKey, ""), 400, "invalid_request")
	f.expect(f.do("GET", "/v1/admin/exports/ledger.csv", adminKey, ""), 400, "invalid_request")
	f.expect(f.do("GET", "/v1/admin/exports/members.csv?cursor=nope!", adminKey, ""), 400, "invalid_request")
	f.expect(f.do("GET", "/v1/admin/exports/members.csv", paris, ""), 403, "forbidden")
}
