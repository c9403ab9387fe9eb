//! topology: files, blocks, failures, shipped fabrics, `info`.

mod bisection;
mod block_equivalence;
mod failures;
mod info_golden;
mod plausibility;
mod rules;
mod shipped;
mod shipped_blocks;
mod topology_blocks;
