package api

// SetExportPage makes export pages stop at n bytes of CSV, reading the
// store by scan items at a time, until the returned function puts the
// sizes back.
func SetExportPage(n, scan int) (restore func()) {
	oldBytes, oldScan := exportBytes, exportScanLimit
	exportBytes, exportScanLimit = n, scan
	return func() { exportBytes, exportScanLimit = oldBytes, oldScan }
}
