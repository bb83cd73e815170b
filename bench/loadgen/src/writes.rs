//! `writes`: the server's CPU per API write as the organisation grows. For each size, a
//! fresh server (its own data dir, the default durable store) is seeded with that many VPCs,
//! then one connection makes `--writes` sequential writes (half CreateVpc, half DeleteVpc of
//! the VPCs it created); the server's CPU time (user + system, from /proc) over the writes,
//! less what it spends idle in the same time, divided by the writes, is the figure.

use crate::client::{Conn, Endpoint, xml_value};
use crate::server::Server;
use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

const VERSION: &str = "Version=2016-11-15";

async fn create_vpc(conn: &mut Conn, n: usize) -> Result<String> {
    let form = format!(
        "Action=CreateVpc&{VERSION}&CidrBlock=10.{}.{}.0/24",
        (n / 256) % 256,
        n % 256
    );
    let reply = conn.post(&form).await?;
    if !reply.ok() {
        bail!(
            "CreateVpc answered {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
    }
    xml_value(&reply.body, "vpcId")
        .map(str::to_owned)
        .context("no vpcId in the answer")
}

async fn delete_vpc(conn: &mut Conn, id: &str) -> Result<()> {
    let reply = conn
        .post(&format!("Action=DeleteVpc&{VERSION}&VpcId={id}"))
        .await?;
    if !reply.ok() {
        bail!("DeleteVpc answered {}", reply.status);
    }
    Ok(())
}

async fn seed(endpoint: &Endpoint, vpcs: usize) -> Result<()> {
    let workers = 8;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let endpoint = endpoint.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(endpoint);
            let mut n = w;
            while n < vpcs {
                create_vpc(&mut conn, n).await?;
                n += workers;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

/// Measures one size: seeds, idles, writes.
async fn one(cmd: &str, vpcs: usize, writes: usize, log_dir: &Path) -> Result<Value> {
    let data = log_dir.join(format!("writes-data-{vpcs}"));
    let _fresh = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let cmd = cmd.replace("{dir}", &data.display().to_string());
    let mut server = Server::start(&cmd, &log_dir.join(format!("writes-{vpcs}.log"))).await?;
    let endpoint = server.endpoint.clone();
    let seeded = Instant::now();
    seed(&endpoint, vpcs).await?;
    let seed_secs = seeded.elapsed().as_secs_f64();
    // Idle CPU (background threads) over a quiet second, to subtract.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle0 = server.cpu_time()?;
    let quiet = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rate = (server.cpu_time()? - idle0).as_secs_f64() / quiet.elapsed().as_secs_f64();

    let mut conn = Conn::new(endpoint);
    let cpu0 = server.cpu_time()?;
    let t0 = Instant::now();
    let mut latencies = Vec::with_capacity(writes);
    let mut ids = Vec::with_capacity(writes / 2);
    for i in 0..writes / 2 {
        let t = Instant::now();
        ids.push(create_vpc(&mut conn, vpcs + i).await?);
        latencies.push(t.elapsed());
    }
    for id in &ids {
        let t = Instant::now();
        delete_vpc(&mut conn, id).await?;
        latencies.push(t.elapsed());
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = (server.cpu_time()? - cpu0).as_secs_f64();
    let rss = server.rss_kib()?;
    server.stop();
    let _cleanup = std::fs::remove_dir_all(&data);
    latencies.sort();
    let n = latencies.len().max(1);
    let pick = |p: f64| {
        latencies
            .get(((n as f64 - 1.0) * p).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    let per_write = ((cpu - idle_rate * wall).max(0.0)) / n as f64;
    Ok(json!({
        "vpcs": vpcs,
        "writes": n,
        "seed_s": (seed_secs * 100.0).round() / 100.0,
        "server_cpu_per_write_us": (per_write * 1e6).round(),
        "server_cpu_per_write_raw_us": (cpu / n as f64 * 1e6).round(),
        "idle_cpu_share": (idle_rate * 1000.0).round() / 1000.0,
        "latency_p50_us": pick(0.5).round(),
        "latency_p99_us": pick(0.99).round(),
        "rss_mib": rss / 1024,
    }))
}

pub(crate) async fn run(
    cmd: &str,
    sizes: &[usize],
    writes: usize,
    log_dir: &Path,
) -> Result<Value> {
    std::fs::create_dir_all(log_dir)?;
    let mut rows = Vec::new();
    for &vpcs in sizes {
        eprintln!("== {vpcs} VPCs");
        let row = one(cmd, vpcs, writes, log_dir).await?;
        eprintln!("   {row}");
        rows.push(row);
    }
    let cpu = |row: Option<&Value>| {
        row.and_then(|r| r.get("server_cpu_per_write_us"))
            .and_then(Value::as_f64)
    };
    let ratio = match (cpu(rows.last()), cpu(rows.first())) {
        (Some(big), Some(small)) if small > 0.0 => Some((big / small * 100.0).round() / 100.0),
        _ => None,
    };
    Ok(json!({ "sizes": rows, "largest_over_smallest": ratio }))
}
