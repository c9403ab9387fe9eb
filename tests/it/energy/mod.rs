//! energy: the energy and power of runs (docs/energy.md): conservation,
//! published envelopes, the power cap and the `[power]` table.

mod conservation;
mod envelopes;
mod whatifs;
