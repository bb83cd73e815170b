//! The pure core: one question, one view, one model snapshot → a [`Resolution`]. No I/O.
//! The DNS server and the explainer both call [`resolve`]; a FORWARD decision comes back as
//! [`Resolution::forward`] and the caller sends the query (see `answer.rs`).
//!
//! A VPC view follows docs/aws-semantics.md §7.2: DNS support off → REFUSED; otherwise the matching customer
//! rules (FORWARD, SYSTEM) and the VPC's local domains (private hosted zones, interface
//! endpoints' hidden private-DNS zones, EC2 names, reverse zones) compete, the most specific
//! domain wins and an exact tie goes to the customer rule; nothing matching → the internet
//! rule → the public view.

use crate::index::{Index, Indexed};
use crate::public;
use crate::rr::{QType, Rr, RrData, Soa};
use crate::trail::{Forward, Rcode, Resolution, StepKind, TrailStep};
use crate::zone;
use localvpc_model::route53::HostedZone;
use localvpc_model::route53::name::{canonical, is_within};
use localvpc_model::{
    AUTODEFINED_INTERNET_RULE_ID, Catalog, EndpointState, Model, NetworkInterface,
    ResolverDirection, ResolverEndpoint, ResolverEndpointId, ResolverRule, ResolverRuleType, Vpc,
    VpcEndpoint, VpcId, VpcPeeringConnection, private_dns_name,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Where a query is answered.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum View {
    /// The Route 53 Resolver of a VPC (its base+2 address).
    Vpc(VpcId),
    /// An inbound Resolver endpoint: answers as its VPC would, plus the inbound-only names.
    Inbound(ResolverEndpointId),
    /// The public internet, as far as localvpc knows it.
    Public,
}

impl View {
    pub fn describe(&self) -> String {
        match self {
            Self::Vpc(id) => format!("vpc {id}"),
            Self::Inbound(id) => format!("inbound endpoint {id}"),
            Self::Public => "public".to_owned(),
        }
    }
}

/// Longest CNAME chain followed (RFC 1034 leaves it to the resolver; BIND stops at 16).
const MAX_CHAIN: usize = 8;
/// TTL of synthesised address records (vpce names, endpoint private DNS, EC2 names).
pub(crate) const SYNTH_TTL: u32 = 60;

/// One lookup step before CNAME chasing.
#[derive(Debug, Default)]
pub(crate) struct Step {
    pub(crate) rcode: Option<Rcode>,
    pub(crate) answers: Vec<Rr>,
    pub(crate) authority: Vec<Rr>,
    pub(crate) authoritative: bool,
    pub(crate) forward: Option<Forward>,
}

impl Step {
    pub(crate) fn answer(answers: Vec<Rr>, authoritative: bool) -> Self {
        Self {
            rcode: Some(Rcode::NoError),
            answers,
            authoritative,
            ..Self::default()
        }
    }

    pub(crate) fn negative(rcode: Rcode, soa: Option<Rr>, authoritative: bool) -> Self {
        Self {
            rcode: Some(rcode),
            authority: soa.into_iter().collect(),
            authoritative,
            ..Self::default()
        }
    }
}

/// A negative answer's SOA: TTL = min(SOA TTL, SOA minimum) (docs/aws-semantics.md §6.3).
pub(crate) fn negative_soa(zone_name: &str, soa: Soa, soa_ttl: u32) -> Rr {
    Rr {
        name: zone_name.to_owned(),
        ttl: soa_ttl.min(soa.minimum),
        data: RrData::Soa(soa),
    }
}

/// The resolver's working state for one question.
pub(crate) struct Resolver<'m> {
    pub(crate) model: &'m Model,
    /// The lookup tables of `model`.
    pub(crate) index: &'m Index,
    pub(crate) catalog: &'m Catalog,
    /// `None` when nobody asked for the trail (the server's queries).
    pub(crate) trail: Option<Vec<TrailStep>>,
}

/// Whose resolver answers (after the view is checked).
#[derive(Clone, Copy)]
pub(crate) enum Scope<'m> {
    Vpc {
        vpc: &'m Vpc,
        inbound: Option<&'m ResolverEndpoint>,
    },
    Public,
}

/// Resolves `name` (any case, dot optional, `\NNN` escapes allowed) of type `qtype`.
/// Builds the snapshot's lookup tables first; the server keeps them per snapshot instead
/// (`resolve_indexed`).
pub fn resolve(
    model: &Model,
    catalog: &Catalog,
    view: &View,
    name: &str,
    qtype: QType,
) -> Resolution {
    let index = Index::build(model, catalog);
    resolve_in(model, &index, catalog, view, name, qtype, Detail::Trail)
}

/// Whether a resolution records its decision trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    /// The explainer: every step, with its sentence.
    Trail,
    /// A query on the wire: the answer only (the same decisions, without the sentences).
    AnswerOnly,
}

/// [`resolve`] with the lookup tables already built for this snapshot.
pub(crate) fn resolve_indexed(
    indexed: &Indexed,
    catalog: &Catalog,
    view: &View,
    name: &str,
    qtype: QType,
    detail: Detail,
) -> Resolution {
    resolve_in(
        &indexed.model,
        &indexed.index,
        catalog,
        view,
        name,
        qtype,
        detail,
    )
}

fn resolve_in(
    model: &Model,
    index: &Index,
    catalog: &Catalog,
    view: &View,
    name: &str,
    qtype: QType,
    detail: Detail,
) -> Resolution {
    let mut r = Resolver {
        model,
        index,
        catalog,
        trail: (detail == Detail::Trail).then(Vec::new),
    };
    let Ok(qname) = canonical(name) else {
        r.note(StepKind::Negative, || {
            format!("`{name}` is not a valid domain name")
        });
        return r.finish(Step::negative(Rcode::FormErr, None, false));
    };
    let scope = match r.scope_of(view) {
        Ok(scope) => scope,
        Err(rcode) => return r.finish(Step::negative(rcode, None, false)),
    };
    let mut answers: Vec<Rr> = Vec::new();
    let mut current = qname;
    let mut last = Step::default();
    for depth in 0..MAX_CHAIN {
        let mut step = r.lookup(scope, &current, qtype);
        if step.forward.is_some() {
            if depth == 0 {
                return r.finish(step);
            }
            r.note(StepKind::Cname, || {
                format!(
                    "the CNAME target {current} is decided by a FORWARD rule; the client \
                     resolves it itself (localvpc does not chase into forwarded domains)"
                )
            });
            step.forward = None;
            step.rcode = Some(Rcode::NoError);
            last = step;
            break;
        }
        let next = if qtype == QType::Cname {
            None
        } else {
            step.answers.last().and_then(|rr| match &rr.data {
                RrData::Cname(target) if rr.name == current => Some(target.clone()),
                _ => None,
            })
        };
        answers.append(&mut step.answers);
        if depth > 0 {
            // A chased answer is only as authoritative as its first link.
            step.authoritative &= last.authoritative;
        }
        last = step;
        match next {
            Some(target) if answers.iter().all(|rr| rr.name != target) => {
                r.note(StepKind::Cname, || {
                    format!("{current} is a CNAME for {target}: following it")
                });
                current = target;
            }
            Some(target) => {
                r.note(StepKind::Cname, || {
                    format!("CNAME loop at {target}: stopped")
                });
                last.rcode = Some(Rcode::ServFail);
                break;
            }
            None => break,
        }
        if depth + 1 == MAX_CHAIN {
            r.note(StepKind::Cname, || {
                format!("CNAME chain longer than {MAX_CHAIN} links: stopped")
            });
        }
    }
    last.answers = answers;
    r.finish(last)
}

impl<'m> Resolver<'m> {
    /// Records a step of the trail. The sentence is only built when someone will read it
    /// (the explainer, `resolve`): the server's queries skip the formatting.
    pub(crate) fn note<D: Into<String>>(&mut self, step: StepKind, detail: impl FnOnce() -> D) {
        if let Some(trail) = self.trail.as_mut() {
            trail.push(TrailStep::new(step, detail()));
        }
    }

    /// [`Resolver::note`] for a step with machine-readable fields.
    pub(crate) fn push(&mut self, step: impl FnOnce() -> TrailStep) {
        if let Some(trail) = self.trail.as_mut() {
            trail.push(step());
        }
    }

    fn finish(self, step: Step) -> Resolution {
        Resolution {
            rcode: step.rcode.unwrap_or(Rcode::ServFail),
            authoritative: step.authoritative,
            answers: step.answers,
            authority: step.authority,
            forward: step.forward,
            trail: self.trail.unwrap_or_default(),
        }
    }

    /// Checks the view and says which resolver answers.
    fn scope_of(&mut self, view: &View) -> Result<Scope<'m>, Rcode> {
        let model = self.model;
        let (vpc_id, inbound) = match view {
            View::Public => {
                self.note(StepKind::View, || {
                    "public view: what a client on the internet (or on premises without \
                     Route 53 Resolver) gets from public DNS"
                });
                return Ok(Scope::Public);
            }
            View::Vpc(id) => (id.clone(), None),
            View::Inbound(id) => {
                let Some(endpoint) = model
                    .any::<ResolverEndpoint>(id)
                    .filter(|e| e.direction == ResolverDirection::Inbound)
                else {
                    self.note(StepKind::View, || {
                        format!("no inbound Resolver endpoint {id}: refused")
                    });
                    return Err(Rcode::Refused);
                };
                (endpoint.vpc_id.clone(), Some(endpoint))
            }
        };
        let Some(vpc) = model.any::<Vpc>(&vpc_id) else {
            self.note(StepKind::View, || format!("no VPC {vpc_id}: refused"));
            return Err(Rcode::Refused);
        };
        match inbound {
            Some(e) => self.push(|| {
                TrailStep::new(
                    StepKind::View,
                    format!(
                        "query arrived through inbound Resolver endpoint {} in {}: answered as \
                         that VPC's resolver would (docs/aws-semantics.md §7.3)",
                        e.id, vpc.id
                    ),
                )
                .endpoint(e.id.as_str())
            }),
            None => self.note(StepKind::View, || {
                format!(
                    "VPC resolver of {} ({}, region {})",
                    vpc.id,
                    vpc.resolver_address(),
                    vpc.scope.region
                )
            }),
        }
        if !vpc.enable_dns_support {
            self.note(StepKind::Attribute, || {
                format!(
                    "enableDnsSupport is false on {}: the Amazon-provided resolver does not \
                     answer this VPC (localvpc answers REFUSED)",
                    vpc.id
                )
            });
            return Err(Rcode::Refused);
        }
        Ok(Scope::Vpc { vpc, inbound })
    }

    /// Resolves one name (no CNAME chasing) in a scope.
    pub(crate) fn lookup(&mut self, scope: Scope<'m>, qname: &str, qtype: QType) -> Step {
        match scope {
            Scope::Public => public::lookup(self, qname, qtype),
            Scope::Vpc { vpc, inbound } => self.lookup_vpc(vpc, inbound, qname, qtype),
        }
    }

    fn lookup_vpc(
        &mut self,
        vpc: &'m Vpc,
        inbound: Option<&'m ResolverEndpoint>,
        qname: &str,
        qtype: QType,
    ) -> Step {
        let candidates = self.candidates(vpc, inbound, qname);
        let best = candidates.iter().max_by_key(|c| c.rank()).cloned();
        let Some(best) = best else {
            self.push(|| {
                TrailStep::new(
                    StepKind::Match,
                    format!(
                        "no Resolver rule and no local domain of {} matches {qname}: the \
                         autodefined internet rule ({AUTODEFINED_INTERNET_RULE_ID}, RECURSIVE, \
                         `.`) sends it to public DNS",
                        vpc.id
                    ),
                )
                .rule(AUTODEFINED_INTERNET_RULE_ID)
            });
            return public::lookup(self, qname, qtype);
        };
        self.push(|| best.won(candidates.len()));
        for other in candidates.iter().filter(|c| c.rank() != best.rank()) {
            self.push(|| other.lost_to(&best));
        }
        match &best.source {
            Source::Rule(rule, _) if rule.rule_type == ResolverRuleType::Forward => Step {
                rcode: Some(Rcode::ServFail),
                forward: Some(Forward {
                    rule_id: rule.id.to_string(),
                    domain: rule.domain_name.clone(),
                    targets: rule
                        .target_ips
                        .iter()
                        .map(|t| SocketAddr::new(IpAddr::V4(t.ip), t.port))
                        .collect(),
                    outbound_endpoint: rule.resolver_endpoint_id.as_ref().map(ToString::to_string),
                    vpc_id: vpc.id.to_string(),
                }),
                ..Step::default()
            },
            Source::Rule(rule, _) => {
                // SYSTEM (or anything not FORWARD): the Resolver answers itself, from its
                // local domains, else public DNS.
                let local = candidates
                    .iter()
                    .filter(|c| matches!(c.source, Source::Local(_)))
                    .max_by_key(|c| c.rank());
                match local {
                    Some(c) => {
                        self.push(|| {
                            TrailStep::new(
                                StepKind::Match,
                                format!(
                                    "SYSTEM rule {} hands {qname} back to the Resolver: it \
                                     answers from {}",
                                    rule.id,
                                    c.describe()
                                ),
                            )
                            .rule(rule.id.as_str())
                        });
                        let Source::Local(local) = &c.source else {
                            return Step::default();
                        };
                        let domain = c.domain.clone();
                        self.answer_local(vpc, local, &domain, qname, qtype)
                    }
                    None => {
                        self.push(|| {
                            TrailStep::new(
                                StepKind::Match,
                                format!(
                                    "SYSTEM rule {} hands {qname} back to the Resolver; no \
                                     local domain matches, so it recurses to public DNS",
                                    rule.id
                                ),
                            )
                            .rule(rule.id.as_str())
                        });
                        public::lookup(self, qname, qtype)
                    }
                }
            }
            Source::Local(local) => {
                let domain = best.domain.clone();
                self.answer_local(vpc, local, &domain, qname, qtype)
            }
        }
    }

    /// Every rule and local domain of the VPC that matches `qname`, noting the ones that
    /// match but do not apply.
    fn candidates(
        &mut self,
        vpc: &'m Vpc,
        inbound: Option<&'m ResolverEndpoint>,
        qname: &str,
    ) -> Vec<Candidate<'m>> {
        let model = self.model;
        let mut out = Vec::new();
        let Some(tables) = self.index.vpc(&vpc.id) else {
            return out;
        };
        for (order, rule) in tables.rules.iter().filter(|r| r.matches(qname)).enumerate() {
            out.push(Candidate {
                domain: rule.domain_name.clone(),
                source: Source::Rule(Box::new(rule.clone()), order),
            });
        }
        let both = vpc.enable_dns_support && vpc.enable_dns_hostnames;
        for zone in tables
            .zones
            .iter()
            .filter_map(|id| model.any::<HostedZone>(id))
            .filter(|z| is_within(qname, &z.name))
        {
            if both {
                out.push(Candidate {
                    domain: zone.name.clone(),
                    source: Source::Local(Local::Phz(zone)),
                });
            } else {
                self.push(|| {
                    TrailStep::new(
                        StepKind::Ignored,
                        format!(
                            "private hosted zone {} ({}) is associated with {} but not \
                             honoured: private hosted zones need both enableDnsSupport and \
                             enableDnsHostnames (docs/aws-semantics.md §1.4)",
                            zone.name, zone.id, vpc.id
                        ),
                    )
                    .zone(Some(zone.id.as_str()), &zone.name)
                });
            }
        }
        for (endpoint_id, zones) in &tables.endpoints {
            let Some(endpoint) = model.any::<VpcEndpoint>(endpoint_id) else {
                continue;
            };
            for (zone_name, exact, wildcard) in zones {
                let (zone_name, exact, wildcard) = (zone_name.as_str(), *exact, *wildcard);
                if !is_within(qname, zone_name) {
                    continue;
                }
                let why_not = if endpoint.state != EndpointState::Available {
                    Some(format!(
                        "endpoint {} is {}: its private DNS zone {zone_name} is not active",
                        endpoint.id,
                        endpoint.state.as_str()
                    ))
                } else if !both {
                    Some(format!(
                        "endpoint {} private DNS zone {zone_name} needs both enableDnsSupport \
                         and enableDnsHostnames on {}",
                        endpoint.id, vpc.id
                    ))
                } else if endpoint.private_dns_only_for_inbound_resolver_endpoint == Some(true)
                    && inbound.is_none()
                {
                    Some(format!(
                        "endpoint {} has PrivateDnsOnlyForInboundResolverEndpoint: its private \
                         names ({zone_name}) answer only queries that arrive through an inbound \
                         Resolver endpoint; in-VPC clients get the public answer and use the \
                         gateway endpoint (docs/aws-semantics.md §3.7)",
                        endpoint.id
                    ))
                } else {
                    None
                };
                match why_not {
                    Some(detail) => self.push(|| {
                        TrailStep::new(StepKind::Ignored, detail)
                            .endpoint(endpoint.id.as_str())
                            .zone(Some(&endpoint.private_zone_id), zone_name)
                    }),
                    None => out.push(Candidate {
                        domain: zone_name.to_owned(),
                        source: Source::Local(Local::Endpoint {
                            endpoint,
                            exact,
                            wildcard,
                        }),
                    }),
                }
            }
        }
        let (private_domain, public_domain) = &tables.compute;
        for (domain, local) in [
            (private_domain, Local::ComputePrivate),
            (public_domain, Local::ComputePublic),
        ] {
            if !is_within(qname, domain) {
                continue;
            }
            if vpc.enable_dns_hostnames {
                out.push(Candidate {
                    domain: domain.clone(),
                    source: Source::Local(local),
                });
            } else {
                self.note(StepKind::Attribute, || {
                    format!(
                        "enableDnsHostnames is false on {}: the Resolver has no {domain} names \
                         for it",
                        vpc.id
                    )
                });
            }
        }
        if let Some(domain) = tables
            .reverse
            .iter()
            .filter(|z| is_within(qname, z))
            .max_by_key(|z| z.len())
        {
            out.push(Candidate {
                domain: domain.clone(),
                source: Source::Local(Local::Reverse),
            });
        }
        out
    }

    fn answer_local(
        &mut self,
        vpc: &'m Vpc,
        local: &Local<'m>,
        domain: &str,
        qname: &str,
        qtype: QType,
    ) -> Step {
        match local {
            Local::Phz(z) => zone::answer(self, z, qname, qtype, &vpc.scope.region, 0),
            Local::Endpoint {
                endpoint,
                exact,
                wildcard,
            } => self.answer_endpoint_zone(endpoint, domain, *exact, *wildcard, qname, qtype),
            Local::ComputePrivate => self.answer_compute_private(vpc, domain, qname, qtype),
            Local::ComputePublic => self.answer_compute_public(vpc, domain, qname, qtype),
            Local::Reverse => self.answer_reverse(vpc, domain, qname, qtype),
        }
    }

    /// An interface endpoint's hidden zone: the service name (and `*.` below it for S3,
    /// ECR…) → the endpoint's ENI addresses.
    fn answer_endpoint_zone(
        &mut self,
        endpoint: &VpcEndpoint,
        zone_name: &str,
        exact: bool,
        wildcard: bool,
        qname: &str,
        qtype: QType,
    ) -> Step {
        let soa = negative_soa(zone_name, Soa::private_default(), 900);
        let covered = (qname == zone_name && exact) || (qname != zone_name && wildcard);
        if !covered {
            self.push(|| {
                TrailStep::new(
                    StepKind::Negative,
                    format!(
                        "the hidden private-DNS zone {zone_name} of endpoint {} has no record \
                         {qname}: NXDOMAIN, no fallback to public DNS (docs/aws-semantics.md §6.3)",
                        endpoint.id
                    ),
                )
                .endpoint(endpoint.id.as_str())
            });
            return Step::negative(Rcode::NxDomain, Some(soa), true);
        }
        let ips = self.endpoint_ips(endpoint);
        let owner = if qname == zone_name {
            zone_name.to_owned()
        } else {
            format!("*.{zone_name}")
        };
        self.push(|| {
            TrailStep::new(
                StepKind::Shadowed,
                format!(
                    "the public answer for {qname} is shadowed by endpoint {} private DNS",
                    endpoint.id
                ),
            )
            .endpoint(endpoint.id.as_str())
        });
        self.address_answer(
            qname,
            qtype,
            &ips,
            &endpoint.dns_record_ip_type,
            Some(soa),
            format!(
                "{owner} in the hidden private-DNS zone of {} → its network interfaces' private \
                 IPs",
                endpoint.id
            ),
            Some(endpoint.id.as_str()),
        )
    }

    /// The private IPs of an endpoint's network interfaces, in interface order.
    pub(crate) fn endpoint_ips(&self, endpoint: &VpcEndpoint) -> Vec<(String, Ipv4Addr)> {
        endpoint
            .network_interface_ids
            .iter()
            .filter_map(|id| self.model.any::<NetworkInterface>(id))
            .map(|eni| (eni.availability_zone.clone(), eni.private_ip))
            .collect()
    }

    /// A/AAAA answers for synthesised names; other types are NODATA.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call per synthesised zone kind"
    )]
    pub(crate) fn address_answer(
        &mut self,
        qname: &str,
        qtype: QType,
        ips: &[(String, Ipv4Addr)],
        ip_type: &str,
        soa: Option<Rr>,
        what: String,
        endpoint: Option<&str>,
    ) -> Step {
        let with_endpoint = |s: TrailStep| match endpoint {
            Some(id) => s.endpoint(id),
            None => s,
        };
        if qtype == QType::A && ip_type != "ipv6" {
            let answers: Vec<Rr> = ips
                .iter()
                .map(|(_, ip)| Rr {
                    name: qname.to_owned(),
                    ttl: SYNTH_TTL,
                    data: RrData::A(*ip),
                })
                .collect();
            self.push(|| {
                let list: Vec<String> = ips.iter().map(|(_, ip)| ip.to_string()).collect();
                with_endpoint(
                    TrailStep::new(StepKind::Record, format!("{what}: {}", list.join(", ")))
                        .record(format!("{qname} A")),
                )
            });
            return Step::answer(answers, true);
        }
        self.push(|| {
            with_endpoint(TrailStep::new(
                StepKind::Negative,
                format!(
                    "{what}; it has no {qtype} records (DnsRecordIpType {ip_type}; localvpc \
                 interfaces are IPv4): NODATA"
                ),
            ))
        });
        Step::negative(Rcode::NoError, soa, true)
    }

    /// `ip-10-0-1-23.<region>.compute.internal` → 10.0.1.23 when an interface of this VPC
    /// (or of a peer that allows DNS resolution) holds it.
    fn answer_compute_private(
        &mut self,
        vpc: &Vpc,
        domain: &str,
        qname: &str,
        qtype: QType,
    ) -> Step {
        let soa = negative_soa(domain, Soa::private_default(), 900);
        let ip = qname
            .strip_suffix(domain)
            .and_then(|head| head.strip_suffix('.'))
            .and_then(|label| label.strip_prefix("ip-"))
            .and_then(|dashed| dashed.replace('-', ".").parse::<Ipv4Addr>().ok());
        let owner = ip.and_then(|ip| self.private_owner(vpc, ip));
        match (ip, owner) {
            (Some(ip), Some(owner)) => self.address_answer(
                qname,
                qtype,
                &[(String::new(), ip)],
                "ipv4",
                Some(soa),
                format!("Amazon-provided private name of {ip} ({owner})"),
                None,
            ),
            _ => {
                self.note(StepKind::Negative, || {
                    format!(
                        "{qname} is not the private name of an address in {} (or in a peered \
                         VPC that allows DNS resolution): NXDOMAIN",
                        vpc.id
                    )
                });
                Step::negative(Rcode::NxDomain, Some(soa), true)
            }
        }
    }

    /// `ec2-203-0-113-5.<region>.compute.amazonaws.com` → the private IP inside the VPC (and
    /// in peers that allow DNS resolution), else the public IP (docs/aws-semantics.md §1.4).
    fn answer_compute_public(
        &mut self,
        vpc: &Vpc,
        domain: &str,
        qname: &str,
        qtype: QType,
    ) -> Step {
        let Some((public_ip, holder)) = public::ec2_public_name(self.model, qname, domain) else {
            self.note(StepKind::Negative, || {
                format!("{qname} is not the public name of any instance: NXDOMAIN")
            });
            let soa = negative_soa(domain, Soa::private_default(), 900);
            return Step::negative(Rcode::NxDomain, Some(soa), true);
        };
        let (holder_vpc, private_ip) = holder;
        let private = holder_vpc == vpc.id || self.peer_allows_dns(&vpc.id, &holder_vpc);
        let (ip, what) = if private {
            (
                private_ip,
                format!(
                    "public name of {public_ip}, held by {private_ip} in {holder_vpc}; inside {} \
                     it answers the private IP (enableDnsHostnames)",
                    vpc.id
                ),
            )
        } else {
            (
                public_ip,
                format!(
                    "public name of {public_ip} (an address in {holder_vpc}, not peered with DNS \
                     resolution): the public IP"
                ),
            )
        };
        self.address_answer(
            qname,
            qtype,
            &[(String::new(), ip)],
            "ipv4",
            None,
            what,
            None,
        )
    }

    /// PTR for addresses of this VPC (and peers that allow DNS resolution).
    fn answer_reverse(&mut self, vpc: &Vpc, domain: &str, qname: &str, qtype: QType) -> Step {
        let soa = negative_soa(domain, Soa::private_default(), 900);
        let ip = parse_reverse(qname);
        let owner = ip.and_then(|ip| self.private_owner(vpc, ip).map(|o| (ip, o)));
        match owner {
            Some((ip, owner)) if vpc.enable_dns_hostnames => {
                let region = self
                    .model
                    .any::<Vpc>(&owner)
                    .map_or(vpc.scope.region.clone(), |v| v.scope.region.clone());
                let target = format!("{}.", private_dns_name(&region, ip));
                if qtype != QType::Ptr {
                    self.note(StepKind::Negative, || {
                        format!("{qname} has a PTR record only: NODATA")
                    });
                    return Step::negative(Rcode::NoError, Some(soa), true);
                }
                self.push(|| {
                    TrailStep::new(
                        StepKind::Record,
                        format!("autodefined reverse zone {domain}: {ip} ({owner}) → {target}"),
                    )
                    .zone(None, domain)
                    .record(format!("{qname} PTR"))
                });
                Step::answer(
                    vec![Rr {
                        name: qname.to_owned(),
                        ttl: SYNTH_TTL,
                        data: RrData::Ptr(target),
                    }],
                    true,
                )
            }
            Some(_) => {
                self.note(StepKind::Attribute, || {
                    format!(
                        "enableDnsHostnames is false on {}: no PTR records (autodefined \
                         reverse zone {domain}): NXDOMAIN",
                        vpc.id
                    )
                });
                Step::negative(Rcode::NxDomain, Some(soa), true)
            }
            None => {
                self.push(|| {
                    TrailStep::new(
                        StepKind::Negative,
                        format!(
                            "autodefined reverse zone {domain} has no PTR for {qname}: NXDOMAIN \
                             (the Resolver answers private ranges itself and never asks public \
                             DNS)"
                        ),
                    )
                    .zone(None, domain)
                });
                Step::negative(Rcode::NxDomain, Some(soa), true)
            }
        }
    }

    /// The VPC holding `ip` on one of its interfaces: this VPC, or a peer whose side allows
    /// DNS resolution from the remote VPC.
    fn private_owner(&self, vpc: &Vpc, ip: Ipv4Addr) -> Option<VpcId> {
        let holds = |id: &VpcId| {
            self.model
                .interfaces_of_vpc(id)
                .any(|e| e.addresses().any(|a| a == ip))
        };
        if holds(&vpc.id) {
            return Some(vpc.id.clone());
        }
        self.model
            .all::<VpcPeeringConnection>()
            .filter(|p| p.is_active() && p.involves(&vpc.id))
            .filter_map(|p| {
                let peer = if p.requester.vpc_id == vpc.id {
                    &p.accepter
                } else {
                    &p.requester
                };
                peer.allow_dns_resolution_from_remote_vpc
                    .then(|| peer.vpc_id.clone())
            })
            .find(|id| holds(id))
    }

    /// Whether `peer` is peered with `vpc` and lets it resolve its names to private IPs.
    fn peer_allows_dns(&self, vpc: &VpcId, peer: &VpcId) -> bool {
        self.model.all::<VpcPeeringConnection>().any(|p| {
            p.is_active()
                && p.involves(vpc)
                && p.involves(peer)
                && if &p.requester.vpc_id == peer {
                    p.requester.allow_dns_resolution_from_remote_vpc
                } else {
                    p.accepter.allow_dns_resolution_from_remote_vpc
                }
        })
    }
}

/// The hidden zones of an endpoint: (zone name, apex record?, wildcard record?).
pub(crate) fn endpoint_zones(
    model: &Model,
    catalog: &Catalog,
    endpoint: &VpcEndpoint,
) -> Vec<(String, bool, bool)> {
    let mut zones: Vec<(String, bool, bool)> = Vec::new();
    for name in model.endpoint_private_names(catalog, endpoint) {
        let (bare, wildcard) = match name.strip_prefix("*.") {
            Some(rest) => (rest, true),
            None => (name.as_str(), false),
        };
        let Ok(zone) = canonical(bare) else { continue };
        match zones.iter_mut().find(|(z, _, _)| *z == zone) {
            Some(entry) => {
                entry.1 |= !wildcard;
                entry.2 |= wildcard;
            }
            None => zones.push((zone, !wildcard, wildcard)),
        }
    }
    zones
}

/// The EC2 name domains of a region: private (`compute.internal`) and public.
pub(crate) fn compute_domains(region: &str) -> (String, String) {
    if region == "us-east-1" {
        (
            "ec2.internal.".to_owned(),
            "compute-1.amazonaws.com.".to_owned(),
        )
    } else {
        (
            format!("{region}.compute.internal."),
            format!("{region}.compute.amazonaws.com."),
        )
    }
}

/// The autodefined reverse zones (docs/aws-semantics.md §7.1): the private ranges, and each VPC block's
/// octet-aligned zone.
pub(crate) fn reverse_zones(vpc: &Vpc) -> Vec<String> {
    let mut out = vec![
        "10.in-addr.arpa.".to_owned(),
        "168.192.in-addr.arpa.".to_owned(),
    ];
    out.extend((16..32).map(|n| format!("{n}.172.in-addr.arpa.")));
    for cidr in vpc.associated_cidrs() {
        let octets = cidr.network().octets();
        let keep = usize::from(cidr.prefix_len() / 8);
        let mut labels: Vec<String> = octets.iter().take(keep).map(ToString::to_string).collect();
        if labels.is_empty() {
            continue;
        }
        labels.reverse();
        out.push(format!("{}.in-addr.arpa.", labels.join(".")));
    }
    out
}

/// `23.1.0.10.in-addr.arpa.` → 10.0.1.23.
fn parse_reverse(qname: &str) -> Option<Ipv4Addr> {
    let head = qname.strip_suffix(".in-addr.arpa.")?;
    let mut octets: Vec<u8> = head
        .split('.')
        .map(|o| o.parse().ok())
        .collect::<Option<_>>()?;
    if octets.len() != 4 {
        return None;
    }
    octets.reverse();
    let bytes: [u8; 4] = octets.try_into().ok()?;
    Some(Ipv4Addr::from(bytes))
}

/// A local domain of the VPC resolver.
#[derive(Clone)]
enum Local<'m> {
    Phz(&'m HostedZone),
    Endpoint {
        endpoint: &'m VpcEndpoint,
        exact: bool,
        wildcard: bool,
    },
    ComputePrivate,
    ComputePublic,
    Reverse,
}

#[derive(Clone)]
enum Source<'m> {
    /// A customer rule and its association order.
    Rule(Box<ResolverRule>, usize),
    Local(Local<'m>),
}

#[derive(Clone)]
struct Candidate<'m> {
    domain: String,
    source: Source<'m>,
}

impl Candidate<'_> {
    fn labels(&self) -> usize {
        self.domain
            .trim_end_matches('.')
            .split('.')
            .filter(|l| !l.is_empty())
            .count()
    }

    /// Most specific first; on a tie a customer rule beats a local domain (docs/aws-semantics.md §7.2),
    /// earlier associations beat later ones, and local kinds rank PHZ > endpoint > EC2 >
    /// reverse.
    fn rank(&self) -> (usize, bool, std::cmp::Reverse<usize>) {
        let (customer, order) = match &self.source {
            Source::Rule(_, order) => (true, *order),
            Source::Local(Local::Phz(_)) => (false, 0),
            Source::Local(Local::Endpoint { .. }) => (false, 1),
            Source::Local(Local::ComputePrivate | Local::ComputePublic) => (false, 2),
            Source::Local(Local::Reverse) => (false, 3),
        };
        (self.labels(), customer, std::cmp::Reverse(order))
    }

    fn describe(&self) -> String {
        match &self.source {
            Source::Rule(rule, _) => format!(
                "{} rule {} for {}",
                rule.rule_type.as_str(),
                rule.id,
                rule.domain_name
            ),
            Source::Local(Local::Phz(z)) => format!(
                "private hosted zone {} ({}) of account {}, associated with this VPC",
                z.name,
                z.id,
                z.owner().as_str()
            ),
            Source::Local(Local::Endpoint { endpoint, .. }) => format!(
                "the private-DNS zone {} of interface endpoint {}",
                self.domain, endpoint.id
            ),
            Source::Local(Local::ComputePrivate) => {
                format!("the Amazon-provided private names {}", self.domain)
            }
            Source::Local(Local::ComputePublic) => {
                format!("the EC2 public names {}", self.domain)
            }
            Source::Local(Local::Reverse) => {
                format!("the autodefined reverse zone {}", self.domain)
            }
        }
    }

    fn tag(&self, step: TrailStep) -> TrailStep {
        match &self.source {
            Source::Rule(rule, _) => step.rule(rule.id.as_str()),
            Source::Local(Local::Phz(z)) => step.zone(Some(z.id.as_str()), &z.name),
            Source::Local(Local::Endpoint { endpoint, .. }) => step
                .endpoint(endpoint.id.as_str())
                .zone(Some(&endpoint.private_zone_id), &self.domain),
            Source::Local(_) => step.zone(None, &self.domain),
        }
    }

    fn won(&self, matching: usize) -> TrailStep {
        let why = if matching == 1 {
            "the only matching rule or local domain".to_owned()
        } else {
            format!("the most specific of {matching} matching rules and local domains")
        };
        self.tag(TrailStep::new(
            StepKind::Match,
            format!("{} matches ({why})", self.describe()),
        ))
    }

    fn lost_to(&self, winner: &Candidate<'_>) -> TrailStep {
        let why = if self.labels() == winner.labels() {
            "same domain: a customer rule wins the tie (docs/aws-semantics.md §7.2)"
        } else {
            "less specific"
        };
        self.tag(TrailStep::new(
            StepKind::Shadowed,
            format!(
                "{} also matches but loses to {} ({why})",
                self.describe(),
                winner.describe()
            ),
        ))
    }
}

#[cfg(test)]
mod tests;
