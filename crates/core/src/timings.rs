//! Wall-clock time per pipeline stage, for `run --timings` (spec 6.1) and
//! the scale benchmark. Timings never go into an output file: reruns must
//! stay byte-identical.

use std::time::{Duration, Instant};

/// The stages of one run, in the order they ran.
#[derive(Debug, Default)]
pub struct Timings {
    stages: Vec<(&'static str, Duration)>,
    /// Peak memory (KiB) reached by the end of each stage, where known.
    peaks: Vec<Option<u64>>,
    /// Memory (KiB) held at the end of each stage, where known: with the
    /// peak, it tells a stage's passing needs from what it keeps.
    held: Vec<Option<u64>>,
    /// Processor time (user and system, all threads) each stage used, where
    /// known: beside the wall-clock time it shows how well a stage kept
    /// the cores busy.
    cpu: Vec<Option<Duration>>,
}

impl Timings {
    /// Runs `f` as stage `name` and records how long it took. A stage
    /// timed twice adds up.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let span = Span::start();
        let value = f();
        self.record(name, span.stop());
        value
    }

    /// Adds what a [`Span`] (or several, summed) measured to stage `name`.
    pub fn record(&mut self, name: &'static str, m: Measured) {
        self.add_cpu(name, m.wall, m.cpu);
    }

    /// Adds `d` to stage `name`.
    pub fn add(&mut self, name: &'static str, d: Duration) {
        self.add_cpu(name, d, None);
    }

    fn add_cpu(&mut self, name: &'static str, d: Duration, cpu: Option<Duration>) {
        let peak = peak_memory_kb();
        let held = memory_kb("VmRSS:");
        match self.stages.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                self.stages[i].1 += d;
                self.peaks[i] = peak;
                self.held[i] = held;
                self.cpu[i] = match (self.cpu[i], cpu) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
            }
            None => {
                self.stages.push((name, d));
                self.peaks.push(peak);
                self.held.push(held);
                self.cpu.push(cpu);
            }
        }
    }

    /// The recorded stages.
    pub fn stages(&self) -> &[(&'static str, Duration)] {
        &self.stages
    }

    /// One line per stage (seconds and share of the total), a total line
    /// and, where the system reports it, the peak memory of the process.
    pub fn render(&self) -> String {
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let mut out = String::from(
            "stage          seconds   share   cpu s   peak MiB so far   MiB held after\n",
        );
        let rows = self
            .stages
            .iter()
            .zip(&self.peaks)
            .zip(&self.held)
            .zip(&self.cpu);
        for ((((name, d), peak), held), cpu) in rows {
            let share = if total.is_zero() {
                0.0
            } else {
                d.as_secs_f64() / total.as_secs_f64() * 100.0
            };
            let mib = |kb: &Option<u64>, width: usize| {
                kb.map_or(String::new(), |kb| {
                    format!("{:>width$.1}", kb as f64 / 1024.0)
                })
            };
            let cpu = cpu.map_or(String::new(), |c| format!("{:>8.2}", c.as_secs_f64()));
            out.push_str(&format!(
                "{name:<14} {:>7.3} {share:>6.1}% {cpu:>8}{}{}\n",
                d.as_secs_f64(),
                mib(peak, 10),
                mib(held, 17)
            ));
        }
        out.push_str(&format!("{:<14} {:>7.3}\n", "total", total.as_secs_f64()));
        if let Some(kb) = peak_memory_kb() {
            out.push_str(&format!("peak memory    {:.1} MiB\n", kb as f64 / 1024.0));
        }
        out
    }
}

/// A stage being timed: started with [`Span::start`], read with
/// [`Span::stop`].
#[derive(Clone, Copy, Debug)]
pub struct Span {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Span {
    /// Starts timing.
    pub fn start() -> Span {
        Span {
            wall: Instant::now(),
            cpu: cpu_time(),
        }
    }

    /// The wall-clock and processor time since the start.
    pub fn stop(&self) -> Measured {
        Measured {
            wall: self.wall.elapsed(),
            cpu: self.cpu.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a)),
        }
    }
}

/// What a [`Span`] measured; measures of one stage's parts add up.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    wall: Duration,
    cpu: Option<Duration>,
}

impl std::ops::Add for Measured {
    type Output = Measured;

    fn add(self, other: Measured) -> Measured {
        Measured {
            wall: self.wall + other.wall,
            cpu: self.cpu.zip(other.cpu).map(|(a, b)| a + b),
        }
    }
}

/// The processor time (user and system) of every thread of the process so
/// far; `None` where the system does not say.
fn cpu_time() -> Option<Duration> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: getrusage writes only into the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return None;
        }
        let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
        Some(Duration::from_micros(
            micros(usage.ru_utime) + micros(usage.ru_stime),
        ))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}

/// The process's peak resident memory (VmHWM) on Linux; `None` elsewhere.
pub fn peak_memory_kb() -> Option<u64> {
    memory_kb("VmHWM:")
}

/// A memory figure of `/proc/self/status` (`VmHWM:`, `VmRSS:`), in KiB.
fn memory_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_keep_order_and_add_up() {
        let mut t = Timings::default();
        t.add("read", Duration::from_millis(300));
        t.add("checks", Duration::from_millis(100));
        t.add("read", Duration::from_millis(100));
        let names: Vec<_> = t.stages().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["read", "checks"]);
        assert_eq!(t.stages()[0].1, Duration::from_millis(400));
        let text = t.render();
        assert!(text.contains("read             0.400   80.0%"), "{text}");
        assert!(text.starts_with("stage          seconds   share"), "{text}");
        assert!(text.contains("total            0.500"), "{text}");
        // On Linux each stage line ends with the peak so far and the
        // memory held, the held never above the peak.
        if cfg!(target_os = "linux") {
            let line = text.lines().nth(1).unwrap_or_default();
            let mib: Vec<f64> = line
                .split_whitespace()
                .skip(3)
                .map(|v| v.parse().unwrap())
                .collect();
            assert_eq!(mib.len(), 2, "{line}");
            assert!(0.0 < mib[1] && mib[1] <= mib[0], "{line}");
        }
    }
}
