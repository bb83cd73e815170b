//! The EC2 query protocol (`Action=…&Version=2016-11-15`): routing and the operations.
//!
//! One file per resource family; each operation decodes its [`QueryParams`], answers
//! DryRun after validation, then runs a command or reads a snapshot and writes the
//! `…Response` XML with the member names of the botocore `ec2/2016-11-15` model.

mod describe;
mod dhcp;
mod egress_only_internet_gateway;
mod elastic_ip;
mod endpoint_service;
mod filter;
mod flow_log;
mod input;
mod instance;
pub use instance::instance_profile_id;
mod instance_type;
mod internet_gateway;
mod nat_gateway;
mod network_acl;
mod network_insights;
mod network_interface;
mod params;
mod prefix_list;
mod region;
mod route_table;
mod security_group;
mod subnet;
mod subnet_cidr_reservation;
mod tags;
#[cfg(test)]
pub(crate) mod testing;
mod transit_gateway;
mod vpc;
mod vpc_endpoint;
mod vpc_peering;
mod vpn;

use crate::{ApiError, ApiResponse, Backend, RequestCtx};
pub(crate) use filter::{decode_token, encode_token};
use localvpc_model::{Command, Model};
use localvpc_wire::query::QueryParams;
use localvpc_wire::xml::{XmlWriter, ec2_response};
use std::sync::Arc;

/// The API version every EC2 operation here speaks.
pub const VERSION: &str = "2016-11-15";

/// Every action this module serves (also the list `InvalidAction` is judged against).
pub const ACTIONS: &[&str] = &[
    "AcceptTransitGatewayPeeringAttachment",
    "AcceptTransitGatewayVpcAttachment",
    "AcceptVpcEndpointConnections",
    "AcceptVpcPeeringConnection",
    "AllocateAddress",
    "AssignIpv6Addresses",
    "AssignPrivateIpAddresses",
    "AssociateAddress",
    "AssociateDhcpOptions",
    "AssociateRouteTable",
    "AssociateSubnetCidrBlock",
    "AssociateTransitGatewayRouteTable",
    "AssociateVpcCidrBlock",
    "AttachInternetGateway",
    "AttachNetworkInterface",
    "AttachVpnGateway",
    "AuthorizeSecurityGroupEgress",
    "AuthorizeSecurityGroupIngress",
    "CreateCustomerGateway",
    "CreateDefaultSubnet",
    "CreateDefaultVpc",
    "CreateDhcpOptions",
    "CreateEgressOnlyInternetGateway",
    "CreateFlowLogs",
    "CreateInternetGateway",
    "CreateManagedPrefixList",
    "CreateNatGateway",
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "CreateNetworkInsightsPath",
    "CreateNetworkInterface",
    "CreateRoute",
    "CreateRouteTable",
    "CreateSecurityGroup",
    "CreateSubnet",
    "CreateSubnetCidrReservation",
    "CreateTags",
    "CreateTransitGateway",
    "CreateTransitGatewayPeeringAttachment",
    "CreateTransitGatewayRoute",
    "CreateTransitGatewayRouteTable",
    "CreateTransitGatewayVpcAttachment",
    "CreateVpc",
    "CreateVpcEndpoint",
    "CreateVpcEndpointConnectionNotification",
    "CreateVpcEndpointServiceConfiguration",
    "CreateVpcPeeringConnection",
    "CreateVpnConnection",
    "CreateVpnConnectionRoute",
    "CreateVpnGateway",
    "DeleteCustomerGateway",
    "DeleteDhcpOptions",
    "DeleteEgressOnlyInternetGateway",
    "DeleteFlowLogs",
    "DeleteInternetGateway",
    "DeleteManagedPrefixList",
    "DeleteNatGateway",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "DeleteNetworkInsightsAnalysis",
    "DeleteNetworkInsightsPath",
    "DeleteNetworkInterface",
    "DeleteRoute",
    "DeleteRouteTable",
    "DeleteSecurityGroup",
    "DeleteSubnet",
    "DeleteSubnetCidrReservation",
    "DeleteTags",
    "DeleteTransitGateway",
    "DeleteTransitGatewayPeeringAttachment",
    "DeleteTransitGatewayRoute",
    "DeleteTransitGatewayRouteTable",
    "DeleteTransitGatewayVpcAttachment",
    "DeleteVpc",
    "DeleteVpcEndpointConnectionNotifications",
    "DeleteVpcEndpointServiceConfigurations",
    "DeleteVpcEndpoints",
    "DeleteVpcPeeringConnection",
    "DeleteVpnConnection",
    "DeleteVpnConnectionRoute",
    "DeleteVpnGateway",
    "DescribeAddresses",
    "DescribeAvailabilityZones",
    "DescribeCustomerGateways",
    "DescribeDhcpOptions",
    "DescribeEgressOnlyInternetGateways",
    "DescribeFlowLogs",
    "DescribeImages",
    "DescribeInstanceAttribute",
    "DescribeInstanceCreditSpecifications",
    "DescribeInstanceStatus",
    "DescribeInstanceTypeOfferings",
    "DescribeInstanceTypes",
    "DescribeInstances",
    "DescribeInternetGateways",
    "DescribeManagedPrefixLists",
    "DescribeNatGateways",
    "DescribeNetworkAcls",
    "DescribeNetworkInsightsAnalyses",
    "DescribeNetworkInsightsPaths",
    "DescribeNetworkInterfaces",
    "DescribePrefixLists",
    "DescribeRegions",
    "DescribeRouteTables",
    "DescribeSecurityGroupRules",
    "DescribeSecurityGroups",
    "DescribeSubnets",
    "DescribeTags",
    "DescribeTransitGatewayAttachments",
    "DescribeTransitGatewayPeeringAttachments",
    "DescribeTransitGatewayRouteTables",
    "DescribeTransitGatewayVpcAttachments",
    "DescribeTransitGateways",
    "DescribeVolumes",
    "DescribeVpcAttribute",
    "DescribeVpcEndpointConnectionNotifications",
    "DescribeVpcEndpointConnections",
    "DescribeVpcEndpointServiceConfigurations",
    "DescribeVpcEndpointServicePermissions",
    "DescribeVpcEndpointServices",
    "DescribeVpcEndpoints",
    "DescribeVpcPeeringConnections",
    "DescribeVpcs",
    "DescribeVpnConnections",
    "DescribeVpnGateways",
    "DetachInternetGateway",
    "DetachNetworkInterface",
    "DetachVpnGateway",
    "DisableTransitGatewayRouteTablePropagation",
    "DisableVgwRoutePropagation",
    "DisassociateAddress",
    "DisassociateRouteTable",
    "DisassociateSubnetCidrBlock",
    "DisassociateTransitGatewayRouteTable",
    "DisassociateVpcCidrBlock",
    "EnableTransitGatewayRouteTablePropagation",
    "EnableVgwRoutePropagation",
    "GetInstanceUefiData",
    "GetManagedPrefixListAssociations",
    "GetManagedPrefixListEntries",
    "GetSubnetCidrReservations",
    "GetTransitGatewayRouteTableAssociations",
    "GetTransitGatewayRouteTablePropagations",
    "ModifyInstanceAttribute",
    "ModifyManagedPrefixList",
    "ModifyNetworkInterfaceAttribute",
    "ModifySecurityGroupRules",
    "ModifySubnetAttribute",
    "ModifyTransitGateway",
    "ModifyTransitGatewayVpcAttachment",
    "ModifyVpcAttribute",
    "ModifyVpcEndpoint",
    "ModifyVpcEndpointConnectionNotification",
    "ModifyVpcEndpointServiceConfiguration",
    "ModifyVpcEndpointServicePermissions",
    "ModifyVpcPeeringConnectionOptions",
    "ModifyVpcTenancy",
    "RejectTransitGatewayPeeringAttachment",
    "RejectTransitGatewayVpcAttachment",
    "RejectVpcEndpointConnections",
    "RejectVpcPeeringConnection",
    "ReleaseAddress",
    "ReplaceNetworkAclAssociation",
    "ReplaceNetworkAclEntry",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "ReplaceTransitGatewayRoute",
    "RestoreManagedPrefixListVersion",
    "RevokeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RunInstances",
    "SearchTransitGatewayRoutes",
    "StartInstances",
    "StartNetworkInsightsAnalysis",
    "StartVpcEndpointServicePrivateDnsVerification",
    "StopInstances",
    "TerminateInstances",
    "UnassignIpv6Addresses",
    "UnassignPrivateIpAddresses",
    "UpdateSecurityGroupRuleDescriptionsEgress",
    "UpdateSecurityGroupRuleDescriptionsIngress",
];

/// Serves one EC2 request.
pub(crate) async fn serve<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    action: &str,
    params: &QueryParams,
) -> Result<ApiResponse, ApiError> {
    Ok(ApiResponse::xml(
        200,
        dispatch(backend, ctx, action, params).await?,
    ))
}

/// What an operation hands back: the XML of its result members.
type Body = Result<String, ApiError>;

async fn dispatch<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    action: &str,
    params: &QueryParams,
) -> Body {
    check_parameters(action, params)?;
    let op = Op {
        backend,
        ctx,
        action,
        params: input::Input::new(params),
    };
    crate::service::ensure_scope(backend, &ctx.scope).await?;
    match action {
        "DescribeRegions" => region::describe_regions(&op),
        "DescribeAvailabilityZones" => region::describe_availability_zones(&op),
        "CreateVpc" => vpc::create_vpc(&op).await,
        "CreateDefaultVpc" => vpc::create_default_vpc(&op).await,
        "CreateDefaultSubnet" => subnet::create_default_subnet(&op).await,
        "ModifyVpcTenancy" => vpc::modify_vpc_tenancy(&op).await,
        "DescribeVpcs" => vpc::describe_vpcs(&op),
        "DeleteVpc" => vpc::delete_vpc(&op).await,
        "ModifyVpcAttribute" => vpc::modify_vpc_attribute(&op).await,
        "DescribeVpcAttribute" => vpc::describe_vpc_attribute(&op),
        "AssociateVpcCidrBlock" => vpc::associate_vpc_cidr_block(&op).await,
        "DisassociateVpcCidrBlock" => vpc::disassociate_vpc_cidr_block(&op).await,
        "CreateSubnet" => subnet::create_subnet(&op).await,
        "DescribeSubnets" => subnet::describe_subnets(&op),
        "DeleteSubnet" => subnet::delete_subnet(&op).await,
        "ModifySubnetAttribute" => subnet::modify_subnet_attribute(&op).await,
        "AssociateSubnetCidrBlock" => subnet::associate_subnet_cidr_block(&op).await,
        "DisassociateSubnetCidrBlock" => subnet::disassociate_subnet_cidr_block(&op).await,
        "CreateSubnetCidrReservation" => subnet_cidr_reservation::create(&op).await,
        "DeleteSubnetCidrReservation" => subnet_cidr_reservation::delete(&op).await,
        "GetSubnetCidrReservations" => subnet_cidr_reservation::get(&op),
        "CreateSecurityGroup" => security_group::create_security_group(&op).await,
        "DeleteSecurityGroup" => security_group::delete_security_group(&op).await,
        "DescribeSecurityGroups" => security_group::describe_security_groups(&op),
        "AuthorizeSecurityGroupIngress" => security_group::authorize(&op, false).await,
        "AuthorizeSecurityGroupEgress" => security_group::authorize(&op, true).await,
        "RevokeSecurityGroupIngress" => security_group::revoke(&op, false).await,
        "RevokeSecurityGroupEgress" => security_group::revoke(&op, true).await,
        "DescribeSecurityGroupRules" => security_group::describe_security_group_rules(&op),
        "ModifySecurityGroupRules" => security_group::modify_security_group_rules(&op).await,
        "UpdateSecurityGroupRuleDescriptionsIngress" => {
            security_group::update_rule_descriptions(&op, false).await
        }
        "UpdateSecurityGroupRuleDescriptionsEgress" => {
            security_group::update_rule_descriptions(&op, true).await
        }
        "CreateInternetGateway" => internet_gateway::create(&op).await,
        "AttachInternetGateway" => internet_gateway::attach(&op).await,
        "DetachInternetGateway" => internet_gateway::detach(&op).await,
        "DeleteInternetGateway" => internet_gateway::delete(&op).await,
        "DescribeInternetGateways" => internet_gateway::describe(&op),
        "CreateEgressOnlyInternetGateway" => egress_only_internet_gateway::create(&op).await,
        "DeleteEgressOnlyInternetGateway" => egress_only_internet_gateway::delete(&op).await,
        "DescribeEgressOnlyInternetGateways" => egress_only_internet_gateway::describe(&op),
        "CreateFlowLogs" => flow_log::create(&op).await,
        "DeleteFlowLogs" => flow_log::delete(&op).await,
        "DescribeFlowLogs" => flow_log::describe(&op),
        "CreateRouteTable" => route_table::create_route_table(&op).await,
        "DeleteRouteTable" => route_table::delete_route_table(&op).await,
        "DescribeRouteTables" => route_table::describe_route_tables(&op),
        "AssociateRouteTable" => route_table::associate_route_table(&op).await,
        "DisassociateRouteTable" => route_table::disassociate_route_table(&op).await,
        "ReplaceRouteTableAssociation" => route_table::replace_route_table_association(&op).await,
        "CreateRoute" => route_table::create_route(&op).await,
        "ReplaceRoute" => route_table::replace_route(&op).await,
        "DeleteRoute" => route_table::delete_route(&op).await,
        "CreateNetworkAcl" => network_acl::create_network_acl(&op).await,
        "DeleteNetworkAcl" => network_acl::delete_network_acl(&op).await,
        "DescribeNetworkAcls" => network_acl::describe_network_acls(&op),
        "CreateNetworkAclEntry" => network_acl::create_network_acl_entry(&op).await,
        "ReplaceNetworkAclEntry" => network_acl::replace_network_acl_entry(&op).await,
        "DeleteNetworkAclEntry" => network_acl::delete_network_acl_entry(&op).await,
        "ReplaceNetworkAclAssociation" => network_acl::replace_network_acl_association(&op).await,
        "CreateNetworkInterface" => network_interface::create(&op).await,
        "DeleteNetworkInterface" => network_interface::delete(&op).await,
        "DescribeNetworkInterfaces" => network_interface::describe(&op),
        "ModifyNetworkInterfaceAttribute" => network_interface::modify(&op).await,
        "AttachNetworkInterface" => network_interface::attach(&op).await,
        "DetachNetworkInterface" => network_interface::detach(&op).await,
        "AssignPrivateIpAddresses" => network_interface::assign(&op).await,
        "UnassignPrivateIpAddresses" => network_interface::unassign(&op).await,
        "AssignIpv6Addresses" => network_interface::assign_ipv6(&op).await,
        "UnassignIpv6Addresses" => network_interface::unassign_ipv6(&op).await,
        "CreateDhcpOptions" => dhcp::create(&op).await,
        "AssociateDhcpOptions" => dhcp::associate(&op).await,
        "DeleteDhcpOptions" => dhcp::delete(&op).await,
        "DescribeDhcpOptions" => dhcp::describe(&op),
        "CreateVpcPeeringConnection" => vpc_peering::create(&op).await,
        "AcceptVpcPeeringConnection" => vpc_peering::accept(&op).await,
        "RejectVpcPeeringConnection" => vpc_peering::reject(&op).await,
        "DeleteVpcPeeringConnection" => vpc_peering::delete(&op).await,
        "DescribeVpcPeeringConnections" => vpc_peering::describe(&op),
        "ModifyVpcPeeringConnectionOptions" => vpc_peering::modify_options(&op).await,
        "AllocateAddress" => elastic_ip::allocate(&op).await,
        "AssociateAddress" => elastic_ip::associate(&op).await,
        "DisassociateAddress" => elastic_ip::disassociate(&op).await,
        "ReleaseAddress" => elastic_ip::release(&op).await,
        "DescribeAddresses" => elastic_ip::describe(&op),
        "CreateNatGateway" => nat_gateway::create(&op).await,
        "CreateVpcEndpoint" => vpc_endpoint::create(&op).await,
        "CreateVpcEndpointServiceConfiguration" => endpoint_service::create(&op).await,
        "ModifyVpcEndpointServiceConfiguration" => endpoint_service::modify(&op).await,
        "DeleteVpcEndpointServiceConfigurations" => endpoint_service::delete(&op).await,
        "DescribeVpcEndpointServiceConfigurations" => endpoint_service::describe(&op),
        "ModifyVpcEndpointServicePermissions" => endpoint_service::modify_permissions(&op).await,
        "DescribeVpcEndpointServicePermissions" => endpoint_service::describe_permissions(&op),
        "DescribeVpcEndpointConnections" => endpoint_service::describe_connections(&op),
        "AcceptVpcEndpointConnections" => endpoint_service::answer_connections(&op, true).await,
        "RejectVpcEndpointConnections" => endpoint_service::answer_connections(&op, false).await,
        "StartVpcEndpointServicePrivateDnsVerification" => {
            endpoint_service::start_private_dns_verification(&op).await
        }
        "CreateVpcEndpointConnectionNotification" => {
            endpoint_service::create_notification(&op).await
        }
        "ModifyVpcEndpointConnectionNotification" => {
            endpoint_service::modify_notification(&op).await
        }
        "DeleteVpcEndpointConnectionNotifications" => {
            endpoint_service::delete_notifications(&op).await
        }
        "DescribeVpcEndpointConnectionNotifications" => {
            endpoint_service::describe_notifications(&op)
        }
        "ModifyVpcEndpoint" => vpc_endpoint::modify(&op).await,
        "DeleteVpcEndpoints" => vpc_endpoint::delete(&op).await,
        "DescribeVpcEndpoints" => vpc_endpoint::describe(&op),
        "DescribeVpcEndpointServices" => vpc_endpoint::describe_services(&op),
        "CreateManagedPrefixList" => prefix_list::create(&op).await,
        "ModifyManagedPrefixList" => prefix_list::modify(&op).await,
        "DeleteManagedPrefixList" => prefix_list::delete(&op).await,
        "RestoreManagedPrefixListVersion" => prefix_list::restore(&op).await,
        "DescribeManagedPrefixLists" => prefix_list::describe_managed(&op),
        "DescribePrefixLists" => prefix_list::describe(&op),
        "GetManagedPrefixListEntries" => prefix_list::get_entries(&op),
        "GetManagedPrefixListAssociations" => prefix_list::get_associations(&op),
        "DeleteNatGateway" => nat_gateway::delete(&op).await,
        "DescribeNatGateways" => nat_gateway::describe(&op),
        "CreateTransitGateway" => transit_gateway::create(&op).await,
        "DeleteTransitGateway" => transit_gateway::delete(&op).await,
        "DescribeTransitGateways" => transit_gateway::describe(&op),
        "ModifyTransitGateway" => transit_gateway::modify(&op).await,
        "CreateTransitGatewayPeeringAttachment" => {
            transit_gateway::create_peering_attachment(&op).await
        }
        "AcceptTransitGatewayPeeringAttachment" => {
            transit_gateway::accept_peering_attachment(&op).await
        }
        "RejectTransitGatewayPeeringAttachment" => {
            transit_gateway::reject_peering_attachment(&op).await
        }
        "DeleteTransitGatewayPeeringAttachment" => {
            transit_gateway::delete_peering_attachment(&op).await
        }
        "DescribeTransitGatewayPeeringAttachments" => {
            transit_gateway::describe_peering_attachments(&op)
        }
        "CreateTransitGatewayVpcAttachment" => transit_gateway::create_vpc_attachment(&op).await,
        "AcceptTransitGatewayVpcAttachment" => transit_gateway::accept_vpc_attachment(&op).await,
        "RejectTransitGatewayVpcAttachment" => transit_gateway::reject_vpc_attachment(&op).await,
        "DeleteTransitGatewayVpcAttachment" => transit_gateway::delete_vpc_attachment(&op).await,
        "ModifyTransitGatewayVpcAttachment" => transit_gateway::modify_vpc_attachment(&op).await,
        "DescribeTransitGatewayVpcAttachments" => transit_gateway::describe_vpc_attachments(&op),
        "DescribeTransitGatewayAttachments" => transit_gateway::describe_attachments(&op),
        "CreateTransitGatewayRouteTable" => transit_gateway::create_route_table(&op).await,
        "DeleteTransitGatewayRouteTable" => transit_gateway::delete_route_table(&op).await,
        "DescribeTransitGatewayRouteTables" => transit_gateway::describe_route_tables(&op),
        "AssociateTransitGatewayRouteTable" => transit_gateway::associate_route_table(&op).await,
        "DisassociateTransitGatewayRouteTable" => {
            transit_gateway::disassociate_route_table(&op).await
        }
        "EnableTransitGatewayRouteTablePropagation" => {
            transit_gateway::set_propagation(&op, true).await
        }
        "DisableTransitGatewayRouteTablePropagation" => {
            transit_gateway::set_propagation(&op, false).await
        }
        "GetTransitGatewayRouteTableAssociations" => transit_gateway::get_associations(&op),
        "GetTransitGatewayRouteTablePropagations" => transit_gateway::get_propagations(&op),
        "CreateTransitGatewayRoute" => transit_gateway::create_route(&op).await,
        "ReplaceTransitGatewayRoute" => transit_gateway::replace_route(&op).await,
        "DeleteTransitGatewayRoute" => transit_gateway::delete_route(&op).await,
        "SearchTransitGatewayRoutes" => transit_gateway::search_routes(&op),
        "RunInstances" => instance::run(&op).await,
        "DescribeInstances" => instance::describe(&op),
        "TerminateInstances" => {
            instance::change_state(&op, localvpc_model::InstanceState::Terminated).await
        }
        "StopInstances" => {
            instance::change_state(&op, localvpc_model::InstanceState::Stopped).await
        }
        "StartInstances" => {
            instance::change_state(&op, localvpc_model::InstanceState::Running).await
        }
        "DescribeInstanceStatus" => instance::describe_status(&op),
        "DescribeImages" => instance::describe_images(&op),
        "DescribeInstanceAttribute" => instance::describe_attribute(&op),
        "DescribeInstanceCreditSpecifications" => instance::describe_credit_specifications(&op),
        "DescribeVolumes" => instance::describe_volumes(&op),
        "GetInstanceUefiData" => instance::get_uefi_data(&op),
        "ModifyInstanceAttribute" => instance::modify_attribute(&op).await,
        "DescribeInstanceTypes" => instance_type::describe_types(&op),
        "DescribeInstanceTypeOfferings" => instance_type::describe_offerings(&op),
        "CreateCustomerGateway" => vpn::create_customer_gateway(&op).await,
        "DeleteCustomerGateway" => vpn::delete_customer_gateway(&op).await,
        "DescribeCustomerGateways" => vpn::describe_customer_gateways(&op),
        "CreateVpnGateway" => vpn::create_vpn_gateway(&op).await,
        "AttachVpnGateway" => vpn::attach_vpn_gateway(&op).await,
        "DetachVpnGateway" => vpn::detach_vpn_gateway(&op).await,
        "DeleteVpnGateway" => vpn::delete_vpn_gateway(&op).await,
        "DescribeVpnGateways" => vpn::describe_vpn_gateways(&op),
        "CreateVpnConnection" => vpn::create_vpn_connection(&op).await,
        "DeleteVpnConnection" => vpn::delete_vpn_connection(&op).await,
        "DescribeVpnConnections" => vpn::describe_vpn_connections(&op),
        "CreateVpnConnectionRoute" => vpn::vpn_connection_route(&op, true).await,
        "DeleteVpnConnectionRoute" => vpn::vpn_connection_route(&op, false).await,
        "EnableVgwRoutePropagation" => vpn::vgw_route_propagation(&op, true).await,
        "DisableVgwRoutePropagation" => vpn::vgw_route_propagation(&op, false).await,
        "CreateNetworkInsightsPath" => network_insights::create_path(&op).await,
        "DeleteNetworkInsightsPath" => network_insights::delete_path(&op).await,
        "DescribeNetworkInsightsPaths" => network_insights::describe_paths(&op),
        "StartNetworkInsightsAnalysis" => network_insights::start_analysis(&op).await,
        "DeleteNetworkInsightsAnalysis" => network_insights::delete_analysis(&op).await,
        "DescribeNetworkInsightsAnalyses" => network_insights::describe_analyses(&op),
        "CreateTags" => tags::create_tags(&op).await,
        "DeleteTags" => tags::delete_tags(&op).await,
        "DescribeTags" => tags::describe_tags(&op),
        _ => Err(ApiError::new(
            400,
            "InvalidAction",
            format!("The action {action} is not valid for this web service."),
        )),
    }
}

/// Refuses any parameter the action does not define, as EC2 does (`UnknownParameter`).
fn check_parameters(action: &str, params: &QueryParams) -> Result<(), ApiError> {
    let accepted = params::PARAMS
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, p)| *p)
        .unwrap_or_default();
    for key in params.keys() {
        // The envelope and SigV4 query authentication are not operation parameters.
        if key == "Action" || key == "Version" || key.starts_with("X-Amz-") {
            continue;
        }
        if !accepted.iter().any(|pattern| matches_pattern(pattern, key)) {
            return Err(ApiError::new(
                400,
                "UnknownParameter",
                format!("The parameter {key} is not recognized"),
            ));
        }
    }
    Ok(())
}

/// `Filter.#.Value.#` matches `Filter.1.Value.2`: `#` is a list index (1 or more).
fn matches_pattern(pattern: &str, key: &str) -> bool {
    let mut want = pattern.split('.');
    let mut have = key.split('.');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some("#"), Some(index)) => {
                if index.parse::<u32>().map_or(true, |i| i == 0) || index.starts_with('0') {
                    return false;
                }
            }
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

/// `<unsuccessful>` of bulk calls: one item per (resource id, error code, message).
fn write_unsuccessful(w: &mut XmlWriter, failed: &[(String, &'static str, String)]) {
    w.list("unsuccessful", failed, |w, (id, code, message)| {
        w.node("error", |w| {
            w.leaf("code", code).leaf("message", message);
        });
        w.leaf("resourceId", id);
    });
}

/// One operation in progress.
struct Op<'a, B> {
    backend: &'a B,
    ctx: &'a RequestCtx,
    action: &'a str,
    params: input::Input<'a>,
}

impl<B: Backend> Op<'_, B> {
    fn snapshot(&self) -> Arc<Model> {
        self.backend.snapshot()
    }

    /// Answers DryRun once the input has been validated.
    fn check_dry_run(&self) -> Result<(), ApiError> {
        if self.params.bool("DryRun")?.unwrap_or(false) {
            return Err(ApiError::dry_run());
        }
        Ok(())
    }

    /// Runs a command whose answer carries nothing the response needs.
    async fn run(&self, command: Command) -> Result<(), ApiError> {
        self.check_dry_run()?;
        self.backend
            .execute(self.ctx.scope.clone(), command)
            .await?;
        Ok(())
    }

    /// Runs a command whose result is one typed value (the `Outcome` variant carrying it).
    async fn run_as<T: localvpc_model::FromOutcome>(
        &self,
        command: Command,
    ) -> Result<T, ApiError> {
        self.check_dry_run()?;
        crate::execute_as(self.backend, &self.ctx.scope, command).await
    }

    /// The response envelope around `body`.
    fn respond(&self, body: impl FnOnce(&mut XmlWriter)) -> Body {
        Ok(ec2_response(self.action, &self.ctx.request_id, body))
    }

    /// `<return>true</return>`, the answer of EC2's boolean operations.
    fn respond_true(&self) -> Body {
        self.respond(|w| {
            w.bool("return", true);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_patterns() {
        assert!(matches_pattern("Filter.#.Value.#", "Filter.1.Value.12"));
        assert!(!matches_pattern("Filter.#.Value.#", "Filter.x.Value.1"));
        assert!(!matches_pattern("Filter.#.Value.#", "Filter.0.Value.1"));
        assert!(!matches_pattern("Filter.#.Value.#", "Filter.1.Value"));
        assert!(!matches_pattern("VpcId.#", "VpcId.01"));
        assert!(matches_pattern("DryRun", "DryRun"));
    }

    #[test]
    fn every_action_has_its_parameter_table() {
        for action in ACTIONS {
            assert!(
                params::PARAMS.iter().any(|(a, _)| a == action),
                "{action}: run scripts/gen-ec2-params.py"
            );
        }
        let p = QueryParams::parse(
            b"Action=DescribeVpcs&VpcId.1=vpc-1&Filter.1.Name=a&Filter.1.Value.1=b&MaxResults=5",
        );
        assert!(check_parameters("DescribeVpcs", &p).is_ok());
        let p = QueryParams::parse(b"Action=DescribeVpcs&VpcIds.1=vpc-1");
        assert_eq!(
            check_parameters("DescribeVpcs", &p).unwrap_err().code,
            "UnknownParameter"
        );
    }
}
