package loyalty

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"io"
	"regexp"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Book is what the ledger needs from storage. store.Store includes it.
type Book interface {
	// LoadAccount reads a member and their lots; ErrMemberNotFound when there is
	// none, ErrVersionConflict when no consistent read could be had.
	LoadAccount(ctx context.Context, memberID string) (Account, error)
	// Entry reads one ledger entry; ErrEntryNotFound when there is none.
	Entry(ctx context.Context, tx TxID) (LedgerEntry, error)
	// Reversed reads what the reversals of an entry took back so far;
	// found is false when it was never reversed.
	Reversed(ctx context.Context, tx TxID) (r Reversed, found bool, err error)
	// Idempotency reads the record at a key's address, expired or not.
	Idempotency(ctx context.Context, scope, keyHash string) (IdempotencyRecord, bool, error)
	// Commit writes a posting all or nothing. It fails with ErrVersionConflict
	// when the member is not at p.PrevVersion (or exists, for a new member)
	// or a gift's matching would pass its month's cap
	// (DonationPosting.MatchedAtMost), ErrEmailTaken, ErrKeyTaken when an
	// unexpired record holds the key, and ErrVersionConflict when the
	// reversed entry's Reversed is not at p.Reversed.Count − 1 reversals.
	Commit(ctx context.Context, p Posting) error
	// Rules returns the program's rules and their Version, DefaultRules
	// (version 0) until an operator saves others. It is read consistently.
	Rules(ctx context.Context) (Rules, error)
	// SaveRules replaces the rules read at rules.Version and returns their
	// new Version, one more, rules and version written at once;
	// ErrVersionConflict when the stored rules are no longer at
	// rules.Version (another save came first).
	SaveRules(ctx context.Context, rules Rules) (int64, error)
	// Promotions lists every promotion, ended ones too.
	Promotions(ctx context.Context) ([]Promotion, error)
	// Reward reads a reward; ErrRewardNotFound when there is none.
	Reward(ctx context.Context, id string) (Reward, error)
	// MembersByReferralCode finds the members whose ReferralCode is code
	// (one, or practically never two); none when no member has it.
	MembersByReferralCode(ctx context.Context, code string) ([]Member, error)
	// Rewards lists every reward, cheapest first.
	Rewards(ctx context.Context) ([]Reward, error)
	// Charity reads a charity; ErrCharityNotFound when there is none.
	Charity(ctx context.Context, id string) (Charity, error)
	// CharityMonthMatched reads a charity's matched points of a month from
	// its matched counter, consistently: 0 when nothing was matched.
	CharityMonthMatched(ctx context.Context, charityID string, month Month) (int64, error)
}

// Posting is one atomic change of an account.
type Posting struct {
	// Member is the member after the change.
	Member Member
	// PrevVersion is the version the change was computed from; 0 creates the
	// member and claims its email.
	PrevVersion int64
	Entries     []LedgerEntry
	// Lots are the lots the change touched; Remaining 0 means the lot is gone.
	Lots        []Lot
	Idempotency *IdempotencyRecord
	// ReversalOf, when not 0, is the Seq of the entry this posting reverses
	// (an earning refunded in whole or in part, a redemption undone), and
	// Reversed what its reversals took back with this one. The Book records
	// it on the condition that the reversals before number Reversed.Count − 1.
	ReversalOf int64
	Reversed   Reversed
	// Donation, when not nil, is what a gift adds to its charity's totals.
	Donation *DonationPosting
	// PrevName and PrevEmail are the member's before the change: when the
	// member's differ, the Book moves the name's lookup items and the
	// email's claim (ErrEmailTaken when another member holds the new one;
	// an empty email claims none, as an erased member's).
	PrevName, PrevEmail string
	// Erases says the change is the member's erasure (Program.Erase): the
	// Book also deletes the lookup item that no name or email keeps, the
	// referral code's, so that the code finds no one.
	Erases bool
	// PrevPledgeDue is the member's PledgeDue before the change: when the
	// member's differs, the Book moves the plan in the index of pledges due.
	PrevPledgeDue Date
	// Stats is what the change adds to the program's counters, committed
	// with it; a change with no Counts touches none.
	Stats StatsChange
	// Audit, when not nil, records the change in the audit trail, in the
	// same commit: a change made by staff or an operator.
	Audit *AuditEntry
	// Referrer, when not nil, is the change of another member committed
	// with this one, all or nothing, on its own version condition: a
	// referrer's bonus given or taken back with the new member's earning
	// or refund. It has no idempotency record of its own.
	Referrer *Posting
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now().UTC() }

// IDs makes identifiers and secrets.
type IDs interface {
	// NewID returns a ULID: sortable by time, unguessable.
	NewID(at time.Time) string
	// Secret returns 160 random bits as 32 lower-case base32 characters.
	Secret() string
}

// RandomIDs is the production IDs, backed by crypto/rand.
type RandomIDs struct {
	mu      sync.Mutex
	entropy io.Reader
}

// NewRandomIDs returns IDs whose ULIDs are monotonic within a process.
func NewRandomIDs() *RandomIDs { return &RandomIDs{entropy: ulid.Monotonic(rand.Reader, 0)} }

func (r *RandomIDs) NewID(at time.Time) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ulid.MustNew(ulid.Timestamp(at), r.entropy).String()
}

var idPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// IsID reports whether s is written as NewID writes ids: a ULID, 26 characters
// of Crockford's base32. An id from a request is checked with it before any
// store reads it: a value of another form names nothing, whatever its length.
func IsID(s string) bool { return idPattern.MatchString(s) }

var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func (r *RandomIDs) Secret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("loyalty: no randomness: " + err.Error()) // the system is unusable
	}
	return secretEncoding.EncodeToString(b)
}

// HashSecret is how tokens are stored: hex SHA-256. The secrets are 160
// random bits, so a fast hash is enough; there is nothing to brute-force.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SecretMatches compares a presented secret with a stored hash in constant time.
func SecretMatches(secret, hash string) bool {
	return hash != "" && subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(hash)) == 1
}
