// Command tierreview reviews the tiers of members whose review date has come, daily.
package main

import (
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/jobs/jobfunction"
)

func main() { jobfunction.Start("tierreview", jobs.NameTierReview) }
