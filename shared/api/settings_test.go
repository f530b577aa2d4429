package api_test

import (
	"testing"
)

func TestPatchProgramChangesOneRule(t *testing.T) {
	f := newFixture(t)
	patch := func(body string, headers ...string) response {
		t.Helper()
		return f.do("PATCH", "/v1/admin/program", adminKey, body, append([]string{"Content-Type", "application/merge-patch+json"}, headers...)...)
	}
	r := patch(`{"welcomeBonus":75,"name":{"en":"Café Lumière","fr":"Café Lumière"},"terms":{"en":"Points have no cash value.","fr":"Les points n'ont pas de valeur monétaire."}}`)
	f.expect(r, 200, "")
	if r.num("welcomeBonus") != 75 || r.num("birthdayBonus") != 100 || r.header["ETag"] != `"1"` {
		t.Fatalf("after a patch of the welcome bonus: %v %v", r.body, r.header)
	}

	t.Run("a patch of a nested rule keeps its siblings", func(t *testing.T) {
		r := patch(`{"thresholds":{"silver":600}}`)
		f.expect(r, 200, "")
		th := r.body["thresholds"].(map[string]any)
		if th["silver"] != 600.0 || th["gold"] != 1500.0 || r.num("welcomeBonus") != 75 {
			t.Fatalf("after a patch of silver's threshold: %v", r.body)
		}
	})
	t.Run("an invalid result is 422 and saves nothing", func(t *testing.T) {
		for name, body := range map[string]string{
			"thresholds out of order":  `{"thresholds":{"silver":5000}}`,
			"a required rule removed":  `{"currency":null}`,
			"an unknown rule":          `{"welcomeBonnus":3}`,
			"a rule in another case":   `{"WelcomeBonus":3}`,
			"a wrong type":             `{"welcomeBonus":"many"}`,
			"French without English":   `{"contact":{"fr":"Demandez en caisse."}}`,
			"a name with a line break": `{"name":{"en":"Café\nLumière"}}`,
		} {
			r := patch(body)
			f.expect(r, 422, "invalid_program")
			if r.str("detail") == "" {
				t.Errorf("%s: no detail", name)
			}
		}
		got := f.do("GET", "/v1/admin/program", adminKey, "")
		if th := got.body["thresholds"].(map[string]any); th["silver"] != 600.0 || got.num("welcomeBonus") != 75 {
			t.Fatalf("after refused patches the rules are %v, want them unchanged", got.body)
		}
		if again := patch(`{}`); again.header["ETag"] != `"3"` {
			t.Fatalf("an empty patch after refused ones is saved at version %s, want 3: a refused patch saves nothing", again.header["ETag"])
		}
	})
	t.Run("null removes an optional text", func(t *testing.T) {
		r := patch(`{"terms":null}`)
		f.expect(r, 200, "")
		if _, ok := r.body["terms"]; ok {
			t.Fatalf("terms still there: %v", r.body)
		}
	})
	t.Run("plain JSON is taken too, other media types are not", func(t *testing.T) {
		f.expect(f.do("PATCH", "/v1/admin/program", adminKey, `{"birthdayBonus":120}`), 200, "")
		f.expect(patch(`{"birthdayBonus":120}`, "Content-Type", "text/plain"), 415, "unsupported_media_type")
		f.expect(patch(`[1]`), 400, "invalid_json")
	})
	t.Run("only the operator may patch", func(t *testing.T) {
		member := f.enroll("patch@example.com")
		f.expect(f.do("PATCH", "/v1/admin/program", member.str("token"), `{"welcomeBonus":1}`), 403, "forbidden")
	})
	t.Run("the join page reads the name, terms and contact, and what the program gives", func(t *testing.T) {
		patch(`{"contact":{"en":"Ask at the till.","fr":"Demandez en caisse."}}`)
		r := f.do("GET", "/v1/program", "", "")
		f.expect(r, 200, "")
		name := r.body["name"].(map[string]any)
		contact := r.body["contact"].(map[string]any)
		if name["en"] != "Café Lumière" || contact["fr"] != "Demandez en caisse." || r.num("welcomeBonus") != 75 || r.num("birthdayBonus") != 120 {
			t.Fatalf("GET /v1/program = %v", r.body)
		}
	})
}

func TestProgramNameDefaultsToTheDeployments(t *testing.T) {
	f := newFixture(t)
	f.app.ProgramName = "Fidelio Demo"
	r := f.do("GET", "/v1/program", "", "")
	f.expect(r, 200, "")
	if name := r.body["name"].(map[string]any); name["en"] != "Fidelio Demo" || name["fr"] != nil {
		t.Fatalf("name of a program without one = %v, want the deployment's", name)
	}
	f.do("PATCH", "/v1/admin/program", adminKey, `{"name":{"en":"Café Lumière"}}`)
	if name := f.do("GET", "/v1/program", "", "").body["name"].(map[string]any); name["en"] != "Café Lumière" {
		t.Fatalf("name once the operator set one = %v", name)
	}
}
