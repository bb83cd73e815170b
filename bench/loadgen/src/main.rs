//! `localvpc-bench`: drives a fixed mix of EC2 query-protocol calls over raw HTTP/1.1
//! against localvpc and moto_server, and reports throughput, latency, cold start, RSS
//! and bytes per response side by side. Loopback only; every loop is bounded.
//!
//! Subcommands:
//! - `mix`: run the mix against a running server and print JSON.
//! - `seed`: create the seed state (VPCs, subnets, security groups) and print JSON.
//! - `compare`: start each server, time its cold start, seed it, read its RSS, run the
//!   mix, stop it; print a side-by-side table and write the JSON results.
//! - `stub-server`: a stateless canned-answer EC2 stub that shows the harness's ceiling.
//! - `writes`: server CPU per API write at several organisation sizes (issue 13's aim: flat).
//! - `https`, `connect-rate`, `idle`: keep-alive HTTPS requests straight to a TLS endpoint or
//!   through localvpc's intercepting proxy; new proxied connections per second; idle
//!   proxied tunnels held open (bench/proxy.sh).

mod client;
mod https;
mod server;
mod stats;
mod stub;
mod workload;
mod writes;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};
use client::Endpoint;
use serde_json::{Value, json};
use server::Server;
use std::path::PathBuf;
use std::time::Duration;
use workload::{MixConfig, SeedConfig};

/// The longest a single mix run may be asked to last.
const MAX_DURATION_SECS: u64 = 600;

#[derive(Parser)]
#[command(
    name = "localvpc-bench",
    about = "Benchmark localvpc against moto_server over loopback HTTP"
)]
struct Cli {
    /// Threads for the load generator's runtime (1 = a single-threaded runtime, which
    /// leaves the other core to the server on a 2-core machine).
    #[arg(long, default_value_t = 1, global = true)]
    client_threads: usize,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Args, Clone)]
struct MixArgs {
    /// Concurrent workers, each with its own keep-alive connection.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// How long to run the mix (bounded by 600).
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// Upper bound on mix iterations per worker.
    #[arg(long, default_value_t = 10_000_000)]
    max_iterations: u64,
}

#[derive(clap::Args, Clone, Copy)]
struct SeedArgs {
    #[arg(long, default_value_t = 20)]
    seed_vpcs: usize,
    #[arg(long, default_value_t = 3)]
    seed_subnets: usize,
    /// Security groups per seeded VPC (skipped if the server does not support them).
    #[arg(long, default_value_t = 2)]
    seed_security_groups: usize,
}

impl SeedArgs {
    fn config(self) -> SeedConfig {
        SeedConfig {
            vpcs: self.seed_vpcs,
            subnets_per_vpc: self.seed_subnets,
            security_groups_per_vpc: self.seed_security_groups,
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the mix against a running server and print a JSON summary.
    Mix {
        #[arg(long)]
        endpoint: String,
        #[command(flatten)]
        mix: MixArgs,
    },
    /// Create the seed state on a running server and print a JSON summary.
    Seed {
        #[arg(long)]
        endpoint: String,
        #[command(flatten)]
        seed: SeedArgs,
    },
    /// Serve canned EC2 answers (no state) to measure the load generator's ceiling.
    StubServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
    /// Server CPU per API write at several organisation sizes (a fresh server per size).
    Writes {
        /// localvpc's command line; `{port}` becomes a free loopback port, `{dir}` a fresh data dir.
        #[arg(long)]
        localvpc: String,
        /// Organisation sizes in VPCs.
        #[arg(long, value_delimiter = ',', default_value = "100,1000,10000")]
        sizes: Vec<usize>,
        /// Writes measured per size (half CreateVpc, half DeleteVpc).
        #[arg(long, default_value_t = 1000)]
        writes: usize,
        #[arg(long, default_value = "bench/results")]
        log_dir: PathBuf,
    },
    /// Keep-alive HTTPS requests (through the proxy with --proxy-credential); JSON summary.
    Https {
        #[command(flatten)]
        https: https::HttpsArgs,
    },
    /// New proxied connections per second (CONNECT, TLS, one request, close); JSON summary.
    ConnectRate {
        #[command(flatten)]
        https: https::HttpsArgs,
    },
    /// Holds `--count` idle CONNECT tunnels through the proxy; prints `ready N` once open.
    Idle {
        #[command(flatten)]
        https: https::HttpsArgs,
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 30)]
        hold_secs: u64,
    },
    /// Start, seed, measure and stop each server in turn; print the comparison.
    Compare {
        /// localvpc's command line; `{port}` is replaced by a free loopback port.
        #[arg(long)]
        localvpc: Option<String>,
        /// moto_server's command line; `{port}` is replaced by a free loopback port.
        #[arg(long)]
        moto: Option<String>,
        /// Optionally also measure the canned-answer stub (`stub-server`) to show the
        /// load generator's own ceiling; `{port}` is replaced by a free loopback port.
        #[arg(long = "stub")]
        stub_cmd: Option<String>,
        #[command(flatten)]
        mix: MixArgs,
        #[command(flatten)]
        seed: SeedArgs,
        /// Where to write the JSON results.
        #[arg(long, default_value = "bench/results/latest.json")]
        out: PathBuf,
        /// Directory for the servers' logs.
        #[arg(long, default_value = "bench/results")]
        log_dir: PathBuf,
        /// Free text recorded with the results (e.g. the date and commit).
        #[arg(long, default_value = "")]
        label: String,
    },
}

fn mix_config(m: &MixArgs, run_tag: &str) -> Result<MixConfig> {
    if m.duration_secs == 0 || m.duration_secs > MAX_DURATION_SECS {
        bail!("--duration-secs must be within 1..={MAX_DURATION_SECS}");
    }
    if m.concurrency == 0 || m.concurrency > 1024 {
        bail!("--concurrency must be within 1..=1024");
    }
    Ok(MixConfig {
        concurrency: m.concurrency,
        duration: Duration::from_secs(m.duration_secs),
        max_iterations: m.max_iterations,
        run_tag: run_tag.to_owned(),
    })
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let rt = if cli.client_threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.client_threads)
            .enable_all()
            .build()?
    };
    rt.block_on(run(cli.cmd))
}

async fn run(cmd: Cmd) -> Result<()> {
    let run_tag = format!("r{}", std::process::id());
    match cmd {
        Cmd::Mix { endpoint, mix } => {
            let ep = Endpoint::parse(&endpoint)?;
            let summary = workload::run_mix(&ep, &mix_config(&mix, &run_tag)?).await?;
            print_error_samples("mix", &summary);
            println!("{}", serde_json::to_string_pretty(&summary)?);
        }
        Cmd::Seed { endpoint, seed } => {
            let ep = Endpoint::parse(&endpoint)?;
            let summary = workload::seed(&ep, seed.config()).await?;
            print_error_samples("seed", &summary);
            println!("{}", serde_json::to_string_pretty(&summary)?);
        }
        Cmd::StubServer { listen } => stub::serve(listen).await?,
        Cmd::Https { https } => {
            println!(
                "{}",
                serde_json::to_string_pretty(&https::run(https).await?)?
            );
        }
        Cmd::ConnectRate { https } => {
            let summary = https::connect_rate(https).await?;
            println!("{}", serde_json::to_string_pretty(&summary)?);
        }
        Cmd::Idle {
            https,
            count,
            hold_secs,
        } => https::idle(https, count, hold_secs).await?,
        Cmd::Writes {
            localvpc,
            sizes,
            writes,
            log_dir,
        } => {
            let report = writes::run(&localvpc, &sizes, writes, &log_dir).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        Cmd::Compare {
            localvpc,
            moto,
            stub_cmd,
            mix,
            seed,
            out,
            log_dir,
            label,
        } => {
            let cfg = mix_config(&mix, &run_tag)?;
            let mut servers = Vec::new();
            if let Some(cmd) = localvpc {
                servers.push(("localvpc", cmd));
            }
            if let Some(cmd) = moto {
                servers.push(("moto", cmd));
            }
            if let Some(cmd) = stub_cmd {
                servers.push(("stub", cmd));
            }
            if servers.is_empty() {
                bail!("give --localvpc and/or --moto");
            }
            std::fs::create_dir_all(&log_dir)
                .with_context(|| format!("create {}", log_dir.display()))?;
            let mut results = serde_json::Map::new();
            let mut failed = serde_json::Map::new();
            for (name, cmd) in &servers {
                eprintln!("== {name}: {cmd}");
                match measure(name, cmd, &log_dir, seed.config(), &cfg).await {
                    Ok(r) => {
                        results.insert((*name).to_owned(), r);
                    }
                    Err(e) => {
                        // One server that cannot run does not void the other's figures.
                        eprintln!("   {name} FAILED: {e:#}");
                        failed.insert((*name).to_owned(), json!(format!("{e:#}")));
                    }
                }
            }
            if results.is_empty() {
                bail!("no server could be measured");
            }
            let results = Value::Object(results);
            let report = json!({
                "label": label,
                "machine": { "cpus": std::thread::available_parallelism().map(usize::from).unwrap_or(0) },
                "config": {
                    "concurrency": cfg.concurrency,
                    "duration_s": cfg.duration.as_secs(),
                    "seed": { "vpcs": seed.seed_vpcs, "subnets_per_vpc": seed.seed_subnets,
                              "security_groups_per_vpc": seed.seed_security_groups },
                    "mix": "CreateVpc(tagged), CreateSubnet x2, DescribeVpcs(tag filter), \
                            DescribeSubnets(vpc-id filter), DeleteSubnet x2, DeleteVpc",
                },
                "servers": results,
                "failed": failed,
                "ratios": ratios(&results),
            });
            print_table(&report);
            if let Some(dir) = out.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&out, serde_json::to_string_pretty(&report)?)
                .with_context(|| format!("write {}", out.display()))?;
            println!("\nwrote {}", out.display());
        }
    }
    Ok(())
}

fn print_error_samples(what: &str, summary: &Value) {
    if let Some(samples) = at(summary, "/error_samples").as_array() {
        for s in samples {
            eprintln!("{what} error: {}", s.as_str().unwrap_or_default());
        }
    }
}

/// Start → cold start → seed → RSS → mix → RSS → stop, for one server.
async fn measure(
    name: &str,
    cmd: &str,
    log_dir: &std::path::Path,
    seed: SeedConfig,
    cfg: &MixConfig,
) -> Result<Value> {
    let log = log_dir.join(format!("{name}.log"));
    let mut srv = Server::start(cmd, &log)
        .await
        .with_context(|| format!("start {name}"))?;
    let cold_ms = srv.cold_start.as_secs_f64() * 1e3;
    eprintln!(
        "   cold start {cold_ms:.1} ms ({} probes), pid {}, {}",
        srv.probes,
        srv.pid(),
        srv.endpoint.url()
    );
    let rss_start = srv.rss_kib()?;
    let seeded = workload::seed(&srv.endpoint, seed).await?;
    print_error_samples(&format!("{name} seed"), &seeded);
    let rss_seed = srv.rss_kib()?;
    eprintln!(
        "   seeded in {} s; RSS {:.1} MiB",
        at(&seeded, "/elapsed_s"),
        rss_seed as f64 / 1024.0
    );
    let cpu_before = srv.cpu_time()?;
    let client_before = server::own_cpu_time()?;
    let mix = workload::run_mix(&srv.endpoint, cfg).await?;
    let cpu_mix = srv.cpu_time()?.saturating_sub(cpu_before);
    let client_cpu = server::own_cpu_time()?.saturating_sub(client_before);
    let elapsed = at(&mix, "/elapsed_s").as_f64().unwrap_or(1.0).max(1e-9);
    let requests = at(&mix, "/requests").as_f64().unwrap_or(0.0);
    let cpu_us_per_request = if requests > 0.0 {
        cpu_mix.as_secs_f64() * 1e6 / requests
    } else {
        0.0
    };
    print_error_samples(&format!("{name} mix"), &mix);
    let rss_mix = srv.rss_kib()?;
    eprintln!(
        "   mix: {} requests, {} errors, {} req/s, p99 {} ms",
        at(&mix, "/requests"),
        at(&mix, "/errors"),
        at(&mix, "/throughput_rps"),
        at(&mix, "/latency_ms/p99")
    );
    srv.stop();
    Ok(json!({
        "command": cmd,
        "cold_start_ms": stats::round3(cold_ms),
        "server_cpu": {
            "mix_cpu_s": stats::round3(cpu_mix.as_secs_f64()),
            "cpu_cores_busy": stats::round3(cpu_mix.as_secs_f64() / elapsed),
            "load_generator_cores_busy": stats::round3(client_cpu.as_secs_f64() / elapsed),
            "cpu_us_per_request": stats::round3(cpu_us_per_request),
        },
        "rss_kib": { "at_start": rss_start, "after_seed": rss_seed, "after_mix": rss_mix },
        "seed": seeded,
        "mix": mix,
    }))
}

static NULL: Value = Value::Null;

/// The value at a JSON pointer, or null.
fn at<'a>(v: &'a Value, ptr: &str) -> &'a Value {
    v.pointer(ptr).unwrap_or(&NULL)
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn div(a: Option<f64>, b: Option<f64>) -> Value {
    match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => json!(stats::round3(a / b)),
        _ => Value::Null,
    }
}

/// localvpc relative to moto: throughput as localvpc/moto (higher is better for
/// localvpc), the rest as moto/localvpc (how many times smaller localvpc's is).
fn ratios(results: &Value) -> Value {
    let (l, m) = (at(results, "/localvpc"), at(results, "/moto"));
    if l.is_null() || m.is_null() {
        return Value::Null;
    }
    json!({
        "throughput_x": div(num(at(l, "/mix/throughput_rps")), num(at(m, "/mix/throughput_rps"))),
        "p50_latency_moto_over_localvpc": div(num(at(m, "/mix/latency_ms/p50")), num(at(l, "/mix/latency_ms/p50"))),
        "p99_latency_moto_over_localvpc": div(num(at(m, "/mix/latency_ms/p99")), num(at(l, "/mix/latency_ms/p99"))),
        "cpu_per_request_moto_over_localvpc": div(
            num(at(m, "/server_cpu/cpu_us_per_request")),
            num(at(l, "/server_cpu/cpu_us_per_request")),
        ),
        "cold_start_moto_over_localvpc": div(num(at(m, "/cold_start_ms")), num(at(l, "/cold_start_ms"))),
        "rss_after_seed_moto_over_localvpc": div(num(at(m, "/rss_kib/after_seed")), num(at(l, "/rss_kib/after_seed"))),
        "bytes_per_response_localvpc_over_moto": div(num(at(l, "/mix/mean_response_bytes")), num(at(m, "/mix/mean_response_bytes"))),
    })
}

fn fmt_num(v: &Value, digits: usize) -> String {
    match v.as_f64() {
        Some(x) => format!("{x:.digits$}"),
        None => "-".to_owned(),
    }
}

fn print_table(report: &Value) {
    let s = at(report, "/servers");
    let names: Vec<&str> = ["localvpc", "moto", "stub"]
        .into_iter()
        .filter(|n| s.get(*n).is_some())
        .collect();
    let server = |n: &str| s.get(n).unwrap_or(&NULL);
    let mib = |v: &Value| v.as_f64().map(|k| json!(k / 1024.0)).unwrap_or(Value::Null);
    type Row<'a> = (&'a str, Box<dyn Fn(&Value) -> Value + 'a>, usize, &'a str);
    let rows: Vec<Row<'_>> = vec![
        (
            "throughput (req/s)",
            Box::new(|v| at(v, "/mix/throughput_rps").clone()),
            1,
            "throughput_x",
        ),
        (
            "latency p50 (ms)",
            Box::new(|v| at(v, "/mix/latency_ms/p50").clone()),
            3,
            "p50_latency_moto_over_localvpc",
        ),
        (
            "latency p99 (ms)",
            Box::new(|v| at(v, "/mix/latency_ms/p99").clone()),
            3,
            "p99_latency_moto_over_localvpc",
        ),
        (
            "latency max (ms)",
            Box::new(|v| at(v, "/mix/latency_ms/max").clone()),
            3,
            "",
        ),
        (
            "requests",
            Box::new(|v| at(v, "/mix/requests").clone()),
            0,
            "",
        ),
        (
            "errors (non-2xx or no answer)",
            Box::new(|v| at(v, "/mix/errors").clone()),
            0,
            "",
        ),
        (
            "content mismatches",
            Box::new(|v| at(v, "/mix/mismatches").clone()),
            0,
            "",
        ),
        (
            "TCP connections opened",
            Box::new(|v| at(v, "/mix/connections").clone()),
            0,
            "",
        ),
        (
            "server CPU per request (us)",
            Box::new(|v| at(v, "/server_cpu/cpu_us_per_request").clone()),
            1,
            "cpu_per_request_moto_over_localvpc",
        ),
        (
            "server CPU cores busy",
            Box::new(|v| at(v, "/server_cpu/cpu_cores_busy").clone()),
            2,
            "",
        ),
        (
            "load generator CPU cores busy",
            Box::new(|v| at(v, "/server_cpu/load_generator_cores_busy").clone()),
            2,
            "",
        ),
        (
            "cold start to first 200 (ms)",
            Box::new(|v| at(v, "/cold_start_ms").clone()),
            1,
            "cold_start_moto_over_localvpc",
        ),
        (
            "RSS after seed (MiB)",
            Box::new(move |v| mib(at(v, "/rss_kib/after_seed"))),
            1,
            "rss_after_seed_moto_over_localvpc",
        ),
        (
            "RSS after mix (MiB)",
            Box::new(move |v| mib(at(v, "/rss_kib/after_mix"))),
            1,
            "",
        ),
        (
            "mean bytes/response",
            Box::new(|v| at(v, "/mix/mean_response_bytes").clone()),
            1,
            "bytes_per_response_localvpc_over_moto",
        ),
        (
            "seed: security groups",
            Box::new(|v| at(v, "/seed/security_groups").clone()),
            0,
            "",
        ),
    ];
    println!();
    print!("{:<32}", "");
    for n in &names {
        print!("{n:>14}");
    }
    let both = names.contains(&"localvpc") && names.contains(&"moto");
    if both {
        print!("{:>12}", "ratio");
    }
    println!();
    for (label, get, digits, ratio_key) in &rows {
        print!("{label:<32}");
        for n in &names {
            print!("{:>14}", fmt_num(&get(server(n)), *digits));
        }
        if both && !ratio_key.is_empty() {
            print!(
                "{:>11}x",
                fmt_num(at(report, &format!("/ratios/{ratio_key}")), 1)
            );
        }
        println!();
    }
    // Bytes per response by action, to check both servers do the same work.
    let mut actions: Vec<String> = Vec::new();
    for n in &names {
        if let Some(ops) = at(server(n), "/mix/ops").as_object() {
            for k in ops.keys() {
                if !actions.contains(k) {
                    actions.push(k.clone());
                }
            }
        }
    }
    println!("\nmean bytes/response by action (p99 ms)");
    for a in &actions {
        print!("  {a:<30}");
        for n in &names {
            let op = at(server(n), &format!("/mix/ops/{a}"));
            print!(
                "{:>10} ({:>7})",
                fmt_num(at(op, "/mean_bytes"), 0),
                fmt_num(at(op, "/p99_ms"), 3)
            );
        }
        println!();
    }
    if let Some(failed) = at(report, "/failed").as_object() {
        for (n, e) in failed {
            println!("\n{n}: not measured: {}", e.as_str().unwrap_or_default());
        }
    }
    if names.contains(&"stub") {
        println!(
            "\nstub = stateless canned answers: the load generator's own ceiling (its content mismatches are expected)"
        );
    }
    if both {
        let r = at(report, "/ratios");
        let l = at(s, "/localvpc");
        println!("\naims (informational, not assertions):");
        println!(
            "  throughput >= 200x moto : {}x",
            fmt_num(at(r, "/throughput_x"), 1)
        );
        println!(
            "  p99 <= 2 ms             : {} ms",
            fmt_num(at(l, "/mix/latency_ms/p99"), 3)
        );
        println!(
            "  cold start <= 50 ms     : {} ms",
            fmt_num(at(l, "/cold_start_ms"), 1)
        );
        println!(
            "  RSS <= 20 MiB           : {} MiB (after seed)",
            fmt_num(&mib(at(l, "/rss_kib/after_seed")), 1)
        );
    }
}
