//! Elastic Load Balancing v2, as much as endpoint services need (docs/aws-semantics.md §5): network and
//! gateway load balancers in subnets with their requester-managed ENIs, target groups with
//! registered targets, and listeners forwarding to them.

use crate::ec2::instance::Instance;
use crate::ec2::network_interface::ManagedInterface;
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::Tags;
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{NetworkInterfaceId, ResourceKind, SecurityGroupId, SubnetId, Timestamp, VpcId};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use smol_str::{SmolStr, format_smolstr};
use std::fmt;
use std::net::Ipv4Addr;

/// ELBv2 error codes (all HTTP 400, `Sender`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElbErrorCode {
    LoadBalancerNotFound,
    TargetGroupNotFound,
    ListenerNotFound,
    DuplicateLoadBalancerName,
    DuplicateTargetGroupName,
    DuplicateListener,
    ValidationError,
    InvalidConfigurationRequest,
    SubnetNotFound,
    InvalidSubnet,
    InvalidSecurityGroup,
    InvalidTarget,
    ResourceInUse,
    UnsupportedProtocol,
    TargetGroupAssociationLimit,
    IncompatibleProtocols,
    OperationNotPermitted,
}

impl ElbErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoadBalancerNotFound => "LoadBalancerNotFound",
            Self::TargetGroupNotFound => "TargetGroupNotFound",
            Self::ListenerNotFound => "ListenerNotFound",
            Self::DuplicateLoadBalancerName => "DuplicateLoadBalancerName",
            Self::DuplicateTargetGroupName => "DuplicateTargetGroupName",
            Self::DuplicateListener => "DuplicateListener",
            Self::ValidationError => "ValidationError",
            Self::InvalidConfigurationRequest => "InvalidConfigurationRequest",
            Self::SubnetNotFound => "SubnetNotFound",
            Self::InvalidSubnet => "InvalidSubnet",
            Self::InvalidSecurityGroup => "InvalidSecurityGroup",
            Self::InvalidTarget => "InvalidTarget",
            Self::ResourceInUse => "ResourceInUse",
            Self::UnsupportedProtocol => "UnsupportedProtocol",
            Self::TargetGroupAssociationLimit => "TargetGroupAssociationLimit",
            Self::IncompatibleProtocols => "IncompatibleProtocols",
            Self::OperationNotPermitted => "OperationNotPermitted",
        }
    }
}

fn elb_error(code: ElbErrorCode, message: impl Into<String>) -> ModelError {
    ModelError::Elb {
        code,
        message: message.into(),
    }
}

/// A `Names` member of DescribeLoadBalancers that names no load balancer (AWS's text).
pub fn load_balancer_name_not_found(name: &str) -> ModelError {
    elb_error(
        ElbErrorCode::LoadBalancerNotFound,
        format!("Load balancers '[{name}]' not found"),
    )
}

/// A `Names` member of DescribeTargetGroups that names no target group: the text of an
/// unknown target group ARN, as AWS answers both.
pub fn target_group_name_not_found(name: &str) -> ModelError {
    ModelError::NotFound {
        kind: ResourceKind::TargetGroup,
        id: name.to_owned(),
    }
}

macro_rules! arn_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $segment:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            pub const KIND: ResourceKind = $kind;

            /// Accepts `arn:aws:elasticloadbalancing:<region>:<account>:<segment>/…`.
            pub fn parse(s: &str) -> Result<Self, ModelError> {
                let ok = s
                    .split(':')
                    .nth(5)
                    .is_some_and(|rest| rest.starts_with(concat!($segment, "/")))
                    && s.starts_with("arn:aws:elasticloadbalancing:");
                if ok {
                    Ok(Self(SmolStr::new(s)))
                } else {
                    Err(elb_error(
                        ElbErrorCode::ValidationError,
                        format!("'{s}' is not a valid {} ARN", $segment),
                    ))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn not_found(&self) -> ModelError {
                ModelError::NotFound { kind: Self::KIND, id: self.0.to_string() }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

arn_type!(/// `arn:…:loadbalancer/net|gwy/<name>/<id>`
    LoadBalancerArn, ResourceKind::LoadBalancer, "loadbalancer");
arn_type!(/// `arn:…:targetgroup/<name>/<id>`
    TargetGroupArn, ResourceKind::TargetGroup, "targetgroup");
arn_type!(/// `arn:…:listener/net|gwy/<lb name>/<lb id>/<id>`
    ListenerArn, ResourceKind::Listener, "listener");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoadBalancerType {
    Network,
    Gateway,
}

impl LoadBalancerType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Gateway => "gateway",
        }
    }

    fn arn_segment(self) -> &'static str {
        match self {
            Self::Network => "net",
            Self::Gateway => "gwy",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerZone {
    pub zone_name: String,
    pub subnet_id: SubnetId,
    pub network_interface_id: NetworkInterfaceId,
    pub private_ip: Ipv4Addr,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub id: LoadBalancerArn,
    pub scope: Scope,
    pub name: String,
    pub lb_type: LoadBalancerType,
    pub internal: bool,
    pub vpc_id: VpcId,
    pub zones: Vec<LoadBalancerZone>,
    pub security_groups: Vec<SecurityGroupId>,
    pub dns_name: String,
    pub created: Timestamp,
    pub attributes: Vec<(String, String)>,
    pub tags: Tags,
}

impl LoadBalancer {
    pub fn zone_ids<'a>(&'a self, model: &'a Model) -> impl Iterator<Item = String> + 'a {
        self.zones.iter().filter_map(|z| {
            model
                .subnets
                .get(&z.subnet_id)
                .map(|s| s.availability_zone_id.clone())
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    pub protocol: String,
    pub port: String,
    pub enabled: bool,
    pub interval: i64,
    pub timeout: i64,
    pub healthy_threshold: i64,
    pub unhealthy_threshold: i64,
    pub path: Option<String>,
    pub matcher: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub port: Option<i64>,
    pub availability_zone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub id: TargetGroupArn,
    pub scope: Scope,
    pub name: String,
    pub protocol: String,
    pub port: Option<i64>,
    pub vpc_id: Option<VpcId>,
    pub target_type: String,
    pub health_check: HealthCheck,
    pub attributes: Vec<(String, String)>,
    pub targets: Vec<Target>,
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    pub id: ListenerArn,
    pub scope: Scope,
    pub load_balancer_arn: LoadBalancerArn,
    pub protocol: Option<String>,
    pub port: Option<i64>,
    pub target_group_arn: TargetGroupArn,
    pub tags: Tags,
}

/// CreateLoadBalancer's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateLoadBalancer {
    pub name: String,
    pub lb_type: String,
    pub internal: bool,
    /// (subnet, chosen private IPv4 address).
    pub subnets: Vec<(SubnetId, Option<Ipv4Addr>)>,
    pub security_groups: Vec<SecurityGroupId>,
    pub tags: Vec<(String, String)>,
}

/// CreateTargetGroup's input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTargetGroup {
    pub name: String,
    pub protocol: Option<String>,
    pub port: Option<i64>,
    pub vpc_id: Option<VpcId>,
    pub target_type: Option<String>,
    pub health_check: HealthCheckInput,
    pub tags: Vec<(String, String)>,
}

/// Health check settings as given (unset = the protocol's default).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckInput {
    pub protocol: Option<String>,
    pub port: Option<String>,
    pub enabled: Option<bool>,
    pub interval: Option<i64>,
    pub timeout: Option<i64>,
    pub healthy_threshold: Option<i64>,
    pub unhealthy_threshold: Option<i64>,
    pub path: Option<String>,
    pub matcher: Option<String>,
}

/// The ELBv2 writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ElbCommand {
    CreateLoadBalancer(CreateLoadBalancer),
    DeleteLoadBalancer(LoadBalancerArn),
    SetLoadBalancerAttributes(LoadBalancerArn, Vec<(String, String)>),
    CreateTargetGroup(CreateTargetGroup),
    ModifyTargetGroup(TargetGroupArn, HealthCheckInput),
    DeleteTargetGroup(TargetGroupArn),
    SetTargetGroupAttributes(TargetGroupArn, Vec<(String, String)>),
    RegisterTargets(TargetGroupArn, Vec<Target>),
    DeregisterTargets(TargetGroupArn, Vec<Target>),
    CreateListener {
        load_balancer_arn: LoadBalancerArn,
        protocol: Option<String>,
        port: Option<i64>,
        target_group_arn: TargetGroupArn,
        tags: Vec<(String, String)>,
    },
    ModifyListener {
        listener_arn: ListenerArn,
        protocol: Option<String>,
        port: Option<i64>,
        target_group_arn: Option<TargetGroupArn>,
    },
    DeleteListener(ListenerArn),
    /// AddTags / RemoveTags on any ELBv2 ARN.
    EditTags {
        arns: Vec<String>,
        add: Vec<(String, String)>,
        remove: Vec<String>,
    },
}

/// What an ELBv2 write returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElbOutcome {
    Done,
    LoadBalancer(LoadBalancer),
    TargetGroup(TargetGroup),
    Listener(Listener),
    Attributes(Vec<(String, String)>),
}

/// The attribute keys each kind accepts, with AWS's defaults.
fn default_lb_attributes(t: LoadBalancerType, internal: bool) -> Vec<(String, String)> {
    let mut out = vec![
        ("deletion_protection.enabled", "false"),
        ("load_balancing.cross_zone.enabled", "false"),
    ];
    if t == LoadBalancerType::Network {
        out.extend([
            ("access_logs.s3.enabled", "false"),
            ("access_logs.s3.bucket", ""),
            ("access_logs.s3.prefix", ""),
            // AWS: true for internal load balancers, false for internet-facing ones.
            (
                "ipv6.deny_all_igw_traffic",
                if internal { "true" } else { "false" },
            ),
            ("dns_record.client_routing_policy", "any_availability_zone"),
            ("zonal_shift.config.enabled", "false"),
            ("secondary_ips.auto_assigned.per_subnet", "0"),
        ]);
    }
    out.into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn default_tg_attributes(protocol: &str, target_type: &str) -> Vec<(String, String)> {
    let mut out = vec![
        ("deregistration_delay.timeout_seconds", "300"),
        ("stickiness.enabled", "false"),
        (
            "target_health_state.unhealthy.connection_termination.enabled",
            "true",
        ),
        (
            "target_health_state.unhealthy.draining_interval_seconds",
            "0",
        ),
        ("target_failover.on_deregistration", "no_rebalance"),
        ("target_failover.on_unhealthy", "no_rebalance"),
    ];
    if protocol == "GENEVE" {
        out.push(("stickiness.type", "source_ip_dest_ip_proto"));
    } else {
        let udp = protocol == "UDP" || protocol == "TCP_UDP";
        // AWS: client IPs are preserved for instance targets and UDP, not for ip targets over
        // TCP or TLS; UDP flows end on deregistration by default.
        let preserve = target_type == "instance" || udp;
        out.extend([
            ("stickiness.type", "source_ip"),
            ("proxy_protocol_v2.enabled", "false"),
            (
                "preserve_client_ip.enabled",
                if preserve { "true" } else { "false" },
            ),
            (
                "deregistration_delay.connection_termination.enabled",
                if udp { "true" } else { "false" },
            ),
            (
                "load_balancing.cross_zone.enabled",
                "use_load_balancer_configuration",
            ),
            (
                "target_group_health.dns_failover.minimum_healthy_targets.count",
                "1",
            ),
            (
                "target_group_health.dns_failover.minimum_healthy_targets.percentage",
                "off",
            ),
            (
                "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
                "1",
            ),
            (
                "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
                "off",
            ),
        ]);
    }
    out.into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn set_attributes(
    current: &mut [(String, String)],
    changes: &[(String, String)],
) -> Result<(), ModelError> {
    for (k, v) in changes {
        match current.iter_mut().find(|(ck, _)| ck == k) {
            Some(slot) => slot.1.clone_from(v),
            None => {
                return Err(elb_error(
                    ElbErrorCode::InvalidConfigurationRequest,
                    format!("Key {k} is not recognized"),
                ));
            }
        }
    }
    Ok(())
}

fn tags_from(pairs: &[(String, String)]) -> Result<Tags, ModelError> {
    let mut tags = Tags::new();
    for (k, v) in pairs {
        tags.insert(k.clone(), v.clone());
    }
    if tags.len() > 50 {
        return Err(elb_error(
            ElbErrorCode::ValidationError,
            "A resource can have at most 50 tags",
        ));
    }
    Ok(tags)
}

/// The NLB's canonical hosted zone per region (for alias records); stable derived ids where
/// localvpc does not carry AWS's (docs/aws-choices.md).
pub fn nlb_hosted_zone_id(region: &str) -> String {
    const ZONES: &[(&str, &str)] = &[
        ("us-east-1", "Z26RNL4JYFTOTI"),
        ("us-east-2", "ZLMOA37VPKANP"),
        ("us-west-1", "Z24FKFUX50B4VW"),
        ("us-west-2", "Z18D5FSROUN65G"),
        ("eu-west-1", "Z2IFOLAFXWLO4F"),
        ("eu-central-1", "Z3F0SRJ5LGBH90"),
        ("ap-northeast-1", "Z31USIVHYNEOWT"),
        ("ap-southeast-1", "ZKVM4W9LS7TM"),
        ("ap-southeast-2", "ZCT6FZBF4DROD"),
    ];
    ZONES
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, z)| (*z).to_owned())
        .unwrap_or_else(|| crate::ec2::vpc_endpoint::vpce_hosted_zone_id(region))
}

impl Model {
    /// The load balancers whose listeners forward to a target group.
    pub fn target_group_load_balancers(&self, tg: &TargetGroupArn) -> Vec<LoadBalancerArn> {
        let mut out: Vec<LoadBalancerArn> = self
            .listeners
            .values()
            .filter(|l| &l.target_group_arn == tg)
            .map(|l| l.load_balancer_arn.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The tags of any ELBv2 resource by ARN.
    pub fn elb_tags(&self, scope: &Scope, arn: &str) -> Result<&Tags, ModelError> {
        if let Ok(a) = LoadBalancerArn::parse(arn) {
            return self.get::<LoadBalancer>(scope, &a).map(|l| &l.tags);
        }
        if let Ok(a) = TargetGroupArn::parse(arn) {
            return self.get::<TargetGroup>(scope, &a).map(|t| &t.tags);
        }
        if let Ok(a) = ListenerArn::parse(arn) {
            return self.get::<Listener>(scope, &a).map(|l| &l.tags);
        }
        Err(elb_error(
            ElbErrorCode::ValidationError,
            format!("'{arn}' is not a valid load balancer, target group or listener ARN"),
        ))
    }
}

fn check_name(name: &str, what: &str) -> Result<(), ModelError> {
    let valid = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.starts_with("internal-");
    if valid {
        Ok(())
    } else {
        Err(elb_error(
            ElbErrorCode::ValidationError,
            format!(
                "The {what} name '{name}' is invalid: at most 32 alphanumeric characters or hyphens, not beginning or ending with a hyphen"
            ),
        ))
    }
}

impl Txn<'_, '_> {
    pub(crate) fn run_elb(&mut self, command: &ElbCommand) -> Result<ElbOutcome, ModelError> {
        match command {
            ElbCommand::CreateLoadBalancer(input) => {
                Ok(ElbOutcome::LoadBalancer(self.create_load_balancer(input)?))
            }
            ElbCommand::DeleteLoadBalancer(arn) => {
                self.delete_load_balancer(arn)?;
                Ok(ElbOutcome::Done)
            }
            ElbCommand::SetLoadBalancerAttributes(arn, changes) => {
                let mut lb = self.model.get::<LoadBalancer>(self.ctx.scope, arn)?.clone();
                set_attributes(&mut lb.attributes, changes)?;
                let attrs = lb.attributes.clone();
                self.put(Resource::LoadBalancer(lb));
                Ok(ElbOutcome::Attributes(attrs))
            }
            ElbCommand::CreateTargetGroup(input) => {
                Ok(ElbOutcome::TargetGroup(self.create_target_group(input)?))
            }
            ElbCommand::ModifyTargetGroup(arn, hc) => {
                let mut tg = self.model.get::<TargetGroup>(self.ctx.scope, arn)?.clone();
                apply_health_check(&mut tg.health_check, hc);
                self.put(Resource::TargetGroup(tg.clone()));
                Ok(ElbOutcome::TargetGroup(tg))
            }
            ElbCommand::DeleteTargetGroup(arn) => {
                // Deleting a missing target group succeeds (AWS: idempotent).
                let Ok(tg) = self.model.get::<TargetGroup>(self.ctx.scope, arn) else {
                    return Ok(ElbOutcome::Done);
                };
                if let Some(l) = self
                    .model
                    .listeners
                    .values()
                    .find(|l| &l.target_group_arn == arn)
                {
                    return Err(elb_error(
                        ElbErrorCode::ResourceInUse,
                        format!(
                            "Target group '{}' is currently in use by a listener or a rule ({})",
                            tg.id, l.id
                        ),
                    ));
                }
                self.delete(ResourceRef::TargetGroup(arn.clone()));
                Ok(ElbOutcome::Done)
            }
            ElbCommand::SetTargetGroupAttributes(arn, changes) => {
                let mut tg = self.model.get::<TargetGroup>(self.ctx.scope, arn)?.clone();
                set_attributes(&mut tg.attributes, changes)?;
                let attrs = tg.attributes.clone();
                self.put(Resource::TargetGroup(tg));
                Ok(ElbOutcome::Attributes(attrs))
            }
            ElbCommand::RegisterTargets(arn, targets) => {
                self.register_targets(arn, targets)?;
                Ok(ElbOutcome::Done)
            }
            ElbCommand::DeregisterTargets(arn, targets) => {
                let mut tg = self.model.get::<TargetGroup>(self.ctx.scope, arn)?.clone();
                for t in targets {
                    let port = t.port.or(tg.port);
                    // AWS: deregistering a target that is not registered succeeds.
                    tg.targets
                        .retain(|x| !(x.id == t.id && x.port.or(tg.port) == port));
                }
                self.put(Resource::TargetGroup(tg));
                Ok(ElbOutcome::Done)
            }
            ElbCommand::CreateListener {
                load_balancer_arn,
                protocol,
                port,
                target_group_arn,
                tags,
            } => Ok(ElbOutcome::Listener(self.create_listener(
                load_balancer_arn,
                protocol.clone(),
                *port,
                target_group_arn,
                tags,
            )?)),
            ElbCommand::ModifyListener {
                listener_arn,
                protocol,
                port,
                target_group_arn,
            } => {
                let mut l = self
                    .model
                    .get::<Listener>(self.ctx.scope, listener_arn)?
                    .clone();
                if let Some(p) = protocol {
                    l.protocol = Some(p.clone());
                }
                if let Some(p) = port {
                    l.port = Some(*p);
                }
                if let Some(tg) = target_group_arn {
                    self.model.get::<TargetGroup>(self.ctx.scope, tg)?;
                    l.target_group_arn = tg.clone();
                }
                self.put(Resource::Listener(l.clone()));
                Ok(ElbOutcome::Listener(l))
            }
            ElbCommand::DeleteListener(arn) => {
                self.model.get::<Listener>(self.ctx.scope, arn)?;
                self.delete(ResourceRef::Listener(arn.clone()));
                Ok(ElbOutcome::Done)
            }
            ElbCommand::EditTags { arns, add, remove } => {
                for arn in arns {
                    let mut tags = self.model.elb_tags(self.ctx.scope, arn)?.clone();
                    for (k, v) in add {
                        tags.insert(k.clone(), v.clone());
                    }
                    for k in remove {
                        tags.remove(k);
                    }
                    if tags.len() > 50 {
                        return Err(elb_error(ElbErrorCode::ValidationError, "Too many tags"));
                    }
                    if let Ok(a) = LoadBalancerArn::parse(arn) {
                        let mut r = self.model.get::<LoadBalancer>(self.ctx.scope, &a)?.clone();
                        r.tags = tags;
                        self.put(Resource::LoadBalancer(r));
                    } else if let Ok(a) = TargetGroupArn::parse(arn) {
                        let mut r = self.model.get::<TargetGroup>(self.ctx.scope, &a)?.clone();
                        r.tags = tags;
                        self.put(Resource::TargetGroup(r));
                    } else if let Ok(a) = ListenerArn::parse(arn) {
                        let mut r = self.model.get::<Listener>(self.ctx.scope, &a)?.clone();
                        r.tags = tags;
                        self.put(Resource::Listener(r));
                    }
                }
                Ok(ElbOutcome::Done)
            }
        }
    }

    fn create_load_balancer(
        &mut self,
        input: &CreateLoadBalancer,
    ) -> Result<LoadBalancer, ModelError> {
        check_name(&input.name, "load balancer")?;
        let lb_type = match input.lb_type.as_str() {
            "network" => LoadBalancerType::Network,
            "gateway" => LoadBalancerType::Gateway,
            "application" => {
                return Err(ModelError::not_emulated(
                    "application load balancers (only network and gateway load balancers, for endpoint services)",
                ));
            }
            other => {
                return Err(elb_error(
                    ElbErrorCode::ValidationError,
                    format!(
                        "'{other}' is not a valid load balancer type: network, gateway or application"
                    ),
                ));
            }
        };
        if let Some(existing) = self
            .model
            .in_scope::<LoadBalancer>(self.ctx.scope)
            .find(|l| l.name == input.name)
        {
            // AWS: the same request again returns the existing load balancer.
            let same_subnets = existing.zones.len() == input.subnets.len()
                && input
                    .subnets
                    .iter()
                    .all(|(s, _)| existing.zones.iter().any(|z| &z.subnet_id == s));
            if existing.lb_type == lb_type && existing.internal == input.internal && same_subnets {
                return Ok(existing.clone());
            }
            return Err(elb_error(
                ElbErrorCode::DuplicateLoadBalancerName,
                "A load balancer with the same name already exists",
            ));
        }
        // Security groups first, so a bad group leaves no interface behind.
        let mut group_vpc: Option<VpcId> = None;
        for g in &input.security_groups {
            let group = self
                .model
                .get::<SecurityGroup>(self.ctx.scope, g)
                .map_err(|_| {
                    elb_error(
                        ElbErrorCode::InvalidSecurityGroup,
                        format!("Security group '{g}' does not exist"),
                    )
                })?;
            if group_vpc.as_ref().is_some_and(|v| v != &group.vpc_id) {
                return Err(elb_error(
                    ElbErrorCode::InvalidSecurityGroup,
                    "All security groups must belong to the same VPC",
                ));
            }
            group_vpc = Some(group.vpc_id.clone());
        }
        if let (Some(gv), Some((first, _))) = (&group_vpc, input.subnets.first())
            && let Ok(subnet) = self.model.get::<Subnet>(self.ctx.scope, first)
            && &subnet.vpc_id != gv
        {
            return Err(elb_error(
                ElbErrorCode::InvalidSecurityGroup,
                format!(
                    "Security group(s) do not belong to the VPC {} of the subnets",
                    subnet.vpc_id
                ),
            ));
        }
        if input.subnets.is_empty() {
            return Err(elb_error(
                ElbErrorCode::ValidationError,
                "At least one subnet must be specified",
            ));
        }
        if lb_type == LoadBalancerType::Gateway && !input.security_groups.is_empty() {
            return Err(elb_error(
                ElbErrorCode::InvalidConfigurationRequest,
                "Security groups are not supported for load balancers with type 'gateway'",
            ));
        }
        let hex = self.ctx.ids.hex(16);
        let arn = LoadBalancerArn(format_smolstr!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{}/{}/{hex}",
            self.ctx.scope.region,
            self.ctx.scope.account,
            lb_type.arn_segment(),
            input.name
        ));
        let mut vpc: Option<VpcId> = None;
        let mut zones: Vec<LoadBalancerZone> = Vec::new();
        for (subnet_id, ip) in &input.subnets {
            let subnet = self
                .model
                .get::<Subnet>(self.ctx.scope, subnet_id)
                .map_err(|_| {
                    elb_error(
                        ElbErrorCode::SubnetNotFound,
                        format!("The subnet ID '{subnet_id}' is not valid"),
                    )
                })?
                .clone();
            match &vpc {
                Some(v) if v != &subnet.vpc_id => {
                    return Err(elb_error(
                        ElbErrorCode::InvalidConfigurationRequest,
                        "All subnets must belong to the same VPC",
                    ));
                }
                _ => vpc = Some(subnet.vpc_id.clone()),
            }
            if zones
                .iter()
                .any(|z| z.zone_name == subnet.availability_zone)
            {
                return Err(elb_error(
                    ElbErrorCode::InvalidConfigurationRequest,
                    format!(
                        "You cannot specify multiple subnets in the same Availability Zone ({})",
                        subnet.availability_zone
                    ),
                ));
            }
            let (kind, interface_type) = match lb_type {
                LoadBalancerType::Network => ("net", "network_load_balancer"),
                LoadBalancerType::Gateway => ("gwy", "gateway_load_balancer"),
            };
            let eni = self.create_managed_interface(ManagedInterface {
                subnet_id,
                ip: *ip,
                groups: input.security_groups.clone(),
                description: format!("ELB {kind}/{}/{hex}", input.name),
                interface_type,
                requester_id: "amazon-elb",
                source_dest_check: true,
            })?;
            zones.push(LoadBalancerZone {
                zone_name: subnet.availability_zone.clone(),
                subnet_id: subnet.id.clone(),
                network_interface_id: eni.id,
                private_ip: eni.private_ip,
            });
        }
        let Some(vpc_id) = vpc else {
            return Err(elb_error(
                ElbErrorCode::ValidationError,
                "At least one subnet must be specified",
            ));
        };
        let prefix = if input.internal { "internal-" } else { "" };
        let dns_name = match lb_type {
            LoadBalancerType::Network => format!(
                "{prefix}{}-{}.elb.{}.amazonaws.com",
                input.name, hex, self.ctx.scope.region
            ),
            LoadBalancerType::Gateway => String::new(),
        };
        let lb = LoadBalancer {
            id: arn,
            scope: self.ctx.scope.clone(),
            name: input.name.clone(),
            lb_type,
            internal: input.internal,
            vpc_id,
            zones,
            security_groups: input.security_groups.clone(),
            dns_name,
            created: self.ctx.now,
            attributes: default_lb_attributes(lb_type, input.internal),
            tags: tags_from(&input.tags)?,
        };
        self.put(Resource::LoadBalancer(lb.clone()));
        Ok(lb)
    }

    fn delete_load_balancer(&mut self, arn: &LoadBalancerArn) -> Result<(), ModelError> {
        // Deleting a missing load balancer succeeds (AWS: idempotent).
        let Ok(lb) = self.model.get::<LoadBalancer>(self.ctx.scope, arn).cloned() else {
            return Ok(());
        };
        if lb
            .attributes
            .iter()
            .any(|(k, v)| k == "deletion_protection.enabled" && v == "true")
        {
            return Err(elb_error(
                ElbErrorCode::OperationNotPermitted,
                format!(
                    "Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
                ),
            ));
        }
        if let Some(service) = self
            .model
            .vpc_endpoint_service_configurations
            .values()
            .find(|s| s.load_balancer_arns.contains(arn))
        {
            return Err(elb_error(
                ElbErrorCode::ResourceInUse,
                format!(
                    "Load balancer '{arn}' cannot be deleted because it is currently associated with another service ({})",
                    service.id
                ),
            ));
        }
        let listeners: Vec<ListenerArn> = self
            .model
            .listeners
            .values()
            .filter(|l| &l.load_balancer_arn == arn)
            .map(|l| l.id.clone())
            .collect();
        for l in listeners {
            self.delete(ResourceRef::Listener(l));
        }
        for z in &lb.zones {
            self.delete(ResourceRef::NetworkInterface(
                z.network_interface_id.clone(),
            ));
        }
        self.delete(ResourceRef::LoadBalancer(arn.clone()));
        Ok(())
    }

    fn create_target_group(
        &mut self,
        input: &CreateTargetGroup,
    ) -> Result<TargetGroup, ModelError> {
        check_name(&input.name, "target group")?;
        let target_type = input
            .target_type
            .clone()
            .unwrap_or_else(|| "instance".to_owned());
        if !["instance", "ip"].contains(&target_type.as_str()) {
            return Err(elb_error(
                ElbErrorCode::ValidationError,
                format!(
                    "Target type '{target_type}' is not supported by localvpc (instance or ip)"
                ),
            ));
        }
        let protocol = input.protocol.clone().ok_or_else(|| {
            elb_error(
                ElbErrorCode::ValidationError,
                "A protocol must be specified",
            )
        })?;
        if !["TCP", "UDP", "TCP_UDP", "TLS", "GENEVE"].contains(&protocol.as_str()) {
            return Err(elb_error(
                ElbErrorCode::ValidationError,
                format!(
                    "Protocol '{protocol}' is not supported by network or gateway load balancers: TCP, UDP, TCP_UDP, TLS or GENEVE"
                ),
            ));
        }
        if protocol == "GENEVE" && input.port != Some(6081) {
            return Err(elb_error(
                ElbErrorCode::ValidationError,
                "A target group with protocol GENEVE must use port 6081",
            ));
        }
        let port = input
            .port
            .ok_or_else(|| elb_error(ElbErrorCode::ValidationError, "A port must be specified"))?;
        if !(1..=65535).contains(&port) {
            return Err(elb_error(
                ElbErrorCode::ValidationError,
                format!("Port {port} is not valid"),
            ));
        }
        let vpc_id = input.vpc_id.clone().ok_or_else(|| {
            elb_error(ElbErrorCode::ValidationError, "A VPC ID must be specified")
        })?;
        self.model.get::<Vpc>(self.ctx.scope, &vpc_id)?;
        if let Some(existing) = self
            .model
            .in_scope::<TargetGroup>(self.ctx.scope)
            .find(|t| t.name == input.name)
        {
            // Same name and settings return the existing group (AWS: idempotent); else a duplicate.
            if existing.protocol == protocol
                && existing.port == Some(port)
                && existing.vpc_id.as_ref() == Some(&vpc_id)
            {
                return Ok(existing.clone());
            }
            return Err(elb_error(
                ElbErrorCode::DuplicateTargetGroupName,
                "A target group with the same name exists, but with different settings",
            ));
        }
        let arn = TargetGroupArn(format_smolstr!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{}",
            self.ctx.scope.region,
            self.ctx.scope.account,
            input.name,
            self.ctx.ids.hex(16)
        ));
        let hc_protocol = if protocol == "GENEVE"
            || protocol == "UDP"
            || protocol == "TCP_UDP"
            || protocol == "TLS"
        {
            "TCP".to_owned()
        } else {
            protocol.clone()
        };
        let mut health_check = HealthCheck {
            protocol: hc_protocol,
            port: "traffic-port".to_owned(),
            enabled: true,
            interval: if protocol == "GENEVE" { 10 } else { 30 },
            timeout: if protocol == "GENEVE" { 5 } else { 10 },
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            path: None,
            matcher: None,
        };
        apply_health_check(&mut health_check, &input.health_check);
        let tg = TargetGroup {
            id: arn,
            scope: self.ctx.scope.clone(),
            name: input.name.clone(),
            attributes: default_tg_attributes(&protocol, &target_type),
            protocol,
            port: Some(port),
            vpc_id: Some(vpc_id),
            target_type,
            health_check,
            targets: Vec::new(),
            tags: tags_from(&input.tags)?,
        };
        self.put(Resource::TargetGroup(tg.clone()));
        Ok(tg)
    }

    fn register_targets(
        &mut self,
        arn: &TargetGroupArn,
        targets: &[Target],
    ) -> Result<(), ModelError> {
        let mut tg = self.model.get::<TargetGroup>(self.ctx.scope, arn)?.clone();
        for t in targets {
            match tg.target_type.as_str() {
                "instance" => {
                    let id = crate::id::InstanceId::parse(&t.id).map_err(|_| {
                        elb_error(
                            ElbErrorCode::InvalidTarget,
                            format!("The target Id '{}' is not a valid instance ID", t.id),
                        )
                    })?;
                    let instance = self.model.get::<Instance>(self.ctx.scope, &id).map_err(|_| {
                        elb_error(ElbErrorCode::InvalidTarget, format!("The following targets are not in a running state and cannot be registered: '{}'", t.id))
                    })?;
                    if Some(&instance.vpc_id) != tg.vpc_id.as_ref() {
                        return Err(elb_error(
                            ElbErrorCode::InvalidTarget,
                            format!(
                                "The following targets are not in the target group VPC: '{}'",
                                t.id
                            ),
                        ));
                    }
                }
                _ => {
                    if t.id.parse::<Ipv4Addr>().is_err() {
                        return Err(elb_error(
                            ElbErrorCode::InvalidTarget,
                            format!("The IP address '{}' is not a valid IPv4 address", t.id),
                        ));
                    }
                }
            }
            if let Some(p) = t.port
                && !(1..=65535).contains(&p)
            {
                return Err(elb_error(
                    ElbErrorCode::ValidationError,
                    format!("Port {p} is not valid"),
                ));
            }
            let port = t.port.or(tg.port);
            if !tg
                .targets
                .iter()
                .any(|x| x.id == t.id && x.port.or(tg.port) == port)
            {
                tg.targets.push(t.clone());
            }
        }
        self.put(Resource::TargetGroup(tg));
        Ok(())
    }

    fn create_listener(
        &mut self,
        lb_arn: &LoadBalancerArn,
        protocol: Option<String>,
        port: Option<i64>,
        tg_arn: &TargetGroupArn,
        tags: &[(String, String)],
    ) -> Result<Listener, ModelError> {
        let lb = self
            .model
            .get::<LoadBalancer>(self.ctx.scope, lb_arn)?
            .clone();
        let tg = self
            .model
            .get::<TargetGroup>(self.ctx.scope, tg_arn)?
            .clone();
        let (protocol, port) = match lb.lb_type {
            LoadBalancerType::Gateway => {
                if protocol.is_some() || port.is_some() {
                    return Err(elb_error(
                        ElbErrorCode::ValidationError,
                        "Listeners of gateway load balancers take no protocol or port",
                    ));
                }
                if tg.protocol != "GENEVE" {
                    return Err(elb_error(
                        ElbErrorCode::IncompatibleProtocols,
                        "A gateway load balancer forwards only to GENEVE target groups",
                    ));
                }
                (None, None)
            }
            LoadBalancerType::Network => {
                let protocol = protocol.ok_or_else(|| {
                    elb_error(
                        ElbErrorCode::ValidationError,
                        "A listener protocol must be specified",
                    )
                })?;
                let port = port.ok_or_else(|| {
                    elb_error(
                        ElbErrorCode::ValidationError,
                        "A listener port must be specified",
                    )
                })?;
                if !["TCP", "UDP", "TCP_UDP", "TLS"].contains(&protocol.as_str()) {
                    return Err(elb_error(
                        ElbErrorCode::UnsupportedProtocol,
                        format!(
                            "Protocol '{protocol}' is not supported for network load balancers"
                        ),
                    ));
                }
                if tg.protocol == "GENEVE" {
                    return Err(elb_error(
                        ElbErrorCode::IncompatibleProtocols,
                        "A network load balancer cannot forward to a GENEVE target group",
                    ));
                }
                (Some(protocol), Some(port))
            }
        };
        if tg.vpc_id.as_ref() != Some(&lb.vpc_id) {
            return Err(elb_error(
                ElbErrorCode::InvalidConfigurationRequest,
                "The target group and the load balancer are in different VPCs",
            ));
        }
        if let Some(existing) = self
            .model
            .listeners
            .values()
            .find(|l| l.load_balancer_arn == *lb_arn && l.port == port)
        {
            // AWS: the same listener again is returned as it is.
            if existing.protocol == protocol && existing.target_group_arn == *tg_arn {
                return Ok((**existing).clone());
            }
            return Err(elb_error(
                ElbErrorCode::DuplicateListener,
                "A listener already exists on this port for this load balancer",
            ));
        }
        let lb_id = lb_arn.as_str().rsplit('/').next().unwrap_or_default();
        let arn = ListenerArn(format_smolstr!(
            "arn:aws:elasticloadbalancing:{}:{}:listener/{}/{}/{lb_id}/{}",
            self.ctx.scope.region,
            self.ctx.scope.account,
            lb.lb_type.arn_segment(),
            lb.name,
            self.ctx.ids.hex(16)
        ));
        let listener = Listener {
            id: arn,
            scope: self.ctx.scope.clone(),
            load_balancer_arn: lb_arn.clone(),
            protocol,
            port,
            target_group_arn: tg_arn.clone(),
            tags: tags_from(tags)?,
        };
        self.put(Resource::Listener(listener.clone()));
        Ok(listener)
    }
}

fn apply_health_check(hc: &mut HealthCheck, input: &HealthCheckInput) {
    if let Some(v) = &input.protocol {
        hc.protocol.clone_from(v);
    }
    if let Some(v) = &input.port {
        hc.port.clone_from(v);
    }
    if let Some(v) = input.enabled {
        hc.enabled = v;
    }
    if let Some(v) = input.interval {
        hc.interval = v;
    }
    if let Some(v) = input.timeout {
        hc.timeout = v;
    }
    if let Some(v) = input.healthy_threshold {
        hc.healthy_threshold = v;
    }
    if let Some(v) = input.unhealthy_threshold {
        hc.unhealthy_threshold = v;
    }
    if input.path.is_some() {
        hc.path.clone_from(&input.path);
    }
    if input.matcher.is_some() {
        hc.matcher.clone_from(&input.matcher);
    }
}
