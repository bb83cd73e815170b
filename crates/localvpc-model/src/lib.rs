//! The localvpc domain model: every resource localvpc emulates, the rules AWS applies to
//! them, and the one function through which state changes.
//!
//! This crate is pure: no sockets, no files, no clock, no randomness. Time and ids come in
//! through [`Clock`] and [`IdGen`], so the same commands give the same state in tests.
//!
//! - [`Model`] is the whole state of one localvpc, all accounts and regions. It is cheap to
//!   clone (persistent maps), which is how readers get consistent snapshots and how a failing
//!   command leaves no partial state: commands run on a clone that is dropped on error.
//! - [`Command`]s are the writes the API can ask for. [`Model::execute`] validates one
//!   against AWS's rules and returns its [`Outcome`] and the [`Change`]s it made.
//! - [`Change`]s are what the store persists; [`Model::apply_change`] replays them.
//! - [`ModelError`] carries the AWS error code of every refusal.

mod catalog;
mod cidr;
mod command;
mod dispatch;
mod ec2;
mod elbv2;
mod error;
mod id;
mod logs;
mod model;
mod resource;
pub mod route53;
mod route53resolver;
pub mod s3;
mod scope;
#[cfg(test)]
mod testing;
mod txn;
mod vpc_members;

pub use catalog::{
    AvailabilityZone, AwsPrefixList, AwsServiceEntry, Catalog, EndpointType, InstanceTypeInfo,
    PREFIX_LIST_SERVICES, RegionInfo, aws_prefix_list_for, aws_prefix_lists, aws_services,
    instance_type, instance_types,
};
pub use cidr::{Ipv4Cidr, Ipv6Cidr, parse_ipv4_cidr, parse_ipv6_cidr};
pub use command::{Command, FromOutcome, Outcome};
pub use ec2::dhcp::DhcpOptions;
pub use ec2::egress_only_internet_gateway::EgressOnlyInternetGateway;
pub use ec2::elastic_ip::{EipAssociation, ElasticIp};
pub use ec2::endpoint_service::{
    AllowedPrincipal, ConnectionEvent, ConnectionNotification, CreateEndpointService,
    ModifyEndpointService, PrivateDnsVerification, VpcEndpointServiceConfiguration,
};
pub use ec2::flow_log::{
    CreateFlowLogs, FlowAction, FlowDirection, FlowLog, FlowLogDestination, FlowLogField,
    FlowLogRecord, FlowLogResourceType, LogFormat, TrafficType, Unsuccessful,
};
pub use ec2::image::{
    AMAZON_OWNER, BUILTIN_IMAGES, BuiltinImage, CANONICAL_OWNER, builtin_image_id, valid_image_id,
};
pub use ec2::instance::{
    Instance, InstanceAttributeChange, InstanceState, InterfaceAttachment, RunInstances,
};
pub use ec2::internet_gateway::InternetGateway;
pub use ec2::nat_gateway::{CreateNatGateway, NatGateway, NatGatewayState};
pub use ec2::network_acl::{
    NetworkAcl, NetworkAclAssociation, NetworkAclEntry, NetworkAclEntrySpec, RuleAction,
};
pub use ec2::network_insights::{
    CreateNetworkInsightsPath, NetworkInsightsAnalysis, NetworkInsightsPath, PathFilter,
    StartNetworkInsightsAnalysis, insights_resource_id,
};
pub use ec2::network_interface::{
    ATTACHMENT_PREFIX, AttachNetworkInterface, CreateNetworkInterface, NetworkInterface,
    NetworkInterfaceAttribute, private_dns_name,
};
pub use ec2::prefix_list::{
    CreateManagedPrefixList, ManagedPrefixList, ModifyManagedPrefixList, PrefixListEntry,
    PrefixListRef,
};
pub use ec2::route_table::{
    Route, RouteDestination, RouteOrigin, RouteSpec, RouteState, RouteTable, RouteTableAssociation,
    RouteTarget, UnmodelledTarget,
};
pub use ec2::security_group::{
    CreateSecurityGroup, GroupRef, IpPermission, SecurityGroup, SecurityGroupRule, SgPeer,
};
pub use ec2::subnet::{
    CreateDefaultSubnet, CreateSubnet, HostnameType, Subnet, SubnetAttribute, SubnetIpv6Association,
};
pub use ec2::subnet_cidr_reservation::{
    CreateSubnetCidrReservation, ReservationType, ReservedCidr, SubnetCidrReservation,
};
pub use ec2::tags::{TagSpecification, Tags};
pub use ec2::tgw_peering::CreateTgwPeering;
pub use ec2::traffic::{
    IcmpVersion, IpProtocol, OtherProtocol, PortProtocol, PortRange, RuleProtocol, Traffic,
};
pub use ec2::transit_gateway::{
    AttachmentState, CreateTgwVpcAttachment, ModifyTgw, TgwPeer, TgwRoute, TgwStaticRoute,
    TransitGateway, TransitGatewayAttachment, TransitGatewayOptions, TransitGatewayRouteTable,
    tgw_longest_match,
};
pub use ec2::vpc::{
    AMAZON_IPV6_POOL_NAME, CidrBlockAssociation, CidrBlockState, CreateVpc,
    Ipv6CidrBlockAssociation, Vpc, VpcAttribute, VpcCidrAssociation,
};
pub use ec2::vpc_endpoint::{
    CreateVpcEndpoint, DEFAULT_GATEWAY_POLICY, DEFAULT_INTERFACE_POLICY, DnsEntry, EndpointService,
    EndpointState, EndpointTypeWire, ModifyVpcEndpoint, VpcEndpoint, vpce_hosted_zone_id,
};
pub use ec2::vpc_peering::{
    CreateVpcPeering, PeeringOptions, PeeringSide, PeeringStatus, VpcPeeringConnection,
};
pub use ec2::vpn::{CustomerGateway, VpnConnection, VpnGateway, VpnTarget};
pub use elbv2::{
    CreateLoadBalancer, CreateTargetGroup, ElbCommand, ElbErrorCode, ElbOutcome, HealthCheck,
    HealthCheckInput, Listener, ListenerArn, LoadBalancer, LoadBalancerArn, LoadBalancerType,
    LoadBalancerZone, Target, TargetGroup, TargetGroupArn, load_balancer_name_not_found,
    nlb_hosted_zone_id, target_group_name_not_found,
};
pub use error::ModelError;
pub use id::{
    AllocationId, Clock, ConnectionNotificationId, CustomerGatewayId, DhcpOptionsId,
    EgressOnlyInternetGatewayId, ElasticIpAssociationId, FixedClock, FlowLogId, IdGen, InstanceId,
    InternetGatewayId, NatGatewayId, NetworkAclAssociationId, NetworkAclId,
    NetworkInsightsAnalysisId, NetworkInsightsPathId, NetworkInterfaceId, PrefixListId,
    ResourceKind, RouteTableAssociationId, RouteTableId, SecurityGroupId, SecurityGroupRuleId,
    SequentialIds, SubnetCidrAssociationId, SubnetCidrReservationId, SubnetId, Timestamp,
    TransitGatewayAttachmentId, TransitGatewayId, TransitGatewayRouteTableId, VpcCidrAssociationId,
    VpcEndpointId, VpcEndpointServiceId, VpcId, VpcPeeringConnectionId, VpnConnectionId,
    VpnGatewayId, parse_resource_id,
};
pub use id::{
    ResolverConfigId, ResolverDnssecConfigId, ResolverEndpointId, ResolverIpId,
    ResolverQueryLogConfigAssociationId, ResolverQueryLogConfigId, ResolverRuleAssociationId,
    ResolverRuleId,
};
pub use ipnet::IpNet;
pub use logs::pattern::FilterPattern;
pub use logs::{
    CHUNK_EVENTS, LogChunk, LogChunkKey, LogEvent, LogEvents, LogGroup, LogGroupArn, LogStream,
    LogStreamArn, LogsCommand, LogsErrorCode, LogsOutcome, MAX_BATCH_BYTES, MAX_BATCH_EVENTS,
    MAX_EVENTS_PER_STREAM, MAX_STREAMS_PER_GROUP, PutLogEventsResult, RETENTION_DAYS,
    RejectedLogEvents, StoredLogEvent, check_group_name, check_stream_name, logs_invalid,
    validation_error,
};
pub use resource::{Change, Model, Resource, ResourceRef, ResourceView, Stored};
pub use route53resolver::{
    AUTODEFINED_INTERNET_RULE_ID, CreateResolverEndpoint, CreateResolverRule, EndpointIpRequest,
    ResolverCommand, ResolverConfig, ResolverDirection, ResolverDnssecConfig, ResolverEndpoint,
    ResolverErrorCode, ResolverIp, ResolverOutcome, ResolverQueryLogConfig,
    ResolverQueryLogConfigAssociation, ResolverRule, ResolverRuleAssociation, ResolverRuleType,
    TargetIp, TargetIpRequest, check_resolver_tag_count, normalise_domain,
};
pub use scope::{AccountId, Scope};
pub use txn::{Ctx, ScopeState};
