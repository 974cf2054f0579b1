//! Conformance cases: file.
