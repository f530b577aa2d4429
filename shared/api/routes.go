package api

// Route is one HTTP route and the function that serves it in AWS.
type Route struct {
	Method, Path, Function string
	handle                 handler
}

// Every route of the API. template.yaml declares the same ones (a test holds
// the two together).
var routes = []Route{
	{"POST", "/v1/members", "members", (*App).enroll},
	{"GET", "/v1/members/{id}", "members", (*App).getMember},
	{"GET", "/v1/members/{id}/ledger", "members", (*App).ledger},
	{"POST", "/v1/members/{id}/credentials", "members", (*App).reissue},
	{"GET", "/v1/members/{id}/pass.pkpass", "members", (*App).applePass},
	{"GET", "/v1/members/{id}/qr.png", "members", (*App).qrImage},
	{"GET", "/v1/members/{id}/card.png", "members", (*App).cardImage},
	{"GET", "/v1/members/{id}/google-wallet", "members", (*App).googleWallet},
	{"GET", "/v1/wallet/images/{name}", "members", (*App).walletImage},
	{"GET", "/v1/charities", "members", (*App).listCharities},
	{"GET", "/v1/program", "members", (*App).publicProgram},
	{"POST", "/v1/members/{id}/donations", "members", (*App).donate},
	{"PUT", "/v1/members/{id}/donation-plan", "members", (*App).putDonationPlan},
	{"DELETE", "/v1/members/{id}/donation-plan", "members", (*App).deleteDonationPlan},

	{"POST", "/v1/scans", "staff", (*App).scan},
	{"POST", "/v1/earnings", "staff", (*App).earn},
	{"POST", "/v1/redemptions", "staff", (*App).redeem},
	{"POST", "/v1/transactions/{id}/reversal", "staff", (*App).reverse},

	{"POST", "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}", "walletservice", (*App).registerDevice},
	{"DELETE", "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}", "walletservice", (*App).unregisterDevice},
	{"GET", "/wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}", "walletservice", (*App).deviceSerials},
	{"GET", "/wallet/v1/passes/{passTypeIdentifier}/{serialNumber}", "walletservice", (*App).latestPass},
	{"POST", "/wallet/v1/log", "walletservice", (*App).walletLog},

	{"GET", "/", "web", (*App).page},
	{"GET", "/staff", "web", (*App).page},
	{"GET", "/assets/{file}", "web", (*App).page},

	{"POST", "/v1/admin/staff-keys", "admin", (*App).createStaffKey},
	{"GET", "/v1/admin/rewards", "admin", (*App).listRewards},
	{"POST", "/v1/admin/rewards", "admin", (*App).saveReward},
	{"PUT", "/v1/admin/rewards/{id}", "admin", (*App).updateReward},
	{"DELETE", "/v1/admin/rewards/{id}", "admin", (*App).archiveReward},
	{"GET", "/v1/admin/program", "admin", (*App).getProgram},
	{"PUT", "/v1/admin/program", "admin", (*App).putProgram},
	{"PATCH", "/v1/admin/program", "admin", (*App).patchProgram},
	{"PUT", "/v1/admin/program/logo", "admin", (*App).putLogo},
	{"POST", "/v1/admin/members/{id}/adjustments", "admin", (*App).adjust},
	{"GET", "/v1/admin/members/{id}", "admin", (*App).getMemberDetail},
	{"GET", "/v1/admin/members/{id}/card.pdf", "admin", (*App).printCard},
	{"PUT", "/v1/admin/members/{id}/block", "admin", (*App).blockMember},
	{"DELETE", "/v1/admin/members/{id}/block", "admin", (*App).unblockMember},
	{"GET", "/v1/admin/exports/members.csv", "admin", (*App).exportMembers},
	{"GET", "/v1/admin/exports/ledger.csv", "admin", (*App).exportLedger},
	{"POST", "/v1/admin/jobs/{name}/runs", "admin", (*App).runJob},
	{"POST", "/v1/admin/charities", "admin", (*App).saveCharity},
	{"PUT", "/v1/admin/charities/{id}", "admin", (*App).saveCharity},
	{"GET", "/v1/admin/charities/{id}/report", "admin", (*App).charityReport},
	{"GET", "/v1/admin/stats", "admin", (*App).stats},
}

// Routes lists the routes a function serves ("" for all).
func Routes(function string) []Route {
	var out []Route
	for _, r := range routes {
		if function == "" || r.Function == function {
			out = append(out, r)
		}
	}
	return out
}
