package store

import (
	"context"
	"time"
)

// Registration is a device that asked Wallet's web service to be told when
// a pass changes.
type Registration struct {
	DeviceID  string    `json:"deviceId"`
	Serial    string    `json:"serial"`
	PushToken string    `json:"pushToken"`
	CreatedAt time.Time `json:"createdAt"`
}

// Registrations keeps devices' registrations for pass updates, both ways:
// by device (which passes to list for it) and by pass (whom to push).
type Registrations interface {
	// Register records or refreshes a registration; created is false when
	// the device had registered the pass already.
	Register(ctx context.Context, r Registration) (created bool, err error)
	// Unregister removes a registration; removing one that is not there is no error.
	Unregister(ctx context.Context, deviceID, serial string) error
	// DeviceSerials lists the serials a device registered.
	DeviceSerials(ctx context.Context, deviceID string) ([]string, error)
	// PassRegistrations lists the devices registered for a pass.
	PassRegistrations(ctx context.Context, serial string) ([]Registration, error)
	// ClaimPush records that the change of a pass to a version has been
	// pushed; it reports false when it had been already (a stream record
	// delivered again), so that no change is pushed twice.
	ClaimPush(ctx context.Context, serial string, version int64) (bool, error)
}
