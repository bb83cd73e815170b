//! Lookup tables of one model snapshot, kept up to date once per published snapshot (off
//! the query path: the writer calls [`crate::Dns::refresh`] with the batch's changes right
//! after publishing) and read by every query of that snapshot: per VPC its customer rules,
//! private zones, endpoint private-DNS zones, EC2 and reverse domains and query-log targets.
//! (A hosted zone needs no table: its record sets are kept in list order, so a name is a
//! binary search away.)
//!
//! The tables are a persistent map of per-VPC entries: a write rebuilds the entries of the
//! VPCs its changes touch and shares the rest with the previous snapshot's tables, so its
//! cost does not grow with the number of VPCs.

use crate::querylog::LogTargets;
use crate::resolve::{compute_domains, endpoint_zones, reverse_zones};
use localvpc_model::route53::{HostedZone, HostedZoneId, ZoneVpc};
use localvpc_model::{
    Catalog, Change, EndpointTypeWire, Model, ResolverRule, Resource, ResourceRef, Vpc,
    VpcEndpoint, VpcEndpointId, VpcId,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// A snapshot and its tables.
pub(crate) struct Indexed {
    pub(crate) model: Arc<Model>,
    pub(crate) index: Index,
}

impl Indexed {
    /// Builds the tables of `model`.
    pub(crate) fn build(model: Arc<Model>, catalog: &Catalog) -> Self {
        let index = Index::build(&model, catalog);
        Self { model, index }
    }

    /// The tables of `model`, which is `self.model` with `changes` applied: the entries of
    /// the VPCs the changes touch are rebuilt, the others shared.
    pub(crate) fn update(
        &self,
        model: Arc<Model>,
        catalog: &Catalog,
        changes: &[Vec<Change>],
    ) -> Self {
        let Some(touched) = touched_vpcs(&self.model, changes) else {
            return Self::build(model, catalog);
        };
        let mut vpcs = self.index.vpcs.clone();
        for id in touched {
            match model.any::<Vpc>(&id) {
                Some(vpc) => {
                    let endpoints: Vec<&VpcEndpoint> =
                        model.vpc_endpoints_of_vpc(&vpc.id).collect();
                    vpcs.insert(id, Arc::new(vpc_index(&model, catalog, vpc, &endpoints)));
                }
                None => {
                    vpcs.remove(&id);
                }
            }
        }
        Self {
            model,
            index: Index { vpcs },
        }
    }
}

#[derive(Default, PartialEq)]
pub(crate) struct Index {
    vpcs: imbl::HashMap<VpcId, Arc<VpcIndex>>,
}

/// The VPCs whose tables a batch of changes may alter, or `None` when every VPC's may
/// (a reset, or a change whose reach is not worth working out).
fn touched_vpcs(before: &Model, changes: &[Vec<Change>]) -> Option<BTreeSet<VpcId>> {
    let mut touched = BTreeSet::new();
    let endpoint_vpc =
        |m: &Model, id: &VpcEndpointId| m.any::<VpcEndpoint>(id).map(|e| e.vpc_id.clone());
    for change in changes.iter().flatten() {
        match change {
            Change::Reset => return None,
            Change::Put(Resource::Vpc(v)) => {
                touched.insert(v.id.clone());
            }
            Change::Delete(ResourceRef::Vpc(id)) => {
                touched.insert(id.clone());
            }
            Change::Put(Resource::VpcEndpoint(e)) => {
                touched.insert(e.vpc_id.clone());
                touched.extend(endpoint_vpc(before, &e.id));
            }
            Change::Delete(ResourceRef::VpcEndpoint(id)) => {
                touched.extend(endpoint_vpc(before, id));
            }
            Change::Put(Resource::HostedZone(z)) => {
                let old = before
                    .any::<HostedZone>(&z.id)
                    .map(|o| o.vpcs.clone())
                    .unwrap_or_default();
                touched.extend(z.vpcs.iter().chain(&old).map(|v| v.vpc_id.clone()));
            }
            Change::Delete(ResourceRef::HostedZone(id)) => {
                if let Some(old) = before.any::<HostedZone>(id) {
                    touched.extend(old.vpcs.iter().map(|v| v.vpc_id.clone()));
                }
            }
            Change::Put(Resource::ResolverRuleAssociation(a)) => {
                touched.insert(a.vpc_id.clone());
            }
            Change::Put(Resource::ResolverQueryLogConfigAssociation(a)) => {
                touched.insert(a.vpc_id.clone());
            }
            Change::Put(Resource::ResolverConfig(c)) => {
                touched.insert(c.vpc_id.clone());
            }
            // Deleting an association, or changing a rule, a query-log config, an endpoint
            // service's private name (or an unknown kind that names DNS): recompute all.
            Change::Delete(ResourceRef::ResolverRuleAssociation(_))
            | Change::Delete(ResourceRef::ResolverQueryLogConfigAssociation(_))
            | Change::Delete(ResourceRef::ResolverConfig(_))
            | Change::Put(Resource::ResolverRule(_))
            | Change::Delete(ResourceRef::ResolverRule(_))
            | Change::Put(Resource::ResolverQueryLogConfig(_))
            | Change::Delete(ResourceRef::ResolverQueryLogConfig(_))
            | Change::Put(Resource::VpcEndpointServiceConfiguration(_))
            | Change::Delete(ResourceRef::VpcEndpointServiceConfiguration(_)) => return None,
            // Subnets, interfaces, instances, routes, groups, records…: no table holds them.
            _ => {}
        }
    }
    Some(touched)
}

/// An endpoint's hidden private-DNS zones: (zone name, apex record?, wildcard record?).
pub(crate) type EndpointZones = Vec<(String, bool, bool)>;

/// What a VPC's resolver consults, precomputed.
#[derive(PartialEq)]
pub(crate) struct VpcIndex {
    /// Associated customer rules, in association order.
    pub(crate) rules: Vec<ResolverRule>,
    /// Associated private hosted zones, in zone id order.
    pub(crate) zones: Vec<HostedZoneId>,
    /// Interface endpoints with private DNS enabled, in id order, with their hidden zones.
    pub(crate) endpoints: Vec<(VpcEndpointId, EndpointZones)>,
    /// (private, public) EC2 name domains of the VPC's region.
    pub(crate) compute: (String, String),
    /// The autodefined reverse zones of the VPC (empty when turned off).
    pub(crate) reverse: Vec<String>,
    /// Where its queries are logged (`None`: not logged).
    pub(crate) query_log: Option<Arc<LogTargets>>,
}

/// One VPC's entry; `endpoints` are the VPC's endpoints (found by the caller, in id order).
fn vpc_index(model: &Model, catalog: &Catalog, vpc: &Vpc, endpoints: &[&VpcEndpoint]) -> VpcIndex {
    let rules = model
        .resolver_rules_for_vpc(&vpc.id)
        .into_iter()
        .filter(|r| !r.is_autodefined())
        .collect();
    let zone_vpc = ZoneVpc {
        region: vpc.scope.region.clone(),
        vpc_id: vpc.id.clone(),
    };
    let private_zones = model
        .hosted_zones_for_vpc(&zone_vpc)
        .map(|z| z.id.clone())
        .collect();
    let endpoints = endpoints
        .iter()
        .filter(|e| e.endpoint_type == EndpointTypeWire::Interface && e.private_dns_enabled)
        .map(|e| (e.id.clone(), endpoint_zones(model, catalog, e)))
        .collect();
    let reverse = if model.autodefined_reverse_enabled(&vpc.id) {
        reverse_zones(vpc)
    } else {
        Vec::new()
    };
    let configs: Vec<String> = model
        .query_log_configs_for_vpc(&vpc.id)
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    let query_log = (!configs.is_empty()).then(|| {
        Arc::new(LogTargets {
            configs: configs.into(),
            account_id: vpc.scope.account.to_string(),
            region: vpc.scope.region.clone(),
            vpc_id: vpc.id.to_string(),
        })
    });
    VpcIndex {
        rules,
        zones: private_zones,
        endpoints,
        compute: compute_domains(&vpc.scope.region),
        reverse,
        query_log,
    }
}

impl Index {
    pub(crate) fn build(model: &Model, catalog: &Catalog) -> Self {
        // Endpoints grouped once, not scanned per VPC.
        let mut endpoints: HashMap<&VpcId, Vec<&VpcEndpoint>> = HashMap::new();
        for e in model.all::<VpcEndpoint>() {
            endpoints.entry(&e.vpc_id).or_default().push(e);
        }
        let mut vpcs = imbl::HashMap::new();
        for vpc in model.all::<Vpc>() {
            let mine = endpoints.get(&vpc.id).map_or(&[][..], Vec::as_slice);
            vpcs.insert(
                vpc.id.clone(),
                Arc::new(vpc_index(model, catalog, vpc, mine)),
            );
        }
        Self { vpcs }
    }

    pub(crate) fn vpc(&self, id: &VpcId) -> Option<&VpcIndex> {
        self.vpcs.get(id).map(AsRef::as_ref)
    }
}
