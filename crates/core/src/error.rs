//! The library's error type. Only input that cannot be used at all is an
//! error; problems with single rows are data issues (`crate::issues`).
//! `cli` is the one place that turns these into messages and exit codes.

use std::path::PathBuf;

/// Why an audit could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// The config file cannot be read or holds an invalid value.
    #[error("config {path}: {message}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// An input file cannot be used (unreadable, not CSV or Parquet, a
    /// required column missing, a required table missing).
    #[error("{path}: {message}")]
    Input {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Strict mode found error-level data issues.
    #[error("{errors} data error(s) in the input (strict mode): fix them, or run with --lenient to set those rows aside")]
    DataErrors {
        /// Number of error-level issues.
        errors: usize,
    },
    /// A run failed after it began writing into an output folder that held
    /// an earlier run's results: they are kept, marked as not current.
    #[error("{source}; the earlier results in that folder are kept, marked as not current in {}", note.display())]
    NotCurrent {
        /// Why the run failed.
        source: Box<Error>,
        /// The note that marks them.
        note: PathBuf,
    },
    /// An output could not be written.
    #[error("cannot write {path}: {source}: give an output path you can write to")]
    Output {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code (spec 6): 2 for bad usage, unusable input or
    /// an output that cannot be written.
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// An input error for `path`.
    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
