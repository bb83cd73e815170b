//! The stored resource kinds, declared once. The [`stored_resources!`] table generates the
//! [`Model`]'s maps, [`Resource`] and [`ResourceRef`] (what the store persists), replay, the
//! snapshot listing, and tag editing — so a new kind is one line here plus its module.

use crate::ec2::dhcp::DhcpOptions;
use crate::ec2::egress_only_internet_gateway::EgressOnlyInternetGateway;
use crate::ec2::elastic_ip::ElasticIp;
use crate::ec2::endpoint_service::{ConnectionNotification, VpcEndpointServiceConfiguration};
use crate::ec2::flow_log::FlowLog;
use crate::ec2::instance::Instance;
use crate::ec2::internet_gateway::InternetGateway;
use crate::ec2::nat_gateway::NatGateway;
use crate::ec2::network_acl::NetworkAcl;
use crate::ec2::network_insights::{NetworkInsightsAnalysis, NetworkInsightsPath};
use crate::ec2::network_interface::NetworkInterface;
use crate::ec2::prefix_list::ManagedPrefixList;
use crate::ec2::route_table::RouteTable;
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::subnet_cidr_reservation::SubnetCidrReservation;
use crate::ec2::tags::Tags;
use crate::ec2::transit_gateway::{
    TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable,
};
use crate::ec2::vpc::Vpc;
use crate::ec2::vpc_endpoint::VpcEndpoint;
use crate::ec2::vpc_peering::VpcPeeringConnection;
use crate::ec2::vpn::{CustomerGateway, VpnConnection, VpnGateway};
use crate::elbv2::{
    Listener, ListenerArn, LoadBalancer, LoadBalancerArn, TargetGroup, TargetGroupArn,
};
use crate::error::ModelError;
use crate::id::{
    AllocationId, ConnectionNotificationId, CustomerGatewayId, DhcpOptionsId,
    EgressOnlyInternetGatewayId, FlowLogId, InstanceId, InternetGatewayId, NatGatewayId,
    NetworkAclId, NetworkInsightsAnalysisId, NetworkInsightsPathId, NetworkInterfaceId,
    PrefixListId, ResourceKind, RouteTableId, SecurityGroupId, SubnetCidrReservationId, SubnetId,
    TransitGatewayAttachmentId, TransitGatewayId, TransitGatewayRouteTableId, VpcEndpointId,
    VpcEndpointServiceId, VpcId, VpcPeeringConnectionId, VpnConnectionId, VpnGatewayId,
};
use crate::id::{
    ResolverConfigId, ResolverDnssecConfigId, ResolverEndpointId,
    ResolverQueryLogConfigAssociationId, ResolverQueryLogConfigId, ResolverRuleAssociationId,
    ResolverRuleId,
};
use crate::logs::{LogChunk, LogChunkKey, LogGroup, LogGroupArn, LogStream, LogStreamArn};
use crate::route53::delegation_set::{DelegationSetId, ReusableDelegationSet};
use crate::route53::health_check::{HealthCheck, HealthCheckId};
use crate::route53::{ChangeId, HostedZone, HostedZoneChange, HostedZoneId};
use crate::route53resolver::{
    ResolverConfig, ResolverDnssecConfig, ResolverEndpoint, ResolverQueryLogConfig,
    ResolverQueryLogConfigAssociation, ResolverRule, ResolverRuleAssociation,
};
use crate::s3::{Bucket, BucketName, MultipartUpload, ObjectId, S3Object, UploadId};
use crate::scope::Scope;
use crate::txn::{ScopeState, Txn};
use imbl::OrdMap;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::sync::Arc;

macro_rules! stored_resources {
    ($( $variant:ident($ty:ty, $id:ty) in $field:ident as $kind:ident; )*) => {
        /// Every resource of every account and region.
        ///
        /// Maps are persistent (`imbl`), so `clone` is O(1) and shares structure: a snapshot
        /// for readers and a scratch copy for a command cost nothing up front. Values are
        /// `Arc`s because a write copies the B-tree node it touches, and copying 64 pointers
        /// is far cheaper than deep-cloning 64 resources.
        // INVARIANT: every resource's `scope` is in `scopes`, and every VPC's main route
        // table, default ACL and default security group exist.
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct Model {
            pub(crate) scopes: OrdMap<Scope, Arc<ScopeState>>,
            $( pub(crate) $field: OrdMap<$id, Arc<$ty>>, )*
            /// Derived, never stored: which resources belong to (or are attached to) each
            /// VPC, so "what is in this VPC" is a range lookup instead of a scan of every
            /// resource of a kind. Kept by `put_resource` and `delete_resource`.
            pub(crate) vpc_members: OrdMap<(VpcId, ResourceKind, SmolStr), ()>,
        }

        /// Any stored resource.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Resource {
            Scope(ScopeState),
            $( $variant($ty), )*
        }

        /// A stored resource, borrowed: serializes exactly as [`Resource`] does, so a snapshot
        /// is written straight from the maps without cloning every resource first.
        #[derive(Clone, Copy, Debug, Serialize)]
        #[serde(rename = "Resource")]
        pub enum ResourceView<'a> {
            Scope(&'a ScopeState),
            $( $variant(&'a $ty), )*
        }

        /// The key of a stored resource.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum ResourceRef {
            Scope(Scope),
            $( $variant($id), )*
        }

        impl Model {
            pub(crate) fn put_resource(&mut self, resource: Resource) {
                match resource {
                    Resource::Scope(s) => {
                        self.scopes.insert(s.scope.clone(), Arc::new(s));
                    }
                    $( Resource::$variant(r) => {
                        let old = self.$field.get(&r.id).and_then(|o| member_key(o.as_ref(), ResourceKind::$kind));
                        let new = member_key(&r, ResourceKind::$kind);
                        if old != new {
                            if let Some(old) = old {
                                self.vpc_members.remove(&old);
                            }
                            if let Some(new) = new {
                                self.vpc_members.insert(new, ());
                            }
                        }
                        self.$field.insert(r.id.clone(), Arc::new(r));
                    } )*
                }
            }

            pub(crate) fn delete_resource(&mut self, key: &ResourceRef) {
                match key {
                    ResourceRef::Scope(k) => {
                        self.scopes.remove(k);
                    }
                    $( ResourceRef::$variant(k) => {
                        if let Some(old) = self.$field.remove(k) {
                            if let Some(key) = member_key(old.as_ref(), ResourceKind::$kind) {
                                self.vpc_members.remove(&key);
                            }
                        }
                    } )*
                }
            }

            /// Every stored resource (a snapshot's content), scopes first.
            pub fn resources(&self) -> Vec<Resource> {
                let mut out: Vec<Resource> =
                    self.scopes.values().map(|r| Resource::Scope(ScopeState::clone(r))).collect();
                $( out.extend(self.$field.values().map(|r| Resource::$variant(<$ty>::clone(r)))); )*
                out
            }

            /// Every stored resource, borrowed, in the order of [`Model::resources`].
            pub fn resource_views(&self) -> impl Iterator<Item = ResourceView<'_>> + '_ {
                let views = self.scopes.values().map(|r| ResourceView::Scope(r));
                $( let views = views.chain(self.$field.values().map(|r| ResourceView::$variant(r))); )*
                views
            }

            /// Every stored resource of a scope with its own tags (see `Model::tagged`).
            pub(crate) fn tagged_stored<'a>(&'a self, scope: &'a Scope) -> Vec<(&'a str, ResourceKind, &'a Tags)> {
                let mut out: Vec<(&str, ResourceKind, &Tags)> = Vec::new();
                $( out.extend(
                    self.in_scope::<$ty>(scope).map(|r| (r.id_str(), ResourceKind::$kind, r.tags())),
                ); )*
                out
            }
        }

        $(
            impl Stored for $ty {
                type Id = $id;
                fn map(model: &Model) -> &OrdMap<$id, Arc<Self>> {
                    &model.$field
                }
                fn scope(&self) -> &Scope {
                    &self.scope
                }
                fn id(&self) -> &$id {
                    &self.id
                }
                fn id_str(&self) -> &str {
                    self.id.as_str()
                }
                fn tags(&self) -> &Tags {
                    &self.tags
                }
                fn not_found(id: &$id) -> ModelError {
                    id.not_found()
                }
            }
        )*

        impl Txn<'_, '_> {
            /// Runs `edit` on the tags of the resource `id` (of `kind`) in this scope and
            /// stores the result; `NotFound` for another scope's resource, as AWS answers.
            pub(crate) fn edit_tags(
                &mut self,
                kind: ResourceKind,
                id: &str,
                edit: impl FnOnce(&mut Tags, &str) -> Result<(), ModelError>,
            ) -> Result<(), ModelError> {
                let scope = self.ctx.scope;
                let resource = match kind {
                    $( ResourceKind::$kind => {
                        let key = <$id>::parse(id)?;
                        let mut r = <$ty>::clone(self.model.get(scope, &key)?);
                        edit(&mut r.tags, id)?;
                        Resource::$variant(r)
                    } )*
                    #[allow(unreachable_patterns, reason = "kinds without stored resources")]
                    _ => return Err(ModelError::InvalidId { id: id.to_owned() }),
                };
                self.put(resource);
                Ok(())
            }
        }
    };
}

/// A resource that may belong to a VPC (for the model's per-VPC membership index).
pub(crate) trait InVpc {
    /// The VPC it is in or attached to, and its id; `None` for kinds outside VPCs.
    fn vpc_member(&self) -> Option<(&VpcId, &str)> {
        None
    }
}

fn member_key<T: InVpc>(r: &T, kind: ResourceKind) -> Option<(VpcId, ResourceKind, SmolStr)> {
    r.vpc_member()
        .map(|(vpc, id)| (vpc.clone(), kind, SmolStr::new(id)))
}

impl Model {
    /// The ids of the resources of `kind` in (or attached to) a VPC, in id order: subnets,
    /// subnet CIDR reservations, route tables, network ACLs, security groups, internet,
    /// egress-only and virtual private gateways, interfaces, NAT gateways, endpoints,
    /// instances.
    pub fn vpc_members<'a>(
        &'a self,
        vpc: &VpcId,
        kind: ResourceKind,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let from = (vpc.clone(), kind, SmolStr::default());
        let vpc = vpc.clone();
        self.vpc_members
            .range(from..)
            .take_while(move |((v, k, _), _)| *v == vpc && *k == kind)
            .map(|((_, _, id), _)| id.as_str())
    }
}

impl Model {
    /// The resources of type `T` (of kind `kind`) in a VPC, via the membership index.
    pub(crate) fn members_of<'a, T: Stored>(
        &'a self,
        vpc: &VpcId,
        kind: ResourceKind,
        parse: impl Fn(&str) -> Option<T::Id> + 'a,
    ) -> impl Iterator<Item = &'a T> + 'a {
        self.vpc_members(vpc, kind)
            .filter_map(move |id| parse(id).and_then(|id| T::map(self).get(&id)))
            .map(AsRef::as_ref)
    }
}

/// A stored resource kind, generated by [`stored_resources!`] for every row of its table:
/// how a generic reader finds every resource of a kind, or one by id, and what it can ask
/// of each, without a getter per kind. Readers that answer across scopes (the network
/// decision core, the DNS server) use [`Model::all`] and [`Model::any`]; the API's readers
/// are scope-checked: [`Model::get`] and [`Model::in_scope`].
pub trait Stored: Sized + 'static {
    type Id: Ord + 'static;
    #[doc(hidden)]
    fn map(model: &Model) -> &OrdMap<Self::Id, Arc<Self>>;
    /// The account and region it belongs to.
    fn scope(&self) -> &Scope;
    fn id(&self) -> &Self::Id;
    /// The id as AWS spells it.
    fn id_str(&self) -> &str;
    /// Its own tags. (A peering connection keeps one set per side: the stored one is the
    /// requester's; `VpcPeeringConnection::tags_for` gives the side a scope sees.)
    fn tags(&self) -> &Tags;
    /// The `…NotFound` error that names `id`.
    fn not_found(id: &Self::Id) -> ModelError;
}

impl Model {
    /// One resource of `scope` by id. Another scope's resource is not found, as AWS answers
    /// (kinds that other scopes may see, such as peering connections and transit gateways,
    /// have readers of their own).
    pub fn get<T: Stored>(&self, scope: &Scope, id: &T::Id) -> Result<&T, ModelError> {
        self.any::<T>(id)
            .filter(|r| r.scope() == scope)
            .ok_or_else(|| T::not_found(id))
    }

    /// The resources of a kind in `scope`, in id order.
    pub fn in_scope<'a, T: Stored>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a T> + 'a {
        self.all::<T>().filter(move |r| r.scope() == scope)
    }

    /// Every resource of a kind, of every account and region, in id order.
    pub fn all<T: Stored>(&self) -> impl Iterator<Item = &T> + '_ {
        T::map(self).values().map(AsRef::as_ref)
    }

    /// One resource of any account and region, by id.
    pub fn any<T: Stored>(&self, id: &T::Id) -> Option<&T> {
        T::map(self).get(id).map(AsRef::as_ref)
    }

    /// One resource by id, shared (an index can keep it without copying).
    pub fn any_arc<T: Stored>(&self, id: &T::Id) -> Option<&Arc<T>> {
        T::map(self).get(id)
    }
}

stored_resources! {
    DhcpOptions(DhcpOptions, DhcpOptionsId) in dhcp_options as DhcpOptions;
    Vpc(Vpc, VpcId) in vpcs as Vpc;
    Subnet(Subnet, SubnetId) in subnets as Subnet;
    SubnetCidrReservation(SubnetCidrReservation, SubnetCidrReservationId) in subnet_cidr_reservations as SubnetCidrReservation;
    RouteTable(RouteTable, RouteTableId) in route_tables as RouteTable;
    NetworkAcl(NetworkAcl, NetworkAclId) in network_acls as NetworkAcl;
    SecurityGroup(SecurityGroup, SecurityGroupId) in security_groups as SecurityGroup;
    InternetGateway(InternetGateway, InternetGatewayId) in internet_gateways as InternetGateway;
    EgressOnlyInternetGateway(EgressOnlyInternetGateway, EgressOnlyInternetGatewayId) in egress_only_internet_gateways as EgressOnlyInternetGateway;
    NetworkInterface(NetworkInterface, NetworkInterfaceId) in network_interfaces as NetworkInterface;
    VpcPeeringConnection(VpcPeeringConnection, VpcPeeringConnectionId) in vpc_peering_connections as VpcPeeringConnection;
    ElasticIp(ElasticIp, AllocationId) in elastic_ips as ElasticIp;
    NatGateway(NatGateway, NatGatewayId) in nat_gateways as NatGateway;
    TransitGateway(TransitGateway, TransitGatewayId) in transit_gateways as TransitGateway;
    TransitGatewayAttachment(TransitGatewayAttachment, TransitGatewayAttachmentId) in transit_gateway_attachments as TransitGatewayAttachment;
    TransitGatewayRouteTable(TransitGatewayRouteTable, TransitGatewayRouteTableId) in transit_gateway_route_tables as TransitGatewayRouteTable;
    Instance(Instance, InstanceId) in instances as Instance;
    CustomerGateway(CustomerGateway, CustomerGatewayId) in customer_gateways as CustomerGateway;
    VpnGateway(VpnGateway, VpnGatewayId) in vpn_gateways as VpnGateway;
    VpnConnection(VpnConnection, VpnConnectionId) in vpn_connections as VpnConnection;
    ManagedPrefixList(ManagedPrefixList, PrefixListId) in managed_prefix_lists as PrefixList;
    VpcEndpoint(VpcEndpoint, VpcEndpointId) in vpc_endpoints as VpcEndpoint;
    VpcEndpointServiceConfiguration(VpcEndpointServiceConfiguration, VpcEndpointServiceId) in vpc_endpoint_service_configurations as VpcEndpointService;
    ConnectionNotification(ConnectionNotification, ConnectionNotificationId) in connection_notifications as ConnectionNotification;
    LoadBalancer(LoadBalancer, LoadBalancerArn) in load_balancers as LoadBalancer;
    TargetGroup(TargetGroup, TargetGroupArn) in target_groups as TargetGroup;
    Listener(Listener, ListenerArn) in listeners as Listener;
    HostedZone(HostedZone, HostedZoneId) in hosted_zones as HostedZone;
    HostedZoneChange(HostedZoneChange, ChangeId) in hosted_zone_changes as HostedZoneChange;
    HealthCheck(HealthCheck, HealthCheckId) in health_checks as HealthCheck;
    DelegationSet(ReusableDelegationSet, DelegationSetId) in delegation_sets as DelegationSet;
    ResolverEndpoint(ResolverEndpoint, ResolverEndpointId) in resolver_endpoints as ResolverEndpoint;
    ResolverRule(ResolverRule, ResolverRuleId) in resolver_rules as ResolverRule;
    ResolverRuleAssociation(ResolverRuleAssociation, ResolverRuleAssociationId) in resolver_rule_associations as ResolverRuleAssociation;
    ResolverQueryLogConfig(ResolverQueryLogConfig, ResolverQueryLogConfigId) in resolver_query_log_configs as ResolverQueryLogConfig;
    ResolverQueryLogConfigAssociation(ResolverQueryLogConfigAssociation, ResolverQueryLogConfigAssociationId) in resolver_query_log_config_associations as ResolverQueryLogConfigAssociation;
    ResolverConfig(ResolverConfig, ResolverConfigId) in resolver_configs as ResolverConfig;
    ResolverDnssecConfig(ResolverDnssecConfig, ResolverDnssecConfigId) in resolver_dnssec_configs as ResolverDnssecConfig;
    NetworkInsightsPath(NetworkInsightsPath, NetworkInsightsPathId) in network_insights_paths as NetworkInsightsPath;
    NetworkInsightsAnalysis(NetworkInsightsAnalysis, NetworkInsightsAnalysisId) in network_insights_analyses as NetworkInsightsAnalysis;
    FlowLog(FlowLog, FlowLogId) in flow_logs as FlowLog;
    LogGroup(LogGroup, LogGroupArn) in log_groups as LogGroup;
    LogStream(LogStream, LogStreamArn) in log_streams as LogStream;
    LogChunk(LogChunk, LogChunkKey) in log_chunks as LogChunk;
    S3Bucket(Bucket, BucketName) in buckets as S3Bucket;
    S3Object(S3Object, ObjectId) in s3_objects as S3Object;
    S3MultipartUpload(MultipartUpload, UploadId) in s3_uploads as S3MultipartUpload;
}

/// One committed change. A command's changes are applied and persisted together.
#[allow(
    clippy::large_enum_variant,
    reason = "changes are few per write and mostly Puts; boxing buys nothing (allow, not expect: \
              whether it fires depends on the largest resource)"
)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Put(Resource),
    Delete(ResourceRef),
    /// Everything is gone (`POST /_localvpc/reset`).
    Reset,
}
