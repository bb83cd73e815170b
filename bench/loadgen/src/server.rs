//! Starting a server under test, timing its cold start, reading its memory, stopping it.

use crate::client::Endpoint;
use crate::workload::probe;
use anyhow::{Context as _, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The longest a server may take to answer its first request.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The pause between readiness probes.
const POLL_EVERY: Duration = Duration::from_millis(1);

/// A running server process that this benchmark started.
pub(crate) struct Server {
    child: Child,
    pub(crate) endpoint: Endpoint,
    /// Spawn to first `DescribeVpcs` answered 200.
    pub(crate) cold_start: Duration,
    pub(crate) probes: u64,
}

/// A free loopback port (bound, read, released).
fn free_port() -> Result<u16> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("bind 127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

impl Server {
    /// Spawns `cmd` (whitespace-separated, `{port}` replaced by a free loopback port),
    /// its output going to `log`, and polls `DescribeVpcs` every millisecond until it
    /// answers 200.
    pub(crate) async fn start(cmd: &str, log: &Path) -> Result<Self> {
        let port = free_port()?;
        let mut words = cmd
            .split_whitespace()
            .map(|w| w.replace("{port}", &port.to_string()));
        let program = words.next().context("empty server command")?;
        let args: Vec<String> = words.collect();
        if !cmd.contains("{port}") {
            bail!("server command {cmd:?} must contain {{port}}");
        }
        let out = File::create(log).with_context(|| format!("create {}", log.display()))?;
        let err = out.try_clone()?;
        let endpoint = Endpoint::from_addr(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));

        let spawned_at = Instant::now();
        let child = Command::new(&program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("spawn {program}"))?;
        let mut server = Self {
            child,
            endpoint,
            cold_start: Duration::ZERO,
            probes: 0,
        };
        let deadline = spawned_at + START_TIMEOUT;
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!(
                    "{program} exited with {status} before answering; see {}",
                    log.display()
                );
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                server.stop();
                bail!(
                    "{program} did not answer DescribeVpcs within {START_TIMEOUT:?}; see {}",
                    log.display()
                );
            }
            server.probes += 1;
            if let Ok(Ok(200)) = tokio::time::timeout(left, probe(&server.endpoint)).await {
                server.cold_start = spawned_at.elapsed();
                return Ok(server);
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the process and its descendants, in KiB.
    pub(crate) fn rss_kib(&self) -> Result<u64> {
        sum_over_tree(self.pid(), rss_of)
    }

    /// CPU time (user + system) used so far by the process and its descendants.
    pub(crate) fn cpu_time(&self) -> Result<Duration> {
        let ticks = sum_over_tree(self.pid(), cpu_ticks_of)?;
        Ok(Duration::from_millis(ticks * 1000 / USER_HZ))
    }

    /// Kills the process (and waits for it). Descendants of moto's werkzeug server,
    /// if any, go with it when the parent dies; none exist without `--reload`.
    pub(crate) fn stop(&mut self) {
        let _already_gone = self.child.kill();
        let _status = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// `VmRSS` of one process, in KiB.
fn rss_of(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS line")?;
    let kib = line
        .split_whitespace()
        .nth(1)
        .context("VmRSS without a value")?;
    Ok(kib.parse()?)
}

/// CPU time used so far by this process (the load generator).
pub(crate) fn own_cpu_time() -> Result<Duration> {
    Ok(Duration::from_millis(
        cpu_ticks_of(std::process::id())? * 1000 / USER_HZ,
    ))
}

/// Linux reports `/proc/<pid>/stat` times in USER_HZ ticks, 100 per second on every
/// architecture's user ABI.
const USER_HZ: u64 = 100;

/// The fields of `/proc/<pid>/stat` after the parenthesised command name.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.get(stat.rfind(')')? + 1..)?;
    Some(after.split_whitespace().map(str::to_owned).collect())
}

/// utime + stime of one process, in ticks.
fn cpu_ticks_of(pid: u32) -> Result<u64> {
    let f = stat_fields(pid).context("no /proc stat")?;
    let field = |i: usize| -> Result<u64> { Ok(f.get(i).context("short /proc stat")?.parse()?) };
    Ok(field(11)? + field(12)?)
}

/// The parent pid from `/proc/<pid>/stat` (the field after the parenthesised name).
fn ppid_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// `measure` summed over `root` and all its descendants.
fn sum_over_tree(root: u32, measure: fn(u32) -> Result<u64>) -> Result<u64> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = ppid_of(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    let mut total = 0;
    while let Some(pid) = todo.pop() {
        if !seen.insert(pid) || seen.len() > 10_000 {
            continue;
        }
        // A descendant may exit between the scan and the read; only the root must exist.
        match measure(pid) {
            Ok(v) => total += v,
            Err(e) if pid == root => return Err(e.context(format!("read /proc of pid {root}"))),
            Err(_) => {}
        }
        todo.extend(children.get(&pid).into_iter().flatten().copied());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_rss() {
        let kib = sum_over_tree(std::process::id(), rss_of).unwrap();
        assert!(kib > 0);
        let ticks = sum_over_tree(std::process::id(), cpu_ticks_of);
        assert!(ticks.is_ok());
        assert_eq!(
            ppid_of(std::process::id()),
            Some(std::os::unix::process::parent_id())
        );
    }
}
