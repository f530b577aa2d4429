package version

import (
	"os"
	"regexp"
	"testing"
)

// TestTheChangelogsLatestReleaseIsThisVersion holds CHANGELOG.md to Version:
// a release is not made without its entry.
func TestTheChangelogsLatestReleaseIsThisVersion(t *testing.T) {
	b, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	// Keep a Changelog's release heading: "## [1.2.3] - 2026-11-28".
	latest := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$`).FindSubmatch(b)
	if latest == nil {
		t.Fatal("CHANGELOG.md has no release heading such as ## [1.2.3] - 2026-11-28")
	}
	if string(latest[1]) != Version {
		t.Errorf("CHANGELOG.md's latest release is %s, Version is %s", latest[1], Version)
	}
}

func TestVersionIsSemantic(t *testing.T) {
	if !regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$`).MatchString(Version) {
		t.Errorf("Version %q is not a semantic version", Version)
	}
}
