//! `bench report`: the suite, written to bench/report.md and .svg.

use crate::harness::Cfg;

pub fn run(_parts: &[&str], _cfg: Cfg) {
    crate::sys::die("report", "not yet");
}
