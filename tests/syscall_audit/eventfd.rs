//! Audit cases for `eventfd`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
