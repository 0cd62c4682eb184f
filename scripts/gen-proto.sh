#!/usr/bin/env bash
# Regenerates Sources/Signal/Generated/*.pb.swift from Sources/Signal/Proto/*.proto.
#
# - protoc comes from Debian (`protobuf-compiler`), installed with apt-get if missing.
# - protoc-gen-swift is built once from the swift-protobuf release that Package.swift
#   uses, into a cache directory (PROTOC_GEN_SWIFT_CACHE, default ~/.cache/sfu-protoc-gen-swift).
# The generated files are committed; run this only after editing a .proto file.
set -euo pipefail

SWIFT_PROTOBUF_VERSION="1.39.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROTO_DIR="$ROOT/Sources/Signal/Proto"
OUT_DIR="$ROOT/Sources/Signal/Generated"
CACHE="${PROTOC_GEN_SWIFT_CACHE:-$HOME/.cache/sfu-protoc-gen-swift}"
CHECKOUT="$CACHE/swift-protobuf-$SWIFT_PROTOBUF_VERSION"
PLUGIN="$CHECKOUT/.build/release/protoc-gen-swift"

if ! command -v protoc >/dev/null 2>&1; then
    echo "gen-proto: installing protobuf-compiler" >&2
    apt-get update -q >/dev/null
    apt-get install -y -q protobuf-compiler >/dev/null
fi

if [ ! -x "$PLUGIN" ]; then
    echo "gen-proto: building protoc-gen-swift $SWIFT_PROTOBUF_VERSION in $CHECKOUT" >&2
    mkdir -p "$CACHE"
    if [ ! -d "$CHECKOUT" ]; then
        git clone -q --depth 1 --branch "$SWIFT_PROTOBUF_VERSION" \
            https://github.com/apple/swift-protobuf.git "$CHECKOUT"
    fi
    (cd "$CHECKOUT" && swift build -c release --product protoc-gen-swift)
fi

rm -f "$OUT_DIR"/*.pb.swift
mkdir -p "$OUT_DIR"
protoc \
    --plugin=protoc-gen-swift="$PLUGIN" \
    --proto_path="$PROTO_DIR" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=FullPath \
    --swift_out="$OUT_DIR" \
    "$PROTO_DIR"/*.proto
echo "gen-proto: wrote $(ls "$OUT_DIR"/*.pb.swift | wc -l) files to $OUT_DIR" >&2
