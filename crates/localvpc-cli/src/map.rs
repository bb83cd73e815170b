//! `localvpc map …`: the running server's address mappings (`/_localvpc/map-ip`): which real
//! socket stands behind an emulated one — an IP target of a load balancer, an on-premises or
//! internet server — added and removed while the server runs.

use crate::dns::{Endpoint, http};
use anyhow::Context;
use clap::Subcommand;
use serde_json::{Value, json};
use std::net::SocketAddr;

#[derive(Subcommand, Debug)]
pub(crate) enum MapCommand {
    /// Map an emulated socket to a real one: connections the data plane allows to
    /// `EMULATED:PORT` (or delivers there, as a load balancer's target) reach `REAL:PORT`.
    Add {
        #[command(flatten)]
        endpoint: Endpoint,
        /// `EMULATED:PORT=REAL:PORT`, e.g. `10.0.1.10:443=127.0.0.1:8443`.
        #[arg(value_parser = parse_mapping)]
        mapping: (SocketAddr, SocketAddr),
    },
    /// List every mapping: `--map-ip`'s, the mapping API's and sessions' published ports.
    List {
        #[command(flatten)]
        endpoint: Endpoint,
        /// Print the JSON as the server sent it.
        #[arg(long)]
        json: bool,
    },
    /// Remove a mapping added with `localvpc map add`.
    Remove {
        #[command(flatten)]
        endpoint: Endpoint,
        /// The emulated `IP:PORT`.
        #[arg(value_parser = parse_socket)]
        emulated: SocketAddr,
    },
}

fn parse_socket(text: &str) -> Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .ok()
        .filter(|a| a.port() != 0)
        .ok_or_else(|| format!("expected IP:PORT (port 1–65535), got `{text}`"))
}

fn parse_mapping(text: &str) -> Result<(SocketAddr, SocketAddr), String> {
    let (from, to) = text
        .split_once('=')
        .ok_or_else(|| format!("expected EMULATED:PORT=REAL:PORT, got `{text}`"))?;
    let side = |t: &str| parse_socket(t).map_err(|e| format!("EMULATED:PORT=REAL:PORT, {e}"));
    Ok((side(from)?, side(to)?))
}

fn refused(status: u16, body: &str) -> anyhow::Error {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| body.to_owned());
    anyhow::anyhow!("{message} (HTTP {status})")
}

pub(crate) fn run(command: MapCommand) -> anyhow::Result<()> {
    match command {
        MapCommand::Add {
            endpoint,
            mapping: (emulated, real),
        } => {
            let body = json!({ "emulated": emulated.to_string(), "real": real.to_string() });
            let (status, text) = http(
                &endpoint.endpoint,
                "POST",
                "/_localvpc/map-ip",
                Some(&body.to_string()),
            )?;
            if status != 201 {
                return Err(refused(status, &text));
            }
            println!("{emulated} -> {real}");
        }
        MapCommand::List { endpoint, json } => {
            let (status, text) = http(&endpoint.endpoint, "GET", "/_localvpc/map-ip", None)?;
            if status != 200 {
                return Err(refused(status, &text));
            }
            if json {
                println!("{text}");
                return Ok(());
            }
            let answer: Value = serde_json::from_str(&text).context("malformed answer")?;
            let field = |m: &Value, name: &str| {
                m.get(name)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            for m in answer
                .get("mappings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let origin = match field(m, "origin").as_str() {
                    "session" => format!(
                        "published by session {} ({})",
                        field(m, "session"),
                        field(m, "instance")
                    ),
                    "static" => "--map-ip".to_owned(),
                    other => other.to_owned(),
                };
                println!(
                    "{:<24} -> {:<24} {origin}",
                    field(m, "emulated"),
                    field(m, "real")
                );
            }
        }
        MapCommand::Remove { endpoint, emulated } => {
            let path = format!("/_localvpc/map-ip/{emulated}")
                .replace('[', "%5B")
                .replace(']', "%5D");
            let (status, text) = http(&endpoint.endpoint, "DELETE", &path, None)?;
            if status != 200 {
                return Err(refused(status, &text));
            }
            println!("removed {emulated}");
        }
    }
    Ok(())
}

/// `exec --publish PORT[:REALPORT]`: the instance's port and the real one on 127.0.0.1.
pub(crate) fn parse_publish(text: &str) -> Result<(u16, u16), String> {
    let port = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|&p| p != 0)
            .ok_or_else(|| format!("expected PORT[:REALPORT] (ports 1–65535), got `{text}`"))
    };
    match text.split_once(':') {
        Some((emulated, real)) => Ok((port(emulated)?, port(real)?)),
        None => port(text).map(|p| (p, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_and_published_ports_are_parsed_or_refused() {
        let (from, to) = parse_mapping("10.0.1.10:443=127.0.0.1:8443").unwrap();
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("10.0.1.10:443".to_owned(), "127.0.0.1:8443".to_owned())
        );
        assert!(parse_mapping("10.0.1.10:443").is_err());
        assert!(parse_mapping("10.0.1.10=127.0.0.1:1").is_err());
        assert!(parse_mapping("10.0.1.10:0=127.0.0.1:1").is_err());
        assert_eq!(parse_publish("8080"), Ok((8080, 8080)));
        assert_eq!(parse_publish("80:8000"), Ok((80, 8000)));
        for bad in ["", "0", "80:", "x", "70000", "80:0", "1:2:3"] {
            assert!(parse_publish(bad).is_err(), "{bad}");
        }
    }
}
