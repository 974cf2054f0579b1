//! Audit cases for `key`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
