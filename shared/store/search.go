package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// MemberSearch is what SearchMembers reads.
type MemberSearch interface {
	MemberByEmail(ctx context.Context, email string) (loyalty.Member, error)
	MembersByNumber(ctx context.Context, number string) ([]loyalty.Member, error)
	MembersByName(ctx context.Context, prefix, cursor string, limit int) ([]loyalty.Member, string, error)
}

// How a search found its members.
const (
	ByEmail  = "email"
	ByNumber = "number"
	ByName   = "name"
)

// SearchResult is one page of a member search.
type SearchResult struct {
	Members []loyalty.Member
	// By says what q was taken for: ByEmail, ByNumber or ByName.
	By string
	// Next is the cursor of the next page, "" after the last.
	Next string
}

// SearchMembers finds members by what an operator types: an email (exact,
// any case), a member number as the card prints it (with or without
// spaces, any case), or else the start of one of the words of a name (any
// case, accents ignored). A number that names no member is looked for as
// a name. Only a name search has more than one page; cursor is the Next of
// the page before.
func SearchMembers(ctx context.Context, s MemberSearch, q, cursor string, limit int) (SearchResult, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return SearchResult{}, fmt.Errorf("%w: q must say what to look for: an email, a member number or the start of a name", loyalty.ErrInvalid)
	}
	if strings.Contains(q, "@") {
		m, err := s.MemberByEmail(ctx, q)
		switch {
		case errors.Is(err, loyalty.ErrMemberNotFound):
			return SearchResult{Members: []loyalty.Member{}, By: ByEmail}, nil
		case err != nil:
			return SearchResult{}, err
		}
		return SearchResult{Members: []loyalty.Member{m}, By: ByEmail}, nil
	}
	if number, ok := loyalty.ParseNumber(q); ok && cursor == "" {
		found, err := s.MembersByNumber(ctx, number)
		if err != nil || len(found) > 0 {
			return SearchResult{Members: found, By: ByNumber}, err
		}
	}
	prefix := FoldName(q)
	if prefix == "" {
		return SearchResult{}, fmt.Errorf("%w: q has no letter or digit to look for in names", loyalty.ErrInvalid)
	}
	if cursor != "" && !strings.HasPrefix(cursor, prefix) {
		return SearchResult{}, fmt.Errorf("%w: the cursor is not one of this search's", loyalty.ErrInvalid)
	}
	found, next, err := s.MembersByName(ctx, prefix, cursor, limit)
	if found == nil {
		found = []loyalty.Member{}
	}
	return SearchResult{Members: found, By: ByName, Next: next}, err
}
