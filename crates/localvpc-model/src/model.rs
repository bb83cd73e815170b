//! Reads over the whole state that several views share (tags, scopes, free addresses).

use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::Tags;
use crate::id::ResourceKind;
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
        for g in self.in_scope::<SecurityGroup>(scope) {
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
    use crate::ec2::route_table::RouteTable;
    use crate::ec2::subnet::CreateSubnet;
    use crate::ec2::vpc::{CreateVpc, Vpc};
    use crate::id::SubnetId;
    use crate::scope::AccountId;
    use crate::testing::Harness;

    #[test]
    fn other_scopes_see_nothing() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let other = Scope::new(AccountId::parse("111111111111").unwrap(), "ap-northeast-1");
        assert_eq!(
            h.model.get::<Vpc>(&other, &vpc.id).unwrap_err().code(),
            "InvalidVpcID.NotFound"
        );
        let tokyo_us = Scope::new(AccountId::default_account(), "us-east-1");
        assert!(h.model.in_scope::<Vpc>(&tokyo_us).next().is_none());
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
    fn reset_clears_everything() {
        let mut h = Harness::new(true);
        h.run(Command::Reset).unwrap();
        assert_eq!(h.model, Model::default());
    }
}
