// Command donations carries out members' donation plans, daily before the expiry job: monthly pledges, and points about to expire given instead of lost.
package main

import (
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/jobs/jobfunction"
)

func main() { jobfunction.Start("donations", jobs.NameDonations) }
