//! Generates an organisation (accounts × VPCs, instances, a hub VPC per account with interface
//! endpoints, a transit gateway and a peering per account) with the model's own commands, then
//! measures the network decision core on it: the per-snapshot index build, one trace (median
//! and p99 of many), and "every instance to every endpoint of its account" as one batch.
//!
//! `localvpc-trace-bench [ACCOUNTS] [VPCS_PER_ACCOUNT] [INSTANCES_PER_VPC]` (default 100 10 10:
//! 1,000 VPCs, 9,000 instances, 1,000 endpoints with 2,000 interfaces).

use anyhow::{Context, bail};
use localvpc_model::{
    AccountId, Catalog, Command, CreateSecurityGroup, CreateSubnet, CreateTgwVpcAttachment,
    CreateVpc, CreateVpcEndpoint, CreateVpcPeering, Ctx, GroupRef, IpPermission, Model, Outcome,
    RouteDestination, RouteSpec, RouteTarget, RunInstances, Scope, SequentialIds, Timestamp,
    TransitGatewayOptions,
};
use localvpc_net::{IpProtocol, NetIndex, PathEnd, PathQuery, analyze, verdict};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REGION: &str = "ap-northeast-1";
const SERVICES: [&str; 10] = [
    "ssm",
    "ssmmessages",
    "ec2",
    "ec2messages",
    "monitoring",
    "kms",
    "logs",
    "sts",
    "secretsmanager",
    "sqs",
];

struct Builder {
    model: Model,
    ids: SequentialIds,
    catalog: Catalog,
}

impl Builder {
    fn run(&mut self, scope: &Scope, command: Command) -> anyhow::Result<Outcome> {
        let mut ctx = Ctx {
            scope,
            now: Timestamp(0),
            ids: &mut self.ids,
            catalog: &self.catalog,
        };
        let (next, outcome, _) = self
            .model
            .execute(&command, &mut ctx)
            .with_context(|| format!("{command:?}"))?;
        self.model = next;
        Ok(outcome)
    }
}

struct Account {
    instances: Vec<localvpc_model::InstanceId>,
    endpoints: Vec<localvpc_model::VpcEndpointId>,
}

fn build(accounts: usize, vpcs: usize, instances: usize) -> anyhow::Result<(Model, Vec<Account>)> {
    let mut b = Builder {
        model: Model::default(),
        ids: SequentialIds::default(),
        catalog: Catalog::default(),
    };
    let mut out = Vec::new();
    for a in 0..accounts {
        let account = AccountId::parse(&format!("{:012}", 100_000_000_000u64 + a as u64))
            .context("account id")?;
        let scope = Scope::new(account, REGION);
        b.run(&scope, Command::EnsureScope { default_vpc: false })?;
        let Outcome::TransitGateway(tgw) = b.run(
            &scope,
            Command::CreateTransitGateway {
                description: String::new(),
                options: TransitGatewayOptions::default(),
                tag_specifications: Vec::new(),
            },
        )?
        else {
            bail!("CreateTransitGateway")
        };
        let mut acc = Account {
            instances: Vec::new(),
            endpoints: Vec::new(),
        };
        let mut vpc_ids = Vec::new();
        for v in 0..vpcs {
            let Outcome::Vpc(vpc) = b.run(
                &scope,
                Command::CreateVpc(CreateVpc {
                    cidr_block: Some(format!("10.{v}.0.0/16")),
                    ..CreateVpc::default()
                }),
            )?
            else {
                bail!("CreateVpc")
            };
            let mut subnets = Vec::new();
            for (i, az) in ["a", "c"].iter().enumerate() {
                let Outcome::Subnet(s) = b.run(
                    &scope,
                    Command::CreateSubnet(CreateSubnet {
                        vpc_id: vpc.id.clone(),
                        cidr_block: Some(format!("10.{v}.{}.0/24", i + 1)),
                        availability_zone: Some(format!("{REGION}{az}")),
                        availability_zone_id: None,
                        ipv6_cidr_block: None,
                        ipv6_native: false,
                        tag_specifications: Vec::new(),
                    }),
                )?
                else {
                    bail!("CreateSubnet")
                };
                subnets.push(s.id);
            }
            b.run(
                &scope,
                Command::CreateTransitGatewayVpcAttachment(CreateTgwVpcAttachment {
                    transit_gateway_id: tgw.id.clone(),
                    vpc_id: vpc.id.clone(),
                    subnet_ids: subnets.iter().take(1).cloned().collect(),
                    dns_support: true,
                    tag_specifications: Vec::new(),
                }),
            )?;
            let main = b
                .model
                .main_route_table(&vpc.id)
                .map(|t| t.id.clone())
                .context("main table")?;
            b.run(
                &scope,
                Command::CreateRoute {
                    route_table_id: main,
                    route: RouteSpec {
                        destination: RouteDestination::Ipv4("10.0.0.0/8".parse()?),
                        target: RouteTarget::TransitGateway(tgw.id.clone()),
                    },
                },
            )?;
            if v == 0 {
                // The hub: interface endpoints whose group admits 443 from the organisation.
                let Outcome::SecurityGroup(sg) = b.run(
                    &scope,
                    Command::CreateSecurityGroup(CreateSecurityGroup {
                        vpc_id: Some(vpc.id.clone()),
                        group_name: "endpoints".into(),
                        description: "endpoints".into(),
                        tag_specifications: Vec::new(),
                    }),
                )?
                else {
                    bail!("CreateSecurityGroup")
                };
                b.run(
                    &scope,
                    Command::AuthorizeSecurityGroup {
                        group: GroupRef::Id(sg.id.clone()),
                        egress: false,
                        permissions: vec![IpPermission {
                            protocol: "tcp".into(),
                            from_port: Some(443),
                            to_port: Some(443),
                            ipv4_ranges: vec![("10.0.0.0/8".into(), None)],
                            ..IpPermission::default()
                        }],
                        tag_specifications: Vec::new(),
                    },
                )?;
                for service in SERVICES {
                    let Outcome::VpcEndpoint(e) = b.run(
                        &scope,
                        Command::CreateVpcEndpoint(CreateVpcEndpoint {
                            vpc_id: Some(vpc.id.clone()),
                            service_name: format!("com.amazonaws.{REGION}.{service}"),
                            endpoint_type: Some("Interface".into()),
                            subnet_ids: subnets.clone(),
                            security_group_ids: vec![sg.id.clone()],
                            private_dns_enabled: Some(false),
                            ..CreateVpcEndpoint::default()
                        }),
                    )?
                    else {
                        bail!("CreateVpcEndpoint")
                    };
                    acc.endpoints.push(e.id);
                }
            } else {
                for i in 0..instances {
                    let Outcome::Instances(mut list) = b.run(
                        &scope,
                        Command::RunInstances(RunInstances {
                            image_id: "ami-0abcdef1234567890".into(),
                            instance_type: "t3.micro".into(),
                            min_count: 1,
                            max_count: 1,
                            subnet_id: subnets.get(i % 2).cloned(),
                            availability_zone: None,
                            groups: Vec::new(),
                            group_names: Vec::new(),
                            private_ip: None,
                            ipv6_addresses: Vec::new(),
                            ipv6_count: None,
                            associate_public_ip: None,
                            key_name: None,
                            client_token: None,
                            tag_specifications: Vec::new(),
                            disable_api_termination: false,
                            disable_api_stop: false,
                            iam_instance_profile: None,
                        }),
                    )?
                    else {
                        bail!("RunInstances")
                    };
                    acc.instances.extend(list.pop().map(|i| i.id));
                }
            }
            vpc_ids.push(vpc.id);
        }
        // One peering per account (hub <-> first spoke), so both connectors are exercised.
        if let [hub, spoke, ..] = vpc_ids.as_slice() {
            b.run(
                &scope,
                Command::CreateVpcPeeringConnection(CreateVpcPeering {
                    vpc_id: hub.clone(),
                    peer_vpc_id: spoke.clone(),
                    peer_owner: None,
                    peer_region: None,
                    tag_specifications: Vec::new(),
                }),
            )?;
        }
        out.push(acc);
    }
    Ok((b.model, out))
}

fn query(
    instance: &localvpc_model::InstanceId,
    endpoint: &localvpc_model::VpcEndpointId,
) -> PathQuery {
    PathQuery {
        source: PathEnd::Instance(instance.clone()),
        source_ip: None,
        destination: PathEnd::VpcEndpoint(endpoint.clone()),
        destination_ip: None,
        protocol: IpProtocol::TCP,
        destination_port: Some(443),
        request: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn main() -> anyhow::Result<()> {
    let arg = |n: usize, default: usize| -> anyhow::Result<usize> {
        match std::env::args().nth(n) {
            Some(v) => Ok(v.parse()?),
            None => Ok(default),
        }
    };
    let (accounts, vpcs, instances) = (arg(1, 100)?, arg(2, 10)?, arg(3, 10)?);
    let started = Instant::now();
    let (model, org) = build(accounts, vpcs, instances)?;
    let model = Arc::new(model);
    let interfaces = model.all::<localvpc_model::NetworkInterface>().count();
    println!(
        "organisation: {accounts} accounts, {} VPCs, {} instances, {} endpoints, {interfaces} interfaces (built in {:.1} s)",
        accounts * vpcs,
        org.iter().map(|a| a.instances.len()).sum::<usize>(),
        org.iter().map(|a| a.endpoints.len()).sum::<usize>(),
        started.elapsed().as_secs_f64()
    );

    let mut builds = Vec::new();
    let mut index = None;
    for _ in 0..5 {
        let t = Instant::now();
        index = Some(NetIndex::build(Arc::clone(&model)));
        builds.push(t.elapsed());
    }
    builds.sort();
    let index = index.context("index")?;
    println!(
        "index build (whole snapshot): median {:.2} ms",
        percentile(&builds, 0.5).as_secs_f64() * 1e3
    );

    let first = org.first().context("no account")?;
    let (Some(instance), Some(endpoint)) = (first.instances.first(), first.endpoints.first())
    else {
        bail!("the first account has no instance or endpoint")
    };
    let one = query(instance, endpoint);
    let check = analyze(&index, &one).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !check.network_path_found {
        bail!("the sample path should be open: {:?}", check.explanations);
    }
    let mut samples = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let t = Instant::now();
        let r = analyze(&index, &one).map_err(|e| anyhow::anyhow!("{e}"))?;
        samples.push(t.elapsed());
        std::hint::black_box(r);
    }
    samples.sort();
    println!(
        "one trace with its hops (instance -> interface endpoint over the transit gateway, forward + return): median {:.1} µs, p99 {:.1} µs",
        percentile(&samples, 0.5).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6
    );
    let mut samples = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let t = Instant::now();
        let r = verdict(&index, &one).map_err(|e| anyhow::anyhow!("{e}"))?;
        samples.push(t.elapsed());
        std::hint::black_box(r);
    }
    samples.sort();
    println!(
        "one verdict (the same search, no hops recorded): median {:.1} µs, p99 {:.1} µs",
        percentile(&samples, 0.5).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6
    );

    let t = Instant::now();
    let (mut total, mut open) = (0usize, 0usize);
    for account in &org {
        for i in &account.instances {
            for e in &account.endpoints {
                let r = verdict(&index, &query(i, e)).map_err(|e| anyhow::anyhow!("{e}"))?;
                total += 1;
                open += usize::from(r.network_path_found);
            }
        }
    }
    let batch = t.elapsed();
    println!(
        "batch of verdicts (every instance to every endpoint of its account): {total} paths ({open} open) in {:.2} s, {:.1} µs each",
        batch.as_secs_f64(),
        batch.as_secs_f64() * 1e6 / total.max(1) as f64
    );
    Ok(())
}
