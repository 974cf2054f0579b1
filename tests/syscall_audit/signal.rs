//! Audit cases for `signal`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
