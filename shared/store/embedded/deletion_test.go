package embedded

import (
	"context"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// TestACodeLeftByAnOlderDeletionFindsNoOne: a deletion made before erasures
// removed the referral code's lookup item left it in the file; joining with
// that code is refused all the same.
func TestACodeLeftByAnOlderDeletionFindsNoOne(t *testing.T) {
	s, ctx := openInternal(t), context.Background()
	program := loyalty.NewProgram(s, storetest.NewClock(storetest.Start), nil)
	if _, err := program.ChangeRules(ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
		r.Referral = loyalty.ReferralRules{Enabled: true, ReferrerPoints: 100, NewMemberPoints: 50, MinPurchase: 1000, MonthlyCap: 10}
		return r, nil
	}); err != nil {
		t.Fatal(err)
	}
	en, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Ada Lovelace", Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	referrer := en.Member
	if _, err := program.Erase(ctx, referrer.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketReferralCodes).Put(indexKey(referrer.ReferralCode(), referrer.ID), []byte{})
	}); err != nil {
		t.Fatal(err)
	}
	_, err = program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Grace Hopper", Email: "grace@example.com"}, ReferralCode: referrer.ReferralCode()})
	if !errors.Is(err, loyalty.ErrUnknownReferralCode) {
		t.Errorf("joining with a deleted account's code left in the file: %v, want ErrUnknownReferralCode", err)
	}
}
