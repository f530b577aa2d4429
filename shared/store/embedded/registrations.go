package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var (
	bucketDevices       = []byte("devices")            // device id "/" serial -> registration
	bucketPassDevices   = []byte("pass-devices")       // serial "/" device id -> registration
	bucketPushesClaimed = []byte("push-claims-by-day") // day "/" serial "/" version "/" device id -> empty
	// bucketPushesClaimedOlder is an older build's, with no day in its keys.
	bucketPushesClaimedOlder = []byte("pushes-claimed")
)

// pushClaimDays is how many days before its own a claim of a push is seen,
// the week DynamoDB's TTL keeps one: far longer than a change waits to be
// handed over again.
const pushClaimDays = 7

func (s *Store) Register(ctx context.Context, r store.Registration) (bool, error) {
	created := false
	err := s.update(nil, func(tx *bolt.Tx) error {
		devices, passes, err := registrationBuckets(tx)
		if err != nil {
			return err
		}
		created = devices.Get([]byte(r.DeviceID+"/"+r.Serial)) == nil
		if err := putJSON(devices, []byte(r.DeviceID+"/"+r.Serial), r); err != nil {
			return err
		}
		return putJSON(passes, []byte(r.Serial+"/"+r.DeviceID), r)
	})
	return created, err
}

func (s *Store) Unregister(ctx context.Context, deviceID, serial string) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		devices, passes, err := registrationBuckets(tx)
		if err != nil {
			return err
		}
		if err := devices.Delete([]byte(deviceID + "/" + serial)); err != nil {
			return err
		}
		return passes.Delete([]byte(serial + "/" + deviceID))
	})
}

func (s *Store) DeviceSerials(ctx context.Context, deviceID string) ([]string, error) {
	var out []string
	err := s.scanRegistrations(bucketDevices, deviceID, func(r store.Registration) { out = append(out, r.Serial) })
	return out, err
}

func (s *Store) PassRegistrations(ctx context.Context, serial string) ([]store.Registration, error) {
	var out []store.Registration
	err := s.scanRegistrations(bucketPassDevices, serial, func(r store.Registration) { out = append(out, r) })
	return out, err
}

func (s *Store) ClaimPush(ctx context.Context, serial string, version int64, deviceID string) (bool, error) {
	claimed, today := false, loyalty.DateOf(time.Now().UTC())
	err := s.update(nil, func(tx *bolt.Tx) error {
		claimed = false // a group written again runs this again
		b, err := tx.CreateBucketIfNotExists(bucketPushesClaimed)
		if err != nil {
			return err
		}
		if err := purgeClaims(tx, b, today.AddDays(-pushClaimDays), bucketPushesClaimedOlder); err != nil {
			return err
		}
		for n := range pushClaimDays + 1 {
			if has(b, pushClaimKey(today.AddDays(-n), serial, version, deviceID)) {
				return nil
			}
		}
		claimed = true
		return b.Put(pushClaimKey(today, serial, version, deviceID), nil)
	})
	return claimed, err
}

func (s *Store) ReleasePush(ctx context.Context, serial string, version int64, deviceID string) error {
	today := loyalty.DateOf(time.Now().UTC())
	return s.update(nil, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPushesClaimed)
		if b == nil {
			return nil
		}
		for n := range pushClaimDays + 1 {
			if err := b.Delete(pushClaimKey(today.AddDays(-n), serial, version, deviceID)); err != nil {
				return err
			}
		}
		return nil
	})
}

func pushClaimKey(day loyalty.Date, serial string, version int64, deviceID string) []byte {
	return dayKey(day, fmt.Sprintf("%s/%d/%s", serial, version, deviceID))
}

func registrationBuckets(tx *bolt.Tx) (devices, passes *bolt.Bucket, err error) {
	if devices, err = tx.CreateBucketIfNotExists(bucketDevices); err != nil {
		return nil, nil, err
	}
	passes, err = tx.CreateBucketIfNotExists(bucketPassDevices)
	return devices, passes, err
}

// scanRegistrations reads the registrations under one prefix ("<id>/").
func (s *Store) scanRegistrations(bucket []byte, id string, each func(store.Registration)) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		prefix := []byte(id + "/")
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			var r store.Registration
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			each(r)
		}
		return nil
	})
}
