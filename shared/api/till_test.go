package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestTheTillFindsAMemberByNumberOrEmail(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris")
	m := f.do("POST", "/v1/members", "", `{"name":"Jean Dupont","email":"jean.dupont@example.com"}`)
	f.expect(m, 201, "")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","nameFr":"Café","points":60}`), 201, "")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"cake","name":"Cake","points":100}`), 201, "")
	number := m.str("memberNumber")
	typed := strings.ToLower(strings.ReplaceAll(number, " ", ""))

	for name, body := range map[string]string{
		"the number as printed":            fmt.Sprintf(`{"number":%q}`, number),
		"the number typed without spaces":  fmt.Sprintf(`{"number":%q}`, typed),
		"the email in another case":        `{"email":" Jean.Dupont@EXAMPLE.com"}`,
		"the code, as the camera reads it": fmt.Sprintf(`{"code":%q}`, m.str("code")),
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do("POST", "/v1/scans", paris, body)
			f.expect(r, 200, "")
			member := r.body["member"].(map[string]any)
			if member["id"] != m.str("id") || member["number"] != number || member["emailHint"] != "j•••t@example.com" {
				t.Fatalf("member = %v", member)
			}
			if _, ok := member["email"]; ok {
				t.Fatalf("the till was shown the whole email: %v", member)
			}
			if member["nextTier"] != "silver" || member["pointsToNextTier"] != 500.0 || len(member["expiringSoon"].([]any)) != 0 {
				t.Fatalf("tablet fields = %v", member)
			}
			next := r.body["nextRewards"].([]any)
			if len(r.body["rewards"].([]any)) != 0 || len(next) != 2 || next[0].(map[string]any)["nameFr"] != "Café" {
				t.Fatalf("rewards = %v, next rewards = %v", r.body["rewards"], next)
			}
		})
	}

	for name, c := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"nothing to find the member by": {`{}`, 400, "invalid_request"},
		"a number and an email":         {fmt.Sprintf(`{"number":%q,"email":"jean.dupont@example.com"}`, number), 400, "invalid_request"},
		"a number of the wrong form":    {`{"number":"TYVF MNJR"}`, 400, "invalid_request"},
		"a number of no member":         {`{"number":"ZZZZ ZZZZ ZZZZ"}`, 404, "member_not_found"},
		"an email of no member":         {`{"email":"nobody@example.com"}`, 404, "member_not_found"},
		"something that is no email":    {`{"email":"jean"}`, 400, "invalid_request"},
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			f.expect(f.do("POST", "/v1/scans", paris, c.body), c.status, c.code)
		})
	}

	earn := f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"number":%q,"receiptId":"R-1","amount":{"value":2000,"currency":"EUR"}}`, typed))
	f.expect(earn, 201, "")
	if earn.str("memberId") != m.str("id") || earn.num("balance") != 70 {
		t.Fatalf("earning by number = %v", earn.body)
	}
	red := f.do("POST", "/v1/redemptions", paris, `{"email":"jean.dupont@example.com","rewardId":"coffee"}`, "Idempotency-Key", "red-1")
	f.expect(red, 201, "")
	if red.str("memberId") != m.str("id") || red.num("balance") != 10 {
		t.Fatalf("redemption by email = %v", red.body)
	}

	// Eleven months on, the welcome points' lot expires within 30 days.
	f.clock.Set(time.Date(2027, time.November, 10, 9, 0, 0, 0, time.UTC))
	r := f.do("POST", "/v1/scans", paris, fmt.Sprintf(`{"number":%q}`, number))
	f.expect(r, 200, "")
	soon := r.body["member"].(map[string]any)["expiringSoon"].([]any)
	if len(soon) != 1 || soon[0].(map[string]any)["points"] != 10.0 || soon[0].(map[string]any)["on"] != "2027-11-30" {
		t.Fatalf("expiring soon = %v", soon)
	}
}

func TestTheTillSessionNamesTheStoreAndTheEmployee(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/v1/admin/stores", adminKey, `{"id":"paris","name":"Paris Rivoli","address":"1 rue de Rivoli","timeZone":"Europe/Paris"}`), 201, "")
	key := f.do("POST", "/v1/admin/staff-keys", adminKey, `{"storeId":"paris","name":"Camille"}`)
	f.expect(key, 201, "")
	r := f.do("GET", "/v1/staff/session", key.str("key"), "")
	f.expect(r, 200, "")
	want := fmt.Sprintf(`{"employee":{"keyId":%q,"name":"Camille"},"limits":{"confirmAbove":{"currency":"EUR","value":30000},"maxPerReceipt":{"currency":"EUR","value":1000000}},"store":{"id":"paris","name":"Paris Rivoli"}}`, key.str("id"))
	if got := asJSON(t, r.body); got != want {
		t.Fatalf("session = %s, want %s", got, want)
	}
	f.expect(f.do("GET", "/v1/staff/session", adminKey, ""), 403, "forbidden")
	f.expect(f.do("GET", "/v1/staff/session", "", ""), 401, "unauthorized")
}

func TestReceiptLimitsRefuseTooMuchAndAskToConfirmALargeAmount(t *testing.T) {
	f := newFixture(t)
	till := f.staffKey("paris")
	m := f.enroll("ada@example.com")
	earn := func(receipt string, cents int64, confirmed bool) response {
		return f.do("POST", "/v1/earnings", till, fmt.Sprintf(`{"code":%q,"receiptId":%q,"amount":{"value":%d,"currency":"EUR"},"confirmed":%t}`, m.str("code"), receipt, cents, confirmed))
	}
	balance := func() int64 {
		return f.do("GET", "/v1/members/"+m.str("id"), adminKey, "").num("balance")
	}

	program := f.do("GET", "/v1/admin/program", adminKey, "")
	if got := asJSON(t, []any{program.body["maxPerReceipt"], program.body["confirmAbove"]}); got != `[{"currency":"EUR","value":1000000},{"currency":"EUR","value":30000}]` {
		t.Fatalf("the default limits = %s", got)
	}
	// 2390 typed for 23.90: above the confirmation threshold, nothing written until confirmed.
	f.expect(earn("R-1", 239000, false), 409, "confirmation_required")
	if b := balance(); b != 50 {
		t.Fatalf("balance after an unconfirmed earning = %d, want 50", b)
	}
	first := earn("R-1", 239000, true)
	f.expect(first, 201, "")
	tooMuch := earn("R-2", 1000001, true)
	f.expect(tooMuch, 422, "amount_above_maximum")
	if !strings.Contains(tooMuch.str("detail"), "10000.00 EUR") {
		t.Fatalf("the refusal does not name the maximum: %v", tooMuch.body)
	}

	patch := `{"maxPerReceipt":{"value":50000,"currency":"EUR"},"confirmAbove":{"value":10000,"currency":"EUR"}}`
	f.expect(f.do("PATCH", "/v1/admin/program", adminKey, patch), 200, "")
	program = f.do("GET", "/v1/admin/program", adminKey, "")
	if got := asJSON(t, []any{program.body["maxPerReceipt"], program.body["confirmAbove"]}); got != `[{"currency":"EUR","value":50000},{"currency":"EUR","value":10000}]` {
		t.Fatalf("the patched limits = %s", got)
	}
	if got := asJSON(t, f.do("GET", "/v1/staff/session", till, "").body["limits"]); got != `{"confirmAbove":{"currency":"EUR","value":10000},"maxPerReceipt":{"currency":"EUR","value":50000}}` {
		t.Fatalf("the till's limits = %s", got)
	}
	f.expect(earn("R-3", 50001, true), 422, "amount_above_maximum")
	f.expect(earn("R-3", 10001, false), 409, "confirmation_required")
	f.expect(earn("R-3", 10000, false), 201, "")
	// The earning confirmed before the limits were lowered, sent again, gets its first answer.
	if again := earn("R-1", 239000, false); again.status != 201 || again.str("transactionId") != first.str("transactionId") {
		t.Fatalf("the first earning resent = %d %v", again.status, again.body)
	}

	for name, bad := range map[string]string{
		"in another currency": `{"confirmAbove":{"value":10000,"currency":"USD"}}`,
		"of nothing":          `{"maxPerReceipt":{"value":0,"currency":"EUR"}}`,
		"of a negative value": `{"confirmAbove":{"value":-1,"currency":"EUR"}}`,
	} {
		t.Run("a limit "+name+" is refused", func(t *testing.T) {
			f.expect(f.do("PATCH", "/v1/admin/program", adminKey, bad), 422, "invalid_program")
		})
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRefundsAtTheTillArePartialOncePerRefundIdAndKeptToTheirStore(t *testing.T) {
	f := newFixture(t)
	paris, lyon := f.staffKey("paris"), f.staffKey("lyon")
	m := f.enroll("ada@example.com")
	earn := f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":"R-1","amount":{"value":10000,"currency":"EUR"}}`, m.str("code")))
	f.expect(earn, 201, "")
	reversal := "/v1/transactions/" + earn.str("transactionId") + "/reversal"

	part := `{"amount":{"value":3350,"currency":"EUR"},"refundId":"3f0c6c1e-refund-1"}`
	first := f.do("POST", reversal, paris, part)
	f.expect(first, 201, "")
	if first.num("points") != -33 || first.num("balance") != 117 {
		t.Fatalf("a refund of 33.50 of 100.00 = %v; want 33 points back (rounded down)", first.body)
	}
	again := f.do("POST", reversal, paris, part)
	if again.status != 201 || again.str("transactionId") != first.str("transactionId") || again.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("the same refundId again = %d %v", again.status, again.body)
	}
	f.expect(f.do("POST", reversal, paris, `{"amount":{"value":6651,"currency":"EUR"},"refundId":"refund-2"}`), 422, "refund_exceeds_remaining")
	f.expect(f.do("POST", reversal, paris, `{"amount":{"value":100,"currency":"EUR"}}`), 400, "invalid_request")
	f.expect(f.do("POST", reversal, paris, `{"amount":{"value":100,"currency":"USD"},"refundId":"refund-3"}`), 400, "invalid_request")

	// Another store's refund needs a manager, or the program's leave.
	f.expect(f.do("POST", reversal, lyon, `{"amount":{"value":1000,"currency":"EUR"},"refundId":"lyon-1"}`), 403, "other_store")
	f.expect(f.do("PATCH", "/v1/admin/program", adminKey, `{"crossStoreRefunds":true}`), 200, "")
	f.expect(f.do("POST", reversal, lyon, `{"amount":{"value":1000,"currency":"EUR"},"refundId":"lyon-1"}`), 201, "")
	manager := f.do("POST", "/v1/admin/operator-keys", adminKey, `{"name":"Manon","role":"manager"}`)
	f.expect(manager, 201, "")
	rest := f.do("POST", reversal, manager.str("key"), "")
	f.expect(rest, 201, "")
	if rest.num("points") != -57 || rest.num("balance") != 50 {
		t.Fatalf("the rest = %v; want the 57 points left of 100", rest.body)
	}
	f.expect(f.do("POST", reversal, paris, `{"refundId":"after-the-whole"}`), 409, "already_reversed")
}

func TestARedemptionIsUndoneByItsStoreWithinTenMinutes(t *testing.T) {
	f := newFixture(t)
	paris, lyon := f.staffKey("paris"), f.staffKey("lyon")
	m := f.enroll("ada@example.com")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":30}`), 201, "")
	redeem := fmt.Sprintf(`{"code":%q,"rewardId":"coffee"}`, m.str("code"))
	red := f.do("POST", "/v1/redemptions", paris, redeem, "Idempotency-Key", "red-1")
	f.expect(red, 201, "")
	undo := "/v1/transactions/" + red.str("transactionId") + "/reversal"

	f.expect(f.do("POST", undo, lyon, ""), 403, "other_store")
	f.clock.Set(storetest.Start.Add(9 * time.Minute))
	first := f.do("POST", undo, paris, "")
	f.expect(first, 201, "")
	if first.num("points") != 30 || first.num("balance") != 50 {
		t.Fatalf("undo = %v", first.body)
	}
	if again := f.do("POST", undo, paris, ""); again.str("transactionId") != first.str("transactionId") || again.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("the undo again = %d %v", again.status, again.body)
	}
	f.clock.Set(storetest.Start.Add(time.Hour))
	if again := f.do("POST", undo, paris, ""); again.str("transactionId") != first.str("transactionId") {
		t.Fatalf("the undo again an hour later = %d %v; want its first answer", again.status, again.body)
	}
	late := f.do("POST", "/v1/redemptions", paris, redeem, "Idempotency-Key", "red-2")
	f.expect(late, 201, "")
	f.clock.Set(storetest.Start.Add(time.Hour + 10*time.Minute + time.Second))
	f.expect(f.do("POST", "/v1/transactions/"+late.str("transactionId")+"/reversal", paris, ""), 409, "undo_window_passed")
}

func TestATransactionIsFoundByItsReceipt(t *testing.T) {
	f := newFixture(t)
	paris, lyon := f.staffKey("paris"), f.staffKey("lyon")
	m := f.enroll("ada@example.com")
	earn := f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":"R-42","amount":{"value":10000,"currency":"EUR"}}`, m.str("code")))
	f.expect(earn, 201, "")
	tx := earn.str("transactionId")
	f.expect(f.do("POST", "/v1/transactions/"+tx+"/reversal", paris, `{"amount":{"value":2500,"currency":"EUR"},"refundId":"r-1"}`), 201, "")

	want := fmt.Sprintf(`{"transaction":{"amount":{"currency":"EUR","value":10000},"createdAt":"2026-11-23T10:00:00Z","id":%q,"memberId":%q,"points":100,"receiptId":"R-42","refundable":{"currency":"EUR","value":7500},"refunded":{"currency":"EUR","value":2500},"refundedPoints":25,"storeId":"paris","type":"earn"}}`, tx, m.str("id"))
	for name, who := range map[string]string{"its store's staff": paris, "an operator, at any store": adminKey} {
		r := f.do("GET", "/v1/transactions?receiptId=R-42", who, "")
		f.expect(r, 200, "")
		if got := asJSON(t, r.body); got != want {
			t.Fatalf("%s found %s, want %s", name, got, want)
		}
	}
	f.expect(f.do("GET", "/v1/transactions?receiptId=R-42", lyon, ""), 404, "transaction_not_found")
	f.expect(f.do("GET", "/v1/transactions?receiptId=R-42&storeId=paris", lyon, ""), 403, "other_store")
	f.expect(f.do("GET", "/v1/transactions?receiptId=R-43", paris, ""), 404, "transaction_not_found")
	f.expect(f.do("GET", "/v1/transactions", paris, ""), 400, "invalid_request")

	// The same receipt number at another store: an operator says which.
	f.expect(f.do("POST", "/v1/earnings", lyon, fmt.Sprintf(`{"code":%q,"receiptId":"R-42","amount":{"value":500,"currency":"EUR"}}`, m.str("code"))), 201, "")
	f.expect(f.do("GET", "/v1/transactions?receiptId=R-42", adminKey, ""), 400, "invalid_request")
	if r := f.do("GET", "/v1/transactions?receiptId=R-42&storeId=lyon", adminKey, ""); r.status != 200 || r.body["transaction"].(map[string]any)["storeId"] != "lyon" {
		t.Fatalf("R-42 at lyon = %d %v", r.status, r.body)
	}
}
