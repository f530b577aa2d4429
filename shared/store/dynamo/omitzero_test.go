package dynamo

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// TestZeroValuesOfOmitzeroFieldsAreNotWritten: a member never blocked nor
// erased has no blockedAt nor erasedAt, nor a zero date in its activity;
// what it has is written; and an item written before, with a zero time
// spelled out, reads as zero.
func TestZeroValuesOfOmitzeroFieldsAreNotWritten(t *testing.T) {
	birthdayChanged := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	m := loyalty.Member{ID: "01M83XJ8800000000000000001", Balance: 10, BirthdayChangedAt: birthdayChanged}
	m.Activity.Donor = true
	item, err := marshal(m, memberPK(m.ID), skProfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"blockedAt", "erasedAt", "cardUpdatedAt", "birthday", "tierReviewOn", "pledgedMonth", "giving"} {
		if v, ok := item[name]; ok {
			t.Errorf("%s is written as %#v, want no attribute", name, v)
		}
	}
	activity, ok := item["activity"].(*types.AttributeValueMemberM)
	if !ok {
		t.Fatalf("activity is %#v, want a map", item["activity"])
	}
	if v, ok := activity.Value["lastPurchaseOn"]; ok {
		t.Errorf("activity.lastPurchaseOn is written as %#v, want no attribute", v)
	}
	if v, ok := item["birthdayChangedAt"].(*types.AttributeValueMemberS); !ok || v.Value != "2026-03-01T09:00:00Z" {
		t.Errorf("birthdayChangedAt is written as %#v", item["birthdayChangedAt"])
	}

	item["blockedAt"] = str("0001-01-01T00:00:00Z")
	var read loyalty.Member
	if err := unmarshal(item, &read); err != nil {
		t.Fatal(err)
	}
	if !read.BlockedAt.IsZero() || !read.ErasedAt.IsZero() || !read.BirthdayChangedAt.Equal(birthdayChanged) || !read.Activity.Donor {
		t.Errorf("read back: blocked %v, erased %v, birthday changed %v, donor %v", read.BlockedAt, read.ErasedAt, read.BirthdayChangedAt, read.Activity.Donor)
	}
}
