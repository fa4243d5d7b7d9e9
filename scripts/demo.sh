#!/usr/bin/env bash
# Runs qad end to end on a simulated survey (no download): installs what it
# needs (the build's C libraries; not PostgreSQL or Chromium, which only the
# tests use), builds qad in release mode, puts it on PATH, then `qad demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "demo: building qad (release; the first build takes about 13-15 minutes on 2 cores)"
swift build -c release --static-swift-stdlib --product qad
bash scripts/install.sh
exec .build/release/qad demo "$@"
