//! Lookup tables of one model snapshot, built once per published snapshot (off the query
//! path: the writer calls [`crate::Dns::refresh`] right after publishing) and read by
//! every query of that snapshot: per VPC its customer rules, private zones, endpoint
//! private-DNS zones, EC2 and reverse domains and query-log targets; per hosted zone its
//! record sets by name. A zone whose stored value did not change keeps its table from the
//! previous snapshot.

use crate::querylog::LogTargets;
use crate::resolve::{compute_domains, endpoint_zones, reverse_zones};
use localvpc_model::route53::{HostedZone, HostedZoneId, ZoneVpc};
use localvpc_model::{Catalog, EndpointTypeWire, Model, ResolverRule, VpcEndpointId, VpcId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A snapshot and its tables.
pub(crate) struct Indexed {
    pub(crate) model: Arc<Model>,
    pub(crate) index: Index,
}

impl Indexed {
    /// Builds the tables of `model`, reusing the zone tables of `previous` for zones whose
    /// stored value is the same allocation.
    pub(crate) fn build(model: Arc<Model>, catalog: &Catalog, previous: Option<&Self>) -> Self {
        let index = Index::build(&model, catalog, previous.map(|p| &p.index));
        Self { model, index }
    }
}

#[derive(Default)]
pub(crate) struct Index {
    vpcs: HashMap<VpcId, VpcIndex>,
    zones: HashMap<HostedZoneId, Arc<ZoneIndex>>,
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

/// A hosted zone's record sets by owner name.
pub(crate) struct ZoneIndex {
    /// The zone value the table was built from (an address, only compared).
    source: usize,
    /// Owner name → positions in `records`, in order.
    by_name: HashMap<String, Vec<usize>>,
    /// Every owner name and each of its ancestors down to the apex: the names with records
    /// at or below them.
    occupied: HashSet<String>,
}

impl ZoneIndex {
    fn build(zone: &HostedZone) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::with_capacity(zone.records.len());
        let mut occupied: HashSet<String> = HashSet::with_capacity(zone.records.len());
        for (pos, set) in zone.records.iter().enumerate() {
            match by_name.get_mut(&set.name) {
                Some(positions) => positions.push(pos),
                None => {
                    by_name.insert(set.name.clone(), vec![pos]);
                }
            }
            let mut name = set.name.as_str();
            loop {
                // Record sets are in name order, so most ancestors are already in.
                if occupied.contains(name) {
                    break;
                }
                occupied.insert(name.to_owned());
                if name == zone.name {
                    break;
                }
                match name.split_once('.') {
                    Some((_, parent)) if !parent.is_empty() => name = parent,
                    _ => break,
                }
            }
        }
        Self {
            source: zone_address(zone),
            by_name,
            occupied,
        }
    }

    /// Positions of the record sets named `name`.
    pub(crate) fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether this table was built from this very zone value.
    pub(crate) fn built_from(&self, zone: &HostedZone) -> bool {
        self.source == zone_address(zone)
    }

    /// Whether records exist at or below `name`.
    pub(crate) fn occupied(&self, name: &str) -> bool {
        self.occupied.contains(name)
    }
}

fn zone_address(zone: &HostedZone) -> usize {
    std::ptr::from_ref(zone) as usize
}

impl Index {
    pub(crate) fn build(model: &Model, catalog: &Catalog, previous: Option<&Self>) -> Self {
        let mut zones = HashMap::new();
        for zone in model.all_hosted_zones() {
            let reused = previous
                .and_then(|p| p.zones.get(&zone.id))
                .filter(|z| z.source == zone_address(zone))
                .cloned();
            let table = reused.unwrap_or_else(|| Arc::new(ZoneIndex::build(zone)));
            zones.insert(zone.id.clone(), table);
        }
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
                .private_zones_of_vpc(zone_vpc)
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
        Self { vpcs, zones }
    }

    pub(crate) fn vpc(&self, id: &VpcId) -> Option<&VpcIndex> {
        self.vpcs.get(id)
    }

    pub(crate) fn zone(&self, id: &HostedZoneId) -> Option<&ZoneIndex> {
        self.zones.get(id).map(Arc::as_ref)
    }
}
