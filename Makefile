# Fidelio — the few commands a newcomer needs. Read top to bottom.
.PHONY: run test bench build lint

FUNCTIONS := $(notdir $(wildcard functions/*))
GOBUILD := CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -ldflags='-s -w'

# The local stack on the embedded store with a demo program.
run:
	go run ./infra/local -demo

# Every test. DynamoDB Local is installed (with a JRE when missing) and started
# on 127.0.0.1 for the store tests that need it; they never skip here.
test:
	bash infra/install-test-tools.sh
	go vet ./...
	FIDELIO_REQUIRE_DYNAMODB=1 bash infra/dynamodb-local/run.sh -- go test -count=1 ./...

# Benchmarks of both stores and the HTTP path; figures go in the notes.
bench:
	FIDELIO_REQUIRE_DYNAMODB=1 bash infra/dynamodb-local/run.sh -- go test -run='^$$' -bench=. -benchtime=2s ./...

# The Lambda artifacts: one stripped linux/arm64 bootstrap per function.
build: $(addprefix .build/,$(FUNCTIONS))
.build/%: FORCE
	$(GOBUILD) -o $@/bootstrap ./functions/$*
	@ls -l $@/bootstrap
FORCE:

# What `sam build` calls for each function (BuildMethod: makefile).
build-%Function:
	$(GOBUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(shell echo $* | tr A-Z a-z)

lint:
	gofmt -l . | tee /dev/stderr | (! read)
	go vet ./...
