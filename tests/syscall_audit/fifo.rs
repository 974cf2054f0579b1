//! Audit cases for `fifo`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
