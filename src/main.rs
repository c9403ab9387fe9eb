//! The `fabricsim` command: everything is in the `fabricsim-cli` crate.

fn main() -> std::process::ExitCode {
    fabricsim_cli::main()
}
