//! Lookup tables of one model snapshot, built once per published snapshot (off the query
//! path: the writer calls [`crate::Dns::refresh`] right after publishing) and read by
//! every query of that snapshot: per VPC its customer rules, private zones, endpoint
//! private-DNS zones, EC2 and reverse domains and query-log targets. (A hosted zone needs no
//! table: its record sets are kept in list order, so a name is a binary search away.)

use crate::querylog::LogTargets;
use crate::resolve::{compute_domains, endpoint_zones, reverse_zones};
use localvpc_model::route53::{HostedZoneId, ZoneVpc};
use localvpc_model::{Catalog, EndpointTypeWire, Model, ResolverRule, VpcEndpointId, VpcId};
use std::collections::HashMap;
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
}

#[derive(Default)]
pub(crate) struct Index {
    vpcs: HashMap<VpcId, VpcIndex>,
}

/// An endpoint's hidden private-DNS zones: (zone name, apex record?, wildcard record?).
pub(crate) type EndpointZones = Vec<(String, bool, bool)>;

/// What a VPC's resolver consults, precomputed.
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

impl Index {
    pub(crate) fn build(model: &Model, catalog: &Catalog) -> Self {
        let mut vpcs = HashMap::new();
        for vpc in model.all_vpcs() {
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
            let endpoints = model
                .vpc_endpoints_of_vpc(&vpc.id)
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
            vpcs.insert(
                vpc.id.clone(),
                VpcIndex {
                    rules,
                    zones: private_zones,
                    endpoints,
                    compute: compute_domains(&vpc.scope.region),
                    reverse,
                    query_log,
                },
            );
        }
        Self { vpcs }
    }

    pub(crate) fn vpc(&self, id: &VpcId) -> Option<&VpcIndex> {
        self.vpcs.get(id)
    }
}
