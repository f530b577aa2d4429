// Command expiry expires what is left of lots past their date, daily.
package main

import (
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/jobs/jobfunction"
)

func main() { jobfunction.Start("expiry", jobs.NameExpiry) }
