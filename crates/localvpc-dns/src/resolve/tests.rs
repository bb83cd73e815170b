//! `resolve` against models built with real commands.

use super::*;
use crate::rr::QType;
use localvpc_model::route53::record::{AliasTarget, RecordSet};
use localvpc_model::route53::{
    ChangeAction, CreateHostedZone, RecordChange, Route53Command, Route53Outcome, ZoneVpc,
};
use localvpc_model::{
    AccountId, Command, CreateResolverEndpoint, CreateResolverRule, CreateSubnet, CreateVpc,
    CreateVpcEndpoint, Ctx, EndpointIpRequest, NetworkInterface, Outcome, ResolverCommand,
    ResolverOutcome, Scope as ModelScope, SequentialIds, SubnetId, TargetIpRequest, Timestamp,
    VpcAttribute,
};
use std::sync::Arc;

const REGION: &str = "ap-northeast-1";
const HUB: &str = "111111111111";
const SPOKE: &str = "222222222222";

struct World {
    model: Model,
    /// The DNS tables kept up to date change by change, as the server does; every command
    /// checks them against tables built from scratch.
    tables: Option<Indexed>,
    ids: SequentialIds,
    catalog: Catalog,
}

struct Net {
    vpc: VpcId,
    subnets: Vec<SubnetId>,
}

impl World {
    fn new() -> Self {
        Self {
            model: Model::default(),
            tables: None,
            ids: SequentialIds::default(),
            catalog: Catalog::default(),
        }
    }

    fn run(&mut self, account: &str, region: &str, command: Command) -> Outcome {
        let scope = ModelScope::new(AccountId::parse(account).unwrap(), region);
        let mut ctx = Ctx {
            scope: &scope,
            now: Timestamp(0),
            ids: &mut self.ids,
            catalog: &self.catalog,
        };
        let before = self
            .tables
            .take()
            .unwrap_or_else(|| Indexed::build(Arc::new(self.model.clone()), &self.catalog));
        let mut batch = Vec::new();
        if !self.model.has_scope(&scope) {
            let (next, _, changes) = self
                .model
                .execute(&Command::EnsureScope { default_vpc: false }, &mut ctx)
                .unwrap();
            self.model = next;
            batch.push(changes);
        }
        let (next, outcome, changes) = self
            .model
            .execute(&command, &mut ctx)
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        self.model = next;
        batch.push(changes);
        let model = Arc::new(self.model.clone());
        let updated = before.update(Arc::clone(&model), &self.catalog, &batch);
        let rebuilt = Indexed::build(model, &self.catalog);
        assert!(
            updated.index == rebuilt.index,
            "the DNS tables updated by {command:?} differ from tables built from scratch"
        );
        self.tables = Some(updated);
        outcome
    }

    /// A VPC with both DNS attributes on and subnets in two AZs.
    fn net(&mut self, account: &str, cidr: &str) -> Net {
        let Outcome::Vpc(vpc) = self.run(
            account,
            REGION,
            Command::CreateVpc(CreateVpc {
                cidr_block: Some(cidr.into()),
                ..CreateVpc::default()
            }),
        ) else {
            panic!()
        };
        self.attr(account, &vpc.id, VpcAttribute::EnableDnsHostnames(true));
        let base = cidr.trim_end_matches(".0.0/16");
        let mut subnets = Vec::new();
        for (n, az) in ["a", "c"].iter().enumerate() {
            let Outcome::Subnet(s) = self.run(
                account,
                REGION,
                Command::CreateSubnet(CreateSubnet {
                    vpc_id: vpc.id.clone(),
                    cidr_block: Some(format!("{base}.{n}.0/24")),
                    availability_zone: Some(format!("{REGION}{az}")),
                    availability_zone_id: None,
                    ipv6_cidr_block: None,
                    ipv6_native: false,
                    tag_specifications: Vec::new(),
                }),
            ) else {
                panic!()
            };
            subnets.push(s.id);
        }
        Net {
            vpc: vpc.id,
            subnets,
        }
    }

    fn attr(&mut self, account: &str, vpc: &VpcId, attribute: VpcAttribute) {
        self.run(
            account,
            REGION,
            Command::ModifyVpcAttribute {
                vpc_id: vpc.clone(),
                attribute,
            },
        );
    }

    fn interface_endpoint(
        &mut self,
        account: &str,
        net: &Net,
        service: &str,
        private_dns: bool,
    ) -> VpcEndpoint {
        let Outcome::VpcEndpoint(e) = self.run(
            account,
            REGION,
            Command::CreateVpcEndpoint(CreateVpcEndpoint {
                vpc_id: Some(net.vpc.clone()),
                service_name: format!("com.amazonaws.{REGION}.{service}"),
                endpoint_type: Some("Interface".into()),
                subnet_ids: net.subnets.clone(),
                private_dns_enabled: Some(private_dns),
                ..CreateVpcEndpoint::default()
            }),
        ) else {
            panic!()
        };
        e
    }

    fn gateway_endpoint(&mut self, account: &str, net: &Net, service: &str) -> VpcEndpoint {
        let Outcome::VpcEndpoint(e) = self.run(
            account,
            REGION,
            Command::CreateVpcEndpoint(CreateVpcEndpoint {
                vpc_id: Some(net.vpc.clone()),
                service_name: format!("com.amazonaws.{REGION}.{service}"),
                ..CreateVpcEndpoint::default()
            }),
        ) else {
            panic!()
        };
        e
    }

    fn r53(&mut self, account: &str, c: Route53Command) -> Route53Outcome {
        match self.run(account, "us-east-1", Command::Route53(c)) {
            Outcome::Route53(o) => o,
            o => panic!("{o:?}"),
        }
    }

    fn zone(&mut self, account: &str, name: &str, vpc: Option<&VpcId>) -> HostedZone {
        let c = Route53Command::CreateHostedZone(CreateHostedZone {
            name: name.into(),
            caller_reference: format!("{name}-{account}-{}", vpc.is_some()),
            comment: None,
            private_flag: None,
            vpc: vpc.map(|v| ZoneVpc {
                region: REGION.into(),
                vpc_id: v.clone(),
            }),
            delegation_set_id: None,
        });
        match self.r53(account, c) {
            Route53Outcome::Zone { zone, .. } => *zone,
            o => panic!("{o:?}"),
        }
    }

    fn records(&mut self, account: &str, zone: &HostedZone, sets: Vec<RecordSet>) {
        let changes = sets
            .into_iter()
            .map(|record| RecordChange {
                action: ChangeAction::Create,
                record,
            })
            .collect();
        self.r53(
            account,
            Route53Command::ChangeRecordSets {
                zone: zone.id.clone(),
                comment: None,
                changes,
            },
        );
    }

    fn resolver(&mut self, account: &str, c: ResolverCommand) -> ResolverOutcome {
        match self.run(account, REGION, Command::Resolver(c)) {
            Outcome::Resolver(o) => o,
            o => panic!("{o:?}"),
        }
    }

    fn inbound(&mut self, account: &str, net: &Net) -> ResolverEndpoint {
        self.resolver_endpoint(account, net, "INBOUND")
    }

    fn resolver_endpoint(&mut self, account: &str, net: &Net, direction: &str) -> ResolverEndpoint {
        let vpc = self.model.any::<Vpc>(&net.vpc).unwrap().clone();
        let c = ResolverCommand::CreateEndpoint(CreateResolverEndpoint {
            creator_request_id: format!("{direction}-{}", net.vpc),
            security_group_ids: vec![vpc.default_security_group_id.to_string()],
            direction: direction.into(),
            ip_addresses: net
                .subnets
                .iter()
                .map(|s| EndpointIpRequest {
                    subnet_id: Some(s.to_string()),
                    ..EndpointIpRequest::default()
                })
                .collect(),
            ..CreateResolverEndpoint::default()
        });
        match self.resolver(account, c) {
            ResolverOutcome::Endpoint(e) => e,
            o => panic!("{o:?}"),
        }
    }

    fn rule(
        &mut self,
        account: &str,
        rule_type: &str,
        domain: &str,
        targets: &[&str],
        outbound: Option<&ResolverEndpoint>,
        vpc: &VpcId,
    ) -> ResolverRule {
        let c = ResolverCommand::CreateRule(CreateResolverRule {
            creator_request_id: format!("{rule_type}-{domain}"),
            rule_type: rule_type.into(),
            domain_name: Some(domain.into()),
            target_ips: (!targets.is_empty()).then(|| {
                targets
                    .iter()
                    .map(|ip| TargetIpRequest {
                        ip: Some((*ip).into()),
                        ..TargetIpRequest::default()
                    })
                    .collect()
            }),
            resolver_endpoint_id: outbound.map(|e| e.id.to_string()),
            ..CreateResolverRule::default()
        });
        let ResolverOutcome::Rule(rule) = self.resolver(account, c) else {
            panic!()
        };
        self.resolver(
            account,
            ResolverCommand::AssociateRule {
                rule_id: rule.id.to_string(),
                vpc_id: vpc.to_string(),
                name: None,
            },
        );
        rule
    }

    fn ask(&self, view: &View, name: &str, qtype: QType) -> Resolution {
        resolve(&self.model, &self.catalog, view, name, qtype)
    }
}

fn set(name: &str, rtype: &str, values: &[&str]) -> RecordSet {
    RecordSet {
        name: name.into(),
        record_type: rtype.into(),
        set_identifier: None,
        routing: None,
        ttl: Some(300),
        values: values.iter().map(|v| (*v).into()).collect(),
        alias: None,
        health_check_id: None,
    }
}

fn alias(name: &str, zone_id: &str, target: &str) -> RecordSet {
    RecordSet {
        ttl: None,
        values: Vec::new(),
        alias: Some(AliasTarget {
            hosted_zone_id: zone_id.into(),
            dns_name: target.into(),
            evaluate_target_health: false,
        }),
        ..set(name, "A", &[])
    }
}

fn a_records(r: &Resolution) -> Vec<Ipv4Addr> {
    r.answers
        .iter()
        .filter_map(|rr| match rr.data {
            RrData::A(ip) => Some(ip),
            _ => None,
        })
        .collect()
}

fn trail_text(r: &Resolution) -> String {
    r.trail
        .iter()
        .map(|s| s.detail.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn eni_ips(w: &World, e: &VpcEndpoint) -> Vec<Ipv4Addr> {
    e.network_interface_ids
        .iter()
        .map(|n| w.model.any::<NetworkInterface>(n).unwrap().private_ip)
        .collect()
}

#[test]
fn dns_support_off_refuses_with_a_reason() {
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    w.attr(HUB, &net.vpc, VpcAttribute::EnableDnsHostnames(false));
    w.attr(HUB, &net.vpc, VpcAttribute::EnableDnsSupport(false));
    let r = w.ask(&View::Vpc(net.vpc.clone()), "example.com", QType::A);
    assert_eq!(r.rcode, Rcode::Refused);
    assert!(trail_text(&r).contains("enableDnsSupport is false"));
}

#[test]
fn private_dns_shadows_the_public_answer_inside_the_vpc_only() {
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    let e = w.interface_endpoint(HUB, &net, "ssm", true);
    let name = "SSM.ap-northeast-1.amazonaws.com";
    let inside = w.ask(&View::Vpc(net.vpc.clone()), name, QType::A);
    assert_eq!(inside.rcode, Rcode::NoError);
    assert_eq!(a_records(&inside), eni_ips(&w, &e));
    assert!(inside.authoritative);
    assert!(
        trail_text(&inside).contains(&format!("shadowed by endpoint {} private DNS", e.id)),
        "{}",
        trail_text(&inside)
    );
    let outside = w.ask(&View::Public, name, QType::A);
    let ips = a_records(&outside);
    assert_eq!(ips.len(), 1);
    assert!(!eni_ips(&w, &e).contains(&ips[0]));
    // Stable: the same name always gets the same public address.
    assert_eq!(a_records(&w.ask(&View::Public, name, QType::A)), ips);
    // A name below the hidden zone without a wildcard: NXDOMAIN, no fallback.
    let below = w.ask(
        &View::Vpc(net.vpc.clone()),
        "x.ssm.ap-northeast-1.amazonaws.com",
        QType::A,
    );
    assert_eq!(below.rcode, Rcode::NxDomain);
    // Private DNS off: the public answer stands inside the VPC too.
    let net2 = w.net(HUB, "10.1.0.0/16");
    w.interface_endpoint(HUB, &net2, "ssm", false);
    let plain = w.ask(&View::Vpc(net2.vpc.clone()), name, QType::A);
    assert_eq!(a_records(&plain), ips);
    assert!(trail_text(&plain).contains("internet rule"));
}

#[test]
fn global_service_names_answer_a_public_address() {
    let w = World::new();
    for name in [
        "route53.amazonaws.com",
        "sts.amazonaws.com",
        "IAM.amazonaws.com",
    ] {
        let r = w.ask(&View::Public, name, QType::A);
        let ips = a_records(&r);
        assert_eq!(ips.len(), 1, "{name}");
        assert_eq!(ips[0].octets()[..2], [198, 19], "{name}");
        assert!(
            trail_text(&r).contains("global endpoint"),
            "{}",
            trail_text(&r)
        );
    }
    assert_ne!(
        a_records(&w.ask(&View::Public, "route53.amazonaws.com", QType::A)),
        a_records(&w.ask(&View::Public, "sts.amazonaws.com", QType::A))
    );
    assert_eq!(
        w.ask(&View::Public, "nothing.amazonaws.com", QType::A)
            .rcode,
        Rcode::NxDomain
    );
}

#[test]
fn public_vpce_names_answer_everyone() {
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    let e = w.interface_endpoint(HUB, &net, "ssm", false);
    let regional = format!("{}-{}.ssm.{REGION}.vpce.amazonaws.com", e.id, e.dns_token);
    let r = w.ask(&View::Public, &regional, QType::A);
    assert_eq!(a_records(&r), eni_ips(&w, &e));
    let zonal = format!(
        "{}-{}-{REGION}c.ssm.{REGION}.vpce.amazonaws.com",
        e.id, e.dns_token
    );
    let r = w.ask(&View::Public, &zonal, QType::A);
    assert_eq!(a_records(&r), vec![eni_ips(&w, &e)[1]]);
    assert!(trail_text(&r).contains("zonal DNS name"));
    // The same from a VPC that knows nothing about it (recursion to public DNS).
    let other = w.net(SPOKE, "10.9.0.0/16");
    let r = w.ask(&View::Vpc(other.vpc), &regional, QType::A);
    assert_eq!(a_records(&r), eni_ips(&w, &e));
    // AAAA: the name exists, NODATA.
    let r = w.ask(&View::Public, &regional, QType::Aaaa);
    assert_eq!((r.rcode, r.answers.len()), (Rcode::NoError, 0));
    // Unknown names: NXDOMAIN, not recursion.
    let r = w.ask(&View::Public, "www.example.org", QType::A);
    assert_eq!(r.rcode, Rcode::NxDomain);
    assert!(trail_text(&r).contains("not an open recursive resolver"));
}

#[test]
fn a_load_balancers_name_answers_its_node_addresses() {
    use localvpc_model::{CreateLoadBalancer, ElbCommand, ElbOutcome};
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    let Outcome::Elb(ElbOutcome::LoadBalancer(lb)) = w.run(
        HUB,
        REGION,
        Command::Elb(ElbCommand::CreateLoadBalancer(CreateLoadBalancer {
            name: "svc".into(),
            lb_type: "network".into(),
            internal: true,
            subnets: net.subnets.iter().map(|s| (s.clone(), None)).collect(),
            security_groups: Vec::new(),
            tags: Vec::new(),
        })),
    ) else {
        panic!()
    };
    let nodes: Vec<Ipv4Addr> = lb.zones.iter().map(|z| z.private_ip).collect();
    assert_eq!(nodes.len(), 2);
    for view in [View::Public, View::Vpc(w.net(SPOKE, "10.9.0.0/16").vpc)] {
        let r = w.ask(&view, &lb.dns_name, QType::A);
        assert_eq!(a_records(&r), nodes, "{}", trail_text(&r));
        assert!(trail_text(&r).contains("load balancer svc"));
    }
    let r = w.ask(&View::Public, &lb.dns_name, QType::Aaaa);
    assert_eq!((r.rcode, r.answers.len()), (Rcode::NoError, 0));
    // A name under elb.… that is no balancer's: NXDOMAIN.
    let r = w.ask(
        &View::Public,
        &format!("internal-gone-0123456789abcdef.elb.{REGION}.amazonaws.com"),
        QType::A,
    );
    assert_eq!(r.rcode, Rcode::NxDomain);
}

#[test]
fn s3_inbound_only_private_dns() {
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    w.gateway_endpoint(HUB, &net, "s3");
    let e = w.interface_endpoint(HUB, &net, "s3", true);
    assert_eq!(e.private_dns_only_for_inbound_resolver_endpoint, Some(true));
    let inbound = w.inbound(HUB, &net);
    let name = "bucket.s3.ap-northeast-1.amazonaws.com";
    let inside = w.ask(&View::Vpc(net.vpc.clone()), name, QType::A);
    let ip = a_records(&inside)[0];
    let list = localvpc_model::aws_prefix_list_for(REGION, "s3").unwrap();
    assert!(list.cidrs.iter().any(|c| c.contains(&ip)), "{ip}");
    assert!(trail_text(&inside).contains("PrivateDnsOnlyForInboundResolverEndpoint"));
    let via_inbound = w.ask(&View::Inbound(inbound.id.clone()), name, QType::A);
    assert_eq!(a_records(&via_inbound), eni_ips(&w, &e));
    assert!(trail_text(&via_inbound).contains("inbound Resolver endpoint"));
}

#[test]
fn phz_most_specific_wins_and_never_falls_back() {
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    let parent = w.zone(HUB, "example.com", Some(&net.vpc));
    let child = w.zone(HUB, "acme.example.com", Some(&net.vpc));
    w.records(
        HUB,
        &parent,
        vec![
            set("www.acme.example.com", "A", &["192.0.2.1"]),
            set("mail.example.com", "A", &["192.0.2.2"]),
        ],
    );
    w.records(
        HUB,
        &child,
        vec![
            set("api.acme.example.com", "A", &["192.0.2.3"]),
            set("*.wild.acme.example.com", "A", &["192.0.2.4"]),
            set("alias.acme.example.com", "CNAME", &["api.acme.example.com"]),
            set("txt.acme.example.com", "TXT", &["\"hello\""]),
        ],
    );
    let view = View::Vpc(net.vpc.clone());
    assert_eq!(
        a_records(&w.ask(&view, "api.acme.example.com", QType::A)),
        vec![Ipv4Addr::new(192, 0, 2, 3)]
    );
    // In the parent zone only: the child zone decides, NXDOMAIN with its SOA.
    let r = w.ask(&view, "www.acme.example.com", QType::A);
    assert_eq!(r.rcode, Rcode::NxDomain);
    assert_eq!(r.authority.len(), 1);
    assert_eq!(r.authority[0].name, "acme.example.com.");
    assert_eq!(r.authority[0].ttl, 900);
    assert!(trail_text(&r).contains("no fallback"), "{}", trail_text(&r));
    assert!(
        trail_text(&r).contains("less specific"),
        "{}",
        trail_text(&r)
    );
    // Wildcard synthesis keeps the query name.
    let r = w.ask(&view, "x.y.wild.acme.example.com", QType::A);
    assert_eq!(a_records(&r), vec![Ipv4Addr::new(192, 0, 2, 4)]);
    assert_eq!(r.answers[0].name, "x.y.wild.acme.example.com.");
    // The wildcard's parent exists: NODATA, not NXDOMAIN.
    let r = w.ask(&view, "wild.acme.example.com", QType::A);
    assert_eq!((r.rcode, r.answers.len()), (Rcode::NoError, 0));
    // CNAME chased within the zone.
    let r = w.ask(&view, "alias.acme.example.com", QType::A);
    assert_eq!(r.answers.len(), 2);
    assert_eq!(r.answers[1].data, RrData::A(Ipv4Addr::new(192, 0, 2, 3)));
    // NODATA with the SOA.
    let r = w.ask(&view, "txt.acme.example.com", QType::A);
    assert_eq!(
        (r.rcode, r.answers.len(), r.authority.len()),
        (Rcode::NoError, 0, 1)
    );
    assert!(trail_text(&r).contains("NODATA"));
    // Hostnames off: zones are not honoured.
    w.attr(HUB, &net.vpc, VpcAttribute::EnableDnsHostnames(false));
    let r = w.ask(&view, "api.acme.example.com", QType::A);
    assert_eq!(r.rcode, Rcode::NxDomain);
    assert!(trail_text(&r).contains("not honoured"));
}

#[test]
fn hub_zone_with_alias_to_the_endpoint_serves_members_only() {
    let mut w = World::new();
    let hub = w.net(HUB, "10.0.0.0/16");
    let member = w.net(SPOKE, "10.1.0.0/16");
    let stranger = w.net(SPOKE, "10.2.0.0/16");
    let e = w.interface_endpoint(HUB, &hub, "s3", false);
    let zone = w.zone(HUB, "s3.ap-northeast-1.amazonaws.com", Some(&hub.vpc));
    let target = format!("{}-{}.s3.{REGION}.vpce.amazonaws.com", e.id, e.dns_token);
    let vpce_zone = localvpc_model::vpce_hosted_zone_id(REGION);
    w.records(
        HUB,
        &zone,
        vec![alias(
            "s3.ap-northeast-1.amazonaws.com",
            &vpce_zone,
            &target,
        )],
    );
    let member_vpc = ZoneVpc {
        region: REGION.into(),
        vpc_id: member.vpc.clone(),
    };
    w.r53(
        HUB,
        Route53Command::CreateAuthorization {
            zone: zone.id.clone(),
            vpc: member_vpc.clone(),
        },
    );
    w.r53(
        SPOKE,
        Route53Command::AssociateVpc {
            zone: zone.id.clone(),
            vpc: member_vpc,
            comment: None,
        },
    );
    let name = "s3.ap-northeast-1.amazonaws.com";
    let r = w.ask(&View::Vpc(member.vpc.clone()), name, QType::A);
    assert_eq!(a_records(&r), eni_ips(&w, &e), "{}", trail_text(&r));
    assert!(
        trail_text(&r).contains("interface endpoint"),
        "{}",
        trail_text(&r)
    );
    // No wildcard record: bucket names are NXDOMAIN for members (the classic mistake).
    let r = w.ask(
        &View::Vpc(member.vpc.clone()),
        "bucket.s3.ap-northeast-1.amazonaws.com",
        QType::A,
    );
    assert_eq!(r.rcode, Rcode::NxDomain);
    // An unassociated VPC gets the public answer.
    let r = w.ask(&View::Vpc(stranger.vpc.clone()), name, QType::A);
    let ip = a_records(&r)[0];
    assert!(!eni_ips(&w, &e).contains(&ip));
    // On premises through the hub's inbound endpoint: the private answer.
    let inbound = w.inbound(HUB, &hub);
    let r = w.ask(&View::Inbound(inbound.id.clone()), name, QType::A);
    assert_eq!(a_records(&r), eni_ips(&w, &e));
}

#[test]
fn forward_beats_a_phz_of_the_same_name_and_system_pulls_a_subdomain_back() {
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    let zone = w.zone(HUB, "corp.example", Some(&net.vpc));
    w.records(
        HUB,
        &zone,
        vec![set("db.lab.corp.example", "A", &["10.0.5.5"])],
    );
    let out = w.resolver_endpoint(HUB, &net, "OUTBOUND");
    let fwd = w.rule(
        HUB,
        "FORWARD",
        "corp.example",
        &["192.168.0.10"],
        Some(&out),
        &net.vpc,
    );
    let view = View::Vpc(net.vpc.clone());
    let r = w.ask(&view, "db.lab.corp.example", QType::A);
    let f = r.forward.clone().expect("forwarded");
    assert_eq!(f.rule_id, fwd.id.to_string());
    assert_eq!(f.targets, vec!["192.168.0.10:53".parse().unwrap()]);
    assert_eq!(f.outbound_endpoint, Some(out.id.to_string()));
    assert!(
        trail_text(&r).contains("customer rule wins the tie"),
        "{}",
        trail_text(&r)
    );
    let sys = w.rule(HUB, "SYSTEM", "lab.corp.example", &[], None, &net.vpc);
    let r = w.ask(&view, "db.lab.corp.example", QType::A);
    assert!(r.forward.is_none());
    assert_eq!(a_records(&r), vec![Ipv4Addr::new(10, 0, 5, 5)]);
    assert!(
        r.trail
            .iter()
            .any(|s| s.rule_id.as_deref() == Some(sys.id.as_str()))
    );
    // Other names under the FORWARD domain are still forwarded.
    assert!(w.ask(&view, "www.corp.example", QType::A).forward.is_some());
}

#[test]
fn ec2_names_and_reverse_ptrs_follow_enable_dns_hostnames() {
    let mut w = World::new();
    let net = w.net(HUB, "10.0.0.0/16");
    let e = w.interface_endpoint(HUB, &net, "ssm", false);
    let ip = eni_ips(&w, &e)[0];
    let view = View::Vpc(net.vpc.clone());
    let private = format!(
        "ip-{}.{REGION}.compute.internal",
        ip.to_string().replace('.', "-")
    );
    assert_eq!(a_records(&w.ask(&view, &private, QType::A)), vec![ip]);
    let o = ip.octets();
    let rev = format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0]);
    let r = w.ask(&view, &rev, QType::Ptr);
    assert_eq!(r.answers[0].data, RrData::Ptr(format!("{private}.")));
    let r = w.ask(
        &view,
        "ip-10-0-200-200.ap-northeast-1.compute.internal",
        QType::A,
    );
    assert_eq!(r.rcode, Rcode::NxDomain);
    w.attr(HUB, &net.vpc, VpcAttribute::EnableDnsHostnames(false));
    let r = w.ask(&view, &private, QType::A);
    assert_ne!(a_records(&r), vec![ip]);
    assert!(trail_text(&r).contains("enableDnsHostnames is false"));
}

#[test]
fn bad_names_are_form_errors() {
    let w = World::new();
    let r = w.ask(&View::Public, "a..b", QType::A);
    assert_eq!(r.rcode, Rcode::FormErr);
    let r = w.ask(
        &View::Vpc(VpcId::parse("vpc-0123456789abcdef0").unwrap()),
        "a.b",
        QType::A,
    );
    assert_eq!(r.rcode, Rcode::Refused);
}
