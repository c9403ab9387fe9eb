//! calibrate and validate: fits, fit checks, the model-error report.

mod calibrate;
mod fit_checks;
mod validate_model;
