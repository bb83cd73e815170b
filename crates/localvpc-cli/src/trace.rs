//! `localvpc trace`: asks a running server whether a packet gets from an instance to a
//! name or address, and prints each hop with the rule that decided (`POST /_localvpc/trace`).

use crate::dns::{Endpoint, http};
use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};

/// The exit status when the path is blocked (the analysis itself worked).
pub(crate) const BLOCKED: u8 = 2;

#[derive(Args, Debug)]
pub(crate) struct TraceArgs {
    #[command(flatten)]
    endpoint: Endpoint,
    /// The source: an instance (`i-…`), a network interface (`eni-…`), an interface
    /// endpoint (`vpce-…`), an address an interface holds, or a gateway traffic arrives
    /// from (`igw-…`, `tgw-…`, `pcx-…`, `vgw-…`).
    #[arg(long)]
    from: String,
    /// The destination: `HOST[:PORT]` (a DNS name is resolved in the source VPC's view;
    /// the port then defaults to 443), an address, `i-…`, `eni-…`, `vpce-…`, or a gateway
    /// (`igw-…`, `tgw-…`, `pcx-…`, `vgw-…`).
    #[arg(long)]
    to: String,
    /// `tcp`, `udp`, `icmp` or a protocol number.
    #[arg(long, default_value = "tcp")]
    protocol: String,
    /// The destination port (when `--to` has none).
    #[arg(long)]
    port: Option<u16>,
    /// A request to check against the endpoint policies on the path: `GET s3://bucket/key`,
    /// `PUT s3://bucket/key`, `LIST s3://bucket`, or `ACTION ARN`.
    #[arg(long)]
    request: Option<String>,
    /// The caller's ARN for `--request` (anonymous without it).
    #[arg(long, requires = "request")]
    principal: Option<String>,
    /// Print the JSON as the server sent it.
    #[arg(long)]
    json: bool,
}

/// Runs the trace; `Ok(true)` when the path is open.
pub(crate) fn run(args: TraceArgs) -> anyhow::Result<bool> {
    let mut body = json!({ "from": args.from, "to": args.to, "protocol": args.protocol });
    if let Value::Object(map) = &mut body {
        for (key, value) in [
            ("port", args.port.map(Value::from)),
            ("request", args.request.map(Value::from)),
            ("principal", args.principal.map(Value::from)),
        ] {
            if let Some(v) = value {
                map.insert(key.to_owned(), v);
            }
        }
    }
    let (status, text) = http(
        &args.endpoint.endpoint,
        "POST",
        "/_localvpc/trace",
        Some(&body.to_string()),
    )?;
    if status != 200 {
        let message = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or(text);
        bail!("{message}");
    }
    let r: Value = serde_json::from_str(&text).context("bad trace answer")?;
    let found = r.get("network_path_found").and_then(Value::as_bool) == Some(true);
    if args.json {
        println!("{text}");
    } else {
        print(&r);
    }
    Ok(found)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn print(r: &Value) {
    let port = r
        .get("port")
        .and_then(Value::as_u64)
        .map(|p| format!(" port {p}"))
        .unwrap_or_default();
    println!(
        "trace {} -> {} ({}{port})",
        text(r, "from"),
        text(r, "to"),
        text(r, "protocol")
    );
    if let Some(req) = r.get("request").filter(|d| !d.is_null()) {
        println!(
            "request  {} on {}",
            text(req, "action"),
            text(req, "resource")
        );
    }
    if let Some(dns) = r.get("dns").filter(|d| !d.is_null()) {
        let answers: Vec<&str> = list(dns, "answers")
            .iter()
            .map(|a| text(a, "data"))
            .collect();
        println!();
        println!(
            "DNS  {} in the resolver of {}: {} {}",
            text(dns, "name"),
            text(dns, "vpc_id"),
            text(dns, "rcode"),
            answers.join(", ")
        );
    }
    // One list for the DNS decisions and the hops both ways (docs/trace.md, `steps`).
    let mut stage = "";
    let mut n = 0;
    for step in list(r, "steps") {
        let this = text(step, "stage");
        if this != stage {
            stage = this;
            n = 0;
            if stage != "dns" {
                println!();
                println!("{stage}");
            }
        }
        n += 1;
        let mark = if step.get("blocked").and_then(Value::as_bool) == Some(true) {
            "x"
        } else {
            " "
        };
        let component = step.get("component").map(|c| text(c, "id")).unwrap_or("");
        println!(
            "{mark} {n:>2} {:<27} {component:<24} {}",
            text(step, "kind"),
            text(step, "detail")
        );
    }
    println!();
    let explanations = list(r, "explanations");
    if explanations.is_empty() {
        println!("REACHABLE");
        return;
    }
    println!(
        "NOT REACHABLE: {} blocker{}",
        explanations.len(),
        if explanations.len() == 1 { "" } else { "s" }
    );
    for e in explanations {
        let direction = e
            .get("direction")
            .and_then(Value::as_str)
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let side = if e.get("on_return_path").and_then(Value::as_bool) == Some(true) {
            " on the return path"
        } else {
            ""
        };
        println!(
            "  {}{direction}{side}: {}",
            text(e, "explanation_code"),
            text(e, "detail")
        );
        if let Some(fix) = e.get("fix").and_then(Value::as_str) {
            println!("    fix: {fix}");
        }
    }
}
