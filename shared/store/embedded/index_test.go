package embedded

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// A file written before the job indexes existed gets them when it is opened.
func TestOpenBuildsMissingIndexes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fidelio.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, time.November, 23, 10, 0, 0, 0, time.UTC)
	program := loyalty.NewProgram(s, fixedClock(now), nil)
	en, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Old", Email: "old@example.com", Birthday: loyalty.Date{Year: 1990, Month: time.March, Day: 15}}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketBirthdays, bucketExpiries, bucketTierReviews} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	members, _, err := s.BirthdayMembers(ctx, loyalty.MonthDay{Month: time.March, Day: 15}, "", 10)
	if err != nil || len(members) != 1 || members[0].ID != en.Member.ID {
		t.Fatalf("birthdays after reopening = %v, %v", members, err)
	}
	lots, _, err := s.ExpiringLots(ctx, loyalty.Date{Year: 2027, Month: time.November, Day: 30}, "", 10)
	if err != nil || fmt.Sprint(lots) != fmt.Sprint([]string{en.Member.ID}) {
		t.Fatalf("expiring lots after reopening = %v, %v", lots, err)
	}
	due, _, err := s.TierReviewsDue(ctx, loyalty.Date{Year: 2027, Month: time.November, Day: 23}, "", 10)
	if err != nil || fmt.Sprint(due) != fmt.Sprint([]string{en.Member.ID}) {
		t.Fatalf("tier reviews after reopening = %v, %v", due, err)
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// A file written before the pledge index existed gets it when it is opened.
func TestOpenBuildsThePledgeIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fidelio.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, time.November, 23, 10, 0, 0, 0, time.UTC)
	program := loyalty.NewProgram(s, fixedClock(now), nil)
	c, err := loyalty.PrepareCharity(loyalty.Charity{ID: "meals", Name: "Meals", PointsPerUnit: 100, Currency: "EUR", MinPoints: 10, Step: 10}, nil, now)
	if err != nil || s.SaveCharity(ctx, c) != nil {
		t.Fatal(err)
	}
	en, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Giver", Email: "giver@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := program.SetDonationPlan(ctx, en.Member.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 10}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketPledges) }); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	due, _, err := s.PledgesDue(ctx, loyalty.DateOf(now), "", 10)
	if err != nil || fmt.Sprint(due) != fmt.Sprint([]string{en.Member.ID}) {
		t.Fatalf("pledges due after reopening = %v, %v", due, err)
	}
}
