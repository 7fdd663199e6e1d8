//! The `woonaudit` binary: the command line over the `woonaudit` library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
