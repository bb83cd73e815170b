//! AWS resource ids, and the injected sources of ids and time.

use crate::error::ModelError;
use serde::{Deserialize, Serialize};
use smol_str::{SmolStr, format_smolstr};
use std::fmt;

/// Milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// The model never reads the system clock; the server injects one.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A clock that always answers the same instant (tests).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// Source of the random part of resource ids.
pub trait IdGen: Send {
    /// `len` lowercase hex digits.
    fn hex(&mut self, len: usize) -> String;
}

/// Deterministic ids for tests: 1, 2, 3… zero-padded.
#[derive(Clone, Debug, Default)]
pub struct SequentialIds(u64);

impl IdGen for SequentialIds {
    fn hex(&mut self, len: usize) -> String {
        self.0 += 1;
        format!("{:0len$x}", self.0)
    }
}

/// The kinds of EC2 resource localvpc knows, with their AWS spellings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ResourceKind {
    Vpc,
    Subnet,
    RouteTable,
    NetworkAcl,
    SecurityGroup,
    DhcpOptions,
    VpcCidrAssociation,
    SubnetCidrAssociation,
    SubnetCidrReservation,
    SecurityGroupRule,
    InternetGateway,
    EgressOnlyInternetGateway,
    NetworkInterface,
    VpcPeeringConnection,
    ElasticIp,
    ElasticIpAssociation,
    NatGateway,
    TransitGateway,
    TransitGatewayAttachment,
    TransitGatewayRouteTable,
    Instance,
    CustomerGateway,
    VpnGateway,
    VpnConnection,
    PrefixList,
    VpcEndpoint,
    VpcEndpointService,
    ConnectionNotification,
    LoadBalancer,
    TargetGroup,
    Listener,
    HostedZone,
    HostedZoneChange,
    HealthCheck,
    DelegationSet,
    ResolverEndpoint,
    ResolverRule,
    ResolverRuleAssociation,
    ResolverQueryLogConfig,
    ResolverQueryLogConfigAssociation,
    ResolverConfig,
    ResolverDnssecConfig,
    NetworkInsightsPath,
    NetworkInsightsAnalysis,
    FlowLog,
    LogGroup,
    LogStream,
    LogChunk,
    S3Bucket,
    S3Object,
    S3MultipartUpload,
}

impl ResourceKind {
    /// The kinds EC2's tag calls and `of_id` know. Route 53 Resolver kinds are left out:
    /// they are tagged by ARN through their own API, never through EC2 CreateTags.
    pub const ALL: [Self; 34] = [
        Self::Vpc,
        Self::Subnet,
        Self::RouteTable,
        Self::NetworkAcl,
        Self::SecurityGroup,
        Self::DhcpOptions,
        Self::VpcCidrAssociation,
        Self::SubnetCidrAssociation,
        Self::SubnetCidrReservation,
        Self::SecurityGroupRule,
        Self::InternetGateway,
        Self::EgressOnlyInternetGateway,
        Self::NetworkInterface,
        Self::VpcPeeringConnection,
        Self::ElasticIp,
        Self::ElasticIpAssociation,
        Self::NatGateway,
        Self::TransitGateway,
        Self::TransitGatewayAttachment,
        Self::TransitGatewayRouteTable,
        Self::Instance,
        Self::CustomerGateway,
        Self::VpnGateway,
        Self::VpnConnection,
        Self::PrefixList,
        Self::VpcEndpoint,
        Self::VpcEndpointService,
        Self::ConnectionNotification,
        Self::LoadBalancer,
        Self::TargetGroup,
        Self::Listener,
        Self::NetworkInsightsPath,
        Self::NetworkInsightsAnalysis,
        Self::FlowLog,
    ];

    /// The id prefix without the dash.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Vpc => "vpc",
            Self::Subnet => "subnet",
            Self::RouteTable => "rtb",
            Self::NetworkAcl => "acl",
            Self::SecurityGroup => "sg",
            Self::DhcpOptions => "dopt",
            Self::VpcCidrAssociation => "vpc-cidr-assoc",
            Self::SubnetCidrAssociation => "subnet-cidr-assoc",
            Self::SubnetCidrReservation => "scr",
            Self::EgressOnlyInternetGateway => "eigw",
            Self::SecurityGroupRule => "sgr",
            Self::InternetGateway => "igw",
            Self::NetworkInterface => "eni",
            Self::VpcPeeringConnection => "pcx",
            Self::ElasticIp => "eipalloc",
            Self::ElasticIpAssociation => "eipassoc",
            Self::NatGateway => "nat",
            Self::TransitGateway => "tgw",
            Self::TransitGatewayAttachment => "tgw-attach",
            Self::TransitGatewayRouteTable => "tgw-rtb",
            Self::Instance => "i",
            Self::CustomerGateway => "cgw",
            Self::VpnGateway => "vgw",
            Self::VpnConnection => "vpn",
            Self::PrefixList => "pl",
            Self::VpcEndpoint => "vpce",
            Self::VpcEndpointService => "vpce-svc",
            Self::ConnectionNotification => "vpce-nfn",
            Self::LoadBalancer => "elbv2-loadbalancer",
            Self::TargetGroup => "elbv2-targetgroup",
            Self::Listener => "elbv2-listener",
            Self::HostedZone => "route53-hostedzone",
            Self::HostedZoneChange => "route53-change",
            Self::HealthCheck => "route53-healthcheck",
            Self::DelegationSet => "route53-delegationset",
            Self::ResolverEndpoint => "rslvr-in",
            Self::ResolverRule => "rslvr-rr",
            Self::ResolverRuleAssociation => "rslvr-rrassoc",
            Self::ResolverQueryLogConfig => "rqlc",
            Self::ResolverQueryLogConfigAssociation => "rqlca",
            Self::ResolverConfig => "rslvr-rc",
            Self::ResolverDnssecConfig => "rdsc",
            Self::NetworkInsightsPath => "nip",
            Self::NetworkInsightsAnalysis => "nia",
            Self::FlowLog => "fl",
            Self::LogGroup => "logs-loggroup",
            Self::LogStream => "logs-logstream",
            Self::LogChunk => "logs-logchunk",
            Self::S3Bucket => "s3-bucket",
            Self::S3Object => "s3-object",
            Self::S3MultipartUpload => "s3-upload",
        }
    }

    /// Error code for a well-formed id that names nothing.
    pub fn not_found_code(self) -> &'static str {
        match self {
            Self::Vpc => "InvalidVpcID.NotFound",
            Self::Subnet => "InvalidSubnetID.NotFound",
            Self::RouteTable => "InvalidRouteTableID.NotFound",
            Self::NetworkAcl => "InvalidNetworkAclID.NotFound",
            Self::SecurityGroup => "InvalidGroup.NotFound",
            Self::DhcpOptions => "InvalidDhcpOptionID.NotFound",
            Self::VpcCidrAssociation => "InvalidVpcCidrBlockAssociationID.NotFound",
            Self::SubnetCidrAssociation => "InvalidSubnetCidrBlockAssociationID.NotFound",
            Self::SubnetCidrReservation => "InvalidSubnetCidrReservationID.NotFound",
            Self::EgressOnlyInternetGateway => "InvalidEgressOnlyInternetGatewayId.NotFound",
            Self::SecurityGroupRule => "InvalidSecurityGroupRuleId.NotFound",
            Self::InternetGateway => "InvalidInternetGatewayID.NotFound",
            Self::NetworkInterface => "InvalidNetworkInterfaceID.NotFound",
            Self::VpcPeeringConnection => "InvalidVpcPeeringConnectionID.NotFound",
            Self::ElasticIp => "InvalidAllocationID.NotFound",
            Self::ElasticIpAssociation => "InvalidAssociationID.NotFound",
            Self::NatGateway => "NatGatewayNotFound",
            Self::TransitGateway => "InvalidTransitGatewayID.NotFound",
            Self::TransitGatewayAttachment => "InvalidTransitGatewayAttachmentID.NotFound",
            Self::TransitGatewayRouteTable => "InvalidRouteTableID.NotFound",
            Self::Instance => "InvalidInstanceID.NotFound",
            Self::CustomerGateway => "InvalidCustomerGatewayID.NotFound",
            Self::VpnGateway => "InvalidVpnGatewayID.NotFound",
            Self::VpnConnection => "InvalidVpnConnectionID.NotFound",
            Self::PrefixList => "InvalidPrefixListID.NotFound",
            Self::VpcEndpoint => "InvalidVpcEndpointId.NotFound",
            Self::VpcEndpointService => "InvalidVpcEndpointServiceId.NotFound",
            Self::ConnectionNotification => "InvalidConnectionNotification",
            Self::LoadBalancer => "LoadBalancerNotFound",
            Self::TargetGroup => "TargetGroupNotFound",
            Self::Listener => "ListenerNotFound",
            Self::HostedZone => "NoSuchHostedZone",
            Self::HostedZoneChange => "NoSuchChange",
            Self::HealthCheck => "NoSuchHealthCheck",
            Self::DelegationSet => "NoSuchDelegationSet",
            Self::ResolverEndpoint => "ResourceNotFoundException",
            Self::ResolverRule => "ResourceNotFoundException",
            Self::ResolverRuleAssociation => "ResourceNotFoundException",
            Self::ResolverQueryLogConfig => "ResourceNotFoundException",
            Self::ResolverQueryLogConfigAssociation => "ResourceNotFoundException",
            Self::ResolverConfig => "ResourceNotFoundException",
            Self::ResolverDnssecConfig => "ResourceNotFoundException",
            Self::NetworkInsightsPath => "InvalidNetworkInsightsPathId.NotFound",
            Self::NetworkInsightsAnalysis => "InvalidNetworkInsightsAnalysisId.NotFound",
            Self::FlowLog => "InvalidFlowLogId.NotFound",
            Self::LogGroup => "ResourceNotFoundException",
            Self::LogStream => "ResourceNotFoundException",
            Self::LogChunk => "ResourceNotFoundException",
            Self::S3Bucket => "NoSuchBucket",
            Self::S3Object => "NoSuchKey",
            Self::S3MultipartUpload => "NoSuchUpload",
        }
    }

    /// Error code for an id that is not of this kind's form.
    pub fn malformed_code(self) -> &'static str {
        match self {
            Self::Vpc => "InvalidVpcID.Malformed",
            Self::Subnet => "InvalidSubnetID.Malformed",
            Self::RouteTable => "InvalidRouteTableId.Malformed",
            Self::NetworkAcl => "InvalidNetworkAclId.Malformed",
            Self::SecurityGroup => "InvalidGroupId.Malformed",
            Self::DhcpOptions => "InvalidDhcpOptionsId.Malformed",
            Self::VpcCidrAssociation => "InvalidVpcCidrBlockAssociationId.Malformed",
            Self::SubnetCidrAssociation => "InvalidSubnetCidrBlockAssociationId.Malformed",
            Self::SubnetCidrReservation => "InvalidSubnetCidrReservationID.Malformed",
            Self::EgressOnlyInternetGateway => "InvalidEgressOnlyInternetGatewayId.Malformed",
            Self::SecurityGroupRule => "InvalidSecurityGroupRuleId.Malformed",
            Self::InternetGateway => "InvalidInternetGatewayId.Malformed",
            Self::NetworkInterface => "InvalidNetworkInterfaceID.Malformed",
            Self::VpcPeeringConnection => "InvalidVpcPeeringConnectionId.Malformed",
            Self::ElasticIp => "InvalidAllocationID.Malformed",
            Self::ElasticIpAssociation => "InvalidAssociationID.Malformed",
            Self::NatGateway => "InvalidNatGatewayID.Malformed",
            Self::TransitGateway => "InvalidTransitGatewayID.Malformed",
            Self::TransitGatewayAttachment => "InvalidTransitGatewayAttachmentID.Malformed",
            Self::TransitGatewayRouteTable => "InvalidRouteTableId.Malformed",
            Self::Instance => "InvalidInstanceID.Malformed",
            Self::CustomerGateway => "InvalidCustomerGatewayId.Malformed",
            Self::VpnGateway => "InvalidVpnGatewayId.Malformed",
            Self::VpnConnection => "InvalidVpnConnectionID.Malformed",
            Self::PrefixList => "InvalidPrefixListId.Malformed",
            Self::VpcEndpoint => "InvalidVpcEndpointId.Malformed",
            Self::VpcEndpointService => "InvalidVpcEndpointServiceId.Malformed",
            Self::ConnectionNotification => "InvalidConnectionNotification",
            Self::LoadBalancer => "ValidationError",
            Self::TargetGroup => "ValidationError",
            Self::Listener => "ValidationError",
            Self::HostedZone => "NoSuchHostedZone",
            Self::HostedZoneChange => "NoSuchChange",
            Self::HealthCheck => "NoSuchHealthCheck",
            Self::DelegationSet => "NoSuchDelegationSet",
            Self::ResolverEndpoint => "InvalidParameterException",
            Self::ResolverRule => "InvalidParameterException",
            Self::ResolverRuleAssociation => "InvalidParameterException",
            Self::ResolverQueryLogConfig => "InvalidParameterException",
            Self::ResolverQueryLogConfigAssociation => "InvalidParameterException",
            Self::ResolverConfig => "InvalidParameterException",
            Self::ResolverDnssecConfig => "InvalidParameterException",
            Self::NetworkInsightsPath => "InvalidNetworkInsightsPathId.Malformed",
            Self::NetworkInsightsAnalysis => "InvalidNetworkInsightsAnalysisId.Malformed",
            Self::FlowLog => "InvalidFlowLogId.Malformed",
            Self::LogGroup => "InvalidParameterException",
            Self::LogStream => "InvalidParameterException",
            Self::LogChunk => "InvalidParameterException",
            Self::S3Bucket => "InvalidBucketName",
            Self::S3Object => "InvalidArgument",
            Self::S3MultipartUpload => "InvalidArgument",
        }
    }

    /// How AWS names the id in "The … 'x' does not exist".
    pub fn noun(self) -> &'static str {
        match self {
            Self::Vpc => "vpc ID",
            Self::Subnet => "subnet ID",
            Self::RouteTable => "routeTable ID",
            Self::NetworkAcl => "networkAcl ID",
            Self::SecurityGroup => "security group",
            Self::DhcpOptions => "dhcpOption ID",
            Self::VpcCidrAssociation => "vpc cidr block association ID",
            Self::SubnetCidrAssociation => "subnet cidr block association ID",
            Self::SubnetCidrReservation => "subnet CIDR reservation ID",
            Self::EgressOnlyInternetGateway => "egress-only internet gateway ID",
            Self::SecurityGroupRule => "security group rule ID",
            Self::InternetGateway => "internetGateway ID",
            Self::NetworkInterface => "networkInterface ID",
            Self::VpcPeeringConnection => "vpcPeeringConnection ID",
            Self::ElasticIp => "allocation ID",
            Self::ElasticIpAssociation => "association ID",
            Self::NatGateway => "NAT gateway",
            Self::TransitGateway => "transit gateway ID",
            Self::TransitGatewayAttachment => "transit gateway attachment ID",
            Self::TransitGatewayRouteTable => "transit gateway route table ID",
            Self::Instance => "instance ID",
            Self::CustomerGateway => "customerGateway ID",
            Self::VpnGateway => "vpnGateway ID",
            Self::VpnConnection => "vpnConnection ID",
            Self::PrefixList => "prefix list ID",
            Self::VpcEndpoint => "VpcEndpoint ID",
            Self::VpcEndpointService => "VpcEndpointService Id",
            Self::ConnectionNotification => "connection notification ID",
            Self::LoadBalancer => "load balancer",
            Self::TargetGroup => "target group",
            Self::Listener => "listener",
            Self::HostedZone => "hosted zone",
            Self::HostedZoneChange => "change",
            Self::HealthCheck => "health check",
            Self::DelegationSet => "reusable delegation set",
            Self::ResolverEndpoint => "Resolver endpoint",
            Self::ResolverRule => "Resolver rule",
            Self::ResolverRuleAssociation => "Resolver rule association",
            Self::ResolverQueryLogConfig => "Resolver query log config",
            Self::ResolverQueryLogConfigAssociation => "Resolver query log config association",
            Self::ResolverConfig => "Resolver config",
            Self::ResolverDnssecConfig => "Resolver DNSSEC config",
            Self::NetworkInsightsPath => "network insights path ID",
            Self::NetworkInsightsAnalysis => "network insights analysis ID",
            Self::FlowLog => "flow log ID",
            Self::LogGroup => "log group",
            Self::LogStream => "log stream",
            Self::LogChunk => "log stream chunk",
            Self::S3Bucket => "bucket",
            Self::S3Object => "object",
            Self::S3MultipartUpload => "multipart upload",
        }
    }

    /// The `resource-type` of DescribeTags and TagSpecification, when taggable.
    pub fn tag_resource_type(self) -> Option<&'static str> {
        match self {
            Self::Vpc => Some("vpc"),
            Self::Subnet => Some("subnet"),
            Self::RouteTable => Some("route-table"),
            Self::NetworkAcl => Some("network-acl"),
            Self::SecurityGroup => Some("security-group"),
            Self::DhcpOptions => Some("dhcp-options"),
            Self::VpcCidrAssociation => None,
            Self::SubnetCidrAssociation => None,
            Self::SubnetCidrReservation => Some("subnet-cidr-reservation"),
            Self::EgressOnlyInternetGateway => Some("egress-only-internet-gateway"),
            Self::SecurityGroupRule => Some("security-group-rule"),
            Self::InternetGateway => Some("internet-gateway"),
            Self::NetworkInterface => Some("network-interface"),
            Self::VpcPeeringConnection => Some("vpc-peering-connection"),
            Self::ElasticIp => Some("elastic-ip"),
            Self::ElasticIpAssociation => None,
            Self::NatGateway => Some("natgateway"),
            Self::TransitGateway => Some("transit-gateway"),
            Self::TransitGatewayAttachment => Some("transit-gateway-attachment"),
            Self::TransitGatewayRouteTable => Some("transit-gateway-route-table"),
            Self::Instance => Some("instance"),
            Self::CustomerGateway => Some("customer-gateway"),
            Self::VpnGateway => Some("vpn-gateway"),
            Self::VpnConnection => Some("vpn-connection"),
            Self::PrefixList => Some("prefix-list"),
            Self::VpcEndpoint => Some("vpc-endpoint"),
            Self::VpcEndpointService => Some("vpc-endpoint-service"),
            Self::ConnectionNotification => None,
            Self::LoadBalancer => None,
            Self::TargetGroup => None,
            Self::Listener => None,
            Self::HostedZone => None,
            Self::HostedZoneChange => None,
            Self::HealthCheck | Self::DelegationSet => None,
            Self::ResolverEndpoint => None,
            Self::ResolverRule => None,
            Self::ResolverRuleAssociation => None,
            Self::ResolverQueryLogConfig => None,
            Self::ResolverQueryLogConfigAssociation => None,
            Self::ResolverConfig => None,
            Self::ResolverDnssecConfig => None,
            Self::NetworkInsightsPath => Some("network-insights-path"),
            Self::NetworkInsightsAnalysis => Some("network-insights-analysis"),
            Self::FlowLog => Some("vpc-flow-log"),
            Self::LogGroup => None,
            Self::LogStream => None,
            Self::LogChunk => None,
            Self::S3Bucket => None,
            Self::S3Object => None,
            Self::S3MultipartUpload => None,
        }
    }

    /// Checks the AWS id form `<prefix>-<8 or 17 lowercase hex digits>`.
    pub fn is_well_formed(self, id: &str) -> bool {
        id.strip_prefix(self.prefix())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|hex| {
                (hex.len() == 8 || hex.len() == 17)
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
    }

    fn malformed(self, id: &str) -> ModelError {
        ModelError::Malformed {
            kind: self,
            id: id.to_owned(),
        }
    }

    /// Which taggable kind an id names, judged by its prefix alone.
    pub fn of_id(id: &str) -> Option<Self> {
        // Longest prefix first: `vpc-cidr-assoc-` also starts with `vpc-`.
        let mut kinds = Self::ALL;
        kinds.sort_by_key(|k| std::cmp::Reverse(k.prefix().len()));
        kinds.into_iter().find(|k| {
            id.strip_prefix(k.prefix())
                .is_some_and(|rest| rest.starts_with('-'))
        })
    }
}

/// Parses an id of any taggable kind (CreateTags, DeleteTags): `InvalidID` if unrecognisable.
pub fn parse_resource_id(id: &str) -> Result<(ResourceKind, String), ModelError> {
    match ResourceKind::of_id(id) {
        Some(kind) if kind.is_well_formed(id) => Ok((kind, id.to_owned())),
        _ => Err(ModelError::InvalidId { id: id.to_owned() }),
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            pub const KIND: ResourceKind = $kind;

            /// Accepts only the AWS form for this kind (`…Malformed` otherwise).
            pub fn parse(s: &str) -> Result<Self, ModelError> {
                if Self::KIND.is_well_formed(s) {
                    Ok(Self(SmolStr::new(s)))
                } else {
                    Err(Self::KIND.malformed(s))
                }
            }

            pub(crate) fn generate(ids: &mut dyn IdGen) -> Self {
                Self(format_smolstr!("{}-{}", Self::KIND.prefix(), ids.hex(17)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The `…NotFound` error for this id.
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

id_type!(/// `vpc-…`
    VpcId, ResourceKind::Vpc);
id_type!(/// `subnet-…`
    SubnetId, ResourceKind::Subnet);
id_type!(/// `rtb-…`
    RouteTableId, ResourceKind::RouteTable);
id_type!(/// `acl-…`
    NetworkAclId, ResourceKind::NetworkAcl);
id_type!(/// `sg-…`
    SecurityGroupId, ResourceKind::SecurityGroup);
id_type!(/// `dopt-…`
    DhcpOptionsId, ResourceKind::DhcpOptions);
id_type!(/// `vpc-cidr-assoc-…`
    VpcCidrAssociationId, ResourceKind::VpcCidrAssociation);
id_type!(/// `subnet-cidr-assoc-…`
    SubnetCidrAssociationId, ResourceKind::SubnetCidrAssociation);
id_type!(/// `scr-…`
    SubnetCidrReservationId, ResourceKind::SubnetCidrReservation);
id_type!(/// `eigw-…`
    EgressOnlyInternetGatewayId, ResourceKind::EgressOnlyInternetGateway);
id_type!(/// `sgr-…`
    SecurityGroupRuleId, ResourceKind::SecurityGroupRule);
id_type!(/// `igw-…`
    InternetGatewayId, ResourceKind::InternetGateway);
id_type!(/// `eni-…`
    NetworkInterfaceId, ResourceKind::NetworkInterface);
id_type!(/// `pcx-…`
    VpcPeeringConnectionId, ResourceKind::VpcPeeringConnection);
id_type!(/// `eipalloc-…`
    AllocationId, ResourceKind::ElasticIp);
id_type!(/// `eipassoc-…`
    ElasticIpAssociationId, ResourceKind::ElasticIpAssociation);
id_type!(/// `nat-…`
    NatGatewayId, ResourceKind::NatGateway);
id_type!(/// `tgw-…`
    TransitGatewayId, ResourceKind::TransitGateway);
id_type!(/// `tgw-attach-…`
    TransitGatewayAttachmentId, ResourceKind::TransitGatewayAttachment);
id_type!(/// `tgw-rtb-…`
    TransitGatewayRouteTableId, ResourceKind::TransitGatewayRouteTable);
id_type!(/// `i-…`
    InstanceId, ResourceKind::Instance);
id_type!(/// `nip-…`
    NetworkInsightsPathId, ResourceKind::NetworkInsightsPath);
id_type!(/// `nia-…`
    NetworkInsightsAnalysisId, ResourceKind::NetworkInsightsAnalysis);
id_type!(/// `cgw-…`
    CustomerGatewayId, ResourceKind::CustomerGateway);
id_type!(/// `vgw-…`
    VpnGatewayId, ResourceKind::VpnGateway);
id_type!(/// `vpn-…`
    VpnConnectionId, ResourceKind::VpnConnection);
id_type!(/// `vpce-…`
    VpcEndpointId, ResourceKind::VpcEndpoint);
id_type!(/// `vpce-svc-…`
    VpcEndpointServiceId, ResourceKind::VpcEndpointService);
id_type!(/// `vpce-nfn-…`
    ConnectionNotificationId, ResourceKind::ConnectionNotification);
id_type!(/// `pl-…`: customer-managed (17 hex digits) or AWS-managed (8)
    PrefixListId, ResourceKind::PrefixList);

id_type!(/// `rslvr-rr-…` (and the autodefined `rslvr-autodefined-rr-internet-resolver`)
    ResolverRuleId, ResourceKind::ResolverRule);
id_type!(/// `rslvr-rrassoc-…`
    ResolverRuleAssociationId, ResourceKind::ResolverRuleAssociation);
id_type!(/// `rqlc-…`
    ResolverQueryLogConfigId, ResourceKind::ResolverQueryLogConfig);
id_type!(/// `rqlca-…`
    ResolverQueryLogConfigAssociationId, ResourceKind::ResolverQueryLogConfigAssociation);

/// Ids of per-VPC Resolver settings: derived from the VPC id (never generated), so every
/// read of a VPC's setting answers the same id whether or not it was ever stored.
macro_rules! vpc_derived_id {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            pub const KIND: ResourceKind = $kind;

            /// Accepts only the AWS form for this kind (`…Malformed` otherwise).
            pub fn parse(s: &str) -> Result<Self, ModelError> {
                if Self::KIND.is_well_formed(s) {
                    Ok(Self(SmolStr::new(s)))
                } else {
                    Err(Self::KIND.malformed(s))
                }
            }

            /// The setting's id for one VPC.
            pub(crate) fn for_vpc(vpc: &VpcId) -> Self {
                let hex = vpc.as_str().strip_prefix("vpc-").unwrap_or(vpc.as_str());
                Self(format_smolstr!(concat!($prefix, "-{}"), hex))
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

vpc_derived_id!(/// `rslvr-rc-…`, one per VPC
    ResolverConfigId, ResourceKind::ResolverConfig, "rslvr-rc");
vpc_derived_id!(/// `rdsc-…`, one per VPC
    ResolverDnssecConfigId, ResourceKind::ResolverDnssecConfig, "rdsc");

/// `rslvr-in-…` (inbound) or `rslvr-out-…` (outbound): the direction is part of the id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResolverEndpointId(SmolStr);

impl ResolverEndpointId {
    pub const KIND: ResourceKind = ResourceKind::ResolverEndpoint;

    /// Accepts `rslvr-in-<hex>` and `rslvr-out-<hex>` (8 or 17 digits).
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let hex = s
            .strip_prefix("rslvr-in-")
            .or_else(|| s.strip_prefix("rslvr-out-"));
        let ok = hex.is_some_and(|h| {
            (h.len() == 8 || h.len() == 17)
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if ok {
            Ok(Self(SmolStr::new(s)))
        } else {
            Err(Self::KIND.malformed(s))
        }
    }

    pub(crate) fn generate(ids: &mut dyn IdGen, inbound: bool) -> Self {
        let direction = if inbound { "in" } else { "out" };
        Self(format_smolstr!("rslvr-{direction}-{}", ids.hex(17)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn not_found(&self) -> ModelError {
        ModelError::NotFound {
            kind: Self::KIND,
            id: self.0.to_string(),
        }
    }
}

impl fmt::Display for ResolverEndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ResolverRuleId {
    /// Ids AWS itself gives (the autodefined rules), which are not of the `rslvr-rr-` form.
    pub(crate) fn autodefined(s: &str) -> Self {
        Self(SmolStr::new(s))
    }
}

impl ResolverRuleAssociationId {
    /// Ids of the associations AWS makes itself (the internet rule with every VPC).
    pub(crate) fn autodefined(s: String) -> Self {
        Self(SmolStr::from(s))
    }
}

/// Ids that are never looked up on their own, so need no kind or NotFound code.
macro_rules! plain_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            pub(crate) fn generate(ids: &mut dyn IdGen) -> Self {
                Self(format_smolstr!(concat!($prefix, "-{}"), ids.hex(17)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

plain_id!(/// `rtbassoc-…`
    RouteTableAssociationId, "rtbassoc");
plain_id!(/// `aclassoc-…`
    NetworkAclAssociationId, "aclassoc");
plain_id!(/// `rni-…`: one IP address of a Resolver endpoint
    ResolverIpId, "rni");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_ids() {
        assert!(VpcId::parse("vpc-0123456789abcdef0").is_ok());
        assert!(VpcId::parse("vpc-12345678").is_ok());
        for bad in [
            "vpc-123",
            "vpc-0123456789ABCDEF0",
            "subnet-12345678",
            "vpc",
            "",
            "vpc-",
        ] {
            let err = VpcId::parse(bad).unwrap_err();
            assert_eq!(err.code(), "InvalidVpcID.Malformed", "{bad}");
        }
    }

    #[test]
    fn kind_of_id_prefers_longest_prefix() {
        assert_eq!(
            ResourceKind::of_id("vpc-cidr-assoc-1"),
            Some(ResourceKind::VpcCidrAssociation)
        );
        assert_eq!(ResourceKind::of_id("vpc-1"), Some(ResourceKind::Vpc));
        assert_eq!(
            ResourceKind::of_id("subnet-cidr-assoc-1"),
            Some(ResourceKind::SubnetCidrAssociation)
        );
        assert_eq!(ResourceKind::of_id("vpcx-1"), None);
        assert_eq!(
            ResourceKind::of_id("sg-1"),
            Some(ResourceKind::SecurityGroup)
        );
    }

    #[test]
    fn generated_ids_are_well_formed() {
        let mut ids = SequentialIds::default();
        let id = VpcId::generate(&mut ids);
        assert_eq!(id.as_str(), "vpc-00000000000000001");
        assert!(VpcId::parse(id.as_str()).is_ok());
    }
}
id_type!(/// `fl-…`
    FlowLogId, ResourceKind::FlowLog);
