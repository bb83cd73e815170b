//! Decisions and path cases against models built with real commands.

use crate::decide;
use crate::explain::Direction;
use crate::{Analysis, IpProtocol, NetIndex, Packet, PathEnd, PathQuery, ServiceRequest, analyze};
use localvpc_model::{
    AccountId, Catalog, Command, CreateNatGateway, CreateSubnet, CreateTgwVpcAttachment, CreateVpc,
    CreateVpcEndpoint, CreateVpcPeering, Ctx, GroupRef, Instance, InstanceId, IpPermission, Model,
    NetworkAcl, NetworkAclEntrySpec, Outcome, RouteDestination, RouteSpec, RouteTarget, RuleAction,
    RunInstances, Scope, SecurityGroupId, SequentialIds, SubnetId, Timestamp, TransitGateway,
    TransitGatewayAttachmentId, TransitGatewayId, TransitGatewayOptions, VpcId,
    VpcPeeringConnection,
};
use std::sync::Arc;

const REGION: &str = "ap-northeast-1";
const ACCOUNT: &str = "111111111111";

struct World {
    model: Model,
    ids: SequentialIds,
    catalog: Catalog,
}

struct Net {
    vpc: VpcId,
    subnets: Vec<SubnetId>,
    main_table: localvpc_model::RouteTableId,
    default_acl: localvpc_model::NetworkAclId,
    default_sg: SecurityGroupId,
}

impl World {
    fn new() -> Self {
        Self {
            model: Model::default(),
            ids: SequentialIds::default(),
            catalog: Catalog::default(),
        }
    }

    fn run_in(&mut self, account: &str, command: Command) -> Outcome {
        let scope = Scope::new(AccountId::parse(account).unwrap(), REGION);
        let mut ctx = Ctx {
            scope: &scope,
            now: Timestamp(0),
            ids: &mut self.ids,
            catalog: &self.catalog,
        };
        if !self.model.has_scope(&scope) {
            let (next, _, _) = self
                .model
                .execute(&Command::EnsureScope { default_vpc: false }, &mut ctx)
                .unwrap();
            self.model = next;
        }
        let (next, outcome, _) = self
            .model
            .execute(&command, &mut ctx)
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        self.model = next;
        outcome
    }

    fn run(&mut self, command: Command) -> Outcome {
        self.run_in(ACCOUNT, command)
    }

    /// A VPC `10.N.0.0/16` with subnets `10.N.1.0/24` (1a) and `10.N.2.0/24` (1c).
    fn net(&mut self, n: u8) -> Net {
        self.net_in(ACCOUNT, n)
    }

    /// The same in another account.
    fn net_in(&mut self, account: &str, n: u8) -> Net {
        let Outcome::Vpc(vpc) = self.run_in(
            account,
            Command::CreateVpc(CreateVpc {
                cidr_block: Some(format!("10.{n}.0.0/16")),
                ..CreateVpc::default()
            }),
        ) else {
            panic!()
        };
        let mut subnets = Vec::new();
        for (i, az) in ["a", "c"].iter().enumerate() {
            let Outcome::Subnet(s) = self.run_in(
                account,
                Command::CreateSubnet(CreateSubnet {
                    vpc_id: vpc.id.clone(),
                    cidr_block: Some(format!("10.{n}.{}.0/24", i + 1)),
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
        let main_table = self
            .model
            .main_route_table(&vpc.id)
            .map(|t| t.id.clone())
            .unwrap();
        Net {
            vpc: vpc.id.clone(),
            subnets,
            main_table,
            default_acl: vpc.default_network_acl_id.clone(),
            default_sg: vpc.default_security_group_id.clone(),
        }
    }

    fn instance(&mut self, subnet: &SubnetId, groups: &[SecurityGroupId]) -> Instance {
        self.instance_in(ACCOUNT, subnet, groups, None)
    }

    /// An instance in another account, at a chosen address if given.
    fn instance_in(
        &mut self,
        account: &str,
        subnet: &SubnetId,
        groups: &[SecurityGroupId],
        private_ip: Option<std::net::Ipv4Addr>,
    ) -> Instance {
        let Outcome::Instances(mut v) = self.run_in(
            account,
            Command::RunInstances(RunInstances {
                image_id: "ami-0abcdef1234567890".into(),
                instance_type: "t3.micro".into(),
                min_count: 1,
                max_count: 1,
                subnet_id: Some(subnet.clone()),
                availability_zone: None,
                groups: groups.to_vec(),
                group_names: Vec::new(),
                private_ip,
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
        ) else {
            panic!()
        };
        v.pop().unwrap()
    }

    fn group(&mut self, vpc: &VpcId, name: &str) -> SecurityGroupId {
        let Outcome::SecurityGroup(sg) = self.run(Command::CreateSecurityGroup(
            localvpc_model::CreateSecurityGroup {
                vpc_id: Some(vpc.clone()),
                group_name: name.into(),
                description: name.into(),
                tag_specifications: Vec::new(),
            },
        )) else {
            panic!()
        };
        sg.id
    }

    fn allow(
        &mut self,
        group: &SecurityGroupId,
        egress: bool,
        protocol: &str,
        port: Option<i32>,
        cidr: &str,
    ) {
        self.run(Command::AuthorizeSecurityGroup {
            group: GroupRef::Id(group.clone()),
            egress,
            permissions: vec![IpPermission {
                protocol: protocol.into(),
                from_port: port,
                to_port: port,
                ipv4_ranges: vec![(cidr.into(), None)],
                ..IpPermission::default()
            }],
            tag_specifications: Vec::new(),
        });
    }

    fn acl_entry(
        &mut self,
        acl: &localvpc_model::NetworkAclId,
        rule: i64,
        egress: bool,
        allow: bool,
        ports: Option<(i64, i64)>,
        cidr: &str,
    ) {
        self.run(Command::CreateNetworkAclEntry {
            network_acl_id: acl.clone(),
            entry: NetworkAclEntrySpec {
                rule_number: rule,
                egress,
                protocol: if ports.is_some() {
                    "6".into()
                } else {
                    "-1".into()
                },
                action: if allow {
                    RuleAction::Allow
                } else {
                    RuleAction::Deny
                },
                cidr: cidr.parse().unwrap(),
                port_range: ports,
                icmp: None,
            },
        });
    }

    fn route(&mut self, table: &localvpc_model::RouteTableId, cidr: &str, target: RouteTarget) {
        self.run(Command::CreateRoute {
            route_table_id: table.clone(),
            route: RouteSpec {
                destination: RouteDestination::Ipv4(cidr.parse().unwrap()),
                target,
            },
        });
    }

    /// A same-account peering request from `from`'s VPC to `to`'s (pending acceptance).
    fn request_peering(&mut self, from: &Net, to: &Net) -> VpcPeeringConnection {
        match self.run(Command::CreateVpcPeeringConnection(CreateVpcPeering {
            vpc_id: from.vpc.clone(),
            peer_vpc_id: to.vpc.clone(),
            peer_owner: None,
            peer_region: None,
            tag_specifications: Vec::new(),
        })) {
            Outcome::VpcPeeringConnection(pcx) => pcx,
            o => panic!("{o:?}"),
        }
    }

    fn transit_gateway(&mut self) -> TransitGateway {
        match self.run(Command::CreateTransitGateway {
            description: String::new(),
            options: TransitGatewayOptions::default(),
            tag_specifications: Vec::new(),
        }) {
            Outcome::TransitGateway(tgw) => tgw,
            o => panic!("{o:?}"),
        }
    }

    /// Attaches the net's VPC (through its first subnet) to the transit gateway.
    fn attach(&mut self, tgw: &TransitGatewayId, net: &Net) {
        self.run(Command::CreateTransitGatewayVpcAttachment(
            CreateTgwVpcAttachment {
                transit_gateway_id: tgw.clone(),
                vpc_id: net.vpc.clone(),
                subnet_ids: vec![net.subnets[0].clone()],
                dns_support: true,
                tag_specifications: Vec::new(),
            },
        ));
    }

    fn index(&self) -> NetIndex {
        NetIndex::build(Arc::new(self.model.clone()))
    }

    fn trace(&self, from: &InstanceId, to: PathEnd, port: u16) -> Analysis {
        analyze(
            &self.index(),
            &PathQuery {
                source: PathEnd::Instance(from.clone()),
                source_ip: None,
                destination: to,
                destination_ip: None,
                protocol: IpProtocol::TCP,
                destination_port: Some(port),
                request: None,
            },
        )
        .unwrap()
    }
}

fn codes(a: &Analysis) -> Vec<(&'static str, Option<&'static str>, bool)> {
    a.explanations
        .iter()
        .map(|e| (e.explanation_code, e.direction, e.on_return_path))
        .collect()
}

fn kinds(hops: &[crate::explain::Hop]) -> Vec<&'static str> {
    hops.iter().map(|h| h.kind).collect()
}

#[test]
fn same_subnet_default_group_is_reachable_without_acl_or_route() {
    let mut w = World::new();
    let net = w.net(0);
    let a = w.instance(&net.subnets[0], &[]);
    let b = w.instance(&net.subnets[0], &[]);
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 22);
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(
        kinds(&r.forward_path_components),
        [
            "instance",
            "network-interface",
            "security-group",
            "security-group",
            "network-interface",
            "instance"
        ]
    );
    // The default group's ingress rule (from itself) decided.
    let ingress = r.forward_path_components[3]
        .security_group_rule
        .as_ref()
        .unwrap();
    assert_eq!(ingress.direction, "ingress");
    assert_eq!(
        ingress.referenced_group_id.as_deref(),
        Some(net.default_sg.as_str())
    );
    assert!(!r.return_path_components.is_empty());
}

#[test]
fn security_group_without_ingress_blocks_with_its_groups_named() {
    let mut w = World::new();
    let net = w.net(0);
    let web = w.group(&net.vpc, "web");
    let a = w.instance(&net.subnets[0], &[]);
    let b = w.instance(&net.subnets[1], std::slice::from_ref(&web));
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 443);
    assert!(!r.network_path_found);
    // AWS's analyser calls a group without ingress rules a mismatch; SG_HAS_NO_RULES is
    // for groups without any rule.
    assert_eq!(
        codes(&r),
        [("ENI_SG_RULES_MISMATCH", Some("ingress"), false)]
    );
    assert_eq!(r.explanations[0].security_groups[0].id, web.as_str());
    // Allowing 443 from the VPC opens it, and the route is the local one.
    w.allow(&web, false, "tcp", Some(443), "10.0.0.0/16");
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 443);
    assert!(r.network_path_found, "{:?}", r.explanations);
    let route = r
        .forward_path_components
        .iter()
        .find_map(|h| h.route_table_route.as_ref())
        .unwrap();
    assert_eq!(route.target, "local");
    // Another port is still refused, by a rule mismatch this time.
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 80);
    assert_eq!(
        codes(&r),
        [("ENI_SG_RULES_MISMATCH", Some("ingress"), false)]
    );
}

#[test]
fn every_blocker_is_named_at_once_acl_and_security_group() {
    let mut w = World::new();
    let net = w.net(0);
    let web = w.group(&net.vpc, "web");
    let a = w.instance(&net.subnets[0], &[]);
    let b = w.instance(&net.subnets[1], &[web]);
    w.acl_entry(
        &net.default_acl,
        50,
        false,
        false,
        Some((443, 443)),
        "0.0.0.0/0",
    );
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 443);
    assert_eq!(
        codes(&r),
        [
            ("SUBNET_ACL_RESTRICTION", Some("ingress"), false),
            ("ENI_SG_RULES_MISMATCH", Some("ingress"), false)
        ]
    );
    let rule = r.explanations[0].acl_rule.as_ref().unwrap();
    assert_eq!((rule.rule_number, rule.rule_action), (50, "deny"));
}

#[test]
fn stateless_acl_blocks_the_reply_on_the_return_path() {
    let mut w = World::new();
    let net = w.net(0);
    let Outcome::NetworkAcl(acl) = w.run(Command::CreateNetworkAcl {
        vpc_id: net.vpc.clone(),
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    // Subnet 2 gets an ACL that lets 443 in and everything in from the VPC, but only
    // 80 out: the reply to an ephemeral port is denied.
    let association = w
        .model
        .in_scope::<NetworkAcl>(&Scope::new(AccountId::parse(ACCOUNT).unwrap(), REGION))
        .find_map(|a| {
            a.associations
                .iter()
                .find(|s| s.subnet_id == net.subnets[1])
                .map(|s| s.id.to_string())
        })
        .unwrap();
    w.run(Command::ReplaceNetworkAclAssociation {
        association_id: association,
        network_acl_id: acl.id.clone(),
    });
    w.acl_entry(&acl.id, 100, false, true, Some((443, 443)), "10.0.0.0/16");
    w.acl_entry(&acl.id, 100, true, true, Some((80, 80)), "10.0.0.0/16");
    let a = w.instance(&net.subnets[0], &[]);
    let b = w.instance(&net.subnets[1], &[]);
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 443);
    assert_eq!(
        codes(&r),
        [("SUBNET_ACL_RESTRICTION", Some("egress"), true)]
    );
    // Allowing the ephemeral range out fixes it; a deny of part of the range does not matter
    // while some port is still allowed.
    w.acl_entry(&acl.id, 90, true, false, Some((1024, 2000)), "10.0.0.0/16");
    w.acl_entry(&acl.id, 110, true, true, Some((1024, 65535)), "10.0.0.0/16");
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 443);
    assert!(r.network_path_found, "{:?}", r.explanations);
}

#[test]
fn peering_needs_routes_both_ways_and_later_blockers_are_still_found() {
    let mut w = World::new();
    let left = w.net(1);
    let right = w.net(2);
    let closed = w.group(&right.vpc, "closed");
    let a = w.instance(&left.subnets[0], &[]);
    let b = w.instance(&right.subnets[0], std::slice::from_ref(&closed));
    let pcx = w.request_peering(&left, &right);
    w.run(Command::AcceptVpcPeeringConnection { id: pcx.id.clone() });
    // No routes yet: the missing route, the security group behind the peering, and the
    // missing route back are all named at once.
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 22);
    assert_eq!(
        codes(&r),
        [
            ("NO_ROUTE_TO_DESTINATION", None, false),
            ("ENI_SG_RULES_MISMATCH", Some("ingress"), false),
            ("NO_ROUTE_TO_DESTINATION", None, true)
        ]
    );
    // The missing route names the peering it should use.
    let next_hop = r.explanations[0]
        .related
        .iter()
        .find(|x| x.role == crate::explain::Role::Destination)
        .unwrap();
    assert_eq!(next_hop.component.id, pcx.id.as_str());
    w.route(
        &left.main_table,
        "10.2.0.0/16",
        RouteTarget::VpcPeeringConnection(pcx.id.clone()),
    );
    w.allow(&closed, false, "tcp", Some(22), "10.1.0.0/16");
    // Forward works; the reply has no route back.
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 22);
    assert_eq!(codes(&r), [("NO_ROUTE_TO_DESTINATION", None, true)]);
    w.route(
        &right.main_table,
        "10.1.0.0/16",
        RouteTarget::VpcPeeringConnection(pcx.id.clone()),
    );
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 22);
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert!(kinds(&r.forward_path_components).contains(&"vpc-peering-connection"));
    assert!(kinds(&r.return_path_components).contains(&"vpc-peering-connection"));
    // Peering is not transitive: an address outside the peer VPC is refused at the peering.
    let far = w.net(3);
    let c = w.instance(&far.subnets[0], &[]);
    w.route(
        &left.main_table,
        "10.3.0.0/16",
        RouteTarget::VpcPeeringConnection(pcx.id.clone()),
    );
    let r = w.trace(&a.id, PathEnd::Instance(c.id.clone()), 22);
    assert_eq!(codes(&r)[0].0, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR");
}

#[test]
fn internet_gateway_needs_a_public_address_and_nat_gateway_provides_one() {
    let mut w = World::new();
    let net = w.net(0);
    let Outcome::InternetGateway(igw) = w.run(Command::CreateInternetGateway {
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    w.run(Command::AttachInternetGateway {
        internet_gateway_id: igw.id.clone(),
        vpc_id: net.vpc.clone(),
    });
    w.route(
        &net.main_table,
        "0.0.0.0/0",
        RouteTarget::InternetGateway(igw.id.clone()),
    );
    let a = w.instance(&net.subnets[0], &[]);
    let internet = PathEnd::Address("203.0.113.7".parse().unwrap());
    let r = w.trace(&a.id, internet.clone(), 443);
    assert_eq!(
        codes(&r),
        [("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", None, false)]
    );

    // A public NAT gateway in subnet 2, and subnet 1 routed through it.
    let Outcome::ElasticIp(eip) = w.run(Command::AllocateAddress {
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    let Outcome::NatGateway(nat) = w.run(Command::CreateNatGateway(CreateNatGateway {
        subnet_id: net.subnets[1].clone(),
        public: true,
        allocation_id: Some(eip.id.clone()),
        private_ip: None,
        tag_specifications: Vec::new(),
    })) else {
        panic!()
    };
    let Outcome::RouteTable(private) = w.run(Command::CreateRouteTable {
        vpc_id: net.vpc.clone(),
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    w.route(
        &private.id,
        "0.0.0.0/0",
        RouteTarget::NatGateway(nat.id.clone()),
    );
    w.run(Command::AssociateRouteTable {
        route_table_id: private.id.clone(),
        subnet_id: Some(net.subnets[0].clone()),
        gateway_id: None,
    });
    let r = w.trace(&a.id, internet, 443);
    assert!(r.network_path_found, "{:?}", r.explanations);
    let forward = kinds(&r.forward_path_components);
    let nat_at = forward.iter().position(|k| *k == "nat-gateway").unwrap();
    let igw_at = forward
        .iter()
        .position(|k| *k == "internet-gateway")
        .unwrap();
    assert!(nat_at < igw_at, "{forward:?}");
    assert!(kinds(&r.return_path_components).contains(&"nat-gateway"));
}

#[test]
fn gateway_endpoint_route_and_policy() {
    let mut w = World::new();
    let net = w.net(0);
    let Outcome::VpcEndpoint(vpce) = w.run(Command::CreateVpcEndpoint(CreateVpcEndpoint {
        vpc_id: Some(net.vpc.clone()),
        service_name: format!("com.amazonaws.{REGION}.s3"),
        route_table_ids: vec![net.main_table.clone()],
        policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::reports/*"}]}"#.into(),
        ),
        ..CreateVpcEndpoint::default()
    })) else {
        panic!()
    };
    let a = w.instance(&net.subnets[0], &[]);
    let r = w.trace(&a.id, PathEnd::VpcEndpoint(vpce.id.clone()), 443);
    assert!(r.network_path_found, "{:?}", r.explanations);
    let route = r
        .forward_path_components
        .iter()
        .find_map(|h| h.route_table_route.as_ref())
        .unwrap();
    assert!(route.destination_prefix_list_id.is_some());
    assert_eq!(route.target, vpce.id.as_str());

    let index = w.index();
    let query = |action: &str, resource: &str| PathQuery {
        source: PathEnd::Instance(a.id.clone()),
        source_ip: None,
        destination: PathEnd::VpcEndpoint(vpce.id.clone()),
        destination_ip: None,
        protocol: IpProtocol::TCP,
        destination_port: Some(443),
        request: Some(ServiceRequest {
            action: action.into(),
            resource: resource.into(),
            principal: None,
        }),
    };
    let allowed = analyze(
        &index,
        &query("s3:PutObject", "arn:aws:s3:::reports/test.txt"),
    )
    .unwrap();
    assert!(allowed.network_path_found);
    let denied = analyze(&index, &query("s3:ListBucket", "arn:aws:s3:::reports")).unwrap();
    assert_eq!(
        codes(&denied),
        [("LOCALVPC_ENDPOINT_POLICY_DENY", None, false)]
    );
}

#[test]
fn transit_gateway_path_with_propagated_routes() {
    let mut w = World::new();
    let left = w.net(1);
    let right = w.net(2);
    let tgw = w.transit_gateway();
    for net in [&left, &right] {
        w.attach(&tgw.id, net);
    }
    w.route(
        &left.main_table,
        "10.2.0.0/16",
        RouteTarget::TransitGateway(tgw.id.clone()),
    );
    w.route(
        &right.main_table,
        "10.1.0.0/16",
        RouteTarget::TransitGateway(tgw.id.clone()),
    );
    let a = w.instance(&left.subnets[1], &[]);
    let b = w.instance(&right.subnets[1], &[left_sg(&w, &right)]);
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 22);
    // The default group of the right VPC admits only itself.
    assert_eq!(
        codes(&r),
        [("ENI_SG_RULES_MISMATCH", Some("ingress"), false)]
    );
    let tgw_route = r
        .forward_path_components
        .iter()
        .find_map(|h| h.transit_gateway_route_table_route.as_ref())
        .unwrap();
    assert_eq!(tgw_route.route_origin, "propagated");
    assert_eq!(tgw_route.resource_id.as_deref(), Some(right.vpc.as_str()));
    let sg = right.default_sg.clone();
    w.allow(&sg, false, "-1", None, "10.1.0.0/16");
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 22);
    assert!(r.network_path_found, "{:?}", r.explanations);
}

#[test]
fn transit_gateway_attachments_as_destinations_and_sources() {
    let mut w = World::new();
    let left = w.net(1);
    let right = w.net(2);
    let tgw = w.transit_gateway();
    for net in [&left, &right] {
        w.attach(&tgw.id, net);
    }
    let attachment_of = |w: &World, net: &Net| {
        w.model
            .all::<localvpc_model::TransitGatewayAttachment>()
            .find(|a| a.vpc_id.as_ref() == Some(&net.vpc))
            .unwrap()
            .id
            .clone()
    };
    let (left_att, right_att) = (attachment_of(&w, &left), attachment_of(&w, &right));
    w.route(
        &left.main_table,
        "10.2.0.0/16",
        RouteTarget::TransitGateway(tgw.id.clone()),
    );
    let a = w.instance(&left.subnets[1], &[]);
    // The source VPC's own attachment: the path ends where the route enters the gateway.
    let r = w.trace(
        &a.id,
        PathEnd::TransitGatewayAttachment(left_att.clone()),
        443,
    );
    assert!(r.network_path_found, "{:?}", r.explanations);
    let last = r.forward_path_components.last().unwrap();
    assert_eq!(
        (last.kind, last.component.id.as_str()),
        ("transit-gateway-attachment", left_att.as_str())
    );
    // The far attachment: through the gateway's route table (a propagated route) to it.
    let r = w.trace(
        &a.id,
        PathEnd::TransitGatewayAttachment(right_att.clone()),
        443,
    );
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(
        r.forward_path_components.last().unwrap().component.id,
        right_att.as_str()
    );
    assert!(
        r.forward_path_components
            .iter()
            .any(|h| h.transit_gateway_route_table_route.is_some())
    );
    // From the right attachment into the left VPC: it attaches the right VPC only.
    let from = |index: &NetIndex, attachment: &TransitGatewayAttachmentId| {
        analyze(
            index,
            &PathQuery {
                source: PathEnd::TransitGatewayAttachment(attachment.clone()),
                source_ip: Some("10.2.0.9".parse().unwrap()),
                destination: PathEnd::Instance(a.id.clone()),
                destination_ip: None,
                protocol: IpProtocol::TCP,
                destination_port: Some(22),
                request: None,
            },
        )
        .unwrap()
    };
    w.allow(&left.default_sg, false, "tcp", Some(22), "10.2.0.0/16");
    let r = from(&w.index(), &right_att);
    assert_eq!(
        codes(&r)[0].0,
        "BAD_STATE_ATTACHMENT",
        "{:?}",
        r.explanations
    );
    // From the left VPC's own attachment: in, and the reply routes back into the gateway.
    let r = from(&w.index(), &left_att);
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(
        r.return_path_components.last().unwrap().component.id,
        left_att.as_str()
    );
}

fn left_sg(_w: &World, net: &Net) -> SecurityGroupId {
    net.default_sg.clone()
}

#[test]
fn acl_decision_reports_the_deciding_entry() {
    let mut w = World::new();
    let net = w.net(0);
    w.acl_entry(
        &net.default_acl,
        10,
        false,
        false,
        Some((22, 22)),
        "10.0.0.0/8",
    );
    let index = w.index();
    let acl = w.model.any::<NetworkAcl>(&net.default_acl).unwrap();
    let ssh = Packet::new(
        IpProtocol::TCP,
        "10.0.1.5".parse().unwrap(),
        "10.0.2.5".parse().unwrap(),
        Some(22),
    );
    let d = decide::network_acl(&index, acl, Direction::Ingress, &ssh);
    assert!(!d.allowed);
    assert_eq!(d.rule.rule_number, 10);
    let https = Packet::new(
        IpProtocol::TCP,
        "10.0.1.5".parse().unwrap(),
        "10.0.2.5".parse().unwrap(),
        Some(443),
    );
    let d = decide::network_acl(&index, acl, Direction::Ingress, &https);
    assert!(d.allowed);
    assert_eq!(d.rule.rule_number, 100);
    // An address outside the deny entry's block is decided by rule 100.
    let outside = Packet::new(
        IpProtocol::TCP,
        "192.168.0.1".parse().unwrap(),
        "10.0.2.5".parse().unwrap(),
        Some(22),
    );
    assert_eq!(
        decide::network_acl(&index, acl, Direction::Ingress, &outside)
            .rule
            .rule_number,
        100
    );
}

/// What `NetworkAcl::evaluate` in the model checked before it was folded into this crate's
/// decision: an entry of another protocol or address family is passed over, and what no
/// numbered entry matches is denied by its family's `*` rule.
#[test]
fn acl_entries_match_by_protocol_and_family_and_the_star_rules_deny_the_rest() {
    let mut w = World::new();
    let Outcome::Vpc(vpc) = w.run(Command::CreateVpc(CreateVpc {
        cidr_block: Some("10.0.0.0/16".into()),
        amazon_provided_ipv6_cidr_block: true,
        ..CreateVpc::default()
    })) else {
        panic!()
    };
    let Outcome::NetworkAcl(acl) = w.run(Command::CreateNetworkAcl {
        vpc_id: vpc.id.clone(),
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    w.acl_entry(&acl.id, 90, false, false, Some((22, 22)), "10.9.0.0/16");
    w.acl_entry(&acl.id, 100, false, true, None, "0.0.0.0/0");
    let decide = |w: &World, protocol, source: &str, port| {
        let index = w.index();
        let acl = w.model.any::<NetworkAcl>(&acl.id).unwrap();
        let destination = if source.contains(':') {
            "2001:db8::2"
        } else {
            "10.0.2.5"
        };
        let packet = Packet::new(
            protocol,
            source.parse().unwrap(),
            destination.parse().unwrap(),
            Some(port),
        );
        let d = decide::network_acl(&index, acl, Direction::Ingress, &packet);
        (d.rule.rule_number, d.allowed)
    };
    assert_eq!(decide(&w, IpProtocol::TCP, "10.9.1.1", 22), (90, false));
    // Rule 90 is TCP only.
    assert_eq!(decide(&w, IpProtocol::UDP, "10.9.1.1", 22), (100, true));
    // IPv4 entries say nothing about IPv6 peers: the IPv6 `*` rule denies them.
    assert_eq!(
        decide(&w, IpProtocol::TCP, "2001:db8::1", 443),
        (32768, false)
    );
    w.run(Command::DeleteNetworkAclEntry {
        network_acl_id: acl.id.clone(),
        rule_number: 100,
        egress: false,
    });
    assert_eq!(
        decide(&w, IpProtocol::TCP, "192.0.2.1", 443),
        (32767, false)
    );
    w.acl_entry(&acl.id, 120, false, true, Some((443, 443)), "2001:db8::/32");
    assert_eq!(decide(&w, IpProtocol::TCP, "2001:db8::1", 443), (120, true));
    assert_eq!(decide(&w, IpProtocol::TCP, "10.9.1.1", 443), (32767, false));
}

#[test]
fn unknown_source_is_an_error_not_a_panic() {
    let w = World::new();
    let err = analyze(
        &w.index(),
        &PathQuery {
            source: PathEnd::Instance(InstanceId::parse("i-0123456789abcdef0").unwrap()),
            source_ip: None,
            destination: PathEnd::Address("10.0.0.1".parse().unwrap()),
            destination_ip: None,
            protocol: IpProtocol::TCP,
            destination_port: None,
            request: None,
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        crate::PathError::NotFound {
            kind: "instance",
            ..
        }
    ));
}

#[test]
fn a_group_without_any_rule_is_sg_has_no_rules() {
    let mut w = World::new();
    let net = w.net(0);
    let empty = w.group(&net.vpc, "empty");
    w.run(Command::RevokeSecurityGroup {
        group: GroupRef::Id(empty.clone()),
        egress: true,
        permissions: vec![IpPermission {
            protocol: "-1".into(),
            ipv4_ranges: vec![("0.0.0.0/0".into(), None)],
            ..IpPermission::default()
        }],
        rule_ids: Vec::new(),
    });
    let a = w.instance(&net.subnets[0], &[]);
    let b = w.instance(&net.subnets[1], std::slice::from_ref(&empty));
    let r = w.trace(&a.id, PathEnd::Instance(b.id.clone()), 22);
    assert_eq!(codes(&r), [("SG_HAS_NO_RULES", Some("ingress"), false)]);
    // The same instance cannot send either.
    let r = w.trace(&b.id, PathEnd::Instance(a.id.clone()), 22);
    assert_eq!(codes(&r)[0], ("SG_HAS_NO_RULES", Some("egress"), false));
}

#[test]
fn a_verdict_agrees_with_the_full_analysis() {
    let mut w = World::new();
    let net = w.net(0);
    let web = w.group(&net.vpc, "web");
    let a = w.instance(&net.subnets[0], &[]);
    let b = w.instance(&net.subnets[1], std::slice::from_ref(&web));
    w.acl_entry(
        &net.default_acl,
        50,
        false,
        false,
        Some((443, 443)),
        "0.0.0.0/0",
    );
    let index = w.index();
    for port in [443, 22] {
        let query = PathQuery {
            source: PathEnd::Instance(a.id.clone()),
            source_ip: None,
            destination: PathEnd::Instance(b.id.clone()),
            destination_ip: None,
            protocol: IpProtocol::TCP,
            destination_port: Some(port),
            request: None,
        };
        let full = analyze(&index, &query).unwrap();
        let quick = crate::verdict(&index, &query).unwrap();
        assert_eq!(full.network_path_found, quick.network_path_found);
        assert_eq!(full.explanations, quick.explanations);
        assert!(quick.forward_path_components.is_empty());
        assert!(!full.forward_path_components.is_empty());
    }
}

#[test]
fn from_the_internet_to_a_public_instance() {
    let mut w = World::new();
    let net = w.net(0);
    let Outcome::InternetGateway(igw) = w.run(Command::CreateInternetGateway {
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    w.run(Command::AttachInternetGateway {
        internet_gateway_id: igw.id.clone(),
        vpc_id: net.vpc.clone(),
    });
    let web = w.group(&net.vpc, "web");
    w.allow(&web, false, "tcp", Some(443), "0.0.0.0/0");
    let b = w.instance(&net.subnets[0], std::slice::from_ref(&web));
    let query = PathQuery {
        source: PathEnd::InternetGateway(igw.id.clone()),
        source_ip: None,
        destination: PathEnd::Instance(b.id.clone()),
        destination_ip: None,
        protocol: IpProtocol::TCP,
        destination_port: Some(443),
        request: None,
    };
    // No public address, and no route back to the gateway.
    let r = analyze(&w.index(), &query).unwrap();
    assert_eq!(
        codes(&r),
        [
            ("IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", None, false),
            ("NO_ROUTE_TO_DESTINATION", None, true)
        ]
    );
    let Outcome::ElasticIp(eip) = w.run(Command::AllocateAddress {
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    w.run(Command::AssociateAddress {
        allocation_id: eip.id.clone(),
        network_interface_id: w
            .model
            .any::<Instance>(&b.id)
            .unwrap()
            .primary_interface
            .clone(),
        private_ip: None,
        allow_reassociation: false,
    });
    w.route(
        &net.main_table,
        "0.0.0.0/0",
        RouteTarget::InternetGateway(igw.id.clone()),
    );
    let r = analyze(&w.index(), &query).unwrap();
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(r.forward_path_components[0].kind, "internet-gateway");
    assert_eq!(
        r.return_path_components.last().unwrap().kind,
        "internet-gateway"
    );
}

#[test]
fn a_routing_loop_through_nat_gateways_ends() {
    let mut w = World::new();
    let net = w.net(0);
    // Two private NAT gateways whose subnets route everything to each other.
    let mut nats = Vec::new();
    for subnet in &net.subnets {
        let Outcome::NatGateway(nat) = w.run(Command::CreateNatGateway(CreateNatGateway {
            subnet_id: subnet.clone(),
            public: false,
            allocation_id: None,
            private_ip: None,
            tag_specifications: Vec::new(),
        })) else {
            panic!()
        };
        nats.push(nat.id);
    }
    let mut tables = Vec::new();
    for subnet in &net.subnets {
        let Outcome::RouteTable(t) = w.run(Command::CreateRouteTable {
            vpc_id: net.vpc.clone(),
            tag_specifications: Vec::new(),
        }) else {
            panic!()
        };
        w.run(Command::AssociateRouteTable {
            route_table_id: t.id.clone(),
            subnet_id: Some(subnet.clone()),
            gateway_id: None,
        });
        tables.push(t.id);
    }
    w.route(
        &tables[0],
        "0.0.0.0/0",
        RouteTarget::NatGateway(nats[1].clone()),
    );
    w.route(
        &tables[1],
        "0.0.0.0/0",
        RouteTarget::NatGateway(nats[0].clone()),
    );
    let a = w.instance(&net.subnets[0], &[]);
    let r = w.trace(
        &a.id,
        PathEnd::Address("198.51.100.1".parse().unwrap()),
        443,
    );
    assert!(!r.network_path_found);
    assert!(
        codes(&r).iter().any(|c| c.0 == "LOCALVPC_ROUTING_LOOP"),
        "{:?}",
        codes(&r)
    );
}

const PROVIDER: &str = "333333333333";
const CONSUMER: &str = "444444444444";

/// A provider's service: a VPC 10.5.0.0/16, a backend instance (its group admits nothing
/// yet) behind an internal NLB listening on 443, forwarding to 8443, published as an
/// endpoint service that needs acceptance and admits CONSUMER.
struct Provider {
    backend: Instance,
    backend_sg: SecurityGroupId,
    nlb: localvpc_model::LoadBalancer,
    target_group: localvpc_model::TargetGroupArn,
    service: localvpc_model::VpcEndpointServiceConfiguration,
}

fn provider(w: &mut World) -> Provider {
    use localvpc_model::{
        CreateEndpointService, CreateLoadBalancer, CreateTargetGroup, ElbCommand, ElbOutcome,
        HealthCheckInput, Target,
    };
    let provider = w.net_in(PROVIDER, 5);
    let (pvpc, psub) = (&provider.vpc, &provider.subnets[0]);
    let Outcome::SecurityGroup(backend_sg) = w.run_in(
        PROVIDER,
        Command::CreateSecurityGroup(localvpc_model::CreateSecurityGroup {
            vpc_id: Some(pvpc.clone()),
            group_name: "backend".into(),
            description: "backend".into(),
            tag_specifications: Vec::new(),
        }),
    ) else {
        panic!()
    };
    let backend = w.instance_in(PROVIDER, psub, std::slice::from_ref(&backend_sg.id), None);
    let Outcome::Elb(ElbOutcome::LoadBalancer(nlb)) = w.run_in(
        PROVIDER,
        Command::Elb(ElbCommand::CreateLoadBalancer(CreateLoadBalancer {
            name: "svc".into(),
            lb_type: "network".into(),
            internal: true,
            subnets: vec![(psub.clone(), None)],
            security_groups: Vec::new(),
            tags: Vec::new(),
        })),
    ) else {
        panic!()
    };
    let Outcome::Elb(ElbOutcome::TargetGroup(tg)) = w.run_in(
        PROVIDER,
        Command::Elb(ElbCommand::CreateTargetGroup(CreateTargetGroup {
            name: "backend".into(),
            protocol: Some("TCP".into()),
            port: Some(8443),
            vpc_id: Some(pvpc.clone()),
            target_type: Some("instance".into()),
            health_check: HealthCheckInput::default(),
            tags: Vec::new(),
        })),
    ) else {
        panic!()
    };
    w.run_in(
        PROVIDER,
        Command::Elb(ElbCommand::RegisterTargets(
            tg.id.clone(),
            vec![Target {
                id: backend.id.to_string(),
                port: None,
                availability_zone: None,
            }],
        )),
    );
    w.run_in(
        PROVIDER,
        Command::Elb(ElbCommand::CreateListener {
            load_balancer_arn: nlb.id.clone(),
            protocol: Some("TCP".into()),
            port: Some(443),
            target_group_arn: tg.id.clone(),
            tags: Vec::new(),
        }),
    );
    let Outcome::EndpointService(service) = w.run_in(
        PROVIDER,
        Command::CreateEndpointService(CreateEndpointService {
            network_load_balancer_arns: vec![nlb.id.clone()],
            gateway_load_balancer_arns: Vec::new(),
            acceptance_required: Some(true),
            private_dns_name: None,
            supported_ip_address_types: Vec::new(),
            tag_specifications: Vec::new(),
        }),
    ) else {
        panic!()
    };
    w.run_in(
        PROVIDER,
        Command::ModifyEndpointServicePermissions {
            id: service.id.clone(),
            add: vec![format!("arn:aws:iam::{CONSUMER}:root")],
            remove: Vec::new(),
        },
    );
    Provider {
        backend,
        backend_sg: backend_sg.id,
        nlb,
        target_group: tg.id,
        service,
    }
}

impl World {
    /// The backend's group admits TCP `port` from `cidr`.
    fn admit(&mut self, group: &SecurityGroupId, port: u16, cidr: &str) {
        self.run_in(
            PROVIDER,
            Command::AuthorizeSecurityGroup {
                group: GroupRef::Id(group.clone()),
                egress: false,
                permissions: vec![IpPermission {
                    protocol: "tcp".into(),
                    from_port: Some(i32::from(port)),
                    to_port: Some(i32::from(port)),
                    ipv4_ranges: vec![(cidr.into(), None)],
                    ..IpPermission::default()
                }],
                tag_specifications: Vec::new(),
            },
        );
    }
}

#[test]
fn privatelink_reaches_the_providers_target_after_acceptance() {
    let mut w = World::new();
    let p = provider(&mut w);
    // The consumer: an instance and an interface endpoint to the service.
    let consumer = w.net_in(CONSUMER, 0);
    let (cvpc, csub) = (&consumer.vpc, &consumer.subnets[0]);
    let client = w.instance_in(CONSUMER, csub, &[], None);
    let to_service = || PathEnd::VpcEndpointService(p.service.id.clone());
    // The service named as the destination before the consumer has an endpoint to it.
    let r = w.trace(&client.id, to_service(), 443);
    assert_eq!(
        codes(&r),
        [("LOCALVPC_NO_ENDPOINT_TO_SERVICE", None, false)],
        "{:#?}",
        r.explanations
    );
    let Outcome::VpcEndpoint(endpoint) = w.run_in(
        CONSUMER,
        Command::CreateVpcEndpoint(CreateVpcEndpoint {
            vpc_id: Some(cvpc.clone()),
            service_name: p.service.service_name(),
            endpoint_type: Some("Interface".into()),
            subnet_ids: vec![csub.clone()],
            ..CreateVpcEndpoint::default()
        }),
    ) else {
        panic!()
    };
    let to_endpoint = || PathEnd::VpcEndpoint(endpoint.id.clone());
    // Pending acceptance, and the backend's group admits nothing yet.
    for to in [to_endpoint(), to_service()] {
        let r = w.trace(&client.id, to, 443);
        assert_eq!(
            codes(&r),
            [
                ("BAD_STATE", None, false),
                ("ENI_SG_RULES_MISMATCH", Some("ingress"), false)
            ],
            "{:#?}",
            r.explanations
        );
    }
    w.run_in(
        PROVIDER,
        Command::AnswerEndpointConnections {
            id: p.service.id.clone(),
            endpoints: vec![endpoint.id.clone()],
            accept: true,
        },
    );
    // Through PrivateLink the target sees the balancer's address, never the client's.
    let nlb_ip = p.nlb.zones[0].private_ip;
    w.admit(&p.backend_sg, 8443, &format!("{nlb_ip}/32"));
    for to in [to_endpoint(), to_service()] {
        let r = w.trace(&client.id, to, 443);
        assert!(r.network_path_found, "{:#?}", r.explanations);
        let kinds = kinds(&r.forward_path_components);
        assert!(
            kinds.contains(&"vpc-endpoint-service") && kinds.contains(&"load-balancer"),
            "{kinds:?}"
        );
        assert_eq!(
            r.forward_path_components.last().unwrap().component.id,
            p.backend.id.as_str()
        );
        // The data plane carries the connection to the target, at the target port.
        assert_eq!(
            r.delivered_to(),
            Some((std::net::IpAddr::V4(p.backend.private_ip), Some(8443)))
        );
        let back = &r.return_path_components;
        assert!(
            back.iter()
                .any(|h| h.detail.starts_with("back through PrivateLink")),
            "{back:#?}"
        );
    }
    // No listener on 80.
    let r = w.trace(&client.id, to_endpoint(), 80);
    assert_eq!(codes(&r), [("ELBV2_LISTENERS_MISMATCH", None, false)]);
}

#[test]
fn a_load_balancer_reached_at_its_address_passes_on_to_its_target() {
    let mut w = World::new();
    let p = provider(&mut w);
    let provider_net_subnet = w
        .model
        .any::<Instance>(&p.backend.id)
        .map(|i| i.subnet_id.clone())
        .unwrap();
    let client = w.instance_in(PROVIDER, &provider_net_subnet, &[], None);
    let nlb_ip = p.nlb.zones[0].private_ip;
    let to_nlb = || PathEnd::Address(std::net::IpAddr::V4(nlb_ip));
    // The balancer admits the packet and passes it on; the backend's group admits nothing.
    // Then an instance target sees the client's own address (client IP preservation, on by
    // default for instance targets): admitting only the balancer's address is not enough.
    for admitted in [None, Some(format!("{nlb_ip}/32"))] {
        if let Some(cidr) = admitted {
            w.admit(&p.backend_sg, 8443, &cidr);
        }
        let r = w.trace(&client.id, to_nlb(), 443);
        assert_eq!(
            codes(&r),
            [("ENI_SG_RULES_MISMATCH", Some("ingress"), false)],
            "{:#?}",
            r.explanations
        );
    }
    w.run_in(
        PROVIDER,
        Command::Elb(localvpc_model::ElbCommand::SetTargetGroupAttributes(
            p.target_group.clone(),
            vec![("preserve_client_ip.enabled".into(), "false".into())],
        )),
    );
    let r = w.trace(&client.id, to_nlb(), 443);
    assert!(r.network_path_found, "{:#?}", r.explanations);
    let forward = &r.forward_path_components;
    assert_eq!(
        forward.last().unwrap().component.id,
        p.backend.id.as_str(),
        "{forward:#?}"
    );
    let balancer = forward
        .iter()
        .find(|h| h.kind == "load-balancer")
        .expect("a load-balancer hop");
    assert!(
        balancer.detail.contains("target group backend"),
        "{balancer:#?}"
    );
    assert!(
        r.return_path_components
            .iter()
            .any(|h| h.detail.starts_with("the balancer answers")),
        "{:#?}",
        r.return_path_components
    );
    // The port decides the listener.
    let r = w.trace(&client.id, to_nlb(), 80);
    assert_eq!(codes(&r), [("ELBV2_LISTENERS_MISMATCH", None, false)]);
}

#[test]
fn an_address_means_the_interface_in_the_vpc_the_packet_is_in() {
    const OTHER: &str = "222222222222";
    let mut w = World::new();
    let net = w.net(0);
    let a1 = w.instance(&net.subnets[0], &[]);
    let a2 = w.instance(&net.subnets[0], &[]);
    // Another account uses the same block, and its interface (created later, so with the
    // greater id) has a1's address.
    let other = w.net_in(OTHER, 0);
    let twin = w.instance_in(OTHER, &other.subnets[0], &[], Some(a1.private_ip));
    let r = w.trace(&a2.id, PathEnd::Address(a1.private_ip.into()), 22);
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(
        r.forward_path_components.last().unwrap().component.id,
        a1.id.as_str()
    );
    let r = w.trace(&twin.id, PathEnd::Address(a2.private_ip.into()), 22);
    assert_eq!(
        codes(&r),
        [("LOCALVPC_NO_INTERFACE_AT_ADDRESS", None, false)]
    );
}

#[test]
fn gateways_as_destinations_and_sources() {
    let mut w = World::new();
    let left = w.net(1);
    let right = w.net(2);
    let tgw = w.transit_gateway();
    let a = w.instance(&left.subnets[0], &[]);
    let to_tgw = PathEnd::TransitGateway(tgw.id.clone());
    // Not attached, no route: the packet never gets to the gateway.
    let r = w.trace(&a.id, to_tgw.clone(), 443);
    assert!(!r.network_path_found);
    assert_eq!(codes(&r)[0].0, "NO_ROUTE_TO_DESTINATION");
    w.attach(&tgw.id, &left);
    w.route(
        &left.main_table,
        "10.2.0.0/16",
        RouteTarget::TransitGateway(tgw.id.clone()),
    );
    // Routed into the gateway: reachable, and the path ends there (no route table of the
    // gateway is consulted, the address is the routed block's first).
    let r = w.trace(&a.id, to_tgw.clone(), 443);
    assert!(r.network_path_found, "{:?}", r.explanations);
    let last = r.forward_path_components.last().unwrap();
    assert_eq!(last.component.id, tgw.id.as_str());
    assert_eq!(last.kind, "transit-gateway");
    // From the gateway into the VPC: the default group admits only itself.
    let index = w.index();
    let from_tgw = |index: &NetIndex, to: &InstanceId| {
        analyze(
            index,
            &PathQuery {
                source: PathEnd::TransitGateway(tgw.id.clone()),
                source_ip: Some("10.2.0.9".parse().unwrap()),
                destination: PathEnd::Instance(to.clone()),
                destination_ip: None,
                protocol: IpProtocol::TCP,
                destination_port: Some(22),
                request: None,
            },
        )
        .unwrap()
    };
    let r = from_tgw(&index, &a.id);
    assert_eq!(
        codes(&r),
        [("ENI_SG_RULES_MISMATCH", Some("ingress"), false)]
    );
    w.allow(&left.default_sg, false, "tcp", Some(22), "10.2.0.0/16");
    let r = from_tgw(&w.index(), &a.id);
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(r.forward_path_components[0].kind, "transit-gateway");
    assert_eq!(
        r.return_path_components.last().unwrap().component.id,
        tgw.id.as_str()
    );
    // The right VPC is not attached: from the gateway into it is a broken attachment, and
    // its reply has no route back.
    let b = w.instance(&right.subnets[0], &[]);
    w.allow(&right.default_sg, false, "tcp", Some(22), "10.2.0.0/16");
    let r = from_tgw(&w.index(), &b.id);
    assert_eq!(codes(&r)[0].0, "BAD_STATE_ATTACHMENT");
    assert!(!r.network_path_found);

    // A peering connection as the destination: the far VPC's first address by default.
    let pcx = w.request_peering(&left, &right);
    let to_pcx = PathEnd::VpcPeeringConnection(pcx.id.clone());
    // The table sends 10.2/16 to the transit gateway, not to the peering.
    let r = w.trace(&a.id, to_pcx.clone(), 443);
    assert_eq!(codes(&r), [("NO_ROUTE_TO_DESTINATION", None, false)]);
    assert!(
        r.explanations[0].detail.contains(tgw.id.as_str()),
        "{}",
        r.explanations[0].detail
    );
    w.run(Command::AcceptVpcPeeringConnection { id: pcx.id.clone() });
    w.route(
        &left.main_table,
        "10.2.0.0/17",
        RouteTarget::VpcPeeringConnection(pcx.id.clone()),
    );
    let r = w.trace(&a.id, to_pcx, 443);
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(
        r.forward_path_components.last().unwrap().component.id,
        pcx.id.as_str()
    );
    // From the peering into the right VPC (from the left VPC's first address): the group
    // admits only 10.2/16, and the reply has no route back over the peering — both named.
    let from_pcx = analyze(
        &w.index(),
        &PathQuery {
            source: PathEnd::VpcPeeringConnection(pcx.id.clone()),
            source_ip: None,
            destination: PathEnd::Instance(b.id.clone()),
            destination_ip: None,
            protocol: IpProtocol::TCP,
            destination_port: Some(22),
            request: None,
        },
    )
    .unwrap();
    assert_eq!(
        codes(&from_pcx),
        [
            ("ENI_SG_RULES_MISMATCH", Some("ingress"), false),
            ("NO_ROUTE_TO_DESTINATION", None, true)
        ]
    );

    // A virtual private gateway: routed there, the path leaves through it.
    let Outcome::VpnGateway(vgw) = w.run(Command::CreateVpnGateway {
        amazon_side_asn: None,
        tag_specifications: Vec::new(),
    }) else {
        panic!()
    };
    w.run(Command::AttachVpnGateway {
        id: vgw.id.clone(),
        vpc_id: left.vpc.clone(),
    });
    w.route(
        &left.main_table,
        "192.168.0.0/16",
        RouteTarget::VpnGateway(vgw.id.clone()),
    );
    let r = w.trace(&a.id, PathEnd::VpnGateway(vgw.id.clone()), 443);
    assert!(r.network_path_found, "{:?}", r.explanations);
    assert_eq!(
        r.forward_path_components.last().unwrap().component.id,
        vgw.id.as_str()
    );
}

#[test]
fn path_ends_parse_from_ids() {
    assert!(matches!(
        PathEnd::from_id("tgw-0123456789abcdef0"),
        Some(PathEnd::TransitGateway(_))
    ));
    assert!(matches!(
        PathEnd::from_id("pcx-0123456789abcdef0"),
        Some(PathEnd::VpcPeeringConnection(_))
    ));
    assert!(matches!(
        PathEnd::from_id("vgw-0123456789abcdef0"),
        Some(PathEnd::VpnGateway(_))
    ));
    assert!(matches!(
        PathEnd::from_id("i-0123456789abcdef0"),
        Some(PathEnd::Instance(_))
    ));
    assert!(matches!(
        PathEnd::from_id("vpce-svc-0123456789abcdef0"),
        Some(PathEnd::VpcEndpointService(_))
    ));
    assert!(matches!(
        PathEnd::from_id("tgw-attach-0123456789abcdef0"),
        Some(PathEnd::TransitGatewayAttachment(_))
    ));
    for other in ["subnet-0123456789abcdef0", "tgw-", "", "nothing"] {
        assert_eq!(PathEnd::from_id(other), None, "{other}");
    }
}

fn seen(a: &Analysis) -> Vec<(String, &'static str, bool, bool)> {
    crate::sightings(a)
        .into_iter()
        .map(|s| (s.interface, s.direction.as_str(), s.reply, s.accepted))
        .collect()
}

#[test]
fn flow_logs_see_both_interfaces_and_the_reply_when_the_request_gets_through() {
    let mut w = World::new();
    let net = w.net(0);
    let sg = w.group(&net.vpc, "web");
    let client = w.instance(&net.subnets[0], &[]);
    let server = w.instance(&net.subnets[0], std::slice::from_ref(&sg));
    let to_server = || PathEnd::Instance(server.id.clone());
    let (c, s) = (
        client.primary_interface.to_string(),
        server.primary_interface.to_string(),
    );
    // The server's group admits nothing: the request leaves the client (ACCEPT there) and
    // is rejected at the server; no reply.
    let r = w.trace(&client.id, to_server(), 80);
    assert!(!r.network_path_found);
    assert_eq!(
        seen(&r),
        [
            (c.clone(), "egress", false, true),
            (s.clone(), "ingress", false, false)
        ]
    );
    w.allow(&sg, false, "tcp", Some(80), "10.0.0.0/8");
    let r = w.trace(&client.id, to_server(), 80);
    assert!(r.network_path_found, "{:#?}", r.explanations);
    let sightings = crate::sightings(&r);
    assert_eq!(
        seen(&r),
        [
            (c.clone(), "egress", false, true),
            (s.clone(), "ingress", false, true),
            (s.clone(), "egress", true, true),
            (c.clone(), "ingress", true, true),
        ]
    );
    // The server's sighting names the rule that admitted the request.
    assert!(
        sightings[1]
            .decided_by
            .as_deref()
            .is_some_and(|r| r.starts_with("sgr-")),
        "{sightings:#?}"
    );
    assert_eq!(sightings[1].destination_port, Some(80));
}

#[test]
fn flow_logs_through_privatelink_skip_the_balancer_side_of_the_endpoint() {
    let mut w = World::new();
    let p = provider(&mut w);
    let consumer = w.net_in(CONSUMER, 0);
    let client = w.instance_in(CONSUMER, &consumer.subnets[0], &[], None);
    let Outcome::VpcEndpoint(endpoint) = w.run_in(
        CONSUMER,
        Command::CreateVpcEndpoint(CreateVpcEndpoint {
            vpc_id: Some(consumer.vpc.clone()),
            service_name: p.service.service_name(),
            endpoint_type: Some("Interface".into()),
            subnet_ids: vec![consumer.subnets[0].clone()],
            ..CreateVpcEndpoint::default()
        }),
    ) else {
        panic!()
    };
    w.run_in(
        PROVIDER,
        Command::AnswerEndpointConnections {
            id: p.service.id.clone(),
            endpoints: vec![endpoint.id.clone()],
            accept: true,
        },
    );
    let nlb_ip = p.nlb.zones[0].private_ip;
    w.admit(&p.backend_sg, 8443, &format!("{nlb_ip}/32"));
    let r = w.trace(&client.id, PathEnd::VpcEndpoint(endpoint.id.clone()), 443);
    assert!(r.network_path_found, "{:#?}", r.explanations);
    let request: Vec<_> = crate::sightings(&r)
        .into_iter()
        .filter(|s| !s.reply)
        .collect();
    let interfaces: Vec<_> = request.iter().map(|s| s.interface.as_str()).collect();
    let endpoint_eni = endpoint.network_interface_ids[0].as_str();
    let backend_eni = p.backend.primary_interface.as_str();
    assert_eq!(interfaces.first(), Some(&client.primary_interface.as_str()));
    assert!(interfaces.contains(&endpoint_eni), "{request:#?}");
    assert_eq!(interfaces.last(), Some(&backend_eni), "{request:#?}");
    // The target sees the balancer's address.
    let last = request.last().unwrap();
    assert_eq!(last.source, std::net::IpAddr::V4(nlb_ip));
    assert_eq!(last.destination_port, Some(8443));
    let reply: Vec<_> = crate::sightings(&r)
        .into_iter()
        .filter(|s| s.reply)
        .map(|s| (s.interface, s.direction.as_str()))
        .collect();
    assert_eq!(
        reply,
        [
            (backend_eni.to_owned(), "egress"),
            (endpoint_eni.to_owned(), "egress"),
            (client.primary_interface.to_string(), "ingress")
        ]
    );
}
