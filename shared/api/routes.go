package api

import (
	"cmp"
	"context"
	"net/http"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Route is one HTTP route and the function that serves it in AWS.
type Route struct {
	Method, Path, Function string
	handle                 handler
}

// A Function is the table of routes one HTTP function serves in AWS. Each
// function's main builds its App from its own table (api.Serve), so that it
// links only its own handlers, not every route's; template.yaml declares the
// same routes (a test holds the two together, and each route's Function to
// its table).
type Function []Route

// The routes of the API, by the function that serves them.
var Members = Function{
	{"POST", "/v1/members", "members", (*App).enroll},
	{"GET", "/v1/members/{id}", "members", (*App).getMember},
	{"GET", "/v1/members/{id}/ledger", "members", (*App).ledger},
	{"POST", "/v1/members/{id}/credentials", "members", (*App).reissue},
	{"GET", "/v1/charities", "members", (*App).listCharities},
	{"GET", "/v1/program", "members", (*App).publicProgram},
	{"POST", "/v1/members/{id}/donations", "members", (*App).donate},
	{"PUT", "/v1/members/{id}/donation-plan", "members", (*App).putDonationPlan},
	{"DELETE", "/v1/members/{id}/donation-plan", "members", (*App).deleteDonationPlan},
	{"GET", "/v1/members/{id}/donation-plan", "members", (*App).getDonationPlan},
	{"GET", "/v1/members/{id}/export", "members", (*App).exportMember},
	{"POST", "/v1/session", "members", (*App).createSession},
	{"GET", "/v1/session", "members", (*App).getSession},
	{"DELETE", "/v1/session", "members", (*App).deleteSession},
	{"POST", "/v1/session/email", "members", (*App).emailSignIn},
	{"GET", "/me/link", "members", (*App).linkSession},
	{"PUT", "/v1/members/{id}/marketing", "members", (*App).putMarketing},
	{"PATCH", "/v1/members/{id}", "members", (*App).changeProfile},
	{"DELETE", "/v1/members/{id}", "members", (*App).deleteMember},
	{"POST", "/v1/members/{id}/email", "members", (*App).requestEmailChange},
	{"GET", "/me/email", "members", (*App).confirmEmail},
}

var Staff = Function{
	{"POST", "/v1/scans", "staff", (*App).scan},
	{"POST", "/v1/earnings", "staff", (*App).earn},
	{"POST", "/v1/redemptions", "staff", (*App).redeem},
	{"POST", "/v1/transactions/{id}/reversal", "staff", (*App).reverse},
	{"GET", "/v1/staff/session", "staff", (*App).staffSession},
	{"GET", "/v1/transactions", "staff", (*App).findTransaction},
}

var WalletService = Function{
	{"POST", "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}", "walletservice", (*App).registerDevice},
	{"DELETE", "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}", "walletservice", (*App).unregisterDevice},
	{"GET", "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}", "walletservice", (*App).deviceSerials},
	{"GET", "/wallet/v1/passes/{passTypeIdentifier}/{serialNumber}", "walletservice", (*App).latestPass},
	{"POST", "/wallet/v1/log", "walletservice", (*App).walletLog},
}

var Web = Function{
	{"GET", "/", "web", (*App).page},
	{"GET", "/staff", "web", (*App).page},
	{"GET", "/me", "web", (*App).page},
	{"GET", "/admin", "web", (*App).page},
	{"GET", "/assets/{file}", "web", (*App).page},
	{"GET", "/healthz", "web", (*App).page},
	{"GET", "/v1/openapi.json", "web", (*App).page},
	{"GET", "/docs", "web", (*App).page},
}

var Admin = Function{
	{"POST", "/v1/admin/staff-keys", "admin", (*App).createStaffKey},
	{"GET", "/v1/admin/rewards", "admin", (*App).listRewards},
	{"POST", "/v1/admin/rewards", "admin", (*App).saveReward},
	{"PUT", "/v1/admin/rewards/{id}", "admin", (*App).updateReward},
	{"DELETE", "/v1/admin/rewards/{id}", "admin", (*App).archiveReward},
	{"GET", "/v1/admin/program", "admin", (*App).getProgram},
	{"PUT", "/v1/admin/program", "admin", (*App).putProgram},
	{"PATCH", "/v1/admin/program", "admin", (*App).patchProgram},
	{"GET", "/v1/admin/members", "admin", (*App).searchMembers},
	{"POST", "/v1/admin/members/{id}/adjustments", "admin", (*App).adjust},
	{"GET", "/v1/admin/members/{id}", "admin", (*App).getMemberDetail},
	{"PUT", "/v1/admin/members/{id}/block", "admin", (*App).blockMember},
	{"DELETE", "/v1/admin/members/{id}/block", "admin", (*App).unblockMember},
	{"GET", "/v1/admin/exports/members.csv", "admin", (*App).exportMembers},
	{"GET", "/v1/admin/exports/ledger.csv", "admin", (*App).exportLedger},
	{"POST", "/v1/admin/jobs/{name}/runs", "admin", (*App).runJob},
	{"POST", "/v1/admin/charities", "admin", (*App).saveCharity},
	{"PUT", "/v1/admin/charities/{id}", "admin", (*App).saveCharity},
	{"GET", "/v1/admin/charities/{id}/report", "admin", (*App).charityReport},
	{"GET", "/v1/admin/stats", "admin", (*App).stats},
	{"GET", "/v1/admin/segments", "admin", (*App).segments},
	{"GET", "/v1/admin/staff-keys", "admin", (*App).listStaffKeys},
	{"DELETE", "/v1/admin/staff-keys/{id}", "admin", (*App).revokeStaffKey},
	{"POST", "/v1/admin/operator-keys", "admin", (*App).createOperatorKey},
	{"GET", "/v1/admin/operator-keys", "admin", (*App).listOperatorKeys},
	{"DELETE", "/v1/admin/operator-keys/{id}", "admin", (*App).revokeOperatorKey},
	{"POST", "/v1/admin/stores", "admin", (*App).createShop},
	{"GET", "/v1/admin/stores", "admin", (*App).listShops},
	{"PUT", "/v1/admin/stores/{id}", "admin", (*App).updateShop},
	{"GET", "/v1/admin/audit", "admin", (*App).listAudit},
	{"POST", "/v1/admin/webhooks", "admin", (*App).createWebhook},
	{"GET", "/v1/admin/webhooks", "admin", (*App).listWebhooks},
	{"DELETE", "/v1/admin/webhooks/{id}", "admin", (*App).deleteWebhook},
	{"GET", "/v1/admin/webhooks/{id}/deliveries", "admin", (*App).listDeliveries},
	{"GET", "/v1/admin/session", "admin", (*App).session},
	{"POST", "/v1/admin/campaigns", "admin", (*App).createCampaign},
	{"GET", "/v1/admin/campaigns", "admin", (*App).listCampaigns},
	{"GET", "/v1/admin/campaigns/{id}", "admin", (*App).getCampaign},
	{"POST", "/v1/admin/promotions", "admin", (*App).createPromotion},
	{"GET", "/v1/admin/promotions", "admin", (*App).listPromotions},
	{"DELETE", "/v1/admin/promotions/{id}", "admin", (*App).endPromotion},
}

// Cards are the routes that draw, build or sign a card: the Apple pass, the
// images, the Google save link, the printed card and the logo they all
// carry. They are a function of their own so that no other links the card
// machinery (the fonts, the drawing, the pass signing, Google's client, the
// PDF library).
var Cards = Function{
	{"GET", "/v1/members/{id}/pass.pkpass", "cards", (*App).applePass},
	{"GET", "/v1/members/{id}/qr.png", "cards", (*App).qrImage},
	{"GET", "/v1/members/{id}/card.png", "cards", (*App).cardImage},
	{"GET", "/v1/members/{id}/google-wallet", "cards", (*App).googleWallet},
	{"GET", "/v1/wallet/images/{name}", "cards", (*App).walletImage},
	{"PUT", "/v1/admin/program/logo", "cards", (*App).putLogo},
	{"GET", "/v1/admin/members/{id}/card.pdf", "cards", (*App).printCard},
}

// operatorRoles is the least role an operator key needs for each route it
// may call: every admin route, and the member routes operators use. A route
// missing here is for owners only.
var operatorRoles = map[string]loyalty.Role{
	"GET /v1/members/{id}":                    loyalty.RoleAnalyst,
	"GET /v1/members/{id}/ledger":             loyalty.RoleAnalyst,
	"POST /v1/members/{id}/credentials":       loyalty.RoleManager,
	"POST /v1/transactions/{id}/reversal":     loyalty.RoleManager,
	"GET /v1/transactions":                    loyalty.RoleAnalyst,
	"POST /v1/admin/staff-keys":               loyalty.RoleManager,
	"GET /v1/admin/staff-keys":                loyalty.RoleManager,
	"DELETE /v1/admin/staff-keys/{id}":        loyalty.RoleManager,
	"POST /v1/admin/operator-keys":            loyalty.RoleOwner,
	"GET /v1/admin/operator-keys":             loyalty.RoleOwner,
	"DELETE /v1/admin/operator-keys/{id}":     loyalty.RoleOwner,
	"POST /v1/admin/stores":                   loyalty.RoleManager,
	"GET /v1/admin/stores":                    loyalty.RoleAnalyst,
	"PUT /v1/admin/stores/{id}":               loyalty.RoleManager,
	"GET /v1/admin/audit":                     loyalty.RoleManager,
	"GET /v1/admin/rewards":                   loyalty.RoleAnalyst,
	"POST /v1/admin/rewards":                  loyalty.RoleManager,
	"GET /v1/admin/program":                   loyalty.RoleAnalyst,
	"PUT /v1/admin/program":                   loyalty.RoleOwner,
	"PUT /v1/admin/program/logo":              loyalty.RoleOwner,
	"POST /v1/admin/members/{id}/adjustments": loyalty.RoleManager,
	"POST /v1/admin/jobs/{name}/runs":         loyalty.RoleOwner,
	"POST /v1/admin/charities":                loyalty.RoleManager,
	"PUT /v1/admin/charities/{id}":            loyalty.RoleManager,
	"GET /v1/admin/charities/{id}/report":     loyalty.RoleAnalyst,
	"PUT /v1/admin/rewards/{id}":              loyalty.RoleManager,
	"DELETE /v1/admin/rewards/{id}":           loyalty.RoleManager,
	"PATCH /v1/admin/program":                 loyalty.RoleOwner,
	"GET /v1/admin/members/{id}":              loyalty.RoleAnalyst,
	"GET /v1/admin/members/{id}/card.pdf":     loyalty.RoleManager,
	"PUT /v1/admin/members/{id}/block":        loyalty.RoleManager,
	"DELETE /v1/admin/members/{id}/block":     loyalty.RoleManager,
	"GET /v1/admin/exports/members.csv":       loyalty.RoleAnalyst,
	"GET /v1/admin/exports/ledger.csv":        loyalty.RoleAnalyst,
	"GET /v1/admin/stats":                     loyalty.RoleAnalyst,
	"GET /v1/admin/segments":                  loyalty.RoleAnalyst,
	"GET /v1/admin/members":                   loyalty.RoleAnalyst,
	"POST /v1/admin/webhooks":                 loyalty.RoleManager,
	"GET /v1/admin/webhooks":                  loyalty.RoleManager,
	"DELETE /v1/admin/webhooks/{id}":          loyalty.RoleManager,
	"GET /v1/admin/webhooks/{id}/deliveries":  loyalty.RoleManager,
	"GET /v1/admin/session":                   loyalty.RoleAnalyst,
	"POST /v1/admin/campaigns":                loyalty.RoleManager,
	"GET /v1/admin/campaigns":                 loyalty.RoleAnalyst,
	"GET /v1/admin/campaigns/{id}":            loyalty.RoleAnalyst,
	"POST /v1/admin/promotions":               loyalty.RoleManager,
	"GET /v1/admin/promotions":                loyalty.RoleAnalyst,
	"DELETE /v1/admin/promotions/{id}":        loyalty.RoleManager,
}

// OperatorRole is the least role an operator key needs to call the route.
func (r Route) OperatorRole() loyalty.Role {
	return cmp.Or(operatorRoles[r.Method+" "+r.Path], loyalty.RoleOwner)
}

type routeRoleKey struct{}

// withRouteRole serves h with the route's OperatorRole in the request's
// context, where require finds it.
func withRouteRole(h handler, need loyalty.Role) handler {
	return func(a *App, r *http.Request) (reply, error) {
		return h(a, r.WithContext(context.WithValue(r.Context(), routeRoleKey{}, need)))
	}
}

// routeRole is the role the request's route needs of an operator key.
func routeRole(r *http.Request) loyalty.Role {
	need, _ := r.Context().Value(routeRoleKey{}).(loyalty.Role)
	return cmp.Or(need, loyalty.RoleOwner)
}

// Routes lists the routes a function serves ("" for all), for the local
// stack and the tests: it links every table, where a Lambda function names
// only its own. (The list is built here, not in a package variable, whose
// initialization would link every table into every function.)
func Routes(function string) []Route {
	var out []Route
	for _, fn := range []Function{Members, Staff, WalletService, Web, Admin, Cards} {
		for _, r := range fn {
			if function == "" || r.Function == function {
				out = append(out, r)
			}
		}
	}
	return out
}
