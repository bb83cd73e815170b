//! `localvpc dns …`: talks to a running server over HTTP (`/_localvpc/dns/*`).

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[derive(Args, Debug)]
pub(crate) struct Endpoint {
    /// The running localvpc.
    #[arg(
        long,
        env = "LOCALVPC_ENDPOINT",
        default_value = "http://127.0.0.1:4566"
    )]
    pub(crate) endpoint: String,
}

#[derive(Subcommand, Debug)]
pub(crate) enum DnsCommand {
    /// List the DNS listeners: one per view (public, each VPC resolver, each inbound
    /// endpoint IP) with its emulated address and where it really listens.
    Listeners {
        #[command(flatten)]
        endpoint: Endpoint,
        /// Print the JSON as the server sent it.
        #[arg(long)]
        json: bool,
    },
    /// Resolve a name in a view and explain the answer (the rule, zone and record used,
    /// what was shadowed, why a name failed).
    Query {
        #[command(flatten)]
        endpoint: Endpoint,
        /// Ask as this VPC's resolver.
        #[arg(long, conflicts_with_all = ["inbound_endpoint", "public"])]
        vpc: Option<String>,
        /// Ask through this inbound Resolver endpoint (as on-premises servers do).
        #[arg(long)]
        inbound_endpoint: Option<String>,
        /// Ask as a client on the internet.
        #[arg(long)]
        public: bool,
        /// The name to resolve.
        name: String,
        /// The record type.
        #[arg(default_value = "A")]
        qtype: String,
        /// Print the JSON as the server sent it.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(command: DnsCommand) -> anyhow::Result<()> {
    match command {
        DnsCommand::Listeners { endpoint, json } => {
            let (status, body) = http(&endpoint.endpoint, "GET", "/_localvpc/dns/listeners", None)?;
            if status != 200 {
                bail!("the server answered {status}: {body}");
            }
            if json {
                println!("{body}");
                return Ok(());
            }
            let list: Vec<Value> = serde_json::from_str(&body).context("bad listener list")?;
            println!("{:<8} {:<26} {:<16} LISTEN", "VIEW", "ID", "EMULATED IP");
            for l in list {
                let id = l
                    .get("endpoint_id")
                    .or_else(|| l.get("vpc_id"))
                    .and_then(Value::as_str)
                    .unwrap_or("-");
                println!(
                    "{:<8} {:<26} {:<16} {}",
                    text(&l, "view"),
                    id,
                    l.get("emulated_ip").and_then(Value::as_str).unwrap_or("-"),
                    text(&l, "listen")
                );
            }
            Ok(())
        }
        DnsCommand::Query {
            endpoint,
            vpc,
            inbound_endpoint,
            public,
            name,
            qtype,
            json,
        } => {
            let (key, value) = match (vpc, inbound_endpoint, public) {
                (Some(v), None, false) => ("vpc", v),
                (None, Some(e), false) => ("inbound_endpoint", e),
                (None, None, true) => ("view", "public".to_owned()),
                _ => bail!("give one of --vpc, --inbound-endpoint or --public"),
            };
            let mut request = serde_json::Map::new();
            request.insert(key.to_owned(), Value::from(value));
            request.insert("name".to_owned(), Value::from(name));
            request.insert("type".to_owned(), Value::from(qtype));
            let request = Value::Object(request);
            let (status, body) = http(
                &endpoint.endpoint,
                "POST",
                "/_localvpc/dns/explain",
                Some(&request.to_string()),
            )?;
            if status != 200 {
                bail!("the server answered {status}: {body}");
            }
            if json {
                println!("{body}");
                return Ok(());
            }
            let r: Value = serde_json::from_str(&body).context("bad explain answer")?;
            print_explain(&r);
            Ok(())
        }
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn print_explain(r: &Value) {
    let view = match text(r, "view") {
        "vpc" => format!("VPC resolver of {}", text(r, "vpc_id")),
        "inbound" => format!("inbound endpoint {}", text(r, "endpoint_id")),
        other => other.to_owned(),
    };
    println!(
        ";; {} {} in the {view} view",
        text(r, "name"),
        text(r, "type")
    );
    let aa = if r.get("authoritative").and_then(Value::as_bool) == Some(true) {
        ", authoritative"
    } else {
        ""
    };
    println!(";; status: {}{aa}", text(r, "rcode"));
    for (title, key) in [("ANSWER", "answers"), ("AUTHORITY", "authority")] {
        let rows = r
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if rows.is_empty() {
            continue;
        }
        println!("\n;; {title}");
        for rr in rows {
            println!(
                "{}\t{}\t{}\t{}",
                text(&rr, "name"),
                rr.get("ttl").and_then(Value::as_u64).unwrap_or(0),
                text(&rr, "type"),
                text(&rr, "data")
            );
        }
    }
    println!("\n;; WHY");
    let steps = r
        .get("trail")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (n, step) in steps.iter().enumerate() {
        println!(
            "{:>2}. [{}] {}",
            n + 1,
            text(step, "step"),
            text(step, "detail")
        );
    }
}

/// One HTTP/1.1 request over a plain TCP stream: (status, body).
pub(crate) fn http(
    endpoint: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let authority = endpoint
        .strip_prefix("http://")
        .with_context(|| format!("--endpoint must be http://HOST:PORT, got `{endpoint}`"))?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(authority).with_context(|| {
        format!("cannot reach localvpc at {endpoint} (is `localvpc serve` running?)")
    })?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        bail!("malformed HTTP answer from {endpoint}");
    };
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("malformed HTTP status line from {endpoint}"))?;
    Ok((status, body.to_owned()))
}
