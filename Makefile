# watcher: build, test, lint, benchmark.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GO      ?= go
BIN     ?= bin/watcher
# An execution count, not a duration: with a duration, go1.26's fuzzing
# coordinator can report "context deadline exceeded" as a failure when the
# time is up while a worker is mid-call (go.dev/issue/75804, fixed in 1.27).
FUZZTIME ?= 20000x

.PHONY: all build run test unit unit-pg unit-race-bin unit-all fuzz lint bench bench-go bench-farm bench-cycle bench-soak bench-soak-long install clean

all: build

build:
	$(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/watcher

# One cycle on the shipped configuration; digests go to standard output.
run: build
	./$(BIN) --once --config config.yaml

# The whole suite: vet, the tests with the race detector (every fuzz
# target's seeds and the inputs fuzzing once found, kept in testdata/fuzz,
# run as tests), the end-to-end suite again on PostgreSQL. This is what CI
# runs. Fuzzing itself (make fuzz) is not part of it: what a fuzzer tries
# differs from run to run, so as a gate it would fail a change for a bug it
# did not bring, found that day by chance. Run it before a release and
# keep what it finds in testdata/fuzz, with the fix.
test: lint unit-all

unit:
	$(GO) test -race -count=1 ./...

# The end-to-end suite (cmd/watcher) again, every configuration its tests
# write given a PostgreSQL database of its own as its state instead of a
# bbolt file (the tests start the server themselves; see README, "PostgreSQL
# state"). Without -race: these tests drive the watcher binary, which their
# TestMain builds without the race detector either way, so -race would check
# only the tests' own goroutines, for a quarter more time; the store's code
# is under -race in unit, in pgstate's and watch's tests on both stores.
unit-pg:
	WATCHER_TEST_STATE=postgres $(GO) test -count=1 ./cmd/watcher/

# The tests of the daemon, reloads, the listener, the sinks and replicas
# against a watcher binary built with the race detector, on PostgreSQL
# (where the most goroutines meet: the sender lock's watch, host claims,
# the cycle lock): a data race in the binary exits 66 and fails the test.
# Only these: the whole suite under a race-built binary takes over ten
# minutes and its memory bounds do not hold for such a binary.
RACE_BIN_TESTS ?= TestDaemon|TestStatus|TestReload|TestReplica|TestAlone|TestTestSink|TestOnceOnPostgres|TestCrash|TestOutage|TestHook|TestSMTP|TestChat|TestTelegram|TestPreview
unit-race-bin:
	WATCHER_TEST_STATE=postgres WATCHER_TEST_RACE_BINARY=1 $(GO) test -count=1 -run '$(RACE_BIN_TESTS)' ./cmd/watcher/

# unit, unit-pg and unit-race-bin side by side: the end-to-end suite spends most of its
# five minutes waiting (fetch timeouts, Retry-After, schedules), so the two
# share the machine at little cost, where one after the other would add those
# five minutes to CI. Each one's output is printed when it ends.
unit-all:
	$(MAKE) --no-print-directory -j3 --output-sync=target unit unit-pg unit-race-bin

# Each fuzz target runs alone for FUZZTIME executions (go test -fuzz takes
# one target per invocation).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The local feed server and the labelled corpus live in the shared folder
# beside the checkout.
SHARED  ?= ../shared
BENCH_N ?= 100,1000,5000,20000
BENCH_FLAGS ?=
# The soak: daemon cycles with new items, to see memory and cycle time stay
# flat (bench-soak-long: a thousand cycles on fewer feeds).
SOAK_N      ?= 1000
SOAK_CYCLES ?= 200

# Micro-benchmarks of each package, then whole cycles against the local feed
# server side by side with the floor (a plain downloader); see README.md.
bench: bench-go bench-cycle

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./match/ ./crawl/ ./state/ ./pgstate/ ./alert/ ./config/

bench-farm:
	cd $(SHARED)/tools/feedfarm && $(GO) build -o $(CURDIR)/bin/feedfarm .

bench-cycle: build bench-farm
	$(GO) run ./bench/cycle -watcher $(BIN) -farm bin/feedfarm -n $(BENCH_N) $(BENCH_FLAGS)

bench-soak: build bench-farm
	$(GO) run ./bench/cycle -watcher $(BIN) -farm bin/feedfarm -n $(SOAK_N) -soak $(SOAK_CYCLES) $(BENCH_FLAGS)

bench-soak-long: build bench-farm
	$(GO) run ./bench/cycle -watcher $(BIN) -farm bin/feedfarm -n 100 -soak 1000 $(BENCH_FLAGS)

install: build
	install -m 0755 $(BIN) /usr/local/bin/watcher

clean:
	rm -rf bin
