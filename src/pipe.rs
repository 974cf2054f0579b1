//! Anonymous pipes (in progress).
