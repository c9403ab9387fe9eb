mod cli;
mod cli_flows;
mod collectives;
mod examples;
mod flow_props;
mod flows;
mod topology;
mod units;
