package api

import "testing"

// A Lambda function serves its own table (Serve), while template.yaml, the
// local stack and the contract go by each route's Function: a route put in
// another function's table would be declared for one function and served by
// another.
func TestEachRouteIsInTheTableOfTheFunctionThatServesIt(t *testing.T) {
	tables := map[string]Function{"members": Members, "staff": Staff, "walletservice": WalletService, "web": Web, "admin": Admin, "cards": Cards}
	for name, table := range tables {
		if len(table) == 0 {
			t.Errorf("the %s table is empty", name)
		}
		for _, r := range table {
			if r.Function != name {
				t.Errorf("%s %s is in the %s table but says it is served by %q", r.Method, r.Path, name, r.Function)
			}
		}
	}
	if got, want := len(Routes("")), len(Members)+len(Staff)+len(WalletService)+len(Web)+len(Admin)+len(Cards); got != want {
		t.Errorf("Routes(\"\") lists %d routes, the tables %d", got, want)
	}
}
