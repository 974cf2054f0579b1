//! Audit cases for `shm`.

#[allow(unused_imports)]
use crate::audit;

pub fn run() {}
