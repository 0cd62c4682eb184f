# make run  : install what is missing, build, serve with sfu.toml
# make test : same set-up, then every test (Swift unit tests + Python interop tests)
SWIFT ?= swift
# toml++ (inside TOMLKit) asserts on some malformed input in debug builds; with NDEBUG it
# reports a parse error instead, which is what a bad config must give.
SWIFT_FLAGS ?= -Xcxx -DNDEBUG
CONFIG ?= sfu.toml

.PHONY: setup build release run test unit interop fuzz fuzz-replay clean

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build $(SWIFT_FLAGS)

release: setup
	$(SWIFT) build $(SWIFT_FLAGS) -c release

run: build
	.build/debug/sfu serve --config $(CONFIG)

unit: build
	$(SWIFT) test $(SWIFT_FLAGS)

interop: build
	bash scripts/setup.sh --test
	SFU_BIN=$(CURDIR)/.build/debug/sfu .venv/bin/python -m pytest -q Tests/interop

# Every fuzz target's seeds and past crashes, through the plain build (no sanitizer).
FUZZ_TARGETS = stun rtp rtcp sdp dcep sctp-notification signal signal-json twirp token egress-records s3-xml config
fuzz-replay: build
	for t in $(FUZZ_TARGETS); do .build/debug/sfu-fuzz $$t Fuzz/corpus/$$t Fuzz/crashes/$$t || exit 1; done
	.build/debug/sfu-fuzz sdp Tests/SDPTests/Fixtures

# libFuzzer + AddressSanitizer, FUZZ_SECONDS per target (scripts/fuzz.sh).
FUZZ_SECONDS ?= 60
fuzz: setup
	bash scripts/fuzz.sh all $(FUZZ_SECONDS)

test: build
	bash scripts/setup.sh --test
	$(SWIFT) test $(SWIFT_FLAGS)
	$(MAKE) --no-print-directory fuzz-replay
	SFU_BIN=$(CURDIR)/.build/debug/sfu .venv/bin/python -m pytest -q Tests/interop

clean:
	rm -rf .build
