//! Audit cases for `file`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
