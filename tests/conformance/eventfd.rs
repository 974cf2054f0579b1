//! Conformance cases: eventfd.
