//! Reachability Analyzer's resources: Network Insights paths (what to analyse) and
//! analyses (a path analysed once, with its result). The analysis itself is the network
//! decision core's (`localvpc-net`); the API runs it on the snapshot of the request and the
//! model stores its result, as AWS keeps an analysis's result fixed once it has run.

use crate::ec2::endpoint_service::VpcEndpointServiceConfiguration;
use crate::ec2::instance::Instance;
use crate::ec2::internet_gateway::InternetGateway;
use crate::ec2::network_interface::NetworkInterface;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::transit_gateway::{TransitGateway, TransitGatewayAttachment};
use crate::ec2::vpc_endpoint::VpcEndpoint;
use crate::ec2::vpc_peering::VpcPeeringConnection;
use crate::ec2::vpn::VpnGateway;
use crate::error::ModelError;
use crate::id::{
    InstanceId, InternetGatewayId, NetworkInsightsAnalysisId, NetworkInsightsPathId,
    NetworkInterfaceId, ResourceKind, Timestamp, TransitGatewayAttachmentId, TransitGatewayId,
    VpcEndpointId, VpcEndpointServiceId, VpcPeeringConnectionId, VpnGatewayId,
};
use crate::resource::{Model, Resource, ResourceRef, Stored};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// `PathFilter` / `PathRequestFilter`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathFilter {
    pub source_address: Option<IpAddr>,
    pub source_port_range: Option<(u16, u16)>,
    pub destination_address: Option<IpAddr>,
    pub destination_port_range: Option<(u16, u16)>,
}

impl PathFilter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsPath {
    pub id: NetworkInsightsPathId,
    pub scope: Scope,
    pub created: Timestamp,
    /// The source's id (an ARN given on create is kept in `source_arn`).
    pub source: String,
    pub source_arn: String,
    pub destination: Option<String>,
    pub destination_arn: Option<String>,
    pub source_ip: Option<IpAddr>,
    pub destination_ip: Option<IpAddr>,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub destination_port: Option<u16>,
    pub filter_at_source: Option<PathFilter>,
    pub filter_at_destination: Option<PathFilter>,
    pub client_token: Option<String>,
    pub tags: Tags,
}

impl NetworkInsightsPath {
    pub fn arn(&self) -> String {
        self.scope
            .ec2_arn("network-insights-path", self.id.as_str())
    }
}

/// CreateNetworkInsightsPath's input, as decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateNetworkInsightsPath {
    /// An id or an ARN.
    pub source: String,
    pub destination: Option<String>,
    pub source_ip: Option<IpAddr>,
    pub destination_ip: Option<IpAddr>,
    pub protocol: String,
    pub destination_port: Option<u16>,
    pub filter_at_source: Option<PathFilter>,
    pub filter_at_destination: Option<PathFilter>,
    pub client_token: Option<String>,
    pub tag_specifications: Vec<TagSpecification>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInsightsAnalysis {
    pub id: NetworkInsightsAnalysisId,
    pub scope: Scope,
    pub path_id: NetworkInsightsPathId,
    pub started: Timestamp,
    pub filter_in_arns: Vec<String>,
    /// Components the path must not cross (FilterOutArns).
    #[serde(default)]
    pub filter_out_arns: Vec<String>,
    pub additional_accounts: Vec<String>,
    /// `succeeded` or `failed` (an analysis finishes within its request).
    pub status: String,
    pub status_message: Option<String>,
    pub path_found: Option<bool>,
    /// The result as the decision core wrote it (JSON: forward and return components,
    /// explanations), rendered to the wire by the API.
    pub result: String,
    pub tags: Tags,
}

impl NetworkInsightsAnalysis {
    pub fn arn(&self) -> String {
        self.scope
            .ec2_arn("network-insights-analysis", self.id.as_str())
    }
}

/// StartNetworkInsightsAnalysis's input with the analysis already run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartNetworkInsightsAnalysis {
    pub path_id: NetworkInsightsPathId,
    pub filter_in_arns: Vec<String>,
    #[serde(default)]
    pub filter_out_arns: Vec<String>,
    pub additional_accounts: Vec<String>,
    pub status: String,
    pub status_message: Option<String>,
    pub path_found: Option<bool>,
    pub result: String,
    pub tag_specifications: Vec<TagSpecification>,
}

/// A Network Insights source or destination given as an id or an ARN: its id.
pub fn insights_resource_id(text: &str) -> &str {
    if text.starts_with("arn:") {
        text.rsplit('/').next().unwrap_or(text)
    } else {
        text
    }
}

impl Model {
    /// The ARN of a path end, if the id names a resource of a kind Reachability Analyzer
    /// accepts and it exists in the scope; `None` for an unsupported kind.
    fn insights_end_arn(&self, scope: &Scope, id: &str) -> Option<Result<String, ()>> {
        fn seen<T: Stored>(model: &Model, id: Option<T::Id>, visible: impl Fn(&T) -> bool) -> bool {
            id.and_then(|id| model.any::<T>(&id)).is_some_and(visible)
        }
        let kind = ResourceKind::of_id(id)?;
        let own = |s: &Scope| s == scope;
        if kind == ResourceKind::VpcEndpointService {
            // A consumer names a provider's service: visible to it, and its ARN is the
            // provider's.
            return Some(
                VpcEndpointServiceId::parse(id)
                    .ok()
                    .and_then(|i| self.any::<VpcEndpointServiceConfiguration>(&i))
                    .filter(|s| s.scope.region == scope.region && s.visible_to(&scope.account))
                    .map(|s| s.scope.ec2_arn("vpc-endpoint-service", id))
                    .ok_or(()),
            );
        }
        let found = match kind {
            ResourceKind::Instance => seen(self, InstanceId::parse(id).ok(), |r: &Instance| {
                own(&r.scope)
            }),
            ResourceKind::NetworkInterface => seen(
                self,
                NetworkInterfaceId::parse(id).ok(),
                |r: &NetworkInterface| own(&r.scope),
            ),
            ResourceKind::InternetGateway => seen(
                self,
                InternetGatewayId::parse(id).ok(),
                |r: &InternetGateway| own(&r.scope),
            ),
            ResourceKind::VpcEndpoint => {
                seen(self, VpcEndpointId::parse(id).ok(), |r: &VpcEndpoint| {
                    own(&r.scope)
                })
            }
            ResourceKind::VpnGateway => {
                seen(self, VpnGatewayId::parse(id).ok(), |r: &VpnGateway| {
                    own(&r.scope)
                })
            }
            ResourceKind::VpcPeeringConnection => seen(
                self,
                VpcPeeringConnectionId::parse(id).ok(),
                |p: &VpcPeeringConnection| own(&p.requester.scope) || own(&p.accepter.scope),
            ),
            ResourceKind::TransitGateway => seen(
                self,
                TransitGatewayId::parse(id).ok(),
                |t: &TransitGateway| t.scope.region == scope.region,
            ),
            ResourceKind::TransitGatewayAttachment => seen(
                self,
                TransitGatewayAttachmentId::parse(id).ok(),
                |a: &TransitGatewayAttachment| a.visible_to(scope),
            ),
            _ => return None,
        };
        Some(if found {
            Ok(scope.ec2_arn(arn_type(kind), id))
        } else {
            Err(())
        })
    }
}

/// The resource type in an EC2 ARN.
fn arn_type(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::NatGateway => "natgateway",
        other => other.tag_resource_type().unwrap_or("resource"),
    }
}

impl Txn<'_, '_> {
    pub(crate) fn create_network_insights_path(
        &mut self,
        input: &CreateNetworkInsightsPath,
    ) -> Result<NetworkInsightsPath, ModelError> {
        let scope = self.ctx.scope;
        if let Some(token) = &input.client_token
            && let Some(existing) = self
                .model
                .in_scope::<NetworkInsightsPath>(scope)
                .find(|p| p.client_token.as_deref() == Some(token.as_str()))
        {
            // The same token with other parameters is a different request (EC2 idempotency).
            let same = existing.source == insights_resource_id(&input.source)
                && existing.destination.as_deref()
                    == input.destination.as_deref().map(insights_resource_id)
                && existing.source_ip == input.source_ip
                && existing.destination_ip == input.destination_ip
                && existing.protocol == input.protocol.to_ascii_lowercase()
                && existing.destination_port == input.destination_port
                && existing.filter_at_source == input.filter_at_source
                && existing.filter_at_destination == input.filter_at_destination;
            if !same {
                return Err(ModelError::IdempotentParameterMismatch {
                    token: token.clone(),
                });
            }
            return Ok(existing.clone());
        }
        let protocol = input.protocol.to_ascii_lowercase();
        if protocol != "tcp" && protocol != "udp" {
            return Err(ModelError::invalid_value(format!(
                "Value ({}) for parameter protocol is invalid. Valid values are: tcp, udp",
                input.protocol
            )));
        }
        let ipv4 = |ip: Option<IpAddr>, what: &str| match ip {
            Some(IpAddr::V6(a)) => Err(ModelError::invalid_value(format!(
                "The {what} {a} is not a valid IPv4 address. Reachability Analyzer analyses IPv4 only."
            ))),
            _ => Ok(()),
        };
        ipv4(input.source_ip, "source IP")?;
        ipv4(input.destination_ip, "destination IP")?;
        if let Some(f) = &input.filter_at_source {
            if input.source_ip.is_some() || input.destination_port.is_some() {
                return Err(ModelError::InvalidParameterCombination {
                    message: "FilterAtSource cannot be specified with SourceIp or DestinationPort."
                        .to_owned(),
                });
            }
            ipv4(f.source_address, "source address")?;
            ipv4(f.destination_address, "destination address")?;
        }
        if let Some(f) = &input.filter_at_destination {
            if input.destination_ip.is_some() {
                return Err(ModelError::InvalidParameterCombination {
                    message: "FilterAtDestination cannot be specified with DestinationIp."
                        .to_owned(),
                });
            }
            ipv4(f.source_address, "source address")?;
            ipv4(f.destination_address, "destination address")?;
        }
        let has_destination_address = input
            .filter_at_source
            .as_ref()
            .is_some_and(|f| f.destination_address.is_some());
        if input.destination.is_none() && !has_destination_address {
            return Err(ModelError::missing(
                "The request must include either the Destination parameter or the FilterAtSource.DestinationAddress parameter. Add the required parameter and retry the request.",
            ));
        }
        let source = insights_resource_id(&input.source).to_owned();
        let source_arn = match self.model.insights_end_arn(scope, &source) {
            Some(Ok(arn)) => arn,
            Some(Err(())) => {
                return Err(ModelError::NetworkInsightsEndNotFound {
                    is_source: true,
                    id: source,
                });
            }
            None => {
                return Err(ModelError::invalid_value(format!(
                    "The source '{}' is not a resource Reachability Analyzer supports as a source",
                    input.source
                )));
            }
        };
        let (destination, destination_arn) = match &input.destination {
            None => (None, None),
            Some(text) => {
                let id = insights_resource_id(text).to_owned();
                match self.model.insights_end_arn(scope, &id) {
                    Some(Ok(arn)) => (Some(id), Some(arn)),
                    Some(Err(())) => {
                        return Err(ModelError::NetworkInsightsEndNotFound {
                            is_source: false,
                            id,
                        });
                    }
                    None => {
                        return Err(ModelError::invalid_value(format!(
                            "The destination '{text}' is not a resource Reachability Analyzer supports as a destination"
                        )));
                    }
                }
            }
        };
        let id = NetworkInsightsPathId::generate(self.ctx.ids);
        let tags = tags_for(
            &input.tag_specifications,
            "network-insights-path",
            id.as_str(),
        )?;
        let path = NetworkInsightsPath {
            id,
            scope: scope.clone(),
            created: self.ctx.now,
            source,
            source_arn,
            destination,
            destination_arn,
            source_ip: input.source_ip,
            destination_ip: input.destination_ip,
            protocol,
            destination_port: input.destination_port,
            filter_at_source: input.filter_at_source.clone(),
            filter_at_destination: input.filter_at_destination.clone(),
            client_token: input.client_token.clone(),
            tags,
        };
        self.put(Resource::NetworkInsightsPath(path.clone()));
        Ok(path)
    }

    pub(crate) fn delete_network_insights_path(
        &mut self,
        id: &NetworkInsightsPathId,
    ) -> Result<(), ModelError> {
        self.model.get::<NetworkInsightsPath>(self.ctx.scope, id)?;
        if self
            .model
            .network_insights_analyses
            .values()
            .any(|a| &a.path_id == id)
        {
            return Err(ModelError::AnalysisExistsForNetworkInsightsPath {
                path_id: id.to_string(),
            });
        }
        self.delete(ResourceRef::NetworkInsightsPath(id.clone()));
        Ok(())
    }

    pub(crate) fn start_network_insights_analysis(
        &mut self,
        input: &StartNetworkInsightsAnalysis,
    ) -> Result<NetworkInsightsAnalysis, ModelError> {
        self.model
            .get::<NetworkInsightsPath>(self.ctx.scope, &input.path_id)?;
        let id = NetworkInsightsAnalysisId::generate(self.ctx.ids);
        let tags = tags_for(
            &input.tag_specifications,
            "network-insights-analysis",
            id.as_str(),
        )?;
        let analysis = NetworkInsightsAnalysis {
            id,
            scope: self.ctx.scope.clone(),
            path_id: input.path_id.clone(),
            started: self.ctx.now,
            filter_in_arns: input.filter_in_arns.clone(),
            filter_out_arns: input.filter_out_arns.clone(),
            additional_accounts: input.additional_accounts.clone(),
            status: input.status.clone(),
            status_message: input.status_message.clone(),
            path_found: input.path_found,
            result: input.result.clone(),
            tags,
        };
        self.put(Resource::NetworkInsightsAnalysis(analysis.clone()));
        Ok(analysis)
    }

    pub(crate) fn delete_network_insights_analysis(
        &mut self,
        id: &NetworkInsightsAnalysisId,
    ) -> Result<(), ModelError> {
        self.model
            .get::<NetworkInsightsAnalysis>(self.ctx.scope, id)?;
        self.delete(ResourceRef::NetworkInsightsAnalysis(id.clone()));
        Ok(())
    }
}
