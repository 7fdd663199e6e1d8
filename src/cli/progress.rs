//! Progress on stderr for long runs: a spinner with the current stage and
//! the time so far. indicatif draws only when stderr is a terminal, so pipes,
//! files and CI logs stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The stage spinner of one command. Cleared when dropped.
pub(crate) struct Progress(ProgressBar);

impl Progress {
    /// Starts the spinner (invisible unless stderr is a terminal).
    pub(crate) fn start(first: &'static str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed}] {msg}") {
            bar.set_style(style);
        }
        bar.set_message(first);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    /// Shows the stage now running.
    pub(crate) fn stage(&self, message: &'static str) {
        self.0.set_message(message);
    }

    /// Runs `f` with the spinner out of the way, for messages of our own.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.0.suspend(f)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
