#!/usr/bin/env bash
# Runs the single-file examples (examples/*.rs but the tour and the bench),
# each in release mode under a 60 s timeout, and fails if any of them fails,
# times out, or leaves a named object behind (its temp directory, its POSIX
# queue when /dev/mqueue is mounted, anything bareipc-* in /dev/shm).
# Ends with "<N> passed, <M> failed" alone on the last line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

EXAMPLES=(supervisor mq_poll shm_ring fd_handoff tokio_asyncfd)

# Compile first, so that the timeout measures the run and not the build.
build_args=()
for ex in "${EXAMPLES[@]}"; do
    build_args+=(--example "$ex")
done
cargo build -q --release "${build_args[@]}"

leftovers() {
    local tmp=${TMPDIR:-/tmp}
    ls -d "$tmp"/bareipc-handoff-* /dev/shm/bareipc-* 2>/dev/null || true
    if [ -d /dev/mqueue ]; then
        ls -d /dev/mqueue/bareipc-mq-poll-* 2>/dev/null || true
    fi
}

before=$(leftovers)
passed=0
failed=0
for ex in "${EXAMPLES[@]}"; do
    echo "== $ex"
    if timeout 60 cargo run -q --release --example "$ex"; then
        after=$(leftovers)
        if [ "$after" != "$before" ]; then
            echo "FAIL $ex: left behind:"
            comm -13 <(echo "$before") <(echo "$after")
            failed=$((failed + 1))
            before=$after
        else
            echo "PASS $ex"
            passed=$((passed + 1))
        fi
    else
        echo "FAIL $ex (exit status $?)"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
