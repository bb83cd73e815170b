//! The writes the API can ask the model for, and what they return.

use crate::ec2::dhcp::DhcpOptions;
use crate::ec2::egress_only_internet_gateway::EgressOnlyInternetGateway;
use crate::ec2::elastic_ip::ElasticIp;
use crate::ec2::endpoint_service::{
    AllowedPrincipal, ConnectionNotification, CreateEndpointService, ModifyEndpointService,
    VpcEndpointServiceConfiguration,
};
use crate::ec2::instance::InterfaceAttachment;
use crate::ec2::instance::{Instance, InstanceState, RunInstances};
use crate::ec2::internet_gateway::InternetGateway;
use crate::ec2::nat_gateway::{CreateNatGateway, NatGateway};
use crate::ec2::network_acl::{NetworkAcl, NetworkAclEntrySpec};
use crate::ec2::network_insights::{
    CreateNetworkInsightsPath, NetworkInsightsAnalysis, NetworkInsightsPath,
    StartNetworkInsightsAnalysis,
};
use crate::ec2::network_interface::{
    AttachNetworkInterface, CreateNetworkInterface, NetworkInterface, NetworkInterfaceAttribute,
};
use crate::ec2::prefix_list::{
    CreateManagedPrefixList, ManagedPrefixList, ModifyManagedPrefixList,
};
use crate::ec2::route_table::{RouteDestination, RouteSpec, RouteTable};
use crate::ec2::security_group::{
    CreateSecurityGroup, GroupRef, IpPermission, SecurityGroup, SecurityGroupRule,
};
use crate::ec2::subnet::SubnetIpv6Association;
use crate::ec2::subnet::{CreateDefaultSubnet, CreateSubnet, Subnet, SubnetAttribute};
use crate::ec2::subnet_cidr_reservation::{CreateSubnetCidrReservation, SubnetCidrReservation};
use crate::ec2::tags::TagSpecification;
use crate::ec2::tgw_peering::CreateTgwPeering;
use crate::ec2::transit_gateway::{
    CreateTgwVpcAttachment, ModifyTgw, TransitGateway, TransitGatewayAttachment,
    TransitGatewayOptions, TransitGatewayRouteTable,
};
use crate::ec2::vpc::{CreateVpc, Vpc, VpcAttribute, VpcCidrAssociation};
use crate::ec2::vpc_endpoint::{CreateVpcEndpoint, ModifyVpcEndpoint, VpcEndpoint};
use crate::ec2::vpc_peering::{CreateVpcPeering, PeeringOptions, VpcPeeringConnection};
use crate::ec2::vpn::{CustomerGateway, VpnConnection, VpnGateway, VpnTarget};
use crate::elbv2::{ElbCommand, ElbOutcome, Listener, LoadBalancer, TargetGroup};
use crate::id::{
    AllocationId, ConnectionNotificationId, CustomerGatewayId, DhcpOptionsId,
    EgressOnlyInternetGatewayId, ElasticIpAssociationId, InstanceId, InternetGatewayId,
    NatGatewayId, NetworkAclAssociationId, NetworkAclId, NetworkInterfaceId, PrefixListId,
    RouteTableAssociationId, RouteTableId, SecurityGroupId, SecurityGroupRuleId,
    SubnetCidrAssociationId, SubnetId, TransitGatewayAttachmentId, TransitGatewayId,
    TransitGatewayRouteTableId, VpcCidrAssociationId, VpcEndpointId, VpcEndpointServiceId, VpcId,
    VpcPeeringConnectionId, VpnConnectionId, VpnGatewayId,
};
use crate::id::{NetworkInsightsAnalysisId, NetworkInsightsPathId};
use crate::route53::delegation_set::ReusableDelegationSet;
use crate::route53::health_check::HealthCheck;
use crate::route53::{HostedZone, HostedZoneChange, Route53Outcome};
use crate::route53resolver::{
    ResolverCommand, ResolverConfig, ResolverDnssecConfig, ResolverEndpoint, ResolverOutcome,
    ResolverQueryLogConfig, ResolverQueryLogConfigAssociation, ResolverRule,
    ResolverRuleAssociation,
};
use serde::{Deserialize, Serialize};

/// A write against one (account, region) scope, given by the [`crate::Ctx`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Sets up a scope on its first use: the default DHCP options and, when
    /// `default_vpc`, the default VPC. A no-op for a scope already set up.
    EnsureScope {
        default_vpc: bool,
    },
    CreateVpc(CreateVpc),
    DeleteVpc {
        vpc_id: VpcId,
    },
    ModifyVpcAttribute {
        vpc_id: VpcId,
        attribute: VpcAttribute,
    },
    AssociateVpcCidrBlock {
        vpc_id: VpcId,
        cidr_block: String,
    },
    /// An Amazon-provided IPv6 /56 (`AmazonProvidedIpv6CidrBlock`).
    AssociateVpcIpv6CidrBlock {
        vpc_id: VpcId,
        network_border_group: Option<String>,
    },
    /// An IPv4 or IPv6 block, by association id.
    DisassociateVpcCidrBlock {
        association_id: VpcCidrAssociationId,
    },
    CreateDefaultVpc,
    CreateDefaultSubnet(CreateDefaultSubnet),
    /// Only to `default`.
    ModifyVpcTenancy {
        vpc_id: VpcId,
        instance_tenancy: String,
    },
    CreateSubnet(CreateSubnet),
    DeleteSubnet {
        subnet_id: SubnetId,
    },
    ModifySubnetAttribute {
        subnet_id: SubnetId,
        attribute: SubnetAttribute,
    },
    AssociateSubnetCidrBlock {
        subnet_id: SubnetId,
        ipv6_cidr_block: String,
    },
    DisassociateSubnetCidrBlock {
        association_id: SubnetCidrAssociationId,
    },
    CreateSubnetCidrReservation(CreateSubnetCidrReservation),
    DeleteSubnetCidrReservation {
        id: crate::id::SubnetCidrReservationId,
    },
    /// Adds or overwrites tags on each resource; all or nothing.
    CreateTags {
        resource_ids: Vec<String>,
        tags: Vec<(String, String)>,
    },
    /// Removes tags by key, or by key and value when a value is given.
    DeleteTags {
        resource_ids: Vec<String>,
        tags: Vec<(String, Option<String>)>,
    },
    CreateSecurityGroup(CreateSecurityGroup),
    DeleteSecurityGroup {
        group: GroupRef,
    },
    /// AuthorizeSecurityGroupIngress (egress = false) or …Egress.
    AuthorizeSecurityGroup {
        group: GroupRef,
        egress: bool,
        permissions: Vec<IpPermission>,
        tag_specifications: Vec<TagSpecification>,
    },
    /// RevokeSecurityGroupIngress/Egress by permissions and/or rule ids.
    RevokeSecurityGroup {
        group: GroupRef,
        egress: bool,
        permissions: Vec<IpPermission>,
        rule_ids: Vec<SecurityGroupRuleId>,
    },
    /// Each rule id with its replacement (exactly one peer).
    ModifySecurityGroupRules {
        group_id: SecurityGroupId,
        rules: Vec<(SecurityGroupRuleId, IpPermission)>,
    },
    /// UpdateSecurityGroupRuleDescriptionsIngress/Egress: rules named by permission (each
    /// peer's description is the new one) or by id.
    UpdateSecurityGroupRuleDescriptions {
        group: GroupRef,
        egress: bool,
        permissions: Vec<IpPermission>,
        descriptions: Vec<(SecurityGroupRuleId, Option<String>)>,
    },
    CreateInternetGateway {
        tag_specifications: Vec<TagSpecification>,
    },
    AttachInternetGateway {
        internet_gateway_id: InternetGatewayId,
        vpc_id: VpcId,
    },
    DetachInternetGateway {
        internet_gateway_id: InternetGatewayId,
        vpc_id: VpcId,
    },
    DeleteInternetGateway {
        internet_gateway_id: InternetGatewayId,
    },
    CreateEgressOnlyInternetGateway {
        vpc_id: VpcId,
        tag_specifications: Vec<TagSpecification>,
    },
    DeleteEgressOnlyInternetGateway {
        id: EgressOnlyInternetGatewayId,
    },
    CreateRouteTable {
        vpc_id: VpcId,
        tag_specifications: Vec<TagSpecification>,
    },
    DeleteRouteTable {
        route_table_id: RouteTableId,
    },
    /// With a subnet, or (edge association) with an internet gateway.
    AssociateRouteTable {
        route_table_id: RouteTableId,
        subnet_id: Option<SubnetId>,
        gateway_id: Option<InternetGatewayId>,
    },
    DisassociateRouteTable {
        association_id: String,
    },
    ReplaceRouteTableAssociation {
        association_id: String,
        route_table_id: RouteTableId,
    },
    CreateRoute {
        route_table_id: RouteTableId,
        route: RouteSpec,
    },
    ReplaceRoute {
        route_table_id: RouteTableId,
        route: RouteSpec,
    },
    DeleteRoute {
        route_table_id: RouteTableId,
        destination: RouteDestination,
    },
    CreateNetworkAcl {
        vpc_id: VpcId,
        tag_specifications: Vec<TagSpecification>,
    },
    DeleteNetworkAcl {
        network_acl_id: NetworkAclId,
    },
    CreateNetworkAclEntry {
        network_acl_id: NetworkAclId,
        entry: NetworkAclEntrySpec,
    },
    ReplaceNetworkAclEntry {
        network_acl_id: NetworkAclId,
        entry: NetworkAclEntrySpec,
    },
    DeleteNetworkAclEntry {
        network_acl_id: NetworkAclId,
        rule_number: i64,
        egress: bool,
    },
    ReplaceNetworkAclAssociation {
        association_id: String,
        network_acl_id: NetworkAclId,
    },
    CreateNetworkInterface(CreateNetworkInterface),
    DeleteNetworkInterface {
        network_interface_id: NetworkInterfaceId,
    },
    ModifyNetworkInterfaceAttribute {
        network_interface_id: NetworkInterfaceId,
        attribute: NetworkInterfaceAttribute,
    },
    AttachNetworkInterface(AttachNetworkInterface),
    /// By attachment id (`eni-attach-…`); `force` is accepted and changes nothing.
    DetachNetworkInterface {
        attachment_id: String,
        force: bool,
    },
    AssignPrivateIpAddresses {
        network_interface_id: NetworkInterfaceId,
        addresses: Vec<std::net::Ipv4Addr>,
        count: u32,
        allow_reassignment: bool,
    },
    UnassignPrivateIpAddresses {
        network_interface_id: NetworkInterfaceId,
        addresses: Vec<std::net::Ipv4Addr>,
    },
    AssignIpv6Addresses {
        network_interface_id: NetworkInterfaceId,
        addresses: Vec<std::net::Ipv6Addr>,
        count: u32,
    },
    UnassignIpv6Addresses {
        network_interface_id: NetworkInterfaceId,
        addresses: Vec<std::net::Ipv6Addr>,
    },
    CreateDhcpOptions {
        configurations: Vec<(String, Vec<String>)>,
        tag_specifications: Vec<TagSpecification>,
    },
    /// `None` associates AWS's `default` (no option set).
    AssociateDhcpOptions {
        dhcp_options_id: Option<DhcpOptionsId>,
        vpc_id: VpcId,
    },
    DeleteDhcpOptions {
        dhcp_options_id: DhcpOptionsId,
    },
    CreateVpcPeeringConnection(CreateVpcPeering),
    AcceptVpcPeeringConnection {
        id: VpcPeeringConnectionId,
    },
    RejectVpcPeeringConnection {
        id: VpcPeeringConnectionId,
    },
    DeleteVpcPeeringConnection {
        id: VpcPeeringConnectionId,
    },
    ModifyVpcPeeringConnectionOptions {
        id: VpcPeeringConnectionId,
        requester: Option<PeeringOptions>,
        accepter: Option<PeeringOptions>,
    },
    AllocateAddress {
        tag_specifications: Vec<TagSpecification>,
    },
    AssociateAddress {
        allocation_id: AllocationId,
        network_interface_id: NetworkInterfaceId,
        private_ip: Option<std::net::Ipv4Addr>,
        allow_reassociation: bool,
    },
    DisassociateAddress {
        association_id: ElasticIpAssociationId,
    },
    ReleaseAddress {
        allocation_id: AllocationId,
    },
    CreateNatGateway(CreateNatGateway),
    DeleteNatGateway {
        nat_gateway_id: NatGatewayId,
    },
    CreateTransitGateway {
        description: String,
        options: TransitGatewayOptions,
        tag_specifications: Vec<TagSpecification>,
    },
    DeleteTransitGateway {
        id: TransitGatewayId,
    },
    ModifyTransitGateway(ModifyTgw),
    CreateTransitGatewayPeeringAttachment(CreateTgwPeering),
    AcceptTransitGatewayPeeringAttachment {
        id: TransitGatewayAttachmentId,
    },
    RejectTransitGatewayPeeringAttachment {
        id: TransitGatewayAttachmentId,
    },
    DeleteTransitGatewayPeeringAttachment {
        id: TransitGatewayAttachmentId,
    },
    CreateTransitGatewayVpcAttachment(CreateTgwVpcAttachment),
    AcceptTransitGatewayVpcAttachment {
        id: TransitGatewayAttachmentId,
    },
    RejectTransitGatewayVpcAttachment {
        id: TransitGatewayAttachmentId,
    },
    DeleteTransitGatewayVpcAttachment {
        id: TransitGatewayAttachmentId,
    },
    ModifyTransitGatewayVpcAttachment {
        id: TransitGatewayAttachmentId,
        add_subnets: Vec<SubnetId>,
        remove_subnets: Vec<SubnetId>,
        /// `Options.DnsSupport`, when given.
        #[serde(default)]
        dns_support: Option<bool>,
    },
    CreateTransitGatewayRouteTable {
        transit_gateway_id: TransitGatewayId,
        tag_specifications: Vec<TagSpecification>,
    },
    DeleteTransitGatewayRouteTable {
        id: TransitGatewayRouteTableId,
    },
    AssociateTransitGatewayRouteTable {
        table: TransitGatewayRouteTableId,
        attachment: TransitGatewayAttachmentId,
    },
    DisassociateTransitGatewayRouteTable {
        table: TransitGatewayRouteTableId,
        attachment: TransitGatewayAttachmentId,
    },
    SetTransitGatewayRouteTablePropagation {
        table: TransitGatewayRouteTableId,
        attachment: TransitGatewayAttachmentId,
        enable: bool,
    },
    /// `attachment: None` is a blackhole route.
    CreateTransitGatewayRoute {
        table: TransitGatewayRouteTableId,
        destination: crate::cidr::Ipv4Cidr,
        attachment: Option<TransitGatewayAttachmentId>,
    },
    ReplaceTransitGatewayRoute {
        table: TransitGatewayRouteTableId,
        destination: crate::cidr::Ipv4Cidr,
        attachment: Option<TransitGatewayAttachmentId>,
    },
    DeleteTransitGatewayRoute {
        table: TransitGatewayRouteTableId,
        destination: crate::cidr::Ipv4Cidr,
    },
    RunInstances(RunInstances),
    CreateNetworkInsightsPath(CreateNetworkInsightsPath),
    DeleteNetworkInsightsPath {
        id: NetworkInsightsPathId,
    },
    StartNetworkInsightsAnalysis(StartNetworkInsightsAnalysis),
    DeleteNetworkInsightsAnalysis {
        id: NetworkInsightsAnalysisId,
    },
    CreateFlowLogs(crate::ec2::flow_log::CreateFlowLogs),
    DeleteFlowLogs {
        ids: Vec<String>,
    },
    ModifyInstanceAttribute {
        instance_id: InstanceId,
        change: crate::ec2::instance::InstanceAttributeChange,
    },
    /// Terminate/Stop/StartInstances.
    ChangeInstanceStates {
        instance_ids: Vec<InstanceId>,
        target: InstanceState,
    },
    CreateCustomerGateway {
        bgp_asn: u32,
        ip_address: std::net::Ipv4Addr,
        device_name: Option<String>,
        tag_specifications: Vec<TagSpecification>,
    },
    DeleteCustomerGateway {
        id: CustomerGatewayId,
    },
    CreateVpnGateway {
        amazon_side_asn: Option<u32>,
        tag_specifications: Vec<TagSpecification>,
    },
    AttachVpnGateway {
        id: VpnGatewayId,
        vpc_id: VpcId,
    },
    DetachVpnGateway {
        id: VpnGatewayId,
        vpc_id: VpcId,
    },
    DeleteVpnGateway {
        id: VpnGatewayId,
    },
    CreateVpnConnection {
        customer_gateway_id: CustomerGatewayId,
        target: VpnTarget,
        static_routes_only: bool,
        tag_specifications: Vec<TagSpecification>,
    },
    DeleteVpnConnection {
        id: VpnConnectionId,
    },
    /// Create (`present`) or delete a static route of a VPN connection.
    SetVpnConnectionRoute {
        id: VpnConnectionId,
        cidr: crate::cidr::Ipv4Cidr,
        present: bool,
    },
    SetVgwRoutePropagation {
        route_table_id: RouteTableId,
        vpn_gateway_id: VpnGatewayId,
        enable: bool,
    },
    CreateManagedPrefixList(CreateManagedPrefixList),
    ModifyManagedPrefixList(ModifyManagedPrefixList),
    DeleteManagedPrefixList {
        prefix_list_id: PrefixListId,
    },
    RestoreManagedPrefixListVersion {
        prefix_list_id: PrefixListId,
        previous_version: u64,
        current_version: u64,
    },
    CreateVpcEndpoint(CreateVpcEndpoint),
    ModifyVpcEndpoint(ModifyVpcEndpoint),
    /// Deletes each endpoint on its own; failures are reported per item.
    DeleteVpcEndpoints {
        ids: Vec<VpcEndpointId>,
    },
    Elb(ElbCommand),
    Route53(crate::route53::Route53Command),
    CreateEndpointService(CreateEndpointService),
    ModifyEndpointService(ModifyEndpointService),
    DeleteEndpointServices {
        ids: Vec<VpcEndpointServiceId>,
    },
    ModifyEndpointServicePermissions {
        id: VpcEndpointServiceId,
        add: Vec<String>,
        remove: Vec<String>,
    },
    AnswerEndpointConnections {
        id: VpcEndpointServiceId,
        endpoints: Vec<VpcEndpointId>,
        accept: bool,
    },
    CreateConnectionNotification {
        service_id: Option<VpcEndpointServiceId>,
        vpc_endpoint_id: Option<VpcEndpointId>,
        topic_arn: String,
        events: Vec<String>,
    },
    ModifyConnectionNotification {
        id: ConnectionNotificationId,
        topic_arn: Option<String>,
        events: Option<Vec<String>>,
    },
    DeleteConnectionNotifications {
        ids: Vec<ConnectionNotificationId>,
    },
    /// Clears every account and region.
    Reset,
    Resolver(ResolverCommand),
    Logs(crate::logs::LogsCommand),
    S3(crate::s3::S3Command),
}

impl Command {
    /// Whether the command needs its scope set up first (everything but Reset).
    pub fn needs_scope(&self) -> bool {
        !matches!(self, Self::Reset | Self::EnsureScope { .. })
    }
}

/// What a successful command returns to the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Vpc(Vpc),
    Subnet(Subnet),
    SubnetCidrReservation(SubnetCidrReservation),
    CidrAssociation {
        vpc_id: VpcId,
        association: VpcCidrAssociation,
    },
    SubnetIpv6Association {
        subnet_id: SubnetId,
        association: SubnetIpv6Association,
    },
    EgressOnlyInternetGateway(EgressOnlyInternetGateway),
    SecurityGroup(SecurityGroup),
    SecurityGroupId(SecurityGroupId),
    /// Rules just created, with their group.
    Rules(Vec<(SecurityGroupId, SecurityGroupRule)>),
    /// Rules revoked, and (default VPC only) requested rules that matched nothing.
    Revoked {
        group_id: SecurityGroupId,
        removed: Vec<SecurityGroupRule>,
        unknown: Vec<SecurityGroupRule>,
    },
    InternetGateway(InternetGateway),
    RouteTable(RouteTable),
    RouteTableAssociation(RouteTableAssociationId),
    NetworkAcl(NetworkAcl),
    NetworkAclAssociation(NetworkAclAssociationId),
    NetworkInterface(NetworkInterface),
    NetworkInterfaceAttachment(InterfaceAttachment),
    AssignedAddresses(NetworkInterfaceId, Vec<std::net::Ipv4Addr>),
    /// IPv6 addresses assigned to or unassigned from an interface.
    Ipv6Addresses(NetworkInterfaceId, Vec<std::net::Ipv6Addr>),
    DhcpOptions(DhcpOptions),
    VpcPeeringConnection(VpcPeeringConnection),
    ElasticIp(ElasticIp),
    ElasticIpAssociation(ElasticIpAssociationId),
    NatGateway(NatGateway),
    TransitGateway(TransitGateway),
    TransitGatewayAttachment(TransitGatewayAttachment),
    TransitGatewayRouteTable(TransitGatewayRouteTable),
    Instances(Vec<Instance>),
    NetworkInsightsPath(NetworkInsightsPath),
    NetworkInsightsAnalysis(NetworkInsightsAnalysis),
    /// The flow logs created, and the resources refused.
    FlowLogs(
        Vec<crate::ec2::flow_log::FlowLog>,
        Vec<crate::ec2::flow_log::Unsuccessful>,
    ),
    /// (instance, previous state, current state).
    InstanceStateChanges(Vec<(InstanceId, InstanceState, InstanceState)>),
    CustomerGateway(CustomerGateway),
    VpnGateway(VpnGateway),
    VpnConnection(VpnConnection),
    ManagedPrefixList(ManagedPrefixList),
    VpcEndpoint(VpcEndpoint),
    Elb(ElbOutcome),
    Route53(Route53Outcome),
    EndpointService(VpcEndpointServiceConfiguration),
    AddedPrincipals(Vec<AllowedPrincipal>),
    ConnectionNotification(ConnectionNotification),
    /// Per-item failures of a bulk call: (id, code, message).
    Unsuccessful(Vec<(String, &'static str, String)>),
    Resolver(ResolverOutcome),
    Logs(crate::logs::LogsOutcome),
    S3(crate::s3::S3Outcome),
}

/// A command's typed result: the one [`Outcome`] variant that carries it. `Err` gives the
/// outcome back when a command answered with another variant (a bug in the caller's
/// pairing of command and result).
pub trait FromOutcome: Sized {
    fn from_outcome(outcome: Outcome) -> Result<Self, Box<Outcome>>;
}

macro_rules! from_outcome {
    ($($ty:ty: $pattern:pat => $value:expr,)*) => {
        $(
            impl FromOutcome for $ty {
                fn from_outcome(outcome: Outcome) -> Result<Self, Box<Outcome>> {
                    match outcome {
                        $pattern => Ok($value),
                        other => Err(Box::new(other)),
                    }
                }
            }
        )*
    };
}

from_outcome! {
    // A command that answers nothing, in any service.
    (): Outcome::Done
        | Outcome::Elb(ElbOutcome::Done)
        | Outcome::Route53(Route53Outcome::Done)
        | Outcome::Resolver(ResolverOutcome::Done)
        | Outcome::Logs(crate::logs::LogsOutcome::Done)
        | Outcome::S3(crate::s3::S3Outcome::Done) => (),
    Vpc: Outcome::Vpc(x) => x,
    Subnet: Outcome::Subnet(x) => x,
    SubnetCidrReservation: Outcome::SubnetCidrReservation(x) => x,
    EgressOnlyInternetGateway: Outcome::EgressOnlyInternetGateway(x) => x,
    SecurityGroup: Outcome::SecurityGroup(x) => x,
    SecurityGroupId: Outcome::SecurityGroupId(x) => x,
    InternetGateway: Outcome::InternetGateway(x) => x,
    RouteTable: Outcome::RouteTable(x) => x,
    RouteTableAssociationId: Outcome::RouteTableAssociation(x) => x,
    NetworkAcl: Outcome::NetworkAcl(x) => x,
    NetworkAclAssociationId: Outcome::NetworkAclAssociation(x) => x,
    NetworkInterface: Outcome::NetworkInterface(x) => x,
    InterfaceAttachment: Outcome::NetworkInterfaceAttachment(x) => x,
    DhcpOptions: Outcome::DhcpOptions(x) => x,
    VpcPeeringConnection: Outcome::VpcPeeringConnection(x) => x,
    ElasticIp: Outcome::ElasticIp(x) => x,
    ElasticIpAssociationId: Outcome::ElasticIpAssociation(x) => x,
    NatGateway: Outcome::NatGateway(x) => x,
    TransitGateway: Outcome::TransitGateway(x) => x,
    TransitGatewayAttachment: Outcome::TransitGatewayAttachment(x) => x,
    TransitGatewayRouteTable: Outcome::TransitGatewayRouteTable(x) => x,
    Vec<Instance>: Outcome::Instances(x) => x,
    NetworkInsightsPath: Outcome::NetworkInsightsPath(x) => x,
    NetworkInsightsAnalysis: Outcome::NetworkInsightsAnalysis(x) => x,
    (Vec<crate::ec2::flow_log::FlowLog>, Vec<crate::ec2::flow_log::Unsuccessful>): Outcome::FlowLogs(made, failed) => (made, failed),
    CustomerGateway: Outcome::CustomerGateway(x) => x,
    VpnGateway: Outcome::VpnGateway(x) => x,
    VpnConnection: Outcome::VpnConnection(x) => x,
    ManagedPrefixList: Outcome::ManagedPrefixList(x) => x,
    VpcEndpoint: Outcome::VpcEndpoint(x) => x,
    VpcEndpointServiceConfiguration: Outcome::EndpointService(x) => x,
    ConnectionNotification: Outcome::ConnectionNotification(x) => x,
    Vec<(String, &'static str, String)>: Outcome::Unsuccessful(x) => x,
    (VpcId, VpcCidrAssociation): Outcome::CidrAssociation { vpc_id, association } => (vpc_id, association),
    (SubnetId, SubnetIpv6Association): Outcome::SubnetIpv6Association { subnet_id, association } => (subnet_id, association),
    Vec<(SecurityGroupId, SecurityGroupRule)>: Outcome::Rules(x) => x,
    // (group, rules removed, requested rules that matched nothing).
    (SecurityGroupId, Vec<SecurityGroupRule>, Vec<SecurityGroupRule>): Outcome::Revoked { group_id, removed, unknown } => (group_id, removed, unknown),
    (NetworkInterfaceId, Vec<std::net::Ipv4Addr>): Outcome::AssignedAddresses(id, addresses) => (id, addresses),
    (NetworkInterfaceId, Vec<std::net::Ipv6Addr>): Outcome::Ipv6Addresses(id, addresses) => (id, addresses),
    Vec<(InstanceId, InstanceState, InstanceState)>: Outcome::InstanceStateChanges(x) => x,
    Vec<AllowedPrincipal>: Outcome::AddedPrincipals(x) => x,
    LoadBalancer: Outcome::Elb(ElbOutcome::LoadBalancer(x)) => x,
    TargetGroup: Outcome::Elb(ElbOutcome::TargetGroup(x)) => x,
    Listener: Outcome::Elb(ElbOutcome::Listener(x)) => x,
    // ELBv2 attributes after a change.
    Vec<(String, String)>: Outcome::Elb(ElbOutcome::Attributes(x)) => x,
    (Box<HostedZone>, HostedZoneChange): Outcome::Route53(Route53Outcome::Zone { zone, change }) => (zone, change),
    // The change a Route 53 write recorded (a new zone's too).
    HostedZoneChange: Outcome::Route53(Route53Outcome::Change(change) | Route53Outcome::Zone { change, .. }) => change,
    Box<HealthCheck>: Outcome::Route53(Route53Outcome::HealthCheck(x)) => x,
    Box<ReusableDelegationSet>: Outcome::Route53(Route53Outcome::DelegationSet(x)) => x,
    ResolverEndpoint: Outcome::Resolver(ResolverOutcome::Endpoint(x)) => x,
    ResolverRule: Outcome::Resolver(ResolverOutcome::Rule(x)) => x,
    ResolverRuleAssociation: Outcome::Resolver(ResolverOutcome::RuleAssociation(x)) => x,
    ResolverConfig: Outcome::Resolver(ResolverOutcome::Config(x)) => x,
    ResolverDnssecConfig: Outcome::Resolver(ResolverOutcome::DnssecConfig(x)) => x,
    ResolverQueryLogConfig: Outcome::Resolver(ResolverOutcome::QueryLogConfig(x)) => x,
    ResolverQueryLogConfigAssociation: Outcome::Resolver(ResolverOutcome::QueryLogConfigAssociation(x)) => x,
    crate::logs::PutLogEventsResult: Outcome::Logs(crate::logs::LogsOutcome::Put(x)) => x,
    crate::s3::S3Outcome: Outcome::S3(x) => x,
}
