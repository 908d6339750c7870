#!/usr/bin/env bash
# The independent oracles (Tests/Oracle/README.md) against a pws binary: generated data for two
# seeds and the hand-made cases in Tests/Oracle/cases/, each run with the binary's built-in
# pipeline (the repository's, when the binary is built from it), then every oracle compares
# pws's published rows with its own. Exit status 0 when every oracle
# agrees on every row, 1 otherwise (the first differing cells are printed).
#
# usage: Tests/Oracle/check.sh PWS_BINARY        (needs python3 with PyYAML)
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PWS_BINARY" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
pws=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
python=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1
"$python" -c 'import yaml' 2>/dev/null || { echo "oracle: $python has no PyYAML" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()

# check NAME DATA [pws run options…]: one pws run, then every oracle on its output.
check() {
    local name=$1 data=$2
    shift 2
    local out="$work/out/$name"
    echo "== $name"
    if ! "$pws" run --data "$data" --out "$out" --today 2026-01-15 --quiet "$@"; then
        echo "pws run failed on $name"
        failed=$((failed + 1))
        failures+=("$name: pws run")
        return
    fi
    local month_dir
    month_dir=$(ls -d "$out"/[0-9][0-9][0-9][0-9]-[0-9][0-9])
    local oracle
    for oracle in maternal child adult status; do
        local args=("$data" "$month_dir")
        [ "$oracle" = status ] && args=("$month_dir")
        if (cd "$here" && "$python" "$oracle.py" "${args[@]}"); then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failures+=("$name: $oracle")
        fi
    done
}

generate() {
    "$pws" generate --out "$work/data/$1" --seed "$2" --records "$3" --year 2025 --quiet
}

generate seed11 11 50000
generate seed7 7 20000
check seed11-50k "$work/data/seed11"
check seed11-50k-asof-2025-06 "$work/data/seed11" --as-of 2025-06
check seed7-20k "$work/data/seed7"

# The hand-made cases (one-line README in each), at the as-of months the audits used.
cases="$here/cases"
check maternal-episodes "$cases/maternal-episodes" --as-of 2025-12
check maternal-episodes-asof-2025-03 "$cases/maternal-episodes" --as-of 2025-03
check maternal-boundaries "$cases/maternal-boundaries" --as-of 2025-12
check maternal-boundaries-asof-2025-05 "$cases/maternal-boundaries" --as-of 2025-05
check maternal-denominators "$cases/maternal-denominators"
check maternal-tested "$cases/maternal-tested" --as-of 2025-02
check maternal-pregnancy-id "$cases/maternal-pregnancy-id" --as-of 2025-05
check child-edges "$cases/child-edges" --as-of 2025-12
check child-denominators "$cases/child-denominators" --as-of 2025-12
check child-precision "$cases/child-precision"
check child-uci "$cases/child-uci"
check adult-edges "$cases/adult-edges" --as-of 2025-06

echo
if [ "$failed" -gt 0 ]; then
    printf 'failed: %s\n' "${failures[@]}"
fi
echo "oracle: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
