package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// patchProgram: PATCH /v1/admin/program — a JSON merge patch (RFC 7396) of
// the rules: what it names changes, what it leaves out stays, null removes
// an optional text. The result is validated as a whole (422 when invalid,
// nothing saved) and saved on the condition that the rules did not change
// meanwhile; a patch that lost that race is applied again to the rules that
// won it. A patch is idempotent by nature: sent twice, it leaves the same
// rules. The version is the program's, never the caller's: one in the patch
// is ignored.
func (a *App) patchProgram(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var patch map[string]any
	if err := decodeAs(r, &patch, "application/merge-patch+json", "application/json"); err != nil {
		return reply{}, err
	}
	var before loyalty.Rules
	rules, err := a.Program.ChangeRules(r.Context(), func(current loyalty.Rules) (loyalty.Rules, error) {
		before = current
		return mergeRules(current, patch)
	})
	if errors.Is(err, loyalty.ErrInvalid) {
		return reply{}, &clientError{http.StatusUnprocessableEntity, "invalid_program", err.Error()}
	}
	if err != nil {
		return reply{}, err
	}
	if err := a.audit(r, p, "program.patch", "rules", ""); err != nil {
		return reply{}, err
	}
	if err := a.rulesChanged(r, before, rules); err != nil {
		return reply{}, err
	}
	return reply{body: rules.WithReceiptLimits(), header: http.Header{"ETag": {strconv.Quote(strconv.FormatInt(rules.Version, 10))}}}, nil
}

// mergeRules applies a merge patch to the rules and reads the result as
// strictly as a request body; a result that is not rules is
// loyalty.ErrInvalid.
func mergeRules(current loyalty.Rules, patch map[string]any) (loyalty.Rules, error) {
	doc, err := json.Marshal(current)
	if err != nil {
		return loyalty.Rules{}, err
	}
	var target any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // int64 points stay exact on the way through
	if err := dec.Decode(&target); err != nil {
		return loyalty.Rules{}, err
	}
	result := mergePatch(target, patch)
	if err := switchesKept(result); err != nil {
		return loyalty.Rules{}, err
	}
	merged, err := json.Marshal(result)
	if err != nil {
		return loyalty.Rules{}, err
	}
	var out loyalty.Rules
	dec = json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return loyalty.Rules{}, invalidPatch(err)
	}
	if err := checkKeys(json.NewDecoder(bytes.NewReader(merged)), reflect.TypeOf(out), ""); err != nil {
		return loyalty.Rules{}, invalidPatch(err)
	}
	return out, nil
}

// switchesKept refuses patched rules without each automatic message's
// switch: a null would remove one, and so turn its message off unsaid.
func switchesKept(rules any) error {
	doc, _ := rules.(map[string]any)
	switches, ok := doc["autoMessages"].(map[string]any)
	for _, name := range []string{"expiring", "nearTier", "birthday"} {
		if _, set := switches[name]; !set {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("%w: autoMessages takes its three switches, expiring, nearTier and birthday, each true or false; false turns a message off, none can be removed", loyalty.ErrInvalid)
	}
	return nil
}

// invalidPatch says why a patched document is not rules.
func invalidPatch(err error) error {
	if errors.Is(err, loyalty.ErrInvalid) {
		return err
	}
	var ce *clientError
	if errors.As(err, &ce) {
		return errors.Join(loyalty.ErrInvalid, errors.New(ce.detail))
	}
	return errors.Join(loyalty.ErrInvalid, errors.New(jsonProblem(err)))
}

// mergePatch is RFC 7396's MergePatch(target, patch).
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}

// programView is what the join page shows of the program: its texts and
// what it gives.
type programView struct {
	Name loyalty.Texts `json:"name"`
	// Logo is the URL of the program's logo (the operator's, else the
	// program's mark), naming its version so that a new one is fetched.
	Logo              string                 `json:"logo"`
	Terms             loyalty.Texts          `json:"terms,omitzero"`
	Contact           loyalty.Texts          `json:"contact,omitzero"`
	Currency          string                 `json:"currency"`
	PointsPerUnit     int64                  `json:"pointsPerUnit"`
	WelcomeBonus      int64                  `json:"welcomeBonus"`
	BirthdayBonus     int64                  `json:"birthdayBonus"`
	Thresholds        map[loyalty.Tier]int64 `json:"thresholds"`
	MultiplierPercent map[loyalty.Tier]int64 `json:"multiplierPercent"`
	// QualifyingDays is the window of the points that count toward a tier;
	// ExpiryMonths how long points last (loyalty.Rules.ExpiryMonths).
	QualifyingDays int `json:"qualifyingDays"`
	ExpiryMonths   int `json:"expiryMonths"`
	// Referral is the referral terms, absent while referral is off.
	Referral *loyalty.ReferralRules `json:"referral,omitempty"`
	// Rewards are the rewards on offer, cheapest first, and Stores the
	// program's shops by id: the member space names them in the history.
	Rewards []rewardOffer `json:"rewards"`
	Stores  []storeName   `json:"stores"`
	// Birthday is the birthday present's terms, which the member space states.
	Birthday birthdayTerms `json:"birthday"`
}

// birthdayTerms: a present needs MinTenureDays of membership, and a
// birthday set or changed less than ChangeCooldownDays ago earns none.
type birthdayTerms struct {
	MinTenureDays      int `json:"minTenureDays"`
	ChangeCooldownDays int `json:"changeCooldownDays"`
}

// rewardOffer is a reward as members see it: not its history.
type rewardOffer struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	NameFR  string       `json:"nameFr,omitempty"`
	Points  int64        `json:"points"`
	MinTier loyalty.Tier `json:"minTier,omitempty"`
	Until   time.Time    `json:"until,omitzero"`
}

type storeName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// publicProgram: GET /v1/program (public) — the program's name, terms,
// contact and rules as the operator set them, its rewards and its shops, for
// the join page and the member space.
func (a *App) publicProgram(r *http.Request) (reply, error) {
	rules, err := a.Store.Rules(r.Context())
	if err != nil {
		return reply{}, err
	}
	logo, err := a.Store.LogoVersion(r.Context())
	if err != nil {
		return reply{}, err
	}
	if logo != "" {
		logo = "?v=" + logo
	}
	v := programView{Name: rules.NameOr(a.programName()), Logo: a.baseURL(r) + "/v1/wallet/images/logo.png" + logo, Terms: rules.Terms, Contact: rules.Contact,
		Currency: rules.Currency, PointsPerUnit: rules.PointsPerUnit, WelcomeBonus: rules.WelcomeBonus, BirthdayBonus: rules.BirthdayBonus,
		Thresholds: rules.Thresholds, MultiplierPercent: rules.MultiplierPercent, QualifyingDays: loyalty.QualifyingDays, ExpiryMonths: rules.ExpiryMonths,
		Rewards: []rewardOffer{}, Stores: []storeName{},
		Birthday: birthdayTerms{int(loyalty.BirthdayMinTenure / (24 * time.Hour)), int(loyalty.BirthdayCooldown / (24 * time.Hour))}}
	if rules.Referral.Enabled {
		v.Referral = &rules.Referral
	}
	rewards, err := a.Program.Rewards(r.Context())
	if err != nil {
		return reply{}, err
	}
	now := a.Program.Now()
	for _, rw := range rewards {
		if rw.ArchivedAt.IsZero() && (rw.Until.IsZero() || now.Before(rw.Until)) {
			v.Rewards = append(v.Rewards, rewardOffer{ID: rw.ID, Name: rw.Name, NameFR: rw.NameFR, Points: rw.Points, MinTier: rw.MinTier, Until: rw.Until})
		}
	}
	shops, err := a.Store.Shops(r.Context())
	if err != nil {
		return reply{}, err
	}
	for _, sh := range shops {
		v.Stores = append(v.Stores, storeName{ID: sh.ID, Name: sh.Name})
	}
	return reply{body: v, header: http.Header{"Cache-Control": {"public, max-age=60"}}}, nil
}

// programName is the name the deployment gave the program, which the rules'
// name replaces when the operator set one.
func (a *App) programName() string { return a.ProgramName }
