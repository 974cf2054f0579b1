//! FIFOs (in progress).
