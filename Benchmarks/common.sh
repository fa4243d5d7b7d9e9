# Shared set-up of the benchmark scripts (sourced, not run): GNU time for peak
# RSS, and the qad binary (release build unless QAD_BIN names one). Sets QAD.
say() { printf '%s\n' "$*" >&2; }

if ! [ -x /usr/bin/time ]; then
    say "installing GNU time"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y time >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y time >/dev/null; }
fi

if [ -n "${QAD_BIN:-}" ]; then
    QAD=$QAD_BIN
else
    say "building qad (release)"
    swift build -c release --static-swift-stdlib --product qad >&2
    QAD="$(swift build -c release --static-swift-stdlib --show-bin-path)/qad"
fi
[ -x "$QAD" ] || { say "no qad binary at $QAD"; exit 1; }

# WORK: the scratch folder, a new /tmp/PREFIX.XXXXXX (kept) unless WORK names one.
use_work_folder() {
    WORK=${WORK:-$(mktemp -d "/tmp/$1.XXXXXX")}
    mkdir -p "$WORK"
    say "work folder: $WORK"
}

# PY: the project venv's Python with the cross-check tools (scripts/setup.sh --python).
use_python_tools() {
    bash "$ROOT/scripts/setup.sh" --python >&2
    PY="$ROOT/.venv/bin/python"
}
