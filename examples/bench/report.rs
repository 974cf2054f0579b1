//! `bench report [PART...]`: runs the suite with both arms interleaved and
//! writes bench/report.md (tables) and bench/report.svg (round trip per
//! technique, bareipc beside libc).
//!
//! PART is `rt` (every technique, same CPU, every size), `split` (shm_spin
//! and a few blocking techniques on CPU0/CPU1), `op` (every operation),
//! `stream` (one-way throughput at 4 KiB), a technique name (its `rt` rows),
//! or `render` (no measurement). No PART: all four. Measurements are kept
//! in bench/report.data, so the suite can be run in parts (the guest clock
//! stops between commands: keep each under ~9 minutes) and re-run part by
//! part; each row names the run it came from.
//!
//! Defaults for the report (unless the environment says otherwise): 3
//! repetitions of 100 ms per batch, 6 pairs of batches (20 for spinning),
//! 21 pairs of 100 ms repetitions per op.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::harness::{Cfg, Layout};
use crate::{header, measure_one, ops, run_op, sys, techs};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench")
}

/// The stream rows of the report: (technique, size, layout).
const STREAMS: &[(&str, usize, Layout)] = &[
    ("pipe", 4096, Layout::Same),
    ("unix_stream", 4096, Layout::Same),
    ("unix_dgram", 4096, Layout::Same),
    ("sysv_msg", 4096, Layout::Same),
    ("posix_mq", 4096, Layout::Same),
    ("shm_spin", 4096, Layout::Split),
];

/// The split-layout rows: (technique, size).
const SPLIT: &[(&str, usize)] = &[
    ("shm_spin", 1),
    ("shm_spin", 100),
    ("shm_spin", 4096),
    ("pipe", 1),
    ("eventfd", 8),
    ("futex", 8),
];

pub fn run(parts: &[&str], mut cfg: Cfg) {
    if std::env::var_os("IPCB_REPS").is_none() {
        cfg.reps = 3;
    }
    if std::env::var_os("IPCB_REP_MS").is_none() {
        cfg.rep = Duration::from_millis(100);
    }
    if cfg.arm.is_some() {
        sys::die("report", "the report needs both arms: unset IPCB_ARM");
    }
    let all = ["rt", "split", "op", "stream"];
    let parts: Vec<&str> = if parts.is_empty() {
        all.to_vec()
    } else {
        parts.to_vec()
    };
    let hdr = header(&cfg);
    let run_id = sys::utc_now();
    let mut new = Vec::new();
    if parts != ["render"] {
        println!("{hdr}");
    }
    let techs = techs();
    for part in &parts {
        match *part {
            "render" => {}
            "rt" => {
                for t in &techs {
                    for &s in t.rt_sizes {
                        new.extend(measure_one("rt", t, s, Layout::Same, &cfg));
                    }
                }
            }
            "split" => {
                for &(name, s) in SPLIT {
                    if let Some(t) = techs.iter().find(|t| t.name == name) {
                        new.extend(measure_one("rt", t, s, Layout::Split, &cfg));
                    }
                }
            }
            "op" => {
                for o in ops::all() {
                    new.extend(run_op(&o, &cfg));
                }
            }
            "stream" => {
                for &(name, s, l) in STREAMS {
                    if let Some(t) = techs.iter().find(|t| t.name == name) {
                        new.extend(measure_one("stream", t, s, l, &cfg));
                    }
                }
            }
            name => match techs.iter().find(|t| t.name == name) {
                Some(t) => {
                    for &s in t.rt_sizes {
                        new.extend(measure_one("rt", t, s, Layout::Same, &cfg));
                    }
                }
                None => sys::die("report", format!("unknown part {name:?}")),
            },
        }
    }
    let data = dir().join("report.data");
    let mut store = Store::load(&data);
    if !new.is_empty() {
        store
            .headers
            .insert(run_id.clone(), hdr.trim_start_matches("# ").to_owned());
        for l in new {
            if l.contains(" med_") {
                store.put(&l, &run_id);
            }
        }
        store.save(&data);
    }
    let md = render_md(&store);
    let svg = render_svg(&store);
    write(&dir().join("report.md"), &md);
    write(&dir().join("report.svg"), &svg);
    eprintln!(
        "bench: wrote {}",
        dir().join("report.{data,md,svg}").display()
    );
}

fn write(p: &std::path::Path, s: &str) {
    if let Some(d) = p.parent() {
        let _ = std::fs::create_dir_all(d);
    }
    if let Err(e) = std::fs::write(p, s) {
        sys::die("write", format!("{}: {e}", p.display()));
    }
}

/// The measurements kept between parts: one line per (suite, tech, size,
/// layout, arm), each ending in ` run=START`, and the header of each run.
struct Store {
    headers: BTreeMap<String, String>,
    rows: BTreeMap<(String, String, usize, String, String), Row>,
}

/// One stored line, parsed.
#[derive(Clone)]
struct Row {
    kv: BTreeMap<String, String>,
    raw: String,
}

impl Row {
    fn parse(line: &str) -> Option<Row> {
        let mut kv = BTreeMap::new();
        let mut it = line.splitn(2, ' ');
        kv.insert("suite".to_owned(), it.next()?.to_owned());
        // Values never hold spaces (quoted ones are not stored).
        for w in it.next()?.split(' ') {
            let (k, v) = w.split_once('=')?;
            kv.insert(k.to_owned(), v.to_owned());
        }
        Some(Row {
            kv,
            raw: line.to_owned(),
        })
    }
    fn get(&self, k: &str) -> &str {
        self.kv.get(k).map_or("", String::as_str)
    }
    fn num(&self, k: &str) -> f64 {
        self.get(k).parse().unwrap_or(f64::NAN)
    }
    fn key(&self) -> (String, String, usize, String, String) {
        (
            self.get("suite").to_owned(),
            self.get("tech").to_owned(),
            self.get("size").parse().unwrap_or(0),
            self.get("layout").to_owned(),
            self.get("arm").to_owned(),
        )
    }
}

impl Store {
    fn load(p: &std::path::Path) -> Store {
        let mut s = Store {
            headers: BTreeMap::new(),
            rows: BTreeMap::new(),
        };
        for l in std::fs::read_to_string(p).unwrap_or_default().lines() {
            if let Some(h) = l.strip_prefix("# run=") {
                if let Some((id, rest)) = h.split_once(' ') {
                    s.headers.insert(id.to_owned(), rest.to_owned());
                }
            } else if let Some(r) = Row::parse(l) {
                s.rows.insert(r.key(), r);
            }
        }
        s
    }

    fn put(&mut self, line: &str, run: &str) {
        if let Some(r) = Row::parse(&format!("{line} run={run}")) {
            self.rows.insert(r.key(), r);
        }
    }

    fn save(&self, p: &std::path::Path) {
        let used: std::collections::BTreeSet<&str> =
            self.rows.values().map(|r| r.get("run")).collect();
        let mut s = String::new();
        for (id, h) in &self.headers {
            if used.contains(id.as_str()) {
                let _ = writeln!(s, "# run={id} {h}");
            }
        }
        for r in self.rows.values() {
            let _ = writeln!(s, "{}", r.raw);
        }
        write(p, &s);
    }

    fn get(&self, suite: &str, tech: &str, size: usize, layout: &str, arm: &str) -> Option<&Row> {
        self.rows.get(&(
            suite.to_owned(),
            tech.to_owned(),
            size,
            layout.to_owned(),
            arm.to_owned(),
        ))
    }
}

fn ns(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v >= 100.0 {
        let v = v.round() as u64;
        if v >= 1000 {
            format!("{},{:03}", v / 1000, v % 1000)
        } else {
            v.to_string()
        }
    } else {
        format!("{v:.1}")
    }
}

/// A ratio cell: median and the per-pair range.
fn ratio(b: &Row) -> String {
    format!(
        "**{:.3}** ({:.2}–{:.2})",
        b.num("ratio"),
        b.num("ratio_min"),
        b.num("ratio_max")
    )
}

fn render_md(st: &Store) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "# bareipc against libc, measured\n");
    let _ = writeln!(
        w,
        "Written by `cargo run --release --example bench -- report` (examples/bench). \
         Each technique's workload runs twice, once through bareipc and once through the \
         `libc` crate (glibc here, as a C program would call it), in batches interleaved \
         libc, bareipc, libc, bareipc, ... in one run. A batch forks an echo child, pins \
         both processes, warms up, then times repetitions; its value is the median \
         repetition. The ratio is the median over the pairs of bareipc/libc (below 1: \
         bareipc is faster); the range in brackets is the lowest and highest pair. \
         Method and noise: benchmarking.md (same-CPU ratios hold to about ±3%; split \
         and spin ranges are much wider).\n"
    );
    let _ = writeln!(w, "## Machine and runs\n");
    let used: std::collections::BTreeSet<&str> = st.rows.values().map(|r| r.get("run")).collect();
    for (id, h) in &st.headers {
        if used.contains(id.as_str()) {
            let _ = writeln!(w, "- run {id}: `{h}`");
        }
    }
    let _ = writeln!(w);

    let _ = writeln!(
        w,
        "## Round trip, both processes on CPU0 (the primary layout)\n"
    );
    let _ = writeln!(
        w,
        "| technique | size (B) | libc ns | bareipc ns | bareipc/libc | p99 libc / bareipc ns | syscalls per round trip, libc / bareipc |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---|");
    for t in techs() {
        for &size in t.rt_sizes {
            let (Some(l), Some(b)) = (
                st.get("rt", t.name, size, "same", "libc"),
                st.get("rt", t.name, size, "same", "bare"),
            ) else {
                continue;
            };
            let _ = writeln!(
                w,
                "| {} | {size} | {} | {} | {} | {} / {} | {} / {} |",
                t.name,
                ns(l.num("med_ns")),
                ns(b.num("med_ns")),
                ratio(b),
                ns(l.num("p99_ns")),
                ns(b.num("p99_ns")),
                t.calls.1,
                t.calls.0,
            );
        }
    }
    if techs().iter().any(|t| t.spin) {
        let _ = writeln!(w, "\nshm_spin has no same-CPU row: {}.", crate::SPIN_SAME);
    }

    let _ = writeln!(w, "\n## Round trip, CPU0 and CPU1\n");
    let _ = writeln!(
        w,
        "The primary layout for shm_spin; for blocking techniques each wake-up crosses \
         vCPUs (about 20 µs in this hypervisor), which hides user-space differences.\n"
    );
    let _ = writeln!(
        w,
        "| technique | size (B) | pairs | libc ns | bareipc ns | bareipc/libc | p99 libc / bareipc ns |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|");
    for &(name, size) in SPLIT {
        let (Some(l), Some(b)) = (
            st.get("rt", name, size, "split", "libc"),
            st.get("rt", name, size, "split", "bare"),
        ) else {
            continue;
        };
        let _ = writeln!(
            w,
            "| {name} | {size} | {} | {} | {} | {} | {} / {} |",
            b.get("pairs"),
            ns(l.num("med_ns")),
            ns(b.num("med_ns")),
            ratio(b),
            ns(l.num("p99_ns")),
            ns(b.num("p99_ns")),
        );
    }

    let _ = writeln!(w, "\n## Single operations, one process\n");
    let _ = writeln!(
        w,
        "Both arms in one process, repetitions interleaved (libc, bareipc, ...), ratio over the pairs.\n"
    );
    let _ = writeln!(
        w,
        "| op | what | libc ns | bareipc ns | bareipc/libc | syscalls, libc / bareipc |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---|");
    for o in ops::all() {
        let (Some(l), Some(b)) = (
            st.get("op", o.name, 0, "none", "libc"),
            st.get("op", o.name, 0, "none", "bare"),
        ) else {
            continue;
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} / {} |",
            o.name,
            o.what,
            ns(l.num("med_ns")),
            ns(b.num("med_ns")),
            ratio(b),
            o.libc_calls,
            o.bare_calls,
        );
    }

    let _ = writeln!(w, "\n## One-way stream (child sends, parent receives)\n");
    let _ = writeln!(
        w,
        "| technique | size (B) | layout | libc ns/msg | bareipc ns/msg | bareipc/libc |"
    );
    let _ = writeln!(w, "|---|---:|---|---:|---:|---:|");
    for &(name, size, layout) in STREAMS {
        let (Some(l), Some(b)) = (
            st.get("stream", name, size, layout.name(), "libc"),
            st.get("stream", name, size, layout.name(), "bare"),
        ) else {
            continue;
        };
        let _ = writeln!(
            w,
            "| {name} | {size} | {} | {} | {} | {} |",
            layout.name(),
            ns(l.num("med_ns_per_msg")),
            ns(b.num("med_ns_per_msg")),
            ratio(b),
        );
    }
    let _ = writeln!(w, "\n{}", NOTES.trim());
    let _ = writeln!(w, "\n![round trip per technique](report.svg)");
    s
}

/// Hand-written findings, kept with the code that measures them.
const NOTES: &str = include_str!("report_notes.md");

/// Bars: same-CPU round trip at each technique's smallest size, libc and
/// bareipc side by side.
fn render_svg(st: &Store) -> String {
    let rows: Vec<(String, f64, f64, f64)> = techs()
        .iter()
        .filter_map(|t| {
            let size = t.rt_sizes[0];
            let layout = if t.spin { "split" } else { "same" };
            let l = st.get("rt", t.name, size, layout, "libc")?;
            let b = st.get("rt", t.name, size, layout, "bare")?;
            let label = if t.spin {
                format!("{} {size} B (split)", t.name)
            } else {
                format!("{} {size} B", t.name)
            };
            Some((label, l.num("med_ns"), b.num("med_ns"), b.num("ratio")))
        })
        .collect();
    let max = rows.iter().map(|r| r.1.max(r.2)).fold(1.0, f64::max);
    let (left, width, bar, gap) = (230.0, 470.0, 11.0, 10.0);
    let row_h = 2.0 * bar + gap;
    let top = 50.0;
    let h = top + rows.len() as f64 * row_h + 30.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="820" height="{h:.0}" viewBox="0 0 820 {h:.0}" font-family="sans-serif" font-size="11">"##
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#fff"/>"##);
    let _ = writeln!(
        s,
        r##"<text x="10" y="20" font-size="14" font-weight="bold">Round trip between two processes (ns, median; lower is better)</text>"##
    );
    let _ = writeln!(
        s,
        r##"<rect x="{left}" y="30" width="10" height="10" fill="#9e9e9e"/><text x="{}" y="39">libc (glibc)</text><rect x="{}" y="30" width="10" height="10" fill="#1f6feb"/><text x="{}" y="39">bareipc</text><text x="{}" y="39">bareipc/libc</text>"##,
        left + 14.0,
        left + 110.0,
        left + 124.0,
        left + width + 20.0
    );
    for (i, (label, l, b, r)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let lw = width * l / max;
        let bw = width * b / max;
        let _ = writeln!(
            s,
            r##"<text x="{:.0}" y="{:.1}" text-anchor="end">{label}</text>"##,
            left - 6.0,
            y + bar + 4.0
        );
        let _ = writeln!(
            s,
            r##"<rect x="{left}" y="{y:.1}" width="{lw:.1}" height="{bar}" fill="#9e9e9e"/><text x="{:.1}" y="{:.1}" font-size="9">{}</text>"##,
            left + lw + 3.0,
            y + bar - 2.0,
            ns(*l)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{left}" y="{:.1}" width="{bw:.1}" height="{bar}" fill="#1f6feb"/><text x="{:.1}" y="{:.1}" font-size="9">{}</text>"##,
            y + bar,
            left + bw + 3.0,
            y + 2.0 * bar - 2.0,
            ns(*b)
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.0}" y="{:.1}">{r:.3}</text>"##,
            left + width + 20.0,
            y + bar + 4.0
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="10" y="{:.0}" font-size="9" fill="#555">Same CPU (both pinned to CPU0) except shm_spin (CPU0/CPU1). Smallest size of each technique. Data: bench/report.md.</text>"##,
        h - 10.0
    );
    let _ = writeln!(s, "</svg>");
    s
}
