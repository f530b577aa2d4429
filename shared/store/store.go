// Package store declares the storage port of Fidelio. Its implementations,
// store/dynamo (DynamoDB, in AWS) and store/embedded (bbolt, on a laptop),
// give the same guarantees and pass the same conformance suite,
// store/storetest.
package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// LogoVersion names a logo by its content: "" for none, else the first 16
// hex digits of its SHA-256.
func LogoVersion(png []byte) string {
	if png == nil {
		return ""
	}
	sum := sha256.Sum256(png)
	return hex.EncodeToString(sum[:8])
}

// ErrUnavailable says the storage service failed a call for a moment
// (throttled, failing, out of reach) past its client's own retries: the
// request may be sent again as it was.
var ErrUnavailable = errors.New("the service is busy for a moment; send the request again")

// Store is everything Fidelio keeps.
type Store interface {
	loyalty.Book
	Registrations
	ErasedCards
	Webhooks
	Campaigns
	CardRefreshes
	PromotionStore

	// Member reads a member's profile; loyalty.ErrMemberNotFound when there is none.
	Member(ctx context.Context, id string) (loyalty.Member, error)
	// Ledger lists a member's entries newest first, those with Seq below
	// before (0: from the newest), at most limit of them.
	Ledger(ctx context.Context, memberID string, before int64, limit int) ([]loyalty.LedgerEntry, error)
	// SaveLogo replaces the operator's logo (PNG); Logo reads it, nil when
	// the program uses its own mark. LogoVersion reads LogoVersion of the
	// logo saved, from a small record of its own: every instance checks it
	// often, and reads the logo only when it changed.
	SaveLogo(ctx context.Context, png []byte) error
	Logo(ctx context.Context) ([]byte, error)
	LogoVersion(ctx context.Context) (string, error)

	// SaveReward creates or replaces a reward.
	SaveReward(ctx context.Context, r loyalty.Reward) error
	// Rewards lists every reward, cheapest first.
	Rewards(ctx context.Context) ([]loyalty.Reward, error)

	// The people and places of the program. Each change is written with its
	// audit entry, all or nothing. A key is read again at every request it
	// authenticates (no cache), so a revocation holds from its commit on.

	// SaveStaffKey stores a new staff key.
	SaveStaffKey(ctx context.Context, k loyalty.StaffKey, audit loyalty.AuditEntry) error
	// StaffKey reads one; loyalty.ErrStaffKeyNotFound when there is none.
	StaffKey(ctx context.Context, id string) (loyalty.StaffKey, error)
	// StaffKeys lists every staff key, revoked ones too, oldest first.
	StaffKeys(ctx context.Context) ([]loyalty.StaffKey, error)
	// RevokeStaffKey revokes a key at audit.At and returns it; a key revoked
	// before is returned as it is, and no audit entry is written again.
	RevokeStaffKey(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.StaffKey, error)
	// SaveOperatorKey, OperatorKey, OperatorKeys and RevokeOperatorKey do
	// the same for operator keys (loyalty.ErrOperatorKeyNotFound).
	SaveOperatorKey(ctx context.Context, k loyalty.OperatorKey, audit loyalty.AuditEntry) error
	OperatorKey(ctx context.Context, id string) (loyalty.OperatorKey, error)
	OperatorKeys(ctx context.Context) ([]loyalty.OperatorKey, error)
	RevokeOperatorKey(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.OperatorKey, error)
	// SaveShop creates or replaces a store; Shop reads one
	// (loyalty.ErrShopNotFound); Shops lists them by id.
	SaveShop(ctx context.Context, s loyalty.Shop, audit loyalty.AuditEntry) error
	Shop(ctx context.Context, id string) (loyalty.Shop, error)
	Shops(ctx context.Context) ([]loyalty.Shop, error)

	// RecordAudit appends an entry to the audit trail, for a change that is
	// not written with its entry (a setting saved on its own).
	RecordAudit(ctx context.Context, e loyalty.AuditEntry) error
	// Audit lists the trail newest first: the entries whose id is below
	// cursor ("" for the newest), at most limit, with the cursor of the next
	// page, "" after the last.
	Audit(ctx context.Context, cursor string, limit int) (entries []loyalty.AuditEntry, next string, err error)

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

	// JobWatermark reads the last day a scheduled job completed: the day
	// whose index partitions it read to the end with no member failing, that
	// day and every one before it. The zero Date when it never has.
	JobWatermark(ctx context.Context, job string) (loyalty.Date, error)
	// SaveJobWatermark records that a job completed day. It never moves the
	// watermark back: a day before the one kept (a run racing a later one, a
	// retried older run) leaves it as it is.
	SaveJobWatermark(ctx context.Context, job string, day loyalty.Date) error

	// SaveCharity creates or replaces a charity, as loyalty.PrepareCharity
	// made it; a charity is archived, never deleted.
	SaveCharity(ctx context.Context, c loyalty.Charity) error
	// Charities lists the charities by name (then id), only those not
	// archived when activeOnly.
	Charities(ctx context.Context, activeOnly bool) ([]loyalty.Charity, error)
	// CharityTotal sums a charity's all-time shards: what members gave it and
	// what was matched, ever. It always equals the sum of the charity's
	// donate entries (and their Matched).
	CharityTotal(ctx context.Context, charityID string) (loyalty.CharityTotals, error)
	// CharityMonth sums a charity's shards of a month, donors included.
	CharityMonth(ctx context.Context, charityID string, month loyalty.Month) (loyalty.CharityTotals, error)
	// CharityDonors lists what each member gave a charity in a month, by
	// member id, in pages like the job indexes'.
	CharityDonors(ctx context.Context, charityID string, month loyalty.Month, cursor string, limit int) (donors []loyalty.Donor, next string, err error)

	// StatsCounters reads the program's counters (loyalty.StatsChange):
	// every shard of every day from from on, and of all time. It reads
	// those items only, never the members or the ledger.
	StatsCounters(ctx context.Context, from loyalty.Date) ([]loyalty.StatsCounters, error)
	// SegmentCounters reads every item of the segment counters
	// (loyalty.SegmentCounters) of every shard.
	SegmentCounters(ctx context.Context) ([]loyalty.SegmentCounters, error)
	// FoldSegmentCounters moves each counter named in moves of a shard's
	// item of month (or of its base item) into the shard's base item, under
	// the name moves gives it (loyalty.SegmentFolds), and removes a month's
	// item it leaves empty. It keeps every sum, whatever commits add to
	// the item meanwhile.
	FoldSegmentCounters(ctx context.Context, shard int, month string, moves map[string]string) error
	// Quintiles reads the program's RFM quintiles, zero before the first
	// computation; SaveQuintiles replaces them.
	Quintiles(ctx context.Context) (loyalty.Quintiles, error)
	SaveQuintiles(ctx context.Context, q loyalty.Quintiles) error

	// PledgesDue lists the ids of the members whose monthly gift
	// (DonationPlan.NextPledgeOn) is due on day, in pages like the other
	// job indexes.
	PledgesDue(ctx context.Context, day loyalty.Date, cursor string, limit int) (memberIDs []string, next string, err error)

	// The exports read the whole table, the one place a scan is fine, in
	// pages: after cursor ("" for the first page), at most limit items read,
	// with the cursor of the next page, "" after the last. A page can hold
	// fewer items than limit, even none, and still have a next one: what a
	// page reads is bounded, not what it keeps. A cursor of another form is
	// loyalty.ErrInvalid.

	// ExportMembers lists the members, in no particular order.
	ExportMembers(ctx context.Context, cursor string, limit int) (members []loyalty.Member, next string, err error)
	// ExportLedger lists the ledger entries made on the UTC days from to
	// to, both included, in no particular order.
	ExportLedger(ctx context.Context, from, to loyalty.Date, cursor string, limit int) (entries []loyalty.LedgerEntry, next string, err error)

	// Member search. Every member is found by the email it enrolled with
	// (its uniqueness claim), by its card number and by the words of its
	// name (lookup items written with the member, schema version 2).

	// MemberByEmail finds the member enrolled with email (compared as
	// loyalty.NormalizeEmail does); loyalty.ErrMemberNotFound when none is.
	MemberByEmail(ctx context.Context, email string) (loyalty.Member, error)
	// MembersByNumber finds the members whose card number is number, as
	// loyalty.ParseNumber returns it (numbers are random: one member, almost
	// always none or one).
	MembersByNumber(ctx context.Context, number string) ([]loyalty.Member, error)
	// MembersByName lists the members one of whose NameKeys starts with
	// prefix (folded, FoldName), ordered by that key then id, in pages like
	// the job indexes' (the cursor is opaque). A member two of whose keys
	// match is listed once a page.
	MembersByName(ctx context.Context, prefix, cursor string, limit int) ([]loyalty.Member, string, error)

	// Member sessions: a browser signed in to the member space, keyed by
	// the hash of its cookie's secret (loyalty.Session).

	// SaveSession records a new session.
	SaveSession(ctx context.Context, s loyalty.Session) error
	// Session reads a session that is still open at now;
	// loyalty.ErrSessionNotFound when there is none, or it was revoked or
	// expired.
	Session(ctx context.Context, id string, now time.Time) (loyalty.Session, error)
	// RevokeSession ends a session; ending one that is not there is no error.
	RevokeSession(ctx context.Context, id string) error

	// The schema's version and migrations (see SchemaVersion).

	// SchemaVersion reads the version the table's items are at: 1 when the
	// table records none.
	SchemaVersion(ctx context.Context) (int, error)
	// SaveSchemaVersion records that every item is at version; it never
	// moves the version back.
	SaveSchemaVersion(ctx context.Context, version int) error
	// MigrationCursor reads where the migration to version stopped ("" when
	// it has not started); SaveMigrationCursor records it.
	MigrationCursor(ctx context.Context, version int) (string, error)
	SaveMigrationCursor(ctx context.Context, version int, cursor string) error
	// AddMemberLookups writes the lookup items the member lacks (its number,
	// its NameKeys) and returns how many it wrote; with dryRun, how many it
	// would write, writing nothing. loyalty.ErrMemberNotFound when there is
	// no such member.
	AddMemberLookups(ctx context.Context, memberID string, dryRun bool) (int, error)
	// ShardExpiryEntries moves the member's lots' entries in the expiry
	// index to the keys of schema version 3 and returns how many it moved;
	// with dryRun, how many it would move, moving nothing.
	ShardExpiryEntries(ctx context.Context, memberID string, dryRun bool) (int, error)
	// MoveSegmentCounters moves the segment counters that the builds before
	// schema version 5 kept in the stats' all-time items
	// (loyalty.LegacySegmentCounters) to their shard's base item of the
	// segment counters, keeping every sum whatever commits add meanwhile,
	// and returns how many all-time items it moved counters from; with
	// dryRun, from how many it would, moving nothing.
	MoveSegmentCounters(ctx context.Context, dryRun bool) (int, error)
	// SplitSegmentCounters moves the segment counters that schema version 5
	// kept in one item per shard and month to the small items that keep
	// them from version 7 on, keeping every sum whatever commits add
	// meanwhile, and returns how many items it split; with dryRun, how many
	// it would, moving nothing. A store that never had those items has
	// nothing to split.
	SplitSegmentCounters(ctx context.Context, dryRun bool) (int, error)

	Close() error
}

// SortCharities orders charities by name, then id, as Charities lists them.
func SortCharities(cs []loyalty.Charity) {
	slices.SortFunc(cs, func(a, b loyalty.Charity) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
}

// SumShards adds up the shards of a charity's totals.
func SumShards(shards []loyalty.CharityTotals) loyalty.CharityTotals {
	var sum loyalty.CharityTotals
	for _, s := range shards {
		sum = sum.Add(s)
	}
	return sum
}

// MonthReport reads and values a charity's month (loyalty.NewMonthReport):
// its totals, and with lines every donor's part, for the CSV of settlement.
// loyalty.ErrCharityNotFound when there is no such charity.
func MonthReport(ctx context.Context, s Store, charityID string, month loyalty.Month, lines bool) (loyalty.MonthReport, error) {
	c, err := s.Charity(ctx, charityID)
	if err != nil {
		return loyalty.MonthReport{}, err
	}
	totals, err := s.CharityMonth(ctx, charityID, month)
	if err != nil {
		return loyalty.MonthReport{}, fmt.Errorf("read the month of %s: %w", charityID, err)
	}
	var donors []loyalty.Donor
	if lines {
		donors = []loyalty.Donor{}
		for cursor := ""; ; {
			page, next, err := s.CharityDonors(ctx, charityID, month, cursor, 1000)
			if err != nil {
				return loyalty.MonthReport{}, fmt.Errorf("read the donors of %s: %w", charityID, err)
			}
			donors = append(donors, page...)
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return loyalty.NewMonthReport(c, month, totals, donors), nil
}

// StatsReport reads the program's figures for the days from to to
// (loyalty.NewStatsReport), valued at the program's rules.
func StatsReport(ctx context.Context, s Store, from, to loyalty.Date) (loyalty.StatsReport, error) {
	readFrom, err := loyalty.StatsRange(from, to)
	if err != nil {
		return loyalty.StatsReport{}, err
	}
	rules, err := s.Rules(ctx)
	if err != nil {
		return loyalty.StatsReport{}, fmt.Errorf("read rules: %w", err)
	}
	counters, err := s.StatsCounters(ctx, readFrom)
	if err != nil {
		return loyalty.StatsReport{}, fmt.Errorf("read the counters: %w", err)
	}
	return loyalty.NewStatsReport(from, to, counters, rules), nil
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
