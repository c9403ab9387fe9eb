//! Reports over the simulator's result types: [`info`] (what a topology is:
//! counts, injection bandwidth per tier, bisection, diameter) and
//! [`plot_data`] (the chart inputs of `fabricsim_plot` built from collective
//! and job reports).

pub mod info;
pub mod plot_data;
