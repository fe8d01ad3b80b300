# sdeverify: see README.md. Every target is what CI runs or a documented opt-in.
GO          ?= go
STATICCHECK ?= staticcheck
FUZZTIME    ?= 15s
BENCHTIME   ?= 1s

.PHONY: all test test-short lint bench fuzz tools install report report-paper figure1 bench-figure1

all: lint test

## report: the verification report (main job) into reports/out/ (about 2 minutes on 2 cores).
report:
	$(GO) run ./cmd/sdeverify report -out reports/out

## report-paper: the same with Figure 1 and the stability maps at the paper's scale, and centre-top's explosion table (the maps alone took about 10 minutes on a loaded 2-core machine).
report-paper:
	$(GO) run ./cmd/sdeverify report -out reports/out -scale paper -stability paper

## figure1: Figure 1 at paper scale with its claims.
figure1:
	$(GO) run ./cmd/sdeverify figure1 -scale paper -out reports/figure1

## bench-figure1: Figure 1 at paper scale (discrete methods), three runs: wall time, peak
## memory, the random-number floor, the ratio and the 1 -> 2 worker speed-up.
bench-figure1:
	$(GO) run ./cmd/sdeverify figure1 -scale paper -bench -runs 3

## test: the default tier, the README's test command (a few minutes on 2 cores).
test:
	$(GO) test ./...

## test-short: the fastest tier.
test-short:
	$(GO) test -short ./...

## lint: gofmt, go vet and staticcheck must all be clean.
lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

## bench: every Go benchmark, with allocations.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## fuzz: every fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## install: the sdeverify command into $(go env GOPATH)/bin, so that printed replays run as printed.
install:
	$(GO) install ./cmd/sdeverify

## tools: install the pinned linters.
tools:
	$(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2
