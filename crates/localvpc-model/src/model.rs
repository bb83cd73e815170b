//! Reads over the whole state that several views share (tags, scopes, a few getters).

use crate::ec2::network_acl::NetworkAcl;
use crate::ec2::route_table::RouteTable;
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::Tags;
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{NetworkAclId, ResourceKind, RouteTableId, SecurityGroupId, SubnetId, VpcId};
use crate::resource::Model;
use crate::scope::Scope;

impl Model {
    /// Every taggable resource a scope sees, with the tags it sees: its own resources, its
    /// side of peering connections, and its security group rules.
    pub fn tagged<'a>(&'a self, scope: &'a Scope) -> Vec<(&'a str, ResourceKind, &'a Tags)> {
        let mut out: Vec<(&str, ResourceKind, &Tags)> = self
            .tagged_stored(scope)
            .into_iter()
            .filter(|(_, kind, _)| {
                *kind != ResourceKind::VpcPeeringConnection && kind.tag_resource_type().is_some()
            })
            .collect();
        out.extend(
            self.vpc_peering_connections
                .values()
                .filter(|p| p.visible_to(scope))
                .map(|p| {
                    (
                        p.id.as_str(),
                        ResourceKind::VpcPeeringConnection,
                        p.tags_for(scope),
                    )
                }),
        );
        // The accepter of a transit gateway peering attachment tags its own view of it.
        out.extend(
            self.transit_gateway_attachments
                .values()
                .filter(|a| a.accepter_view(scope))
                .map(|a| {
                    (
                        a.id.as_str(),
                        ResourceKind::TransitGatewayAttachment,
                        a.tags_for(scope),
                    )
                }),
        );
        for g in self.security_groups(scope) {
            out.extend(
                g.ingress
                    .iter()
                    .chain(&g.egress)
                    .map(|r| (r.id.as_str(), ResourceKind::SecurityGroupRule, &r.tags)),
            );
        }
        out
    }

    /// Whether the scope has been set up (default DHCP options, default VPC).
    pub fn has_scope(&self, scope: &Scope) -> bool {
        self.scopes.contains_key(scope)
    }

    // Thin names for the generic scope-checked readers (`Model::get`, `Model::in_scope`),
    // kept for the kinds read most.

    pub fn vpc(&self, scope: &Scope, id: &VpcId) -> Result<&Vpc, ModelError> {
        self.get(scope, id)
    }

    pub fn subnet(&self, scope: &Scope, id: &SubnetId) -> Result<&Subnet, ModelError> {
        self.get(scope, id)
    }

    pub fn security_group(
        &self,
        scope: &Scope,
        id: &SecurityGroupId,
    ) -> Result<&SecurityGroup, ModelError> {
        self.get(scope, id)
    }

    /// A security group of any scope (cross-account references across a peering).
    pub fn security_group_any(&self, id: &SecurityGroupId) -> Option<&SecurityGroup> {
        self.any(id)
    }

    pub fn route_table(&self, scope: &Scope, id: &RouteTableId) -> Result<&RouteTable, ModelError> {
        self.get(scope, id)
    }

    pub fn network_acl(&self, scope: &Scope, id: &NetworkAclId) -> Result<&NetworkAcl, ModelError> {
        self.get(scope, id)
    }

    /// The scope's VPCs in id order.
    pub fn vpcs<'a>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a Vpc> + 'a {
        self.in_scope(scope)
    }

    /// The scope's subnets in id order.
    pub fn subnets<'a>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a Subnet> + 'a {
        self.in_scope(scope)
    }

    pub fn security_groups<'a>(
        &'a self,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a SecurityGroup> + 'a {
        self.in_scope(scope)
    }

    /// Addresses still free in a subnet (AvailableIpAddressCount).
    pub fn available_ip_count(&self, subnet: &Subnet) -> u64 {
        let used = self
            .network_interfaces
            .values()
            .filter(|e| e.subnet_id == subnet.id)
            .map(|e| 1 + e.secondary_ips.len() as u64)
            .sum::<u64>();
        subnet.usable_addresses().saturating_sub(used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Outcome};
    use crate::ec2::subnet::CreateSubnet;
    use crate::ec2::vpc::{CreateVpc, VpcAttribute};
    use crate::id::Timestamp;
    use crate::scope::AccountId;
    use crate::testing::Harness;

    #[test]
    fn default_vpc_has_one_default_subnet_per_zone() {
        let h = Harness::new(true);
        let vpcs: Vec<_> = h.model.vpcs(&h.scope).collect();
        assert_eq!(vpcs.len(), 1);
        assert!(vpcs[0].is_default && vpcs[0].enable_dns_hostnames);
        let subnets: Vec<_> = h
            .model
            .subnets(&h.scope)
            .map(|s| (s.cidr_block.to_string(), s.availability_zone.clone()))
            .collect();
        let mut subnets = subnets;
        subnets.sort();
        assert_eq!(
            subnets,
            [
                ("172.31.0.0/20".to_owned(), "ap-northeast-1a".to_owned()),
                ("172.31.16.0/20".to_owned(), "ap-northeast-1c".to_owned()),
                ("172.31.32.0/20".to_owned(), "ap-northeast-1d".to_owned()),
            ]
        );
        let mut h = h;
        assert_eq!(
            h.run(Command::CreateDefaultVpc).unwrap_err().code(),
            "DefaultVpcAlreadyExists"
        );
    }

    #[test]
    fn vpc_comes_with_main_table_default_acl_and_group() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.18/16");
        assert_eq!(vpc.cidr_block.to_string(), "10.0.0.0/16");
        assert!(vpc.enable_dns_support && !vpc.enable_dns_hostnames);
        assert_eq!(vpc.resolver_address().to_string(), "10.0.0.2");
        let rtb = &h.model.route_tables[&h.model.main_route_table(&vpc.id).unwrap().id.clone()];
        assert!(rtb.is_main());
        assert_eq!(rtb.routes.len(), 1);
        let acl = &h.model.network_acls[&vpc.default_network_acl_id];
        assert!(acl.is_default);
        assert_eq!(acl.entries.len(), 4);
        let sg = &h.model.security_groups[&vpc.default_security_group_id];
        assert_eq!(sg.name, "default");
        assert_eq!(
            sg.ingress[0].peer,
            crate::SgPeer::Group {
                group_id: sg.id.clone(),
                account: None
            }
        );
    }

    #[test]
    fn vpc_cidr_must_be_16_to_28() {
        let mut h = Harness::new(false);
        for bad in ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29"] {
            let cmd = Command::CreateVpc(CreateVpc {
                cidr_block: Some(bad.into()),
                ..CreateVpc::default()
            });
            assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidVpc.Range", "{bad}");
        }
    }

    #[test]
    fn subnets_stay_inside_and_apart() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let s = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
        assert_eq!(s.availability_zone_id, "apne1-az4");
        assert_eq!(h.model.available_ip_count(&s), 251);
        assert_eq!(
            h.subnet(&vpc.id, "10.0.1.128/25", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Conflict"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.0.0.0/15", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.1.0.0/24", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.0.2.0/29", "ap-northeast-1a")
                .unwrap_err()
                .code(),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            h.subnet(&vpc.id, "10.0.2.0/24", "ap-northeast-1b")
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        // The subnet joined the default ACL.
        let acl = &h.model.network_acls[&vpc.default_network_acl_id];
        assert_eq!(acl.associations.len(), 1);
    }

    #[test]
    fn delete_vpc_waits_for_its_subnets() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let s = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1c").unwrap();
        assert_eq!(
            h.run(Command::DeleteVpc {
                vpc_id: vpc.id.clone()
            })
            .unwrap_err()
            .code(),
            "DependencyViolation"
        );
        h.run(Command::DeleteSubnet { subnet_id: s.id }).unwrap();
        h.run(Command::DeleteVpc {
            vpc_id: vpc.id.clone(),
        })
        .unwrap();
        assert!(h.model.route_tables.is_empty() && h.model.network_acls.is_empty());
        assert!(h.model.security_groups.is_empty());
        assert_eq!(
            h.run(Command::DeleteVpc { vpc_id: vpc.id })
                .unwrap_err()
                .code(),
            "InvalidVpcID.NotFound"
        );
    }

    #[test]
    fn other_scopes_see_nothing() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let other = Scope::new(AccountId::parse("111111111111").unwrap(), "ap-northeast-1");
        assert_eq!(
            h.model.vpc(&other, &vpc.id).unwrap_err().code(),
            "InvalidVpcID.NotFound"
        );
        let tokyo_us = Scope::new(AccountId::default_account(), "us-east-1");
        assert!(h.model.vpcs(&tokyo_us).next().is_none());
        // The generic readers follow the same rule for every kind, and list in id order.
        let subnet = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
        assert_eq!(
            h.model
                .get::<Subnet>(&other, &subnet.id)
                .unwrap_err()
                .code(),
            "InvalidSubnetID.NotFound"
        );
        assert_eq!(
            h.model.get::<Subnet>(&h.scope, &subnet.id).unwrap().id,
            subnet.id
        );
        assert!(h.model.in_scope::<RouteTable>(&other).next().is_none());
        let tables: Vec<&RouteTable> = h.model.in_scope(&h.scope).collect();
        assert!(!tables.is_empty());
        assert!(tables.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn secondary_blocks_follow_the_family_table() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let assoc = |cidr: &str| Command::AssociateVpcCidrBlock {
            vpc_id: vpc.id.clone(),
            cidr_block: cidr.into(),
        };
        assert!(h.run(assoc("10.1.0.0/16")).is_ok());
        assert!(h.run(assoc("100.64.0.0/16")).is_ok());
        assert_eq!(
            h.run(assoc("192.168.0.0/16")).unwrap_err().code(),
            "InvalidVpc.Range"
        );
        assert_eq!(
            h.run(assoc("10.0.128.0/17")).unwrap_err().code(),
            "InvalidVpc.Range"
        );
        // The new block has a local route in the main table.
        let rtb = &h.model.route_tables[&h.model.main_route_table(&vpc.id).unwrap().id.clone()];
        assert_eq!(rtb.routes.len(), 3);
        assert!(h.run(assoc("10.2.0.0/16")).is_ok());
        assert!(h.run(assoc("10.3.0.0/16")).is_ok());
        let err = h.run(assoc("10.4.0.0/16")).unwrap_err();
        assert_eq!(err.code(), "CidrLimitExceeded");
        assert_eq!(
            err.to_string(),
            format!(
                "This network '{}' has met its maximum number of allowed CIDRs: 5",
                vpc.id
            )
        );
    }

    #[test]
    fn disassociation_protects_primary_and_used_blocks() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let primary = vpc.cidr_associations[0].id.clone();
        let cmd = Command::DisassociateVpcCidrBlock {
            association_id: primary,
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "OperationNotPermitted");
        let Outcome::CidrAssociation {
            association: crate::ec2::vpc::VpcCidrAssociation::V4(association),
            ..
        } = h
            .run(Command::AssociateVpcCidrBlock {
                vpc_id: vpc.id.clone(),
                cidr_block: "10.1.0.0/16".into(),
            })
            .unwrap()
        else {
            panic!()
        };
        let s = h.subnet(&vpc.id, "10.1.0.0/24", "ap-northeast-1a").unwrap();
        let cmd = Command::DisassociateVpcCidrBlock {
            association_id: association.id.clone(),
        };
        assert_eq!(
            h.run(cmd.clone()).unwrap_err().code(),
            "DependencyViolation"
        );
        h.run(Command::DeleteSubnet { subnet_id: s.id }).unwrap();
        h.run(cmd).unwrap();
        assert_eq!(
            h.model.route_tables[&h.model.main_route_table(&vpc.id).unwrap().id.clone()]
                .routes
                .len(),
            1
        );
    }

    #[test]
    fn dns_hostnames_need_dns_support() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let set = |a| Command::ModifyVpcAttribute {
            vpc_id: vpc.id.clone(),
            attribute: a,
        };
        h.run(set(VpcAttribute::EnableDnsSupport(false))).unwrap();
        assert_eq!(
            h.run(set(VpcAttribute::EnableDnsHostnames(true)))
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        h.run(set(VpcAttribute::EnableDnsSupport(true))).unwrap();
        h.run(set(VpcAttribute::EnableDnsHostnames(true))).unwrap();
        assert!(h.model.vpcs[&vpc.id].enable_dns_hostnames);
    }

    #[test]
    fn tags_are_all_or_nothing() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let tag = |k: &str| (k.to_owned(), "v".to_owned());
        let missing = "subnet-0123456789abcdef0".to_owned();
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string(), missing],
            tags: vec![tag("a")],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidSubnetID.NotFound");
        assert!(h.model.vpcs[&vpc.id].tags.is_empty());
        let cmd = Command::CreateTags {
            resource_ids: vec!["bogus".into()],
            tags: vec![tag("a")],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidID");
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: vec![tag("aws:x")],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidParameterValue");
        let many: Vec<_> = (0..51).map(|i| tag(&format!("k{i}"))).collect();
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: many,
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "TagLimitExceeded");
        let cmd = Command::CreateTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: vec![tag("a"), tag("b")],
        };
        h.run(cmd).unwrap();
        let cmd = Command::DeleteTags {
            resource_ids: vec![vpc.id.to_string()],
            tags: vec![("a".into(), Some("other".into())), ("b".into(), None)],
        };
        h.run(cmd).unwrap();
        assert_eq!(h.model.vpcs[&vpc.id].tags.keys().collect::<Vec<_>>(), ["a"]);
    }

    fn sg(h: &mut Harness, vpc: &Vpc, name: &str) -> Result<SecurityGroup, ModelError> {
        let cmd = Command::CreateSecurityGroup(crate::CreateSecurityGroup {
            vpc_id: Some(vpc.id.clone()),
            group_name: name.into(),
            description: "d".into(),
            tag_specifications: Vec::new(),
        });
        h.run(cmd).map(|o| match o {
            Outcome::SecurityGroup(g) => g,
            o => panic!("{o:?}"),
        })
    }

    fn tcp(port: i32, cidr: &str) -> crate::IpPermission {
        crate::IpPermission {
            protocol: "tcp".into(),
            from_port: Some(port),
            to_port: Some(port),
            ipv4_ranges: vec![(cidr.into(), None)],
            ..crate::IpPermission::default()
        }
    }

    #[test]
    fn security_group_names_and_rules_follow_aws() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let web = sg(&mut h, &vpc, "web").unwrap();
        assert_eq!(web.egress.len(), 1);
        assert!(web.ingress.is_empty());
        assert_eq!(
            sg(&mut h, &vpc, "web").unwrap_err().code(),
            "InvalidGroup.Duplicate"
        );
        assert_eq!(
            sg(&mut h, &vpc, "default").unwrap_err().code(),
            "InvalidGroup.Reserved"
        );
        assert_eq!(
            sg(&mut h, &vpc, "sg-x").unwrap_err().code(),
            "InvalidParameterValue"
        );
        let web_ref = crate::GroupRef::Id(web.id.clone());
        let auth = |p: Vec<crate::IpPermission>| Command::AuthorizeSecurityGroup {
            group: web_ref.clone(),
            egress: false,
            permissions: p,
            tag_specifications: vec![],
        };
        h.run(auth(vec![tcp(443, "10.0.0.0/16")])).unwrap();
        assert_eq!(
            h.run(auth(vec![tcp(443, "10.0.0.0/16")]))
                .unwrap_err()
                .code(),
            "InvalidPermission.Duplicate"
        );
        assert_eq!(
            h.run(auth(vec![tcp(70000, "10.0.0.0/16")]))
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        let mut bad = tcp(1, "0.0.0.0/0");
        bad.protocol = "bogus".into();
        assert_eq!(
            h.run(auth(vec![bad])).unwrap_err().code(),
            "InvalidParameterValue"
        );
        let many: Vec<_> = (1..=60).map(|p| tcp(p, "10.1.0.0/16")).collect();
        assert_eq!(
            h.run(auth(many)).unwrap_err().code(),
            "RulesPerSecurityGroupLimitExceeded"
        );
        // A reference to another group makes that group undeletable.
        let app = sg(&mut h, &vpc, "app").unwrap();
        let from_app = crate::IpPermission {
            protocol: "-1".into(),
            groups: vec![(app.id.clone(), None, None)],
            ..crate::IpPermission::default()
        };
        h.run(auth(vec![from_app.clone()])).unwrap();
        let del_app = Command::DeleteSecurityGroup {
            group: crate::GroupRef::Id(app.id.clone()),
        };
        assert_eq!(
            h.run(del_app.clone()).unwrap_err().code(),
            "DependencyViolation"
        );
        let revoke = Command::RevokeSecurityGroup {
            group: web_ref.clone(),
            egress: false,
            permissions: vec![from_app],
            rule_ids: vec![],
        };
        h.run(revoke.clone()).unwrap();
        assert_eq!(
            h.run(revoke).unwrap_err().code(),
            "InvalidPermission.NotFound"
        );
        h.run(del_app).unwrap();
        let def = crate::GroupRef::Id(vpc.default_security_group_id.clone());
        assert_eq!(
            h.run(Command::DeleteSecurityGroup { group: def })
                .unwrap_err()
                .code(),
            "CannotDelete"
        );
        // A VPC with a custom group is not deletable until the group goes.
        assert_eq!(
            h.run(Command::DeleteVpc {
                vpc_id: vpc.id.clone()
            })
            .unwrap_err()
            .code(),
            "DependencyViolation"
        );
    }

    #[test]
    fn groups_of_other_vpcs_cannot_be_referenced() {
        let mut h = Harness::new(false);
        let a = h.vpc("10.0.0.0/16");
        let b = h.vpc("10.1.0.0/16");
        let ga = sg(&mut h, &a, "a").unwrap();
        let gb = sg(&mut h, &b, "b").unwrap();
        let p = crate::IpPermission {
            protocol: "-1".into(),
            groups: vec![(gb.id, None, None)],
            ..Default::default()
        };
        let cmd = Command::AuthorizeSecurityGroup {
            group: crate::GroupRef::Id(ga.id),
            egress: false,
            permissions: vec![p],
            tag_specifications: vec![],
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidParameterValue");
    }

    #[test]
    fn routes_follow_aws_rules_and_lookup_is_longest_prefix() {
        use crate::ec2::route_table::{RouteDestination, RouteSpec, RouteState, RouteTarget};
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let Outcome::InternetGateway(igw) = h
            .run(Command::CreateInternetGateway {
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let cidr = |c: &str| RouteDestination::Ipv4(crate::parse_ipv4_cidr(c, "c").unwrap());
        let to_igw = |c: &str| RouteSpec {
            destination: cidr(c),
            target: RouteTarget::InternetGateway(igw.id.clone()),
        };
        let rtb = h.model.main_route_table(&vpc.id).unwrap().id.clone();
        let create = |spec| Command::CreateRoute {
            route_table_id: rtb.clone(),
            route: spec,
        };
        // Not attached to this VPC yet.
        assert_eq!(
            h.run(create(to_igw("0.0.0.0/0"))).unwrap_err().code(),
            "InvalidParameterValue"
        );
        h.run(Command::AttachInternetGateway {
            internet_gateway_id: igw.id.clone(),
            vpc_id: vpc.id.clone(),
        })
        .unwrap();
        h.run(create(to_igw("0.0.0.0/0"))).unwrap();
        h.run(create(to_igw("192.168.0.0/16"))).unwrap();
        assert_eq!(
            h.run(create(to_igw("0.0.0.0/0"))).unwrap_err().code(),
            "RouteAlreadyExists"
        );
        assert_eq!(
            h.run(create(to_igw("10.0.1.0/24"))).unwrap_err().code(),
            "InvalidParameterValue"
        );
        assert_eq!(
            h.run(create(to_igw("169.254.169.0/24")))
                .unwrap_err()
                .code(),
            "InvalidParameterValue"
        );
        let del_local = Command::DeleteRoute {
            route_table_id: rtb.clone(),
            destination: cidr("10.0.0.0/16"),
        };
        assert_eq!(
            h.run(del_local).unwrap_err().code(),
            "InvalidParameterValue"
        );
        let del_missing = Command::DeleteRoute {
            route_table_id: rtb.clone(),
            destination: cidr("8.8.8.0/24"),
        };
        assert_eq!(
            h.run(del_missing).unwrap_err().code(),
            "InvalidRoute.NotFound"
        );

        let table = h.model.route_tables[&rtb].clone();
        let hop = |ip: &str| {
            let (route, _) = h
                .model
                .lookup_route(&table, ip.parse().unwrap(), |_| Vec::new())
                .unwrap();
            route.destination.to_string()
        };
        assert_eq!(hop("10.0.3.4"), "10.0.0.0/16");
        assert_eq!(hop("192.168.1.1"), "192.168.0.0/16");
        assert_eq!(hop("8.8.8.8"), "0.0.0.0/0");
        // Detaching the gateway leaves its routes in place, as blackholes.
        h.run(Command::DetachInternetGateway {
            internet_gateway_id: igw.id.clone(),
            vpc_id: vpc.id.clone(),
        })
        .unwrap();
        let table = h.model.route_tables[&rtb].clone();
        let states: Vec<_> = table
            .routes
            .iter()
            .map(|r| h.model.route_state(&table, r))
            .collect();
        assert_eq!(
            states,
            [
                RouteState::Active,
                RouteState::Blackhole,
                RouteState::Blackhole
            ]
        );
    }

    #[test]
    fn ipv6_blocks_subnets_and_routes() {
        use crate::ec2::route_table::{RouteDestination, RouteSpec, RouteTarget};
        use crate::ec2::vpc::VpcCidrAssociation;
        let mut h = Harness::new(false);
        let create = |ipv6: bool| {
            Command::CreateVpc(CreateVpc {
                cidr_block: Some("10.0.0.0/16".into()),
                amazon_provided_ipv6_cidr_block: ipv6,
                ..CreateVpc::default()
            })
        };
        let Outcome::Vpc(a) = h.run(create(true)).unwrap() else {
            panic!()
        };
        let Outcome::Vpc(b) = h.run(create(true)).unwrap() else {
            panic!()
        };
        let block = |v: &Vpc| v.ipv6_associations[0].cidr.to_string();
        assert_eq!(block(&a), "2001:db8::/56");
        assert_eq!(block(&b), "2001:db8:0:100::/56");
        assert_eq!(a.ipv6_associations[0].pool, "Amazon");
        assert_eq!(
            a.ipv6_associations[0].network_border_group,
            "ap-northeast-1"
        );
        // Companions: local route, default ACL IPv6 rules, default group ::/0 egress.
        let main = h.model.main_route_table(&a.id).unwrap().clone();
        let v6 = |s: &str| RouteDestination::Ipv6(s.parse().unwrap());
        assert!(
            main.routes
                .iter()
                .any(|r| r.destination == v6("2001:db8::/56") && r.target == RouteTarget::Local)
        );
        let acl = &h.model.network_acls[&a.default_network_acl_id];
        let rules: Vec<u16> = acl.entries.iter().map(|e| e.rule_number).collect();
        assert_eq!(rules, [100, 101, 32767, 32768, 100, 101, 32767, 32768]);
        let sg = &h.model.security_groups[&a.default_security_group_id];
        assert!(
            sg.egress
                .iter()
                .any(|r| r.peer == crate::SgPeer::Cidr6(Default::default()))
        );
        // Subnets: /64 inside, no overlap, one block each.
        let subnet = |cidr: &str, v6: Option<&str>| {
            Command::CreateSubnet(CreateSubnet {
                vpc_id: a.id.clone(),
                cidr_block: Some(cidr.into()),
                availability_zone: Some("ap-northeast-1a".into()),
                availability_zone_id: None,
                ipv6_cidr_block: v6.map(Into::into),
                ipv6_native: false,
                tag_specifications: Vec::new(),
            })
        };
        let Outcome::Subnet(s1) = h
            .run(subnet("10.0.1.0/24", Some("2001:db8:0:1::/64")))
            .unwrap()
        else {
            panic!()
        };
        let code = |h: &mut Harness, c| h.run(c).unwrap_err().code();
        assert_eq!(
            code(&mut h, subnet("10.0.2.0/24", Some("2001:db8:0:1::/64"))),
            "InvalidSubnet.Conflict"
        );
        assert_eq!(
            code(&mut h, subnet("10.0.2.0/24", Some("2001:db8:0:100::/64"))),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            code(&mut h, subnet("10.0.2.0/24", Some("2001:db8:0:2::/65"))),
            "InvalidSubnet.Range"
        );
        let Outcome::Subnet(s2) = h.run(subnet("10.0.2.0/24", None)).unwrap() else {
            panic!()
        };
        let assoc = |id: &SubnetId, c: &str| Command::AssociateSubnetCidrBlock {
            subnet_id: id.clone(),
            ipv6_cidr_block: c.into(),
        };
        assert_eq!(
            code(&mut h, assoc(&s1.id, "2001:db8:0:3::/64")),
            "InvalidParameterValue"
        );
        let Outcome::SubnetIpv6Association { association, .. } =
            h.run(assoc(&s2.id, "2001:db8:0:2::/64")).unwrap()
        else {
            panic!()
        };
        h.run(Command::ModifySubnetAttribute {
            subnet_id: s2.id.clone(),
            attribute: crate::SubnetAttribute::AssignIpv6AddressOnCreation(true),
        })
        .unwrap();
        // The VPC block cannot go while subnets use it.
        let vpc_assoc = a.ipv6_associations[0].id.clone();
        assert_eq!(
            code(
                &mut h,
                Command::DisassociateVpcCidrBlock {
                    association_id: vpc_assoc.clone()
                }
            ),
            "DependencyViolation"
        );
        // Routes: IPv6 destinations, LPM per family.
        let igw = match h
            .run(Command::CreateInternetGateway {
                tag_specifications: Vec::new(),
            })
            .unwrap()
        {
            Outcome::InternetGateway(g) => g,
            o => panic!("{o:?}"),
        };
        h.run(Command::AttachInternetGateway {
            internet_gateway_id: igw.id.clone(),
            vpc_id: a.id.clone(),
        })
        .unwrap();
        let route = |d: RouteDestination| Command::CreateRoute {
            route_table_id: main.id.clone(),
            route: RouteSpec {
                destination: d,
                target: RouteTarget::InternetGateway(igw.id.clone()),
            },
        };
        h.run(route(v6("::/0"))).unwrap();
        assert_eq!(code(&mut h, route(v6("::/0"))), "RouteAlreadyExists");
        assert_eq!(
            code(&mut h, route(v6("2001:db8:0:1::/64"))),
            "InvalidParameterValue"
        );
        assert_eq!(
            code(&mut h, route(v6("fd00:ec2::/48"))),
            "InvalidParameterValue"
        );
        let table = h.model.main_route_table(&a.id).unwrap().clone();
        let hit = |h: &Harness, ip: &str| {
            h.model
                .lookup_route(&table, ip.parse().unwrap(), |_| Vec::new())
                .map(|(r, c)| (r.target, c.to_string()))
        };
        assert_eq!(
            hit(&h, "2001:db8:0:1::10"),
            Some((RouteTarget::Local, "2001:db8::/56".into()))
        );
        assert_eq!(
            hit(&h, "2600::1"),
            Some((RouteTarget::InternetGateway(igw.id.clone()), "::/0".into()))
        );
        // No IPv4 default route: 0.0.0.0/0 is not ::/0.
        assert_eq!(hit(&h, "8.8.8.8"), None);
        h.run(Command::DeleteRoute {
            route_table_id: main.id.clone(),
            destination: v6("::/0"),
        })
        .unwrap();
        assert_eq!(
            code(
                &mut h,
                Command::DeleteRoute {
                    route_table_id: main.id.clone(),
                    destination: v6("::/0"),
                }
            ),
            "InvalidRoute.NotFound"
        );
        // Subnet blocks go, then the VPC block and its local routes.
        for id in [association.id, s1.ipv6_association.clone().unwrap().id] {
            h.run(Command::DisassociateSubnetCidrBlock { association_id: id })
                .unwrap();
        }
        assert!(!h.model.subnets[&s2.id].assign_ipv6_address_on_creation);
        let Outcome::CidrAssociation {
            association: VpcCidrAssociation::V6(gone),
            ..
        } = h
            .run(Command::DisassociateVpcCidrBlock {
                association_id: vpc_assoc,
            })
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(gone.state, crate::CidrBlockState::Disassociated);
        let main = h.model.main_route_table(&a.id).unwrap();
        assert!(!main.routes.iter().any(|r| r.destination.is_ipv6()));
        // The freed block is handed out again, lowest first.
        let Outcome::CidrAssociation {
            association: VpcCidrAssociation::V6(again),
            ..
        } = h
            .run(Command::AssociateVpcIpv6CidrBlock {
                vpc_id: b.id.clone(),
                network_border_group: None,
            })
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(again.cidr.to_string(), "2001:db8::/56");
        assert_eq!(
            code(
                &mut h,
                Command::AssociateVpcIpv6CidrBlock {
                    vpc_id: b.id.clone(),
                    network_border_group: Some("us-east-1-wl1".into()),
                }
            ),
            "InvalidParameterValue"
        );
    }

    #[test]
    fn prefix_list_routes_lose_ties_to_cidr_routes() {
        use crate::ec2::route_table::{Route, RouteDestination, RouteOrigin, RouteTarget};
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let mut table = h.model.route_tables
            [&h.model.main_route_table(&vpc.id).unwrap().id.clone()]
            .as_ref()
            .clone();
        let igw = crate::id::InternetGatewayId::parse("igw-00000000000000099").unwrap();
        table.routes.push(Route {
            destination: RouteDestination::PrefixList("pl-61a54008".into()),
            target: RouteTarget::InternetGateway(igw.clone()),
            origin: RouteOrigin::CreateRoute,
        });
        table.routes.push(Route {
            destination: RouteDestination::Ipv4("52.219.0.0/20".parse().unwrap()),
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRoute,
        });
        let lists = |id: &str| {
            if id == "pl-61a54008" {
                vec![
                    "52.219.0.0/20".parse().unwrap(),
                    "3.5.0.0/16".parse().unwrap(),
                ]
            } else {
                vec![]
            }
        };
        let (r, _) = h
            .model
            .lookup_route(&table, "52.219.1.1".parse().unwrap(), lists)
            .unwrap();
        assert_eq!(
            r.destination,
            RouteDestination::Ipv4("52.219.0.0/20".parse().unwrap())
        );
        let (r, matched) = h
            .model
            .lookup_route(&table, "3.5.1.1".parse().unwrap(), lists)
            .unwrap();
        assert_eq!(
            r.destination,
            RouteDestination::PrefixList("pl-61a54008".into())
        );
        assert_eq!(matched.to_string(), "3.5.0.0/16");
        assert!(
            h.model
                .lookup_route(&table, "8.8.8.8".parse().unwrap(), lists)
                .is_none()
        );
    }

    #[test]
    fn associations_move_and_protect_the_main_table() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let main_id = h.model.main_route_table(&vpc.id).unwrap().id.clone();
        let s = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
        let Outcome::RouteTable(custom) = h
            .run(Command::CreateRouteTable {
                vpc_id: vpc.id.clone(),
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(h.model.route_table_for_subnet(&s.id).unwrap().id, main_id);
        let assoc = |t: &RouteTableId| Command::AssociateRouteTable {
            route_table_id: t.clone(),
            subnet_id: Some(s.id.clone()),
            gateway_id: None,
        };
        let Outcome::RouteTableAssociation(a) = h.run(assoc(&custom.id)).unwrap() else {
            panic!()
        };
        assert_eq!(h.model.route_table_for_subnet(&s.id).unwrap().id, custom.id);
        assert_eq!(
            h.run(assoc(&main_id)).unwrap_err().code(),
            "Resource.AlreadyAssociated"
        );
        let del = Command::DeleteRouteTable {
            route_table_id: custom.id.clone(),
        };
        assert_eq!(
            h.run(del.clone()).unwrap_err().code(),
            "DependencyViolation"
        );
        // Make the custom table the main one, then the old main can go.
        let main_assoc = h.model.route_tables[&main_id].associations[0]
            .id
            .to_string();
        let cmd = Command::DisassociateRouteTable {
            association_id: main_assoc.clone(),
        };
        assert_eq!(h.run(cmd).unwrap_err().code(), "InvalidParameterValue");
        h.run(Command::ReplaceRouteTableAssociation {
            association_id: main_assoc,
            route_table_id: custom.id.clone(),
        })
        .unwrap();
        assert!(h.model.route_tables[&custom.id].is_main());
        h.run(Command::DeleteRouteTable {
            route_table_id: main_id.clone(),
        })
        .unwrap();
        h.run(Command::DisassociateRouteTable {
            association_id: a.to_string(),
        })
        .unwrap();
        assert_eq!(h.model.route_table_for_subnet(&s.id).unwrap().id, custom.id);
    }

    #[test]
    fn interfaces_take_free_usable_addresses_and_block_deletes() {
        use crate::ec2::network_interface::{
            CreateNetworkInterface, ManagedInterface, NetworkInterfaceAttribute,
        };
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let s = h.subnet(&vpc.id, "10.0.1.0/28", "ap-northeast-1a").unwrap();
        let create = |ip: Option<&str>| {
            Command::CreateNetworkInterface(CreateNetworkInterface {
                subnet_id: Some(s.id.clone()),
                private_ip: ip.map(|i| i.parse().unwrap()),
                ..Default::default()
            })
        };
        let Outcome::NetworkInterface(first) = h.run(create(None)).unwrap() else {
            panic!()
        };
        assert_eq!(first.private_ip.to_string(), "10.0.1.4");
        assert_eq!(first.groups, vec![vpc.default_security_group_id.clone()]);
        assert_eq!(
            h.run(create(Some("10.0.1.4"))).unwrap_err().code(),
            "InvalidIPAddress.InUse"
        );
        for reserved in [
            "10.0.1.0",
            "10.0.1.1",
            "10.0.1.2",
            "10.0.1.3",
            "10.0.1.15",
            "10.0.2.4",
        ] {
            assert_eq!(
                h.run(create(Some(reserved))).unwrap_err().code(),
                "InvalidParameterValue",
                "{reserved}"
            );
        }
        assert_eq!(h.model.available_ip_count(&h.model.subnets[&s.id]), 10);
        for _ in 0..10 {
            h.run(create(None)).unwrap();
        }
        assert_eq!(
            h.run(create(None)).unwrap_err().code(),
            "InsufficientFreeAddressesInSubnet"
        );
        assert_eq!(
            h.run(Command::DeleteSubnet {
                subnet_id: s.id.clone()
            })
            .unwrap_err()
            .code(),
            "DependencyViolation"
        );
        let del_sg = Command::DeleteSecurityGroup {
            group: crate::GroupRef::Id(vpc.default_security_group_id.clone()),
        };
        assert_eq!(h.run(del_sg).unwrap_err().code(), "CannotDelete");
        // A managed interface is visible but not the user's to change.
        h.run(Command::DeleteNetworkInterface {
            network_interface_id: first.id.clone(),
        })
        .unwrap();
        let scope = h.scope.clone();
        let catalog = h.catalog.clone();
        let mut ctx = crate::txn::Ctx {
            scope: &scope,
            now: Timestamp(0),
            ids: &mut h.ids,
            catalog: &catalog,
        };
        let mut next = h.model.clone();
        let mut txn = crate::txn::Txn::new(&mut next, &mut ctx);
        let managed = txn
            .create_managed_interface(ManagedInterface {
                subnet_id: &s.id,
                ip: None,
                groups: vec![],
                description: "VPC Endpoint Interface vpce-1".into(),
                interface_type: "vpc_endpoint",
                requester_id: "727180483921",
                source_dest_check: true,
            })
            .unwrap();
        assert_eq!(managed.private_ip.to_string(), "10.0.1.4");
        h.model = next;
        let err = h
            .run(Command::DeleteNetworkInterface {
                network_interface_id: managed.id.clone(),
            })
            .unwrap_err();
        assert_eq!(err.code(), "OperationNotPermitted");
        let modify = Command::ModifyNetworkInterfaceAttribute {
            network_interface_id: managed.id,
            attribute: NetworkInterfaceAttribute::SourceDestCheck(false),
        };
        assert_eq!(h.run(modify).unwrap_err().code(), "OperationNotPermitted");
    }

    #[test]
    fn peering_needs_the_peer_owner_and_disjoint_blocks() {
        use crate::ec2::vpc_peering::{CreateVpcPeering, PeeringStatus};
        let mut h = Harness::new(false);
        let a = h.vpc("10.0.0.0/16");
        let hub_scope = h.scope.clone();
        let member = Scope::new(AccountId::parse("222222222222").unwrap(), "ap-northeast-1");
        h.scope = member.clone();
        h.run(Command::EnsureScope { default_vpc: false }).unwrap();
        let b = h.vpc("10.1.0.0/16");
        let c = h.vpc("10.0.0.0/24");
        let request = |vpc: &Vpc| {
            Command::CreateVpcPeeringConnection(CreateVpcPeering {
                vpc_id: vpc.id.clone(),
                peer_vpc_id: a.id.clone(),
                peer_owner: Some(AccountId::default_account()),
                peer_region: None,
                tag_specifications: vec![],
            })
        };
        let Outcome::VpcPeeringConnection(p) = h.run(request(&b)).unwrap() else {
            panic!()
        };
        assert_eq!(p.status, PeeringStatus::PendingAcceptance);
        assert_eq!(
            h.run(request(&b)).unwrap_err().code(),
            "VpcPeeringConnectionAlreadyExists"
        );
        let Outcome::VpcPeeringConnection(overlap) = h.run(request(&c)).unwrap() else {
            panic!()
        };
        assert_eq!(overlap.status, PeeringStatus::Failed);
        // Only the accepter may accept.
        let accept = Command::AcceptVpcPeeringConnection { id: p.id.clone() };
        assert_eq!(
            h.run(accept.clone()).unwrap_err().code(),
            "OperationNotPermitted"
        );
        h.scope = hub_scope.clone();
        assert!(h.model.vpc_peering(&hub_scope, &p.id).is_ok());
        h.run(accept.clone()).unwrap();
        assert!(h.model.peered(&a.id, &b.id));
        assert_eq!(h.run(accept).unwrap_err().code(), "InvalidStateTransition");
        // An outsider sees nothing.
        let outsider = Scope::new(AccountId::parse("333333333333").unwrap(), "ap-northeast-1");
        assert!(h.model.vpc_peering(&outsider, &p.id).is_err());
        // Deleting a peered VPC deletes the connection.
        h.run(Command::DeleteVpc {
            vpc_id: a.id.clone(),
        })
        .unwrap();
        assert_eq!(
            h.model.vpc_peering_connections[&p.id].status,
            PeeringStatus::Deleted
        );
    }

    #[test]
    fn vpn_connections_on_a_transit_gateway_are_vpn_attachments() {
        use crate::ec2::transit_gateway::{AttachmentState, TransitGatewayOptions};
        use crate::ec2::vpn::VpnTarget;
        let mut h = Harness::new(false);
        let Outcome::TransitGateway(tgw) = h
            .run(Command::CreateTransitGateway {
                description: "hub".into(),
                options: TransitGatewayOptions::default(),
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let rtb = tgw
            .options
            .association_default_route_table_id
            .clone()
            .unwrap();
        let Outcome::CustomerGateway(cgw) = h
            .run(Command::CreateCustomerGateway {
                bgp_asn: 65000,
                ip_address: "198.51.100.1".parse().unwrap(),
                device_name: None,
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let Outcome::VpnConnection(vpn) = h
            .run(Command::CreateVpnConnection {
                customer_gateway_id: cgw.id.clone(),
                target: VpnTarget::TransitGateway(tgw.id.clone()),
                static_routes_only: true,
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let att_id = vpn.transit_gateway_attachment_id.clone().unwrap();
        let att = h.model.transit_gateway_attachments[&att_id].clone();
        assert_eq!(
            (att.resource_type(), att.resource_id(), att.state),
            ("vpn", vpn.id.as_str(), AttachmentState::Available)
        );
        assert_eq!(att.association.as_ref(), Some(&rtb));
        assert_eq!(att.propagations, vec![rtb.clone()]);
        // Static routes go in the transit gateway route table, not on the connection.
        let route = Command::SetVpnConnectionRoute {
            id: vpn.id.clone(),
            cidr: "192.168.0.0/16".parse().unwrap(),
            present: true,
        };
        assert_eq!(
            h.run(route).unwrap_err().code(),
            "InvalidVpnConnection.InvalidType"
        );
        h.run(Command::CreateTransitGatewayRoute {
            table: rtb.clone(),
            destination: "192.168.0.0/16".parse().unwrap(),
            attachment: Some(att_id.clone()),
        })
        .unwrap();
        let table = h.model.transit_gateway_route_tables[&rtb].clone();
        let hit = h
            .model
            .tgw_lookup(&table, "192.168.1.1".parse().unwrap())
            .unwrap();
        assert_eq!((hit.attachment.as_ref(), hit.active), (Some(&att_id), true));
        // The VPC-attachment calls do not see it; the gateway cannot go while it lives.
        assert!(
            h.run(Command::DeleteTransitGatewayVpcAttachment { id: att_id.clone() })
                .unwrap_err()
                .is_not_found()
        );
        assert_eq!(
            h.run(Command::DeleteTransitGateway { id: tgw.id.clone() })
                .unwrap_err()
                .code(),
            "IncorrectState"
        );
        h.run(Command::DeleteVpnConnection { id: vpn.id }).unwrap();
        let att = &h.model.transit_gateway_attachments[&att_id];
        assert_eq!(att.state, AttachmentState::Deleted);
        assert!(att.association.is_none() && att.propagations.is_empty());
        let table = h.model.transit_gateway_route_tables[&rtb].clone();
        let hit = h
            .model
            .tgw_lookup(&table, "192.168.1.1".parse().unwrap())
            .unwrap();
        assert!(!hit.active);
        h.run(Command::DeleteTransitGateway { id: tgw.id }).unwrap();
    }

    #[test]
    fn interfaces_take_lowest_free_ipv6_addresses() {
        let mut h = Harness::new(false);
        let Outcome::Vpc(vpc) = h
            .run(Command::CreateVpc(CreateVpc {
                cidr_block: Some("10.0.0.0/16".into()),
                amazon_provided_ipv6_cidr_block: true,
                ..CreateVpc::default()
            }))
            .unwrap()
        else {
            panic!()
        };
        let Outcome::Subnet(s) = h
            .run(Command::CreateSubnet(CreateSubnet {
                vpc_id: vpc.id.clone(),
                cidr_block: Some("10.0.1.0/24".into()),
                availability_zone: Some("ap-northeast-1a".into()),
                availability_zone_id: None,
                ipv6_cidr_block: Some("2001:db8:0:1::/64".into()),
                ipv6_native: false,
                tag_specifications: Vec::new(),
            }))
            .unwrap()
        else {
            panic!()
        };
        let create = |addresses: &[&str], count: Option<u32>| {
            Command::CreateNetworkInterface(crate::CreateNetworkInterface {
                subnet_id: Some(s.id.clone()),
                ipv6_addresses: addresses.iter().map(|a| a.parse().unwrap()).collect(),
                ipv6_count: count,
                ..Default::default()
            })
        };
        let v6 = |o: Outcome| match o {
            Outcome::NetworkInterface(e) => e
                .ipv6_addresses
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            o => panic!("{o:?}"),
        };
        assert_eq!(
            v6(h.run(create(&[], Some(2))).unwrap()),
            ["2001:db8:0:1::4", "2001:db8:0:1::5"]
        );
        assert_eq!(
            v6(h.run(create(&["2001:db8:0:1::6"], None)).unwrap()),
            ["2001:db8:0:1::6"]
        );
        assert_eq!(
            v6(h.run(create(&[], Some(1))).unwrap()),
            ["2001:db8:0:1::7"]
        );
        let code = |h: &mut Harness, c| h.run(c).unwrap_err().code();
        assert_eq!(
            code(&mut h, create(&["2001:db8:0:1::6"], None)),
            "InvalidIPAddress.InUse"
        );
        for reserved in [
            "2001:db8:0:1::",
            "2001:db8:0:1::3",
            "2001:db8:0:1:ffff:ffff:ffff:ffff",
        ] {
            assert_eq!(
                code(&mut h, create(&[reserved], None)),
                "InvalidParameterValue"
            );
        }
        assert_eq!(
            code(&mut h, create(&["2001:db8:0:2::9"], None)),
            "InvalidParameterValue"
        );
        assert_eq!(
            code(&mut h, create(&["2001:db8:0:1::9"], Some(1))),
            "InvalidParameterCombination"
        );
        // Without a count or addresses, the subnet's AssignIpv6AddressOnCreation decides.
        assert!(v6(h.run(create(&[], None)).unwrap()).is_empty());
        h.run(Command::ModifySubnetAttribute {
            subnet_id: s.id.clone(),
            attribute: crate::SubnetAttribute::AssignIpv6AddressOnCreation(true),
        })
        .unwrap();
        assert_eq!(v6(h.run(create(&[], None)).unwrap()), ["2001:db8:0:1::8"]);
    }

    #[test]
    fn transit_gateway_defaults_acceptance_and_lookup() {
        use crate::ec2::transit_gateway::{
            AttachmentState, CreateTgwVpcAttachment, TransitGatewayOptions,
        };
        let mut h = Harness::new(false);
        let Outcome::TransitGateway(tgw) = h
            .run(Command::CreateTransitGateway {
                description: "hub".into(),
                options: TransitGatewayOptions::default(),
                tag_specifications: vec![],
            })
            .unwrap()
        else {
            panic!()
        };
        let rtb = tgw
            .options
            .association_default_route_table_id
            .clone()
            .unwrap();
        let hub = h.vpc("10.0.0.0/16");
        let hs = h.subnet(&hub.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
        let attach = |vpc: &Vpc, subnets: Vec<SubnetId>| {
            Command::CreateTransitGatewayVpcAttachment(CreateTgwVpcAttachment {
                transit_gateway_id: tgw.id.clone(),
                vpc_id: vpc.id.clone(),
                subnet_ids: subnets,
                dns_support: true,
                tag_specifications: vec![],
            })
        };
        let Outcome::TransitGatewayAttachment(a) =
            h.run(attach(&hub, vec![hs.id.clone()])).unwrap()
        else {
            panic!()
        };
        assert_eq!(a.state, AttachmentState::Available);
        assert_eq!(a.association.as_ref(), Some(&rtb));
        let err = h.run(attach(&hub, vec![hs.id.clone()])).unwrap_err();
        assert_eq!(err.code(), "DuplicateTransitGatewayAttachment");
        assert_eq!(
            err.to_string(),
            format!(
                "{} has non-deleted Transit Gateway Attachments with same VPC ID.",
                tgw.id
            )
        );
        // Another account's attachment waits for the owner.
        let owner = h.scope.clone();
        h.scope = Scope::new(AccountId::parse("222222222222").unwrap(), "ap-northeast-1");
        h.run(Command::EnsureScope { default_vpc: false }).unwrap();
        let spoke = h.vpc("10.1.0.0/16");
        let s1 = h
            .subnet(&spoke.id, "10.1.1.0/24", "ap-northeast-1a")
            .unwrap();
        let s2 = h
            .subnet(&spoke.id, "10.1.2.0/24", "ap-northeast-1a")
            .unwrap();
        let err = h
            .run(attach(&spoke, vec![s1.id.clone(), s2.id.clone()]))
            .unwrap_err();
        assert_eq!(err.code(), "DuplicateSubnetsInSameZone");
        let Outcome::TransitGatewayAttachment(b) =
            h.run(attach(&spoke, vec![s1.id.clone()])).unwrap()
        else {
            panic!()
        };
        assert_eq!(b.state, AttachmentState::PendingAcceptance);
        let accept = Command::AcceptTransitGatewayVpcAttachment { id: b.id.clone() };
        assert_eq!(
            h.run(accept.clone()).unwrap_err().code(),
            "OperationNotPermitted"
        );
        h.scope = owner;
        h.run(accept).unwrap();
        let table = h.model.transit_gateway_route_tables[&rtb].as_ref().clone();
        let hop = h
            .model
            .tgw_lookup(&table, "10.1.1.9".parse().unwrap())
            .unwrap();
        assert!(hop.propagated && hop.active);
        assert_eq!(hop.attachment.as_ref(), Some(&b.id));
        let blackhole = Command::CreateTransitGatewayRoute {
            table: rtb.clone(),
            destination: "10.1.1.0/24".parse().unwrap(),
            attachment: None,
        };
        h.run(blackhole).unwrap();
        let table = h.model.transit_gateway_route_tables[&rtb].as_ref().clone();
        let hop = h
            .model
            .tgw_lookup(&table, "10.1.1.9".parse().unwrap())
            .unwrap();
        assert!(!hop.active && !hop.propagated);
        assert_eq!(
            h.run(Command::DeleteTransitGateway { id: tgw.id.clone() })
                .unwrap_err()
                .code(),
            "IncorrectState"
        );
    }

    #[test]
    fn reset_clears_everything() {
        let mut h = Harness::new(true);
        h.run(Command::Reset).unwrap();
        assert_eq!(h.model, Model::default());
    }

    #[test]
    fn create_default_subnet_fills_a_zone_of_the_default_vpc() {
        use crate::ec2::subnet::CreateDefaultSubnet;
        let in_zone = |az: &str| {
            Command::CreateDefaultSubnet(CreateDefaultSubnet {
                availability_zone: Some(az.into()),
                ..CreateDefaultSubnet::default()
            })
        };
        let mut without = Harness::new(false);
        let err = without.run(in_zone("ap-northeast-1a")).unwrap_err();
        assert_eq!(err.code(), "DefaultVpcDoesNotExist");

        let mut h = Harness::new(true);
        let err = h.run(in_zone("ap-northeast-1a")).unwrap_err();
        assert_eq!(err.code(), "DefaultSubnetAlreadyExistsInAvailabilityZone");
        let err = h.run(in_zone("ap-northeast-1z")).unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        let c = h
            .model
            .subnets(&h.scope)
            .find(|s| s.availability_zone == "ap-northeast-1c")
            .unwrap()
            .id
            .clone();
        h.run(Command::DeleteSubnet { subnet_id: c }).unwrap();
        // The lowest free /20 of the default VPC's block, default for its zone.
        let Ok(Outcome::Subnet(s)) = h.run(in_zone("ap-northeast-1c")) else {
            panic!("no subnet")
        };
        assert_eq!(s.cidr_block.to_string(), "172.31.16.0/20");
        assert!(s.default_for_az && s.map_public_ip_on_launch);
        let ipv6_only = Command::CreateDefaultSubnet(CreateDefaultSubnet {
            availability_zone_id: Some("apne1-az4".into()),
            ipv6_native: true,
            ..CreateDefaultSubnet::default()
        });
        // The zone's default subnet exists: AWS's refusal before "not emulated".
        assert_eq!(
            h.run(ipv6_only).unwrap_err().code(),
            "DefaultSubnetAlreadyExistsInAvailabilityZone"
        );
    }

    #[test]
    fn vpc_tenancy_changes_to_default_only() {
        let mut h = Harness::new(false);
        let Ok(Outcome::Vpc(vpc)) = h.run(Command::CreateVpc(CreateVpc {
            cidr_block: Some("10.0.0.0/16".into()),
            instance_tenancy: Some("dedicated".into()),
            ..CreateVpc::default()
        })) else {
            panic!("no vpc")
        };
        let to = |t: &str| Command::ModifyVpcTenancy {
            vpc_id: vpc.id.clone(),
            instance_tenancy: t.into(),
        };
        assert_eq!(
            h.run(to("dedicated")).unwrap_err().code(),
            "InvalidParameterValue"
        );
        h.run(to("default")).unwrap();
        assert_eq!(
            h.model.vpc(&h.scope, &vpc.id).unwrap().instance_tenancy,
            "default"
        );
        h.run(to("default")).unwrap();
    }

    #[test]
    fn ipv6_native_subnets_get_aws_checks_before_the_refusal() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let ipv6_only = |az: &str, block: &str| {
            Command::CreateSubnet(CreateSubnet {
                vpc_id: vpc.id.clone(),
                cidr_block: None,
                availability_zone: Some(az.into()),
                availability_zone_id: None,
                ipv6_cidr_block: Some(block.into()),
                ipv6_native: true,
                tag_specifications: Vec::new(),
            })
        };
        // The VPC has no IPv6 block: the block is out of range, as for a dual-stack subnet.
        let err = h
            .run(ipv6_only("ap-northeast-1a", "2001:db8::/64"))
            .unwrap_err();
        assert_eq!(err.code(), "InvalidSubnet.Range");
        let err = h
            .run(ipv6_only("ap-northeast-1z", "2001:db8::/64"))
            .unwrap_err();
        assert_eq!(err.code(), "InvalidParameterValue");
        assert!(err.to_string().contains("availabilityZone"), "{err}");
    }
}
