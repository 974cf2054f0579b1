//! Audit cases for `mq`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
