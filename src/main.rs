//! The `woonaudit` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    woonaudit::cli::main()
}
