//! `localvpc flows`: the data plane's latest connections as VPC flow logs saw them
//! (`GET /_localvpc/flows`), each interface's record with the rule that decided it.

use crate::dns::{Endpoint, http};
use anyhow::{Context, bail};
use clap::Args;
use serde_json::Value;

#[derive(Args, Debug)]
pub(crate) struct FlowsArgs {
    #[command(flatten)]
    endpoint: Endpoint,
    /// Only this instance's connections.
    #[arg(long)]
    instance: Option<String>,
    /// How many, newest first.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print the JSON as the server sent it.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: FlowsArgs) -> anyhow::Result<()> {
    let mut path = format!("/_localvpc/flows?limit={}", args.limit);
    if let Some(instance) = &args.instance {
        path.push_str(&format!("&instance={instance}"));
    }
    let (status, text) = http(&args.endpoint.endpoint, "GET", &path, None)?;
    if status != 200 {
        bail!("the server answered {status}: {text}");
    }
    if args.json {
        println!("{text}");
        return Ok(());
    }
    let answer: Value = serde_json::from_str(&text).context("the server's answer is not JSON")?;
    let flows = at(&answer, "flows").as_array().cloned().unwrap_or_default();
    if flows.is_empty() {
        println!(
            "no flows: connections are recorded while a flow log (aws ec2 create-flow-logs) \
             watches an interface they cross"
        );
    }
    for flow in &flows {
        let outcome = match at(flow, "blocked").as_str() {
            Some(code) => format!("refused: {code}"),
            None => format!(
                "{} bytes out, {} back",
                at(flow, "bytes_to_server"),
                at(flow, "bytes_to_client")
            ),
        };
        println!(
            "{} → {}  ({outcome})",
            at(flow, "instance").as_str().unwrap_or("?"),
            at(flow, "destination").as_str().unwrap_or("?")
        );
        for s in at(flow, "sightings").as_array().into_iter().flatten() {
            println!(
                "  {:<22} {:<7} {:<6} {:<7} {}",
                at(s, "interface").as_str().unwrap_or("?"),
                at(s, "direction").as_str().unwrap_or("?"),
                if at(s, "reply").as_bool() == Some(true) {
                    "reply"
                } else {
                    ""
                },
                at(s, "action").as_str().unwrap_or("?"),
                at(s, "decided_by").as_str().unwrap_or("")
            );
            println!("    {}", at(s, "record").as_str().unwrap_or(""));
        }
    }
    Ok(())
}

/// A member of a JSON object, `null` when absent.
fn at<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&Value::Null)
}
