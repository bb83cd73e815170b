//! `POST /_localvpc/trace`: a name or address, asked from an instance, answered by the
//! source VPC's DNS view and then by the network decision core, hop by hop. The JSON it
//! answers is documented in docs/trace.md.

use crate::state::State;
use localvpc_api::Backend;
use localvpc_dns::{Explained, QType, RrData, TrailStep, View};
use localvpc_model::NetworkInterface;
use localvpc_net::explain::{Stage, Step};
use localvpc_net::{IpProtocol, NetIndex, PathEnd, PathError, PathQuery, ServiceRequest, analyze};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceRequest {
    from: String,
    to: String,
    /// A name (`tcp`) or a number, as a string or a JSON number.
    #[serde(default)]
    protocol: Option<Value>,
    #[serde(default)]
    port: Option<u16>,
    /// `GET s3://bucket/key`, `PUT s3://bucket/key`, `LIST s3://bucket`, or `ACTION ARN`.
    #[serde(default)]
    request: Option<String>,
    /// The caller's ARN for the request (anonymous when absent).
    #[serde(default)]
    principal: Option<String>,
}

fn error(status: u16, message: impl Into<String>) -> (u16, String) {
    (status, json!({ "error": message.into() }).to_string())
}

/// A path end named by id or address.
fn path_end(text: &str) -> Option<PathEnd> {
    match text.parse::<IpAddr>() {
        Ok(ip) => Some(PathEnd::Address(ip)),
        Err(_) => PathEnd::from_id(text),
    }
}

/// `HOST:PORT`, `[v6]:PORT` or `HOST` (the port of the `port` field then).
fn split_port(to: &str) -> (&str, Option<u16>) {
    if let Some(rest) = to.strip_prefix('[')
        && let Some((host, port)) = rest.split_once("]:")
    {
        return (host, port.parse().ok());
    }
    match to.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(p) => (host, Some(p)),
            Err(_) => (to, None),
        },
        _ => (to.trim_start_matches('[').trim_end_matches(']'), None),
    }
}

/// `GET s3://bucket/key` and friends → (action, resource ARN); `ACTION ARN` as given.
fn service_request(text: &str, principal: Option<String>) -> Result<ServiceRequest, String> {
    let mut words = text.split_whitespace();
    let (Some(verb), Some(target), None) = (words.next(), words.next(), words.next()) else {
        return Err(format!(
            "`{text}` is not a request: write `GET s3://bucket/key`, `PUT s3://bucket/key`, `LIST s3://bucket` or `ACTION ARN`"
        ));
    };
    if verb.contains(':') {
        return Ok(ServiceRequest {
            action: verb.to_owned(),
            resource: target.to_owned(),
            principal,
        });
    }
    let Some(path) = target.strip_prefix("s3://") else {
        return Err(format!("`{target}` is not an s3:// address"));
    };
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let object = !key.is_empty();
    let action = match (verb.to_ascii_uppercase().as_str(), object) {
        ("GET" | "HEAD", true) => "s3:GetObject",
        ("PUT" | "POST", true) => "s3:PutObject",
        ("DELETE", true) => "s3:DeleteObject",
        ("GET" | "LIST" | "HEAD", false) => "s3:ListBucket",
        ("PUT", false) => "s3:CreateBucket",
        ("DELETE", false) => "s3:DeleteBucket",
        _ => {
            return Err(format!(
                "`{verb}` is not GET, HEAD, PUT, POST, DELETE or LIST"
            ));
        }
    };
    let resource = if object {
        format!("arn:aws:s3:::{bucket}/{key}")
    } else {
        format!("arn:aws:s3:::{bucket}")
    };
    Ok(ServiceRequest {
        action: action.to_owned(),
        resource,
        principal,
    })
}

/// A name as the source's VPC resolver answers it.
pub(crate) struct ResolvedName {
    /// The answer (and its trail when asked for), with the snapshot that answered.
    pub(crate) explained: Explained,
    /// The network tables of that snapshot: the path is searched in the model that
    /// answered, so both parts see the same state.
    pub(crate) index: Arc<NetIndex>,
    /// The address a client connects to: of several, the one in the source's zone (as a
    /// client reaches the nearest endpoint interface), else the first; none without an A record.
    pub(crate) address: Option<IpAddr>,
}

/// Resolves `host` in the VPC view of `source` (`localvpc trace` and the data plane both ask
/// this way, so an explanation and a connection always see the same answer).
pub(crate) async fn resolve_name(
    state: &State,
    source: &NetworkInterface,
    host: &str,
    trail: bool,
) -> ResolvedName {
    let view = View::Vpc(source.vpc_id.clone());
    let explained = if trail {
        state.dns.explain_name(&view, host, QType::A).await
    } else {
        state.dns.answer_name(&view, host, QType::A).await
    };
    let index = state.net_index_of(Arc::clone(&explained.snapshot));
    let addresses: Vec<IpAddr> = explained
        .resolution
        .answers
        .iter()
        .filter_map(|rr| match rr.data {
            RrData::A(ip) => Some(IpAddr::V4(ip)),
            _ => None,
        })
        .collect();
    let address = addresses
        .iter()
        .find(|a| {
            index
                .interface_from(&source.vpc_id, **a)
                .is_some_and(|e| e.availability_zone == source.availability_zone)
        })
        .or_else(|| addresses.first())
        .copied();
    ResolvedName {
        explained,
        index,
        address,
    }
}

/// The interface a source names (to find its VPC view for DNS).
pub(crate) fn source_interface<'a>(
    index: &'a NetIndex,
    from: &PathEnd,
) -> Option<&'a NetworkInterface> {
    let model = index.model();
    match from {
        PathEnd::Instance(id) => model
            .any::<localvpc_model::Instance>(id)
            .and_then(|i| model.any::<NetworkInterface>(&i.primary_interface)),
        PathEnd::NetworkInterface(id) => model.any::<NetworkInterface>(id),
        PathEnd::VpcEndpoint(id) => model
            .any::<localvpc_model::VpcEndpoint>(id)
            .and_then(|e| e.network_interface_ids.first())
            .and_then(|e| model.any::<NetworkInterface>(e)),
        PathEnd::Address(ip) => index.interface_at(*ip),
        PathEnd::InternetGateway(_)
        | PathEnd::TransitGateway(_)
        | PathEnd::TransitGatewayAttachment(_)
        | PathEnd::VpcPeeringConnection(_)
        | PathEnd::VpnGateway(_)
        | PathEnd::VpcEndpointService(_) => None,
    }
}

pub(crate) async fn trace(state: &State, body: &[u8]) -> (u16, String) {
    let request: TraceRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                400,
                format!(
                    "the body must be JSON {{\"from\", \"to\", \"protocol\"?, \"port\"?, \"request\"?, \"principal\"?}}: {e}"
                ),
            );
        }
    };
    let Some(from) = path_end(&request.from) else {
        return error(
            400,
            format!(
                "`{}` is not an instance, network interface, interface endpoint or address",
                request.from
            ),
        );
    };
    let protocol_text = match &request.protocol {
        None => "tcp".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    };
    let protocol_text = protocol_text.as_str();
    let Some(protocol) = IpProtocol::parse(protocol_text) else {
        return error(
            400,
            format!("`{protocol_text}` is not a protocol (tcp, udp, icmp or a number)"),
        );
    };
    if request.principal.is_some() && request.request.is_none() {
        return error(
            400,
            "`principal` is the caller of `request`; give a `request` too",
        );
    }
    let service = match request.request.as_deref() {
        Some(text) => match service_request(text, request.principal.clone()) {
            Ok(r) => Some(r),
            Err(e) => return error(400, e),
        },
        None => None,
    };
    let mut index = state.net_index();
    let (host, port_in_to) = split_port(&request.to);
    let mut port = request.port.or(port_in_to);
    let mut dns = Value::Null;
    let mut steps: Vec<Step> = Vec::new();
    let destination = match path_end(host) {
        Some(end) => end,
        None => {
            // A DNS name: resolved as the source's VPC resolver answers it; the path is then
            // searched in the snapshot that answered, so both parts see the same model.
            let Some(source) = source_interface(&index, &from) else {
                return error(404, format!("the source `{}` does not exist", request.from));
            };
            let source_vpc = source.vpc_id.clone();
            let resolved = resolve_name(state, source, host, true).await;
            let view = View::Vpc(source_vpc.clone());
            dns = resolved.explained.json(&view, host, QType::A);
            steps.extend(
                resolved
                    .explained
                    .resolution
                    .trail
                    .iter()
                    .map(TrailStep::step),
            );
            index = resolved.index;
            let Some(address) = resolved.address else {
                return (
                    200,
                    json!({
                        "from": request.from,
                        "to": request.to,
                        "protocol": protocol,
                        "port": port.or(Some(443)).filter(|_| protocol.has_ports()),
                        "dns": dns,
                        "request": service,
                        "network_path_found": false,
                        "forward_path_components": [],
                        "return_path_components": [],
                        "explanations": [{
                            "explanation_code": "LOCALVPC_DNS_NO_ADDRESS",
                            "on_return_path": false,
                            "detail": format!("{host} has no A record in the view of {source_vpc}"),
                            "fix": "check the name, the VPC's private hosted zones and endpoints' private DNS (see the dns trail)",
                        }],
                        "steps": steps,
                    })
                    .to_string(),
                );
            };
            // Names are AWS service endpoints more often than not.
            port = port.or(Some(443));
            PathEnd::Address(address)
        }
    };
    if !protocol.has_ports() {
        port = None;
    }
    let query = PathQuery {
        source: from,
        source_ip: None,
        destination,
        destination_ip: None,
        protocol,
        destination_port: port,
        request: service,
    };
    match analyze(&index, &query) {
        Ok(analysis) => {
            steps.extend(
                analysis
                    .forward_path_components
                    .iter()
                    .map(|hop| hop.step(Stage::Forward)),
            );
            steps.extend(
                analysis
                    .return_path_components
                    .iter()
                    .map(|hop| hop.step(Stage::Return)),
            );
            let mut out = json!({
                "from": request.from,
                "to": request.to,
                "protocol": protocol,
                "port": port,
                "dns": dns,
                "request": query.request,
            });
            if let (Value::Object(map), Ok(Value::Object(rest))) =
                (&mut out, serde_json::to_value(&analysis))
            {
                map.extend(rest);
                map.insert("steps".to_owned(), json!(steps));
            }
            (200, out.to_string())
        }
        Err(e @ PathError::NotFound { .. }) => error(404, e.to_string()),
        Err(e) => error(400, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_split_from_names_and_addresses() {
        assert_eq!(
            split_port("s3.amazonaws.com:443"),
            ("s3.amazonaws.com", Some(443))
        );
        assert_eq!(split_port("10.0.0.1"), ("10.0.0.1", None));
        assert_eq!(split_port("[2001:db8::1]:22"), ("2001:db8::1", Some(22)));
        assert_eq!(split_port("2001:db8::1"), ("2001:db8::1", None));
    }

    #[test]
    fn s3_requests_map_to_actions_and_arns() {
        let r = service_request("GET s3://reports/a/b.txt", None).unwrap();
        assert_eq!(
            (r.action.as_str(), r.resource.as_str()),
            ("s3:GetObject", "arn:aws:s3:::reports/a/b.txt")
        );
        let r = service_request("LIST s3://reports", None).unwrap();
        assert_eq!(
            (r.action.as_str(), r.resource.as_str()),
            ("s3:ListBucket", "arn:aws:s3:::reports")
        );
        let r = service_request(
            "ssm:GetParameter arn:aws:ssm:ap-northeast-1:1:parameter/x",
            None,
        )
        .unwrap();
        assert_eq!(r.action, "ssm:GetParameter");
        assert!(service_request("GET", None).is_err());
        assert!(service_request("FETCH s3://b/k", None).is_err());
    }
}
