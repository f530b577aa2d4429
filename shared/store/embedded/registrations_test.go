package embedded_test

import (
	"testing"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestRegistrations(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		storetest.RunRegistrations(t, func(t *testing.T) store.Registrations { return open(t) })
	})
}
