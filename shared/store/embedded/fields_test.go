package embedded

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// TestTheFeedGivesTheMemberAsItWasFromTheFieldsThatChanged commits changes
// that set, change and empty fields of every kind (text with quotes and
// braces, maps, a pointer, dates), and reads each one's Before back whole
// from the feed, which holds only the fields that changed.
func TestTheFeedGivesTheMemberAsItWasFromTheFieldsThatChanged(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	steps := []func(m *loyalty.Member){
		func(m *loyalty.Member) {
			m.Name, m.Locale, m.Balance = `Ada "the {first}, programmer" \ Lovelace`, "fr", 50
			m.Birthday = loyalty.DateOf(at.AddDate(-30, 0, 0))
		},
		func(m *loyalty.Member) {
			m.Balance, m.Qualifying = 175, map[string]int64{"2026-11-23": 125}
			m.Activity = loyalty.Activity{LastPurchaseOn: loyalty.DateOf(at), Stores: map[string]int64{"paris": 1}, TopStore: "paris"}
			m.DonationPlan = &loyalty.DonationPlan{CharityID: "school", MonthlyPoints: 10}
		},
		func(m *loyalty.Member) {
			m.Name, m.Birthday, m.Qualifying, m.DonationPlan = "Ada", loyalty.Date{}, nil, nil
			m.Activity.Stores["lyon"] = 2
		},
		func(m *loyalty.Member) { m.Activity = loyalty.Activity{}; m.Locale = "" },
	}
	m := loyalty.Member{ID: "ada", Email: "ada@example.com", Version: 1, UpdatedAt: at}
	if err := s.Commit(ctx, loyalty.Posting{Member: m}); err != nil {
		t.Fatal(err)
	}
	var want []loyalty.Member
	for _, step := range steps {
		want = append(want, roundTrip(t, m))
		next := roundTrip(t, m) // its maps of its own
		step(&next)
		next.Version = m.Version + 1
		if err := s.Commit(ctx, loyalty.Posting{Member: next, PrevVersion: m.Version}); err != nil {
			t.Fatal(err)
		}
		m = next
	}
	changes, err := s.Changes(ctx, 1, 10)
	if err != nil || len(changes) != len(steps) {
		t.Fatalf("%d changes, %v; want %d", len(changes), err, len(steps))
	}
	for i, ch := range changes {
		if ch.Before == nil || !reflect.DeepEqual(*ch.Before, want[i]) {
			t.Errorf("change %d: Before = %+v,\nwant %+v", i+1, ch.Before, want[i])
		}
	}
}

// roundTrip is m as the store gives it back.
func roundTrip(t *testing.T, m loyalty.Member) loyalty.Member {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out loyalty.Member
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A change recorded with the whole member as it was, as the feed held it
// before BeforeFields, is read as it was written.
func TestAChangeRecordedWholeIsReadWhole(t *testing.T) {
	s := openInternal(t)
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketChanges)
		if err != nil {
			return err
		}
		return b.Put(binary.BigEndian.AppendUint64(nil, 1), []byte(`{"before":{"id":"ada","name":"Ada","balance":50,"version":1},"after":{"id":"ada","balance":75,"version":2}}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := s.Changes(context.Background(), 0, 10)
	if err != nil || len(changes) != 1 {
		t.Fatalf("%d changes, %v", len(changes), err)
	}
	if b, a := changes[0].Before, changes[0].After; b == nil || b.Name != "Ada" || b.Balance != 50 || a.Name != "" || a.Balance != 75 {
		t.Errorf("before %+v, after %+v", b, a)
	}
}
