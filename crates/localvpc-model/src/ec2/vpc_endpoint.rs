//! VPC endpoints (docs/aws-semantics.md §2–§4): gateway endpoints as prefix-list routes, interface endpoints as
//! requester-managed ENIs with endpoint-specific and private DNS names, and the endpoint
//! services they connect to (the AWS catalogue now; providers' services later).

use crate::catalog::{Catalog, EndpointType, aws_prefix_list_for, aws_services, fnv1a};
use crate::ec2::network_interface::ManagedInterface;
use crate::ec2::route_table::RouteTable;
use crate::ec2::route_table::{Route, RouteDestination, RouteOrigin, RouteTarget};
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{
    NetworkInterfaceId, RouteTableId, SecurityGroupId, SubnetId, Timestamp, VpcEndpointId, VpcId,
};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The default policy of a gateway endpoint, byte for byte as AWS returns it (docs/aws-semantics.md §2.5).
pub const DEFAULT_GATEWAY_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
/// The default policy of an interface endpoint, pretty-printed as AWS returns it (docs/aws-semantics.md §3.8).
pub const DEFAULT_INTERFACE_POLICY: &str = "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}";

/// AWS's default quotas (docs/aws-semantics.md §3.9): interface + GWLB endpoints per VPC, gateway endpoints per
/// region and per VPC.
const MAX_INTERFACE_ENDPOINTS_PER_VPC: usize = 50;
const MAX_GATEWAY_ENDPOINTS_PER_REGION: usize = 20;

/// The requester id localvpc shows on endpoint ENIs (AWS shows an AWS-owned account; the
/// value is not documented — docs/aws-choices.md).
const ENDPOINT_REQUESTER: &str = "amazon-vpce";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointState {
    PendingAcceptance,
    Pending,
    Available,
    Deleting,
    Deleted,
    Rejected,
    Failed,
}

impl EndpointState {
    /// Wire values are lower camel case (docs/aws-semantics.md §3.6).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingAcceptance => "pendingAcceptance",
            Self::Pending => "pending",
            Self::Available => "available",
            Self::Deleting => "deleting",
            Self::Deleted => "deleted",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    pub id: VpcEndpointId,
    pub scope: Scope,
    pub vpc_id: VpcId,
    pub service_name: String,
    pub endpoint_type: EndpointTypeWire,
    pub state: EndpointState,
    /// None for endpoint kinds without policies (GWLB).
    pub policy: Option<String>,
    pub route_table_ids: Vec<RouteTableId>,
    pub subnet_ids: Vec<SubnetId>,
    pub groups: Vec<SecurityGroupId>,
    pub network_interface_ids: Vec<NetworkInterfaceId>,
    pub private_dns_enabled: bool,
    pub dns_record_ip_type: String,
    pub private_dns_only_for_inbound_resolver_endpoint: Option<bool>,
    pub ip_address_type: String,
    /// The random part of the endpoint-specific DNS names, shared by the regional and zonal names.
    pub dns_token: String,
    /// The id of the hidden private hosted zone behind private DNS.
    pub private_zone_id: String,
    pub created: Timestamp,
    /// The ClientToken and the request it created this endpoint with (idempotency).
    pub client_request: Option<Box<(String, CreateVpcEndpoint)>>,
    pub tags: Tags,
}

/// EndpointType in a serialisable form (the catalogue type is `Copy` and static).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndpointTypeWire {
    Interface,
    Gateway,
    GatewayLoadBalancer,
}

impl From<EndpointType> for EndpointTypeWire {
    fn from(t: EndpointType) -> Self {
        match t {
            EndpointType::Interface => Self::Interface,
            EndpointType::Gateway => Self::Gateway,
            EndpointType::GatewayLoadBalancer => Self::GatewayLoadBalancer,
        }
    }
}

impl EndpointTypeWire {
    pub fn catalog(self) -> EndpointType {
        match self {
            Self::Interface => EndpointType::Interface,
            Self::Gateway => EndpointType::Gateway,
            Self::GatewayLoadBalancer => EndpointType::GatewayLoadBalancer,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.catalog().as_str()
    }
}

/// One `DnsEntries` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsEntry {
    pub dns_name: String,
    pub hosted_zone_id: String,
}

/// An endpoint service as a consumer sees it (DescribeVpcEndpointServices, CreateVpcEndpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointService {
    pub name: String,
    pub id: String,
    pub endpoint_type: EndpointType,
    pub region: String,
    /// `amazon` or the provider's account id.
    pub owner: String,
    pub base_endpoint_dns_names: Vec<String>,
    pub private_dns_names: Vec<String>,
    pub policy_supported: bool,
    pub acceptance_required: bool,
    pub ip_address_types: Vec<String>,
    /// Zone ids the service is offered in.
    pub zone_ids: Vec<String>,
    /// S3 publishes `*.`-prefixed endpoint names (docs/aws-semantics.md §3.3).
    pub wildcard_endpoint_names: bool,
    pub tags: Tags,
}

/// CreateVpcEndpoint's input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateVpcEndpoint {
    pub vpc_id: Option<VpcId>,
    pub service_name: String,
    /// None = Gateway, AWS's default.
    pub endpoint_type: Option<String>,
    pub policy: Option<String>,
    pub route_table_ids: Vec<RouteTableId>,
    pub subnet_ids: Vec<SubnetId>,
    pub security_group_ids: Vec<SecurityGroupId>,
    pub ip_address_type: Option<String>,
    pub dns_record_ip_type: Option<String>,
    pub private_dns_only_for_inbound_resolver_endpoint: Option<bool>,
    pub private_dns_enabled: Option<bool>,
    /// SubnetConfiguration.N: caller-chosen IPv4 addresses.
    pub subnet_ips: Vec<(SubnetId, Ipv4Addr)>,
    pub client_token: Option<String>,
    pub tag_specifications: Vec<TagSpecification>,
}

/// ModifyVpcEndpoint's input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyVpcEndpoint {
    pub id: Option<VpcEndpointId>,
    pub reset_policy: bool,
    pub policy: Option<String>,
    pub add_route_table_ids: Vec<RouteTableId>,
    pub remove_route_table_ids: Vec<RouteTableId>,
    pub add_subnet_ids: Vec<SubnetId>,
    pub remove_subnet_ids: Vec<SubnetId>,
    pub add_security_group_ids: Vec<SecurityGroupId>,
    pub remove_security_group_ids: Vec<SecurityGroupId>,
    pub ip_address_type: Option<String>,
    pub dns_record_ip_type: Option<String>,
    pub private_dns_only_for_inbound_resolver_endpoint: Option<bool>,
    pub private_dns_enabled: Option<bool>,
    pub subnet_ips: Vec<(SubnetId, Ipv4Addr)>,
}

/// The public `vpce.amazonaws.com` zone of each region (docs/aws-semantics.md §3.3), for DnsEntries.
const VPCE_ZONES: &[(&str, &str)] = &[
    ("us-east-1", "Z7HUB22UULQXV"),
    ("us-east-2", "ZC8PG0KIFKBRI"),
    ("us-west-1", "Z12I86A8N7VCZO"),
    ("us-west-2", "Z1YSA3EXCYUU9Z"),
    ("eu-west-1", "Z38GZ743OKFT7T"),
    ("eu-west-2", "Z7K1066E3PUKB"),
    ("eu-central-1", "Z273ZU8SZ5RJPC"),
    ("eu-north-1", "Z3OWWK6JFDEDGC"),
    ("ap-northeast-1", "Z2E726K9Y6RL4W"),
    ("ap-northeast-2", "Z27UANNT0PRK1T"),
    ("ap-northeast-3", "Z376B5OMM2JZL2"),
    ("ap-southeast-1", "Z18LLCSTV4NVNL"),
    ("ap-southeast-2", "ZDK2GCRPAFKGO"),
    ("ap-south-1", "Z2KVTB3ZLFM7JR"),
    ("ca-central-1", "ZRCXCF510Y6P9"),
    ("sa-east-1", "Z2LXUWEVLCVZIB"),
];

/// The region's public vpce zone id; regions the spec does not list get a stable derived id
/// (docs/aws-choices.md).
pub fn vpce_hosted_zone_id(region: &str) -> String {
    VPCE_ZONES
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, z)| (*z).to_owned())
        .unwrap_or_else(|| format!("Z{:013X}", fnv1a(region.as_bytes()) & 0xf_ffff_ffff_ffff))
}

impl EndpointService {
    fn offers_zone(&self, zone_id: &str) -> bool {
        self.zone_ids.iter().any(|z| z == zone_id)
    }
}

impl Model {
    /// Every endpoint service the scope can see, sorted by name then type: the AWS
    /// catalogue of its region.
    pub fn endpoint_services(&self, catalog: &Catalog, scope: &Scope) -> Vec<EndpointService> {
        self.endpoint_services_where(catalog, scope, |_| true)
    }

    /// The services named `name` the scope can see (S3 has two: Gateway and Interface).
    /// Builds only those, so per-endpoint lookups do not materialise the whole catalogue.
    pub fn endpoint_services_named(
        &self,
        catalog: &Catalog,
        scope: &Scope,
        name: &str,
    ) -> Vec<EndpointService> {
        self.endpoint_services_where(catalog, scope, |n| n == name)
    }

    /// The VPC endpoints in a VPC, of any owner, ordered by id (through the VPC's
    /// membership index, not a scan).
    pub fn vpc_endpoints_of_vpc<'a>(
        &'a self,
        vpc_id: &'a VpcId,
    ) -> impl Iterator<Item = &'a VpcEndpoint> + 'a {
        self.members_of::<VpcEndpoint>(vpc_id, crate::id::ResourceKind::VpcEndpoint, |id| {
            VpcEndpointId::parse(id).ok()
        })
    }

    fn endpoint_services_where(
        &self,
        catalog: &Catalog,
        scope: &Scope,
        wanted: impl Fn(&str) -> bool,
    ) -> Vec<EndpointService> {
        let zone_ids: Vec<String> = catalog
            .zones(&scope.account, &scope.region)
            .into_iter()
            .map(|z| z.id)
            .collect();
        let region = scope.region.as_str();
        let mut out: Vec<EndpointService> = aws_services()
            .iter()
            .filter(|s| wanted(&s.service_name(region)))
            .map(|s| EndpointService {
                name: s.service_name(region),
                id: s.service_id(region),
                endpoint_type: s.endpoint_type,
                region: region.to_owned(),
                owner: "amazon".to_owned(),
                base_endpoint_dns_names: s.base_endpoint_dns_names(region),
                private_dns_names: s.private_dns_names(region),
                policy_supported: s.policy_supported,
                acceptance_required: false,
                ip_address_types: s.ip_address_types.iter().map(|t| (*t).to_owned()).collect(),
                zone_ids: zone_ids.clone(),
                wildcard_endpoint_names: s.name == "s3",
                tags: Tags::new(),
            })
            .collect();
        for s in self.vpc_endpoint_service_configurations.values() {
            if s.scope.region != scope.region
                || !s.visible_to(&scope.account)
                || !wanted(&s.service_name())
            {
                continue;
            }
            out.push(EndpointService {
                name: s.service_name(),
                id: s.id.to_string(),
                endpoint_type: s.service_type.catalog(),
                region: region.to_owned(),
                owner: s.scope.account.to_string(),
                base_endpoint_dns_names: vec![s.base_endpoint_dns_name()],
                private_dns_names: s
                    .verified_private_dns_name()
                    .map(str::to_owned)
                    .into_iter()
                    .collect(),
                // Endpoints to customer services always allow full access (docs/aws-semantics.md §3.8).
                policy_supported: false,
                acceptance_required: s.acceptance_required,
                ip_address_types: s.supported_ip_address_types.clone(),
                zone_ids: self.endpoint_service_zone_ids(s),
                wildcard_endpoint_names: false,
                tags: if s.scope.account == scope.account {
                    s.tags.clone()
                } else {
                    Tags::new()
                },
            });
        }
        out.sort_by(|a, b| (&a.name, a.endpoint_type).cmp(&(&b.name, b.endpoint_type)));
        out
    }

    /// The endpoint-specific and private DNS names of an endpoint, in AWS order: regional,
    /// one zonal name per ENI's AZ, then the private names when private DNS is on.
    pub fn endpoint_dns_entries(
        &self,
        catalog: &Catalog,
        endpoint: &VpcEndpoint,
        state: EndpointState,
    ) -> Vec<DnsEntry> {
        if endpoint.endpoint_type != EndpointTypeWire::Interface {
            return Vec::new();
        }
        let Some(service) = self.endpoint_service_for(catalog, endpoint) else {
            return Vec::new();
        };
        let zone = vpce_hosted_zone_id(&endpoint.scope.region);
        let star = if service.wildcard_endpoint_names {
            "*."
        } else {
            ""
        };
        let mut out = Vec::new();
        for base in &service.base_endpoint_dns_names {
            out.push(DnsEntry {
                dns_name: format!("{star}{}-{}.{base}", endpoint.id, endpoint.dns_token),
                hosted_zone_id: zone.clone(),
            });
            for eni in &endpoint.network_interface_ids {
                if let Some(az) = self
                    .network_interfaces
                    .get(eni)
                    .map(|e| e.availability_zone.clone())
                {
                    out.push(DnsEntry {
                        dns_name: format!(
                            "{star}{}-{}-{az}.{base}",
                            endpoint.id, endpoint.dns_token
                        ),
                        hosted_zone_id: zone.clone(),
                    });
                }
            }
        }
        if endpoint.private_dns_enabled {
            let zone_id = if state == EndpointState::Available {
                endpoint.private_zone_id.clone()
            } else {
                "ZONEIDPENDING".to_owned()
            };
            for name in &service.private_dns_names {
                out.push(DnsEntry {
                    dns_name: name.clone(),
                    hosted_zone_id: zone_id.clone(),
                });
            }
        }
        out
    }

    /// The private DNS names an endpoint claims in its VPC (for conflict checks and DNS).
    pub fn endpoint_private_names(&self, catalog: &Catalog, endpoint: &VpcEndpoint) -> Vec<String> {
        if !endpoint.private_dns_enabled {
            return Vec::new();
        }
        self.endpoint_service_for(catalog, endpoint)
            .map(|s| s.private_dns_names)
            .unwrap_or_default()
    }

    /// The service an endpoint connects to, as the endpoint's owner sees it.
    pub fn endpoint_service_for(
        &self,
        catalog: &Catalog,
        endpoint: &VpcEndpoint,
    ) -> Option<EndpointService> {
        self.endpoint_services_named(catalog, &endpoint.scope, &endpoint.service_name)
            .into_iter()
            .find(|s| s.endpoint_type == endpoint.endpoint_type.catalog())
    }

    /// Whether a gateway endpoint's route: a table holds a prefix-list route targeting it.
    pub fn is_endpoint_route(&self, route: &Route) -> Option<&VpcEndpoint> {
        match (&route.destination, &route.target) {
            (RouteDestination::PrefixList(_), RouteTarget::VpcEndpoint(id)) => self
                .vpc_endpoints
                .get(id)
                .map(AsRef::as_ref)
                .filter(|e| e.endpoint_type == EndpointTypeWire::Gateway),
            _ => None,
        }
    }
}

fn check_choice(value: &str, allowed: &[&str], param: &str) -> Result<(), ModelError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ModelError::invalid_value(format!(
            "Value ({value}) for parameter {param} is invalid. Valid values: {}",
            allowed.join(", ")
        )))
    }
}

impl Txn<'_, '_> {
    fn find_service(
        &self,
        name: &str,
        endpoint_type: EndpointType,
    ) -> Result<EndpointService, ModelError> {
        let mut named = self
            .model
            .endpoint_services_named(self.ctx.catalog, self.ctx.scope, name)
            .into_iter()
            .peekable();
        if named.peek().is_none() {
            return Err(ModelError::InvalidServiceName {
                name: name.to_owned(),
            });
        }
        named
            .find(|s| s.endpoint_type == endpoint_type)
            .ok_or_else(|| ModelError::InvalidParameter {
                message: format!(
                    "The Vpc Endpoint Service '{name}' does not support endpoint type {}.",
                    endpoint_type.as_str()
                ),
            })
    }

    fn check_policy(service: &EndpointService, policy: &str) -> Result<(), ModelError> {
        if !service.policy_supported {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "The service {} does not support VPC endpoint policies.",
                    service.name
                ),
            });
        }
        localvpc_policy::Policy::parse_endpoint_policy(policy)
            .map(|_| ())
            .map_err(|e| ModelError::InvalidPolicyDocument { message: e.message })
    }

    /// Private DNS rules (docs/aws-semantics.md §3.4): a service with private names, DNS support and hostnames
    /// on, and no other owner of those names in the VPC.
    fn check_private_dns(
        &self,
        vpc_id: &VpcId,
        service: &EndpointService,
        myself: Option<&VpcEndpointId>,
    ) -> Result<(), ModelError> {
        if service.private_dns_names.is_empty() {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "Private DNS can't be enabled because the service {} does not provide a private DNS name.",
                    service.name
                ),
            });
        }
        let vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?;
        if !(vpc.enable_dns_support && vpc.enable_dns_hostnames) {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {vpc_id}"
                ),
            });
        }
        // A private hosted zone of the same name associated with the VPC (docs/aws-semantics.md §3.4, §6.2).
        let zone_vpc = crate::route53::ZoneVpc {
            region: vpc.scope.region.clone(),
            vpc_id: vpc_id.clone(),
        };
        for name in &service.private_dns_names {
            let bare = name.strip_prefix("*.").unwrap_or(name);
            let Ok(zone_name) = crate::route53::name::canonical(bare) else {
                continue;
            };
            if self
                .model
                .hosted_zones_for_vpc(&zone_vpc)
                .any(|z| z.name == zone_name)
            {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "private-dns-enabled cannot be set because there is already a conflicting DNS domain for {name} in the VPC {vpc_id}"
                    ),
                });
            }
        }
        for other in self.model.vpc_endpoints.values() {
            if &other.vpc_id != vpc_id || Some(&other.id) == myself {
                continue;
            }
            let taken = self.model.endpoint_private_names(self.ctx.catalog, other);
            if let Some(name) = service.private_dns_names.iter().find(|n| taken.contains(n)) {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "private-dns-enabled cannot be set because there is already a conflicting DNS domain for {name} in the VPC {vpc_id}"
                    ),
                });
            }
        }
        Ok(())
    }

    /// `PrivateDnsOnlyForInboundResolverEndpoint` (docs/aws-semantics.md §3.7): S3 only, and only with a
    /// gateway endpoint for the service in the VPC.
    fn check_inbound_only(
        &self,
        vpc_id: &VpcId,
        service: &EndpointService,
        value: bool,
    ) -> Result<(), ModelError> {
        if !value {
            return Ok(());
        }
        let has_gateway = self.model.vpc_endpoints.values().any(|e| {
            &e.vpc_id == vpc_id
                && e.endpoint_type == EndpointTypeWire::Gateway
                && e.service_name == service.name
        });
        if !has_gateway {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC {vpc_id} must have a Gateway endpoint for the service."
                ),
            });
        }
        Ok(())
    }

    fn dual_service(&self, name: &str) -> bool {
        let services = self
            .model
            .endpoint_services_named(self.ctx.catalog, self.ctx.scope, name);
        services
            .iter()
            .any(|s| s.endpoint_type == EndpointType::Gateway)
            && services
                .iter()
                .any(|s| s.endpoint_type == EndpointType::Interface)
    }

    pub(crate) fn create_vpc_endpoint(
        &mut self,
        input: &CreateVpcEndpoint,
    ) -> Result<VpcEndpoint, ModelError> {
        if let Some(token) = &input.client_token {
            let earlier = self
                .model
                .in_scope::<VpcEndpoint>(self.ctx.scope)
                .find(|e| e.client_request.as_ref().is_some_and(|r| &r.0 == token));
            if let Some(earlier) = earlier {
                return match earlier.client_request.as_deref() {
                    Some((_, request)) if request == input => Ok(earlier.clone()),
                    _ => Err(ModelError::IdempotentParameterMismatch {
                        token: token.clone(),
                    }),
                };
            }
        }
        let Some(vpc_id) = &input.vpc_id else {
            return Err(ModelError::missing(
                "The request must contain the parameter VpcId",
            ));
        };
        let vpc = self.model.get::<Vpc>(self.ctx.scope, vpc_id)?.clone();
        let type_name = input.endpoint_type.as_deref().unwrap_or("Gateway");
        let Some(endpoint_type) = EndpointType::parse(type_name) else {
            return Err(ModelError::invalid_value(format!(
                "Value ({type_name}) for parameter VpcEndpointType is invalid. Valid values: Interface, Gateway, GatewayLoadBalancer"
            )));
        };
        let service = self.find_service(&input.service_name, endpoint_type)?;
        let ip_address_type = input
            .ip_address_type
            .clone()
            .unwrap_or_else(|| "ipv4".to_owned());
        check_choice(
            &ip_address_type,
            &["ipv4", "dualstack", "ipv6"],
            "IpAddressType",
        )?;
        if ip_address_type != "ipv4" {
            return Err(ModelError::NotEmulated {
                what: format!("VPC endpoints of IpAddressType {ip_address_type}"),
            });
        }
        let id = VpcEndpointId::generate(self.ctx.ids);
        let tags = tags_for(&input.tag_specifications, "vpc-endpoint", id.as_str())?;
        let initial_state = if service.acceptance_required {
            EndpointState::PendingAcceptance
        } else {
            EndpointState::Available
        };
        let mut endpoint = VpcEndpoint {
            id: id.clone(),
            scope: self.ctx.scope.clone(),
            vpc_id: vpc.id.clone(),
            service_name: service.name.clone(),
            endpoint_type: endpoint_type.into(),
            state: initial_state,
            policy: None,
            route_table_ids: Vec::new(),
            subnet_ids: Vec::new(),
            groups: Vec::new(),
            network_interface_ids: Vec::new(),
            private_dns_enabled: false,
            dns_record_ip_type: "ipv4".to_owned(),
            private_dns_only_for_inbound_resolver_endpoint: None,
            ip_address_type,
            dns_token: self.ctx.ids.hex(8),
            private_zone_id: format!("Z{}", self.ctx.ids.hex(20).to_uppercase()),
            created: self.ctx.now,
            client_request: input
                .client_token
                .clone()
                .map(|t| Box::new((t, input.clone()))),
            tags,
        };
        match endpoint_type {
            EndpointType::Gateway => {
                self.create_gateway_endpoint(&mut endpoint, &service, input)?
            }
            EndpointType::Interface => {
                self.create_interface_endpoint(&mut endpoint, &service, input)?
            }
            EndpointType::GatewayLoadBalancer => {
                self.create_gwlb_endpoint(&mut endpoint, &service, input)?;
            }
        }
        self.put(Resource::VpcEndpoint(endpoint.clone()));
        self.record_connection_event(&endpoint, "Connect");
        Ok(endpoint)
    }

    fn create_gateway_endpoint(
        &mut self,
        endpoint: &mut VpcEndpoint,
        service: &EndpointService,
        input: &CreateVpcEndpoint,
    ) -> Result<(), ModelError> {
        if !input.subnet_ids.is_empty() || !input.subnet_ips.is_empty() {
            return Err(ModelError::InvalidParameter {
                message: "Subnets are not supported for gateway endpoints".to_owned(),
            });
        }
        if !input.security_group_ids.is_empty() {
            return Err(ModelError::InvalidParameter {
                message: "Security groups are not supported for gateway endpoints".to_owned(),
            });
        }
        if input.private_dns_enabled == Some(true) {
            return Err(ModelError::InvalidParameter {
                message: "Private DNS is not supported for gateway endpoints".to_owned(),
            });
        }
        if input
            .private_dns_only_for_inbound_resolver_endpoint
            .is_some()
        {
            return Err(ModelError::InvalidParameter {
                message: "PrivateDnsOnlyForInboundResolverEndpoint is supported only for interface endpoints".to_owned(),
            });
        }
        if let Some(t) = &input.dns_record_ip_type {
            check_choice(
                t,
                &["ipv4", "dualstack", "ipv6", "service-defined"],
                "DnsRecordIpType",
            )?;
            if service.name.ends_with(".dynamodb") && t != "service-defined" {
                return Err(ModelError::InvalidParameter {
                    message: format!("DnsRecordIpType {t} is not supported for {}", service.name),
                });
            }
        }
        endpoint.dns_record_ip_type = input
            .dns_record_ip_type
            .clone()
            .unwrap_or_else(|| "service-defined".to_owned());
        let gateways_in_region = self
            .model
            .in_scope::<VpcEndpoint>(self.ctx.scope)
            .filter(|e| e.endpoint_type == EndpointTypeWire::Gateway)
            .count();
        if gateways_in_region >= MAX_GATEWAY_ENDPOINTS_PER_REGION {
            return Err(ModelError::VpcEndpointLimitExceeded {
                message: format!(
                    "The maximum number of gateway endpoints ({MAX_GATEWAY_ENDPOINTS_PER_REGION}) in this region has been reached."
                ),
            });
        }
        let policy = input
            .policy
            .clone()
            .unwrap_or_else(|| DEFAULT_GATEWAY_POLICY.to_owned());
        Self::check_policy(service, &policy)?;
        endpoint.policy = Some(policy);
        for table in &input.route_table_ids {
            self.add_endpoint_route(endpoint, table)?;
        }
        Ok(())
    }

    /// Adds the service's prefix-list route to a table of the endpoint's VPC (docs/aws-semantics.md §2.3).
    fn add_endpoint_route(
        &mut self,
        endpoint: &mut VpcEndpoint,
        table_id: &RouteTableId,
    ) -> Result<(), ModelError> {
        if endpoint.route_table_ids.contains(table_id) {
            return Ok(());
        }
        let mut table = self
            .model
            .get::<RouteTable>(self.ctx.scope, table_id)?
            .clone();
        if table.vpc_id != endpoint.vpc_id {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "The route table {table_id} does not belong to the VPC {} of the endpoint",
                    endpoint.vpc_id
                ),
            });
        }
        let service = endpoint.service_name.rsplit('.').next().unwrap_or_default();
        let Some(list) = aws_prefix_list_for(&self.ctx.scope.region, service) else {
            return Err(ModelError::InvalidServiceName {
                name: endpoint.service_name.clone(),
            });
        };
        let destination = RouteDestination::PrefixList(list.id.clone());
        if table.routes.iter().any(|r| r.destination == destination) {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "route table {table_id} already has a route with destination-prefix-list-id {}",
                    list.id
                ),
            });
        }
        table.routes.push(Route {
            destination,
            target: RouteTarget::VpcEndpoint(endpoint.id.clone()),
            origin: RouteOrigin::CreateRoute,
        });
        self.put(Resource::RouteTable(table));
        endpoint.route_table_ids.push(table_id.clone());
        Ok(())
    }

    fn remove_endpoint_route(&mut self, endpoint: &mut VpcEndpoint, table_id: &RouteTableId) {
        if let Some(table) = self.model.route_tables.get(table_id) {
            let mut table = (**table).clone();
            table
                .routes
                .retain(|r| r.target != RouteTarget::VpcEndpoint(endpoint.id.clone()));
            self.put(Resource::RouteTable(table));
        }
        endpoint.route_table_ids.retain(|t| t != table_id);
    }

    /// 50 interface and Gateway Load Balancer endpoints per VPC (docs/aws-semantics.md §3.9).
    fn check_interface_quota(&self, vpc_id: &VpcId) -> Result<(), ModelError> {
        let count = self
            .model
            .vpc_endpoints
            .values()
            .filter(|e| &e.vpc_id == vpc_id && e.endpoint_type != EndpointTypeWire::Gateway)
            .count();
        if count >= MAX_INTERFACE_ENDPOINTS_PER_VPC {
            return Err(ModelError::VpcEndpointLimitExceeded {
                message: format!(
                    "The maximum number of interface and Gateway Load Balancer endpoints ({MAX_INTERFACE_ENDPOINTS_PER_VPC}) in VPC {vpc_id} has been reached."
                ),
            });
        }
        Ok(())
    }

    fn create_interface_endpoint(
        &mut self,
        endpoint: &mut VpcEndpoint,
        service: &EndpointService,
        input: &CreateVpcEndpoint,
    ) -> Result<(), ModelError> {
        if !input.route_table_ids.is_empty() {
            return Err(ModelError::InvalidParameter {
                message: "Route tables are not supported for interface endpoints".to_owned(),
            });
        }
        self.check_interface_quota(&endpoint.vpc_id)?;
        if let Some(t) = &input.dns_record_ip_type {
            check_choice(
                t,
                &["ipv4", "dualstack", "ipv6", "service-defined"],
                "DnsRecordIpType",
            )?;
            if t != "ipv4" {
                return Err(ModelError::InvalidParameter {
                    message: format!("DnsRecordIpType {t} is not valid with IpAddressType ipv4"),
                });
            }
        }
        // Groups: the VPC's default group when none are given.
        let groups = if input.security_group_ids.is_empty() {
            vec![
                self.model
                    .get::<Vpc>(self.ctx.scope, &endpoint.vpc_id)?
                    .default_security_group_id
                    .clone(),
            ]
        } else {
            input.security_group_ids.clone()
        };
        for g in &groups {
            let group = self.model.get::<SecurityGroup>(self.ctx.scope, g)?;
            if group.vpc_id != endpoint.vpc_id {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The security group {g} does not belong to the VPC {} of the endpoint",
                        endpoint.vpc_id
                    ),
                });
            }
        }
        endpoint.groups = groups;
        let policy = input
            .policy
            .clone()
            .unwrap_or_else(|| DEFAULT_INTERFACE_POLICY.to_owned());
        if input.policy.is_some() {
            Self::check_policy(service, &policy)?;
        }
        endpoint.policy = Some(policy);
        let private_dns = input.private_dns_enabled.unwrap_or(false);
        if private_dns {
            self.check_private_dns(&endpoint.vpc_id, service, None)?;
        }
        endpoint.private_dns_enabled = private_dns;
        endpoint.private_dns_only_for_inbound_resolver_endpoint = self.inbound_only_option(
            &endpoint.vpc_id,
            service,
            private_dns,
            input.private_dns_only_for_inbound_resolver_endpoint,
        )?;
        let mut subnets = input.subnet_ids.clone();
        for (s, _) in &input.subnet_ips {
            if !subnets.contains(s) {
                subnets.push(s.clone());
            }
        }
        for subnet in &subnets {
            self.add_endpoint_interface(endpoint, service, subnet, &input.subnet_ips)?;
        }
        Ok(())
    }

    /// A Gateway Load Balancer endpoint (docs/aws-semantics.md §4): exactly one subnet, one ENI, no security
    /// groups, policy or DNS.
    fn create_gwlb_endpoint(
        &mut self,
        endpoint: &mut VpcEndpoint,
        service: &EndpointService,
        input: &CreateVpcEndpoint,
    ) -> Result<(), ModelError> {
        let refuse = |what: &str| ModelError::InvalidParameter {
            message: format!("{what} are not supported for Gateway Load Balancer endpoints"),
        };
        if !input.route_table_ids.is_empty() {
            return Err(refuse("Route tables"));
        }
        if !input.security_group_ids.is_empty() {
            return Err(refuse("Security groups"));
        }
        if input.policy.is_some() {
            return Err(refuse("Endpoint policies"));
        }
        if input.private_dns_enabled == Some(true)
            || input
                .private_dns_only_for_inbound_resolver_endpoint
                .is_some()
        {
            return Err(refuse("Private DNS options"));
        }
        let mut subnets = input.subnet_ids.clone();
        for (s, _) in &input.subnet_ips {
            if !subnets.contains(s) {
                subnets.push(s.clone());
            }
        }
        let [subnet] = subnets.as_slice() else {
            return Err(ModelError::InvalidParameter {
                message: "A Gateway Load Balancer endpoint needs exactly one subnet".to_owned(),
            });
        };
        self.check_interface_quota(&endpoint.vpc_id)?;
        self.add_endpoint_interface(endpoint, service, subnet, &input.subnet_ips)?;
        Ok(())
    }

    /// The S3 option's value after a create or modify (docs/aws-semantics.md §3.7): defaults to true when
    /// private DNS is on for a service with both endpoint types; absent otherwise.
    fn inbound_only_option(
        &self,
        vpc_id: &VpcId,
        service: &EndpointService,
        private_dns: bool,
        requested: Option<bool>,
    ) -> Result<Option<bool>, ModelError> {
        let dual = self.dual_service(&service.name);
        match (dual, requested) {
            (false, Some(true)) => Err(ModelError::InvalidParameter {
                message: format!(
                    "PrivateDnsOnlyForInboundResolverEndpoint is not supported for the service {}",
                    service.name
                ),
            }),
            (false, _) => Ok(None),
            (true, requested) => {
                if requested == Some(true) && !private_dns {
                    return Err(ModelError::InvalidParameter {
                        message: "PrivateDnsOnlyForInboundResolverEndpoint requires private DNS to be enabled".to_owned(),
                    });
                }
                let value = private_dns && requested.unwrap_or(true);
                self.check_inbound_only(vpc_id, service, value)?;
                Ok(private_dns.then_some(value))
            }
        }
    }

    fn add_endpoint_interface(
        &mut self,
        endpoint: &mut VpcEndpoint,
        service: &EndpointService,
        subnet_id: &SubnetId,
        subnet_ips: &[(SubnetId, Ipv4Addr)],
    ) -> Result<(), ModelError> {
        let subnet = self.model.get::<Subnet>(self.ctx.scope, subnet_id)?.clone();
        if subnet.vpc_id != endpoint.vpc_id {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "The subnet {subnet_id} does not belong to the VPC {} of the endpoint",
                    endpoint.vpc_id
                ),
            });
        }
        if !service.offers_zone(&subnet.availability_zone_id) {
            return Err(ModelError::InvalidParameter {
                message: format!(
                    "The VPC endpoint service {} does not support the availability zone of the subnet: {subnet_id}.",
                    service.name
                ),
            });
        }
        let same_zone = endpoint.subnet_ids.iter().any(|s| {
            self.model
                .subnets
                .get(s)
                .is_some_and(|o| o.availability_zone_id == subnet.availability_zone_id)
        });
        if same_zone {
            return Err(ModelError::DuplicateSubnetsInSameZone {
                subnet_id: subnet_id.to_string(),
            });
        }
        let ip = subnet_ips
            .iter()
            .find(|(s, _)| s == subnet_id)
            .map(|(_, ip)| *ip);
        let eni = self.create_managed_interface(ManagedInterface {
            subnet_id,
            ip,
            groups: endpoint.groups.clone(),
            description: format!("VPC Endpoint Interface {}", endpoint.id),
            interface_type: if endpoint.endpoint_type == EndpointTypeWire::GatewayLoadBalancer {
                "gateway_load_balancer_endpoint"
            } else {
                "vpc_endpoint"
            },
            requester_id: ENDPOINT_REQUESTER,
            source_dest_check: true,
        })?;
        endpoint.subnet_ids.push(subnet_id.clone());
        endpoint.network_interface_ids.push(eni.id);
        Ok(())
    }

    fn remove_endpoint_interface(&mut self, endpoint: &mut VpcEndpoint, subnet_id: &SubnetId) {
        let eni = endpoint.network_interface_ids.iter().position(|e| {
            self.model
                .network_interfaces
                .get(e)
                .is_some_and(|i| &i.subnet_id == subnet_id)
        });
        if let Some(index) = eni {
            let id = endpoint.network_interface_ids.remove(index);
            self.delete(ResourceRef::NetworkInterface(id));
        }
        endpoint.subnet_ids.retain(|s| s != subnet_id);
    }

    pub(crate) fn modify_vpc_endpoint(
        &mut self,
        input: &ModifyVpcEndpoint,
    ) -> Result<(), ModelError> {
        let Some(id) = &input.id else {
            return Err(ModelError::missing(
                "The request must contain the parameter VpcEndpointId",
            ));
        };
        let mut endpoint = self.model.get::<VpcEndpoint>(self.ctx.scope, id)?.clone();
        let kind = endpoint.endpoint_type.catalog();
        let service = self.find_service(&endpoint.service_name, kind)?;
        let gateway = kind == EndpointType::Gateway;
        let interface = kind == EndpointType::Interface;
        let wrong = |what: &str| ModelError::InvalidParameter {
            message: format!("{what} cannot be modified for a {} endpoint", kind.as_str()),
        };
        if !gateway
            && (!input.add_route_table_ids.is_empty() || !input.remove_route_table_ids.is_empty())
        {
            return Err(wrong("Route tables"));
        }
        if !interface
            && (!input.add_subnet_ids.is_empty()
                || !input.remove_subnet_ids.is_empty()
                || !input.add_security_group_ids.is_empty()
                || !input.remove_security_group_ids.is_empty()
                || input.private_dns_enabled.is_some()
                || !input.subnet_ips.is_empty()
                || input
                    .private_dns_only_for_inbound_resolver_endpoint
                    .is_some())
        {
            return Err(wrong("Subnets, security groups and private DNS"));
        }
        if let Some(t) = &input.ip_address_type
            && t != "ipv4"
        {
            check_choice(t, &["ipv4", "dualstack", "ipv6"], "IpAddressType")?;
            return Err(ModelError::NotEmulated {
                what: format!("VPC endpoints of IpAddressType {t}"),
            });
        }
        if let Some(t) = &input.dns_record_ip_type {
            check_choice(
                t,
                &["ipv4", "dualstack", "ipv6", "service-defined"],
                "DnsRecordIpType",
            )?;
            let allowed = if gateway {
                t == "service-defined" || t == "ipv4"
            } else {
                t == "ipv4"
            };
            if !allowed {
                return Err(ModelError::InvalidParameter {
                    message: format!("DnsRecordIpType {t} is not valid with IpAddressType ipv4"),
                });
            }
            endpoint.dns_record_ip_type.clone_from(t);
        }
        // Policy.
        if input.reset_policy && input.policy.is_some() {
            return Err(ModelError::InvalidParameterCombination {
                message: "ResetPolicy and PolicyDocument cannot be used together".to_owned(),
            });
        }
        if input.reset_policy {
            endpoint.policy = Some(
                if gateway {
                    DEFAULT_GATEWAY_POLICY
                } else {
                    DEFAULT_INTERFACE_POLICY
                }
                .to_owned(),
            );
        }
        if let Some(policy) = &input.policy {
            Self::check_policy(&service, policy)?;
            endpoint.policy = Some(policy.clone());
        }
        // Route tables.
        for table in &input.remove_route_table_ids {
            if !endpoint.route_table_ids.contains(table) {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The route table {table} is not associated with the endpoint {id}"
                    ),
                });
            }
            self.remove_endpoint_route(&mut endpoint, table);
        }
        for table in &input.add_route_table_ids {
            self.add_endpoint_route(&mut endpoint, table)?;
        }
        // Security groups: the ENIs follow.
        let mut changed = false;
        for g in &input.remove_security_group_ids {
            if !endpoint.groups.contains(g) {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The security group {g} is not associated with the endpoint {id}"
                    ),
                });
            }
            endpoint.groups.retain(|x| x != g);
            changed = true;
        }
        for g in &input.add_security_group_ids {
            let group = self.model.get::<SecurityGroup>(self.ctx.scope, g)?;
            if group.vpc_id != endpoint.vpc_id {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The security group {g} does not belong to the VPC {} of the endpoint",
                        endpoint.vpc_id
                    ),
                });
            }
            if !endpoint.groups.contains(g) {
                endpoint.groups.push(g.clone());
                changed = true;
            }
        }
        if interface && endpoint.groups.is_empty() {
            return Err(ModelError::InvalidParameter {
                message: format!("The endpoint {id} must keep at least one security group"),
            });
        }
        if changed {
            for eni_id in &endpoint.network_interface_ids {
                if let Some(eni) = self.model.network_interfaces.get(eni_id) {
                    let mut eni = (**eni).clone();
                    eni.groups.clone_from(&endpoint.groups);
                    self.put(Resource::NetworkInterface(eni));
                }
            }
        }
        // Subnets: one ENI each.
        for s in &input.remove_subnet_ids {
            if !endpoint.subnet_ids.contains(s) {
                return Err(ModelError::InvalidParameter {
                    message: format!("The subnet {s} is not associated with the endpoint {id}"),
                });
            }
            self.remove_endpoint_interface(&mut endpoint, s);
        }
        let mut adds = input.add_subnet_ids.clone();
        for (s, _) in &input.subnet_ips {
            if !adds.contains(s) && !endpoint.subnet_ids.contains(s) {
                adds.push(s.clone());
            }
        }
        for s in &adds {
            if endpoint.subnet_ids.contains(s) {
                continue;
            }
            self.add_endpoint_interface(&mut endpoint, &service, s, &input.subnet_ips)?;
        }
        // Private DNS.
        if let Some(on) = input.private_dns_enabled {
            if on && !endpoint.private_dns_enabled {
                self.check_private_dns(&endpoint.vpc_id, &service, Some(id))?;
            }
            endpoint.private_dns_enabled = on;
        }
        if interface
            && (input.private_dns_enabled.is_some()
                || input
                    .private_dns_only_for_inbound_resolver_endpoint
                    .is_some())
        {
            let requested = input
                .private_dns_only_for_inbound_resolver_endpoint
                .or(endpoint.private_dns_only_for_inbound_resolver_endpoint);
            endpoint.private_dns_only_for_inbound_resolver_endpoint = self.inbound_only_option(
                &endpoint.vpc_id,
                &service,
                endpoint.private_dns_enabled,
                requested,
            )?;
        }
        self.put(Resource::VpcEndpoint(endpoint));
        Ok(())
    }

    /// Deletes one endpoint with its ENIs and routes; the caller reports failures per item.
    pub(crate) fn delete_vpc_endpoint(&mut self, id: &VpcEndpointId) -> Result<(), ModelError> {
        let mut endpoint = self.model.get::<VpcEndpoint>(self.ctx.scope, id)?.clone();
        if endpoint.endpoint_type == EndpointTypeWire::Gateway {
            let blocked = self.model.vpc_endpoints.values().any(|e| {
                e.vpc_id == endpoint.vpc_id
                    && e.endpoint_type == EndpointTypeWire::Interface
                    && e.service_name == endpoint.service_name
                    && e.private_dns_only_for_inbound_resolver_endpoint == Some(true)
            });
            let others = self.model.vpc_endpoints.values().any(|e| {
                e.id != endpoint.id
                    && e.vpc_id == endpoint.vpc_id
                    && e.endpoint_type == EndpointTypeWire::Gateway
                    && e.service_name == endpoint.service_name
            });
            if blocked && !others {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The gateway endpoint {id} cannot be deleted while an interface endpoint for {} in {} has PrivateDnsOnlyForInboundResolverEndpoint set to true",
                        endpoint.service_name, endpoint.vpc_id
                    ),
                });
            }
        }
        if endpoint.endpoint_type == EndpointTypeWire::GatewayLoadBalancer {
            let target = RouteTarget::VpcEndpoint(id.clone());
            if let Some(t) = self
                .model
                .route_tables
                .values()
                .find(|t| t.routes.iter().any(|r| r.target == target))
            {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "The Gateway Load Balancer endpoint {id} is the target of a route in {}; delete the route first",
                        t.id
                    ),
                });
            }
        }
        for table in endpoint.route_table_ids.clone() {
            self.remove_endpoint_route(&mut endpoint, &table);
        }
        self.record_connection_event(&endpoint, "Delete");
        for eni in endpoint.network_interface_ids.drain(..) {
            self.delete(ResourceRef::NetworkInterface(eni));
        }
        self.delete(ResourceRef::VpcEndpoint(id.clone()));
        Ok(())
    }
}
