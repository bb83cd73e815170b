//! Answering from one hosted zone (private or public), docs/aws-semantics.md §6.3: the exact record, else a
//! CNAME, else NODATA when the name exists, else a wildcard (RFC 4592 closest encloser),
//! else NXDOMAIN — never a fallback to another zone. Aliases are expanded here.

use crate::public;
use crate::resolve::{Resolver, SYNTH_TTL, Step, negative_soa};
use crate::rr::{QType, Rr, RrData, Soa};
use crate::trail::{Rcode, StepKind, TrailStep};
use localvpc_model::route53::HostedZone;
use localvpc_model::route53::name::{canonical, is_within};
use localvpc_model::route53::record::{AliasTarget, RecordSet, Routing};

/// How deep alias → alias expansion goes inside one zone.
const MAX_ALIAS_DEPTH: usize = 4;
/// TTL of records without one (Route 53 requires one; defensive).
const DEFAULT_TTL: u32 = 300;

/// The zone's SOA and its TTL, for negative answers.
fn zone_soa(zone: &HostedZone) -> Rr {
    let found = zone
        .record_sets_named(&zone.name)
        .into_iter()
        .find(|r| r.record_type == "SOA")
        .and_then(|r| {
            let value = r.values.first()?;
            match RrData::parse(QType::Soa, value)? {
                RrData::Soa(soa) => Some((soa, r.ttl.unwrap_or(900))),
                _ => None,
            }
        });
    let (soa, ttl) = found.unwrap_or_else(|| (Soa::private_default(), 900));
    negative_soa(&zone.name, soa, ttl)
}

fn kind(zone: &HostedZone) -> &'static str {
    if zone.private {
        "private hosted zone"
    } else {
        "public hosted zone"
    }
}

/// Answers `qname`/`qtype` from `zone` alone.
pub(crate) fn answer(
    r: &mut Resolver<'_>,
    zone: &HostedZone,
    qname: &str,
    qtype: QType,
    region: &str,
    depth: usize,
) -> Step {
    let tag = |s: TrailStep| s.zone(Some(zone.id.as_str()), &zone.name);
    let soa = zone_soa(zone);
    let at_name: Vec<&RecordSet> = zone.record_sets_named(qname);
    let (sets, owner_label) = if !at_name.is_empty() {
        (at_name, qname.to_owned())
    } else if zone.has_records_at_or_below(qname) {
        r.push(|| {
            tag(TrailStep::new(
                StepKind::Negative,
                format!(
                    "{qname} exists in {} {} only as a parent of other records: NODATA",
                    kind(zone),
                    zone.name
                ),
            ))
        });
        return Step::negative(Rcode::NoError, Some(soa), true);
    } else {
        let encloser = closest_encloser(zone, qname);
        let wildcard = format!("\\052.{encloser}");
        let sets: Vec<&RecordSet> = zone.record_sets_named(&wildcard);
        if sets.is_empty() {
            r.push(|| {
                tag(TrailStep::new(
                    StepKind::Negative,
                    format!(
                        "{} {} ({}) has no record named {qname} and no wildcard covers it \
                     (closest encloser {encloser}): NXDOMAIN. There is no fallback to public \
                     DNS or to a less specific zone (docs/aws-semantics.md §6.3)",
                        kind(zone),
                        zone.name,
                        zone.id
                    ),
                ))
            });
            return Step::negative(Rcode::NxDomain, Some(soa), true);
        }
        r.push(|| {
            tag(TrailStep::new(
                StepKind::Wildcard,
                format!(
                    "{qname} is not in {} but the wildcard *.{encloser} covers it (RFC 4592)",
                    zone.name
                ),
            ))
        });
        (sets, format!("*.{encloser}"))
    };
    if qtype != QType::Cname
        && let Some(cname) = sets.iter().find(|s| s.record_type == "CNAME")
    {
        let answers = values(cname, qname, QType::Cname);
        r.push(|| {
            tag(TrailStep::new(
                StepKind::Record,
                format!(
                    "{owner_label} is a CNAME in {} {}: {}",
                    kind(zone),
                    zone.name,
                    cname.values.join(", ")
                ),
            )
            .record(format!("{owner_label} CNAME")))
        });
        return Step::answer(answers, true);
    }
    let wanted: Vec<&RecordSet> = match qtype.route53_type() {
        Some(t) => sets
            .iter()
            .copied()
            .filter(|s| s.record_type == t)
            .collect(),
        None => Vec::new(),
    };
    if wanted.is_empty() {
        let mut types: Vec<&str> = sets.iter().map(|s| s.record_type.as_str()).collect();
        types.dedup();
        r.push(|| {
            tag(TrailStep::new(
                StepKind::Negative,
                format!(
                    "{owner_label} exists in {} {} with {} but no {qtype} record: NODATA (NOERROR, \
                 SOA in authority)",
                    kind(zone),
                    zone.name,
                    types.join(", ")
                ),
            ))
        });
        return Step::negative(Rcode::NoError, Some(soa), true);
    }
    let (chosen, routing_note) = pick(wanted, region);
    if let Some(note) = routing_note {
        r.push(|| tag(TrailStep::new(StepKind::Record, note)));
    }
    let mut answers = Vec::new();
    for set in chosen {
        match &set.alias {
            Some(alias) => {
                answers.extend(expand_alias(r, zone, alias, qname, qtype, region, depth));
            }
            None => {
                r.push(|| {
                    tag(TrailStep::new(
                        StepKind::Record,
                        format!(
                            "{owner_label} {} in {} {} ({}): {}",
                            set.record_type,
                            kind(zone),
                            zone.name,
                            zone.id,
                            set.values.join(", ")
                        ),
                    )
                    .record(format!("{owner_label} {}", set.record_type)))
                });
                answers.extend(values(set, qname, qtype));
            }
        }
    }
    if answers.is_empty() {
        return Step::negative(Rcode::NoError, Some(soa), true);
    }
    Step::answer(answers, true)
}

/// The longest ancestor of `qname` (within the zone) that exists: has records at or below it.
fn closest_encloser(zone: &HostedZone, qname: &str) -> String {
    let mut candidate = qname;
    while candidate != zone.name {
        let Some((_, parent)) = candidate.split_once('.') else {
            break;
        };
        candidate = parent;
        if candidate == zone.name || zone.has_records_at_or_below(candidate) {
            break;
        }
    }
    if candidate.is_empty() {
        zone.name.clone()
    } else {
        candidate.to_owned()
    }
}

fn values(set: &RecordSet, owner: &str, qtype: QType) -> Vec<Rr> {
    set.values
        .iter()
        .filter_map(|v| RrData::parse(qtype, v))
        .map(|data| Rr {
            name: owner.to_owned(),
            ttl: set.ttl.unwrap_or(DEFAULT_TTL),
            data,
        })
        .collect()
}

/// Chooses among record sets with routing policies, deterministically (docs/aws-choices.md):
/// multivalue → all; failover → PRIMARY (localvpc has no health checks, so it is always
/// healthy); weighted → the highest weight (ties: the smallest set identifier); latency →
/// the record of the caller's region, else the first; geolocation → the default (`*`)
/// record, else the first.
fn pick<'z>(sets: Vec<&'z RecordSet>, region: &str) -> (Vec<&'z RecordSet>, Option<String>) {
    let Some(first) = sets.first().copied() else {
        return (sets, None);
    };
    let Some(routing) = &first.routing else {
        return (sets, None);
    };
    let id = |s: &RecordSet| s.set_identifier.clone().unwrap_or_default();
    let chosen = match routing {
        Routing::MultiValue => {
            let all: Vec<&RecordSet> = sets.into_iter().take(8).collect();
            let note = format!("multivalue answer: {} record sets returned", all.len());
            return (all, Some(note));
        }
        Routing::Failover(_) => sets
            .iter()
            .copied()
            .find(|s| matches!(&s.routing, Some(Routing::Failover(r)) if r == "PRIMARY"))
            .unwrap_or(first),
        Routing::Weighted(_) => sets
            .iter()
            .copied()
            .max_by(|a, b| {
                let w = |s: &RecordSet| match s.routing {
                    Some(Routing::Weighted(w)) => w,
                    _ => 0,
                };
                w(a).cmp(&w(b)).then_with(|| id(b).cmp(&id(a)))
            })
            .unwrap_or(first),
        Routing::Latency(_) => sets
            .iter()
            .copied()
            .find(|s| matches!(&s.routing, Some(Routing::Latency(r)) if r == region))
            .unwrap_or(first),
        Routing::Geo(_) => sets
            .iter()
            .copied()
            .find(|s| {
                matches!(&s.routing, Some(Routing::Geo(g)) if g.country_code.as_deref() == Some("*"))
            })
            .unwrap_or(first),
    };
    let note = format!(
        "routing policy: chose set identifier `{}` of {} (deterministic choice, \
         docs/aws-choices.md)",
        id(chosen),
        sets.len()
    );
    (vec![chosen], Some(note))
}

/// An alias's records, owned by `owner`, of type `qtype`.
fn expand_alias(
    r: &mut Resolver<'_>,
    zone: &HostedZone,
    alias: &AliasTarget,
    owner: &str,
    qtype: QType,
    region: &str,
    depth: usize,
) -> Vec<Rr> {
    let canonical_target = canonical(&alias.dns_name).unwrap_or_else(|_| alias.dns_name.clone());
    let target = canonical_target.as_str();
    let rename = |rrs: Vec<Rr>| -> Vec<Rr> {
        rrs.into_iter()
            .filter(|rr| rr.data.qtype() == qtype)
            .map(|rr| Rr {
                name: owner.to_owned(),
                ..rr
            })
            .collect()
    };
    if alias.hosted_zone_id == zone.id.as_str() && is_within(target, &zone.name) {
        if depth >= MAX_ALIAS_DEPTH {
            r.note(StepKind::Alias, || {
                format!("alias chain too deep at {target}")
            });
            return Vec::new();
        }
        r.push(|| {
            TrailStep::new(
                StepKind::Alias,
                format!("alias {owner} → {target} in the same zone"),
            )
            .zone(Some(zone.id.as_str()), &zone.name)
        });
        let step = answer(r, zone, target, qtype, region, depth + 1);
        return rename(step.answers);
    }
    if let Some((endpoint, ips)) = public::vpce_addresses(r, target) {
        let list: Vec<String> = ips.iter().map(ToString::to_string).collect();
        r.push(|| {
            TrailStep::new(
                StepKind::Alias,
                format!(
                    "alias {owner} → {target}, the DNS name of interface endpoint {endpoint}: \
                     its private IPs {}",
                    list.join(", ")
                ),
            )
            .endpoint(endpoint.as_str())
            .record(format!("{owner} {qtype} (alias)"))
        });
        if qtype != QType::A {
            return Vec::new();
        }
        return ips
            .into_iter()
            .map(|ip| Rr {
                name: owner.to_owned(),
                ttl: SYNTH_TTL,
                data: RrData::A(ip),
            })
            .collect();
    }
    if let Some((lb, ips)) = public::load_balancer_addresses(r.model, target) {
        r.push(|| {
            TrailStep::new(
                StepKind::Alias,
                format!("alias {owner} → {target}, load balancer {lb}: its node addresses"),
            )
            .record(format!("{owner} {qtype} (alias)"))
        });
        if qtype != QType::A {
            return Vec::new();
        }
        return ips
            .into_iter()
            .map(|ip| Rr {
                name: owner.to_owned(),
                ttl: SYNTH_TTL,
                data: RrData::A(ip),
            })
            .collect();
    }
    r.push(|| {
        TrailStep::new(
            StepKind::Alias,
            format!(
                "alias {owner} → {target} (zone {}): resolved in the public view",
                alias.hosted_zone_id
            ),
        )
    });
    let step = public::lookup(r, target, qtype);
    rename(step.answers)
}
