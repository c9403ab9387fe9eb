//! Simulation budgets (`flow::budget`, `--max-events`, `--max-time`): a run
//! that needs more events than allowed stops with an error naming the limit
//! and the flag that raises it; one that fits gives the same numbers as an
//! unlimited run.

use crate::common::fabricsim as cli;
use fabricsim::flow::{Budget, BudgetExceeded, Flow, FlowError, simulate, simulate_within};

/// Three flows of different sizes on one link, all from t = 0: events at
/// the start and at each of the three finishes, 4 in all.
#[test]
fn the_event_budget_is_exact() {
    let flows: Vec<Flow> = [1e6, 2e6, 3e6]
        .iter()
        .map(|&b| Flow::on_path(&[0], 0.0, b, 0.0))
        .collect();
    let free = simulate(&[1e9], &flows).unwrap();
    assert_eq!(free.stats.events, 4);
    let mut enough = Budget::new(Some(4), None);
    assert_eq!(simulate_within(&[1e9], &flows, &mut enough).unwrap(), free);
    assert_eq!(enough.events_spent(), 4);
    let mut short = Budget::new(Some(3), None);
    assert_eq!(
        simulate_within(&[1e9], &flows, &mut short),
        Err(FlowError::Budget(BudgetExceeded::Events { limit: 3 }))
    );
}

#[test]
fn commands_stop_at_the_event_budget_with_a_hint() {
    let job = [
        "job",
        "topologies/h100-2tier-16node.toml",
        "workloads/llama3-8b.toml",
    ];
    let coll = [
        "collective",
        "topologies/h100-2tier-16node.toml",
        "--op",
        "all-reduce",
        "--size",
        "1GiB",
    ];
    for args in [&job[..], &coll[..]] {
        let stopped = cli(&[args, &["--max-events", "2"]].concat());
        assert_eq!(stopped.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&stopped.stderr);
        assert!(err.contains("budget of 2 flow-engine events"), "{err}");
        assert!(err.contains("--max-events"), "{err}");
        // A generous budget changes nothing.
        let free = cli(args);
        let roomy = cli(&[args, &["--max-events", "1000000", "--max-time", "600"]].concat());
        assert!(free.status.success() && roomy.status.success());
        assert_eq!(free.stdout, roomy.stdout);
    }
}

#[test]
fn flows_stops_at_the_event_budget_and_a_bad_time_is_a_usage_error() {
    // Two flows finishing at different times: 3 events.
    let json = r#"{"links": [{"id": "l0", "bandwidth": 1e9, "latency": 0}],
        "flows": [{"id": "a", "route": ["l0"], "bytes": 1e6, "start": 0},
                  {"id": "b", "route": ["l0"], "bytes": 2e6, "start": 0}]}"#;
    let path = std::env::temp_dir().join(format!("fabricsim-budget-{}.json", std::process::id()));
    std::fs::write(&path, json).unwrap();
    let p = path.to_str().unwrap();
    let out = cli(&["flows", p, "--max-events", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-events"));
    assert!(cli(&["flows", p, "--max-events", "3"]).status.success());
    std::fs::remove_file(&path).unwrap();
    let out = cli(&[
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1MiB",
        "--max-time=-1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("positive number of seconds"));
}

/// The deadline is also checked inside one max-min solve, which on a huge
/// input can take long with few events: 5,000 flows of equal size, each
/// on its own link, start together and finish together (2 event batches,
/// below the 1,024 events between the event loop's clock checks), so
/// the one solve freezes 5,000 links, past the 4,096 units of work
/// between its own checks. With the deadline already passed the run
/// stops with the time error; without a deadline it finishes.
#[test]
fn the_deadline_is_checked_inside_a_solve() {
    let n = 5000;
    let caps = vec![1e9; n];
    let flows: Vec<Flow> = (0..n)
        .map(|l| Flow::on_path(&[l as u32], 0.0, 1e6, 0.0))
        .collect();
    let free = simulate(&caps, &flows).unwrap();
    assert_eq!(free.stats.events, 2);
    let mut late = Budget::new(None, Some(1e-9));
    std::thread::sleep(std::time::Duration::from_millis(2));
    assert_eq!(
        simulate_within(&caps, &flows, &mut late),
        Err(FlowError::Budget(BudgetExceeded::Time { limit_s: 1e-9 }))
    );
}
