//! Running a sweep's points in parallel (rayon, the caller's pool), one row
//! per point in point order whatever the schedule.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::point::{metric_cells, run_point};
use super::table::count_errors;
use super::{Cell, Shard, Sweep, Table, metric_columns};
use fabricsim_collective::Params;

/// Runs the points of `shard` (all points when `None`) on the current rayon
/// pool and returns their rows sorted by point. `params` holds the
/// simulation knobs of every point, including its budget (`max_events`,
/// `max_time_s`: per point, so a point over budget is a row with its error).
///
/// Before starting a point a worker checks `stop`; once it is set no new
/// point starts, the points running finish, and the table is marked
/// incomplete. `done` is called after each finished point (progress). A
/// point that fails, or panics (a bug), becomes a row with its `error`.
pub fn run(
    sw: &Sweep,
    params: &Params,
    shard: Option<Shard>,
    stop: &AtomicBool,
    done: &(dyn Fn() + Sync),
) -> Table {
    let (index, count) = shard.map_or((0, 1), |s| (s.index, s.count));
    let points: Vec<usize> = (index..sw.points()).step_by(count).collect();
    let rows: Vec<Option<Vec<Cell>>> = points
        .par_iter()
        .map(|&p| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let row = row(sw, params, p);
            done();
            Some(row)
        })
        .collect();
    let complete = rows.iter().all(Option::is_some);
    let rows: Vec<Vec<Cell>> = rows.into_iter().flatten().collect();
    let mut header = sw.header_with(shard, params);
    header.complete = complete;
    header.errors = count_errors(&rows);
    Table { header, rows }
}

/// The row of point `p`: its index, axis values, metrics (or nulls) and error.
fn row(sw: &Sweep, params: &Params, p: usize) -> Vec<Cell> {
    let mut cells = vec![Cell::Int(p as i64)];
    cells.extend(
        sw.axes
            .iter()
            .zip(sw.coords(p))
            .map(|(a, c)| Cell::from_toml(&a.values[c])),
    );
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_point(sw, params, p)))
            .unwrap_or_else(|e| {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(format!(
                    "internal error (a bug in fabricsim, please report it): {msg}"
                ))
            });
    match outcome {
        Ok(m) => {
            cells.extend(metric_cells(&m));
            cells.push(Cell::Null);
        }
        Err(e) => {
            cells.extend(metric_columns(sw.target).iter().map(|_| Cell::Null));
            cells.push(Cell::Str(e));
        }
    }
    cells
}
