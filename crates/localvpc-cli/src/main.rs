//! `localvpc`: a small AWS region on your machine for VPC private connectivity.

mod dns;
mod exec;
mod flows;
mod map;
mod serve;
mod trace;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "localvpc",
    version,
    about = "Amazon VPC private connectivity, locally"
)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand, Debug)]
enum Commands {
    /// Run the AWS-compatible API on one port, and the DNS server.
    Serve(serve::ServeArgs),
    /// Ask a running localvpc's DNS server: its listeners, or how it answers a name.
    #[command(subcommand)]
    Dns(dns::DnsCommand),
    /// Can a packet get from an instance to a name or address, and why (or why not)? Every
    /// hop with the rule that decided; every blocker with its Reachability Analyzer code.
    /// Exits 0 when the path is open, 2 when it is blocked.
    Trace(trace::TraceArgs),
    /// Run a program "inside" an instance: its HTTP(S) traffic goes through localvpc's data
    /// plane, resolved in the instance's VPC view and decided by routes, network ACLs and
    /// security groups (a refusal names its blocker); `--publish PORT` makes it the instance's
    /// server on that port meanwhile. Exits with the program's status.
    Exec(exec::ExecArgs),
    /// The data plane's latest connections as VPC flow logs saw them: each interface a
    /// connection crossed, its record, and the rule that accepted or rejected it.
    Flows(flows::FlowsArgs),
    /// Change or list the data plane's address mappings while the server runs: which real
    /// socket stands behind an emulated address (an IP target, an on-premises or internet
    /// server).
    #[command(subcommand)]
    Map(map::MapCommand),
    /// Print the certificate authority the running server's data plane signs TLS
    /// certificates with (made once per data directory; programs run by `exec` trust it).
    Ca(dns::Endpoint),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Commands::Serve(args) => serve::run(args),
        Commands::Dns(command) => dns::run(command),
        Commands::Map(command) => map::run(command),
        Commands::Ca(endpoint) => exec::print_ca(&endpoint),
        Commands::Flows(args) => flows::run(args),
        Commands::Exec(args) => match exec::run(args) {
            Ok(code) => return ExitCode::from(code),
            Err(e) => Err(e),
        },
        Commands::Trace(args) => match trace::run(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(trace::BLOCKED),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("localvpc: {e:#}");
            ExitCode::from(1)
        }
    }
}
