# Fidelio — the few commands a newcomer needs. Read top to bottom.
.PHONY: run test fuzz bench build lint tools
.DEFAULT_GOAL := run

FUNCTIONS := $(notdir $(wildcard functions/*))

# The web pages' browser dependencies (the till's QR decoder), installed from
# shared/web/package-lock.json and copied into shared/web/static/assets, where
# go:embed picks them up; installed again whenever the lockfile changes.
WEBDEPS := shared/web/static/assets/jsQR.js.gz
$(WEBDEPS): shared/web/package.json shared/web/package-lock.json shared/web/copy-assets.mjs
	npm ci --prefix shared/web --no-audit --no-fund
# The pages' own scripts, written in shared/web/scripts, are served
# gzip-compressed from static/assets (web.read), to keep the web function
# within 6 MiB: each is compressed again whenever its source changes.
WEBSCRIPTS := $(patsubst shared/web/scripts/%.js,shared/web/static/assets/%.js.gz,$(wildcard shared/web/scripts/*.js))
shared/web/static/assets/%.js.gz: shared/web/scripts/%.js
	gzip -9 -n -c $< > $@
# The API's contract, gzipped, and its reference page, built from
# shared/openapi/openapi.json by shared/web/build-docs.mjs (widdershins and
# marked from the same lockfile) into shared/web/static; again whenever the
# document changes.
WEBDOCS := shared/web/static/docs.html.gz
$(WEBDOCS): shared/openapi/openapi.json shared/web/build-docs.mjs $(WEBDEPS)
	node shared/web/build-docs.mjs
# passkit-generator, whose schemas the wallet tests check every pass.json
# against (test only, from its own lockfile; node_modules/.package-lock.json
# is what npm ci writes last).
PASSKITDEPS := shared/wallet/testdata/passkit/node_modules/.package-lock.json
$(PASSKITDEPS): shared/wallet/testdata/passkit/package.json shared/wallet/testdata/passkit/package-lock.json
	npm ci --prefix shared/wallet/testdata/passkit --no-audit --no-fund
# The commit every binary reports beside shared/version's Version (/healthz,
# the start-up log line), "+dirty" with uncommitted changes. sam build copies
# the sources without .git, so there it comes from the environment:
# FIDELIO_COMMIT=$(git rev-parse --short=12 HEAD) sam build
FIDELIO_COMMIT ?= $(shell git describe --always --abbrev=12 --dirty=+dirty --match=none 2>/dev/null)
STAMP := -X github.com/fidelio/fidelio/shared/version.commit=$(FIDELIO_COMMIT)
GOBUILD := CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -ldflags='-s -w $(STAMP)'

# The local stack on the embedded store with a demo program.
run: $(WEBDEPS) $(WEBDOCS) $(WEBSCRIPTS)
	go run -ldflags='$(STAMP)' ./infra/local -demo

# cfn-lint (Python's, not in Debian's packages) is installed by hand.
CFNLINT = @command -v cfn-lint >/dev/null || { echo "cfn-lint is missing; install it: pip install cfn-lint" >&2; exit 1; }; \
	cfn-lint template.yaml

# Every test. DynamoDB Local is installed (with a JRE when missing) and started
# on 127.0.0.1 for the store tests that need it; Chromium is installed for the
# browser tests of the web pages, and passkit-generator for the pass.json
# schema checks; cfn-lint checks template.yaml. Nothing is skipped here.
# DynamoDB Local keeps a database per access key, each serving one request at
# a time: the DynamoDB store's tests each connect with a key of their own and
# run four at a time. Its package is still the longest (about 5 minutes on a
# loaded 2-core machine, past go test's default of 10 minutes under heavier
# load): hence -timeout.
test: tools $(WEBDEPS) $(WEBDOCS) $(WEBSCRIPTS) $(PASSKITDEPS)
	go vet ./...
	$(CFNLINT)
	FIDELIO_REQUIRE_DYNAMODB=1 bash infra/dynamodb-local/run.sh -- go test -count=1 -timeout=30m ./...
	$(MAKE) --no-print-directory fuzz

# Each fuzz target beyond its seeds (go test runs the seeds, testdata/fuzz
# included), for a number of runs of about 3 s each: a count, not a time, as
# -fuzztime=<duration> can fail at its deadline with no crasher (golang/go#75804).
# Each package's test binary is built once with the fuzzer's coverage
# instrumentation (go test -c -fuzz) and runs each of its targets, from the
# package's folder as go test would; a failing input is written to the
# package's testdata/fuzz, to commit with the fix.
FUZZ := shared/signing:FuzzMemberCode:20000 shared/signing:FuzzSignedValues:20000 \
	shared/api:FuzzBodies:200 shared/api:FuzzSignedLinks:300 shared/api:FuzzPassTokens:300 \
	shared/api:FuzzEvents:100 shared/wallet:FuzzStream:5000 infra/local/stack:FuzzSchedule:5000
fuzz: $(WEBDEPS) $(WEBDOCS) $(WEBSCRIPTS)
	@bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; cache=$$(go env GOCACHE)/fuzz/$$(go list -m); \
	for t in $(FUZZ); do \
		set -- $$(echo $$t | tr : ' '); \
		test=$$bin/$$(echo $$1 | tr / -).test; \
		[ -x $$test ] || go test -c -fuzz=. -o $$test ./$$1 || exit 1; \
		echo "fuzz $$2 for $$3 runs"; \
		(cd $$1 && $$test -test.run='^$$' -test.fuzz="^$$2$$" -test.fuzztime=$${3}x -test.parallel=1 \
			-test.fuzzcachedir=$$cache/$$1) || exit 1; \
	done

# The programs the tests run (openssl, Chromium, npm), from Debian's packages when missing.
tools:
	bash infra/install-test-tools.sh

# Benchmarks of both stores and the HTTP path; figures go in the notes.
bench:
	FIDELIO_REQUIRE_DYNAMODB=1 bash infra/dynamodb-local/run.sh -- go test -run='^$$' -bench=. -benchtime=2s ./...

# The Lambda artifacts: one stripped linux/arm64 bootstrap per function.
build: $(addprefix .build/,$(FUNCTIONS))
.build/%: $(WEBDEPS) $(WEBDOCS) $(WEBSCRIPTS) FORCE
	$(GOBUILD) -o $@/bootstrap ./functions/$*
	@ls -l $@/bootstrap
FORCE:

# What `sam build` calls for each function (BuildMethod: makefile).
build-%Function: $(WEBDEPS) $(WEBDOCS) $(WEBSCRIPTS)
	$(GOBUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(shell echo $* | tr A-Z a-z)

lint:
	@unformatted=$$(gofmt -l .); [ -z "$$unformatted" ] || { echo "gofmt -w these: $$unformatted" >&2; exit 1; }
	go vet ./...
	$(CFNLINT)
