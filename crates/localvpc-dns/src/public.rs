//! The public view: what localvpc knows of public DNS. Public hosted zones of every account,
//! the public `vpce-….vpce.amazonaws.com` names of interface endpoints, load balancers'
//! `….elb.<region>.amazonaws.com` names, AWS service names
//! (stable addresses from the service's published ranges where localvpc has them), and EC2
//! public names. Everything else is NXDOMAIN: localvpc is not an open recursive resolver.

use crate::resolve::{Resolver, SYNTH_TTL, Step, compute_domains};
use crate::rr::{QType, Rr, RrData};
use crate::trail::{Rcode, StepKind, TrailStep};
use crate::zone;
use localvpc_model::route53::name::{canonical, is_within};
use localvpc_model::{
    Catalog, ElasticIp, EndpointState, EndpointType, EndpointTypeWire, Instance, LoadBalancer,
    Model, NetworkInterface, PREFIX_LIST_SERVICES, VpcEndpoint, VpcEndpointId, VpcId,
    aws_prefix_list_for, aws_services,
};
use std::net::Ipv4Addr;

/// Resolves `qname` in the public view.
pub(crate) fn lookup(r: &mut Resolver<'_>, qname: &str, qtype: QType) -> Step {
    if qname.ends_with(".vpce.amazonaws.com.")
        && let Some(step) = vpce_name(r, qname, qtype)
    {
        return step;
    }
    if qname.contains(".elb.")
        && let Some((name, ips)) = load_balancer_addresses(r.model, qname)
    {
        return balancer_name(r, qname, qtype, &name, ips);
    }
    if let Some((service, region, ip, source)) = service_address(r.catalog, qname) {
        let detail = format!(
            "{qname} is the public name of the AWS service {service} in {region}: localvpc \
             answers a stable public address {ip} ({source})"
        );
        return address(r, qname, qtype, ip, detail, false);
    }
    if let Some((public_ip, _)) = ec2_public_name_any(r.model, qname) {
        let detail = format!(
            "{qname} is the public DNS name of an EC2 address: public DNS answers {public_ip}"
        );
        return address(r, qname, qtype, public_ip, detail, false);
    }
    let model = r.model;
    let zone = model
        .public_hosted_zones()
        .filter(|z| is_within(qname, &z.name))
        .max_by(|a, b| {
            a.name
                .len()
                .cmp(&b.name.len())
                // Same name in several accounts: the oldest zone is "the delegated one".
                .then_with(|| b.created.cmp(&a.created))
                .then_with(|| b.id.cmp(&a.id))
        });
    if let Some(zone) = zone {
        r.push(|| {
            TrailStep::new(
                StepKind::Public,
                format!(
                    "public hosted zone {} ({}, account {}) is the most specific public zone \
                     for {qname}",
                    zone.name,
                    zone.id,
                    zone.owner()
                ),
            )
            .zone(Some(zone.id.as_str()), &zone.name)
        });
        let mut step = zone::answer(r, zone, qname, qtype, "", 0);
        // Through a recursive resolver the answer is not authoritative.
        step.authoritative = false;
        return step;
    }
    r.note(StepKind::Public, || {
        format!(
            "{qname} is not in localvpc's public view (public hosted zones, vpce-….vpce.\
             amazonaws.com endpoint names, load balancer names, AWS service names, EC2 public \
             names): NXDOMAIN. \
             localvpc is not an open recursive resolver"
        )
    });
    Step::negative(Rcode::NxDomain, None, false)
}

fn address(
    r: &mut Resolver<'_>,
    qname: &str,
    qtype: QType,
    ip: Ipv4Addr,
    detail: String,
    authoritative: bool,
) -> Step {
    if qtype == QType::A {
        r.push(|| TrailStep::new(StepKind::Public, detail).record(format!("{qname} A")));
        return Step::answer(
            vec![Rr {
                name: qname.to_owned(),
                ttl: SYNTH_TTL,
                data: RrData::A(ip),
            }],
            authoritative,
        );
    }
    r.push(|| {
        TrailStep::new(
            StepKind::Public,
            format!("{detail}; it has no {qtype} record in localvpc: NODATA"),
        )
    });
    Step::negative(Rcode::NoError, None, authoritative)
}

fn vpce_name(r: &mut Resolver<'_>, qname: &str, qtype: QType) -> Option<Step> {
    let (endpoint, ips, kind) = vpce_match(r.model, r.catalog, qname)?;
    let e = r.model.any::<VpcEndpoint>(&endpoint)?;
    if e.state != EndpointState::Available {
        r.push(|| {
            TrailStep::new(
                StepKind::Public,
                format!(
                    "{qname} names endpoint {endpoint}, which is {}: no addresses yet (NXDOMAIN)",
                    e.state.as_str()
                ),
            )
            .endpoint(endpoint.as_str())
        });
        return Some(Step::negative(Rcode::NxDomain, None, false));
    }
    let list: Vec<String> = ips.iter().map(ToString::to_string).collect();
    if qtype == QType::A && e.dns_record_ip_type != "ipv6" {
        r.push(|| {
            TrailStep::new(
                StepKind::Public,
                format!(
                    "{qname} is the {kind} DNS name of interface endpoint {endpoint}; these are \
                     public records, answered for every client (docs/aws-semantics.md §3.3): {}",
                    list.join(", ")
                ),
            )
            .endpoint(endpoint.as_str())
            .record(format!("{qname} A"))
        });
        return Some(a_answer(qname, ips));
    }
    r.push(|| {
        TrailStep::new(
            StepKind::Public,
            format!(
                "{qname} is the {kind} DNS name of endpoint {endpoint}; no {qtype} records: NODATA"
            ),
        )
        .endpoint(endpoint.as_str())
    });
    Some(Step::negative(Rcode::NoError, None, false))
}

/// A load balancer's DNS name: the addresses of its nodes, one per enabled zone (public
/// DNS answers the name of an internal balancer too, with its private addresses).
fn balancer_name(
    r: &mut Resolver<'_>,
    qname: &str,
    qtype: QType,
    balancer: &str,
    ips: Vec<Ipv4Addr>,
) -> Step {
    if qtype != QType::A || ips.is_empty() {
        r.push(|| {
            TrailStep::new(
                StepKind::Public,
                format!("{qname} is the DNS name of load balancer {balancer}; no {qtype} records: NODATA"),
            )
        });
        return Step::negative(Rcode::NoError, None, false);
    }
    r.push(|| {
        let list: Vec<String> = ips.iter().map(ToString::to_string).collect();
        TrailStep::new(
            StepKind::Public,
            format!(
                "{qname} is the DNS name of load balancer {balancer}: one address per enabled \
                 zone, {}",
                list.join(", ")
            ),
        )
        .record(format!("{qname} A"))
    });
    a_answer(qname, ips)
}

/// A non-authoritative answer of A records (public DNS reached through a resolver).
fn a_answer(qname: &str, ips: Vec<Ipv4Addr>) -> Step {
    Step::answer(
        ips.into_iter()
            .map(|ip| Rr {
                name: qname.to_owned(),
                ttl: SYNTH_TTL,
                data: RrData::A(ip),
            })
            .collect(),
        false,
    )
}

/// The endpoint whose regional or zonal DNS name (or, for S3, a name under it) is `qname`,
/// with the addresses that name answers: all interfaces (regional) or the AZ's (zonal).
fn vpce_match(
    model: &Model,
    catalog: &Catalog,
    qname: &str,
) -> Option<(VpcEndpointId, Vec<Ipv4Addr>, &'static str)> {
    let label = qname
        .split('.')
        .find(|l| l.starts_with("vpce-") && !l.starts_with("vpce-svc-"))?;
    let id = VpcEndpointId::parse(label.get(..22)?).ok()?;
    let e = model.any::<VpcEndpoint>(&id)?;
    if e.endpoint_type != EndpointTypeWire::Interface {
        return None;
    }
    let service = model.endpoint_service_for(catalog, e)?;
    let enis: Vec<(String, Ipv4Addr)> = e
        .network_interface_ids
        .iter()
        .filter_map(|n| model.any::<NetworkInterface>(n))
        .map(|n| (n.availability_zone.clone(), n.private_ip))
        .collect();
    // S3 publishes `*.vpce-…` names; the bare name answers too (aliases point at it), and
    // an alias written with the `*.` is read as the bare name.
    let qname = qname.strip_prefix("\\052.").unwrap_or(qname);
    let matches = |name: &str| {
        canonical(name)
            .is_ok_and(|n| n == qname || (service.wildcard_endpoint_names && is_within(qname, &n)))
    };
    for base in &service.base_endpoint_dns_names {
        if matches(&format!("{}-{}.{base}", e.id, e.dns_token)) {
            return Some((id, enis.iter().map(|(_, ip)| *ip).collect(), "regional"));
        }
        for (az, _) in &enis {
            if matches(&format!("{}-{}-{az}.{base}", e.id, e.dns_token)) {
                let ips = enis.iter().filter(|(z, _)| z == az).map(|(_, ip)| *ip);
                return Some((id, ips.collect(), "zonal"));
            }
        }
    }
    None
}

/// An alias target that is an endpoint's public DNS name: its id and addresses.
pub(crate) fn vpce_addresses(
    r: &Resolver<'_>,
    target: &str,
) -> Option<(VpcEndpointId, Vec<Ipv4Addr>)> {
    let (id, ips, _) = vpce_match(r.model, r.catalog, target)?;
    let available = r
        .model
        .any::<VpcEndpoint>(&id)
        .is_some_and(|e| e.state == EndpointState::Available);
    Some((id, if available { ips } else { Vec::new() }))
}

/// An alias target that is a load balancer's DNS name: its name and node addresses.
pub(crate) fn load_balancer_addresses(
    model: &Model,
    target: &str,
) -> Option<(String, Vec<Ipv4Addr>)> {
    let lb = model
        .all::<LoadBalancer>()
        .find(|lb| !lb.dns_name.is_empty() && canonical(&lb.dns_name).is_ok_and(|n| n == target))?;
    Some((
        lb.name.clone(),
        lb.zones.iter().map(|z| z.private_ip).collect(),
    ))
}

/// The AWS services with a global endpoint name (`route53.amazonaws.com`), and their names.
const GLOBAL_SERVICES: [(&str, &str); 4] = [
    ("route53.amazonaws.com.", "route53"),
    ("sts.amazonaws.com.", "sts"),
    ("iam.amazonaws.com.", "iam"),
    ("organizations.us-east-1.amazonaws.com.", "organizations"),
];

/// A stable address in 198.19.0.0/16, localvpc's stand-in range for AWS services' public
/// endpoints (never .0 or .255.255).
fn stand_in_address(hash: u64) -> Ipv4Addr {
    let offset = u32::try_from(1 + (hash >> 16) % 65_534).unwrap_or(1);
    Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 19, 0, 0)) + offset)
}

/// An AWS service's public name → (service, region, address, where the address comes from).
/// S3 and DynamoDB answer inside their managed prefix list (so a gateway endpoint route
/// matches); other services answer in 198.19.0.0/16, localvpc's documented stand-in range.
fn service_address(
    catalog: &Catalog,
    qname: &str,
) -> Option<(&'static str, &'static str, Ipv4Addr, String)> {
    if !qname.ends_with(".amazonaws.com.") {
        return None;
    }
    // Services with one global endpoint: no region in the name; they live in us-east-1.
    if let Some((_, service)) = GLOBAL_SERVICES.iter().find(|(name, _)| *name == qname) {
        return Some((
            service,
            "us-east-1",
            stand_in_address(fnv1a(qname.as_bytes())),
            "a stand-in address in 198.19.0.0/16 for the service's global endpoint".to_owned(),
        ));
    }
    let region = catalog
        .regions()
        .iter()
        .find(|r| qname.ends_with(&format!(".{}.amazonaws.com.", r.name)))?
        .name;
    let service = aws_services().iter().find(|s| {
        let mut names = s.private_dns_names(region);
        if s.endpoint_type == EndpointType::Gateway {
            names.push(format!("{}.{region}.amazonaws.com", s.name));
            if s.name == "s3" {
                names.push(format!("*.s3.{region}.amazonaws.com"));
            }
        }
        names.iter().any(|n| match n.strip_prefix("*.") {
            Some(base) => canonical(base).is_ok_and(|b| is_within(qname, &b) && b != qname),
            None => canonical(n).is_ok_and(|c| c == qname),
        })
    })?;
    let hash = fnv1a(qname.as_bytes());
    if PREFIX_LIST_SERVICES.contains(&service.name)
        && let Some(list) = aws_prefix_list_for(region, service.name)
    {
        let count = list.cidrs.len().max(1);
        let index = usize::try_from(hash % u64::try_from(count).unwrap_or(1)).unwrap_or(0);
        if let Some(cidr) = list.cidrs.get(index) {
            let size = 1u64 << (32 - u32::from(cidr.prefix_len()));
            let offset = if size > 2 {
                1 + (hash >> 16) % (size - 2)
            } else {
                0
            };
            let base = u64::from(u32::from(cidr.network()));
            let ip = u32::try_from(base + offset).map(Ipv4Addr::from).ok()?;
            return Some((
                service.name,
                region,
                ip,
                format!(
                    "inside {cidr} of the managed prefix list {} ({})",
                    list.id, list.name
                ),
            ));
        }
    }
    Some((
        service.name,
        region,
        stand_in_address(hash),
        "a stand-in address in 198.19.0.0/16; localvpc carries no published range for this service"
            .to_owned(),
    ))
}

/// `ec2-203-0-113-5.<domain>` → (203.0.113.5, (holder VPC, private IP)) when an instance or
/// an Elastic IP holds that public address.
pub(crate) fn ec2_public_name(
    model: &Model,
    qname: &str,
    domain: &str,
) -> Option<(Ipv4Addr, (VpcId, Ipv4Addr))> {
    let label = qname.strip_suffix(domain)?.strip_suffix('.')?;
    let ip: Ipv4Addr = label.strip_prefix("ec2-")?.replace('-', ".").parse().ok()?;
    if let Some(i) = model.all::<Instance>().find(|i| i.public_ip == Some(ip)) {
        return Some((ip, (i.vpc_id.clone(), i.private_ip)));
    }
    model
        .all::<ElasticIp>()
        .find(|e| e.public_ip == ip)
        .and_then(|e| {
            let assoc = e.association.as_ref()?;
            let eni = model.any::<NetworkInterface>(&assoc.network_interface_id)?;
            Some((ip, (eni.vpc_id.clone(), assoc.private_ip)))
        })
}

fn ec2_public_name_any(model: &Model, qname: &str) -> Option<(Ipv4Addr, (VpcId, Ipv4Addr))> {
    let (_, rest) = qname.split_once('.')?;
    let region = rest
        .strip_suffix(".compute.amazonaws.com.")
        .map(str::to_owned)
        .or_else(|| (rest == "compute-1.amazonaws.com.").then(|| "us-east-1".to_owned()))?;
    let (_, domain) = compute_domains(&region);
    ec2_public_name(model, qname, &domain)
}

/// FNV-1a: stable across builds (unlike `DefaultHasher`), so addresses never move.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
