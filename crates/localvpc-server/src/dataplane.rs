//! The data plane's gate: every connection a `localvpc exec` session opens is resolved in
//! its instance's VPC view and decided by the network decision core — the functions
//! `localvpc trace` explains with — and then carried to a real socket: the one `--map-ip`
//! names for the emulated address, or (outside every VPC, the internet) the address itself.
//!
//! Sessions are opened by `POST /_localvpc/sessions` (`{"instance": "i-…"}`) and closed by
//! `DELETE /_localvpc/sessions/ID`; docs/exec.md is the user's view.

use crate::flowlog::{FlowRecorder, Origin};
use crate::imds::IMDS_ADDRESS;
use crate::state::State;
use crate::trace::resolve_name;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use localvpc_api::{AwsRequest, Backend as _, RequestCtx, Service};
use localvpc_model::{
    Instance, InstanceId, InstanceState, NetworkInterface, VpcEndpoint, VpcEndpointId,
};
use localvpc_net::{
    IpProtocol, NetIndex, Owner, PathEnd, PathQuery, ServiceRequest, Sighting, analyze,
    endpoint_policy, sightings, verdict,
};
use localvpc_proxy::{Decision, Gate, Refusal, Session, Transfer};
use serde::Deserialize;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};

impl Gate for State {
    async fn decide(&self, session: &Session, host: &str, port: u16) -> Decision {
        let mut seen = Vec::new();
        let decided = self
            .connection(&session.instance, host, port, &mut seen)
            .await;
        if !seen.is_empty() {
            let now = self.now();
            let origin = Origin {
                instance: session.instance.clone(),
                host: host.to_owned(),
                port,
                blocked: decided.as_ref().err().map(|r| r.code.clone()),
            };
            match &decided {
                Ok(_) => self.flows.opened(
                    (session.id.clone(), host.to_owned(), port),
                    origin,
                    seen,
                    now,
                ),
                Err(_) => self.flows.refused(&self.snapshot(), origin, seen, now),
            }
        }
        match decided {
            Ok(Backend::Real(addr)) => Decision::Connect(addr),
            Ok(Backend::Api(None)) => Decision::Serve(API.to_owned()),
            Ok(Backend::Api(Some(endpoint))) => Decision::Serve(format!("{API}:{endpoint}")),
            Ok(Backend::Metadata) => Decision::Serve(METADATA.to_owned()),
            Ok(Backend::Upstream(service)) => Decision::Serve(format!("{UPSTREAM}{service}")),
            Err(refusal) => Decision::Refuse(refusal),
        }
    }

    /// The connection's flow log records (when a flow log watches what it crossed).
    fn closed(&self, session: &Session, host: &str, port: u16, transfer: Transfer) {
        self.flows.closed(
            &self.snapshot(),
            &(session.id.clone(), host.to_owned(), port),
            transfer.to_server,
            transfer.to_client,
            self.now(),
        );
    }

    /// localvpc's own API answers as on its HTTP port (the request's SigV4 credential scope
    /// picks the service, account and region); the metadata service answers for the
    /// session's instance; an upstream gets the request relayed.
    async fn serve(
        &self,
        session: &Session,
        target: &str,
        request: Request<Incoming>,
    ) -> Response<Full<Bytes>> {
        if target == METADATA {
            return crate::imds::answer(self, session, &request);
        }
        if let Some(service) = target.strip_prefix(UPSTREAM)
            && let Some(upstream) = self.config.upstreams.get(service)
        {
            return crate::upstream::relay(upstream, request).await;
        }
        match target.strip_prefix(API).and_then(|t| t.strip_prefix(':')) {
            Some(endpoint) => self.through_endpoint(endpoint, request).await,
            None => crate::http::handle(self, request).await,
        }
    }
}

/// The names the gate gives what it answers in-process.
const API: &str = "api";
const METADATA: &str = "metadata";
const UPSTREAM: &str = "upstream:";

/// What carries a connection that the path allows.
enum Backend {
    /// A real socket.
    Real(SocketAddr),
    /// localvpc's own API, in-process (through this interface endpoint, whose policy each
    /// request must pass).
    Api(Option<String>),
    /// The instance metadata service, in-process.
    Metadata,
    /// The upstream configured for an AWS service localvpc does not serve.
    Upstream(String),
}

/// The AWS service a connection reaches, by its endpoint name (`ec2`, `sts`, `ssm`, …):
/// through an interface endpoint (whose service names it), or by the service's own public
/// name (`ec2.ap-northeast-1.amazonaws.com`, `route53.amazonaws.com`) outside every VPC.
/// `None` for anything else (instances, load balancers, endpoint services, the internet).
fn aws_service(index: &NetIndex, host: &str, address: IpAddr) -> Option<String> {
    if let Some(interface) = index.interface_at(address) {
        let Owner::VpcEndpoint(id) = index.owner(&interface.id) else {
            return None;
        };
        let endpoint = VpcEndpointId::parse(id)
            .ok()
            .and_then(|id| index.model().any::<VpcEndpoint>(&id))?;
        let rest = endpoint.service_name.strip_prefix("com.amazonaws.")?;
        let (_region, service) = rest.split_once('.')?;
        return (!service.starts_with("vpce-svc-") && !rest.starts_with("vpce."))
            .then(|| service.to_owned());
    }
    let rest = host.strip_suffix(".amazonaws.com")?;
    // S3's virtual-hosted names put the bucket first: `BUCKET.s3.<region>.amazonaws.com`,
    // `BUCKET.s3.amazonaws.com`, `BUCKET.s3-<region>.amazonaws.com`.
    if !rest.ends_with(".vpce")
        && rest
            .split('.')
            .skip(1)
            .any(|label| label == "s3" || label.starts_with("s3-"))
    {
        return Some("s3".to_owned());
    }
    let service = rest.split('.').next()?;
    (!service.is_empty() && !rest.ends_with(".vpce")).then(|| service.to_owned())
}

/// The interface endpoint whose interface holds `address`, if one does.
fn endpoint_at(index: &NetIndex, address: IpAddr) -> Option<String> {
    let interface = index.interface_at(address)?;
    match index.owner(&interface.id) {
        Owner::VpcEndpoint(id) => Some(id.to_string()),
        _ => None,
    }
}

impl State {
    /// A request to a service localvpc serves, through an interface endpoint: the
    /// endpoint's policy decides it first (the same evaluation `localvpc trace --request`
    /// shows), with the caller as its signature names it (the account's root: IAM users
    /// are not emulated).
    async fn through_endpoint(
        &self,
        endpoint: &str,
        request: Request<Incoming>,
    ) -> Response<Full<Bytes>> {
        let index = self.net_index();
        let check = |service: Service, ctx: &RequestCtx, req: &AwsRequest<'_>| {
            let (action, resource) = service.iam_request(ctx, req)?;
            let principal = format!("arn:aws:iam::{}:root", ctx.scope.account);
            let asked = ServiceRequest {
                resource,
                action: action.clone(),
                principal: Some(principal.clone()),
            };
            let verdict = endpoint_policy(&index, endpoint, &asked)?;
            (!verdict.allowed).then(|| {
                tracing::info!(endpoint, detail = %verdict.detail, "endpoint policy refused a request");
                (
                    service.endpoint_policy_denied(&action, &principal, verdict.explicit),
                    "LOCALVPC_ENDPOINT_POLICY_DENY",
                )
            })
        };
        crate::http::handle_checked(self, request, check).await
    }

    /// Where a connection from `instance` to `host:port` really goes, or why it does not;
    /// `seen` gets where flow logs see it, when any flow log exists.
    async fn connection(
        &self,
        instance: &str,
        host: &str,
        port: u16,
        seen: &mut Vec<Sighting>,
    ) -> Result<Backend, Refusal> {
        let trace = Some(format!(
            "localvpc trace --from {instance} --to {host}:{port}"
        ));
        let refuse = |status: u16, code: &str, detail: String| Refusal {
            status,
            code: code.to_owned(),
            detail,
            trace: trace.clone(),
        };
        let model = self.snapshot();
        let source = InstanceId::parse(instance)
            .ok()
            .and_then(|id| model.any::<Instance>(&id).cloned())
            .ok_or_else(|| {
                refuse(
                    403,
                    "NO_SOURCE_OR_DESTINATION",
                    format!("the instance {instance} no longer exists"),
                )
            })?;
        if source.state != InstanceState::Running {
            return Err(refuse(
                403,
                "LOCALVPC_INSTANCE_NOT_RUNNING",
                format!(
                    "{instance} is {}; only a running instance sends traffic",
                    source.state.code_name().1
                ),
            ));
        }
        // The metadata service is link-local: the instance always reaches its own.
        if host == IMDS_ADDRESS && port == 80 {
            return Ok(Backend::Metadata);
        }
        let (index, address) = match host.parse::<IpAddr>() {
            Ok(ip) => (self.net_index(), ip),
            Err(_) => {
                let Some(interface) = model
                    .any::<NetworkInterface>(&source.primary_interface)
                    .cloned()
                else {
                    return Err(refuse(
                        403,
                        "NO_SOURCE_OR_DESTINATION",
                        format!("{instance} has no network interface"),
                    ));
                };
                let resolved = resolve_name(self, &interface, host, false).await;
                let Some(address) = resolved.address else {
                    return Err(refuse(
                        502,
                        "LOCALVPC_DNS_NO_ADDRESS",
                        format!("{host} has no A record in the view of {}", interface.vpc_id),
                    ));
                };
                (resolved.index, address)
            }
        };
        let query = PathQuery {
            source: PathEnd::Instance(source.id.clone()),
            source_ip: None,
            destination: PathEnd::Address(address),
            destination_ip: None,
            protocol: IpProtocol::TCP,
            destination_port: Some(port),
            request: None,
        };
        // To an emulated interface the hops are needed (where a balancer delivers the
        // connection), and for flow logs (which interfaces saw it); elsewhere the verdict
        // alone, without recording hops, decides.
        let to_interface = index.interface_at(address).is_some();
        let logged = FlowRecorder::wanted(index.model());
        // To an AWS service outside every interface, the hops name the gateway endpoint
        // crossed, if any (its policy decides each request).
        let service = aws_service(&index, host, address);
        let search = if to_interface || logged || service.is_some() {
            analyze
        } else {
            verdict
        };
        let analysis = search(&index, &query)
            .map_err(|e| refuse(403, "NO_SOURCE_OR_DESTINATION", e.to_string()))?;
        if logged {
            *seen = sightings(&analysis);
        }
        if !analysis.network_path_found {
            let (code, detail) = analysis
                .explanations
                .first()
                .map_or(("LOCALVPC_NO_PATH", "no path".to_owned()), |e| {
                    (e.explanation_code, e.detail.clone())
                });
            return Err(refuse(403, code, detail));
        }
        let emulated = SocketAddr::new(address, port);
        if let Some(real) = self.addresses.get(&emulated) {
            return Ok(Backend::Real(real));
        }
        if let Some(service) = service {
            if self.config.upstreams.contains_key(&service) {
                return Ok(Backend::Upstream(service));
            }
            if Service::from_signing_name(&service).is_some() {
                // The endpoint whose policy each request must pass: the interface endpoint
                // holding the address, or the gateway endpoint the route went through.
                let endpoint = endpoint_at(&index, address).or_else(|| {
                    analysis
                        .forward_path_components
                        .iter()
                        .find(|h| h.kind == "vpc-endpoint")
                        .map(|h| h.component.id.clone())
                });
                return Ok(Backend::Api(endpoint));
            }
            return Err(refuse(
                502,
                "LOCALVPC_NO_UPSTREAM",
                format!(
                    "the path to {service} at {emulated} is open, but localvpc does not serve \
                     the AWS service `{service}` (it serves: {}); relay it to another emulator \
                     with `localvpc serve --upstream {service}=http://HOST:PORT`",
                    Service::ALL.map(Service::signing_name).join(", ")
                ),
            ));
        }
        if to_interface {
            // Through a load balancer (and PrivateLink) the connection ends at a target, on
            // the target port: that is the emulated socket a real process stands behind.
            let delivered = analysis
                .delivered_to()
                .map_or(emulated, |(ip, p)| SocketAddr::new(ip, p.unwrap_or(port)));
            if let Some(real) = self.addresses.get(&delivered) {
                return Ok(Backend::Real(real));
            }
            let via = if delivered == emulated {
                String::new()
            } else {
                format!(" (reached through {emulated})")
            };
            return Err(refuse(
                502,
                "LOCALVPC_NO_BACKEND",
                format!(
                    "the path to {delivered}{via} is open, but nothing real stands behind that \
                     emulated address: give it one with `localvpc map add {delivered}=HOST:PORT` \
                     (an instance's port: run its program with `localvpc exec --instance i-… \
                     --publish {}`)",
                    delivered.port()
                ),
            ));
        }
        if !self.config.internet {
            return Err(refuse(
                502,
                "LOCALVPC_INTERNET_OFF",
                format!(
                    "the path to {emulated} leaves the VPCs, and this server runs with \
                     --internet off (map the address to a local server with `localvpc map add {emulated}=HOST:PORT`)"
                ),
            ));
        }
        Ok(Backend::Real(emulated))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenSession {
    instance: String,
    /// Ports of the instance the program serves (`exec --publish`).
    #[serde(default)]
    publish: Vec<crate::mapping::Publish>,
}

/// `POST /_localvpc/sessions`: a proxy credential for a running instance.
pub(crate) fn open_session(state: &State, body: &[u8]) -> (u16, String) {
    let error = |status: u16, message: String| (status, json!({ "error": message }).to_string());
    let Some(proxy) = state.proxy_address() else {
        return error(
            503,
            "the data plane proxy is off (`localvpc serve --proxy-listen off`)".to_owned(),
        );
    };
    let request: OpenSession = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                400,
                format!(
                    "the body must be {{\"instance\": \"i-…\", \"publish\": \
                     [{{\"port\": 8080, \"real_port\": 8000}}]}} (publish optional): {e}"
                ),
            );
        }
    };
    let model = state.snapshot();
    let instance = InstanceId::parse(&request.instance)
        .ok()
        .and_then(|id| model.any::<Instance>(&id));
    let Some(instance) = instance else {
        return error(
            404,
            format!("the instance `{}` does not exist", request.instance),
        );
    };
    if instance.state != InstanceState::Running {
        return error(
            409,
            format!(
                "the instance {} is {}; start it first",
                request.instance,
                instance.state.code_name().1
            ),
        );
    }
    let published = match crate::mapping::publish_entries(state, instance, &request.publish) {
        Ok(entries) => entries,
        Err(e) => return error(e.status, e.message),
    };
    let Some(session) = state.sessions.open(instance.id.as_str()) else {
        return error(
            500,
            "the system gave no randomness for a credential".to_owned(),
        );
    };
    let origin = crate::mapping::Origin::Session {
        id: session.id.clone(),
        instance: session.instance.clone(),
    };
    if let Err(e) = state.addresses.add_all(&published, &origin) {
        state.sessions.close(&session.id);
        return error(e.status, e.message);
    }
    let body = json!({
        "session": session.id,
        "token": session.token(),
        "instance": session.instance,
        "vpc": instance.vpc_id,
        "proxy": format!("http://{}:{}@{proxy}", session.id, session.token()),
        "published": published
            .iter()
            .map(|(emulated, real)| json!({ "emulated": emulated.to_string(), "real": real.to_string() }))
            .collect::<Vec<_>>(),
    });
    (201, body.to_string())
}

/// `DELETE /_localvpc/sessions/ID`.
pub(crate) fn close_session(state: &State, id: &str) -> (u16, String) {
    // The session's published ports go with it.
    state.addresses.remove_session(id);
    if state.sessions.close(id) {
        (200, json!({ "closed": id }).to_string())
    } else {
        (
            404,
            json!({ "error": format!("no session `{id}`") }).to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localvpc_model::Model;
    use std::sync::Arc;

    #[test]
    fn aws_services_are_known_by_their_public_names() {
        let index = NetIndex::build(Arc::new(Model::default()));
        let outside: IpAddr = "198.19.1.2".parse().unwrap();
        for (host, service) in [
            ("ec2.ap-northeast-1.amazonaws.com", Some("ec2")),
            ("sts.ap-northeast-1.amazonaws.com", Some("sts")),
            ("route53.amazonaws.com", Some("route53")),
            ("ssm.ap-northeast-1.amazonaws.com", Some("ssm")),
            ("s3.ap-northeast-1.amazonaws.com", Some("s3")),
            ("my.bucket.s3.ap-northeast-1.amazonaws.com", Some("s3")),
            ("bucket.s3.amazonaws.com", Some("s3")),
            // Endpoint-specific names are known by the endpoint behind the address instead.
            ("vpce-0123-abcd.ec2.ap-northeast-1.vpce.amazonaws.com", None),
            ("example.com", None),
            ("amazonaws.com", None),
        ] {
            assert_eq!(
                aws_service(&index, host, outside).as_deref(),
                service,
                "{host}"
            );
        }
    }
}
