//! What both arms share: the process layout (fork, pinning, SIGKILL of the
//! echo child), the timed loops, the statistics and the output lines.
//! Only the per-message work (the traits below) differs between arms.

use std::time::{Duration, Instant};

use crate::sys::{self, pid_t};

/// Where the two processes run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Both on CPU0: the primary layout for blocking techniques.
    Same,
    /// Parent on CPU0, child on CPU1: primary for spinning, secondary
    /// (hypervisor-bound) for blocking.
    Split,
    /// Not pinned: a lottery, never a denominator.
    None,
}

impl Layout {
    pub fn parse(s: &str) -> Option<Layout> {
        match s {
            "same" => Some(Layout::Same),
            "split" => Some(Layout::Split),
            "none" => Some(Layout::None),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Layout::Same => "same",
            Layout::Split => "split",
            Layout::None => "none",
        }
    }

    fn parent_cpu(self) -> Option<usize> {
        match self {
            Layout::Same | Layout::Split => Some(0),
            Layout::None => None,
        }
    }

    fn child_cpu(self) -> Option<usize> {
        match self {
            Layout::Same => Some(0),
            Layout::Split => Some(1),
            Layout::None => None,
        }
    }
}

/// Which implementation a batch runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arm {
    /// bareipc (raw syscalls, no libc).
    Bare,
    /// The same workload through the libc crate (glibc on gnu targets).
    Libc,
}

impl Arm {
    pub fn name(self) -> &'static str {
        match self {
            Arm::Bare => "bare",
            Arm::Libc => "libc",
        }
    }
}

/// Run parameters, from the environment (`IPCB_*`).
#[derive(Clone, Copy, Debug)]
pub struct Cfg {
    /// Repetitions per batch (`IPCB_REPS`, 7).
    pub reps: usize,
    /// Length of one repetition (`IPCB_REP_MS`, 150).
    pub rep: Duration,
    /// Warm-up before the repetitions (`IPCB_WARMUP_MS`, 60; 2/5 of a
    /// repetition when only `IPCB_REP_MS` is given).
    pub warmup: Duration,
    /// Interleaved pairs of batches for `IPCB_ARM=both` (`IPCB_PAIRS`, 6).
    pub pairs: usize,
    /// Interleaved pairs of repetitions for `op` (`IPCB_OP_PAIRS`, 21).
    pub op_pairs: usize,
    /// `IPCB_ARM`: `None` for both, interleaved.
    pub arm: Option<Arm>,
}

fn env_num(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => sys::die(name, format!("not a number: {v:?}")),
    }
}

impl Cfg {
    pub fn from_env() -> Cfg {
        let rep_ms = env_num("IPCB_REP_MS");
        let warmup_ms = env_num("IPCB_WARMUP_MS").unwrap_or(match rep_ms {
            Some(r) => (r * 2 / 5).max(1),
            None => 60,
        });
        let arm = match std::env::var("IPCB_ARM").as_deref() {
            Ok("bare") => Some(Arm::Bare),
            Ok("libc") => Some(Arm::Libc),
            Ok("both") | Err(_) => None,
            Ok(other) => sys::die("IPCB_ARM", format!("bare, libc or both, not {other:?}")),
        };
        Cfg {
            reps: env_num("IPCB_REPS").unwrap_or(7).max(1) as usize,
            rep: Duration::from_millis(rep_ms.unwrap_or(150).max(1)),
            warmup: Duration::from_millis(warmup_ms),
            pairs: env_num("IPCB_PAIRS").unwrap_or(6).max(1) as usize,
            op_pairs: env_num("IPCB_OP_PAIRS").unwrap_or(21).max(1) as usize,
            arm,
        }
    }
}

/// The round trip, one implementation: objects made before the fork, then
/// the child echoes and the parent pings until the child is killed.
pub trait RoundTrip: Sized {
    /// Makes the objects (before the fork) for messages of `size` bytes.
    fn new(size: usize) -> Self;
    /// In the child, after the fork and pinning, before the first echo.
    fn child_init(&mut self, _parent: pid_t) {}
    /// In the parent, after the fork, before the first ping.
    fn parent_init(&mut self, _child: pid_t) {}
    /// Child: take one message and answer it.
    fn echo(&mut self);
    /// Parent: send one message and take the answer.
    fn ping(&mut self);
}

/// One-way throughput, one implementation: the child sends for ever, the
/// parent receives.
pub trait Stream: Sized {
    fn new(size: usize) -> Self;
    fn child_init(&mut self, _parent: pid_t) {}
    fn parent_init(&mut self, _child: pid_t) {}
    /// Child: send one message.
    fn send(&mut self);
    /// Parent: receive; returns the bytes received.
    fn recv(&mut self) -> usize;
}

/// What one batch measured.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// ns per round trip (or per message, or per op) of each repetition.
    pub reps: Vec<f64>,
    /// p50 and p99 of single round trips (one extra repetition), if taken.
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    /// Round trips (messages, ops) in the repetitions.
    pub count: u64,
}

impl Batch {
    pub fn median(&self) -> f64 {
        median(&self.reps)
    }
}

pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Runs `f` for at least `dur`, reading the clock only between chunks
/// that grow to about 1/64 of `dur`; returns (calls, elapsed).
#[inline(always)]
pub fn timed<F: FnMut()>(mut f: F, dur: Duration) -> (u64, Duration) {
    let start = Instant::now();
    let mut last = start;
    let mut n = 0u64;
    let mut chunk = 1u64;
    loop {
        for _ in 0..chunk {
            f();
        }
        n += chunk;
        let now = Instant::now();
        let el = now - start;
        if el >= dur {
            return (n, el);
        }
        if (now - last) * 64 < dur {
            chunk *= 2;
        }
        last = now;
    }
}

/// Warm-up, `cfg.reps` timed repetitions, and (with `per_call`) one more
/// repetition timing each call alone for p50/p99.
#[inline(always)]
pub fn measure<F: FnMut()>(mut f: F, cfg: &Cfg, per_call: bool) -> Batch {
    timed(&mut f, cfg.warmup);
    let mut b = Batch::default();
    for _ in 0..cfg.reps {
        let (n, el) = timed(&mut f, cfg.rep);
        b.reps.push(el.as_nanos() as f64 / n as f64);
        b.count += n;
    }
    if per_call {
        let cap = ((cfg.rep.as_nanos() / 50) as usize).clamp(1, 4 << 20);
        let mut samples: Vec<u32> = Vec::with_capacity(cap);
        let start = Instant::now();
        while samples.len() < cap {
            let t0 = Instant::now();
            f();
            let t1 = Instant::now();
            samples.push((t1 - t0).as_nanos().min(u32::MAX as u128) as u32);
            if t1 - start >= cfg.rep {
                break;
            }
        }
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize] as f64;
        b.p50 = Some(at(0.50));
        b.p99 = Some(at(0.99));
    }
    b
}

/// Forks the child for one batch, pinned per `layout`: `child` runs there
/// for ever (until SIGKILL), `parent` measures here.
fn with_child<T>(
    layout: Layout,
    obj: &mut T,
    child: impl FnOnce(&mut T, pid_t),
    parent: impl FnOnce(&mut T, pid_t) -> Batch,
) -> Batch {
    sys::pin(layout.parent_cpu());
    let me = sys::getpid();
    let pid = sys::fork();
    if pid == 0 {
        if let Some(c) = layout.child_cpu() {
            sys::pin(Some(c));
        }
        child(obj, me);
        sys::die("child", "the echo loop returned");
    }
    let b = parent(obj, pid);
    sys::reap(pid);
    b
}

/// One round-trip batch of implementation `T`.
pub fn rt_batch<T: RoundTrip>(size: usize, layout: Layout, cfg: &Cfg) -> Batch {
    let mut t = T::new(size);
    with_child(
        layout,
        &mut t,
        |t, parent| {
            t.child_init(parent);
            loop {
                t.echo();
            }
        },
        |t, child| {
            t.parent_init(child);
            measure(|| t.ping(), cfg, true)
        },
    )
}

/// One stream batch of implementation `T`: ns per message of `size`.
pub fn stream_batch<T: Stream>(size: usize, layout: Layout, cfg: &Cfg) -> Batch {
    let mut t = T::new(size);
    with_child(
        layout,
        &mut t,
        |t, parent| {
            t.child_init(parent);
            loop {
                t.send();
            }
        },
        |t, child| {
            t.parent_init(child);
            // Count bytes, report per message of `size` (a stream read
            // may return part of a message or several).
            let mut bytes = 0usize;
            timed(|| bytes += t.recv(), cfg.warmup);
            let mut b = Batch::default();
            for _ in 0..cfg.reps {
                bytes = 0;
                let (_, el) = timed(|| bytes += t.recv(), cfg.rep);
                let msgs = (bytes / size).max(1) as u64;
                b.reps.push(el.as_nanos() as f64 / msgs as f64);
                b.count += msgs;
            }
            b
        },
    )
}

/// A batch runner for one arm: (size, layout, cfg) -> batch.
pub type Runner = fn(usize, Layout, &Cfg) -> Batch;

/// One measurement's identity, printed first on its lines.
pub struct Id<'a> {
    pub suite: &'a str,
    pub tech: &'a str,
    pub size: usize,
    pub layout: &'a str,
}

/// Runs one arm alone (`cfg.reps` repetitions) or both interleaved
/// (`cfg.pairs` pairs: libc, bare, libc, bare, ...) and prints the lines.
/// Returns the lines printed.
pub fn run_arms(
    id: &Id,
    bare: &dyn Fn() -> Batch,
    libc: &dyn Fn() -> Batch,
    cfg: &Cfg,
    pairs: usize,
) -> Vec<String> {
    let mut lines = Vec::new();
    match cfg.arm {
        Some(arm) => {
            let b = if arm == Arm::Bare { bare() } else { libc() };
            lines.push(line(id, arm, std::slice::from_ref(&b), None));
        }
        None => {
            let mut bs = Vec::new();
            let mut ls = Vec::new();
            for _ in 0..pairs {
                ls.push(libc());
                bs.push(bare());
            }
            let ratios: Vec<f64> = bs
                .iter()
                .zip(&ls)
                .map(|(b, l)| b.median() / l.median())
                .collect();
            lines.push(line(id, Arm::Libc, &ls, None));
            lines.push(line(id, Arm::Bare, &bs, Some(&ratios)));
        }
    }
    for l in &lines {
        println!("{l}");
    }
    lines
}

/// The key=value line of one arm over its batches: `med_ns` is the median
/// of the batch medians (of one batch: the median of its repetitions),
/// `min_ns`/`max_ns` their extremes.
pub fn line(id: &Id, arm: Arm, batches: &[Batch], ratios: Option<&[f64]>) -> String {
    let meds: Vec<f64> = if batches.len() == 1 {
        batches[0].reps.clone()
    } else {
        batches.iter().map(Batch::median).collect()
    };
    let unit = if id.suite == "stream" {
        "ns_per_msg"
    } else {
        "ns"
    };
    let mut s = format!(
        "{} tech={} size={} layout={} arm={} impl={} batches={} reps={} med_{unit}={:.1} min_{unit}={:.1} max_{unit}={:.1}",
        id.suite,
        id.tech,
        id.size,
        id.layout,
        arm.name(),
        if arm == Arm::Bare { "bareipc" } else { "libc" },
        batches.len(),
        batches.iter().map(|b| b.reps.len()).sum::<usize>(),
        median(&meds),
        min(&meds),
        max(&meds),
    );
    let p50: Vec<f64> = batches.iter().filter_map(|b| b.p50).collect();
    let p99: Vec<f64> = batches.iter().filter_map(|b| b.p99).collect();
    if !p50.is_empty() {
        s += &format!(" p50_ns={:.0} p99_ns={:.0}", median(&p50), median(&p99));
    }
    s += &format!(" n={}", batches.iter().map(|b| b.count).sum::<u64>());
    if let Some(r) = ratios {
        s += &format!(
            " pairs={} ratio={:.3} ratio_min={:.3} ratio_max={:.3}",
            r.len(),
            median(r),
            min(r),
            max(r)
        );
    }
    s
}
