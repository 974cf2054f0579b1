//! `cargo run --release --example bench -- CMD ...`: every technique
//! between two processes, bareipc against the same workload written with
//! the `libc` crate (glibc on gnu targets), interleaved in one run.
//!
//! ```text
//! bench rt TECH SIZE LAYOUT       round trip (parent pings, forked child echoes)
//! bench stream TECH SIZE LAYOUT   one-way throughput (child sends, parent receives)
//! bench op NAME                   single-process cost of one operation
//! bench list                      every valid TECH/SIZE and op NAME
//! bench report [PART...]          the suite; writes bench/report.{md,svg}
//! ```
//!
//! LAYOUT: `same` (both on CPU0: the primary layout for blocking
//! techniques), `split` (CPU0 / CPU1), `none` (unpinned). Environment:
//! `IPCB_REPS` (7) repetitions of `IPCB_REP_MS` (150) ms after a warm-up
//! of `IPCB_WARMUP_MS` (60); `IPCB_ARM` = `both` (default: batches libc,
//! bare, libc, bare ... and the median per-pair ratio), `bare` or `libc`
//! (one batch of one arm: the contract line another implementation
//! prints); `IPCB_PAIRS` (6) pairs of batches; `IPCB_OP_PAIRS` (21) pairs
//! of repetitions for `op`.
//!
//! Output: one line per measurement and arm, key=value, starting with the
//! suite (`rt`, `stream`, `op`) and holding `tech=`, `size=`, `layout=`,
//! `arm=` and `med_ns=` (rt, op) or `med_ns_per_msg=` (stream); with both
//! arms the bare line also holds `ratio=` (median of bare/libc per pair).
//! Lines starting with `#` are comments (the machine header first).
//! The method: /work/shared/notes/benchmarking.md, summarised in
//! bench/report.md.

mod fds;
mod harness;
mod ops;
mod posix;
mod report;
mod signals;
mod spin;
mod sys;
mod sysv;

use fds::{
    DgramT, EvBare, EvLibc, Fds, FifoBare, FifoLibc, PipeBare, PipeLibc, SeqPacketT, SockBare,
    SockLibc, StreamT,
};
use harness::{Cfg, Id, Layout, Runner, rt_batch, run_arms, stream_batch};

/// One technique: its round trip and (for those that carry data) stream,
/// in both arms, and the syscalls one round trip makes in each.
struct Tech {
    name: &'static str,
    rt_sizes: &'static [usize],
    rt: (Runner, Runner),
    stream_sizes: &'static [usize],
    stream: Option<(Runner, Runner)>,
    /// Spin-waiting: `same` is skipped.
    spin: bool,
    /// Syscalls per round trip (both sides), bare / libc, as verified with
    /// `strace -f -c` (see bench/report.md).
    calls: (&'static str, &'static str),
}

const DATA: &[usize] = &[1, 100, 4096];
const SIGNAL: &[usize] = &[8];
const STREAM: &[usize] = &[64, 4096, 65536];
const STREAM_Q: &[usize] = &[64, 4096, 8192];

macro_rules! both {
    ($f:ident, $bare:ty, $libc:ty) => {
        Some(($f::<$bare> as Runner, $f::<$libc> as Runner))
    };
}

fn techs() -> Vec<Tech> {
    use posix::{FutexBare, FutexLibc, MqBare, MqLibc};
    use signals::{Fd, FdLibc, KillBare, KillLibc, QueueBare, QueueLibc, Wait, WaitLibc};
    use spin::{SpinBare, SpinLibc};
    use sysv::{MsgBare, MsgLibc, SemBare, SemLibc};
    let t = |name, rt_sizes, rt: Option<(Runner, Runner)>, stream_sizes, stream, calls| Tech {
        name,
        rt_sizes,
        rt: rt.unwrap_or_else(|| sys::die("registry", name)),
        stream_sizes,
        stream,
        spin: false,
        calls,
    };
    let rw = ("4 (write, read)", "4 (write, read)");
    let sr = (
        "4 (sendto MSG_NOSIGNAL, recvfrom)",
        "4 (sendto MSG_NOSIGNAL, recvfrom)",
    );
    vec![
        t(
            "pipe",
            DATA,
            both!(rt_batch, Fds<PipeBare>, Fds<PipeLibc>),
            STREAM,
            both!(stream_batch, Fds<PipeBare>, Fds<PipeLibc>),
            rw,
        ),
        t(
            "fifo",
            DATA,
            both!(rt_batch, Fds<FifoBare>, Fds<FifoLibc>),
            STREAM,
            both!(stream_batch, Fds<FifoBare>, Fds<FifoLibc>),
            rw,
        ),
        t(
            "unix_stream",
            DATA,
            both!(rt_batch, Fds<SockBare<StreamT>>, Fds<SockLibc<StreamT>>),
            STREAM,
            both!(stream_batch, Fds<SockBare<StreamT>>, Fds<SockLibc<StreamT>>),
            sr,
        ),
        t(
            "unix_dgram",
            DATA,
            both!(rt_batch, Fds<SockBare<DgramT>>, Fds<SockLibc<DgramT>>),
            STREAM,
            both!(stream_batch, Fds<SockBare<DgramT>>, Fds<SockLibc<DgramT>>),
            sr,
        ),
        t(
            "unix_seqpacket",
            DATA,
            both!(
                rt_batch,
                Fds<SockBare<SeqPacketT>>,
                Fds<SockLibc<SeqPacketT>>
            ),
            STREAM,
            both!(
                stream_batch,
                Fds<SockBare<SeqPacketT>>,
                Fds<SockLibc<SeqPacketT>>
            ),
            sr,
        ),
        t(
            "sysv_msg",
            DATA,
            both!(rt_batch, MsgBare, MsgLibc),
            STREAM_Q,
            both!(stream_batch, MsgBare, MsgLibc),
            ("4 (msgsnd, msgrcv)", "4 (msgsnd, msgrcv)"),
        ),
        t(
            "posix_mq",
            DATA,
            both!(rt_batch, MqBare, MqLibc),
            STREAM_Q,
            both!(stream_batch, MqBare, MqLibc),
            (
                "4 (mq_timedsend, mq_timedreceive)",
                "4 (mq_timedsend, mq_timedreceive)",
            ),
        ),
        t(
            "eventfd",
            SIGNAL,
            both!(rt_batch, Fds<EvBare>, Fds<EvLibc>),
            &[],
            None,
            rw,
        ),
        t(
            "futex",
            SIGNAL,
            both!(rt_batch, FutexBare, FutexLibc),
            &[],
            None,
            ("4 (futex WAKE x2, WAIT x2)", "4 (futex WAKE x2, WAIT x2)"),
        ),
        t(
            "sysv_sem",
            SIGNAL,
            both!(rt_batch, SemBare, SemLibc),
            &[],
            None,
            ("4 (semop)", "4 (semtimedop: glibc's semop)"),
        ),
        t(
            "sigqueue_sigwaitinfo",
            SIGNAL,
            both!(rt_batch, QueueBare<Wait, false>, QueueLibc<WaitLibc>),
            &[],
            None,
            (
                "4 (rt_sigqueueinfo, rt_sigtimedwait)",
                "8 (getpid, getuid, rt_sigqueueinfo, rt_sigtimedwait)",
            ),
        ),
        t(
            "sigqueue_signalfd",
            SIGNAL,
            both!(rt_batch, QueueBare<Fd, false>, QueueLibc<FdLibc>),
            &[],
            None,
            (
                "4 (rt_sigqueueinfo, read)",
                "8 (getpid, getuid, rt_sigqueueinfo, read)",
            ),
        ),
        t(
            "sigqueue3_sigwaitinfo",
            SIGNAL,
            both!(rt_batch, QueueBare<Wait, true>, QueueLibc<WaitLibc>),
            &[],
            None,
            (
                "8 (getpid, getuid, rt_sigqueueinfo, rt_sigtimedwait)",
                "8 (getpid, getuid, rt_sigqueueinfo, rt_sigtimedwait)",
            ),
        ),
        t(
            "sigqueue3_signalfd",
            SIGNAL,
            both!(rt_batch, QueueBare<Fd, true>, QueueLibc<FdLibc>),
            &[],
            None,
            (
                "8 (getpid, getuid, rt_sigqueueinfo, read)",
                "8 (getpid, getuid, rt_sigqueueinfo, read)",
            ),
        ),
        t(
            "kill_handler_sigsuspend",
            SIGNAL,
            both!(rt_batch, KillBare, KillLibc),
            &[],
            None,
            (
                "6 (kill, rt_sigsuspend, rt_sigreturn)",
                "6 (kill, rt_sigsuspend, rt_sigreturn)",
            ),
        ),
        Tech {
            spin: true,
            ..t(
                "shm_spin",
                DATA,
                both!(rt_batch, SpinBare, SpinLibc),
                STREAM,
                both!(stream_batch, SpinBare, SpinLibc),
                ("0", "0"),
            )
        },
    ]
}

/// Why `shm_spin` has no `same` layout.
const SPIN_SAME: &str =
    "spin-wait on one vCPU waits a scheduler tick per handoff (benchmarking.md trap 5): use split";

fn usage() -> ! {
    eprintln!(
        "usage: bench rt TECH SIZE LAYOUT | stream TECH SIZE LAYOUT | op NAME | list | report [PART...]\n\
         env: IPCB_REPS IPCB_REP_MS IPCB_WARMUP_MS IPCB_ARM=both|bare|libc IPCB_PAIRS IPCB_OP_PAIRS"
    );
    std::process::exit(2)
}

/// The header every run prints first.
fn header(cfg: &Cfg) -> String {
    let (kernel, cpu, cmdline) = sys::machine();
    format!(
        "# bareipc bench kernel={kernel} cpu=\"{cpu}\" cpus={} start={} arm={} reps={} rep_ms={} warmup_ms={} pairs={} op_pairs={} cmdline=\"{cmdline}\"",
        sys::online_cpus(),
        sys::utc_now(),
        cfg.arm.map_or("both", |a| a.name()),
        cfg.reps,
        cfg.rep.as_millis(),
        cfg.warmup.as_millis(),
        cfg.pairs,
        cfg.op_pairs,
    )
}

/// Runs one rt or stream measurement; prints and returns its lines.
fn measure_one(suite: &str, tech: &Tech, size: usize, layout: Layout, cfg: &Cfg) -> Vec<String> {
    let (runners, sizes) = match suite {
        "rt" => (Some(tech.rt), tech.rt_sizes),
        _ => (tech.stream, tech.stream_sizes),
    };
    let Some((bare, libc)) = runners else {
        sys::die(
            suite,
            format!("{} has no {suite} (see `bench list`)", tech.name),
        );
    };
    if !sizes.contains(&size) {
        sys::die(suite, format!("{} takes sizes {sizes:?}", tech.name));
    }
    let id = Id {
        suite,
        tech: tech.name,
        size,
        layout: layout.name(),
    };
    if tech.spin && layout == Layout::Same {
        let l = format!(
            "{suite} tech={} size={size} layout=same skipped=\"{SPIN_SAME}\"",
            tech.name
        );
        println!("{l}");
        return vec![l];
    }
    let pairs = if tech.spin {
        cfg.pairs.max(20)
    } else {
        cfg.pairs
    };
    run_arms(
        &id,
        &|| bare(size, layout, cfg),
        &|| libc(size, layout, cfg),
        cfg,
        pairs,
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let cfg = Cfg::from_env();
    match a.as_slice() {
        ["list"] => list(),
        [suite @ ("rt" | "stream"), tech, size, layout] => {
            let techs = techs();
            let Some(t) = techs.iter().find(|t| t.name == *tech) else {
                sys::die("TECH", format!("unknown {tech:?} (see `bench list`)"));
            };
            let size = size.parse().unwrap_or_else(|_| usage());
            let layout = Layout::parse(layout).unwrap_or_else(|| usage());
            println!("{}", header(&cfg));
            measure_one(suite, t, size, layout, &cfg);
        }
        ["op", name] => {
            let ops = ops::all();
            let Some(o) = ops.iter().find(|o| o.name == *name) else {
                sys::die("op", format!("unknown {name:?} (see `bench list`)"));
            };
            println!("{}", header(&cfg));
            run_op(o, &cfg);
        }
        ["report", parts @ ..] => report::run(parts, cfg),
        _ => usage(),
    }
}

/// Runs one op; prints and returns its lines.
fn run_op(o: &ops::OpDef, cfg: &Cfg) -> Vec<String> {
    let id = Id {
        suite: "op",
        tech: o.name,
        size: 0,
        layout: "none",
    };
    (o.run)(&id, cfg)
}

fn list() {
    let join = |s: &[usize]| s.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    for t in techs() {
        let layouts = if t.spin {
            "split,none"
        } else {
            "same,split,none"
        };
        println!(
            "rt tech={} sizes={} layouts={layouts} syscalls_per_rt_bare=\"{}\" syscalls_per_rt_libc=\"{}\"",
            t.name,
            join(t.rt_sizes),
            t.calls.0,
            t.calls.1
        );
    }
    for t in techs() {
        if t.stream.is_some() {
            let layouts = if t.spin {
                "split,none"
            } else {
                "same,split,none"
            };
            println!(
                "stream tech={} sizes={} layouts={layouts}",
                t.name,
                join(t.stream_sizes)
            );
        }
    }
    for o in ops::all() {
        println!(
            "op name={} what=\"{}\" bare=\"{}\" libc=\"{}\"",
            o.name, o.what, o.bare_calls, o.libc_calls
        );
    }
}
