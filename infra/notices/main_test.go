package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const root = "../.."

func TestNoticesListEveryDependencyAsGeneratedNow(t *testing.T) {
	want, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "THIRD_PARTY_NOTICES"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gotLines), len(wantLines)) {
			if gotLines[i] != wantLines[i] {
				t.Fatalf("THIRD_PARTY_NOTICES is stale (a dependency added, removed or upgraded?) from line %d:\n  have %q\n  want %q\n"+
					"run: go run ./infra/notices -o THIRD_PARTY_NOTICES", i+1, gotLines[i], wantLines[i])
			}
		}
		t.Fatalf("THIRD_PARTY_NOTICES has %d lines, want %d; run: go run ./infra/notices -o THIRD_PARTY_NOTICES", len(gotLines), len(wantLines))
	}
}

func TestLicencesAreToldByTheirWording(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"Apache's own text", "Apache License\n   Version 2.0, January 2004\n", []string{"Apache-2.0"}},
		{"Apache's header", `Licensed under the Apache License, Version 2.0 (the "License")`, []string{"Apache-2.0"}},
		{"MIT, its lines wrapped anywhere", "Permission is hereby granted, free of\ncharge, to any person ... The above copyright notice and this\npermission notice shall be included", []string{"MIT"}},
		{"MIT without attribution is not MIT", "MIT No Attribution\nPermission is hereby granted, free of charge, to any person", []string{"MIT-0"}},
		{"BSD with the endorsement clause", "Redistribution and use in source and binary forms ... * Neither the name of Google LLC", []string{"BSD-3-Clause"}},
		{"BSD without it", "Redistribution and use in source and binary forms, with or without modification", []string{"BSD-2-Clause"}},
		{"the GPL", "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007", []string{"GPL"}},
		{"the AGPL, which names the GPL too", "GNU AFFERO GENERAL PUBLIC LICENSE ... the GNU General Public License", []string{"AGPL-3.0"}},
		{"the LGPL, which names the GPL too", "GNU LESSER GENERAL PUBLIC LICENSE ... the GNU General Public License", []string{"LGPL"}},
		{"a summary that names nothing", "See LICENSE for details.", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Classify = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOnlyLicencesCompatibleWithApacheAreAllowed(t *testing.T) {
	tests := []struct {
		expr    string
		allowed bool
	}{
		{"Apache-2.0", true},
		{"Apache-2.0 AND MIT-0", true},
		{"(BSD-3-Clause OR GPL-2.0)", true},
		{"0BSD", true},
		{"BlueOak-1.0.0", true},
		{"MIT OR Apache2", true},
		{"GPL", false},
		{"GPL-2.0", false},
		{"AGPL-3.0", false},
		{"LGPL", false},
		{"MIT AND GPL-3.0", false},
		{"UNLICENSED", false},
		{"", false},
	}
	for _, tc := range tests {
		if err := Allowed(tc.expr); (err == nil) != tc.allowed {
			t.Errorf("Allowed(%q) = %v, want allowed %v", tc.expr, err, tc.allowed)
		}
	}
}

// TestLockfileLicencesAreReadInEveryForm: npm records an SPDX string, a
// list (package.json's old "licenses", a choice), or nothing; nothing is a
// licence only when unrecordedLicences names the package and version.
func TestLockfileLicencesAreReadInEveryForm(t *testing.T) {
	tests := []struct {
		pkg, field, want string
	}{
		{"a@1.0.0", `"MIT"`, "MIT"},
		{"pause-stream@0.0.11", `["MIT","Apache2"]`, "MIT OR Apache2"},
		{"map-stream@0.1.0", ``, "MIT"},
		{"map-stream@0.2.0", ``, ""},
	}
	for _, tc := range tests {
		got, err := lockfileLicence(tc.pkg, json.RawMessage(tc.field))
		if err != nil || got != tc.want {
			t.Errorf("lockfileLicence(%s, %s) = %q, %v; want %q", tc.pkg, tc.field, got, err, tc.want)
		}
	}
	if _, err := lockfileLicence("b@1.0.0", json.RawMessage(`{"type":"MIT"}`)); err == nil {
		t.Error("a licence field of no known form is read")
	}
}

func TestADependencyUnderTheGPLIsRefused(t *testing.T) {
	files := []licenceFile{{"LICENSE", "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991"}}
	expr, err := classifyFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	if Allowed(expr) == nil {
		t.Errorf("a GPL module (%s) is allowed", expr)
	}
	if _, err := classifyFiles([]licenceFile{{"LICENSE", "All rights reserved."}}); err == nil {
		t.Error("a licence nobody can tell is accepted")
	}
}

// TestEveryLockfileIsNoticedAndUpdated finds the npm lockfiles of the
// repository: each must be read here (its packages in the notices) and
// kept current by Dependabot, as go.mod is.
func TestEveryLockfileIsNoticedAndUpdated(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, ".github", "dependabot.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var config struct {
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string `yaml:"directory"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal(b, &config); err != nil {
		t.Fatal(err)
	}
	updated := map[string]bool{}
	for _, u := range config.Updates {
		updated[u.Ecosystem+" "+u.Directory] = true
	}
	for _, want := range []string{"gomod /", "github-actions /"} {
		if !updated[want] {
			t.Errorf("dependabot.yml does not update %s", want)
		}
	}
	noticed := map[string]bool{}
	for _, l := range lockfiles {
		noticed[l.dir] = true
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.Name() != "package-lock.json" {
			return nil
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		dir = filepath.ToSlash(dir)
		if !noticed[dir] {
			t.Errorf("%s is not read by infra/notices (lockfiles)", path)
		}
		if !updated["npm /"+dir] {
			t.Errorf("%s is not updated by dependabot.yml", path)
		}
		delete(noticed, dir)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range noticed {
		t.Errorf("infra/notices reads %s/package-lock.json, which does not exist", dir)
	}
}

func TestTheLicenceIsApache(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	if ids := Classify(string(b)); !slices.Equal(ids, []string{"Apache-2.0"}) {
		t.Errorf("LICENSE reads as %q", ids)
	}
}
