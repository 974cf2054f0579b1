#!/usr/bin/env bash
# Run a command with qemu-user registered for aarch64, riscv64 and arm in a
# PRIVATE binfmt_misc instance, so that foreign binaries exec directly (no
# runner), including binaries that the tests spawn themselves
# (`std::process::Command::new(std::env::current_exe())`).
#
#   ci/binfmt-ns.sh COMMAND [ARGS...]
#   ci/binfmt-ns.sh --check     # exit 0 iff the mechanism works here
#
# How: since Linux 6.7 binfmt_misc is per user namespace. The command runs in
# `unshare --user --map-root-user --mount`; there we mount a fresh
# binfmt_misc instance and register /usr/bin/qemu-*-static with the F flag
# (the interpreter is opened at registration time). Nothing changes outside
# the namespace: the host's binfmt_misc (mounted or not) is untouched.
#
# Inside, the caller is uid 0 of a user namespace whose only mapping is
# 0 -> the caller's real uid (0 in CI). Consequences for tests: other uids
# show as 65534 (nobody), setgroups() is denied, and capabilities apply only
# to objects owned by the new namespace (root still owns what it creates,
# unshare(CLONE_NEWIPC|CLONE_NEWNS|...) still works).
#
# The binfmt_misc instance is mounted on a temporary directory, not on
# /proc/sys/fs/binfmt_misc, so that an autofs trigger there (systemd) is
# never touched. The directory is removed when the command ends.
set -euo pipefail

self=$(readlink -f "${BASH_SOURCE[0]}")

if [[ "${1:-}" == "--inner" ]]; then
    mnt=$2
    shift 2
    mount -t binfmt_misc binfmt_misc "$mnt"
    # name  magic (ELF header up to e_machine)  mask  interpreter
    # e_type mask \xfe\xff accepts ET_EXEC (2) and ET_DYN (3, PIE test binaries).
    reg() {
        local name=$1 class=$2 machine=$3 interp=$4
        local magic='\x7fELF\x'"$class"'\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x'"$machine"'\x00'
        local mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
        [[ -x "$interp" ]] || { echo "binfmt-ns: $interp not found" >&2; return 1; }
        # printf %s: the kernel itself decodes the \xNN escapes.
        printf '%s' ":$name:M::$magic:$mask:$interp:F" >"$mnt/register"
        grep -qx enabled "$mnt/$name"
    }
    reg qemu-aarch64 02 b7 /usr/bin/qemu-aarch64-static
    reg qemu-riscv64 02 f3 /usr/bin/qemu-riscv64-static
    reg qemu-arm     01 28 /usr/bin/qemu-arm-static
    if [[ "${1:-}" == "--check" ]]; then
        echo "binfmt-ns: registered $(cd "$mnt" && echo qemu-*)"
        exit 0
    fi
    exec "$@"
fi

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...] | --check" >&2
    exit 2
fi

mnt=$(mktemp -d "${TMPDIR:-/tmp}/binfmt-ns.XXXXXX")
rc=0
unshare --user --map-root-user --mount bash "$self" --inner "$mnt" "$@" || rc=$?
rmdir "$mnt" 2>/dev/null || true
exit "$rc"
