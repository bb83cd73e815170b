//! Every refusal the model can make, each with the AWS error code it is known by.

use crate::id::ResourceKind;
use thiserror::Error;

/// A refusal by the model. [`ModelError::code`] is the AWS error code on the wire,
/// [`ModelError::status`] its HTTP status, `Display` the message: a handler returns the
/// variant and never chooses a code or a status itself.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("{}", not_found_message(*kind, id))]
    NotFound { kind: ResourceKind, id: String },
    #[error("Invalid id: \"{id}\" (expecting \"{}-...\")", kind.prefix())]
    Malformed { kind: ResourceKind, id: String },
    #[error("The ID '{id}' is not valid")]
    InvalidId { id: String },
    #[error("{message}")]
    InvalidParameterValue { message: String },
    #[error("{message}")]
    InvalidParameterCombination { message: String },
    #[error("{message}")]
    InvalidParameter { message: String },
    #[error("{message}")]
    MissingParameter { message: String },
    /// A feature localvpc refuses rather than silently ignores (docs/aws-choices.md): one
    /// code and one sentence for every service, so a user can tell localvpc's limit from a
    /// refusal AWS would give.
    #[error("localvpc does not emulate {what} (see docs/aws-choices.md)")]
    NotEmulated { what: String },
    #[error("The CIDR '{cidr}' is invalid.")]
    InvalidVpcRange { cidr: String },
    #[error("The CIDR '{cidr}' is invalid.")]
    InvalidSubnetRange { cidr: String },
    #[error("The CIDR '{cidr}' conflicts with another subnet")]
    InvalidSubnetConflict { cidr: String },
    #[error("{message}")]
    VpcRangeDetail { message: String },
    #[error("The gateway ID '{id}' does not exist")]
    GatewayNotFound { id: String },
    #[error("{message}")]
    InsufficientCidrBlocks { message: String },
    #[error("This network '{vpc_id}' has met its maximum number of allowed CIDRs: {limit}")]
    CidrLimitExceeded { vpc_id: String, limit: usize },
    #[error("{message}")]
    DependencyViolation { message: String },
    #[error("{message}")]
    OperationNotPermitted { message: String },
    #[error("A Default VPC already exists for this account in this region.")]
    DefaultVpcAlreadyExists,
    #[error("No default VPC exists for this account in this region.")]
    DefaultVpcDoesNotExist,
    #[error("A default subnet already exists in availability zone {zone}.")]
    DefaultSubnetAlreadyExistsInAvailabilityZone { zone: String },
    #[error("The maximum number of tags for resource '{resource_id}' has been reached ({limit}).")]
    TagLimitExceeded { resource_id: String, limit: usize },
    #[error("The specified network contains more than one subnet in availability zone")]
    NoDefaultSubnetSpace,
    /// AWS's text names the default VPC ("… does not exist in default VPC 'vpc-…'").
    #[error(
        "The security group '{name}' does not exist in default VPC{}",
        default_vpc.as_ref().map(|v| format!(" '{v}'")).unwrap_or_default()
    )]
    GroupNameNotFound {
        name: String,
        default_vpc: Option<String>,
    },
    #[error("No default VPC for this user")]
    VpcIdNotSpecified,
    #[error("The security group '{name}' is reserved")]
    GroupReserved { name: String },
    #[error("The security group '{name}' already exists for VPC '{vpc_id}'")]
    GroupDuplicate { name: String, vpc_id: String },
    #[error("{message}")]
    CannotDelete { message: String },
    #[error("The prefix list ID '{id}' does not exist")]
    PrefixListNotFound { id: String },
    #[error("the specified rule \"{rule}\" already exists")]
    PermissionDuplicate { rule: String },
    #[error("The specified rule \"{rule}\" does not exist in this security group.")]
    PermissionNotFound { rule: String },
    #[error("The security group rule ID '{id}' does not exist")]
    RuleNotFound { id: String },
    #[error("The maximum number of rules per security group has been reached.")]
    RulesLimitExceeded,
    #[error("{message}")]
    AlreadyAssociated { message: String },
    #[error("{message}")]
    GatewayNotAttached { message: String },
    #[error("The association ID '{id}' does not exist")]
    AssociationNotFound { id: String },
    #[error("The route identified by {destination} already exists.")]
    RouteAlreadyExists { destination: String, table: String },
    #[error("no route with destination-cidr-block {destination} in route table {table}")]
    RouteNotFound { destination: String, table: String },
    #[error("The maximum number of routes has been reached for route table {table}.")]
    RouteLimitExceeded { table: String },
    #[error("The network acl entry identified by {rule_number} already exists.")]
    AclEntryAlreadyExists { rule_number: u16 },
    #[error(
        "The specified rule does not exist in this network ACL (rule {rule_number}, egress {egress})"
    )]
    AclEntryNotFound { rule_number: u16, egress: bool },
    #[error("The maximum number of network acl entries has been reached.")]
    AclEntryLimitExceeded,
    #[error("The specified address {ip} is already in use.")]
    AddressInUse { ip: String },
    #[error(
        "There are not enough free addresses in subnet '{subnet_id}' to satisfy the requested number of instances."
    )]
    InsufficientFreeAddresses { subnet_id: String },
    #[error("The maximum number of security groups per interface has been reached.")]
    SecurityGroupsPerInterfaceLimitExceeded,
    #[error("A VPC peering connection between {vpc_id} and {peer} already exists")]
    PeeringAlreadyExists { vpc_id: String, peer: String },
    #[error("Invalid state transition for {id}, attempted to transition from {from} to {to}")]
    InvalidStateTransition {
        id: String,
        from: &'static str,
        to: &'static str,
    },
    #[error("The VPC peering connection {id} is not active (it is {status})")]
    PeeringNotActive { id: String, status: &'static str },
    #[error("DNS resolution over {id} needs enableDnsHostnames and enableDnsSupport on both VPCs")]
    PeeringDnsHostnamesDisabled { id: String },
    #[error("The maximum number of addresses has been reached.")]
    AddressLimitExceeded,
    #[error("The NAT gateway {id} was deleted")]
    NatGatewayDeleted { id: String },
    #[error("{message}")]
    IncorrectState { message: String },
    #[error("Duplicate subnets in the same Availability Zone: {subnet_id}")]
    DuplicateSubnetsInSameZone { subnet_id: String },
    #[error("{message}")]
    DuplicateTransitGatewayAttachment { message: String },
    #[error("{message}")]
    PropagationDuplicate { message: String },
    #[error("{message}")]
    PropagationNotFound { message: String },
    #[error("Invalid id: \"{id}\" (expecting \"ami-...\")")]
    InvalidAmiMalformed { id: String },
    #[error("The instance '{id}' is not in a state from which it can be changed ({state})")]
    IncorrectInstanceState { id: String, state: &'static str },
    #[error("The attachment ID '{id}' does not exist")]
    AttachmentNotFound { id: String },
    #[error("Interface {id} is currently in use by instance {instance}.")]
    InterfaceInUse { id: String, instance: String },
    #[error("{message}")]
    InvalidVpcState { message: String },
    /// An Elastic IP named by its public address (`PublicIp`) that the account does not hold.
    #[error("Address '{ip}' not found.")]
    AddressNotFound { ip: String },
    /// DisassociateAddress by `PublicIp` of an address that has no association to name.
    #[error("Address '{ip}' is not associated")]
    AddressNotAssociated { ip: String },
    #[error("The volume '{id}' does not exist.")]
    VolumeNotFound { id: String },
    #[error("The following supplied instance types do not exist: [{}]", names.join(", "))]
    InvalidInstanceType { names: Vec<String> },
    /// A call about a feature (CPU credits) that the instance's type does not have; AWS's
    /// refusal, unlike [`ModelError::NotEmulated`].
    #[error(
        "The functionality you requested is not available for this instance type ({instance_type})."
    )]
    UnsupportedForInstanceType { instance_type: String },
    /// A route target of a kind localvpc does not model: none can exist, so naming one is
    /// that kind's NotFound, as AWS answers for an unknown id.
    #[error("The ID '{id}' does not exist")]
    RouteTargetNotFound {
        target: crate::ec2::route_table::UnmodelledTarget,
        id: String,
    },
    #[error("{message}")]
    Route53 {
        code: crate::route53::Route53ErrorCode,
        message: String,
    },
    #[error("{message}")]
    Elb {
        code: crate::elbv2::ElbErrorCode,
        message: String,
    },
    #[error("The load balancer ARN '{arn}' does not exist")]
    LoadBalancerArnNotFound { gateway: bool, arn: String },
    #[error("The load balancer ARN '{arn}' is malformed")]
    LoadBalancerArnMalformed { gateway: bool, arn: String },
    #[error("Service {id} has existing VPC endpoint connections")]
    ExistingVpcEndpointConnections { id: String },
    #[error(
        "The principal {principal} is not a supported principal (an account root, user or role ARN, a service principal, or *)"
    )]
    UnknownPrincipalType { principal: String },
    #[error("{message}")]
    AsnConflict { message: String },
    #[error("{0}")]
    VpnConnectionInvalidType(String),
    #[error("The Vpc Endpoint Service '{name}' does not exist")]
    InvalidServiceName { name: String },
    #[error("{message}")]
    InvalidPolicyDocument { message: String },
    #[error("The client token '{token}' was already used with different parameters")]
    IdempotentParameterMismatch { token: String },
    #[error("{message}")]
    VpcEndpointLimitExceeded { message: String },
    #[error("The prefix list has the incorrect version number.")]
    PrefixListVersionMismatch,
    #[error("{message}")]
    PrefixListModification { message: String },
    #[error("{message}")]
    PrefixListMaxEntriesExceeded { message: String },
    #[error("The attachment with vpn gateway ID '{vgw}' and vpc ID '{vpc}' does not exist")]
    VpnAttachmentNotFound { vgw: String, vpc: String },
    #[error("{message}")]
    Resolver {
        code: crate::route53resolver::ResolverErrorCode,
        message: String,
    },
    /// A Network Insights path names a source or destination that does not exist.
    #[error("The {} '{id}' does not exist", if *is_source { "source" } else { "destination" })]
    NetworkInsightsEndNotFound { is_source: bool, id: String },
    #[error("The network insights path '{path_id}' has analyses; delete them first")]
    AnalysisExistsForNetworkInsightsPath { path_id: String },
    /// A CloudWatch Logs refusal: its JSON `__type` and AWS's message (all HTTP 400).
    #[error("{message}")]
    Logs {
        code: crate::logs::LogsErrorCode,
        message: String,
    },
    /// An Amazon S3 refusal: its code, with its own HTTP status, and S3's message.
    #[error("{message}")]
    S3 {
        code: crate::s3::S3ErrorCode,
        message: String,
    },
}

/// AWS's text for a resource that does not exist: EC2 names the id ("The vpc ID 'x' does
/// not exist"), but a transit gateway is "Transit Gateway <id> was deleted or does not
/// exist." (the text terraform-provider-aws, cloud-nuke and aws-nuke users quote from AWS);
/// ELBv2 answers an unknown ARN with one sentence per kind that names none, as its batch
/// reads do (AWS's observed texts).
fn not_found_message(kind: ResourceKind, id: &str) -> String {
    match kind {
        ResourceKind::TransitGateway => {
            format!("Transit Gateway {id} was deleted or does not exist.")
        }
        ResourceKind::LoadBalancer => "One or more load balancers not found".to_owned(),
        ResourceKind::TargetGroup => "One or more target groups not found".to_owned(),
        ResourceKind::Listener => "One or more listeners not found".to_owned(),
        _ => format!("The {} '{id}' does not exist", kind.noun()),
    }
}

impl ModelError {
    /// The AWS error code, e.g. `InvalidVpcID.NotFound`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { kind, .. } => kind.not_found_code(),
            Self::Malformed { kind, .. } => kind.malformed_code(),
            Self::InvalidId { .. } => "InvalidID",
            Self::InvalidParameterValue { .. } => "InvalidParameterValue",
            Self::InvalidParameterCombination { .. } => "InvalidParameterCombination",
            Self::InvalidParameter { .. } => "InvalidParameter",
            Self::MissingParameter { .. } => "MissingParameter",
            Self::NotEmulated { .. } => "UnsupportedOperation",
            Self::InvalidVpcRange { .. } => "InvalidVpc.Range",
            Self::InvalidSubnetRange { .. } => "InvalidSubnet.Range",
            Self::InvalidSubnetConflict { .. } => "InvalidSubnet.Conflict",
            Self::VpcRangeDetail { .. } => "InvalidVpc.Range",
            Self::CidrLimitExceeded { .. } => "CidrLimitExceeded",
            Self::GatewayNotFound { .. } => "InvalidGatewayID.NotFound",
            Self::InsufficientCidrBlocks { .. } => "InsufficientCidrBlocks",
            Self::DependencyViolation { .. } => "DependencyViolation",
            Self::OperationNotPermitted { .. } => "OperationNotPermitted",
            Self::DefaultVpcAlreadyExists => "DefaultVpcAlreadyExists",
            Self::DefaultVpcDoesNotExist => "DefaultVpcDoesNotExist",
            Self::DefaultSubnetAlreadyExistsInAvailabilityZone { .. } => {
                "DefaultSubnetAlreadyExistsInAvailabilityZone"
            }
            Self::TagLimitExceeded { .. } => "TagLimitExceeded",
            Self::NoDefaultSubnetSpace => "InvalidParameterValue",
            Self::GroupNameNotFound { .. } => "InvalidGroup.NotFound",
            Self::VpcIdNotSpecified => "VPCIdNotSpecified",
            Self::GroupReserved { .. } => "InvalidGroup.Reserved",
            Self::GroupDuplicate { .. } => "InvalidGroup.Duplicate",
            Self::CannotDelete { .. } => "CannotDelete",
            Self::PrefixListNotFound { .. } => "InvalidPrefixListID.NotFound",
            Self::PermissionDuplicate { .. } => "InvalidPermission.Duplicate",
            Self::PermissionNotFound { .. } => "InvalidPermission.NotFound",
            Self::RuleNotFound { .. } => "InvalidSecurityGroupRuleId.NotFound",
            Self::RulesLimitExceeded => "RulesPerSecurityGroupLimitExceeded",
            Self::AlreadyAssociated { .. } => "Resource.AlreadyAssociated",
            Self::GatewayNotAttached { .. } => "Gateway.NotAttached",
            Self::AssociationNotFound { .. } => "InvalidAssociationID.NotFound",
            Self::RouteAlreadyExists { .. } => "RouteAlreadyExists",
            Self::RouteNotFound { .. } => "InvalidRoute.NotFound",
            Self::RouteLimitExceeded { .. } => "RouteLimitExceeded",
            Self::AclEntryAlreadyExists { .. } => "NetworkAclEntryAlreadyExists",
            Self::AclEntryNotFound { .. } => "InvalidNetworkAclEntry.NotFound",
            Self::AclEntryLimitExceeded => "NetworkAclEntryLimitExceeded",
            Self::AddressInUse { .. } => "InvalidIPAddress.InUse",
            Self::InsufficientFreeAddresses { .. } => "InsufficientFreeAddressesInSubnet",
            Self::SecurityGroupsPerInterfaceLimitExceeded => {
                "SecurityGroupsPerInterfaceLimitExceeded"
            }
            Self::PeeringAlreadyExists { .. } => "VpcPeeringConnectionAlreadyExists",
            Self::InvalidStateTransition { .. } => "InvalidStateTransition",
            Self::PeeringNotActive { .. } => "InvalidVpcPeeringConnectionState",
            Self::PeeringDnsHostnamesDisabled { .. } => {
                "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled"
            }
            Self::AddressLimitExceeded => "AddressLimitExceeded",
            Self::NatGatewayDeleted { .. } => "InvalidNatGatewayID.NotFound",
            Self::IncorrectState { .. } => "IncorrectState",
            Self::DuplicateSubnetsInSameZone { .. } => "DuplicateSubnetsInSameZone",
            Self::DuplicateTransitGatewayAttachment { .. } => "DuplicateTransitGatewayAttachment",
            Self::PropagationDuplicate { .. } => "TransitGatewayRouteTablePropagation.Duplicate",
            Self::PropagationNotFound { .. } => "TransitGatewayRouteTablePropagation.NotFound",
            Self::InvalidAmiMalformed { .. } => "InvalidAMIID.Malformed",
            Self::IncorrectInstanceState { .. } => "IncorrectInstanceState",
            Self::InterfaceInUse { .. } => "InvalidNetworkInterface.InUse",
            Self::AttachmentNotFound { .. } => "InvalidAttachmentID.NotFound",
            Self::VpnAttachmentNotFound { .. } => "InvalidVpnGatewayAttachment.NotFound",
            Self::PrefixListVersionMismatch => "PrefixListVersionMismatch",
            Self::InvalidServiceName { .. } => "InvalidServiceName",
            Self::InvalidVpcState { .. } => "InvalidVpcState",
            Self::Elb { code, .. } => code.as_str(),
            Self::Route53 { code, .. } => code.as_str(),
            Self::LoadBalancerArnNotFound { gateway: false, .. } => {
                "InvalidNetworkLoadBalancerArn.NotFound"
            }
            Self::LoadBalancerArnNotFound { gateway: true, .. } => {
                "InvalidGatewayLoadBalancerArn.NotFound"
            }
            Self::LoadBalancerArnMalformed { gateway: false, .. } => {
                "InvalidNetworkLoadBalancerArn.Malformed"
            }
            Self::LoadBalancerArnMalformed { gateway: true, .. } => {
                "InvalidGatewayLoadBalancerArn.Malformed"
            }
            Self::AddressNotFound { .. } => "InvalidAddress.NotFound",
            Self::AddressNotAssociated { .. } => "InvalidAssociationID.NotFound",
            Self::VolumeNotFound { .. } => "InvalidVolume.NotFound",
            Self::InvalidInstanceType { .. } => "InvalidInstanceType",
            Self::UnsupportedForInstanceType { .. } => "UnsupportedOperation",
            Self::RouteTargetNotFound { target, .. } => target.not_found_code(),
            Self::ExistingVpcEndpointConnections { .. } => "ExistingVpcEndpointConnections",
            Self::UnknownPrincipalType { .. } => "UnknownPrincipalType.Unsupported",
            Self::AsnConflict { .. } => "AsnConflict",
            Self::VpnConnectionInvalidType(_) => "InvalidVpnConnection.InvalidType",
            Self::InvalidPolicyDocument { .. } => "InvalidPolicyDocument",
            Self::IdempotentParameterMismatch { .. } => "IdempotentParameterMismatch",
            Self::VpcEndpointLimitExceeded { .. } => "VpcEndpointLimitExceeded",
            Self::PrefixListModification { .. } => "InvalidPrefixListModification",
            Self::PrefixListMaxEntriesExceeded { .. } => "PrefixListMaxEntriesExceeded",
            Self::Resolver { code, .. } => code.as_str(),
            Self::NetworkInsightsEndNotFound {
                is_source: true, ..
            } => "NetworkInsightsSource.NotFound",
            Self::NetworkInsightsEndNotFound {
                is_source: false, ..
            } => "NetworkInsightsDestination.NotFound",
            Self::AnalysisExistsForNetworkInsightsPath { .. } => {
                "AnalysisExistsForNetworkInsightsPath"
            }
            Self::Logs { code, .. } => code.as_str(),
            Self::S3 { code, .. } => code.as_str(),
        }
    }

    /// The HTTP status AWS answers with. Every model refusal is the caller's fault (server
    /// faults come from the edges); Route 53's REST codes carry their own 4xx, the query and
    /// JSON services (EC2, ELBv2, the Resolver, CloudWatch Logs) answer every client error with 400.
    pub fn status(&self) -> u16 {
        match self {
            Self::Route53 { code, .. } => code.status(),
            Self::S3 { code, .. } => code.status(),
            _ => 400,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    pub(crate) fn not_emulated(what: impl Into<String>) -> Self {
        Self::NotEmulated { what: what.into() }
    }

    pub(crate) fn invalid_value(message: impl Into<String>) -> Self {
        Self::InvalidParameterValue {
            message: message.into(),
        }
    }

    pub(crate) fn missing(message: impl Into<String>) -> Self {
        Self::MissingParameter {
            message: message.into(),
        }
    }

    pub(crate) fn dependency(message: impl Into<String>) -> Self {
        Self::DependencyViolation {
            message: message.into(),
        }
    }
}
