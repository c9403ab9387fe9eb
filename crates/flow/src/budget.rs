//! A limit on the work of a simulation: engine events and wall-clock time.
//!
//! Every event of the flow engine (an instant at which flows start or
//! finish, [`super::engine`]) costs one unit of the event budget; the
//! wall-clock deadline is checked every [`CHECK_EVERY`] events, every few
//! thousand link freezes inside one max-min solve (a single solve of a huge
//! input can take long), and by callers between simulations and while they
//! route (the collective crate checks every 1,024 routes). A simulation that would go past either
//! limit stops with [`BudgetExceeded`] instead of running on: the user
//! gets an error naming the limit, never a partial number. One budget can
//! span many simulations (all the steps of a collective), which draw from
//! it in turn.

use std::time::{Duration, Instant};

/// Events between two deadline checks (reading the clock costs ~20 ns).
pub const CHECK_EVERY: u64 = 1024;

/// Engine events allowed by default: far above any shipped case (the
/// 100,800-GPU job takes well under a million), low enough that a runaway
/// input stops within minutes.
pub const DEFAULT_MAX_EVENTS: u64 = 100_000_000;

/// Which limit a simulation hit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BudgetExceeded {
    /// The event budget ran out.
    #[error("simulation stopped: it needs more than its budget of {limit} flow-engine events")]
    Events {
        /// The budget's total number of engine events.
        limit: u64,
    },
    /// The wall-clock deadline passed.
    #[error("simulation stopped: it ran past its time budget of {limit_s} s (wall clock)")]
    Time {
        /// The budget's wall-clock limit \[s\].
        limit_s: f64,
    },
}

/// What a simulation may still spend.
#[derive(Debug, Clone)]
pub struct Budget {
    max_events: u64,
    events_left: u64,
    limit_s: Option<f64>,
    deadline: Option<Instant>,
}

impl Default for Budget {
    /// [`DEFAULT_MAX_EVENTS`] events, no time limit.
    fn default() -> Budget {
        Budget::new(Some(DEFAULT_MAX_EVENTS), None)
    }
}

impl Budget {
    /// At most `max_events` events (`None`: unlimited) and `max_time_s`
    /// seconds of wall clock from now (`None`: unlimited).
    pub fn new(max_events: Option<u64>, max_time_s: Option<f64>) -> Budget {
        let max_events = max_events.unwrap_or(u64::MAX);
        Budget {
            max_events,
            events_left: max_events,
            limit_s: max_time_s,
            // A limit too far away to represent is no deadline at all.
            deadline: max_time_s
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .and_then(|d| Instant::now().checked_add(d)),
        }
    }

    /// No limit at all.
    pub fn unlimited() -> Budget {
        Budget::new(None, None)
    }

    /// Spends one event; checks the deadline every [`CHECK_EVERY`] events.
    pub fn spend_event(&mut self) -> Result<(), BudgetExceeded> {
        if self.events_left == 0 {
            return Err(BudgetExceeded::Events {
                limit: self.max_events,
            });
        }
        self.events_left -= 1;
        if (self.max_events - self.events_left).is_multiple_of(CHECK_EVERY) {
            self.check_time()?;
        }
        Ok(())
    }

    /// Spends `n` events at once (work done elsewhere on a copy of this
    /// budget, as the parallel component simulation does): an error, with
    /// nothing spent, when fewer than `n` are left.
    pub fn spend_events(&mut self, n: u64) -> Result<(), BudgetExceeded> {
        if n > self.events_left {
            return Err(BudgetExceeded::Events {
                limit: self.max_events,
            });
        }
        self.events_left -= n;
        self.check_time()
    }

    /// Fails when the deadline has passed.
    pub fn check_time(&self) -> Result<(), BudgetExceeded> {
        match (self.deadline, self.limit_s) {
            (Some(d), Some(limit_s)) if Instant::now() > d => Err(BudgetExceeded::Time { limit_s }),
            _ => Ok(()),
        }
    }

    /// Events spent so far.
    pub fn events_spent(&self) -> u64 {
        self.max_events - self.events_left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_beyond_any_clock_are_no_limit() {
        for s in [1e20, f64::MAX, f64::INFINITY] {
            let mut b = Budget::new(Some(10), Some(s));
            assert!(b.check_time().is_ok());
            assert!(b.spend_event().is_ok());
        }
        // A deadline already past stops the next check.
        let b = Budget::new(None, Some(0.0));
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(b.check_time(), Err(BudgetExceeded::Time { limit_s: 0.0 }));
    }
}
