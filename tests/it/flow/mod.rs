//! flow: the max-min engine and its budgets.

mod budget;
pub(crate) mod flow_props;
mod flows;
