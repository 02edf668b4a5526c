# snapdelta — the two commands a new machine needs: `make demo` and `make test`.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK ?= golang.org/x/vuln/cmd/govulncheck@v1.9.0
FUZZTIME    ?= 60s
BENCHTIME   ?= 1s

.PHONY: all test lint vet fmt-check demo bench fuzz build vulncheck

all: build test

## test: gofmt check, go vet, staticcheck, the race-enabled test suite (fuzz
## seed corpora included) and every benchmark run once
test: fmt-check vet lint
	$(GO) test -race -count=1 ./...
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint:
	$(GO) run $(STATICCHECK) ./...

vulncheck:
	$(GO) run $(GOVULNCHECK) ./...

## demo: the main job
demo:
	$(GO) run ./cmd/snapdelta demo

## bench: every package's go test benchmarks (BENCHTIME each), then
## docs/benchmarks.md and docs/benchmarks.svg regenerated: the tables of
## `snapdelta bench --profile all --cycles 60`, the sonobuoy pairs of
## ../shared/corpus/real, and the snapdelta lines of the go test run.
## CI runs the benchmarks once each instead: see docs/benchmarks.md.
BENCHOUT ?= bin/bench.txt
bench:
	@mkdir -p $(dir $(BENCHOUT))
	@{ $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...; echo $$? > $(BENCHOUT).rc; } | tee $(BENCHOUT); exit $$(cat $(BENCHOUT).rc)
	$(GO) run ./bench/internal/report -cycles 60 -seed 1 -corpus ../shared/corpus/real -gotest $(BENCHOUT) -md docs/benchmarks.md -svg docs/benchmarks.svg

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## build: the snapdelta binary in bin/
build:
	$(GO) build -o bin/snapdelta ./cmd/snapdelta
