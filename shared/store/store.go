// Package store declares the storage port of Fidelio. Its implementations,
// store/dynamo (DynamoDB, in AWS) and store/embedded (bbolt, on a laptop),
// give the same guarantees and pass the same conformance suite,
// store/storetest.
package store

import (
	"context"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Store is everything Fidelio keeps.
type Store interface {
	loyalty.Book

	// Member reads a member's profile; loyalty.ErrMemberNotFound when there is none.
	Member(ctx context.Context, id string) (loyalty.Member, error)
	// Ledger lists a member's entries newest first, those with Seq below
	// before (0: from the newest), at most limit of them.
	Ledger(ctx context.Context, memberID string, before int64, limit int) ([]loyalty.LedgerEntry, error)
	// SaveRules replaces the program's rules.
	SaveRules(ctx context.Context, rules loyalty.Rules) error

	Close() error
}
