package dynamo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/store"
)

// A registration is two items written together: DEVICE#<device>/PASS#<serial>
// (what to list for a device) and PASS#<serial>/DEVICE#<device> (whom to push).
func devicePK(id string) string   { return "DEVICE#" + id }
func passPK(serial string) string { return "PASS#" + serial }
func pushClaimTTL() time.Duration { return 7 * 24 * time.Hour }

func (s *Store) Register(ctx context.Context, r store.Registration) (bool, error) {
	byDevice, err := marshal(r, devicePK(r.DeviceID), passPK(r.Serial))
	if err != nil {
		return false, err
	}
	byPass, err := marshal(r, passPK(r.Serial), devicePK(r.DeviceID))
	if err != nil {
		return false, err
	}
	out, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: byDevice, ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		return false, fmt.Errorf("register device: %w", err)
	}
	// The by-pass item repeats the by-device one; written second, a crash
	// between the two leaves a device listed but not pushed, which its next
	// registration (Wallet re-registers) repairs.
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: byPass}); err != nil {
		return false, fmt.Errorf("register device: %w", err)
	}
	return len(out.Attributes) == 0, nil
}

func (s *Store) Unregister(ctx context.Context, deviceID, serial string) error {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &s.table, Key: key(devicePK(deviceID), passPK(serial))}},
		{Delete: &types.Delete{TableName: &s.table, Key: key(passPK(serial), devicePK(deviceID))}},
	}})
	if err != nil {
		return fmt.Errorf("unregister device: %w", err)
	}
	return nil
}

func (s *Store) DeviceSerials(ctx context.Context, deviceID string) ([]string, error) {
	regs, err := s.registrations(ctx, devicePK(deviceID), "PASS#")
	out := make([]string, len(regs))
	for i, r := range regs {
		out[i] = r.Serial
	}
	return out, err
}

func (s *Store) PassRegistrations(ctx context.Context, serial string) ([]store.Registration, error) {
	return s.registrations(ctx, passPK(serial), "DEVICE#")
}

func (s *Store) registrations(ctx context.Context, pk, prefix string) ([]store.Registration, error) {
	out, err := queryAll[store.Registration](ctx, s, pk, prefix, true)
	if err != nil {
		return nil, fmt.Errorf("query registrations: %w", err)
	}
	return out, nil
}

// ClaimPush writes the claim with a nonce of this call: the SDK resends the
// same request when an answer is lost, and a claim that bears the nonce is
// this call's own, written by the attempt whose answer was lost.
func (s *Store) ClaimPush(ctx context.Context, serial string, version int64, deviceID string) (bool, error) {
	item := pushClaimKey(serial, version, deviceID)
	item["ttl"] = num(time.Now().Add(pushClaimTTL()).Unix())
	item["claim"] = str(rand.Text())
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR claim = :claim"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":claim": item["claim"]},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim push: %w", err)
	}
	return true, nil
}

func (s *Store) ReleasePush(ctx context.Context, serial string, version int64, deviceID string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: pushClaimKey(serial, version, deviceID)}); err != nil {
		return fmt.Errorf("release push: %w", err)
	}
	return nil
}

func pushClaimKey(serial string, version int64, deviceID string) map[string]types.AttributeValue {
	return key(passPK(serial), "PUSHED#"+strconv.FormatInt(version, 10)+"#"+deviceID)
}
