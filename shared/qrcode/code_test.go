package qrcode

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
	code := s.Mint(member)
	if !regexp.MustCompile(`^[0-9A-Z.]+$`).MatchString(code) || len(code) > 60 {
		t.Fatalf("code %q is not short QR-alphanumeric text", code)
	}
	if got, err := s.Verify(code); err != nil || got != member {
		t.Fatalf("Verify = %q, %v", got, err)
	}
	tampered := []string{
		"", "F1", code + "A", strings.Replace(code, member, "01JDAB0C1D2E3F4G5H6J7K8M9P", 1),
		otherLast(code), strings.Replace(code, "F1.", "F2.", 1), strings.Replace(code, ".K1.", ".K9.", 1),
	}
	for _, c := range tampered {
		if _, err := s.Verify(c); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("Verify(%q) err = %v, want ErrInvalidCode", c, err)
		}
	}
	other, _ := NewSigner(NewKeySpec("K1"))
	if _, err := other.Verify(code); !errors.Is(err, ErrInvalidCode) {
		t.Error("a code verified under another program's key")
	}
}

func TestKeyRotation(t *testing.T) {
	old := NewKeySpec("K1")
	s1, _ := NewSigner(old)
	code := s1.Mint(member)
	s2, err := NewSigner(NewKeySpec("K2") + "," + old)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Verify(code); err != nil || got != member {
		t.Fatalf("a code of the kept old key: %q, %v", got, err)
	}
	if !strings.Contains(s2.Mint(member), ".K2.") {
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
	mac := s.MAC("link", "GET /v1/members/x/pass.pkpass 1700000000")
	if !s.VerifyMAC("link", "GET /v1/members/x/pass.pkpass 1700000000", mac) {
		t.Fatal("a MAC does not verify")
	}
	refused := map[string][3]string{
		"another message":   {"link", "GET /v1/members/y/pass.pkpass 1700000000", mac},
		"another purpose":   {"pass-token", "GET /v1/members/x/pass.pkpass 1700000000", mac},
		"a tampered mac":    {"link", "GET /v1/members/x/pass.pkpass 1700000000", otherLast(mac)},
		"an unknown key id": {"link", "GET /v1/members/x/pass.pkpass 1700000000", "K9" + mac[2:]},
		"no key id":         {"link", "GET /v1/members/x/pass.pkpass 1700000000", "nodot"},
	}
	for name, c := range refused {
		if s.VerifyMAC(c[0], c[1], c[2]) {
			t.Errorf("%s verified", name)
		}
	}
}
