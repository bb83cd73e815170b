//! The one place a command becomes the transaction methods that run it.

use crate::command::{Command, Outcome};
use crate::ec2::endpoint_service::ConnectionNotification;
use crate::ec2::tags::{merge_tags, validate_tag};
use crate::error::ModelError;
use crate::resource::ResourceRef;
use crate::txn::Txn;

impl Txn<'_, '_> {
    /// Runs one command inside the transaction.
    pub(crate) fn run(&mut self, command: &Command) -> Result<Outcome, ModelError> {
        Ok(match command {
            Command::EnsureScope { default_vpc } => {
                self.ensure_scope(*default_vpc)?;
                Outcome::Done
            }
            Command::CreateVpc(input) => Outcome::Vpc(self.create_vpc(input)?),
            Command::DeleteVpc { vpc_id } => {
                self.delete_vpc(vpc_id)?;
                Outcome::Done
            }
            Command::ModifyVpcAttribute { vpc_id, attribute } => {
                self.modify_vpc_attribute(vpc_id, *attribute)?;
                Outcome::Done
            }
            Command::AssociateVpcCidrBlock { vpc_id, cidr_block } => {
                let association = self.associate_vpc_cidr_block(vpc_id, cidr_block)?;
                Outcome::CidrAssociation {
                    vpc_id: vpc_id.clone(),
                    association: crate::ec2::vpc::VpcCidrAssociation::V4(association),
                }
            }
            Command::AssociateVpcIpv6CidrBlock {
                vpc_id,
                network_border_group,
            } => {
                let association =
                    self.associate_vpc_ipv6_cidr_block(vpc_id, network_border_group.as_deref())?;
                Outcome::CidrAssociation {
                    vpc_id: vpc_id.clone(),
                    association: crate::ec2::vpc::VpcCidrAssociation::V6(association),
                }
            }
            Command::AssociateSubnetCidrBlock {
                subnet_id,
                ipv6_cidr_block,
            } => Outcome::SubnetIpv6Association {
                subnet_id: subnet_id.clone(),
                association: self.associate_subnet_cidr_block(subnet_id, ipv6_cidr_block)?,
            },
            Command::DisassociateSubnetCidrBlock { association_id } => {
                let (subnet_id, association) =
                    self.disassociate_subnet_cidr_block(association_id)?;
                Outcome::SubnetIpv6Association {
                    subnet_id,
                    association,
                }
            }
            Command::CreateEgressOnlyInternetGateway {
                vpc_id,
                tag_specifications,
            } => Outcome::EgressOnlyInternetGateway(
                self.create_egress_only_internet_gateway(vpc_id, tag_specifications)?,
            ),
            Command::DeleteEgressOnlyInternetGateway { id } => {
                self.delete_egress_only_internet_gateway(id)?;
                Outcome::Done
            }
            Command::DisassociateVpcCidrBlock { association_id } => {
                let (vpc_id, association) = self.disassociate_vpc_cidr_block(association_id)?;
                Outcome::CidrAssociation {
                    vpc_id,
                    association,
                }
            }
            Command::CreateDefaultVpc => Outcome::Vpc(self.create_default_vpc()?),
            Command::CreateSubnetCidrReservation(input) => {
                Outcome::SubnetCidrReservation(self.create_subnet_cidr_reservation(input)?)
            }
            Command::DeleteSubnetCidrReservation { id } => {
                Outcome::SubnetCidrReservation(self.delete_subnet_cidr_reservation(id)?)
            }
            Command::CreateDefaultSubnet(input) => {
                Outcome::Subnet(self.create_default_subnet(input)?)
            }
            Command::ModifyVpcTenancy {
                vpc_id,
                instance_tenancy,
            } => {
                self.modify_vpc_tenancy(vpc_id, instance_tenancy)?;
                Outcome::Done
            }
            Command::CreateSubnet(input) => Outcome::Subnet(self.create_subnet(input)?),
            Command::DeleteSubnet { subnet_id } => {
                self.delete_subnet(subnet_id)?;
                Outcome::Done
            }
            Command::ModifySubnetAttribute {
                subnet_id,
                attribute,
            } => {
                self.modify_subnet_attribute(subnet_id, *attribute)?;
                Outcome::Done
            }
            Command::CreateTags { resource_ids, tags } => {
                for (k, v) in tags {
                    validate_tag(k, v)?;
                }
                for id in resource_ids {
                    self.with_tags(id, |current, id| merge_tags(current, tags, id))?;
                }
                Outcome::Done
            }
            Command::DeleteTags { resource_ids, tags } => {
                for id in resource_ids {
                    self.with_tags(id, |current, _| {
                        for (key, value) in tags {
                            // A given value removes the tag only when it matches.
                            if value.as_ref().is_none_or(|v| current.get(key) == Some(v)) {
                                current.remove(key);
                            }
                        }
                        Ok(())
                    })?;
                }
                Outcome::Done
            }
            Command::CreateSecurityGroup(input) => {
                Outcome::SecurityGroup(self.create_security_group(input)?)
            }
            Command::DeleteSecurityGroup { group } => {
                Outcome::SecurityGroupId(self.delete_security_group(group)?)
            }
            Command::AuthorizeSecurityGroup {
                group,
                egress,
                permissions,
                tag_specifications,
            } => {
                let rules = self.authorize(group, *egress, permissions, tag_specifications)?;
                Outcome::Rules(rules.into_iter().map(|(g, r)| (g.id, r)).collect())
            }
            Command::RevokeSecurityGroup {
                group,
                egress,
                permissions,
                rule_ids,
            } => {
                let (group_id, removed, unknown) =
                    self.revoke(group, *egress, permissions, rule_ids)?;
                Outcome::Revoked {
                    group_id,
                    removed,
                    unknown,
                }
            }
            Command::ModifySecurityGroupRules { group_id, rules } => {
                self.modify_rules(group_id, rules)?;
                Outcome::Done
            }
            Command::UpdateSecurityGroupRuleDescriptions {
                group,
                egress,
                permissions,
                descriptions,
            } => {
                self.update_rule_descriptions(group, *egress, permissions, descriptions)?;
                Outcome::Done
            }
            Command::CreateInternetGateway { tag_specifications } => {
                Outcome::InternetGateway(self.create_internet_gateway(tag_specifications)?)
            }
            Command::AttachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => {
                self.attach_internet_gateway(internet_gateway_id, vpc_id)?;
                Outcome::Done
            }
            Command::DetachInternetGateway {
                internet_gateway_id,
                vpc_id,
            } => {
                self.detach_internet_gateway(internet_gateway_id, vpc_id)?;
                Outcome::Done
            }
            Command::DeleteInternetGateway {
                internet_gateway_id,
            } => {
                self.delete_internet_gateway(internet_gateway_id)?;
                Outcome::Done
            }
            Command::CreateRouteTable {
                vpc_id,
                tag_specifications,
            } => Outcome::RouteTable(self.create_route_table(vpc_id, tag_specifications)?),
            Command::DeleteRouteTable { route_table_id } => {
                self.delete_route_table(route_table_id)?;
                Outcome::Done
            }
            Command::AssociateRouteTable {
                route_table_id,
                subnet_id,
                gateway_id,
            } => Outcome::RouteTableAssociation(self.associate_route_table(
                route_table_id,
                subnet_id.as_ref(),
                gateway_id.as_ref(),
            )?),
            Command::DisassociateRouteTable { association_id } => {
                self.disassociate_route_table(association_id)?;
                Outcome::Done
            }
            Command::ReplaceRouteTableAssociation {
                association_id,
                route_table_id,
            } => Outcome::RouteTableAssociation(
                self.replace_route_table_association(association_id, route_table_id)?,
            ),
            Command::CreateRoute {
                route_table_id,
                route,
            } => {
                self.create_route(route_table_id, route)?;
                Outcome::Done
            }
            Command::ReplaceRoute {
                route_table_id,
                route,
            } => {
                self.replace_route(route_table_id, route)?;
                Outcome::Done
            }
            Command::DeleteRoute {
                route_table_id,
                destination,
            } => {
                self.delete_route(route_table_id, destination)?;
                Outcome::Done
            }
            Command::CreateNetworkAcl {
                vpc_id,
                tag_specifications,
            } => Outcome::NetworkAcl(self.create_network_acl(vpc_id, tag_specifications)?),
            Command::DeleteNetworkAcl { network_acl_id } => {
                self.delete_network_acl(network_acl_id)?;
                Outcome::Done
            }
            Command::CreateNetworkAclEntry {
                network_acl_id,
                entry,
            } => {
                self.create_network_acl_entry(network_acl_id, entry)?;
                Outcome::Done
            }
            Command::ReplaceNetworkAclEntry {
                network_acl_id,
                entry,
            } => {
                self.replace_network_acl_entry(network_acl_id, entry)?;
                Outcome::Done
            }
            Command::DeleteNetworkAclEntry {
                network_acl_id,
                rule_number,
                egress,
            } => {
                self.delete_network_acl_entry(network_acl_id, *rule_number, *egress)?;
                Outcome::Done
            }
            Command::ReplaceNetworkAclAssociation {
                association_id,
                network_acl_id,
            } => Outcome::NetworkAclAssociation(
                self.replace_network_acl_association(association_id, network_acl_id)?,
            ),
            Command::CreateNetworkInterface(input) => {
                Outcome::NetworkInterface(self.create_network_interface(input)?)
            }
            Command::DeleteNetworkInterface {
                network_interface_id,
            } => {
                self.delete_network_interface(network_interface_id)?;
                Outcome::Done
            }
            Command::ModifyNetworkInterfaceAttribute {
                network_interface_id,
                attribute,
            } => {
                self.modify_network_interface(network_interface_id, attribute)?;
                Outcome::Done
            }
            Command::AttachNetworkInterface(input) => {
                Outcome::NetworkInterfaceAttachment(self.attach_network_interface(input)?)
            }
            Command::DetachNetworkInterface { attachment_id, .. } => {
                self.detach_network_interface(attachment_id)?;
                Outcome::Done
            }
            Command::AssignPrivateIpAddresses {
                network_interface_id,
                addresses,
                count,
                allow_reassignment,
            } => {
                let added = self.assign_private_ips(
                    network_interface_id,
                    addresses,
                    *count,
                    *allow_reassignment,
                )?;
                Outcome::AssignedAddresses(network_interface_id.clone(), added)
            }
            Command::UnassignPrivateIpAddresses {
                network_interface_id,
                addresses,
            } => {
                self.unassign_private_ips(network_interface_id, addresses)?;
                Outcome::Done
            }
            Command::AssignIpv6Addresses {
                network_interface_id,
                addresses,
                count,
            } => Outcome::Ipv6Addresses(
                network_interface_id.clone(),
                self.assign_ipv6_addresses(network_interface_id, addresses, *count)?,
            ),
            Command::UnassignIpv6Addresses {
                network_interface_id,
                addresses,
            } => Outcome::Ipv6Addresses(
                network_interface_id.clone(),
                self.unassign_ipv6_addresses(network_interface_id, addresses)?,
            ),
            Command::CreateDhcpOptions {
                configurations,
                tag_specifications,
            } => {
                Outcome::DhcpOptions(self.create_dhcp_options(configurations, tag_specifications)?)
            }
            Command::AssociateDhcpOptions {
                dhcp_options_id,
                vpc_id,
            } => {
                self.associate_dhcp_options(dhcp_options_id.as_ref(), vpc_id)?;
                Outcome::Done
            }
            Command::DeleteDhcpOptions { dhcp_options_id } => {
                self.delete_dhcp_options(dhcp_options_id)?;
                Outcome::Done
            }
            Command::CreateVpcPeeringConnection(input) => {
                Outcome::VpcPeeringConnection(self.create_vpc_peering(input)?)
            }
            Command::AcceptVpcPeeringConnection { id } => {
                Outcome::VpcPeeringConnection(self.accept_vpc_peering(id)?)
            }
            Command::RejectVpcPeeringConnection { id } => {
                self.reject_vpc_peering(id)?;
                Outcome::Done
            }
            Command::DeleteVpcPeeringConnection { id } => {
                self.delete_vpc_peering(id)?;
                Outcome::Done
            }
            Command::ModifyVpcPeeringConnectionOptions {
                id,
                requester,
                accepter,
            } => Outcome::VpcPeeringConnection(
                self.modify_vpc_peering_options(id, *requester, *accepter)?,
            ),
            Command::AllocateAddress { tag_specifications } => {
                Outcome::ElasticIp(self.allocate_address(tag_specifications)?)
            }
            Command::AssociateAddress {
                allocation_id,
                network_interface_id,
                private_ip,
                allow_reassociation,
            } => Outcome::ElasticIpAssociation(self.associate_address(
                allocation_id,
                network_interface_id,
                *private_ip,
                *allow_reassociation,
            )?),
            Command::DisassociateAddress { association_id } => {
                self.disassociate_address(association_id)?;
                Outcome::Done
            }
            Command::ReleaseAddress { allocation_id } => {
                self.release_address(allocation_id)?;
                Outcome::Done
            }
            Command::Elb(c) => Outcome::Elb(self.run_elb(c)?),
            Command::Route53(c) => Outcome::Route53(self.run_route53(c)?),
            Command::CreateEndpointService(input) => {
                Outcome::EndpointService(self.create_endpoint_service(input)?)
            }
            Command::ModifyEndpointService(input) => {
                self.modify_endpoint_service(input)?;
                Outcome::Done
            }
            Command::DeleteEndpointServices { ids } => {
                let mut failed = Vec::new();
                for id in ids {
                    if let Err(e) = self.delete_endpoint_service(id) {
                        failed.push((id.to_string(), e.code(), e.to_string()));
                    }
                }
                Outcome::Unsuccessful(failed)
            }
            Command::ModifyEndpointServicePermissions { id, add, remove } => {
                Outcome::AddedPrincipals(self.modify_service_permissions(id, add, remove)?)
            }
            Command::AnswerEndpointConnections {
                id,
                endpoints,
                accept,
            } => Outcome::Unsuccessful(self.answer_connections(id, endpoints, *accept)?),
            Command::CreateConnectionNotification {
                service_id,
                vpc_endpoint_id,
                topic_arn,
                events,
            } => Outcome::ConnectionNotification(self.create_connection_notification(
                service_id.as_ref(),
                vpc_endpoint_id.as_ref(),
                topic_arn,
                events,
            )?),
            Command::ModifyConnectionNotification {
                id,
                topic_arn,
                events,
            } => {
                self.modify_connection_notification(id, topic_arn.as_deref(), events.as_deref())?;
                Outcome::Done
            }
            Command::DeleteConnectionNotifications { ids } => {
                let mut failed = Vec::new();
                for id in ids {
                    match self.model.get::<ConnectionNotification>(self.ctx.scope, id) {
                        Ok(_) => self.delete(ResourceRef::ConnectionNotification(id.clone())),
                        Err(e) => failed.push((id.to_string(), e.code(), e.to_string())),
                    }
                }
                Outcome::Unsuccessful(failed)
            }
            Command::CreateVpcEndpoint(input) => {
                Outcome::VpcEndpoint(self.create_vpc_endpoint(input)?)
            }
            Command::ModifyVpcEndpoint(input) => {
                self.modify_vpc_endpoint(input)?;
                Outcome::Done
            }
            Command::DeleteVpcEndpoints { ids } => {
                let mut failed = Vec::new();
                for id in ids {
                    if let Err(e) = self.delete_vpc_endpoint(id) {
                        failed.push((id.to_string(), e.code(), e.to_string()));
                    }
                }
                Outcome::Unsuccessful(failed)
            }
            Command::CreateManagedPrefixList(input) => {
                Outcome::ManagedPrefixList(self.create_managed_prefix_list(input)?)
            }
            Command::ModifyManagedPrefixList(input) => {
                Outcome::ManagedPrefixList(self.modify_managed_prefix_list(input)?)
            }
            Command::DeleteManagedPrefixList { prefix_list_id } => {
                Outcome::ManagedPrefixList(self.delete_managed_prefix_list(prefix_list_id)?)
            }
            Command::RestoreManagedPrefixListVersion {
                prefix_list_id,
                previous_version,
                current_version,
            } => Outcome::ManagedPrefixList(self.restore_managed_prefix_list_version(
                prefix_list_id,
                *previous_version,
                *current_version,
            )?),
            Command::CreateNatGateway(input) => {
                Outcome::NatGateway(self.create_nat_gateway(input)?)
            }
            Command::DeleteNatGateway { nat_gateway_id } => {
                self.delete_nat_gateway(nat_gateway_id)?;
                Outcome::Done
            }
            Command::CreateTransitGateway {
                description,
                options,
                tag_specifications,
            } => Outcome::TransitGateway(self.create_transit_gateway(
                description,
                options.clone(),
                tag_specifications,
            )?),
            Command::DeleteTransitGateway { id } => {
                Outcome::TransitGateway(self.delete_transit_gateway(id)?)
            }
            Command::ModifyTransitGateway(input) => {
                Outcome::TransitGateway(self.modify_transit_gateway(input)?)
            }
            Command::CreateTransitGatewayPeeringAttachment(input) => {
                Outcome::TransitGatewayAttachment(self.create_tgw_peering(input)?)
            }
            Command::AcceptTransitGatewayPeeringAttachment { id } => {
                Outcome::TransitGatewayAttachment(self.accept_tgw_peering(id)?)
            }
            Command::RejectTransitGatewayPeeringAttachment { id } => {
                Outcome::TransitGatewayAttachment(self.reject_tgw_peering(id)?)
            }
            Command::DeleteTransitGatewayPeeringAttachment { id } => {
                Outcome::TransitGatewayAttachment(self.delete_tgw_peering(id)?)
            }
            Command::CreateTransitGatewayVpcAttachment(input) => {
                Outcome::TransitGatewayAttachment(self.create_tgw_vpc_attachment(input)?)
            }
            Command::AcceptTransitGatewayVpcAttachment { id } => {
                Outcome::TransitGatewayAttachment(self.accept_tgw_attachment(id)?)
            }
            Command::RejectTransitGatewayVpcAttachment { id } => {
                Outcome::TransitGatewayAttachment(self.reject_tgw_attachment(id)?)
            }
            Command::DeleteTransitGatewayVpcAttachment { id } => {
                Outcome::TransitGatewayAttachment(self.delete_tgw_attachment(id)?)
            }
            Command::ModifyTransitGatewayVpcAttachment {
                id,
                add_subnets,
                remove_subnets,
                dns_support,
            } => Outcome::TransitGatewayAttachment(self.modify_tgw_attachment(
                id,
                add_subnets,
                remove_subnets,
                *dns_support,
            )?),
            Command::CreateTransitGatewayRouteTable {
                transit_gateway_id,
                tag_specifications,
            } => Outcome::TransitGatewayRouteTable(
                self.create_tgw_route_table(transit_gateway_id, tag_specifications)?,
            ),
            Command::DeleteTransitGatewayRouteTable { id } => {
                Outcome::TransitGatewayRouteTable(self.delete_tgw_route_table(id)?)
            }
            Command::AssociateTransitGatewayRouteTable { table, attachment } => {
                self.associate_tgw_route_table(table, attachment)?;
                Outcome::Done
            }
            Command::DisassociateTransitGatewayRouteTable { table, attachment } => {
                self.disassociate_tgw_route_table(table, attachment)?;
                Outcome::Done
            }
            Command::SetTransitGatewayRouteTablePropagation {
                table,
                attachment,
                enable,
            } => {
                self.set_tgw_propagation(table, attachment, *enable)?;
                Outcome::Done
            }
            Command::CreateTransitGatewayRoute {
                table,
                destination,
                attachment,
            } => {
                self.create_tgw_route(table, *destination, attachment.clone())?;
                Outcome::Done
            }
            Command::ReplaceTransitGatewayRoute {
                table,
                destination,
                attachment,
            } => {
                self.replace_tgw_route(table, *destination, attachment.clone())?;
                Outcome::Done
            }
            Command::DeleteTransitGatewayRoute { table, destination } => {
                self.delete_tgw_route(table, *destination)?;
                Outcome::Done
            }
            Command::RunInstances(input) => Outcome::Instances(self.run_instances(input)?),
            Command::CreateFlowLogs(input) => {
                let (made, failed) = self.create_flow_logs(input)?;
                Outcome::FlowLogs(made, failed)
            }
            Command::DeleteFlowLogs { ids } => Outcome::Unsuccessful(self.delete_flow_logs(ids)),
            Command::CreateNetworkInsightsPath(input) => {
                Outcome::NetworkInsightsPath(self.create_network_insights_path(input)?)
            }
            Command::DeleteNetworkInsightsPath { id } => {
                self.delete_network_insights_path(id)?;
                Outcome::Done
            }
            Command::StartNetworkInsightsAnalysis(input) => {
                Outcome::NetworkInsightsAnalysis(self.start_network_insights_analysis(input)?)
            }
            Command::DeleteNetworkInsightsAnalysis { id } => {
                self.delete_network_insights_analysis(id)?;
                Outcome::Done
            }
            Command::ModifyInstanceAttribute {
                instance_id,
                change,
            } => {
                self.modify_instance_attribute(instance_id, *change)?;
                Outcome::Done
            }
            Command::ChangeInstanceStates {
                instance_ids,
                target,
            } => Outcome::InstanceStateChanges(self.change_instance_states(instance_ids, *target)?),
            Command::CreateCustomerGateway {
                bgp_asn,
                ip_address,
                device_name,
                tag_specifications,
            } => Outcome::CustomerGateway(self.create_customer_gateway(
                *bgp_asn,
                *ip_address,
                device_name.clone(),
                tag_specifications,
            )?),
            Command::DeleteCustomerGateway { id } => {
                self.delete_customer_gateway(id)?;
                Outcome::Done
            }
            Command::CreateVpnGateway {
                amazon_side_asn,
                tag_specifications,
            } => {
                Outcome::VpnGateway(self.create_vpn_gateway(*amazon_side_asn, tag_specifications)?)
            }
            Command::AttachVpnGateway { id, vpc_id } => {
                self.attach_vpn_gateway(id, vpc_id)?;
                Outcome::Done
            }
            Command::DetachVpnGateway { id, vpc_id } => {
                self.detach_vpn_gateway(id, vpc_id)?;
                Outcome::Done
            }
            Command::DeleteVpnGateway { id } => {
                self.delete_vpn_gateway(id)?;
                Outcome::Done
            }
            Command::CreateVpnConnection {
                customer_gateway_id,
                target,
                static_routes_only,
                tag_specifications,
            } => Outcome::VpnConnection(self.create_vpn_connection(
                customer_gateway_id,
                target,
                *static_routes_only,
                tag_specifications,
            )?),
            Command::DeleteVpnConnection { id } => {
                self.delete_vpn_connection(id)?;
                Outcome::Done
            }
            Command::SetVpnConnectionRoute { id, cidr, present } => {
                self.set_vpn_connection_route(id, *cidr, *present)?;
                Outcome::Done
            }
            Command::SetVgwRoutePropagation {
                route_table_id,
                vpn_gateway_id,
                enable,
            } => {
                self.set_vgw_route_propagation(route_table_id, vpn_gateway_id, *enable)?;
                Outcome::Done
            }
            Command::Reset => {
                self.reset();
                Outcome::Done
            }
            Command::Resolver(c) => Outcome::Resolver(self.run_resolver(c)?),
            Command::Logs(c) => Outcome::Logs(self.run_logs(c)?),
            Command::S3(c) => Outcome::S3(self.run_s3(c)?),
        })
    }
}
