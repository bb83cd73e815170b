//! The HTTP front door: localvpc's own endpoints, then AWS requests routed by service.

use crate::state::State;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use localvpc_api::s3::{S3Request, S3Response};
use localvpc_api::{ApiError, ApiResponse, AwsRequest, Backend, Protocol, RequestCtx, Service};
use localvpc_model::{AccountId, Command, Scope};
use localvpc_wire::query::QueryParams;
use localvpc_wire::sigv4::CredentialScope;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Requests larger than this are refused before they are read whole.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// The largest S3 request body (a single PutObject or an upload part; S3's own limit is
/// 5 GiB, docs/aws-choices.md "S3").
const MAX_S3_BODY: usize = 64 * 1024 * 1024;

/// Serves until `shutdown` resolves, then lets open requests finish (up to 10 s).
pub async fn serve(listener: TcpListener, state: Arc<State>, shutdown: impl Future<Output = ()>) {
    // DNS listeners are up before the first HTTP request, so health can say so.
    state.dns.start().await;
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let service = service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(handle(&state, req).await) }
                });
                let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    state.closing.send_replace(true);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after 10 s");
    }
}

/// Answers one request: localvpc's own endpoints, or an AWS request routed by its service
/// (also the data plane's answer for a service localvpc serves, reached through the proxy).
pub(crate) async fn handle(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    handle_checked(state, req, |_, _, _| None).await
}

/// [`handle`], with `check` asked first about each AWS request: what may refuse it before
/// its service runs (the data plane's endpoint policies), as the error (put in the
/// service's envelope) and the code `x-localvpc-blocked` names.
pub(crate) async fn handle_checked(
    state: &State,
    req: Request<Incoming>,
    check: impl Fn(Service, &RequestCtx, &AwsRequest<'_>) -> Option<(ApiError, &'static str)>,
) -> Response<Full<Bytes>> {
    let request_id = request_id();
    let (parts, body) = req.into_parts();
    let route = Route::of(state, &parts.method, &parts.uri, &parts.headers);
    let limit = route.body_limit();
    let body = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let code = if limit == MAX_S3_BODY {
                "EntityTooLarge"
            } else {
                "RequestEntityTooLarge"
            };
            let e = ApiError::new(
                413,
                code,
                format!("Request body exceeds the {limit}-byte limit"),
            );
            return render(route.error_response(&e, &request_id), &request_id);
        }
    };
    let response = match route {
        Route::Health => {
            let mut services = serde_json::Map::new();
            for service in Service::ALL {
                services.insert(service.signing_name().to_owned(), "running".into());
            }
            services.insert("dns".to_owned(), state.dns.status().into());
            let health = serde_json::json!({
                "status": "ready",
                "services": services,
                "dns_views_without_listener": state.dns.views_without_listener(),
                "proxy": state.proxy_address().map(|a| a.to_string()),
            });
            json(200, &health.to_string())
        }
        Route::DnsListeners => {
            let listeners = state.dns.listeners().await;
            json(
                200,
                &serde_json::to_string(&listeners).unwrap_or_else(|_| "[]".to_owned()),
            )
        }
        Route::DnsQueryLogs => json(
            200,
            &serde_json::to_string(&state.dns.query_logs()).unwrap_or_else(|_| "{}".to_owned()),
        ),
        Route::DnsExplain => {
            let (status, body) = state.dns.explain(&body).await;
            json(status, &body)
        }
        Route::Trace => {
            let (status, body) = crate::trace::trace(state, &body).await;
            json(status, &body)
        }
        Route::OpenSession => {
            let (status, body) = crate::dataplane::open_session(state, &body);
            json(status, &body)
        }
        Route::CertificateAuthority => ApiResponse {
            status: 200,
            content_type: "application/x-pem-file",
            body: state.authority.certificate_pem().to_owned(),
            headers: Vec::new(),
        },
        Route::Flows { instance, limit } => {
            let flows = state.flows.recent(instance.as_deref(), limit);
            json(200, &serde_json::json!({ "flows": flows }).to_string())
        }
        Route::SessionLease(id) => {
            let (status, body) = crate::lease::hold(state, &id).await;
            json(status, &body)
        }
        Route::CloseSession(id) => {
            let (status, body) = crate::dataplane::close_session(state, &id);
            json(status, &body)
        }
        Route::AddMapping => {
            let (status, body) = crate::mapping::add(state, &body);
            json(status, &body)
        }
        Route::ListMappings => {
            let (status, body) = crate::mapping::list(state);
            json(status, &body)
        }
        Route::RemoveMapping(socket) => {
            let (status, body) = crate::mapping::remove(state, &socket);
            json(status, &body)
        }
        Route::Reset => reset(state, &request_id).await,
        Route::Aws {
            service,
            account,
            region,
            host_bucket,
        } => {
            let target = parts
                .headers
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            // A virtual-hosted S3 request as the check sees it: in path style.
            let path_style = host_bucket
                .as_deref()
                .map(|bucket| format!("/{bucket}{}", parts.uri.path()));
            let request = AwsRequest {
                method: parts.method.as_str(),
                path: path_style.as_deref().unwrap_or(parts.uri.path()),
                query: parts.uri.query().unwrap_or_default(),
                target,
                body: &body,
            };
            match service {
                Ok(service) => {
                    let ctx = service.context(account, &region, &request_id);
                    match check(service, &ctx, &request) {
                        Some((e, blocker)) => {
                            let mut refused = service.protocol().error_response(&e, &request_id);
                            refused
                                .headers
                                .push(("x-localvpc-blocked", blocker.to_owned()));
                            refused
                        }
                        None if service == Service::S3 => {
                            let request = S3Request {
                                method: parts.method.as_str(),
                                path: parts.uri.path(),
                                query: parts.uri.query().unwrap_or_default(),
                                headers: &parts.headers,
                                body: &body,
                                host_bucket: host_bucket.as_deref(),
                            };
                            let answer =
                                localvpc_api::s3::handle(state, &*state.blobs, &ctx, &request)
                                    .await;
                            return render_s3(answer, &request_id);
                        }
                        None => service.handle(state, &ctx, &request).await,
                    }
                }
                Err(name) => unknown_service(&name, &request_id),
            }
        }
        Route::NotFound => json(404, r#"{"error":"no such localvpc endpoint"}"#),
    };
    render(response, &request_id)
}

enum Route {
    Health,
    DnsListeners,
    DnsExplain,
    DnsQueryLogs,
    Trace,
    OpenSession,
    CloseSession(String),
    /// `GET /_localvpc/flows?instance=i-…&limit=N`.
    Flows {
        instance: Option<String>,
        limit: usize,
    },
    SessionLease(String),
    CertificateAuthority,
    AddMapping,
    ListMappings,
    RemoveMapping(String),
    Reset,
    /// An AWS request: the service its credential scope names (or that name, when localvpc
    /// does not serve it), the account its access key maps to and the region it signed for.
    Aws {
        service: Result<Service, String>,
        account: AccountId,
        region: String,
        /// The bucket a virtual-hosted-style S3 `Host` names (`BUCKET.s3.…`).
        host_bucket: Option<String>,
    },
    NotFound,
}

impl Route {
    fn of(state: &State, method: &Method, uri: &http::Uri, headers: &HeaderMap) -> Self {
        match (method, uri.path()) {
            (&Method::GET, "/_localvpc/health") => return Self::Health,
            (&Method::GET, "/_localvpc/dns/listeners") => return Self::DnsListeners,
            (&Method::POST, "/_localvpc/dns/explain") => return Self::DnsExplain,
            (&Method::GET, "/_localvpc/dns/query-logs") => return Self::DnsQueryLogs,
            (&Method::POST, "/_localvpc/trace") => return Self::Trace,
            (&Method::POST, "/_localvpc/sessions") => return Self::OpenSession,
            (&Method::GET, "/_localvpc/ca") => return Self::CertificateAuthority,
            (&Method::GET, "/_localvpc/flows") => {
                let query = QueryParams::parse(uri.query().unwrap_or_default().as_bytes());
                return Self::Flows {
                    instance: query.get("instance").map(str::to_owned),
                    limit: query
                        .get("limit")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(100),
                };
            }
            (&Method::GET, p) if p.starts_with("/_localvpc/sessions/") && p.ends_with("/lease") => {
                let id = p
                    .trim_start_matches("/_localvpc/sessions/")
                    .trim_end_matches("/lease");
                return Self::SessionLease(id.to_owned());
            }
            (&Method::DELETE, p) if p.starts_with("/_localvpc/sessions/") => {
                let id = p.trim_start_matches("/_localvpc/sessions/");
                return Self::CloseSession(id.to_owned());
            }
            (&Method::POST, "/_localvpc/map-ip") => return Self::AddMapping,
            (&Method::GET, "/_localvpc/map-ip") => return Self::ListMappings,
            (&Method::DELETE, p) if p.starts_with("/_localvpc/map-ip/") => {
                let socket = p.trim_start_matches("/_localvpc/map-ip/");
                return Self::RemoveMapping(socket.to_owned());
            }
            (&Method::POST, "/_localvpc/reset" | "/moto-api/reset") => return Self::Reset,
            (_, p) if p.starts_with("/_localvpc/") => return Self::NotFound,
            _ => {}
        }
        let credential = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(CredentialScope::from_authorization)
            .or_else(|| {
                let query = QueryParams::parse(uri.query().unwrap_or_default().as_bytes());
                query
                    .get("X-Amz-Credential")
                    .and_then(CredentialScope::from_credential)
            });
        let host_bucket = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| uri.host())
            .and_then(s3_host_bucket);
        match credential {
            Some(c) => Self::Aws {
                service: Service::from_signing_name(&c.service).ok_or(c.service),
                account: state.config.account_for(&c.access_key_id),
                region: c.region,
                host_bucket,
            },
            // S3's signature version 2 (`Authorization: AWS KEY:…`, or a presigned URL's
            // `AWSAccessKeyId`/`Signature` without an `Action`, what `aws s3 presign` of
            // CLI v1 writes): S3 in the key's account and the default region.
            None => match s3_v2_access_key(uri, headers) {
                Some(key) => Self::Aws {
                    service: Ok(Service::S3),
                    account: state.config.account_for(&key),
                    region: state.config.default_region.clone(),
                    host_bucket,
                },
                // Unsigned requests (curl) are EC2 in the default account and region, unless
                // the Host is S3's (a bucket's name, or S3's own, as the data plane carries
                // them: docs/aws-choices.md).
                None => Self::Aws {
                    service: Ok(
                        if host_bucket.is_some()
                            || headers
                                .get(header::HOST)
                                .and_then(|v| v.to_str().ok())
                                .is_some_and(is_s3_service_host)
                        {
                            Service::S3
                        } else {
                            Service::Ec2
                        },
                    ),
                    account: AccountId::default_account(),
                    region: state.config.default_region.clone(),
                    host_bucket,
                },
            },
        }
    }

    /// How much of the body is read: S3 carries objects.
    fn body_limit(&self) -> usize {
        match self {
            Self::Aws {
                service: Ok(Service::S3),
                ..
            } => MAX_S3_BODY,
            _ => MAX_BODY,
        }
    }

    fn error_response(&self, e: &ApiError, request_id: &str) -> ApiResponse {
        let protocol = match self {
            Self::Aws {
                service: Ok(service),
                ..
            } => service.protocol(),
            _ => Protocol::AwsQuery,
        };
        protocol.error_response(e, request_id)
    }
}

/// The access key of an S3 signature-version-2 request, if it is one.
fn s3_v2_access_key(uri: &http::Uri, headers: &HeaderMap) -> Option<String> {
    if let Some(key) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("AWS "))
        .and_then(|v| v.split_once(':'))
        .map(|(key, _)| key.to_owned())
    {
        return Some(key);
    }
    let query = QueryParams::parse(uri.query().unwrap_or_default().as_bytes());
    let key = query.get("AWSAccessKeyId")?;
    (query.get("Signature").is_some() && query.get("Action").is_none()).then(|| key.to_owned())
}

/// The bucket a virtual-hosted-style S3 host names: `BUCKET.s3.<region>.amazonaws.com`,
/// `BUCKET.s3.amazonaws.com`, `BUCKET.s3-<region>.amazonaws.com`, `BUCKET.s3.localhost…`.
/// An interface endpoint's names (`bucket.vpce-….s3.<region>.vpce.amazonaws.com`) are
/// path-style: their first label is the literal `bucket`.
fn s3_host_bucket(host: &str) -> Option<String> {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.to_ascii_lowercase();
    let at = host.rfind(".s3.").or_else(|| host.rfind(".s3-"))?;
    let bucket = host.get(..at)?;
    if bucket.is_empty() || bucket.contains("vpce-") {
        return None;
    }
    Some(bucket.to_owned())
}

/// S3's own names without a bucket: `s3.amazonaws.com`, `s3.<region>.amazonaws.com`,
/// `s3-<region>.amazonaws.com` (a port allowed).
fn is_s3_service_host(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    host.strip_suffix(".amazonaws.com")
        .and_then(|rest| rest.split('.').next())
        .is_some_and(|first| first == "s3" || first.starts_with("s3-"))
}

/// An S3 answer on the wire: its own headers and bytes.
fn render_s3(r: S3Response, request_id: &str) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Full::new(r.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(request_id) {
        headers.insert("x-amz-request-id", v.clone());
        headers.insert("x-amz-id-2", v);
    }
    for (name, value) in r.headers {
        if let (Ok(n), Ok(v)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            header::HeaderValue::from_str(&value),
        ) {
            headers.insert(n, v);
        }
    }
    response
}

fn unknown_service(name: &str, request_id: &str) -> ApiResponse {
    let served: Vec<&str> = Service::ALL.iter().map(|s| s.signing_name()).collect();
    let e = ApiError::new(
        400,
        "InvalidAction",
        format!(
            "localvpc does not serve the AWS service `{name}` (it serves: {})",
            served.join(", ")
        ),
    );
    Protocol::AwsQuery.error_response(&e, request_id)
}

async fn reset(state: &State, request_id: &str) -> ApiResponse {
    // Reset is not scoped; the writer needs some scope for its context.
    let scope = Scope::new(
        AccountId::default_account(),
        state.config.default_region.clone(),
    );
    match state.execute(scope, Command::Reset).await {
        Ok(_) => json(200, r#"{"reset":true}"#),
        Err(e) => {
            let e = ApiError::from(e);
            tracing::error!(request_id, error = %e.message, "reset failed");
            json(500, r#"{"reset":false}"#)
        }
    }
}

fn json(status: u16, body: &str) -> ApiResponse {
    ApiResponse {
        status,
        content_type: "application/json",
        body: body.to_owned(),
        headers: Vec::new(),
    }
}

fn render(r: ApiResponse, request_id: &str) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Full::new(Bytes::from(r.body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(r.content_type),
    );
    if let Ok(v) = header::HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", v.clone());
        // Route 53 names it x-amz-request-id.
        headers.insert("x-amz-request-id", v);
    }
    for (name, value) in r.headers {
        if let Ok(v) = header::HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}

/// A UUID-shaped request id, as AWS returns.
fn request_id() -> String {
    let n = fastrand::u128(..);
    let h = format!("{n:032x}");
    let part = |a: usize, b: usize| h.get(a..b).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    )
}
