//! Per-request latency, status and size records, and their summaries.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// How many error bodies a run keeps to print.
const ERROR_SAMPLES: usize = 5;
/// How much of an error body is kept.
const ERROR_BODY_CHARS: usize = 400;

/// The EC2 actions the benchmark sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Op {
    CreateVpc,
    CreateSubnet,
    DescribeVpcs,
    DescribeSubnets,
    DeleteSubnet,
    DeleteVpc,
    CreateSecurityGroup,
    AuthorizeSecurityGroupIngress,
}

impl Op {
    pub(crate) fn action(self) -> &'static str {
        match self {
            Self::CreateVpc => "CreateVpc",
            Self::CreateSubnet => "CreateSubnet",
            Self::DescribeVpcs => "DescribeVpcs",
            Self::DescribeSubnets => "DescribeSubnets",
            Self::DeleteSubnet => "DeleteSubnet",
            Self::DeleteVpc => "DeleteVpc",
            Self::CreateSecurityGroup => "CreateSecurityGroup",
            Self::AuthorizeSecurityGroupIngress => "AuthorizeSecurityGroupIngress",
        }
    }
}

#[derive(Default)]
struct OpStats {
    latencies_ns: Vec<u64>,
    errors: u64,
    bytes: u64,
}

/// Everything one worker (or a merged run) observed.
#[derive(Default)]
pub(crate) struct Recorder {
    ops: BTreeMap<Op, OpStats>,
    /// Requests that failed below HTTP (connect, timeout, protocol).
    pub(crate) transport_errors: u64,
    /// 2xx answers whose content did not show the expected ids.
    pub(crate) mismatches: u64,
    pub(crate) connects: u64,
    error_samples: Vec<String>,
}

impl Recorder {
    /// Records one HTTP answer.
    pub(crate) fn answer(&mut self, op: Op, took: Duration, status: u16, body: &[u8]) {
        let s = self.ops.entry(op).or_default();
        s.latencies_ns
            .push(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
        s.bytes += body.len() as u64;
        if !(200..300).contains(&status) {
            s.errors += 1;
            let text = String::from_utf8_lossy(body);
            let text: String = text.chars().take(ERROR_BODY_CHARS).collect();
            self.sample(format!("{} -> HTTP {status}: {text}", op.action()));
        }
    }

    /// Records a request that got no HTTP answer.
    pub(crate) fn transport_error(&mut self, op: Op, err: &anyhow::Error) {
        self.transport_errors += 1;
        self.sample(format!("{} -> {err:#}", op.action()));
    }

    pub(crate) fn mismatch(&mut self, op: Op, what: &str) {
        self.mismatches += 1;
        self.sample(format!("{} -> unexpected content: {what}", op.action()));
    }

    fn sample(&mut self, s: String) {
        if self.error_samples.len() < ERROR_SAMPLES {
            self.error_samples.push(s);
        }
    }

    pub(crate) fn merge(&mut self, other: Self) {
        for (op, s) in other.ops {
            let mine = self.ops.entry(op).or_default();
            mine.latencies_ns.extend(s.latencies_ns);
            mine.errors += s.errors;
            mine.bytes += s.bytes;
        }
        self.transport_errors += other.transport_errors;
        self.mismatches += other.mismatches;
        self.connects += other.connects;
        for e in other.error_samples {
            self.sample(e);
        }
    }

    pub(crate) fn requests(&self) -> u64 {
        self.ops
            .values()
            .map(|s| s.latencies_ns.len() as u64)
            .sum::<u64>()
            + self.transport_errors
    }

    /// Non-2xx answers plus requests with no answer.
    pub(crate) fn errors(&self) -> u64 {
        self.ops.values().map(|s| s.errors).sum::<u64>() + self.transport_errors
    }

    pub(crate) fn error_samples(&self) -> &[String] {
        &self.error_samples
    }

    /// The JSON summary of a run that took `elapsed`.
    pub(crate) fn summary(&self, elapsed: Duration) -> Value {
        let mut all: Vec<u64> = self
            .ops
            .values()
            .flat_map(|s| s.latencies_ns.iter().copied())
            .collect();
        all.sort_unstable();
        let answered = all.len() as u64;
        let bytes: u64 = self.ops.values().map(|s| s.bytes).sum();
        let secs = elapsed.as_secs_f64();
        let mut ops = serde_json::Map::new();
        for (op, s) in &self.ops {
            let mut l = s.latencies_ns.clone();
            l.sort_unstable();
            let n = l.len() as u64;
            ops.insert(
                op.action().to_owned(),
                json!({
                    "count": n,
                    "errors": s.errors,
                    "mean_bytes": ratio(s.bytes, n),
                    "p50_ms": ms(percentile(&l, 0.50)),
                    "p99_ms": ms(percentile(&l, 0.99)),
                }),
            );
        }
        json!({
            "requests": self.requests(),
            "errors": self.errors(),
            "transport_errors": self.transport_errors,
            "mismatches": self.mismatches,
            "connections": self.connects,
            "elapsed_s": round3(secs),
            "throughput_rps": if secs > 0.0 { round3(self.requests() as f64 / secs) } else { 0.0 },
            "latency_ms": {
                "p50": ms(percentile(&all, 0.50)),
                "p99": ms(percentile(&all, 0.99)),
                "max": ms(all.last().copied().unwrap_or(0)),
                "mean": ms(all.iter().sum::<u64>() / answered.max(1)),
            },
            "mean_response_bytes": ratio(bytes, answered),
            "ops": ops,
            "error_samples": self.error_samples,
        })
    }
}

/// The nearest-rank percentile of sorted values (0 when empty).
pub(crate) fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    let idx = rank.saturating_sub(1).min(sorted.len() - 1);
    sorted.get(idx).copied().unwrap_or(0)
}

fn ms(ns: u64) -> f64 {
    round3(ns as f64 / 1e6)
}

fn ratio(total: u64, n: u64) -> f64 {
    // With no samples the total is 0 too, so dividing by 1 yields 0.
    round3(total as f64 / n.max(1) as f64)
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.50), 50);
        assert_eq!(percentile(&v, 0.99), 99);
        assert_eq!(percentile(&v, 1.0), 100);
        assert_eq!(percentile(&[], 0.5), 0);
        assert_eq!(percentile(&[7], 0.99), 7);
    }

    #[test]
    fn counts_errors_and_bytes() {
        let mut r = Recorder::default();
        r.answer(Op::CreateVpc, Duration::from_micros(100), 200, b"<ok/>");
        r.answer(Op::CreateVpc, Duration::from_micros(300), 400, b"<Error/>");
        r.transport_error(Op::DeleteVpc, &anyhow::anyhow!("reset"));
        assert_eq!(r.requests(), 3);
        assert_eq!(r.errors(), 2);
        assert_eq!(r.error_samples().len(), 2);
        let s = r.summary(Duration::from_secs(1));
        assert_eq!(s["ops"]["CreateVpc"]["mean_bytes"], 6.5);
    }
}
