// Package store declares the storage port of Fidelio. Its implementations,
// store/dynamo (DynamoDB, in AWS) and store/embedded (bbolt, on a laptop),
// give the same guarantees and pass the same conformance suite,
// store/storetest.
package store

import (
	"cmp"
	"context"
	"slices"

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

	// SaveReward creates or replaces a reward.
	SaveReward(ctx context.Context, r loyalty.Reward) error
	// Reward reads one; loyalty.ErrRewardNotFound when there is none.
	Reward(ctx context.Context, id string) (loyalty.Reward, error)
	// Rewards lists every reward, cheapest first.
	Rewards(ctx context.Context) ([]loyalty.Reward, error)

	// SaveStaffKey stores a new staff key.
	SaveStaffKey(ctx context.Context, k loyalty.StaffKey) error
	// StaffKey reads one; loyalty.ErrStaffKeyNotFound when there is none.
	StaffKey(ctx context.Context, id string) (loyalty.StaffKey, error)

	// The sparse indexes that keep the scheduled jobs proportional to their
	// matches. Each lists one day's matches in pages: after cursor (a member
	// id from an earlier page; "" for the first page), at most limit, with the
	// cursor of the next page, "" after the last. A cursor stays valid while
	// the index changes, so a job can change what it lists as it goes. The
	// DynamoDB indexes are eventually consistent: an entry can be a moment
	// stale, and a job reads the account again before acting on it.

	// BirthdayMembers lists the members whose birthday is day, as the index
	// holds them.
	BirthdayMembers(ctx context.Context, day loyalty.MonthDay, cursor string, limit int) (members []loyalty.Member, next string, err error)
	// ExpiringLots lists the ids of the members who have a lot with points
	// left that expires on day.
	ExpiringLots(ctx context.Context, day loyalty.Date, cursor string, limit int) (memberIDs []string, next string, err error)
	// TierReviewsDue lists the ids of the members whose tier review
	// (Member.TierReviewOn) is on day.
	TierReviewsDue(ctx context.Context, day loyalty.Date, cursor string, limit int) (memberIDs []string, next string, err error)

	Close() error
}

// SortRewards orders rewards cheapest first, then by id, as Rewards lists them.
func SortRewards(rs []loyalty.Reward) {
	slices.SortFunc(rs, func(a, b loyalty.Reward) int {
		return cmp.Or(cmp.Compare(a.Points, b.Points), cmp.Compare(a.ID, b.ID))
	})
}

// PageLimit is the page size of an index query asked for limit: limit, or
// 100 when it is not positive.
func PageLimit(limit int) int {
	if limit <= 0 {
		return 100
	}
	return limit
}
