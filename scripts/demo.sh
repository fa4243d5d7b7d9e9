#!/usr/bin/env bash
# Runs qad end to end on a simulated survey (no download): installs what it
# needs, builds qad in release mode, then `qad demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --static-swift-stdlib --product qad
exec .build/release/qad demo "$@"
