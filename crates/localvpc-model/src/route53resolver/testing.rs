//! The unit tests' harness: a model in one scope, commands run and replayed.

use super::*;
pub(super) use super::{ResolverCommand, ResolverOutcome};
pub(super) use crate::command::{Command, Outcome};
pub(super) use crate::ec2::security_group::{CreateSecurityGroup, SecurityGroup};
use crate::ec2::subnet::Subnet;
pub(super) use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::Timestamp;

pub(super) use crate::testing::Harness;

/// The resolver tests' clock.
pub(super) fn harness() -> Harness {
    Harness::new(false).at(Timestamp(1_000))
}

impl Harness {
    pub(super) fn resolver(&mut self, c: ResolverCommand) -> Result<ResolverOutcome, ModelError> {
        match self.run(Command::Resolver(c))? {
            Outcome::Resolver(o) => Ok(o),
            o => panic!("{o:?}"),
        }
    }

    pub(super) fn group(&mut self, vpc: &Vpc, name: &str) -> SecurityGroup {
        match self
            .run(Command::CreateSecurityGroup(CreateSecurityGroup {
                group_name: name.into(),
                description: "dns".into(),
                vpc_id: Some(vpc.id.clone()),
                tag_specifications: Vec::new(),
            }))
            .unwrap()
        {
            Outcome::SecurityGroup(g) => g,
            o => panic!("{o:?}"),
        }
    }

    pub(super) fn endpoint(
        &mut self,
        request_id: &str,
        direction: &str,
        group: &SecurityGroup,
        ips: &[(&Subnet, Option<&str>)],
    ) -> Result<ResolverEndpoint, ModelError> {
        let input = CreateResolverEndpoint {
            creator_request_id: request_id.into(),
            name: Some("ep".into()),
            security_group_ids: vec![group.id.to_string()],
            direction: direction.into(),
            ip_addresses: ips
                .iter()
                .map(|(s, ip)| EndpointIpRequest {
                    subnet_id: Some(s.id.to_string()),
                    ip: ip.map(str::to_owned),
                    ..EndpointIpRequest::default()
                })
                .collect(),
            ..CreateResolverEndpoint::default()
        };
        match self.resolver(ResolverCommand::CreateEndpoint(input))? {
            ResolverOutcome::Endpoint(e) => Ok(e),
            o => panic!("{o:?}"),
        }
    }

    pub(super) fn forward_rule(
        &mut self,
        request_id: &str,
        domain: &str,
        endpoint: &ResolverEndpoint,
        target: &str,
    ) -> Result<ResolverRule, ModelError> {
        let input = CreateResolverRule {
            creator_request_id: request_id.into(),
            rule_type: "FORWARD".into(),
            domain_name: Some(domain.into()),
            target_ips: Some(vec![TargetIpRequest {
                ip: Some(target.into()),
                ..TargetIpRequest::default()
            }]),
            resolver_endpoint_id: Some(endpoint.id.to_string()),
            ..CreateResolverRule::default()
        };
        match self.resolver(ResolverCommand::CreateRule(input))? {
            ResolverOutcome::Rule(r) => Ok(r),
            o => panic!("{o:?}"),
        }
    }

    pub(super) fn associate(&mut self, rule: &ResolverRule, vpc: &Vpc) -> Result<(), ModelError> {
        self.resolver(ResolverCommand::AssociateRule {
            rule_id: rule.id.to_string(),
            vpc_id: vpc.id.to_string(),
            name: None,
        })
        .map(|_| ())
    }
}

/// A VPC with two subnets in two zones and a group.
pub(super) fn network(h: &mut Harness) -> (Vpc, Subnet, Subnet, SecurityGroup) {
    let vpc = h.vpc("10.0.0.0/16");
    let a = h.subnet(&vpc.id, "10.0.1.0/24", "ap-northeast-1a").unwrap();
    let c = h.subnet(&vpc.id, "10.0.2.0/24", "ap-northeast-1c").unwrap();
    let g = h.group(&vpc, "dns");
    (vpc, a, c, g)
}

pub(super) fn code(e: &ModelError) -> &'static str {
    e.code()
}
