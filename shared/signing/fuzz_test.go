package signing

import (
	"strings"
	"testing"
)

// FuzzMemberCode verifies any text as a scanned code of any generation: it
// passes only when it is, spaces aside, the very code this signer mints for
// the member it names at that generation.
func FuzzMemberCode(f *testing.F) {
	s, err := NewSigner("K1:" + strings.Repeat("A", 44))
	if err != nil {
		f.Fatal(err)
	}
	good := s.Mint(member, 0)
	for _, seed := range []string{good, " " + good + "\n", otherLast(good), strings.ToLower(good), "F1.K1." + member + ".", "F1..." + member,
		"F1.K2." + member + "." + strings.Split(good, ".")[3], "F1.K1.01jdab0c1d2e3f4g5h6j7k8m9n.X", "F2" + good[2:], good + ".", ""} {
		f.Add(seed, int64(0))
		f.Add(seed, int64(1))
	}
	f.Add(s.Mint(member, 7), int64(7))
	f.Fuzz(func(t *testing.T, code string, generation int64) {
		id, err := s.MemberOf(code)
		if err != nil {
			if s.Verify(code, generation) == nil {
				t.Fatalf("Verify(%q, %d) passed a code MemberOf refuses", code, generation)
			}
			return
		}
		if s.Verify(code, generation) == nil && strings.TrimSpace(code) != s.Mint(id, generation) {
			t.Fatalf("Verify(%q, %d) passed, but that member's code is %q", code, generation, s.Mint(id, generation))
		}
	})
}

// FuzzSignedValues verifies any value as a signed link or pass token: it is
// accepted only for the purpose and message it was made for, and a value
// made for one purpose is refused for the other.
func FuzzSignedValues(f *testing.F) {
	s, err := NewSigner("K1:" + strings.Repeat("A", 44) + ",K0:" + strings.Repeat("B", 44))
	if err != nil {
		f.Fatal(err)
	}
	link := "GET /v1/members/" + member + "/qr.png 1795000000"
	for _, seed := range []struct {
		purpose  Purpose
		msg, mac string
	}{
		{PurposeLink, link, s.MAC(PurposeLink, link)},
		{PurposeLink, link, s.MAC(PurposePassToken, link)},
		{PurposeLink, link + "0", s.MAC(PurposeLink, link)},
		{PurposePassToken, member, s.MAC(PurposePassToken, member)},
		{PurposePassToken, member, otherLast(s.MAC(PurposePassToken, member))},
		{PurposePassToken, member, "K0." + strings.TrimPrefix(s.MAC(PurposePassToken, member), "K1.")},
		{PurposePassToken, member, "K9.AAAA"},
		{PurposePassToken, "", "."},
	} {
		f.Add(string(seed.purpose), seed.msg, seed.mac)
	}
	f.Fuzz(func(t *testing.T, name, msg, mac string) {
		purpose := Purpose(name)
		ok := s.VerifyMAC(purpose, msg, mac)
		signed := mac == s.MAC(purpose, msg) || mac == "K0."+s.purposeMAC("K0", purpose, msg)
		if ok != signed {
			t.Fatalf("VerifyMAC(%q, %q, %q) = %v, want %v", purpose, msg, mac, ok, signed)
		}
		for _, other := range []Purpose{PurposeLink, PurposePassToken} {
			if other != purpose && s.VerifyMAC(other, msg, s.MAC(purpose, msg)) {
				t.Fatalf("a %s MAC of %q passes as a %s", purpose, msg, other)
			}
		}
	})
}
