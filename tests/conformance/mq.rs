//! Conformance cases: mq.
