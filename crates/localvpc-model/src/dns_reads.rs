//! Read-only lookups for the DNS server. It answers for every account and region at once
//! (a query names no scope; its view does), so these ignore scopes, unlike the API's
//! lookups, which answer `…NotFound` across accounts.

use crate::ec2::elastic_ip::ElasticIp;
use crate::ec2::instance::Instance;
use crate::ec2::network_interface::NetworkInterface;
use crate::ec2::vpc::Vpc;
use crate::ec2::vpc_endpoint::VpcEndpoint;
use crate::ec2::vpc_peering::VpcPeeringConnection;
use crate::elbv2::LoadBalancer;
use crate::id::{VpcEndpointId, VpcId};
use crate::resource::Model;
use crate::route53::{HostedZone, HostedZoneId};
use crate::route53resolver::ResolverEndpoint;

impl Model {
    /// A VPC of any scope.
    pub fn vpc_any(&self, id: &VpcId) -> Option<&Vpc> {
        self.vpcs.get(id).map(AsRef::as_ref)
    }

    /// Every VPC of every scope, ordered by id.
    pub fn all_vpcs(&self) -> impl Iterator<Item = &Vpc> + '_ {
        self.vpcs.values().map(AsRef::as_ref)
    }

    /// Every Resolver endpoint of every scope, ordered by id.
    pub fn all_resolver_endpoints(&self) -> impl Iterator<Item = &ResolverEndpoint> + '_ {
        self.resolver_endpoints.values().map(AsRef::as_ref)
    }

    /// A VPC endpoint of any scope.
    pub fn vpc_endpoint_any(&self, id: &VpcEndpointId) -> Option<&VpcEndpoint> {
        self.vpc_endpoints.get(id).map(AsRef::as_ref)
    }

    /// The VPC endpoints in a VPC, ordered by id.
    pub fn vpc_endpoints_of_vpc<'a>(
        &'a self,
        vpc_id: &'a VpcId,
    ) -> impl Iterator<Item = &'a VpcEndpoint> + 'a {
        self.members_of::<VpcEndpoint>(vpc_id, crate::id::ResourceKind::VpcEndpoint, |id| {
            VpcEndpointId::parse(id).ok()
        })
    }

    /// The network interfaces in a VPC (instances', endpoints', load balancers'…).
    pub fn interfaces_of_vpc<'a>(
        &'a self,
        vpc_id: &'a VpcId,
    ) -> impl Iterator<Item = &'a NetworkInterface> + 'a {
        self.members_of::<NetworkInterface>(
            vpc_id,
            crate::id::ResourceKind::NetworkInterface,
            |id| crate::id::NetworkInterfaceId::parse(id).ok(),
        )
    }

    /// Every instance of every scope.
    pub fn all_instances(&self) -> impl Iterator<Item = &Instance> + '_ {
        self.instances.values().map(AsRef::as_ref)
    }

    /// Every Elastic IP of every scope.
    pub fn all_elastic_ips(&self) -> impl Iterator<Item = &ElasticIp> + '_ {
        self.elastic_ips.values().map(AsRef::as_ref)
    }

    /// Every peering connection, whatever its state.
    pub fn all_vpc_peerings(&self) -> impl Iterator<Item = &VpcPeeringConnection> + '_ {
        self.vpc_peering_connections.values().map(AsRef::as_ref)
    }

    /// A hosted zone of any account.
    pub fn hosted_zone_any(&self, id: &HostedZoneId) -> Option<&HostedZone> {
        self.hosted_zones.get(id).map(AsRef::as_ref)
    }

    /// Every public hosted zone of every account, ordered by id.
    pub fn public_hosted_zones(&self) -> impl Iterator<Item = &HostedZone> + '_ {
        self.hosted_zones
            .values()
            .map(AsRef::as_ref)
            .filter(|z| !z.private)
    }

    /// Every load balancer of every scope.
    pub fn all_load_balancers(&self) -> impl Iterator<Item = &LoadBalancer> + '_ {
        self.load_balancers.values().map(AsRef::as_ref)
    }
}
