//! Quantities with units (placeholder; being written).
