//! Conformance cases: shm.
