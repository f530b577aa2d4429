package dynamo_test

import (
	"testing"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestRegistrations(t *testing.T) {
	db := local(t)
	t.Run("dynamo", func(t *testing.T) {
		storetest.RunRegistrations(t, func(t *testing.T) store.Registrations { return open(t, db) })
	})
}
