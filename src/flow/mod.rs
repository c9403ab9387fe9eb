//! The flow-level network model (being written).
