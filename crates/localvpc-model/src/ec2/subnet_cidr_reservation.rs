//! Subnet CIDR reservations: ranges of a subnet's IPv4 or IPv6 block set aside. AWS never
//! picks an address of an `explicit` reservation on its own (only addresses named in a
//! request land there); `prefix` reservations are for prefix delegation, which localvpc does
//! not emulate, so automatic assignment skips them as well (docs/aws-choices.md).

use crate::cidr::{self, Ipv4Cidr, Ipv6Cidr};
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::error::ModelError;
use crate::id::{ResourceKind, SubnetCidrReservationId, SubnetId, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetCidrReservation {
    pub id: SubnetCidrReservationId,
    pub scope: Scope,
    pub subnet_id: SubnetId,
    /// The subnet's VPC (the membership index finds a subnet's reservations through it).
    pub vpc_id: VpcId,
    pub cidr: ReservedCidr,
    pub reservation_type: ReservationType,
    pub description: String,
    pub tags: Tags,
}

/// The range reserved: part of the subnet's IPv4 block or of its IPv6 block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReservedCidr {
    V4(Ipv4Cidr),
    V6(Ipv6Cidr),
}

impl std::fmt::Display for ReservedCidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::V4(c) => c.fmt(f),
            Self::V6(c) => c.fmt(f),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReservationType {
    /// AWS assigns the range's addresses, as delegated prefixes.
    Prefix,
    /// The user assigns the range's addresses, by naming them.
    Explicit,
}

impl ReservationType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prefix => "prefix",
            Self::Explicit => "explicit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "prefix" => Some(Self::Prefix),
            "explicit" => Some(Self::Explicit),
            _ => None,
        }
    }
}

/// CreateSubnetCidrReservation's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSubnetCidrReservation {
    pub subnet_id: SubnetId,
    pub cidr: String,
    pub reservation_type: ReservationType,
    pub description: Option<String>,
    pub tag_specifications: Vec<TagSpecification>,
}

impl Model {
    /// The reservations of a subnet, in id order (through its VPC's membership index).
    pub fn subnet_cidr_reservations<'a>(
        &'a self,
        subnet: &'a Subnet,
    ) -> impl Iterator<Item = &'a SubnetCidrReservation> + 'a {
        self.members_of::<SubnetCidrReservation>(
            &subnet.vpc_id,
            ResourceKind::SubnetCidrReservation,
            |id| SubnetCidrReservationId::parse(id).ok(),
        )
        .filter(move |r| r.subnet_id == subnet.id)
    }

    /// The IPv4 ranges automatic assignment must leave alone.
    pub(crate) fn reserved_v4(&self, subnet: &Subnet) -> Vec<Ipv4Cidr> {
        self.subnet_cidr_reservations(subnet)
            .filter_map(|r| match r.cidr {
                ReservedCidr::V4(c) => Some(c),
                ReservedCidr::V6(_) => None,
            })
            .collect()
    }

    /// The IPv6 ranges automatic assignment must leave alone.
    pub(crate) fn reserved_v6(&self, subnet: &Subnet) -> Vec<Ipv6Cidr> {
        self.subnet_cidr_reservations(subnet)
            .filter_map(|r| match r.cidr {
                ReservedCidr::V6(c) => Some(c),
                ReservedCidr::V4(_) => None,
            })
            .collect()
    }
}

impl Model {
    /// How many addresses automatic assignment can still hand out: the available ones less
    /// the free usable addresses of the subnet's IPv4 reservations (which never overlap).
    pub fn assignable_ip_count(&self, subnet: &Subnet) -> u64 {
        let used = self.used_addresses(&subnet.id);
        let block = &subnet.cidr_block;
        let reserved_free: u64 = self
            .reserved_v4(subnet)
            .iter()
            .map(|range| {
                // The subnet's own reserved addresses (first four, last) are not counted twice.
                let first = u32::from(range.network()).max(u32::from(block.network()) + 4);
                let last = u32::from(range.broadcast()).min(u32::from(block.broadcast()) - 1);
                let usable = u64::from(last.saturating_sub(first)) + u64::from(first <= last);
                let taken = used.iter().filter(|ip| range.contains(*ip)).count() as u64;
                usable.saturating_sub(taken)
            })
            .sum();
        self.available_ip_count(subnet)
            .saturating_sub(reserved_free)
    }
}

impl Txn<'_, '_> {
    /// CreateSubnetCidrReservation: a range inside the subnet's IPv4 (or IPv6) block that
    /// overlaps none of the subnet's other reservations.
    pub(crate) fn create_subnet_cidr_reservation(
        &mut self,
        input: &CreateSubnetCidrReservation,
    ) -> Result<SubnetCidrReservation, ModelError> {
        let subnet = self
            .model
            .get::<Subnet>(self.ctx.scope, &input.subnet_id)?
            .clone();
        let text = input.cidr.as_str();
        let cidr = if text.contains(':') {
            let c = cidr::parse_ipv6_cidr(text, "cidr")?;
            if !subnet.ipv6_cidr().is_some_and(|block| block.contains(&c)) {
                return Err(ModelError::invalid_value(format!(
                    "The CIDR {text} is not within the IPv6 CIDR block of subnet {}",
                    subnet.id
                )));
            }
            ReservedCidr::V6(c)
        } else {
            let c = cidr::parse_ipv4_cidr(text, "cidr")?;
            if !subnet.cidr_block.contains(&c) {
                return Err(ModelError::invalid_value(format!(
                    "The CIDR {text} is not within the CIDR block {} of subnet {}",
                    subnet.cidr_block, subnet.id
                )));
            }
            ReservedCidr::V4(c)
        };
        let clash = self
            .model
            .subnet_cidr_reservations(&subnet)
            .find(|r| match (r.cidr, cidr) {
                (ReservedCidr::V4(a), ReservedCidr::V4(b)) => cidr::overlaps(&a, &b),
                (ReservedCidr::V6(a), ReservedCidr::V6(b)) => cidr::overlaps6(&a, &b),
                _ => false,
            });
        if let Some(other) = clash {
            return Err(ModelError::invalid_value(format!(
                "The CIDR {text} overlaps the subnet CIDR reservation {} ({})",
                other.id, other.cidr
            )));
        }
        let id = SubnetCidrReservationId::generate(self.ctx.ids);
        let tags = tags_for(
            &input.tag_specifications,
            "subnet-cidr-reservation",
            id.as_str(),
        )?;
        let reservation = SubnetCidrReservation {
            id,
            scope: self.ctx.scope.clone(),
            subnet_id: subnet.id.clone(),
            vpc_id: subnet.vpc_id.clone(),
            cidr,
            reservation_type: input.reservation_type,
            description: input.description.clone().unwrap_or_default(),
            tags,
        };
        self.put(Resource::SubnetCidrReservation(reservation.clone()));
        Ok(reservation)
    }

    /// DeleteSubnetCidrReservation: answers the reservation deleted.
    pub(crate) fn delete_subnet_cidr_reservation(
        &mut self,
        id: &SubnetCidrReservationId,
    ) -> Result<SubnetCidrReservation, ModelError> {
        let reservation = self
            .model
            .get::<SubnetCidrReservation>(self.ctx.scope, id)?
            .clone();
        self.delete(ResourceRef::SubnetCidrReservation(id.clone()));
        Ok(reservation)
    }

    /// Deletes a subnet's reservations (with the subnet).
    pub(crate) fn delete_reservations_of(&mut self, subnet: &Subnet) {
        let ids: Vec<_> = self
            .model
            .subnet_cidr_reservations(subnet)
            .map(|r| r.id.clone())
            .collect();
        for id in ids {
            self.delete(ResourceRef::SubnetCidrReservation(id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Outcome};
    use crate::ec2::instance::RunInstances;
    use crate::ec2::network_interface::CreateNetworkInterface;
    use crate::ec2::subnet::CreateSubnet;
    use crate::ec2::vpc::CreateVpc;
    use crate::testing::Harness;

    /// A scope with a 10.0.0.0/16 VPC (and its IPv6 block) and a /24 subnet in it.
    fn setup() -> (Harness, Subnet) {
        let mut h = Harness::new(false);
        let Ok(Outcome::Vpc(vpc)) = h.run(Command::CreateVpc(CreateVpc {
            cidr_block: Some("10.0.0.0/16".into()),
            amazon_provided_ipv6_cidr_block: true,
            ..CreateVpc::default()
        })) else {
            panic!("no vpc")
        };
        let block = vpc.ipv6_associations[0]
            .cidr
            .to_string()
            .replace("/56", "/64");
        let Ok(Outcome::Subnet(subnet)) = h.run(Command::CreateSubnet(CreateSubnet {
            vpc_id: vpc.id,
            cidr_block: Some("10.0.1.0/24".into()),
            availability_zone: Some("ap-northeast-1a".into()),
            availability_zone_id: None,
            ipv6_cidr_block: Some(block),
            ipv6_native: false,
            tag_specifications: Vec::new(),
        })) else {
            panic!("no subnet")
        };
        (h, subnet)
    }

    impl Harness {
        fn reserve(
            &mut self,
            subnet: &Subnet,
            cidr: &str,
            reservation_type: ReservationType,
        ) -> Result<SubnetCidrReservation, ModelError> {
            self.run(Command::CreateSubnetCidrReservation(
                CreateSubnetCidrReservation {
                    subnet_id: subnet.id.clone(),
                    cidr: cidr.into(),
                    reservation_type,
                    description: Some("kept".into()),
                    tag_specifications: Vec::new(),
                },
            ))
            .map(|o| match o {
                Outcome::SubnetCidrReservation(r) => r,
                o => panic!("{o:?}"),
            })
        }
    }

    #[test]
    fn reservations_are_validated_against_the_subnet_and_each_other() {
        let (mut h, subnet) = setup();
        let r = h
            .reserve(&subnet, "10.0.1.4/30", ReservationType::Explicit)
            .unwrap();
        assert!(r.id.as_str().starts_with("scr-"));
        assert_eq!(r.cidr.to_string(), "10.0.1.4/30");
        for (bad, why) in [
            ("10.0.2.0/28", "outside the subnet"),
            ("10.0.1.6/31", "overlaps"),
            ("10.0.1.0/33", "not a CIDR"),
            ("2001:db9::/120", "outside the IPv6 block"),
        ] {
            let err = h
                .reserve(&subnet, bad, ReservationType::Prefix)
                .unwrap_err();
            assert_eq!(err.code(), "InvalidParameterValue", "{why}");
        }
        let v6 = subnet.ipv6_cidr().unwrap().network();
        let v6_range = format!("{v6}/124");
        let r6 = h
            .reserve(&subnet, &v6_range, ReservationType::Prefix)
            .unwrap();
        assert!(matches!(r6.cidr, ReservedCidr::V6(_)));
        assert_eq!(h.model.subnet_cidr_reservations(&subnet).count(), 2);
        let Ok(Outcome::SubnetCidrReservation(deleted)) =
            h.run(Command::DeleteSubnetCidrReservation { id: r.id.clone() })
        else {
            panic!("not deleted")
        };
        assert_eq!(deleted, r);
        let err = h
            .run(Command::DeleteSubnetCidrReservation { id: r.id.clone() })
            .unwrap_err();
        assert_eq!(err.code(), "InvalidSubnetCidrReservationID.NotFound");
        // A subnet takes its reservations with it.
        h.run(Command::DeleteSubnet {
            subnet_id: subnet.id.clone(),
        })
        .unwrap();
        assert!(h.model.any::<SubnetCidrReservation>(&r6.id).is_none());
    }

    #[test]
    fn automatic_assignment_skips_reserved_ranges() {
        let (mut h, subnet) = setup();
        // .4–.7 explicit, .8–.15 prefix: the first automatic address is .16.
        h.reserve(&subnet, "10.0.1.4/30", ReservationType::Explicit)
            .unwrap();
        h.reserve(&subnet, "10.0.1.8/29", ReservationType::Prefix)
            .unwrap();
        let v6 = subnet.ipv6_cidr().unwrap().network();
        h.reserve(&subnet, &format!("{v6}/124"), ReservationType::Explicit)
            .unwrap();
        let auto = h
            .eni_with(CreateNetworkInterface {
                subnet_id: Some(subnet.id.clone()),
                secondary_count: 1,
                ipv6_count: Some(1),
                ..CreateNetworkInterface::default()
            })
            .unwrap();
        assert_eq!(auto.private_ip.to_string(), "10.0.1.16");
        assert_eq!(auto.secondary_ips[0].to_string(), "10.0.1.17");
        assert_eq!(
            auto.ipv6_addresses[0],
            std::net::Ipv6Addr::from(u128::from(v6) + 16)
        );
        // An address named in the request may lie in an explicit reservation.
        let named = h
            .eni_with(CreateNetworkInterface {
                subnet_id: Some(subnet.id.clone()),
                private_ip: Some("10.0.1.5".parse().unwrap()),
                ..CreateNetworkInterface::default()
            })
            .unwrap();
        assert_eq!(named.private_ip.to_string(), "10.0.1.5");
        // 251 usable − 2 interfaces' 3 addresses − 11 still-free reserved addresses.
        assert_eq!(h.model.available_ip_count(&subnet), 248);
        assert_eq!(h.model.assignable_ip_count(&subnet), 237);
        let run = |max_count| {
            Command::RunInstances(RunInstances {
                image_id: "ami-12345678".into(),
                instance_type: "t3.micro".into(),
                min_count: 1,
                max_count,
                subnet_id: Some(subnet.id.clone()),
                ipv6_count: Some(0),
                ..RunInstances::default()
            })
        };
        let Ok(Outcome::Instances(launched)) = h.run(run(300)) else {
            panic!("no instances")
        };
        assert_eq!(launched.len(), 237);
        assert!(
            launched
                .iter()
                .all(|i| !(4..16).contains(&i.private_ip.octets()[3]))
        );
        assert_eq!(
            h.run(run(1)).unwrap_err().code(),
            "InsufficientFreeAddressesInSubnet"
        );
    }
}
