#!/usr/bin/env bash
# Puts the built qad on PATH: a symbolic link to .build/release/qad in
# /usr/local/bin when run as root, else in ~/.local/bin (created if needed;
# most shells put it on PATH). Says where, and what to add to PATH if the
# folder is not on it yet. scripts/demo.sh runs it after building.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.build/release/qad"
if [ ! -x "$bin" ]; then
  echo "install: $bin is not built yet: swift build -c release --product qad" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then dir=/usr/local/bin; else dir="$HOME/.local/bin"; fi
mkdir -p "$dir"
ln -sf "$bin" "$dir/qad"
echo "install: $dir/qad -> $bin"
case ":$PATH:" in
  *":$dir:"*) ;;
  *) echo "install: $dir is not on PATH here; add it: export PATH=$dir:\$PATH" ;;
esac
