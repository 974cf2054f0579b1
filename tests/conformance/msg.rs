//! Conformance cases: msg.
