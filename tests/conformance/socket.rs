//! Conformance cases: socket.
