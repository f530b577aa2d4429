package loyalty

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrCampaignNotFound: no campaign has that id.
var ErrCampaignNotFound = errors.New("campaign not found")

// A campaign is a message from the operator to the members of a segment who
// consented to marketing messages (Member.Marketing), shown on their cards
// (Member.News), with bonus points if the operator gives some. It reaches
// each member once: the delivery is one commit of the member, recorded by
// an idempotency record keyed by campaign and member.
type Campaign struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Segment     Segment `json:"segment"`
	Message     Texts   `json:"message"`
	BonusPoints int64   `json:"bonusPoints,omitempty"`
	// StartsAt is when the fan-out may start: the campaign's creation when
	// none was asked for.
	StartsAt  time.Time `json:"startsAt"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy,omitempty"`

	CampaignProgress
}

// CampaignProgress is how far a campaign's fan-out went: it reads the
// members in pages, and each page done is recorded once, with what it did.
type CampaignProgress struct {
	// Pages counts the pages done; Cursor is where the next one starts
	// (the members export's cursor), FinishedAt set after the last one.
	Pages      int64     `json:"pages"`
	Cursor     string    `json:"cursor,omitempty"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
	// Targeted counts the consenting members of the segment, Delivered
	// those whose card carries the message, Failed those it could not be
	// given to. Pushed counts the notifications that reached a phone
	// (Apple pushes, Google messages) and PushFailed those refused, as
	// the pass updater reports them.
	Targeted   int64 `json:"targeted"`
	Delivered  int64 `json:"delivered"`
	Failed     int64 `json:"failed"`
	Pushed     int64 `json:"pushed"`
	PushFailed int64 `json:"pushFailed"`
}

// CampaignPage is what one page of a fan-out did, recorded at once with the
// cursor it moved to.
type CampaignPage struct {
	// Number is the page done: the campaign's Pages + 1.
	Number                      int64
	Next                        string
	Last                        bool
	At                          time.Time
	Targeted, Delivered, Failed int64
}

// Apply adds a page to the progress.
func (p CampaignProgress) Apply(page CampaignPage) CampaignProgress {
	p.Pages = page.Number
	p.Cursor = page.Next
	if page.Last {
		p.FinishedAt = page.At
	}
	p.Targeted += page.Targeted
	p.Delivered += page.Delivered
	p.Failed += page.Failed
	return p
}

// Finished reports a campaign whose fan-out is over.
func (c Campaign) Finished() bool { return !c.FinishedAt.IsZero() }

// The bounds of a campaign.
const (
	// MaxNewsLength is the most characters of a message: a lock screen
	// shows about two lines.
	MaxNewsLength = 200
	// MaxCampaignBonus bounds a campaign's bonus points per member.
	MaxCampaignBonus = 1_000_000
	// MaxCampaignDelay is how far ahead a campaign may be scheduled.
	MaxCampaignDelay = 90 * 24 * time.Hour
)

// NewCampaign checks and makes a campaign created at now by an operator;
// its segment may name one of shops.
func NewCampaign(ids IDs, now time.Time, by string, c Campaign, shops []Shop) (Campaign, error) {
	var err error
	if c.Name, err = cleanText("name", c.Name, 100, false); err != nil {
		return Campaign{}, err
	}
	if err := c.Segment.Validate(shops); err != nil {
		return Campaign{}, err
	}
	if c.Message.EN == "" {
		return Campaign{}, fmt.Errorf("%w: message needs its English text (en)", ErrInvalid)
	}
	if c.Message, err = c.Message.validate("message", MaxNewsLength, false); err != nil {
		return Campaign{}, err
	}
	if c.BonusPoints < 0 || c.BonusPoints > MaxCampaignBonus {
		return Campaign{}, fmt.Errorf("%w: bonusPoints must be a whole number from 0 to %d", ErrInvalid, MaxCampaignBonus)
	}
	switch {
	case c.StartsAt.IsZero():
		c.StartsAt = now
	case c.StartsAt.After(now.Add(MaxCampaignDelay)):
		return Campaign{}, fmt.Errorf("%w: startsAt may be at most 90 days ahead", ErrInvalid)
	}
	c.StartsAt = c.StartsAt.UTC()
	c.ID, c.CreatedAt, c.CreatedBy = ids.NewID(now), now, by
	c.CampaignProgress = CampaignProgress{}
	return c, nil
}

// CampaignBook keeps new campaigns: the stores a segment may name, and the
// save of a campaign with its audit entry, and with the idempotency record
// of the request that made it when the request had a key (ErrKeyTaken when
// an unexpired record holds the key).
type CampaignBook interface {
	Shops(ctx context.Context) ([]Shop, error)
	SaveCampaign(ctx context.Context, c Campaign, audit AuditEntry) error
	SaveCampaignOnce(ctx context.Context, c Campaign, rec IdempotencyRecord, audit AuditEntry) error
}

// CreateCampaign makes the campaign an operator asked for (NewCampaign) and
// saves it, once per idempotency key: the same request sent again with its
// key is answered the campaign it made (replayed), another request under
// the key ErrIdempotencyMismatch. The key is checked first, so a replay is
// answered whatever changed since (a store its segment names removed).
func (p *Program) CreateCampaign(ctx context.Context, book CampaignBook, by Actor, key IdemKey, c Campaign) (created Campaign, replayed bool, err error) {
	now := p.Now()
	reqHash := RequestHash("campaign", c.Name, c.Segment, c.Message, c.BonusPoints, c.StartsAt.UTC())
	var first Campaign
	if replayed, err := p.replay(ctx, key, reqHash, now, &first); replayed || err != nil {
		return first, replayed, err
	}
	shops, err := book.Shops(ctx)
	if err != nil {
		return Campaign{}, false, err
	}
	if c, err = NewCampaign(p.ids, now, by.String(), c, shops); err != nil {
		return Campaign{}, false, err
	}
	audit := NewAudit(p.ids, now, by, "campaign.create", c.ID, c.Name)
	if key.IsZero() {
		return c, false, book.SaveCampaign(ctx, c, audit)
	}
	rec, err := key.record(reqHash, "", now, c)
	if err != nil {
		return Campaign{}, false, err
	}
	err = book.SaveCampaignOnce(ctx, c, rec, audit)
	if errors.Is(err, ErrKeyTaken) {
		// A duplicate saved its campaign first: that one is the answer.
		if replayed, err := p.replay(ctx, key, reqHash, now, &first); replayed || err != nil {
			return first, replayed, err
		}
	}
	if err != nil {
		return Campaign{}, false, err
	}
	return c, false, nil
}

// News is a message on a member's card. A new ID is a new message: the
// card changes, and the phone is told.
type News struct {
	// ID names what the message is: "campaign/<id>" for a campaign's,
	// "auto/<kind>/<occasion>" for an automatic message.
	ID string `json:"id"`
	// Text is a campaign's message; Auto what an automatic one says.
	Text Texts     `json:"text,omitzero"`
	Auto *AutoNews `json:"auto,omitempty"`
	At   time.Time `json:"at"`
}

// newsID is the id of the member's news, "" for none.
func (m Member) newsID() string {
	if m.News == nil {
		return ""
	}
	return m.News.ID
}

// Delivered is what a campaign did to one member.
type Delivered string

const (
	// DeliveredNow: the message was put on the card now.
	DeliveredNow Delivered = "delivered"
	// DeliveredBefore: an earlier run of the campaign delivered it.
	DeliveredBefore Delivered = "delivered-before"
	// NotTargeted: the member did not consent, is not in the segment, is
	// blocked, or left the program.
	NotTargeted Delivered = "not-targeted"
)

// DeliverCampaign puts the campaign's message on the member's card, with
// its bonus points, once, when the member consented and is in the segment
// (its class scored against q). The commit carries an idempotency record keyed by
// campaign and member (the per-member delivery record): a page of the
// fan-out done again, a racing worker or a retried message find it and
// deliver nothing more.
func (p *Program) DeliverCampaign(ctx context.Context, c Campaign, q Quintiles, memberID string) (Delivered, error) {
	key := IdemKey{Scope: "campaign/" + c.ID, Key: memberID}
	reqHash := RequestHash("campaign", c.ID, memberID)
	return untilCommitted(ctx, func() (Delivered, error) {
		now := p.Now()
		var first Delivered
		if replayed, err := p.replay(ctx, key, reqHash, now, &first); replayed || err != nil {
			return DeliveredBefore, err
		}
		acct, err := p.book.LoadAccount(ctx, memberID)
		if errors.Is(err, ErrMemberNotFound) {
			return NotTargeted, nil
		}
		if err != nil {
			return "", err
		}
		m := acct.Member
		if !m.Marketing || !m.BlockedAt.IsZero() || !m.ErasedAt.IsZero() || !c.Segment.Matches(m, q, DateOf(now)) {
			return NotTargeted, nil
		}
		rules, err := p.rules.Rules(ctx)
		if err != nil {
			return "", fmt.Errorf("read rules: %w", err)
		}
		d := newDraft(acct, now, p.ids)
		d.memberOnly = c.BonusPoints == 0
		d.m.News = &News{ID: "campaign/" + c.ID, Text: c.Message, At: now}
		if c.BonusPoints > 0 {
			err := d.credit(rules.LotExpiry(now), LedgerEntry{Kind: KindCampaign, Points: c.BonusPoints, Actor: "program",
				Ref: Reference{Note: "campaign " + c.ID}})
			if err != nil {
				return "", err
			}
		}
		posting, err := d.posting()
		if err != nil {
			return "", err
		}
		if err := p.commit(ctx, &posting, key, reqHash, now, DeliveredNow); err != nil {
			return "", err
		}
		return DeliveredNow, nil
	})
}

// SetMarketing records whether the member consents to marketing messages.
func (p *Program) SetMarketing(ctx context.Context, memberID string, consent bool) (Member, error) {
	var out Member
	_, err := p.apply(ctx, memberID, func(d *draft, _ Rules) (Skip, error) {
		out = d.m
		if d.m.Marketing == consent {
			return SkipAlreadyDone, nil
		}
		d.memberOnly = true
		d.m.Marketing = consent
		out.Marketing = consent
		return "", nil
	})
	return out, err
}
