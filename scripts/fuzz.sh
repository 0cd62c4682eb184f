#!/bin/bash
# Fuzzes the parsers that see network or user input with libFuzzer and AddressSanitizer.
#   scripts/fuzz.sh                 every target, 60 s each
#   scripts/fuzz.sh rtp 600         one target, ten minutes
#   scripts/fuzz.sh all 5           every target briefly (what CI runs)
# Builds `sfu-fuzz` with -sanitize=fuzzer,address in .build-fuzz (release, so it is fast).
# Seeds: Fuzz/corpus/<target>/ (Fuzz/make_seeds.py) and, for SDP, the SDK captures in
# Tests/SDPTests/Fixtures. New inputs go to .build-fuzz/corpus/<target>/; a crash leaves its
# input in Fuzz/crashes/<target>/ and fails the run. Replay one with
# `.build/debug/sfu-fuzz <target> <file>` and keep it in Fuzz/corpus/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=(stun rtp rtcp sdp dcep sctp-notification signal signal-json twirp token egress-records s3-xml config)
which=${1:-all}
seconds=${2:-60}
if [ "$which" != all ]; then TARGETS=("$which"); fi

swift build -c release --scratch-path .build-fuzz --product sfu-fuzz -Xcxx -DNDEBUG \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
    -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld 2>&1 | grep -v "Cannot export local symbol" >&2
bin=.build-fuzz/release/sfu-fuzz

status=0
for target in "${TARGETS[@]}"; do
    work=.build-fuzz/corpus/$target
    crashes=Fuzz/crashes/$target
    mkdir -p "$work" "$crashes"
    seeds=(Fuzz/corpus/$target)
    [ "$target" = sdp ] && seeds+=(Tests/SDPTests/Fixtures)
    log=.build-fuzz/$target.log
    # TOMLKit (0.6) leaks on every parse: `TOMLTable.keys` never frees the array and strings
    # its C++ side mallocs, and a failed parse leaks its error record. sfu.toml is read once
    # per start, so the config target checks memory errors but not leaks.
    leaks=1
    [ "$target" = config ] && leaks=0
    # libFuzzer, not Swift's backtracer, must see a crash to keep its input.
    if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=$leaks "$bin" "$target" "$work" "${seeds[@]}" \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 > "$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz $target: ${runs} executions in ${seconds} s, no crash"
    else
        echo "fuzz $target: FAILED (input in $crashes/), log $log:" >&2
        grep -E "ERROR|Fatal|SUMMARY|Test unit written" "$log" | head -20 >&2
        status=1
    fi
done
exit $status
