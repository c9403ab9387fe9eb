mod cli;
mod cli_flows;
mod examples;
mod flow_props;
mod flows;
mod topology;
mod units;
