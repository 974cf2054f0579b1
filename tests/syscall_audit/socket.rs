//! Audit cases for `socket`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
