package storetest

import (
	"errors"
	"slices"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var searchTests = []struct {
	name string
	fn   func(*env)
}{
	{"members are found by email, card number and name from enrollment on", testSearch},
	{"a name search pages with its cursor", testSearchPaging},
}

// enrollNamed enrolls a member called name.
func (e *env) enrollNamed(name, email string) loyalty.Member {
	e.t.Helper()
	en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: name, Email: email}})
	if err != nil {
		e.t.Fatalf("enroll %s: %v", email, err)
	}
	return en.Member
}

// search runs store.SearchMembers and returns the ids found, sorted, and
// how q was taken.
func (e *env) search(q string) ([]string, string) {
	e.t.Helper()
	found, err := store.SearchMembers(e.ctx, e.store, q, "", 50)
	if err != nil {
		e.t.Fatalf("search %q: %v", q, err)
	}
	return memberIDsOf(found.Members), found.By
}

func memberIDsOf(ms []loyalty.Member) []string {
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func testSearch(e *env) {
	emile := e.enrollNamed("Émile Zola", "Emile.Zola@Example.com")
	zoe := e.enrollNamed("Zoë Dupont", "zoe@example.fr")
	jp := e.enrollNamed("Jean-Pierre Rampal", "jp@example.fr")
	ada := e.enrollNamed("Ada Byron", "ada@example.com")
	spaced := strings.ToLower(zoe.Number())
	compact := strings.ReplaceAll(zoe.Number(), " ", "")
	for _, c := range []struct {
		q, by string
		want  []string
	}{
		{"emile.zola@example.com", store.ByEmail, []string{emile.ID}},
		{"  EMILE.ZOLA@EXAMPLE.COM ", store.ByEmail, []string{emile.ID}},
		{"nobody@example.com", store.ByEmail, []string{}},
		{zoe.Number(), store.ByNumber, []string{zoe.ID}},
		{spaced, store.ByNumber, []string{zoe.ID}},
		{compact, store.ByNumber, []string{zoe.ID}},
		{"émile", store.ByName, []string{emile.ID}},
		{"EMILE Z", store.ByName, []string{emile.ID}},
		{"zola", store.ByName, []string{emile.ID}},
		{"zoe", store.ByName, []string{zoe.ID}},
		{"pierre", store.ByName, []string{jp.ID}},
		{"jean pierre r", store.ByName, []string{jp.ID}},
		{"jean-pierre", store.ByName, []string{jp.ID}},
		{"d", store.ByName, []string{zoe.ID}},
		{"ada", store.ByName, []string{ada.ID}},
		{"rampalx", store.ByName, []string{}},
		// Twelve characters a number could be, naming no member: a name.
		{"ZZZZ ZZZZ ZZZZ", store.ByName, []string{}},
	} {
		ids, by := e.search(c.q)
		if by != c.by || !slices.Equal(ids, sorted(c.want...)) {
			e.t.Errorf("search %q = %v by %s, want %v by %s", c.q, ids, by, sorted(c.want...), c.by)
		}
	}
	for _, q := range []string{"", "   ", "-- !"} {
		if _, err := store.SearchMembers(e.ctx, e.store, q, "", 10); !errors.Is(err, loyalty.ErrInvalid) {
			e.t.Errorf("search %q: %v, want ErrInvalid", q, err)
		}
	}
}

func testSearchPaging(e *env) {
	var want []string
	for _, n := range []string{"Martin Alpha", "Martine Beta", "Marta Gamma", "Mart Delta", "Martinez Epsilon"} {
		want = append(want, e.enrollNamed(n, strings.ToLower(strings.Fields(n)[1])+"@example.com").ID)
	}
	e.enrollNamed("Marc Other", "other@example.com")
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			e.t.Fatalf("more than 5 pages of 2 for 5 members: %v", got)
		}
		found, err := store.SearchMembers(e.ctx, e.store, "MART", cursor, 2)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(found.Members) > 2 {
			e.t.Fatalf("a page of 2 holds %d members", len(found.Members))
		}
		got = append(got, memberIDsOf(found.Members)...)
		if found.Next == "" {
			break
		}
		cursor = found.Next
	}
	slices.Sort(got)
	if !slices.Equal(got, sorted(want...)) {
		e.t.Fatalf("the pages of MART hold %v, want %v", got, sorted(want...))
	}
	if _, err := store.SearchMembers(e.ctx, e.store, "mart", "zzz", 2); !errors.Is(err, loyalty.ErrInvalid) {
		e.t.Fatalf("a cursor of another search: %v, want ErrInvalid", err)
	}
}
