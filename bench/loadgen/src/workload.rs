//! The fixed mix of EC2 calls, and the seed state both servers get first.

use crate::client::{Conn, Endpoint, Reply, contains, xml_value};
use crate::stats::{Op, Recorder};
use anyhow::{Result, bail};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const VERSION: &str = "Version=2016-11-15";

/// What one `mix` run is asked to do.
#[derive(Clone, Debug)]
pub(crate) struct MixConfig {
    pub(crate) concurrency: usize,
    pub(crate) duration: Duration,
    /// Upper bound on iterations per worker, whatever the duration.
    pub(crate) max_iterations: u64,
    /// Distinguishes this run's tags from any earlier run against the same server.
    pub(crate) run_tag: String,
}

/// Sends one request, records it, and returns the answer if there was one.
async fn call(conn: &mut Conn, rec: &mut Recorder, op: Op, params: &str) -> Option<Reply> {
    let form = format!("Action={}&{VERSION}&{params}", op.action());
    let start = Instant::now();
    match conn.post(&form).await {
        Ok(reply) => {
            rec.answer(op, start.elapsed(), reply.status, &reply.body);
            Some(reply)
        }
        Err(e) => {
            rec.transport_error(op, &e);
            None
        }
    }
}

/// Sends a request and scans `tag` out of a 2xx answer.
async fn create(
    conn: &mut Conn,
    rec: &mut Recorder,
    op: Op,
    params: &str,
    tag: &str,
) -> Option<String> {
    let reply = call(conn, rec, op, params).await?;
    if !reply.ok() {
        return None;
    }
    let id = xml_value(&reply.body, tag).map(str::to_owned);
    if id.is_none() {
        rec.mismatch(op, &format!("no <{tag}> in the answer"));
    }
    id
}

/// Percent-encodes a form value (the few characters our values can hold).
fn enc(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '~' => out.push(c),
            _ => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// `TagSpecification.1.*` parameters for a resource type and tags.
fn tag_spec(resource: &str, tags: &[(&str, &str)]) -> String {
    let mut s = format!("TagSpecification.1.ResourceType={resource}");
    for (i, (k, v)) in tags.iter().enumerate() {
        let n = i + 1;
        s.push_str(&format!(
            "&TagSpecification.1.Tag.{n}.Key={}&TagSpecification.1.Tag.{n}.Value={}",
            enc(k),
            enc(v)
        ));
    }
    s
}

/// One pass of the mix: 8 requests.
async fn iteration(conn: &mut Conn, rec: &mut Recorder, worker: usize, i: u64, run_tag: &str) {
    let octet = (worker as u64 * 37 + i) % 200;
    let tag = format!("{run_tag}-w{worker}-i{i}");
    let vpc_params = format!(
        "CidrBlock={}&{}",
        enc(&format!("10.{octet}.0.0/16")),
        tag_spec("vpc", &[("bench", &tag)])
    );
    let Some(vpc) = create(conn, rec, Op::CreateVpc, &vpc_params, "vpcId").await else {
        return;
    };
    let mut subnets = Vec::with_capacity(2);
    for (k, az) in [(1, "us-east-1a"), (2, "us-east-1b")] {
        let p = format!(
            "VpcId={vpc}&CidrBlock={}&AvailabilityZone={az}",
            enc(&format!("10.{octet}.{k}.0/24"))
        );
        if let Some(id) = create(conn, rec, Op::CreateSubnet, &p, "subnetId").await {
            subnets.push(id);
        }
    }
    let p = format!("Filter.1.Name=tag%3Abench&Filter.1.Value.1={}", enc(&tag));
    if let Some(r) = call(conn, rec, Op::DescribeVpcs, &p).await
        && r.ok()
        && !contains(&r.body, &vpc)
    {
        rec.mismatch(
            Op::DescribeVpcs,
            &format!("{vpc} not in the tag-filtered answer"),
        );
    }
    let p = format!("Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}");
    if let Some(r) = call(conn, rec, Op::DescribeSubnets, &p).await
        && r.ok()
        && !subnets.iter().all(|s| contains(&r.body, s))
    {
        rec.mismatch(
            Op::DescribeSubnets,
            &format!("subnets of {vpc} missing from the answer"),
        );
    }
    for s in &subnets {
        call(conn, rec, Op::DeleteSubnet, &format!("SubnetId={s}")).await;
    }
    call(conn, rec, Op::DeleteVpc, &format!("VpcId={vpc}")).await;
}

/// Runs `concurrency` workers looping the mix until the duration is up, and
/// summarises every request.
pub(crate) async fn run_mix(endpoint: &Endpoint, cfg: &MixConfig) -> Result<Value> {
    if cfg.concurrency == 0 {
        bail!("concurrency must be at least 1");
    }
    let start = Instant::now();
    let deadline = start + cfg.duration;
    let mut tasks = Vec::with_capacity(cfg.concurrency);
    for worker in 0..cfg.concurrency {
        let endpoint = endpoint.clone();
        let cfg = cfg.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(endpoint);
            let mut rec = Recorder::default();
            let mut i = 0;
            while i < cfg.max_iterations && Instant::now() < deadline {
                iteration(&mut conn, &mut rec, worker, i, &cfg.run_tag).await;
                i += 1;
            }
            rec.connects = conn.connects;
            rec
        }));
    }
    let mut total = Recorder::default();
    for t in tasks {
        total.merge(t.await?);
    }
    let elapsed = start.elapsed();
    let mut summary = total.summary(elapsed);
    if let Some(obj) = summary.as_object_mut() {
        obj.insert("concurrency".into(), json!(cfg.concurrency));
        obj.insert("duration_s".into(), json!(cfg.duration.as_secs_f64()));
    }
    Ok(summary)
}

/// What to seed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SeedConfig {
    pub(crate) vpcs: usize,
    pub(crate) subnets_per_vpc: usize,
    pub(crate) security_groups_per_vpc: usize,
}

/// Creates the seed state on one connection: VPCs with tagged subnets, and security
/// groups with an ingress rule where the server supports them (skipped otherwise).
pub(crate) async fn seed(endpoint: &Endpoint, cfg: SeedConfig) -> Result<Value> {
    const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
    const TIERS: [&str; 3] = ["public", "private", "data"];
    if cfg.vpcs > 250 || cfg.subnets_per_vpc > 200 || cfg.security_groups_per_vpc > 50 {
        bail!("seed size out of range (at most 250 VPCs, 200 subnets and 50 security groups each)");
    }
    let start = Instant::now();
    let mut conn = Conn::new(endpoint.clone());
    let mut rec = Recorder::default();
    let (mut vpcs, mut subnets, mut groups, mut rules) = (0u64, 0u64, 0u64, 0u64);
    let mut sg_supported = cfg.security_groups_per_vpc > 0;
    let mut rules_supported = true;
    for v in 0..cfg.vpcs {
        let name = format!("seed-vpc-{v}");
        let team = format!("team-{}", v % 4);
        let p = format!(
            "CidrBlock={}&{}",
            enc(&format!("10.{}.0.0/16", 200 + v % 56)),
            tag_spec(
                "vpc",
                &[("Name", &name), ("env", "bench-seed"), ("team", &team)]
            )
        );
        let Some(vpc) = create(&mut conn, &mut rec, Op::CreateVpc, &p, "vpcId").await else {
            continue;
        };
        vpcs += 1;
        for k in 0..cfg.subnets_per_vpc {
            let az = AZS.get(k % AZS.len()).copied().unwrap_or("us-east-1a");
            let tier = TIERS.get(k % TIERS.len()).copied().unwrap_or("public");
            let p = format!(
                "VpcId={vpc}&CidrBlock={}&AvailabilityZone={az}&{}",
                enc(&format!("10.{}.{k}.0/24", 200 + v % 56)),
                tag_spec(
                    "subnet",
                    &[
                        ("Name", &format!("seed-subnet-{v}-{k}")),
                        ("tier", tier),
                        ("team", &team)
                    ]
                )
            );
            if create(&mut conn, &mut rec, Op::CreateSubnet, &p, "subnetId")
                .await
                .is_some()
            {
                subnets += 1;
            }
        }
        for g in 0..cfg.security_groups_per_vpc {
            if !sg_supported {
                break;
            }
            let p = format!(
                "GroupName=seed-sg-{v}-{g}&GroupDescription={}&VpcId={vpc}&{}",
                enc(&format!("seed group {g} of {name}")),
                tag_spec(
                    "security-group",
                    &[("Name", &format!("seed-sg-{v}-{g}")), ("team", &team)]
                )
            );
            let Some(group) =
                create(&mut conn, &mut rec, Op::CreateSecurityGroup, &p, "groupId").await
            else {
                // The first refusal means the server has no security groups yet.
                sg_supported = groups > 0;
                continue;
            };
            groups += 1;
            if rules_supported {
                let port = if g % 2 == 0 { 443 } else { 22 };
                let p = format!(
                    "GroupId={group}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort={port}\
                     &IpPermissions.1.ToPort={port}&IpPermissions.1.IpRanges.1.CidrIp={}",
                    enc("10.0.0.0/8")
                );
                match call(&mut conn, &mut rec, Op::AuthorizeSecurityGroupIngress, &p).await {
                    Some(r) if r.ok() => rules += 1,
                    _ => rules_supported = rules > 0,
                }
            }
        }
    }
    let elapsed = start.elapsed();
    Ok(json!({
        "vpcs": vpcs,
        "subnets": subnets,
        "security_groups": groups,
        "ingress_rules": rules,
        "security_groups_supported": groups > 0,
        "requests": rec.requests(),
        "errors": rec.errors(),
        "elapsed_s": crate::stats::round3(elapsed.as_secs_f64()),
        "error_samples": rec.error_samples(),
    }))
}

/// One `DescribeVpcs` on a fresh connection: the readiness probe.
pub(crate) async fn probe(endpoint: &Endpoint) -> Result<u16> {
    let mut conn = Conn::new(endpoint.clone());
    let reply = conn.post(&format!("Action=DescribeVpcs&{VERSION}")).await?;
    Ok(reply.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_form_values() {
        assert_eq!(enc("10.1.0.0/16"), "10.1.0.0%2F16");
        assert_eq!(enc("tag:bench x"), "tag%3Abench%20x");
        assert_eq!(
            tag_spec("vpc", &[("bench", "r-w0-i1")]),
            "TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=bench&TagSpecification.1.Tag.1.Value=r-w0-i1"
        );
    }
}
