#!/usr/bin/env bash
# bareipc CI: formatting, lints, docs, the no-libc dependency check, the test
# suites on five targets (three under qemu-user), the tour example on three
# (one under qemu-user), and the no-libc static program on six targets.
# Called by .ci/run on a fresh Debian 12 machine with rustup; installs what
# is missing first.
#
# Every stage prints exactly one of
#   PASS <stage> (<seconds>s)
#   FAIL <stage> ...
#   SKIPPED <stage> (<reason>)
# A stage is SKIPPED only when a tool or target it needs is missing and could
# not be installed; a failing command is always a FAIL. The script stops at
# the first FAIL (the command's output is above it) and ends with
#   <N> passed, <M> failed
# alone on the last line. Exit status 0 iff nothing failed.
#
# Uses the default target dir, or CARGO_TARGET_DIR if set (also for nolibc/).
# CI_KEEP_GOING=1 (local use) runs the remaining stages after a FAIL; the
# exit status is still non-zero.
# Stage functions are called indirectly (stage NAME REQS FUNC), which
# ShellCheck 0.9 reports as unreachable code.
# shellcheck disable=SC2317
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

HOST_TARGET=x86_64-unknown-linux-gnu
CROSS_TARGETS=(
    x86_64-unknown-linux-musl
    i686-unknown-linux-musl
    aarch64-unknown-linux-musl
    riscv64gc-unknown-linux-gnu
    armv7-unknown-linux-gnueabihf
)
FAMILIES=(pipe fifo file socket eventfd shm mq sem signal)
NOLIBC_TARGETS=("$HOST_TARGET" "${CROSS_TARGETS[@]}")

# apt package -> how to tell it is already there (cmd:NAME or file:PATH).
# Listed explicitly and installed with --no-install-recommends: qemu-user-static
# recommends systemd|binfmt-support, which we neither want nor need.
# NOT gcc-multilib: installing it removes the cross compilers.
declare -A APT_PROBES=(
    [qemu-user-static]="cmd:qemu-aarch64-static cmd:qemu-riscv64-static cmd:qemu-arm-static"
    [gcc-riscv64-linux-gnu]="cmd:riscv64-linux-gnu-gcc"
    [libc6-dev-riscv64-cross]="file:/usr/riscv64-linux-gnu/lib/crt1.o"
    [gcc-arm-linux-gnueabihf]="cmd:arm-linux-gnueabihf-gcc"
    [libc6-dev-armhf-cross]="file:/usr/arm-linux-gnueabihf/lib/crt1.o"
    [strace]="cmd:strace"
    [file]="cmd:file"
    [binutils]="cmd:size"
    [gcc]="cmd:cc"
    [libc6-dev]="file:/usr/lib/x86_64-linux-gnu/crt1.o"
)
APT_ORDER=(qemu-user-static gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
    gcc-arm-linux-gnueabihf libc6-dev-armhf-cross strace file binutils gcc libc6-dev)

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- helpers

now_us() { echo "${EPOCHREALTIME/./}"; }
# seconds with one decimal between two now_us values
elapsed() { local d=$(( ($2 - $1) / 100000 )); printf '%d.%d' $((d / 10)) $((d % 10)); }

T_START=$(now_us)
PASSED=0
FAILED=0
SKIPPED=0
SUMMARY=()
# requirement key -> reason it is unavailable (absent key = available)
declare -A UNAVAILABLE=()

log() { printf '%s\n' "$*"; }
# Echo a command, then run it.
run() { printf '+ %s\n' "$*"; "$@"; }

# A hung test (a child that never says it is ready, a lost wakeup) must fail
# its stage, not eat the whole CI budget: every test run gets this many
# seconds, builds included, and then it and its children are killed.
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
run_timed() { run timeout --kill-after=15 "$TEST_TIMEOUT" "$@"; }

finish() {
    local t_end
    t_end=$(now_us)
    log ""
    log "================ summary"
    local l
    for l in "${SUMMARY[@]}"; do log "  $l"; done
    if ((SKIPPED > 0)); then
        log "WARNING: $SKIPPED stage(s) SKIPPED because a tool or target could not be installed (see above)."
    fi
    log "Total time: $(elapsed "$T_START" "$t_end")s"
    log "$PASSED passed, $FAILED failed"
    if ((FAILED > 0)); then exit 1; fi
    exit 0
}

# stage NAME "REQ..." FUNCTION [ARGS...]
# REQ: keys of UNAVAILABLE (target:T, apt:PKG, tool:NAME).
stage() {
    local name=$1 reqs=$2
    shift 2
    local r
    for r in $reqs; do
        if [[ -n "${UNAVAILABLE[$r]:-}" ]]; then
            local line="SKIPPED $name (${UNAVAILABLE[$r]})"
            log "$line"
            SUMMARY+=("$line")
            SKIPPED=$((SKIPPED + 1))
            return 0
        fi
    done
    log ""
    log "================ stage $name"
    local t0 rc=0
    t0=$(now_us)
    # The subshell is not in a condition context, so `set -e` holds inside it:
    # the stage stops at its first failing command.
    set +e
    (set -e; "$@")
    rc=$?
    set -e
    local secs
    secs=$(elapsed "$t0" "$(now_us)")
    if ((rc == 0)); then
        local line="PASS $name (${secs}s)"
        log "$line"
        SUMMARY+=("$line")
        PASSED=$((PASSED + 1))
    else
        local line="FAIL $name (exit status $rc after ${secs}s)"
        log "$line"
        SUMMARY+=("$line")
        FAILED=$((FAILED + 1))
        if [[ "${CI_KEEP_GOING:-0}" != 1 ]]; then finish; fi
    fi
}

probe_ok() { # probe_ok "cmd:X file:Y ..."
    local p
    for p in $1; do
        case $p in
            cmd:*) command -v "${p#cmd:}" >/dev/null 2>&1 || return 1 ;;
            file:*) [[ -e "${p#file:}" ]] || return 1 ;;
        esac
    done
}

target_installed() {
    [[ -d "$SYSROOT/lib/rustlib/$1/lib" ]] && compgen -G "$SYSROOT/lib/rustlib/$1/lib/libstd-*.rlib" >/dev/null
}

# Env assignments (for `env`) that a cross target needs to link its test
# binaries. Not used for nolibc/, which has its own linker flags.
linker_env() {
    case $1 in
        aarch64-unknown-linux-musl) echo "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld" ;;
        riscv64gc-unknown-linux-gnu) echo "CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_LINKER=riscv64-linux-gnu-gcc" ;;
        armv7-unknown-linux-gnueabihf) echo "CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER=arm-linux-gnueabihf-gcc" ;;
    esac
}
# Build scripts (rustix, libc) are linked by the host cc: every stage that
# compiles anything needs it.
HOSTCC="apt:gcc apt:libc6-dev"
# Requirement keys for linking (and running) target T's test binaries.
target_reqs() {
    case $1 in
        x86_64-unknown-linux-gnu) echo "$HOSTCC" ;;
        x86_64-unknown-linux-musl | i686-unknown-linux-musl) echo "$HOSTCC target:$1" ;;
        aarch64-unknown-linux-musl) echo "$HOSTCC target:$1 apt:qemu-user-static" ;;
        riscv64gc-unknown-linux-gnu) echo "$HOSTCC target:$1 apt:qemu-user-static apt:gcc-riscv64-linux-gnu apt:libc6-dev-riscv64-cross" ;;
        armv7-unknown-linux-gnueabihf) echo "$HOSTCC target:$1 apt:qemu-user-static apt:gcc-arm-linux-gnueabihf apt:libc6-dev-armhf-cross" ;;
    esac
}
qemu_ld_prefix() {
    case $1 in
        riscv64gc-unknown-linux-gnu) echo /usr/riscv64-linux-gnu ;;
        armv7-unknown-linux-gnueabihf) echo /usr/arm-linux-gnueabihf ;;
    esac
}
qemu_name() {
    case $1 in
        aarch64-*) echo qemu-aarch64-static ;;
        riscv64*) echo qemu-riscv64-static ;;
        armv7-*) echo qemu-arm-static ;;
    esac
}
env_var_target() { local t=${1^^}; echo "${t//-/_}"; }

# ---------------------------------------------------------------- setup

setup() {
    local t0
    t0=$(now_us)
    log "================ setup"
    if ! command -v cargo >/dev/null 2>&1; then
        log "FAIL setup (cargo not found in PATH)"
        FAILED=1
        finish
    fi
    run rustc --version
    run cargo --version

    # apt packages
    local missing=() pkg
    for pkg in "${APT_ORDER[@]}"; do
        probe_ok "${APT_PROBES[$pkg]}" || missing+=("$pkg")
    done
    if ((${#missing[@]} > 0)); then
        log "apt packages missing: ${missing[*]}"
        local sudo=()
        if ((EUID != 0)); then
            if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); fi
        fi
        if ((EUID != 0)) && ((${#sudo[@]} == 0)); then
            for pkg in "${missing[@]}"; do UNAVAILABLE[apt:$pkg]="apt package $pkg missing, not root"; done
        elif ! run "${sudo[@]}" apt-get update -q; then
            for pkg in "${missing[@]}"; do UNAVAILABLE[apt:$pkg]="apt package $pkg missing, apt-get update failed"; done
        elif ! run "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
            # One unavailable package must not take the others down with it.
            for pkg in "${missing[@]}"; do
                run "${sudo[@]}" apt-get install -y -q --no-install-recommends "$pkg" || true
            done
        fi
        for pkg in "${missing[@]}"; do
            if [[ -z "${UNAVAILABLE[apt:$pkg]:-}" ]] && ! probe_ok "${APT_PROBES[$pkg]}"; then
                UNAVAILABLE[apt:$pkg]="apt package $pkg could not be installed"
            fi
        done
    else
        log "apt packages: all present"
    fi

    # rustup targets and components
    SYSROOT=$(rustc --print sysroot)
    local t missing_t=()
    for t in "${CROSS_TARGETS[@]}"; do
        target_installed "$t" || missing_t+=("$t")
    done
    if ((${#missing_t[@]} > 0)); then
        log "rust targets missing: ${missing_t[*]}"
        run rustup target add "${missing_t[@]}" || {
            for t in "${missing_t[@]}"; do run rustup target add "$t" || true; done
        }
        for t in "${missing_t[@]}"; do
            target_installed "$t" || UNAVAILABLE[target:$t]="rust target $t could not be installed"
        done
    else
        log "rust targets: all present"
    fi
    local comp
    for comp in clippy rustfmt; do
        local probe=(cargo clippy --version)
        [[ $comp == rustfmt ]] && probe=(cargo fmt --version)
        if ! "${probe[@]}" >/dev/null 2>&1; then
            run rustup component add "$comp" || true
            "${probe[@]}" >/dev/null 2>&1 || UNAVAILABLE[tool:$comp]="rustup component $comp could not be installed"
        fi
    done
    run cargo clippy --version
    run cargo fmt --version

    # Foreign test binaries re-exec themselves, which needs binfmt_misc.
    # Preferred: a private binfmt_misc in a user namespace (ci/binfmt-ns.sh).
    # Fallback: cargo runners (then any test that spawns current_exe() fails).
    BINFMT_NS=0
    if [[ -z "${UNAVAILABLE[apt:qemu-user-static]:-}" ]]; then
        if run bash ci/binfmt-ns.sh --check; then
            BINFMT_NS=1
        else
            log "WARNING: per-user-namespace binfmt_misc does not work here (needs Linux >= 6.7 and"
            log "WARNING: unprivileged user namespaces); falling back to CARGO_TARGET_*_RUNNER=qemu-*-static."
            log "WARNING: tests that re-exec current_exe() will fail with 'Exec format error'."
        fi
    fi
    log "setup done ($(elapsed "$t0" "$(now_us)")s)"
    local k
    for k in "${!UNAVAILABLE[@]}"; do log "UNAVAILABLE $k: ${UNAVAILABLE[$k]}"; done
}

# ---------------------------------------------------------------- stages

st_fmt() {
    run cargo fmt --all -- --check
}

st_clippy_host() {
    run cargo clippy --all-targets -- -D warnings
}

st_clippy_features() {
    run cargo clippy --no-default-features -- -D warnings
    local f
    for f in "${FAMILIES[@]}"; do
        run cargo clippy --no-default-features --features "$f" -- -D warnings
    done
}

st_clippy_target() {
    local t=$1 envs
    mapfile -t envs < <(linker_env "$t")
    # check-only: --all-targets needs no target linker.
    run env "${envs[@]}" cargo clippy --all-targets --target "$t" -- -D warnings
}

st_doc() {
    run env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps
}

st_deps() {
    local t tree hits
    for t in "$HOST_TARGET" "${CROSS_TARGETS[@]}"; do
        for feat in "default features" --no-default-features; do
            local args=(-e normal --prefix none --target "$t")
            [[ $feat == "default features" ]] || args+=("$feat")
            printf '+ cargo tree %s | grep -E "^(libc|errno) "\n' "${args[*]}"
            tree=$(cargo tree "${args[@]}")
            hits=$(grep -E '^(libc|errno) ' <<<"$tree" || true)
            if [[ -n "$hits" ]]; then
                log "libc/errno in the normal dependencies for $t ($feat):"
                log "$hits"
                log "full tree:"
                log "$tree"
                return 1
            fi
            log "  $t ($feat): $(grep -c . <<<"$tree") lines, no libc/errno"
        done
    done
    # Positive control: the same grep must see the libc dev-dependency, or
    # the check above could never fail.
    printf '+ cargo tree -e normal,dev --prefix none | grep -E "^(libc|errno) "   (control: must match)\n'
    tree=$(cargo tree -e normal,dev --prefix none)
    hits=$(grep -E '^(libc|errno) ' <<<"$tree" || true)
    if [[ -z "$hits" ]]; then
        log "control failed: the grep did not find the libc dev-dependency in:"
        log "$tree"
        return 1
    fi
    log "  control ok: $(tr '\n' ' ' <<<"$hits")"
}

st_test_native() {
    local t=$1
    if [[ $t == "$HOST_TARGET" ]]; then
        run_timed cargo test
    else
        run_timed cargo test --target "$t"
    fi
}

# The root suites, required: as root, natively, every case must really be
# played (a skip fails the stage). tests/hostile (the hostile peer:
# BAREIPC_HOSTILE=required) and tests/conformance (the LTP/OPTS cases:
# BAREIPC_CONFORMANCE=required). Built in a target dir under /tmp, so that
# the test binary is reachable by the second uid the tests switch children
# to, wherever the checkout lives.
st_root_suite() {
    local t=$1 suite=$2 var=$3 dir
    dir=${TMPDIR:-/tmp}/bareipc-hostile-target
    if ((EUID != 0)); then
        log "tests/$suite needs root (a second uid, ptrace, namespaces)"
        return 1
    fi
    mkdir -p "$dir"
    chmod 755 "$dir"
    run_timed env CARGO_TARGET_DIR="$dir" "$var=required" \
        cargo test --target "$t" --test "$suite"
}

# The syscall audit, required: every `Syscalls:` line against strace, and
# the static x86_64 nolibc program's whole trace (execve, the crate's
# documented syscalls only, exit_group).
st_syscall_audit() {
    local exe
    printf '+ (cd nolibc && cargo build --release --target %s)\n' "$HOST_TARGET"
    exe=$(cd nolibc && cargo build --release --target "$HOST_TARGET" --message-format=json-render-diagnostics |
        grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
    if [[ -z "$exe" || ! -f "$exe" ]]; then
        log "no nolibc executable reported by cargo build"
        return 1
    fi
    run_timed env BAREIPC_AUDIT=required BAREIPC_NOLIBC_BIN="$exe" \
        cargo test --test syscall_audit
}

# One test at a time under qemu-user: the tests fork children, and a fork
# in a guest with several busy threads once left the child deadlocked on a
# futex before exec (qemu-aarch64 7.2, seen once in this CI). With one test
# thread, the only other guest thread is libtest's main one, blocked.
st_test_qemu() {
    cargo_qemu "$1" test --target "$1" -- --test-threads=1
}

# cargo_qemu T ARGS...: `cargo ARGS...` for qemu-user target T, through the
# private binfmt_misc when there is one (so that spawned children run too),
# else with cargo's runner.
cargo_qemu() {
    local t=$1 envs prefix
    shift
    mapfile -t envs < <(linker_env "$t")
    prefix=$(qemu_ld_prefix "$t")
    if [[ -n "$prefix" ]]; then envs+=("QEMU_LD_PREFIX=$prefix"); fi
    if ((BINFMT_NS)); then
        run_timed bash ci/binfmt-ns.sh env "${envs[@]}" cargo "$@"
    else
        envs+=("CARGO_TARGET_$(env_var_target "$t")_RUNNER=$(qemu_name "$t")")
        run_timed env "${envs[@]}" cargo "$@"
    fi
}

# The README's first command: every technique between a parent and its
# re-executed child, each exchange checked. Exits non-zero if any technique
# the kernel (or qemu) offers failed; missing ones are shown as unavailable.
st_tour() {
    local t=$1 args=(run --release --example tour)
    if [[ $t != "$HOST_TARGET" ]]; then args+=(--target "$t"); fi
    if [[ -n "$(qemu_name "$t")" ]]; then
        cargo_qemu "$t" "${args[@]}"
    else
        run_timed cargo "${args[@]}"
    fi
}

st_nolibc() {
    local t=$1 exe info tree hits
    cd "$ROOT/nolibc"
    # The JSON messages name the binary wherever the target dir is.
    printf '+ cargo build --release --target %s\n' "$t"
    exe=$(cargo build --release --target "$t" --message-format=json-render-diagnostics |
        grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
    if [[ -z "$exe" || ! -f "$exe" ]]; then
        log "no executable reported by cargo build"
        return 1
    fi
    run_timed cargo run --release --target "$t"
    log "  exit status 0"
    info=$(file -b "$exe")
    log "  file: $info"
    if [[ "$info" != *"statically linked"* || "$info" == *interpreter* || "$info" == *dynamically* ]]; then
        log "not a static executable without interpreter: $exe"
        return 1
    fi
    log "  size: $(stat -c %s "$exe") bytes"
    if command -v size >/dev/null 2>&1; then
        log "  text: $(size "$exe" | awk 'NR == 2 { print $1 }') bytes (size)"
    fi
    tree=$(cargo tree -e normal --prefix none --target "$t")
    hits=$(grep -E '^(libc|errno) ' <<<"$tree" || true)
    if [[ -n "$hits" ]]; then
        log "libc/errno in nolibc's normal dependencies for $t: $hits"
        return 1
    fi
    log "  cargo tree -e normal: no libc/errno"
}

# The benchmark (examples/bench) as a smoke test only: every technique's
# round trip once, with tiny repetitions, plus `list`, one `op` and one
# `stream`; each must print its measurement lines. Never a timing
# assertion (timings here are noise).
st_bench_smoke() {
    local out line tech size layout
    export IPCB_REPS=1 IPCB_REP_MS=2 IPCB_PAIRS=1 IPCB_OP_PAIRS=1
    run cargo build --release --example bench
    bench() { timeout --kill-after=5 60 cargo run -q --release --example bench -- "$@"; }
    printf '+ bench list\n'
    out=$(bench list)
    grep -c . <<<"$out" | sed 's/^/  lines: /'
    # rt TECH: the smallest size, on CPU0 (split for spinning).
    while read -r line; do
        tech=$(grep -o 'tech=[a-z0-9_]*' <<<"$line" | cut -d= -f2)
        size=$(grep -o 'sizes=[0-9]*' <<<"$line" | cut -d= -f2)
        layout=same
        if [[ $line == *"layouts=split"* ]]; then layout=split; fi
        bench_check "rt $tech $size $layout" med_ns= bench rt "$tech" "$size" "$layout"
    done < <(grep '^rt ' <<<"$out")
    bench_check "op getppid" med_ns= bench op getppid
    bench_check "stream pipe 4096 same" med_ns_per_msg= bench stream pipe 4096 same
}

# The small programs of examples/ (each a user's first program), run
# natively: each must exit 0 by itself.
st_examples() {
    run bash ci/examples.sh
}

# What the crate page links must be in the published package: every
# relative link of README.md, SYSCALLS.md and bench/report.md names a file
# (or a directory holding files) that `cargo package --list` ships.
st_package() {
    local list doc link target missing=0
    list=$(cargo package --list --allow-dirty 2>/dev/null)
    log "  $(wc -l <<<"$list") files in the package"
    for doc in README.md SYSCALLS.md bench/report.md; do
        while IFS= read -r link; do
            [[ -z "$link" || "$link" == *://* || "$link" == \#* ]] && continue
            target=$(realpath -m --relative-to=. "$(dirname "$doc")/${link%%#*}")
            if ! grep -qxF "$target" <<<"$list" && ! grep -q "^$target/" <<<"$list"; then
                log "$doc links $link, which the package lacks"
                missing=1
            fi
        done < <(grep -o '\]([^)]*)' "$doc" | sed 's/^](//; s/)$//')
    done
    return "$missing"
}

# bench_check LABEL KEY CMD...: CMD's output has a bare and a libc line
# holding KEY.
bench_check() {
    local label=$1 key=$2 out
    shift 2
    out=$("$@")
    if [[ $(grep -c " arm=bare .*$key" <<<"$out") -ne 1 || $(grep -c " arm=libc .*$key" <<<"$out") -ne 1 ]]; then
        log "bench $label: no bare and libc lines with $key in:"
        log "$out"
        return 1
    fi
    log "  $(grep ' arm=bare ' <<<"$out" | grep -o '^[a-z]* tech=[^ ]* size=[^ ]* layout=[^ ]*\|ratio=[0-9.]*' | tr '\n' ' ')"
}

# ---------------------------------------------------------------- main

setup

stage fmt "tool:rustfmt" st_fmt
stage clippy "tool:clippy $(target_reqs "$HOST_TARGET")" st_clippy_host
stage clippy-features "tool:clippy $HOSTCC" st_clippy_features
for t in "${CROSS_TARGETS[@]}"; do
    stage "clippy-$t" "tool:clippy $HOSTCC target:$t" st_clippy_target "$t"
done
stage doc "$HOSTCC" st_doc
stage deps "" st_deps
stage test-x86_64-gnu "$(target_reqs "$HOST_TARGET")" st_test_native "$HOST_TARGET"
stage syscall-audit "apt:strace $(target_reqs "$HOST_TARGET")" st_syscall_audit
stage bench-smoke "$(target_reqs "$HOST_TARGET")" st_bench_smoke
stage test-i686-musl "$(target_reqs i686-unknown-linux-musl)" st_test_native i686-unknown-linux-musl
stage hostile-x86_64-gnu "$(target_reqs "$HOST_TARGET")" st_root_suite "$HOST_TARGET" hostile BAREIPC_HOSTILE
stage hostile-i686-musl "$(target_reqs i686-unknown-linux-musl)" st_root_suite i686-unknown-linux-musl hostile BAREIPC_HOSTILE
stage conformance-x86_64-gnu "$(target_reqs "$HOST_TARGET")" st_root_suite "$HOST_TARGET" conformance BAREIPC_CONFORMANCE
stage conformance-i686-musl "$(target_reqs i686-unknown-linux-musl)" st_root_suite i686-unknown-linux-musl conformance BAREIPC_CONFORMANCE
stage test-aarch64-musl "$(target_reqs aarch64-unknown-linux-musl)" st_test_qemu aarch64-unknown-linux-musl
stage test-riscv64gc-gnu "$(target_reqs riscv64gc-unknown-linux-gnu)" st_test_qemu riscv64gc-unknown-linux-gnu
stage test-armv7-gnueabihf "$(target_reqs armv7-unknown-linux-gnueabihf)" st_test_qemu armv7-unknown-linux-gnueabihf
stage examples "$(target_reqs "$HOST_TARGET")" st_examples
stage package "" st_package
stage tour-x86_64-gnu "$(target_reqs "$HOST_TARGET")" st_tour "$HOST_TARGET"
stage tour-i686-musl "$(target_reqs i686-unknown-linux-musl)" st_tour i686-unknown-linux-musl
stage tour-aarch64-musl "$(target_reqs aarch64-unknown-linux-musl)" st_tour aarch64-unknown-linux-musl
for t in "${NOLIBC_TARGETS[@]}"; do
    reqs="apt:file $HOSTCC"
    if [[ $t != "$HOST_TARGET" ]]; then reqs+=" target:$t"; fi
    if [[ -n "$(qemu_name "$t")" ]]; then reqs+=" apt:qemu-user-static"; fi
    stage "nolibc-$t" "$reqs" st_nolibc "$t"
done

finish
