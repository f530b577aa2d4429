package api

import (
	"strings"
	"testing"
)

// TestEveryAdminRouteDeclaresARole holds operatorRoles to the routes: every
// admin route names the role it needs, and every entry names a route.
func TestEveryAdminRouteDeclaresARole(t *testing.T) {
	declared := map[string]bool{}
	for _, r := range Routes("") {
		key := r.Method + " " + r.Path
		_, ok := operatorRoles[key]
		if r.Function == "admin" && !ok {
			t.Errorf("admin route %s declares no operator role in operatorRoles", key)
		}
		declared[key] = true
	}
	for key := range operatorRoles {
		if !declared[key] {
			t.Errorf("operatorRoles names %s, which is no route", key)
		}
	}
}

// TestAnalystsOnlyRead: an analyst's role allows no route that writes.
func TestAnalystsOnlyRead(t *testing.T) {
	for key, need := range operatorRoles {
		if !strings.HasPrefix(key, "GET ") && need == "analyst" {
			t.Errorf("%s writes but an analyst may call it", key)
		}
	}
}
