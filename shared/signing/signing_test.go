package signing

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

const member = "01JDAB0C1D2E3F4G5H6J7K8M9N"

// otherLast changes the last character of s, to tamper with a MAC.
func otherLast(s string) string {
	if strings.HasSuffix(s, "A") {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}

func TestMintVerify(t *testing.T) {
	s, err := NewSigner(NewKeySpec("K1"))
	if err != nil {
		t.Fatal(err)
	}
	code := s.Mint(member, 0)
	if !regexp.MustCompile(`^[0-9A-Z.]+$`).MatchString(code) || len(code) > 60 {
		t.Fatalf("code %q is not short QR-alphanumeric text", code)
	}
	if got, err := s.MemberOf(code); err != nil || got != member {
		t.Fatalf("MemberOf = %q, %v", got, err)
	}
	if err := s.Verify(code, 0); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	tampered := []string{
		"", "F1", code + "A", strings.Replace(code, member, "01JDAB0C1D2E3F4G5H6J7K8M9P", 1),
		otherLast(code), strings.Replace(code, "F1.", "F2.", 1), strings.Replace(code, ".K1.", ".K9.", 1),
	}
	for _, c := range tampered {
		if err := s.Verify(c, 0); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("Verify(%q) err = %v, want ErrInvalidCode", c, err)
		}
	}
	other, _ := NewSigner(NewKeySpec("K1"))
	if err := other.Verify(code, 0); !errors.Is(err, ErrInvalidCode) {
		t.Error("a code verified under another program's key")
	}
}

func TestReissuedCodes(t *testing.T) {
	s, err := NewSigner("K1:c2FtcGxlIGNvZGUga2V5IGZvciByZWNvcmRlZCBldmVudHMh")
	if err != nil {
		t.Fatal(err)
	}
	// Minted before codes had generations: a printed card must keep working.
	const printed = "F1.K1.01JDAB0C1D2E3F4G5H6J7K8M9N.MHJPPFT5O7QEEFTU"
	if got := s.Mint(member, 0); got != printed {
		t.Fatalf("generation 0 mints %q, want the code of old cards %q", got, printed)
	}
	second := s.Mint(member, 1)
	if second == printed || len(second) != len(printed) {
		t.Fatalf("generation 1 mints %q: want another code of the same length", second)
	}
	for _, c := range []struct {
		code       string
		generation int64
		ok         bool
	}{{printed, 0, true}, {printed, 1, false}, {second, 1, true}, {second, 0, false}, {second, 2, false}} {
		if err := s.Verify(c.code, c.generation); (err == nil) != c.ok {
			t.Errorf("Verify(%s, generation %d) = %v, want ok %v", c.code, c.generation, err, c.ok)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	old := NewKeySpec("K1")
	s1, _ := NewSigner(old)
	code := s1.Mint(member, 0)
	s2, err := NewSigner(NewKeySpec("K2") + "," + old)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Verify(code, 0); err != nil {
		t.Fatalf("a code of the kept old key: %v", err)
	}
	if !strings.Contains(s2.Mint(member, 0), ".K2.") {
		t.Fatal("new codes are not minted with the first key")
	}
	for _, bad := range []string{"", "K1", "k1:AAAA", "K1:" + strings.Repeat("A", 20)} {
		if _, err := NewSigner(bad); err == nil {
			t.Errorf("NewSigner(%q) accepted", bad)
		}
	}
}

func TestMACs(t *testing.T) {
	s, _ := NewSigner(NewKeySpec("K1"))
	mac := s.MAC(PurposeLink, "GET /v1/members/x/pass.pkpass 1700000000")
	if !s.VerifyMAC(PurposeLink, "GET /v1/members/x/pass.pkpass 1700000000", mac) {
		t.Fatal("a MAC does not verify")
	}
	refused := map[string]struct {
		purpose  Purpose
		msg, mac string
	}{
		"another message":   {PurposeLink, "GET /v1/members/y/pass.pkpass 1700000000", mac},
		"another purpose":   {PurposePassToken, "GET /v1/members/x/pass.pkpass 1700000000", mac},
		"a tampered mac":    {PurposeLink, "GET /v1/members/x/pass.pkpass 1700000000", otherLast(mac)},
		"an unknown key id": {PurposeLink, "GET /v1/members/x/pass.pkpass 1700000000", "K9" + mac[2:]},
		"no key id":         {PurposeLink, "GET /v1/members/x/pass.pkpass 1700000000", "nodot"},
	}
	for name, c := range refused {
		if s.VerifyMAC(c.purpose, c.msg, c.mac) {
			t.Errorf("%s verified", name)
		}
	}
}
