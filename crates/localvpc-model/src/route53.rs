//! Route 53 hosted zones (docs/aws-semantics.md §6): public and private zones, their VPC associations and
//! cross-account authorisations, and resource record sets changed in atomic batches.
//!
//! Route 53 is global: zones belong to an account and are stored under the scope
//! `(account, us-east-1)`, the region Route 53 requests are signed for. VPCs are named by
//! `(region, vpc id)` and may belong to any account.

pub mod name;
pub mod record;

use crate::catalog::{Catalog, fnv1a};
use crate::ec2::tags::{MAX_TAGS, Tags, validate_tag};
use crate::ec2::vpc_endpoint::EndpointState;
use crate::error::ModelError;
use crate::id::{ResourceKind, Timestamp, VpcId};
use crate::resource::{Model, Resource};
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use name::NameError;
use record::{AliasTarget, RecordSet};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The region Route 53's global resources are stored under.
pub const ROUTE53_REGION: &str = "us-east-1";

/// Hosted zones per account (AWS default quota).
pub const MAX_HOSTED_ZONES: usize = 500;
/// VPCs per private hosted zone.
pub const MAX_ZONE_VPCS: usize = 300;
/// Authorisations per hosted zone.
pub const MAX_AUTHORIZATIONS: usize = 1000;
/// Changes per ChangeResourceRecordSets batch.
pub const MAX_CHANGES: usize = 1000;

/// Route 53 error codes, each with its HTTP status (docs/aws-semantics.md §10.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route53ErrorCode {
    NoSuchHostedZone,
    NoSuchChange,
    InvalidVpcId,
    InvalidInput,
    InvalidDomainName,
    HostedZoneAlreadyExists,
    HostedZoneNotEmpty,
    ConflictingDomainExists,
    PublicZoneVpcAssociation,
    NotAuthorizedException,
    VpcAssociationNotFound,
    LastVpcAssociation,
    VpcAssociationAuthorizationNotFound,
    TooManyVpcAssociationAuthorizations,
    TooManyHostedZones,
    LimitsExceeded,
    InvalidChangeBatch,
    InvalidPaginationToken,
    NoSuchHealthCheck,
    HealthCheckAlreadyExists,
    HealthCheckVersionMismatch,
    TooManyHealthChecks,
    NoSuchDelegationSet,
    DelegationSetAlreadyCreated,
    DelegationSetAlreadyReusable,
    DelegationSetInUse,
    HostedZoneNotFound,
    InvalidArgument,
}

impl Route53ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSuchHostedZone => "NoSuchHostedZone",
            Self::NoSuchChange => "NoSuchChange",
            Self::InvalidVpcId => "InvalidVPCId",
            Self::InvalidInput => "InvalidInput",
            Self::InvalidDomainName => "InvalidDomainName",
            Self::HostedZoneAlreadyExists => "HostedZoneAlreadyExists",
            Self::HostedZoneNotEmpty => "HostedZoneNotEmpty",
            Self::ConflictingDomainExists => "ConflictingDomainExists",
            Self::PublicZoneVpcAssociation => "PublicZoneVPCAssociation",
            Self::NotAuthorizedException => "NotAuthorizedException",
            Self::VpcAssociationNotFound => "VPCAssociationNotFound",
            Self::LastVpcAssociation => "LastVPCAssociation",
            Self::VpcAssociationAuthorizationNotFound => "VPCAssociationAuthorizationNotFound",
            Self::TooManyVpcAssociationAuthorizations => "TooManyVPCAssociationAuthorizations",
            Self::TooManyHostedZones => "TooManyHostedZones",
            Self::LimitsExceeded => "LimitsExceeded",
            Self::InvalidChangeBatch => "InvalidChangeBatch",
            Self::InvalidPaginationToken => "InvalidPaginationToken",
            Self::NoSuchHealthCheck => "NoSuchHealthCheck",
            Self::HealthCheckAlreadyExists => "HealthCheckAlreadyExists",
            Self::HealthCheckVersionMismatch => "HealthCheckVersionMismatch",
            Self::TooManyHealthChecks => "TooManyHealthChecks",
            Self::NoSuchDelegationSet => "NoSuchDelegationSet",
            Self::DelegationSetAlreadyCreated => "DelegationSetAlreadyCreated",
            Self::DelegationSetAlreadyReusable => "DelegationSetAlreadyReusable",
            Self::DelegationSetInUse => "DelegationSetInUse",
            Self::HostedZoneNotFound => "HostedZoneNotFound",
            Self::InvalidArgument => "InvalidArgument",
        }
    }

    /// The HTTP status Route 53 answers with (from the botocore model's error traits).
    pub fn status(self) -> u16 {
        match self {
            Self::NoSuchHostedZone
            | Self::NoSuchChange
            | Self::VpcAssociationNotFound
            | Self::VpcAssociationAuthorizationNotFound
            | Self::NoSuchHealthCheck => 404,
            Self::HostedZoneAlreadyExists
            | Self::HealthCheckAlreadyExists
            | Self::HealthCheckVersionMismatch => 409,
            Self::NotAuthorizedException => 401,
            _ => 400,
        }
    }
}

pub(crate) fn r53_error(code: Route53ErrorCode, message: impl Into<String>) -> ModelError {
    ModelError::Route53 {
        code,
        message: message.into(),
    }
}

macro_rules! route53_id {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $letter:literal, $path:literal, $missing:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(::smol_str::SmolStr);

        impl $name {
            pub const KIND: ResourceKind = $kind;

            /// Accepts the bare id or the `/<path>/<id>` form the API returns.
            pub fn parse(s: &str) -> Result<Self, ModelError> {
                let bare = s.strip_prefix(concat!("/", $path, "/")).unwrap_or(s);
                let ok = bare.len() <= 32
                    && bare.starts_with($letter)
                    && bare.len() > 1
                    && bare.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
                if ok {
                    Ok(Self(::smol_str::SmolStr::new(bare)))
                } else {
                    Err($missing(s))
                }
            }

            pub(crate) fn generate(ids: &mut dyn crate::id::IdGen) -> Self {
                Self(::smol_str::format_smolstr!("{}{}", $letter, ids.hex(20).to_ascii_uppercase()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// `/<path>/<id>`, as responses carry it.
            pub fn path(&self) -> String {
                format!(concat!("/", $path, "/{}"), self.0)
            }

            pub fn not_found(&self) -> ModelError {
                $missing(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A `VPCId` that is malformed, or that names no VPC of the caller's in the region
/// (ListHostedZonesByVPC); a VPC unknown in its region when associating is
/// `find_vpc_anywhere`'s.
pub fn invalid_vpc_id(vpc_id: &str) -> ModelError {
    r53_error(
        Route53ErrorCode::InvalidVpcId,
        format!("The VPC ID '{vpc_id}' is not valid."),
    )
}

fn no_such_zone(id: &str) -> ModelError {
    let bare = id.strip_prefix("/hostedzone/").unwrap_or(id);
    r53_error(
        Route53ErrorCode::NoSuchHostedZone,
        format!("No hosted zone found with ID: {bare}"),
    )
}

fn no_such_change(id: &str) -> ModelError {
    let bare = id.strip_prefix("/change/").unwrap_or(id);
    r53_error(
        Route53ErrorCode::NoSuchChange,
        format!("A change with the specified change ID does not exist: {bare}"),
    )
}

route53_id!(/// `Z…` (the API also accepts `/hostedzone/Z…`)
    HostedZoneId, ResourceKind::HostedZone, "Z", "hostedzone", no_such_zone);
route53_id!(/// `C…` (the API also accepts `/change/C…`)
    ChangeId, ResourceKind::HostedZoneChange, "C", "change", no_such_change);

pub mod delegation_set;
pub mod health_check;

use delegation_set::{DelegationSetId, ReusableDelegationSet};
use health_check::{CreateHealthCheck, HealthCheck, HealthCheckId, UpdateHealthCheck};

/// A VPC as Route 53 names it: region and id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ZoneVpc {
    pub region: String,
    pub vpc_id: VpcId,
}

/// A hosted zone with its records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedZone {
    pub id: HostedZoneId,
    /// The owner account, region [`ROUTE53_REGION`].
    pub scope: Scope,
    /// Canonical name (`example.com.`).
    pub name: String,
    pub caller_reference: String,
    pub comment: Option<String>,
    pub private: bool,
    /// Associated VPCs, in association order (private zones only).
    pub vpcs: Vec<ZoneVpc>,
    /// VPCs of other accounts allowed to associate themselves.
    pub authorizations: Vec<ZoneVpc>,
    /// Record sets in ListResourceRecordSets order. A persistent vector: a change to a large
    /// zone copies a path, not the zone, and snapshots share the rest.
    /// Each set behind an `Arc`: the vector's chunks are copied on write, and copying a
    /// chunk should copy pointers, not record sets.
    pub records: imbl::Vector<Arc<RecordSet>>,
    /// The four name servers of a public zone's delegation set.
    pub name_servers: Vec<String>,
    /// The reusable delegation set the zone uses (public zones only).
    #[serde(default)]
    pub delegation_set_id: Option<DelegationSetId>,
    pub created: Timestamp,
    pub tags: Tags,
}

impl HostedZone {
    pub fn owner(&self) -> &AccountId {
        &self.scope.account
    }

    /// Record sets beyond the apex SOA and NS (what blocks deletion).
    pub fn has_user_records(&self) -> bool {
        self.records
            .iter()
            .any(|r| !(r.name == self.name && (r.record_type == "SOA" || r.record_type == "NS")))
    }

    /// The record sets named `name` (canonical), in list order: a binary search, since the
    /// records are kept in that order and sets of one name are adjacent.
    pub fn record_sets_named(&self, name: &str) -> Vec<&RecordSet> {
        let mut out = Vec::new();
        let mut at = self.first_at_or_after(name);
        while let Some(set) = self
            .records
            .get(at)
            .map(Arc::as_ref)
            .filter(|s| s.name == name)
        {
            out.push(set);
            at += 1;
        }
        out
    }

    /// Whether any record set is named `name` or a name below it. In list order the names
    /// below `name` (its reversed labels plus more) come right after `name` itself.
    pub fn has_records_at_or_below(&self, name: &str) -> bool {
        self.records
            .get(self.first_at_or_after(name))
            .is_some_and(|s| name::is_within(&s.name, name))
    }

    /// The position of the first record set whose name is not before `name` in list order.
    fn first_at_or_after(&self, name: &str) -> usize {
        let (Ok(at) | Err(at)) =
            self.records
                .binary_search_by(|r| match name::compare(&r.name, name) {
                    std::cmp::Ordering::Less => std::cmp::Ordering::Less,
                    _ => std::cmp::Ordering::Greater,
                });
        at
    }
}

/// ListResourceRecordSets order: reversed name labels, then type, then set identifier.
fn record_order(a: &RecordSet, b: &RecordSet) -> std::cmp::Ordering {
    name::compare(&a.name, &b.name)
        .then_with(|| a.record_type.cmp(&b.record_type))
        .then_with(|| a.set_identifier.cmp(&b.set_identifier))
}

/// A submitted change batch (GetChange); every change is in sync once committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedZoneChange {
    pub id: ChangeId,
    pub scope: Scope,
    pub submitted: Timestamp,
    pub comment: Option<String>,
    pub tags: Tags,
}

/// Name servers for a public zone: one each in .com, .net, .org and .co.uk, chosen from the
/// zone id as AWS chooses from its pool (docs/aws-semantics.md §6.1 numbering).
pub(crate) fn delegation_set(seed: &str) -> Vec<String> {
    let h = fnv1a(seed.as_bytes());
    let pick = |shift: u32, base: u64| (h >> shift) % 512 + base;
    let stripe = |shift: u32| (h >> shift) % 64;
    vec![
        format!("ns-{}.awsdns-{:02}.com.", pick(0, 0), stripe(40)),
        format!("ns-{}.awsdns-{:02}.net.", pick(9, 512), stripe(46)),
        format!("ns-{}.awsdns-{:02}.org.", pick(18, 1024), stripe(52)),
        format!("ns-{}.awsdns-{:02}.co.uk.", pick(27, 1536), stripe(58)),
    ]
}

/// The fixed name servers of every private zone (docs/aws-semantics.md §6.1).
const PRIVATE_NS: [&str; 4] = [
    "ns-1536.awsdns-00.co.uk.",
    "ns-0.awsdns-00.com.",
    "ns-1024.awsdns-00.org.",
    "ns-512.awsdns-00.net.",
];

fn apex_records(zone_name: &str, name_servers: &[String]) -> Vec<RecordSet> {
    let first = name_servers.first().cloned().unwrap_or_default();
    vec![
        RecordSet {
            name: zone_name.to_owned(),
            record_type: "NS".to_owned(),
            set_identifier: None,
            routing: None,
            ttl: Some(172_800),
            values: name_servers.to_vec(),
            alias: None,
            health_check_id: None,
        },
        RecordSet {
            name: zone_name.to_owned(),
            record_type: "SOA".to_owned(),
            set_identifier: None,
            routing: None,
            ttl: Some(900),
            values: vec![format!(
                "{first} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
            )],
            alias: None,
            health_check_id: None,
        },
    ]
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateHostedZone {
    pub name: String,
    pub caller_reference: String,
    pub comment: Option<String>,
    /// `PrivateZone` from `HostedZoneConfig`, if given.
    pub private_flag: Option<bool>,
    pub vpc: Option<ZoneVpc>,
    /// A reusable delegation set whose name servers a public zone takes.
    #[serde(default)]
    pub delegation_set_id: Option<DelegationSetId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeAction {
    Create,
    Delete,
    Upsert,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "CREATE",
            Self::Delete => "DELETE",
            Self::Upsert => "UPSERT",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordChange {
    pub action: ChangeAction,
    /// As requested: the name is not yet canonical and values are unchecked.
    pub record: RecordSet,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route53Command {
    CreateHostedZone(CreateHostedZone),
    DeleteHostedZone(HostedZoneId),
    UpdateHostedZoneComment(HostedZoneId, Option<String>),
    AssociateVpc {
        zone: HostedZoneId,
        vpc: ZoneVpc,
        comment: Option<String>,
    },
    DisassociateVpc {
        zone: HostedZoneId,
        vpc: ZoneVpc,
        comment: Option<String>,
    },
    CreateAuthorization {
        zone: HostedZoneId,
        vpc: ZoneVpc,
    },
    DeleteAuthorization {
        zone: HostedZoneId,
        vpc: ZoneVpc,
    },
    ChangeRecordSets {
        zone: HostedZoneId,
        comment: Option<String>,
        changes: Vec<RecordChange>,
    },
    ChangeTags {
        zone: HostedZoneId,
        add: Vec<(String, String)>,
        remove: Vec<String>,
    },
    CreateHealthCheck(CreateHealthCheck),
    UpdateHealthCheck {
        id: HealthCheckId,
        update: UpdateHealthCheck,
    },
    DeleteHealthCheck(HealthCheckId),
    ChangeHealthCheckTags {
        id: HealthCheckId,
        add: Vec<(String, String)>,
        remove: Vec<String>,
    },
    CreateDelegationSet {
        caller_reference: String,
        zone: Option<HostedZoneId>,
    },
    DeleteDelegationSet(DelegationSetId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route53Outcome {
    Zone {
        zone: Box<HostedZone>,
        change: HostedZoneChange,
    },
    Change(HostedZoneChange),
    HealthCheck(Box<HealthCheck>),
    DelegationSet(Box<ReusableDelegationSet>),
    Done,
}

/// What a VPC sees of a zone name: a customer zone or an endpoint's hidden one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZoneOwnerOfName {
    HostedZone(HostedZoneId),
    Endpoint(crate::id::VpcEndpointId),
}

impl Model {
    /// A zone of the caller's account (`NoSuchHostedZone` for others', as AWS answers). Not
    /// `get`: Route 53 is global, so the account is checked and the region is not.
    pub fn hosted_zone(&self, scope: &Scope, id: &HostedZoneId) -> Result<&HostedZone, ModelError> {
        self.hosted_zones
            .get(id)
            .map(AsRef::as_ref)
            .filter(|z| z.scope.account == scope.account)
            .ok_or_else(|| id.not_found())
    }

    /// Every zone of an account, ordered by id (not `in_scope`: Route 53 is global).
    pub fn hosted_zones_of<'a>(
        &'a self,
        account: &'a AccountId,
    ) -> impl Iterator<Item = &'a HostedZone> + 'a {
        self.hosted_zones
            .values()
            .map(AsRef::as_ref)
            .filter(move |z| &z.scope.account == account)
    }

    /// Every public hosted zone of every account, ordered by id (what the DNS server answers
    /// for any VPC): filtered by visibility, not scope.
    pub fn public_hosted_zones(&self) -> impl Iterator<Item = &HostedZone> + '_ {
        self.hosted_zones
            .values()
            .map(AsRef::as_ref)
            .filter(|z| !z.private)
    }

    /// Private zones associated with a VPC, of any owner (ListHostedZonesByVPC, DNS).
    pub fn hosted_zones_for_vpc<'a>(
        &'a self,
        vpc: &'a ZoneVpc,
    ) -> impl Iterator<Item = &'a HostedZone> + 'a {
        self.hosted_zones
            .values()
            .map(AsRef::as_ref)
            .filter(move |z| z.private && z.vpcs.contains(vpc))
    }

    /// A change by id alone (`NoSuchChange` if unknown). Not `get`: Route 53 is global and
    /// GetChange names no zone, so neither region nor account is checked.
    pub fn hosted_zone_change(&self, id: &ChangeId) -> Result<&HostedZoneChange, ModelError> {
        self.hosted_zone_changes
            .get(id)
            .map(AsRef::as_ref)
            .ok_or_else(|| id.not_found())
    }

    /// Who already holds the zone name `zone_name` (canonical) in a VPC: a private hosted
    /// zone associated with it, or an interface endpoint's hidden private-DNS zone
    /// (docs/aws-semantics.md §3.4, §6.2). Used both ways: association refuses the endpoint's name, and
    /// endpoint private DNS refuses the zone's.
    pub fn zone_name_holder(
        &self,
        catalog: &Catalog,
        vpc: &ZoneVpc,
        zone_name: &str,
    ) -> Option<ZoneOwnerOfName> {
        if let Some(z) = self.hosted_zones_for_vpc(vpc).find(|z| z.name == zone_name) {
            return Some(ZoneOwnerOfName::HostedZone(z.id.clone()));
        }
        self.endpoint_zone_names(catalog, vpc)
            .into_iter()
            .find(|(_, n)| n == zone_name)
            .map(|(id, _)| ZoneOwnerOfName::Endpoint(id))
    }

    /// The hidden private zones of interface endpoints with private DNS in a VPC: one per
    /// private DNS name, named without a leading `*.` (canonical form).
    pub fn endpoint_zone_names(
        &self,
        catalog: &Catalog,
        vpc: &ZoneVpc,
    ) -> Vec<(crate::id::VpcEndpointId, String)> {
        self.vpc_endpoints
            .values()
            .filter(|e| e.vpc_id == vpc.vpc_id && e.scope.region == vpc.region)
            .filter(|e| e.state != EndpointState::Rejected && e.state != EndpointState::Deleted)
            .flat_map(|e| {
                self.endpoint_private_names(catalog, e)
                    .into_iter()
                    .filter_map(|n| {
                        let bare = n.strip_prefix("*.").unwrap_or(&n).to_owned();
                        name::canonical(&bare).ok()
                    })
                    .map(|n| (e.id.clone(), n))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

fn name_error(code: Route53ErrorCode, raw: &str, e: &NameError) -> ModelError {
    r53_error(
        code,
        format!("{raw} is not a valid domain name: {}", e.describe()),
    )
}

impl Txn<'_, '_> {
    pub(crate) fn run_route53(
        &mut self,
        command: &Route53Command,
    ) -> Result<Route53Outcome, ModelError> {
        match command {
            Route53Command::CreateHostedZone(input) => self.create_hosted_zone(input),
            Route53Command::DeleteHostedZone(id) => {
                let zone = self.model.hosted_zone(self.ctx.scope, id)?.clone();
                if zone.has_user_records() {
                    return Err(r53_error(
                        Route53ErrorCode::HostedZoneNotEmpty,
                        "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
                    ));
                }
                self.delete(crate::resource::ResourceRef::HostedZone(id.clone()));
                Ok(Route53Outcome::Change(self.record_change(None)))
            }
            Route53Command::UpdateHostedZoneComment(id, comment) => {
                let mut zone = self.model.hosted_zone(self.ctx.scope, id)?.clone();
                check_comment(comment.as_deref())?;
                zone.comment = comment.clone();
                self.put(Resource::HostedZone(zone.clone()));
                let change = self.record_change(None);
                Ok(Route53Outcome::Zone {
                    zone: Box::new(zone),
                    change,
                })
            }
            Route53Command::AssociateVpc { zone, vpc, comment } => {
                self.associate_vpc(zone, vpc)?;
                Ok(Route53Outcome::Change(self.record_change(comment.clone())))
            }
            Route53Command::DisassociateVpc { zone, vpc, comment } => {
                self.disassociate_vpc(zone, vpc)?;
                Ok(Route53Outcome::Change(self.record_change(comment.clone())))
            }
            Route53Command::CreateAuthorization { zone, vpc } => {
                let mut z = self.model.hosted_zone(self.ctx.scope, zone)?.clone();
                self.require_private(&z)?;
                self.find_vpc_anywhere(vpc)?;
                if !z.authorizations.contains(vpc) {
                    if z.authorizations.len() >= MAX_AUTHORIZATIONS {
                        return Err(r53_error(
                            Route53ErrorCode::TooManyVpcAssociationAuthorizations,
                            "You've created the maximum number of authorizations that can be created for the specified hosted zone.",
                        ));
                    }
                    z.authorizations.push(vpc.clone());
                    self.put(Resource::HostedZone(z));
                }
                Ok(Route53Outcome::Done)
            }
            Route53Command::DeleteAuthorization { zone, vpc } => {
                let mut z = self.model.hosted_zone(self.ctx.scope, zone)?.clone();
                let before = z.authorizations.len();
                z.authorizations.retain(|v| v != vpc);
                if z.authorizations.len() == before {
                    return Err(r53_error(
                        Route53ErrorCode::VpcAssociationAuthorizationNotFound,
                        format!(
                            "The VPC: {} in region {} has not been authorized to be associated with the hosted zone {}.",
                            vpc.vpc_id, vpc.region, zone
                        ),
                    ));
                }
                self.put(Resource::HostedZone(z));
                Ok(Route53Outcome::Done)
            }
            Route53Command::ChangeRecordSets {
                zone,
                comment,
                changes,
            } => {
                self.change_record_sets(zone, changes)?;
                Ok(Route53Outcome::Change(self.record_change(comment.clone())))
            }
            Route53Command::ChangeTags { zone, add, remove } => {
                let mut z = self.model.hosted_zone(self.ctx.scope, zone)?.clone();
                change_tags(&mut z.tags, add, remove, &format!("hosted zone {zone}"))?;
                self.put(Resource::HostedZone(z));
                Ok(Route53Outcome::Done)
            }
            Route53Command::CreateHealthCheck(input) => self.create_health_check(input),
            Route53Command::UpdateHealthCheck { id, update } => {
                self.update_health_check(id, update)
            }
            Route53Command::DeleteHealthCheck(id) => {
                self.delete_health_check(id)?;
                Ok(Route53Outcome::Done)
            }
            Route53Command::ChangeHealthCheckTags { id, add, remove } => {
                self.change_health_check_tags(id, add, remove)?;
                Ok(Route53Outcome::Done)
            }
            Route53Command::CreateDelegationSet {
                caller_reference,
                zone,
            } => self.create_delegation_set(caller_reference, zone.as_ref()),
            Route53Command::DeleteDelegationSet(id) => {
                self.delete_delegation_set(id)?;
                Ok(Route53Outcome::Done)
            }
        }
    }

    fn record_change(&mut self, comment: Option<String>) -> HostedZoneChange {
        let change = HostedZoneChange {
            id: ChangeId::generate(self.ctx.ids),
            scope: self.ctx.scope.clone(),
            submitted: self.ctx.now,
            comment,
            tags: Tags::new(),
        };
        self.put(Resource::HostedZoneChange(change.clone()));
        change
    }

    fn require_private(&self, zone: &HostedZone) -> Result<(), ModelError> {
        if zone.private {
            Ok(())
        } else {
            Err(r53_error(
                Route53ErrorCode::PublicZoneVpcAssociation,
                format!(
                    "Public hosted zone {} can't be associated with a VPC.",
                    zone.id
                ),
            ))
        }
    }

    /// The VPC `vpc` names, of any account (`InvalidVPCId` when there is none).
    fn find_vpc_anywhere(&self, vpc: &ZoneVpc) -> Result<AccountId, ModelError> {
        self.model
            .vpcs
            .get(&vpc.vpc_id)
            .filter(|v| v.scope.region == vpc.region)
            .map(|v| v.scope.account.clone())
            .ok_or_else(|| {
                r53_error(
                    Route53ErrorCode::InvalidVpcId,
                    format!(
                        "The VPC ID '{}' is not valid in region {}.",
                        vpc.vpc_id, vpc.region
                    ),
                )
            })
    }

    /// A VPC may see one zone per name (docs/aws-semantics.md §6.2), hidden endpoint zones included.
    fn check_no_conflict(&self, vpc: &ZoneVpc, zone_name: &str) -> Result<(), ModelError> {
        match self
            .model
            .zone_name_holder(self.ctx.catalog, vpc, zone_name)
        {
            None => Ok(()),
            Some(ZoneOwnerOfName::HostedZone(other)) => Err(r53_error(
                Route53ErrorCode::ConflictingDomainExists,
                format!(
                    "The VPC {} in {} region has already been associated with the hosted zone {other} with the same domain name.",
                    vpc.vpc_id, vpc.region
                ),
            )),
            Some(ZoneOwnerOfName::Endpoint(endpoint)) => Err(r53_error(
                Route53ErrorCode::ConflictingDomainExists,
                format!(
                    "The VPC {} in {} region already has a private DNS zone named {zone_name} for the VPC endpoint {endpoint}.",
                    vpc.vpc_id, vpc.region
                ),
            )),
        }
    }

    fn create_hosted_zone(
        &mut self,
        input: &CreateHostedZone,
    ) -> Result<Route53Outcome, ModelError> {
        let account = self.ctx.scope.account.clone();
        let name = name::canonical(&input.name)
            .map_err(|e| name_error(Route53ErrorCode::InvalidDomainName, &input.name, &e))?;
        if name.matches('.').count() < 2 {
            return Err(r53_error(
                Route53ErrorCode::InvalidDomainName,
                format!("{name} is reserved by AWS!"),
            ));
        }
        if input.caller_reference.is_empty() || input.caller_reference.len() > 128 {
            return Err(r53_error(
                Route53ErrorCode::InvalidInput,
                "1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 128",
            ));
        }
        check_comment(input.comment.as_deref())?;
        if let Some(existing) = self
            .model
            .hosted_zones_of(&account)
            .find(|z| z.caller_reference == input.caller_reference)
        {
            return Err(r53_error(
                Route53ErrorCode::HostedZoneAlreadyExists,
                format!(
                    "A hosted zone has already been created with the specified caller reference: {} ({}).",
                    input.caller_reference, existing.id
                ),
            ));
        }
        if input.private_flag == Some(true) && input.vpc.is_none() {
            return Err(r53_error(
                Route53ErrorCode::InvalidInput,
                "When you're creating a private hosted zone (when you specify true for PrivateZone), you must also specify values for VPCId and VPCRegion.",
            ));
        }
        if input.private_flag == Some(false) && input.vpc.is_some() {
            return Err(r53_error(
                Route53ErrorCode::InvalidInput,
                "A VPC can only be associated with a private hosted zone.",
            ));
        }
        if self.model.hosted_zones_of(&account).count() >= MAX_HOSTED_ZONES {
            return Err(r53_error(
                Route53ErrorCode::TooManyHostedZones,
                format!(
                    "This operation would exceed the limit of {MAX_HOSTED_ZONES} hosted zones for the account."
                ),
            ));
        }
        if input.delegation_set_id.is_some() && input.vpc.is_some() {
            return Err(r53_error(
                Route53ErrorCode::InvalidInput,
                "A reusable delegation set can't be associated with a private hosted zone.",
            ));
        }
        let reused_servers = input
            .delegation_set_id
            .as_ref()
            .map(|set| self.name_servers_of_set(set, &name))
            .transpose()?;
        if let Some(vpc) = &input.vpc {
            let owner = self.find_vpc_anywhere(vpc)?;
            if owner != account {
                return Err(r53_error(
                    Route53ErrorCode::InvalidVpcId,
                    format!(
                        "The VPC: {} you provided is not authorized to make the association.",
                        vpc.vpc_id
                    ),
                ));
            }
            self.check_no_conflict(vpc, &name)?;
        }
        let id = HostedZoneId::generate(self.ctx.ids);
        let private = input.vpc.is_some();
        let name_servers: Vec<String> = if private {
            PRIVATE_NS.iter().map(|s| (*s).to_owned()).collect()
        } else {
            reused_servers.unwrap_or_else(|| delegation_set(id.as_str()))
        };
        let zone = HostedZone {
            records: apex_records(&name, &name_servers)
                .into_iter()
                .map(Arc::new)
                .collect(),
            id,
            scope: Scope::new(account, ROUTE53_REGION),
            name,
            caller_reference: input.caller_reference.clone(),
            comment: input.comment.clone(),
            private,
            vpcs: input.vpc.iter().cloned().collect(),
            authorizations: Vec::new(),
            name_servers: if private { Vec::new() } else { name_servers },
            delegation_set_id: input.delegation_set_id.clone(),
            created: self.ctx.now,
            tags: Tags::new(),
        };
        self.put(Resource::HostedZone(zone.clone()));
        let change = self.record_change(None);
        Ok(Route53Outcome::Zone {
            zone: Box::new(zone),
            change,
        })
    }

    fn associate_vpc(&mut self, zone_id: &HostedZoneId, vpc: &ZoneVpc) -> Result<(), ModelError> {
        let caller = self.ctx.scope.account.clone();
        // The VPC's owner associates; the zone may be another account's (authorised).
        let mut zone = self
            .model
            .hosted_zones
            .get(zone_id)
            .map(|z| HostedZone::clone(z))
            .ok_or_else(|| zone_id.not_found())?;
        let vpc_owner = self.find_vpc_anywhere(vpc)?;
        if zone.scope.account != caller && !zone.authorizations.contains(vpc) {
            return Err(r53_error(
                Route53ErrorCode::NotAuthorizedException,
                format!(
                    "The VPC: {} you provided is not authorized to make the association.",
                    vpc.vpc_id
                ),
            ));
        }
        if vpc_owner != caller {
            return Err(r53_error(
                Route53ErrorCode::NotAuthorizedException,
                format!(
                    "The VPC: {} you provided is not authorized to make the association.",
                    vpc.vpc_id
                ),
            ));
        }
        self.require_private(&zone)?;
        self.check_no_conflict(vpc, &zone.name)?;
        if zone.vpcs.len() >= MAX_ZONE_VPCS {
            return Err(r53_error(
                Route53ErrorCode::LimitsExceeded,
                format!(
                    "The hosted zone {zone_id} is already associated with {MAX_ZONE_VPCS} VPCs."
                ),
            ));
        }
        zone.vpcs.push(vpc.clone());
        self.put(Resource::HostedZone(zone));
        Ok(())
    }

    fn disassociate_vpc(
        &mut self,
        zone_id: &HostedZoneId,
        vpc: &ZoneVpc,
    ) -> Result<(), ModelError> {
        let caller = self.ctx.scope.account.clone();
        let mut zone = self
            .model
            .hosted_zones
            .get(zone_id)
            .map(|z| HostedZone::clone(z))
            .ok_or_else(|| zone_id.not_found())?;
        let vpc_owner = self
            .model
            .vpcs
            .get(&vpc.vpc_id)
            .map(|v| v.scope.account.clone());
        // The zone's owner or the VPC's owner may disassociate.
        if zone.scope.account != caller && vpc_owner.as_ref() != Some(&caller) {
            return Err(zone_id.not_found());
        }
        self.require_private(&zone)?;
        if !zone.vpcs.contains(vpc) {
            return Err(r53_error(
                Route53ErrorCode::VpcAssociationNotFound,
                format!(
                    "The specified VPC {} and hosted zone {zone_id} are not currently associated.",
                    vpc.vpc_id
                ),
            ));
        }
        if zone.vpcs.len() == 1 {
            return Err(r53_error(
                Route53ErrorCode::LastVpcAssociation,
                "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is associated with the hosted zone. Amazon Route 53 doesn't support disassociating the last VPC from a hosted zone.",
            ));
        }
        zone.vpcs.retain(|v| v != vpc);
        self.put(Resource::HostedZone(zone));
        Ok(())
    }

    /// One atomic batch (docs/aws-semantics.md §6.4): every change is checked against the zone as the
    /// earlier changes left it; any failure reports every problem and applies nothing.
    fn change_record_sets(
        &mut self,
        zone_id: &HostedZoneId,
        changes: &[RecordChange],
    ) -> Result<(), ModelError> {
        let mut zone = self.model.hosted_zone(self.ctx.scope, zone_id)?.clone();
        if changes.is_empty() {
            return Err(r53_error(
                Route53ErrorCode::InvalidInput,
                "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        if changes.len() > MAX_CHANGES {
            return Err(r53_error(
                Route53ErrorCode::InvalidChangeBatch,
                format!("Number of records limit of {MAX_CHANGES} exceeded."),
            ));
        }
        let mut problems: Vec<String> = Vec::new();
        // The last action on each record set of the batch: a record set may appear again
        // only to be created after it was deleted (the documented way to replace one).
        let mut seen: Vec<(record::RecordSetKey, ChangeAction)> = Vec::new();
        for change in changes {
            let mut record = change.record.clone();
            match name::canonical(&record.name) {
                Ok(n) => record.name = n,
                Err(e) => {
                    problems.push(format!(
                        "FATAL problem: {} encountered with '{}'",
                        e.describe(),
                        record.name
                    ));
                    continue;
                }
            }
            self.check_record_shape(change.action, &record)?;
            if change.action != ChangeAction::Delete {
                self.check_record_health_check(record.health_check_id.as_deref())?;
            }
            let key = record.key();
            let earlier = seen.iter_mut().find(|(k, _)| *k == key);
            let recreated = change.action != ChangeAction::Delete
                && earlier
                    .as_ref()
                    .is_some_and(|(_, action)| *action == ChangeAction::Delete);
            if earlier.is_some() && !recreated {
                return Err(r53_error(
                    Route53ErrorCode::InvalidChangeBatch,
                    format!(
                        "The request contains an invalid set of changes for a resource record set '{} {}'",
                        record.record_type, record.name
                    ),
                ));
            }
            match earlier {
                Some((_, action)) => *action = change.action,
                None => seen.push((key, change.action)),
            }
            if let Err(p) = self.apply_change(&mut zone, change.action, record) {
                problems.push(p);
            }
        }
        if !problems.is_empty() {
            return Err(r53_error(
                Route53ErrorCode::InvalidChangeBatch,
                format!("[{}]", problems.join(", ")),
            ));
        }
        self.put(Resource::HostedZone(zone));
        Ok(())
    }

    /// Structural checks Route 53 reports as `InvalidInput` before looking at the zone.
    fn check_record_shape(&self, action: ChangeAction, r: &RecordSet) -> Result<(), ModelError> {
        let invalid = |m: String| r53_error(Route53ErrorCode::InvalidInput, m);
        if !record::RECORD_TYPES.contains(&r.record_type.as_str()) {
            return Err(invalid(format!(
                "Invalid request: '{}' is not a valid resource record set type",
                r.record_type
            )));
        }
        let has_records = !r.values.is_empty();
        let describe = || {
            format!(
                "Change with [Action={}, Name={}, Type={}, SetIdentifier={}]",
                action.as_str(),
                r.name,
                r.record_type,
                r.set_identifier.as_deref().unwrap_or("null")
            )
        };
        match (&r.alias, has_records, r.ttl) {
            (Some(_), false, None) | (None, true, Some(_)) => {}
            (None, false, _) | (None, true, None) => {
                return Err(invalid(format!(
                    "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in {}",
                    describe()
                )));
            }
            _ => {
                return Err(invalid(format!(
                    "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in {}",
                    describe()
                )));
            }
        }
        if r.routing.is_some() != r.set_identifier.is_some() {
            return Err(invalid(format!(
                "Invalid request: a SetIdentifier and exactly one routing policy (Weight, Region, Failover, MultiValueAnswer, GeoLocation) go together in {}",
                describe()
            )));
        }
        if let Some(ttl) = r.ttl
            && ttl > 2_147_483_647
        {
            return Err(invalid("TTL must be between 0 and 2147483647".to_owned()));
        }
        Ok(())
    }

    /// Applies one change to the zone copy; `Err` is the problem text for the batch.
    fn apply_change(
        &self,
        zone: &mut HostedZone,
        action: ChangeAction,
        record: RecordSet,
    ) -> Result<(), String> {
        // Records are kept in `record_order`, whose fields are the record set's key: found
        // at `Ok(at)`, or to be inserted at `Err(at)`.
        let found = zone.records.binary_search_by(|r| record_order(r, &record));
        let position = found.ok();
        if action == ChangeAction::Delete {
            let Some(at) = position else {
                return Err(format!(
                    "Tried to delete resource record set {} but it was not found",
                    record.describe()
                ));
            };
            let current = zone.records.get(at).map(|r| RecordSet::clone(r));
            if current.as_ref() != Some(&record) && !same_values(current.as_ref(), &record) {
                return Err(format!(
                    "Tried to delete resource record set {} but the values provided do not match the current values",
                    record.describe()
                ));
            }
            if record.name == zone.name && record.record_type == "SOA" {
                return Err("A HostedZone must contain exactly one SOA record.".to_owned());
            }
            if record.name == zone.name && record.record_type == "NS" {
                return Err(
                    "A HostedZone must contain at least one NS record for the zone itself."
                        .to_owned(),
                );
            }
            zone.records.remove(at);
            return Ok(());
        }
        if action == ChangeAction::Create && position.is_some() {
            return Err(format!(
                "Tried to create resource record set {} but it already exists",
                record.describe()
            ));
        }
        self.check_record_in_zone(zone, &record)?;
        match found {
            Ok(at) => {
                if let Some(slot) = zone.records.get_mut(at) {
                    *slot = Arc::new(record);
                }
            }
            Err(at) => zone.records.insert(at, Arc::new(record)),
        }
        Ok(())
    }

    /// Rules that need the zone: placement, CNAME exclusivity, apex records, values and
    /// alias targets.
    fn check_record_in_zone(&self, zone: &HostedZone, r: &RecordSet) -> Result<(), String> {
        if !name::is_within(&r.name, &zone.name) {
            return Err(format!(
                "RRSet with DNS name {} is not permitted in zone {}",
                r.name, zone.name
            ));
        }
        let at_apex = r.name == zone.name;
        if r.record_type == "CNAME" && at_apex {
            return Err(format!(
                "RRSet of type CNAME with DNS name {} is not permitted at apex in zone {}",
                r.name, zone.name
            ));
        }
        if r.record_type == "SOA" && !at_apex {
            return Err(format!(
                "RRSet of type SOA with DNS name {} is not permitted because SOA records are only allowed at the apex of zone {}",
                r.name, zone.name
            ));
        }
        let others_at_name = zone
            .records
            .iter()
            .filter(|o| o.name == r.name && o.record_type != r.record_type);
        let mut others_at_name = others_at_name.peekable();
        if others_at_name.peek().is_some()
            && (r.record_type == "CNAME"
                || zone
                    .records
                    .iter()
                    .any(|o| o.name == r.name && o.record_type == "CNAME"))
        {
            return Err(format!(
                "RRSet of type {} with DNS name {} is not permitted as it conflicts with other records with the same DNS name in zone {}",
                r.record_type, r.name, zone.name
            ));
        }
        if matches!(r.record_type.as_str(), "CNAME" | "SOA") && r.values.len() > 1 {
            return Err(format!(
                "RRSet of type {} with DNS name {} has more than one resource record",
                r.record_type, r.name
            ));
        }
        for v in &r.values {
            record::check_value(&r.record_type, v)
                .map_err(|fatal| format!("Invalid Resource Record: '{fatal}'"))?;
        }
        if let Some(alias) = &r.alias {
            self.check_alias_target(zone, r, alias)?;
        }
        Ok(())
    }

    /// An alias must point at something that exists: a record of the same type in the same
    /// zone, an interface endpoint's DNS name in the region's vpce zone, or a load balancer.
    fn check_alias_target(
        &self,
        zone: &HostedZone,
        r: &RecordSet,
        alias: &AliasTarget,
    ) -> Result<(), String> {
        if !matches!(
            r.record_type.as_str(),
            "A" | "AAAA"
                | "CNAME"
                | "TXT"
                | "MX"
                | "SRV"
                | "PTR"
                | "CAA"
                | "NAPTR"
                | "SPF"
                | "DS"
                | "HTTPS"
                | "SVCB"
                | "SSHFP"
                | "TLSA"
        ) {
            return Err(format!(
                "Alias resource record sets are not supported for type {}",
                r.record_type
            ));
        }
        let not_found = || {
            format!(
                "Tried to create an alias that targets {}, type {} in zone {}, but the alias target name does not lie within the target zone",
                alias.dns_name, r.record_type, alias.hosted_zone_id
            )
        };
        if alias.hosted_zone_id == zone.id.as_str() {
            let exists = zone
                .records
                .iter()
                .any(|o| o.name == alias.dns_name && o.record_type == r.record_type);
            if exists {
                return Ok(());
            }
            return Err(format!(
                "Tried to create an alias that targets {}, type {} in zone {}, but that target was not found",
                alias.dns_name, r.record_type, alias.hosted_zone_id
            ));
        }
        if self.is_vpce_zone(&alias.hosted_zone_id) {
            // `*.vpce-….s3…` arrives canonical as `\052.vpce-…`.
            let unescaped = name::unescape(&alias.dns_name);
            let wanted = unescaped.trim_end_matches('.');
            let catalog = self.ctx.catalog;
            let found = self.model.vpc_endpoints.values().any(|e| {
                self.model
                    .endpoint_dns_entries(catalog, e, e.state)
                    .iter()
                    .any(|d| d.dns_name.trim_start_matches("*.") == wanted.trim_start_matches("*."))
            });
            return if found { Ok(()) } else { Err(not_found()) };
        }
        if self.is_nlb_zone(&alias.hosted_zone_id) {
            let wanted = alias.dns_name.trim_end_matches('.');
            let found = self
                .model
                .load_balancers
                .values()
                .any(|lb| lb.dns_name.eq_ignore_ascii_case(wanted));
            return if found { Ok(()) } else { Err(not_found()) };
        }
        // Another hosted zone of ours: the target must exist there too.
        if let Ok(other_id) = HostedZoneId::parse(&alias.hosted_zone_id)
            && let Some(other) = self.model.hosted_zones.get(&other_id)
        {
            let exists = other
                .records
                .iter()
                .any(|o| o.name == alias.dns_name && o.record_type == r.record_type);
            return if exists { Ok(()) } else { Err(not_found()) };
        }
        // AWS-owned zones localvpc does not model (CloudFront, S3 websites, API Gateway…)
        // are accepted as given.
        Ok(())
    }

    fn is_vpce_zone(&self, zone_id: &str) -> bool {
        self.ctx
            .catalog
            .regions()
            .iter()
            .any(|r| crate::ec2::vpc_endpoint::vpce_hosted_zone_id(r.name) == zone_id)
    }

    fn is_nlb_zone(&self, zone_id: &str) -> bool {
        self.ctx
            .catalog
            .regions()
            .iter()
            .any(|r| crate::elbv2::nlb_hosted_zone_id(r.name) == zone_id)
    }
}

/// DELETE must name the record as it is; values compare as a set (order-insensitive).
fn same_values(current: Option<&RecordSet>, given: &RecordSet) -> bool {
    let Some(current) = current else {
        return false;
    };
    let mut a = current.values.clone();
    let mut b = given.values.clone();
    a.sort();
    b.sort();
    a == b
        && current.ttl == given.ttl
        && current.alias == given.alias
        && current.routing == given.routing
}

/// ChangeTagsForResource on one resource's tags (`what` names it in the message): removals,
/// then additions, at most [`MAX_TAGS`].
pub(crate) fn change_tags(
    tags: &mut Tags,
    add: &[(String, String)],
    remove: &[String],
    what: &str,
) -> Result<(), ModelError> {
    for (k, v) in add {
        validate_tag(k, v).map_err(|e| r53_error(Route53ErrorCode::InvalidInput, e.to_string()))?;
    }
    for k in remove {
        tags.remove(k);
    }
    tags.extend(add.iter().cloned());
    if tags.len() > MAX_TAGS {
        return Err(r53_error(
            Route53ErrorCode::InvalidInput,
            format!("The number of tags on {what} would exceed {MAX_TAGS}"),
        ));
    }
    Ok(())
}

fn check_comment(comment: Option<&str>) -> Result<(), ModelError> {
    match comment {
        Some(c) if c.chars().count() > 256 => Err(r53_error(
            Route53ErrorCode::InvalidInput,
            "1 validation error detected: Value at 'hostedZoneConfig.comment' failed to satisfy constraint: Member must have length less than or equal to 256",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::command::{Command, Outcome};
    use crate::ec2::vpc::CreateVpc;
    use crate::id::SequentialIds;
    use crate::txn::Ctx;

    struct World {
        model: Model,
        ids: SequentialIds,
        catalog: Catalog,
    }

    impl World {
        fn new() -> Self {
            Self {
                model: Model::default(),
                ids: SequentialIds::default(),
                catalog: Catalog::default(),
            }
        }

        fn run(
            &mut self,
            account: &str,
            region: &str,
            command: Command,
        ) -> Result<Outcome, ModelError> {
            let scope = Scope::new(AccountId::parse(account).unwrap(), region);
            let mut ctx = Ctx {
                scope: &scope,
                now: Timestamp(0),
                ids: &mut self.ids,
                catalog: &self.catalog,
            };
            if !self.model.has_scope(&scope) {
                let (next, _, _) = self
                    .model
                    .execute(&Command::EnsureScope { default_vpc: false }, &mut ctx)?;
                self.model = next;
            }
            let (next, outcome, _) = self.model.execute(&command, &mut ctx)?;
            self.model = next;
            Ok(outcome)
        }

        fn vpc(&mut self, account: &str) -> ZoneVpc {
            let cmd = Command::CreateVpc(CreateVpc {
                cidr_block: Some("10.0.0.0/16".into()),
                ..CreateVpc::default()
            });
            match self.run(account, "ap-northeast-1", cmd).unwrap() {
                Outcome::Vpc(v) => ZoneVpc {
                    region: "ap-northeast-1".into(),
                    vpc_id: v.id,
                },
                o => panic!("{o:?}"),
            }
        }

        fn r53(&mut self, account: &str, c: Route53Command) -> Result<Route53Outcome, ModelError> {
            match self.run(account, ROUTE53_REGION, Command::Route53(c))? {
                Outcome::Route53(o) => Ok(o),
                o => panic!("{o:?}"),
            }
        }

        fn zone(&mut self, account: &str, name: &str, vpc: Option<ZoneVpc>) -> HostedZone {
            let c = Route53Command::CreateHostedZone(CreateHostedZone {
                name: name.into(),
                caller_reference: format!("{name}-{account}"),
                comment: None,
                private_flag: None,
                vpc,
                delegation_set_id: None,
            });
            match self.r53(account, c).unwrap() {
                Route53Outcome::Zone { zone, .. } => *zone,
                o => panic!("{o:?}"),
            }
        }
    }

    fn code(e: ModelError) -> &'static str {
        e.code()
    }

    fn a(name: &str, ip: &str) -> RecordSet {
        RecordSet {
            name: name.into(),
            record_type: "A".into(),
            set_identifier: None,
            routing: None,
            ttl: Some(60),
            values: vec![ip.into()],
            alias: None,
            health_check_id: None,
        }
    }

    const HUB: &str = "111111111111";
    const MEMBER: &str = "222222222222";

    #[test]
    fn private_zone_needs_an_own_vpc_and_one_name_per_vpc() {
        let mut w = World::new();
        let vpc = w.vpc(HUB);
        let other = w.vpc(MEMBER);
        let zone = w.zone(HUB, "Example.COM", Some(vpc.clone()));
        assert_eq!(zone.name, "example.com.");
        assert_eq!(zone.records.len(), 2);
        let again = Route53Command::CreateHostedZone(CreateHostedZone {
            name: "example.com".into(),
            caller_reference: "x".into(),
            comment: None,
            private_flag: None,
            vpc: Some(vpc),
            delegation_set_id: None,
        });
        assert_eq!(
            code(w.r53(HUB, again).unwrap_err()),
            "ConflictingDomainExists"
        );
        let foreign = Route53Command::CreateHostedZone(CreateHostedZone {
            name: "corp.example".into(),
            caller_reference: "y".into(),
            comment: None,
            private_flag: None,
            vpc: Some(other),
            delegation_set_id: None,
        });
        assert_eq!(code(w.r53(HUB, foreign).unwrap_err()), "InvalidVPCId");
        let tld = Route53Command::CreateHostedZone(CreateHostedZone {
            name: "com".into(),
            caller_reference: "z".into(),
            comment: None,
            private_flag: None,
            vpc: None,
            delegation_set_id: None,
        });
        assert_eq!(code(w.r53(HUB, tld).unwrap_err()), "InvalidDomainName");
    }

    #[test]
    fn cross_account_association_needs_an_authorisation() {
        let mut w = World::new();
        let hub_vpc = w.vpc(HUB);
        let member_vpc = w.vpc(MEMBER);
        let zone = w.zone(
            HUB,
            "s3.ap-northeast-1.amazonaws.com",
            Some(hub_vpc.clone()),
        );
        let associate = Route53Command::AssociateVpc {
            zone: zone.id.clone(),
            vpc: member_vpc.clone(),
            comment: None,
        };
        assert_eq!(
            code(w.r53(MEMBER, associate.clone()).unwrap_err()),
            "NotAuthorizedException"
        );
        w.r53(
            HUB,
            Route53Command::CreateAuthorization {
                zone: zone.id.clone(),
                vpc: member_vpc.clone(),
            },
        )
        .unwrap();
        w.r53(MEMBER, associate).unwrap();
        // Deleting the authorisation keeps the association.
        w.r53(
            HUB,
            Route53Command::DeleteAuthorization {
                zone: zone.id.clone(),
                vpc: member_vpc.clone(),
            },
        )
        .unwrap();
        let seen: Vec<_> = w
            .model
            .hosted_zones_for_vpc(&member_vpc)
            .map(|z| z.id.clone())
            .collect();
        assert_eq!(seen, vec![zone.id.clone()]);
        // The member may leave; the hub's VPC is then the last one.
        w.r53(
            MEMBER,
            Route53Command::DisassociateVpc {
                zone: zone.id.clone(),
                vpc: member_vpc,
                comment: None,
            },
        )
        .unwrap();
        let last = Route53Command::DisassociateVpc {
            zone: zone.id,
            vpc: hub_vpc,
            comment: None,
        };
        assert_eq!(code(w.r53(HUB, last).unwrap_err()), "LastVPCAssociation");
    }

    #[test]
    fn record_sets_stay_in_list_order_and_are_found_by_name() {
        let mut w = World::new();
        let zone = w.zone(HUB, "example.com", None);
        let names = [
            "z.example.com",
            "a.b.example.com",
            "a-b.example.com",
            "a.example.com",
            "b.example.com",
            "*.w.example.com",
            "x.y.a.example.com",
            "example.com",
        ];
        for (n, name) in names.iter().enumerate() {
            let mut r = a(name, &format!("10.0.0.{n}"));
            if *name == "example.com" {
                r.record_type = "TXT".into();
                r.values = vec!["\"apex\"".into()];
            }
            let c = Route53Command::ChangeRecordSets {
                zone: zone.id.clone(),
                comment: None,
                changes: vec![RecordChange {
                    action: ChangeAction::Upsert,
                    record: r,
                }],
            };
            w.r53(HUB, c).unwrap();
        }
        let stored = w.model.any::<HostedZone>(&zone.id).unwrap().clone();
        let mut sorted: Vec<Arc<RecordSet>> = stored.records.iter().cloned().collect();
        sorted.sort_by(|a, b| record_order(a, b));
        assert_eq!(stored.records.iter().cloned().collect::<Vec<_>>(), sorted);
        let types = |name: &str| -> Vec<String> {
            stored
                .record_sets_named(name)
                .iter()
                .map(|r| r.record_type.clone())
                .collect()
        };
        assert_eq!(types("example.com."), ["NS", "SOA", "TXT"]);
        assert_eq!(types("a.example.com."), ["A"]);
        assert_eq!(types("a-b.example.com."), ["A"]);
        assert_eq!(types("\\052.w.example.com."), ["A"]);
        assert!(types("y.a.example.com.").is_empty());
        assert!(types("c.example.com.").is_empty());
        // Occupied: a name with records at or below it (empty non-terminals too).
        for name in [
            "y.a.example.com.",
            "a.example.com.",
            "w.example.com.",
            "b.example.com.",
        ] {
            assert!(stored.has_records_at_or_below(name), "{name}");
        }
        for name in [
            "c.example.com.",
            "y.example.com.",
            "a.z.example.com.",
            "bb.example.com.",
            "example.org.",
        ] {
            assert!(!stored.has_records_at_or_below(name), "{name}");
        }
    }

    #[test]
    fn a_change_batch_applies_whole_or_not_at_all() {
        let mut w = World::new();
        let zone = w.zone(HUB, "example.com", None);
        let batch = |changes: Vec<RecordChange>| Route53Command::ChangeRecordSets {
            zone: zone.id.clone(),
            comment: None,
            changes,
        };
        let create = |r: RecordSet| RecordChange {
            action: ChangeAction::Create,
            record: r,
        };
        let bad = batch(vec![
            create(a("ok.example.com", "10.0.0.1")),
            create(a("bad.example.com", "not-an-ip")),
        ]);
        let e = w.r53(HUB, bad).unwrap_err();
        assert_eq!(code(e.clone()), "InvalidChangeBatch");
        assert!(e.to_string().contains("ARRDATAIllegalIPv4Address"), "{e}");
        let stored = w.model.hosted_zones.get(&zone.id).unwrap();
        assert_eq!(stored.records.len(), 2, "nothing from a refused batch");

        w.r53(HUB, batch(vec![create(a("ok.example.com", "10.0.0.1"))]))
            .unwrap();
        let e = w
            .r53(HUB, batch(vec![create(a("ok.example.com", "10.0.0.1"))]))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("[name='ok.example.com.', type='A'] but it already exists"),
            "{e}"
        );
        let mismatch = batch(vec![RecordChange {
            action: ChangeAction::Delete,
            record: a("ok.example.com", "10.0.0.2"),
        }]);
        assert!(
            w.r53(HUB, mismatch)
                .unwrap_err()
                .to_string()
                .contains("do not match the current values")
        );
        let outside = batch(vec![create(a("www.example.org", "10.0.0.1"))]);
        assert!(
            w.r53(HUB, outside)
                .unwrap_err()
                .to_string()
                .contains("is not permitted in zone example.com.")
        );
        let delete_zone = Route53Command::DeleteHostedZone(zone.id.clone());
        assert_eq!(
            code(w.r53(HUB, delete_zone).unwrap_err()),
            "HostedZoneNotEmpty"
        );
    }

    fn http_check(ip: &str) -> health_check::HealthCheckConfig {
        health_check::HealthCheckConfig {
            check_type: Some(health_check::HealthCheckType::Http),
            ip_address: Some(ip.into()),
            ..Default::default()
        }
    }

    fn create_check(
        w: &mut World,
        reference: &str,
        config: health_check::HealthCheckConfig,
    ) -> Result<HealthCheck, ModelError> {
        let c = Route53Command::CreateHealthCheck(CreateHealthCheck {
            caller_reference: reference.into(),
            config,
        });
        match w.r53(HUB, c)? {
            Route53Outcome::HealthCheck(h) => Ok(*h),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn health_checks_are_idempotent_by_caller_reference_and_versioned() {
        let mut w = World::new();
        let first = create_check(&mut w, "ref-1", http_check("52.0.0.1")).unwrap();
        assert_eq!(first.version, 1);
        assert_eq!(first.config.port, Some(80), "AWS's default port");
        assert_eq!(first.config.regions.len(), 8);
        // Same reference and settings: the same check; other settings: refused.
        let again = create_check(&mut w, "ref-1", http_check("52.0.0.1")).unwrap();
        assert_eq!(again.id, first.id);
        let e = create_check(&mut w, "ref-1", http_check("52.0.0.2")).unwrap_err();
        assert_eq!(code(e), "HealthCheckAlreadyExists");
        for (bad, why) in [("10.0.0.1", "private"), ("not-an-ip", "invalid")] {
            let e = create_check(&mut w, bad, http_check(bad)).unwrap_err();
            assert_eq!(code(e), "InvalidInput", "{why}");
        }
        let mut tcp = http_check("52.0.0.3");
        tcp.check_type = Some(health_check::HealthCheckType::Tcp);
        assert_eq!(
            code(create_check(&mut w, "tcp", tcp).unwrap_err()),
            "InvalidInput"
        );
        let mut interval = http_check("52.0.0.3");
        interval.request_interval = Some(20);
        assert_eq!(
            code(create_check(&mut w, "iv", interval).unwrap_err()),
            "InvalidInput"
        );

        let update = |version: Option<u64>| Route53Command::UpdateHealthCheck {
            id: first.id.clone(),
            update: UpdateHealthCheck {
                version,
                failure_threshold: Some(5),
                ..Default::default()
            },
        };
        match w.r53(HUB, update(Some(1))).unwrap() {
            Route53Outcome::HealthCheck(h) => {
                assert_eq!((h.version, h.config.failure_threshold), (2, Some(5)));
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(
            code(w.r53(HUB, update(Some(1))).unwrap_err()),
            "HealthCheckVersionMismatch"
        );

        // Deleted: gone for readers, its reference still taken.
        w.r53(HUB, Route53Command::DeleteHealthCheck(first.id.clone()))
            .unwrap();
        let scope = Scope::new(AccountId::parse(HUB).unwrap(), ROUTE53_REGION);
        assert_eq!(
            code(w.model.health_check(&scope, &first.id).unwrap_err()),
            "NoSuchHealthCheck"
        );
        let e = create_check(&mut w, "ref-1", http_check("52.0.0.1")).unwrap_err();
        assert_eq!(code(e), "HealthCheckAlreadyExists");
    }

    #[test]
    fn calculated_checks_and_record_sets_name_existing_checks() {
        let mut w = World::new();
        let child = create_check(&mut w, "child", http_check("52.0.0.1")).unwrap();
        let calculated = |children: Vec<String>| health_check::HealthCheckConfig {
            check_type: Some(health_check::HealthCheckType::Calculated),
            health_threshold: Some(1),
            child_health_checks: children,
            ..Default::default()
        };
        let e = create_check(&mut w, "calc-bad", calculated(vec!["nope".into()])).unwrap_err();
        assert_eq!(code(e), "InvalidInput");
        let parent = create_check(&mut w, "calc", calculated(vec![child.id.to_string()])).unwrap();
        assert!(w.model.health_check_is_healthy(&parent));
        let observations = w.model.health_check_observations(&parent);
        assert_eq!(observations.len(), 1);
        assert!(
            observations[0].status.starts_with("Success: 1 of 1"),
            "{observations:?}"
        );

        let zone = w.zone(HUB, "example.com", None);
        let with_check = |id: &str| {
            let mut r = a("www.example.com", "192.0.2.1");
            r.set_identifier = Some("primary".into());
            r.routing = Some(record::Routing::Failover("PRIMARY".into()));
            r.health_check_id = Some(id.into());
            Route53Command::ChangeRecordSets {
                zone: zone.id.clone(),
                comment: None,
                changes: vec![RecordChange {
                    action: ChangeAction::Create,
                    record: r,
                }],
            }
        };
        assert_eq!(
            code(w.r53(HUB, with_check("nope")).unwrap_err()),
            "NoSuchHealthCheck"
        );
        w.r53(HUB, with_check(child.id.as_str())).unwrap();
        // AWS deletes a check that record sets use (HealthCheckInUse is "not in use").
        w.r53(HUB, Route53Command::DeleteHealthCheck(child.id.clone()))
            .unwrap();
    }

    #[test]
    fn reusable_delegation_sets_give_zones_their_name_servers() {
        let mut w = World::new();
        let set = match w
            .r53(
                HUB,
                Route53Command::CreateDelegationSet {
                    caller_reference: "set-1".into(),
                    zone: None,
                },
            )
            .unwrap()
        {
            Route53Outcome::DelegationSet(d) => *d,
            o => panic!("{o:?}"),
        };
        let again = Route53Command::CreateDelegationSet {
            caller_reference: "set-1".into(),
            zone: None,
        };
        assert_eq!(
            code(w.r53(HUB, again).unwrap_err()),
            "DelegationSetAlreadyCreated"
        );
        let create = |name: &str, set: Option<DelegationSetId>| {
            Route53Command::CreateHostedZone(CreateHostedZone {
                name: name.into(),
                caller_reference: format!("zone-{name}"),
                comment: None,
                private_flag: None,
                vpc: None,
                delegation_set_id: set,
            })
        };
        let zone = match w
            .r53(HUB, create("example.com", Some(set.id.clone())))
            .unwrap()
        {
            Route53Outcome::Zone { zone, .. } => *zone,
            o => panic!("{o:?}"),
        };
        assert_eq!(zone.name_servers, set.name_servers);
        assert_eq!(zone.records[0].values, set.name_servers, "apex NS");
        // A child zone may not share the parent's servers.
        assert_eq!(
            code(
                w.r53(HUB, create("a.example.com", Some(set.id.clone())))
                    .unwrap_err()
            ),
            "ConflictingDomainExists"
        );
        let missing = DelegationSetId::parse("NMISSING").unwrap();
        assert_eq!(
            code(
                w.r53(HUB, create("example.org", Some(missing)))
                    .unwrap_err()
            ),
            "NoSuchDelegationSet"
        );
        assert_eq!(
            code(
                w.r53(HUB, Route53Command::DeleteDelegationSet(set.id.clone()))
                    .unwrap_err()
            ),
            "DelegationSetInUse"
        );
        // A zone's own set made reusable: once, and it is then in use.
        let other = w.zone(HUB, "example.net", None);
        let from_zone = |reference: &str| Route53Command::CreateDelegationSet {
            caller_reference: reference.into(),
            zone: Some(other.id.clone()),
        };
        match w.r53(HUB, from_zone("set-2")).unwrap() {
            Route53Outcome::DelegationSet(d) => assert_eq!(d.name_servers, other.name_servers),
            o => panic!("{o:?}"),
        }
        assert_eq!(
            code(w.r53(HUB, from_zone("set-3")).unwrap_err()),
            "DelegationSetAlreadyReusable"
        );
        w.r53(HUB, Route53Command::DeleteHostedZone(zone.id))
            .unwrap();
        w.r53(HUB, Route53Command::DeleteDelegationSet(set.id))
            .unwrap();
    }

    #[test]
    fn names_with_raw_spaces_are_refused_with_the_real_action() {
        let mut w = World::new();
        let e = w
            .r53(
                HUB,
                Route53Command::CreateHostedZone(CreateHostedZone {
                    name: "bad name.example".into(),
                    caller_reference: "x".into(),
                    comment: None,
                    private_flag: None,
                    vpc: None,
                    delegation_set_id: None,
                }),
            )
            .unwrap_err();
        assert_eq!(code(e.clone()), "InvalidDomainName");
        assert!(e.to_string().contains("UnsupportedCharacter"), "{e}");
        let zone = w.zone(HUB, "example.com", None);
        let mut r = a("www.example.com", "192.0.2.1");
        r.ttl = None;
        let e = w
            .r53(
                HUB,
                Route53Command::ChangeRecordSets {
                    zone: zone.id,
                    comment: None,
                    changes: vec![RecordChange {
                        action: ChangeAction::Upsert,
                        record: r,
                    }],
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("Action=UPSERT"), "{e}");
    }

    #[test]
    fn zones_stored_before_delegation_sets_still_load() {
        let mut w = World::new();
        let zone = w.zone(HUB, "example.org", None);
        let mut json = serde_json::to_value(&zone).unwrap();
        json.as_object_mut().unwrap().remove("delegation_set_id");
        let old: HostedZone = serde_json::from_value(json).unwrap();
        assert_eq!(old, zone);
    }

    #[test]
    fn zones_and_changes_survive_replay_of_their_changes() {
        let mut w = World::new();
        let zone = w.zone(HUB, "example.net", None);
        let snapshot = w.model.resources();
        let mut replayed = Model::default();
        for r in snapshot {
            replayed.apply_change(&crate::resource::Change::Put(r));
        }
        assert_eq!(
            replayed.hosted_zones.get(&zone.id).map(|z| z.name.clone()),
            Some("example.net.".into())
        );
        assert_eq!(replayed, w.model);
    }
}
