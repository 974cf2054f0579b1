//! Audit cases for `sem`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
