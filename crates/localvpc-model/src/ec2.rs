//! EC2 VPC resources and the rules AWS applies when they are created, changed and deleted.

pub(crate) mod dhcp;
pub(crate) mod egress_only_internet_gateway;
pub(crate) mod elastic_ip;
pub(crate) mod endpoint_service;
pub(crate) mod flow_log;
pub(crate) mod image;
pub(crate) mod instance;
pub(crate) mod internet_gateway;
pub(crate) mod nat_gateway;
pub(crate) mod network_acl;
pub(crate) mod network_insights;
pub(crate) mod network_interface;
pub(crate) mod prefix_list;
pub(crate) mod route_table;
pub(crate) mod security_group;
pub(crate) mod subnet;
pub(crate) mod subnet_cidr_reservation;
pub(crate) mod tags;
pub(crate) mod tgw_peering;
pub(crate) mod traffic;
pub(crate) mod transit_gateway;
pub(crate) mod vpc;
pub(crate) mod vpc_endpoint;
pub(crate) mod vpc_peering;
pub(crate) mod vpn;
