//! Conformance cases: signal.
