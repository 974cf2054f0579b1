//! Conformance cases: pipe.
