//! collective: algorithms, protocols, NCCL's model, routing fidelity, closed forms, properties.

mod bounds;
mod collective_algos;
mod collective_props;
mod collectives;
mod mesh_rings;
mod nccl_tuning;
mod nccl_tuning_2_28;
mod numeric_props;
mod protocols;
mod pxn;
mod rack_scaling;
mod rccl_choice;
mod routing_fidelity;
mod staged;
mod symmetry;
