package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// listRewards: GET /v1/admin/rewards.
func (a *App) listRewards(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	rewards, err := a.Store.Rewards(r.Context())
	if err != nil {
		return reply{}, err
	}
	if rewards == nil {
		rewards = []loyalty.Reward{}
	}
	return reply{body: map[string]any{"rewards": rewards}}, nil
}

// rewardFields are what the operator writes of a reward.
type rewardFields struct {
	Name    string       `json:"name"`
	NameFR  string       `json:"nameFr"`
	Points  int64        `json:"points"`
	MinTier loyalty.Tier `json:"minTier"`
	From    time.Time    `json:"from"`
	Until   time.Time    `json:"until"`
}

type rewardBody struct {
	ID string `json:"id"`
	rewardFields
}

// saveReward: POST /v1/admin/rewards — creates (201) or replaces (200) one.
func (a *App) saveReward(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var b rewardBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	return a.putReward(r, p, b.ID, b.rewardFields)
}

// putReward creates or replaces the reward id, unarchived: 201 when it is new.
func (a *App) putReward(r *http.Request, p principal, id string, b rewardFields) (reply, error) {
	rw := loyalty.Reward{ID: id, Name: strings.TrimSpace(b.Name), NameFR: strings.TrimSpace(b.NameFR), Points: b.Points,
		MinTier: b.MinTier, From: b.From, Until: b.Until, UpdatedAt: a.Program.Now()}
	if err := rw.Validate(); err != nil {
		return reply{}, err
	}
	status := http.StatusOK
	if _, err := a.Store.Reward(r.Context(), rw.ID); errors.Is(err, loyalty.ErrRewardNotFound) {
		status = http.StatusCreated
	} else if err != nil {
		return reply{}, err
	}
	if err := a.Store.SaveReward(r.Context(), rw); err != nil {
		return reply{}, err
	}
	a.Program.RewardSaved(rw)
	if err := a.audit(r, p, "reward.save", rw.ID, fmt.Sprintf("%s for %d points", rw.Name, rw.Points)); err != nil {
		return reply{}, err
	}
	return reply{status: status, body: rw}, nil
}

// getProgram: GET /v1/admin/program.
func (a *App) getProgram(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	rules, err := a.Store.Rules(r.Context())
	return reply{body: rules.WithReceiptLimits()}, err
}

// putProgram: PUT /v1/admin/program — replaces the rules whole.
func (a *App) putProgram(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var rules loyalty.Rules
	if err := decode(r, &rules); err != nil {
		return reply{}, err
	}
	var before loyalty.Rules
	saved, err := a.Program.ChangeRules(r.Context(), func(current loyalty.Rules) (loyalty.Rules, error) {
		before = current
		return rules, nil
	})
	if err != nil {
		return reply{}, err
	}
	if err := a.audit(r, p, "program.save", "rules", ""); err != nil {
		return reply{}, err
	}
	if err := a.rulesChanged(r, before, saved); err != nil {
		return reply{}, err
	}
	return reply{body: saved.WithReceiptLimits()}, nil
}

// maxLogo bounds the operator's logo: it is kept in one table item.
const maxLogo = 256 << 10

// putLogo: PUT /v1/admin/program/logo (a PNG body) — the operator's own logo
// for the cards. This instance shows it at once and moves Google's classes to
// it; every other instance takes it up within wallet.LogoTTL.
func (a *App) putLogo(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "image/png" {
		return reply{}, &clientError{http.StatusUnsupportedMediaType, "unsupported_media_type", "send the logo as image/png"}
	}
	png, err := io.ReadAll(io.LimitReader(r.Body, maxLogo+1))
	if err != nil {
		return reply{}, badRequest("invalid_logo", "the logo could not be read")
	}
	if len(png) > maxLogo {
		return reply{}, &clientError{http.StatusRequestEntityTooLarge, "body_too_large", "a logo must be at most 256 KiB"}
	}
	if err := a.Cards.CheckLogo(png); err != nil {
		return reply{}, badRequest("invalid_logo", err.Error())
	}
	if err := a.Store.SaveLogo(r.Context(), png); err != nil {
		return reply{}, err
	}
	if err := a.audit(r, p, "program.logo", "logo", ""); err != nil {
		return reply{}, err
	}
	a.refreshGoogleClasses(r)
	return reply{status: http.StatusNoContent, raw: []byte{}}, nil
}

// refreshGoogleClasses moves Google's classes to the logo just saved. The
// change is saved: a class left behind is moved by the next save link on any
// instance, so a failure here is only logged. (A new program name reaches
// the classes from the stream, through the pass updater: the admin function,
// which saves the rules, links no Google client.)
func (a *App) refreshGoogleClasses(r *http.Request) {
	if a.ProgramChanged == nil {
		return
	}
	rules, err := a.Program.Rules(r.Context())
	if err == nil {
		err = a.ProgramChanged(r.Context(), a.baseURL(r), rules)
	}
	if err != nil {
		a.Logger.WarnContext(r.Context(), "Google Wallet classes keep the previous logo and name for now", slog.String("error", err.Error()))
	}
}

type adjustBody struct {
	Points int64  `json:"points"`
	Note   string `json:"note"`
}

// adjust: POST /v1/admin/members/{id}/adjustments (Idempotency-Key).
func (a *App) adjust(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	key, err := idempotencyKey(r, "adjust/"+id, true)
	if err != nil {
		return reply{}, err
	}
	var b adjustBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	rc, err := a.Program.Adjust(r.Context(), loyalty.AdjustRequest{MemberID: id, Points: b.Points, Note: b.Note, Actor: p.actor(), Key: key})
	if err != nil {
		return reply{}, err
	}
	return created(rc), nil
}
