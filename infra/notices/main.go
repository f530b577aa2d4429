// Command notices writes THIRD_PARTY_NOTICES: every Go module the code or
// its tests use, every npm package of the two lockfiles, the licence of each
// and the licence texts. It reads the texts from the module cache and from
// shared/web/node_modules, classifies each by its wording, and fails on a
// licence that does not allow distributing Fidelio under Apache-2.0 (GPL,
// AGPL, …) or that it cannot tell. Its test fails when the file is not what
// it would write now, so a new dependency cannot come in without its notice.
//
//	go run ./infra/notices -o THIRD_PARTY_NOTICES
package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
)

func main() {
	out := flag.String("o", "", "file to write (default: standard output)")
	root := flag.String("root", ".", "the module's root")
	flag.Parse()
	text, err := Generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		os.Exit(1)
	}
	if *out == "" {
		os.Stdout.Write(text)
		return
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		os.Exit(1)
	}
}

// shippedGo are the commands whose binaries are handed to others: what they
// link is distributed, what only the tests use is not.
var shippedGo = []string{"./functions/...", "./infra/local"}

// lockfiles are the npm lockfiles, and whether what they install is shipped
// (shared/web's are copied into the embedded web assets).
var lockfiles = []struct {
	dir     string
	shipped bool
}{
	{"shared/web", true},
	{"shared/wallet/testdata/passkit", false},
	{"infra/bench/passkit", false},
}

// dependency is one Go module or npm package.
type dependency struct {
	name, version string
	licence       string // an SPDX expression
	shipped       bool
	// build marks a tool the web pages are built with (a devDependency of a
	// shipped lockfile): it runs at build time and is not copied in.
	build bool
	texts []licenceFile
}

// licenceFile is one licence or notice file of a dependency.
type licenceFile struct{ name, text string }

// Generate returns the notices of the module at root.
func Generate(root string) ([]byte, error) {
	mods, err := goModules(root)
	if err != nil {
		return nil, err
	}
	var pkgs []dependency
	for _, l := range lockfiles {
		p, err := npmPackages(filepath.Join(root, l.dir), l.shipped)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p...)
	}
	// A package in several lockfiles is listed once, as shipped if one
	// ships it: sorted first among its copies, it is the one kept.
	slices.SortFunc(pkgs, func(a, b dependency) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.version, b.version), compareBool(b.shipped, a.shipped))
	})
	pkgs = slices.CompactFunc(pkgs, func(a, b dependency) bool { return a.name == b.name && a.version == b.version })
	var problems []error
	for _, d := range slices.Concat(mods, pkgs) {
		if err := Allowed(d.licence); err != nil {
			problems = append(problems, fmt.Errorf("%s %s: %w", d.name, d.version, err))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return render(mods, pkgs), nil
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// goModules lists the modules of every package the code and its tests build.
func goModules(root string) ([]dependency, error) {
	all, err := goList(root, "-test", "./...")
	if err != nil {
		return nil, err
	}
	shipped, err := goList(root, shippedGo...)
	if err != nil {
		return nil, err
	}
	var deps []dependency
	for path, m := range all {
		d := dependency{name: path, version: m.version, shipped: shipped[path].dir != ""}
		if d.texts, err = licenceFiles(m.dir); err != nil {
			return nil, fmt.Errorf("%s %s: %w", path, m.version, err)
		}
		if d.licence, err = classifyFiles(d.texts); err != nil {
			return nil, fmt.Errorf("%s %s: %w", path, m.version, err)
		}
		deps = append(deps, d)
	}
	slices.SortFunc(deps, func(a, b dependency) int { return strings.Compare(a.name, b.name) })
	return deps, nil
}

type module struct{ version, dir string }

// goList returns the modules (other than this one) that the packages
// depend on, by path.
func goList(root string, args ...string) (map[string]module, error) {
	args = append([]string{"list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}}\t{{.Version}}\t{{.Dir}}{{end}}{{end}}"}, args...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	mods := map[string]module{}
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimSpace(line), "\t")
		if len(f) == 3 {
			mods[f[0]] = module{version: f[1], dir: f[2]}
		}
	}
	return mods, nil
}

// licenceFile names: LICENSE, LICENSE.txt, LICENSE-MIT, COPYING, NOTICE, …
var licenceName = regexp.MustCompile(`(?i)^(licen[cs]e|copying|notice)([-._].*)?$`)

// licenceFiles reads the licence and notice files at the top of dir.
func licenceFiles(dir string) ([]licenceFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []licenceFile
	for _, e := range entries {
		if e.IsDir() || !licenceName.MatchString(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files = append(files, licenceFile{e.Name(), strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no licence file in %s", dir)
	}
	return files, nil
}

// npmPackages reads the packages a lockfile installs, with the licence
// the lockfile records; a shipped package's texts come from node_modules,
// which must be installed (make installs it before the tests).
func npmPackages(dir string, shipped bool) ([]dependency, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return nil, err
	}
	var lock struct {
		Packages map[string]struct {
			Version string
			License json.RawMessage
			// Dev marks a build tool: it is not copied into what ships.
			Dev bool
		}
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return nil, fmt.Errorf("%s/package-lock.json: %w", dir, err)
	}
	var deps []dependency
	for key, p := range lock.Packages {
		if key == "" {
			continue // the project itself
		}
		// A nested copy ("node_modules/a/node_modules/b") is b all the same.
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 {
			return nil, fmt.Errorf("%s/package-lock.json: unexpected package %q", dir, key)
		}
		name := key[i+len("node_modules/"):]
		licence, err := lockfileLicence(name+"@"+p.Version, p.License)
		if err != nil {
			return nil, fmt.Errorf("%s/package-lock.json: %s: %w", dir, key, err)
		}
		d := dependency{name: name, version: p.Version, licence: licence, shipped: shipped && !p.Dev, build: shipped && p.Dev}
		if d.shipped {
			if d.texts, err = licenceFiles(filepath.Join(dir, key)); err != nil {
				return nil, fmt.Errorf("npm %s (npm ci --prefix %s installs it): %w", name, dir, err)
			}
			found, err := classifyFiles(d.texts)
			if err != nil || found != d.licence {
				return nil, fmt.Errorf("npm %s: the lockfile says %q, its licence file reads as %q (%v)", name, d.licence, found, err)
			}
		}
		deps = append(deps, d)
	}
	return deps, nil
}

// unrecordedLicences are the licences of packages whose lockfile entry
// names none, read by hand from their files.
var unrecordedLicences = map[string]string{
	// package.json has no licence field; its LICENCE file is the MIT text.
	"map-stream@0.1.0": "MIT",
}

// lockfileLicence reads a lockfile's licence field: an SPDX expression, or
// (from package.json's old "licenses" list) the licences to choose from.
func lockfileLicence(pkg string, field json.RawMessage) (string, error) {
	if len(field) == 0 {
		return unrecordedLicences[pkg], nil
	}
	var one string
	if err := json.Unmarshal(field, &one); err == nil {
		return one, nil
	}
	var choices []string
	if err := json.Unmarshal(field, &choices); err != nil {
		return "", fmt.Errorf("licence field %s: %w", field, err)
	}
	return strings.Join(choices, " OR "), nil
}

// render writes the notices: one table of dependencies, then each distinct
// licence text once, with what carries it.
func render(mods, pkgs []dependency) []byte {
	var b bytes.Buffer
	b.WriteString(`THIRD-PARTY NOTICES

Fidelio is licensed under the Apache License, Version 2.0 (see LICENSE).
It uses the software listed below, each under its own licence; every one of
them allows distributing Fidelio under Apache-2.0. "shipped" marks what is
linked into the Lambda functions and the local stack or copied into the web
pages; "build" what builds the web pages without being copied into them;
"tests" what only the tests and benchmarks use.

Generated by ` + "`go run ./infra/notices -o THIRD_PARTY_NOTICES`" + ` from the module
cache and the npm lockfiles; infra/notices's test fails when it is stale.

`)
	carriers := map[string][]string{} // licence text → the files that hold it
	var order []string
	section := func(title string, deps []dependency) {
		fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len(title)))
		table := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, d := range deps {
			use := "tests"
			switch {
			case d.shipped:
				use = "shipped"
			case d.build:
				use = "build"
			}
			fmt.Fprintf(table, "%s %s\t%s\t%s\n", d.name, d.version, d.licence, use)
			for _, f := range d.texts {
				if _, ok := carriers[f.text]; !ok {
					order = append(order, f.text)
				}
				carriers[f.text] = append(carriers[f.text], d.name+" "+d.version+" ("+f.name+")")
			}
		}
		table.Flush()
		b.WriteString("\n")
	}
	section("Go modules", mods)
	section("npm packages", pkgs)
	for _, text := range order {
		b.WriteString(strings.Repeat("-", 78) + "\n")
		for _, who := range carriers[text] {
			fmt.Fprintf(&b, "%s\n", who)
		}
		fmt.Fprintf(&b, "\n%s\n\n", text)
	}
	return b.Bytes()
}

// The wording that tells each licence apart, matched on the text
// lower-cased with its white space collapsed.
var (
	licenceWording = []struct{ id, wording string }{
		{"Apache-2.0", `apache license,? version 2\.0`},
		{"MIT-0", `mit no attribution`},
		{"MIT", `permission is hereby granted, free of charge.* the above copyright notice and this permission notice shall be included`},
		{"BSD-3-Clause", `redistribution and use in source and binary forms.* neither the name`},
		{"ISC", `permission to use, copy, modify, and(/or)? distribute this software for any purpose with or without fee`},
		{"MPL-2.0", `mozilla public license,? (version|v\.) ?2\.0`},
		{"AGPL-3.0", `gnu affero general public license`},
		{"LGPL", `gnu lesser general public license`},
		{"GPL", `gnu general public license`},
	}
	// allowedLicences may be combined with Apache-2.0 in a work distributed
	// under Apache-2.0 (the permissive ones, Blue Oak Model 1.0.0 among them;
	// MPL-2.0's copyleft is per file, and kept if its files are distributed
	// unchanged).
	allowedLicences = []string{"Apache-2.0", "MIT", "MIT-0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "ISC", "MPL-2.0", "BlueOak-1.0.0"}
)

// Classify returns the SPDX ids whose wording a licence text holds, in
// licenceWording's order. A GNU licence's text mentions the GPL, so only
// the most specific GNU id is kept.
func Classify(text string) []string {
	norm := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	var ids []string
	for _, l := range licenceWording {
		if regexp.MustCompile(l.wording).MatchString(norm) {
			ids = append(ids, l.id)
		}
	}
	if slices.Contains(ids, "MIT-0") {
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == "MIT" })
	}
	if !slices.Contains(ids, "BSD-3-Clause") && strings.Contains(norm, "redistribution and use in source and binary forms") {
		ids = append(ids, "BSD-2-Clause")
	}
	for _, gnu := range []string{"AGPL-3.0", "LGPL"} {
		if slices.Contains(ids, gnu) {
			ids = slices.DeleteFunc(ids, func(id string) bool { return id == "GPL" })
		}
	}
	return ids
}

// classifyFiles returns the licences a dependency's files grant together,
// as an SPDX expression ("Apache-2.0 AND MIT-0"). A NOTICE file grants
// nothing of its own.
func classifyFiles(files []licenceFile) (string, error) {
	var ids []string
	for _, f := range files {
		if strings.HasPrefix(strings.ToLower(f.name), "notice") {
			continue
		}
		for _, id := range Classify(f.text) {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return "", errors.New("a licence this program cannot tell: classify it in infra/notices by hand")
	}
	slices.Sort(ids)
	return strings.Join(ids, " AND "), nil
}

// Allowed reports whether an SPDX expression of AND and OR (as npm records
// licences, such as "(BSD-3-Clause OR GPL-2.0)") lets Fidelio be
// distributed under Apache-2.0: every part of an AND, and one of an OR.
func Allowed(expr string) error {
	expr = strings.TrimSpace(strings.Trim(strings.TrimSpace(expr), "()"))
	if expr == "" {
		return errors.New("no licence")
	}
	if strings.ContainsAny(expr, "()") {
		return fmt.Errorf("licence %q: nested expressions are not read here", expr)
	}
	for _, all := range strings.Split(expr, " AND ") {
		ok := false
		for _, one := range strings.Split(all, " OR ") {
			ok = ok || slices.Contains(allowedLicences, strings.TrimSpace(one))
		}
		if !ok {
			return fmt.Errorf("licence %q does not allow distribution under Apache-2.0", all)
		}
	}
	return nil
}
