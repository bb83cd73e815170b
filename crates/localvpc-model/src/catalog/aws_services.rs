//! The AWS services that offer VPC endpoints, read from `data/endpoint-services.txt`, and
//! the AWS-managed prefix lists of the gateway services, read from `data/aws-prefix-lists.txt`
//! (docs/aws-semantics.md §2.2, §5.5). Both are data, not code: adding a service is one line there.

use super::regions::REGIONS;
use crate::cidr::Ipv4Cidr;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const SERVICES: &str = include_str!("../../data/endpoint-services.txt");
const PREFIX_LISTS: &str = include_str!("../../data/aws-prefix-lists.txt");

/// The endpoint type a service offers (`ServiceType` on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndpointType {
    Interface,
    Gateway,
    GatewayLoadBalancer,
}

impl EndpointType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interface => "Interface",
            Self::Gateway => "Gateway",
            Self::GatewayLoadBalancer => "GatewayLoadBalancer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Interface" => Some(Self::Interface),
            "Gateway" => Some(Self::Gateway),
            "GatewayLoadBalancer" => Some(Self::GatewayLoadBalancer),
            _ => None,
        }
    }
}

/// One line of the service table: a service, one endpoint type, any region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsServiceEntry {
    /// The name after `com.amazonaws.<region>.`, e.g. `ecr.dkr`.
    pub name: &'static str,
    pub endpoint_type: EndpointType,
    pub policy_supported: bool,
    pub ip_address_types: Vec<&'static str>,
    /// Private DNS name templates with `{region}`, already expanded from `default`.
    private_dns: Vec<String>,
}

impl AwsServiceEntry {
    /// `com.amazonaws.<region>.<name>`.
    pub fn service_name(&self, region: &str) -> String {
        format!("com.amazonaws.{region}.{}", self.name)
    }

    /// The DNS base: the name's dotted parts reversed (`ecr.dkr` → `dkr.ecr`, docs/aws-semantics.md §3.3).
    fn reversed_name(&self) -> String {
        self.name.rsplit('.').collect::<Vec<_>>().join(".")
    }

    /// `BaseEndpointDnsNames`: `<reversed>.<region>.vpce.amazonaws.com` for interface
    /// services, the public name for gateway services.
    pub fn base_endpoint_dns_names(&self, region: &str) -> Vec<String> {
        match self.endpoint_type {
            EndpointType::Gateway => vec![format!("{}.{region}.amazonaws.com", self.name)],
            _ => vec![format!(
                "{}.{region}.vpce.amazonaws.com",
                self.reversed_name()
            )],
        }
    }

    /// The private DNS names, the first being `PrivateDnsName`.
    pub fn private_dns_names(&self, region: &str) -> Vec<String> {
        self.private_dns
            .iter()
            .map(|t| t.replace("{region}", region))
            .collect()
    }

    /// A stable `vpce-svc-` id: AWS services have one too, and it never changes.
    pub fn service_id(&self, region: &str) -> String {
        let key = format!("{region}/{}/{}", self.name, self.endpoint_type.as_str());
        format!(
            "vpce-svc-{:016x}{:x}",
            fnv1a(key.as_bytes()),
            fnv1a(self.name.as_bytes()) & 0xf
        )
    }
}

/// Every service line of the data file, in file order.
pub fn aws_services() -> &'static [AwsServiceEntry] {
    static TABLE: OnceLock<Vec<AwsServiceEntry>> = OnceLock::new();
    TABLE.get_or_init(|| parse_services(SERVICES).0)
}

/// Returns the parsed lines and the lines that did not parse (a unit test keeps it empty).
fn parse_services(text: &'static str) -> (Vec<AwsServiceEntry>, Vec<&'static str>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for line in data_lines(text) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let entry = match cols.as_slice() {
            [name, kind, policy, ips, dns @ ..] if !dns.is_empty() => EndpointType::parse(kind)
                .map(|endpoint_type| {
                    let reversed = name.rsplit('.').collect::<Vec<_>>().join(".");
                    let private_dns = match dns {
                        ["-"] => Vec::new(),
                        ["default"] => vec![format!("{reversed}.{{region}}.amazonaws.com")],
                        names => names.iter().map(|n| (*n).to_owned()).collect(),
                    };
                    AwsServiceEntry {
                        name,
                        endpoint_type,
                        policy_supported: *policy == "yes",
                        ip_address_types: ips.split(',').collect(),
                        private_dns,
                    }
                }),
            _ => None,
        };
        match entry {
            Some(e) => out.push(e),
            None => bad.push(line),
        }
    }
    (out, bad)
}

/// An AWS-managed prefix list (`com.amazonaws.<region>.s3`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsPrefixList {
    pub id: String,
    pub name: String,
    pub region: &'static str,
    pub cidrs: Vec<Ipv4Cidr>,
}

/// The services that have AWS-managed prefix lists (the gateway endpoint services).
pub const PREFIX_LIST_SERVICES: [&str; 2] = ["s3", "dynamodb"];

/// All AWS-managed prefix lists of every region, keyed by (region, service).
fn prefix_list_table() -> &'static BTreeMap<(&'static str, &'static str), AwsPrefixList> {
    static TABLE: OnceLock<BTreeMap<(&'static str, &'static str), AwsPrefixList>> = OnceLock::new();
    TABLE.get_or_init(|| build_prefix_lists(PREFIX_LISTS).0)
}

fn build_prefix_lists(
    text: &'static str,
) -> (
    BTreeMap<(&'static str, &'static str), AwsPrefixList>,
    Vec<&'static str>,
) {
    let mut listed: BTreeMap<(&str, &str), (&str, Vec<Ipv4Cidr>)> = BTreeMap::new();
    let mut bad = Vec::new();
    for line in data_lines(text) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        match cols.as_slice() {
            [region, service, id, cidrs @ ..] if !cidrs.is_empty() => {
                let parsed: Option<Vec<Ipv4Cidr>> = if cidrs == ["-"] {
                    Some(Vec::new())
                } else {
                    cidrs.iter().map(|c| c.parse().ok()).collect()
                };
                match parsed {
                    Some(c) => {
                        listed.insert((region, service), (id, c));
                    }
                    None => bad.push(line),
                }
            }
            _ => bad.push(line),
        }
    }
    let mut out = BTreeMap::new();
    for (index, region) in REGIONS.iter().enumerate() {
        for (offset, service) in PREFIX_LIST_SERVICES.iter().enumerate() {
            let (id, cidrs) = listed
                .get(&(region.name, *service))
                .map(|(id, c)| ((*id).to_owned(), c.clone()))
                .unwrap_or_else(|| {
                    let hash = fnv1a(format!("{}/{service}", region.name).as_bytes());
                    (format!("pl-{:08x}", hash & 0xffff_ffff), Vec::new())
                });
            let cidrs = if cidrs.is_empty() {
                vec![synthetic_block(index * 2 + offset)]
            } else {
                cidrs
            };
            out.insert(
                (region.name, *service),
                AwsPrefixList {
                    id,
                    name: format!("com.amazonaws.{}.{service}", region.name),
                    region: region.name,
                    cidrs,
                },
            );
        }
    }
    (out, bad)
}

/// `198.18.<n>.0/24`: the documented stand-in range for lists whose published CIDRs
/// localvpc does not carry (RFC 2544 benchmarking space, never a VPC or public AWS range).
fn synthetic_block(n: usize) -> Ipv4Cidr {
    let n = u8::try_from(n % 256).unwrap_or_default();
    Ipv4Cidr::new(std::net::Ipv4Addr::new(198, 18, n, 0), 24).unwrap_or_default()
}

/// The AWS-managed prefix lists of one region, S3 first.
pub fn aws_prefix_lists(region: &str) -> Vec<&'static AwsPrefixList> {
    PREFIX_LIST_SERVICES
        .iter()
        .filter_map(|s| {
            prefix_list_table()
                .iter()
                .find(|((r, svc), _)| *r == region && svc == s)
                .map(|(_, l)| l)
        })
        .collect()
}

/// The AWS-managed list of a gateway service (`s3`, `dynamodb`) in a region.
pub fn aws_prefix_list_for(region: &str, service: &str) -> Option<&'static AwsPrefixList> {
    aws_prefix_lists(region)
        .into_iter()
        .find(|l| l.name.rsplit('.').next() == Some(service))
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// FNV-1a: a tiny stable hash for derived ids (not `DefaultHasher`, which may change).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_line_parses() {
        assert_eq!(parse_services(SERVICES).1, Vec::<&str>::new());
        assert_eq!(build_prefix_lists(PREFIX_LISTS).1, Vec::<&str>::new());
        assert!(aws_services().len() > 60);
    }

    #[test]
    fn names_follow_the_reversal_rule() {
        let dkr = aws_services().iter().find(|s| s.name == "ecr.dkr").unwrap();
        assert_eq!(
            dkr.base_endpoint_dns_names("ap-northeast-1"),
            ["dkr.ecr.ap-northeast-1.vpce.amazonaws.com"]
        );
        assert_eq!(
            dkr.private_dns_names("ap-northeast-1"),
            [
                "*.dkr.ecr.ap-northeast-1.amazonaws.com",
                "dkr.ecr.ap-northeast-1.amazonaws.com"
            ]
        );
        let ssm = aws_services().iter().find(|s| s.name == "ssm").unwrap();
        assert_eq!(
            ssm.private_dns_names("us-east-1"),
            ["ssm.us-east-1.amazonaws.com"]
        );
        let ddb = aws_services()
            .iter()
            .find(|s| s.name == "dynamodb" && s.endpoint_type == EndpointType::Gateway)
            .unwrap();
        assert_eq!(
            ddb.base_endpoint_dns_names("ap-northeast-1"),
            ["dynamodb.ap-northeast-1.amazonaws.com"]
        );
        assert!(ddb.private_dns_names("ap-northeast-1").is_empty());
        let id = ssm.service_id("us-east-1");
        assert_eq!(id.len(), "vpce-svc-".len() + 17, "{id}");
        assert_eq!(id, ssm.service_id("us-east-1"));
        assert_ne!(id, ssm.service_id("us-east-2"));
    }

    #[test]
    fn prefix_lists_cover_every_region() {
        let tokyo = aws_prefix_list_for("ap-northeast-1", "s3").unwrap();
        assert_eq!(tokyo.id, "pl-61a54008");
        assert_eq!(tokyo.name, "com.amazonaws.ap-northeast-1.s3");
        assert!(tokyo.cidrs.iter().any(|c| c.to_string() == "52.219.0.0/20"));
        for region in REGIONS {
            let lists = aws_prefix_lists(region.name);
            assert_eq!(lists.len(), 2, "{}", region.name);
            assert!(
                lists
                    .iter()
                    .all(|l| !l.cidrs.is_empty() && l.id.len() == 11)
            );
        }
        let synthetic = aws_prefix_list_for("mx-central-1", "dynamodb").unwrap();
        assert!(synthetic.cidrs[0].to_string().starts_with("198.18."));
    }
}
