//! Conformance cases: sem.
