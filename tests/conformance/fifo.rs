//! Conformance cases: fifo.
