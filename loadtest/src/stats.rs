//! What a run records: a latency histogram per operation, errors by kind, and completed
//! operations per second; merged across workers and summarised for the report.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;
use serde::Serialize;

/// One worker's (or a whole run's) recordings.
pub struct Recorder {
    start: Instant,
    latencies: BTreeMap<&'static str, Histogram<u64>>,
    errors: BTreeMap<String, u64>,
    per_second: Vec<u64>,
}

impl Recorder {
    pub fn new(start: Instant) -> Self {
        Self {
            start,
            latencies: BTreeMap::new(),
            errors: BTreeMap::new(),
            per_second: Vec::new(),
        }
    }

    /// Records one completed operation; `Err` carries a short kind (`"401"`, `"transport"`).
    pub fn record(&mut self, op: &'static str, took: Duration, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => {
                let hist = self.latencies.entry(op).or_insert_with(new_histogram);
                // Saturates at the histogram's top (60 s) rather than failing.
                hist.saturating_record(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
                let second = usize::try_from(self.start.elapsed().as_secs()).unwrap_or(0);
                if self.per_second.len() <= second {
                    self.per_second.resize(second + 1, 0);
                }
                self.per_second[second] += 1;
            }
            Err(kind) => *self.errors.entry(format!("{op} {kind}")).or_default() += 1,
        }
    }

    /// Adds another recorder's data to this one.
    pub fn merge(&mut self, other: Recorder) {
        for (op, h) in other.latencies {
            self.latencies
                .entry(op)
                .or_insert_with(new_histogram)
                .add(h)
                .expect("histograms with the same bounds");
        }
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        if self.per_second.len() < other.per_second.len() {
            self.per_second.resize(other.per_second.len(), 0);
        }
        for (i, n) in other.per_second.into_iter().enumerate() {
            self.per_second[i] += n;
        }
    }

    /// The summary over `secs` seconds of load.
    pub fn summary(&self, secs: f64) -> RunStats {
        let ops = self
            .latencies
            .iter()
            .map(|(op, h)| OpStats {
                op: (*op).to_owned(),
                count: h.len(),
                per_sec: h.len() as f64 / secs,
                p50_ms: ms(h.value_at_quantile(0.50)),
                p90_ms: ms(h.value_at_quantile(0.90)),
                p99_ms: ms(h.value_at_quantile(0.99)),
                p999_ms: ms(h.value_at_quantile(0.999)),
                max_ms: ms(h.max()),
            })
            .collect::<Vec<_>>();
        let total: u64 = ops.iter().map(|o| o.count).sum();
        RunStats {
            secs,
            total,
            per_sec: total as f64 / secs,
            errors: self.errors.values().sum(),
            error_kinds: self.errors.clone(),
            ops,
            per_second: self.per_second.clone(),
        }
    }
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// A summarised run.
#[derive(Clone, Debug, Serialize)]
pub struct RunStats {
    pub secs: f64,
    pub total: u64,
    pub per_sec: f64,
    pub errors: u64,
    pub error_kinds: BTreeMap<String, u64>,
    pub ops: Vec<OpStats>,
    /// Completed operations in each second of the run.
    pub per_second: Vec<u64>,
}

impl RunStats {
    /// The figures of one operation.
    pub fn op(&self, name: &str) -> Option<&OpStats> {
        self.ops.iter().find(|o| o.op == name)
    }
}

/// One operation's throughput and latency percentiles.
#[derive(Clone, Debug, Serialize)]
pub struct OpStats {
    pub op: String,
    pub count: u64,
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_workers_and_summarises() {
        let start = Instant::now();
        let mut a = Recorder::new(start);
        let mut b = Recorder::new(start);
        for ms in 1..=100 {
            a.record("me", Duration::from_millis(ms), Ok(()));
        }
        b.record("me", Duration::from_millis(500), Ok(()));
        b.record("me", Duration::from_millis(1), Err("401".into()));
        b.record("login", Duration::from_millis(20), Ok(()));
        a.merge(b);
        let s = a.summary(2.0);
        assert_eq!(s.total, 102);
        assert_eq!(s.per_sec, 51.0);
        assert_eq!(s.errors, 1);
        assert_eq!(s.error_kinds.get("me 401"), Some(&1));
        let me = s.op("me").expect("me");
        assert_eq!(me.count, 101);
        assert!((me.p50_ms - 51.0).abs() < 0.1, "{}", me.p50_ms);
        assert!((me.max_ms - 500.0).abs() < 1.0, "{}", me.max_ms);
        assert_eq!(s.per_second.iter().sum::<u64>(), 102);
    }
}
