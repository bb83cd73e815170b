//! The instance metadata service a `localvpc exec` session reaches at `169.254.169.254`
//! (through its proxy): IMDSv2 tokens and IMDSv1, the instance's identity, placement,
//! addresses and interfaces, the identity document, and temporary credentials of its
//! instance profile's role — so an SDK with no keys of its own acts as the instance, as on
//! EC2. Paths and shapes follow the EC2 user guide's "Instance metadata categories".

use crate::state::State;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use localvpc_api::Backend as _;
use localvpc_api::sts::TemporaryCredentials;
use localvpc_model::{Instance, InstanceId, InstanceState, NetworkInterface, SecurityGroup};
use localvpc_proxy::Session;
use localvpc_wire::time::iso8601_millis;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// The metadata service's address.
pub(crate) const IMDS_ADDRESS: &str = "169.254.169.254";

/// How long role credentials stay valid (EC2 rotates them well before six hours).
const CREDENTIAL_SECONDS: u64 = 6 * 3600;

/// IMDSv2 session tokens: token → (session id, expiry in epoch milliseconds).
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    issued: Mutex<HashMap<String, (String, u64)>>,
}

impl Tokens {
    fn issue(&self, session: &str, ttl_seconds: u64, now: u64) -> String {
        let token: String = (0..56).map(|_| fastrand::alphanumeric()).collect();
        let mut issued = self.issued.lock().unwrap_or_else(PoisonError::into_inner);
        issued.retain(|_, (_, expires)| *expires > now);
        issued.insert(
            token.clone(),
            (session.to_owned(), now.saturating_add(ttl_seconds * 1000)),
        );
        token
    }

    fn valid(&self, token: &str, session: &str, now: u64) -> bool {
        let issued = self.issued.lock().unwrap_or_else(PoisonError::into_inner);
        issued
            .get(token)
            .is_some_and(|(owner, expires)| owner == session && *expires > now)
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.into())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn not_found() -> Response<Full<Bytes>> {
    text(StatusCode::NOT_FOUND, "Not Found")
}

/// Answers one metadata request of `session`'s instance.
pub(crate) fn answer(
    state: &State,
    session: &Session,
    req: &Request<Incoming>,
) -> Response<Full<Bytes>> {
    let now = state.now().0;
    let path = req.uri().path();
    if path == "/latest/api/token" {
        if req.method() != Method::PUT {
            return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
        }
        let ttl = req
            .headers()
            .get("x-aws-ec2-metadata-token-ttl-seconds")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        return match ttl {
            Some(ttl) if (1..=21_600).contains(&ttl) => {
                let mut r = text(
                    StatusCode::OK,
                    state.imds_tokens.issue(&session.id, ttl, now),
                );
                if let Ok(v) = ttl.to_string().parse() {
                    r.headers_mut()
                        .insert("x-aws-ec2-metadata-token-ttl-seconds", v);
                }
                r
            }
            _ => text(StatusCode::BAD_REQUEST, "Bad Request"),
        };
    }
    // IMDSv1 stays on (HttpTokens optional, EC2's default); a token given must be valid.
    if let Some(token) = req.headers().get("x-aws-ec2-metadata-token") {
        let token = token.to_str().unwrap_or_default();
        if !state.imds_tokens.valid(token, &session.id, now) {
            return text(StatusCode::UNAUTHORIZED, "Unauthorized");
        }
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let model = state.snapshot();
    let Some(instance) = InstanceId::parse(&session.instance)
        .ok()
        .and_then(|id| model.any::<Instance>(&id))
    else {
        return not_found();
    };
    if instance.state != InstanceState::Running {
        return not_found();
    }
    let interface = model.any::<NetworkInterface>(&instance.primary_interface);
    let groups: Vec<&SecurityGroup> = interface
        .map(|e| {
            e.groups
                .iter()
                .filter_map(|g| model.any::<SecurityGroup>(g))
                .collect()
        })
        .unwrap_or_default();
    let mac = interface.map(|e| e.mac_address.clone()).unwrap_or_default();
    let role = instance.role_name();
    let value = |v: &str| Some(v.to_owned());
    let body: Option<String> = match path.trim_end_matches('/') {
        "/latest" => value("dynamic\nmeta-data"),
        "/latest/meta-data" => {
            let mut items = vec![
                "ami-id",
                "hostname",
                "instance-id",
                "instance-type",
                "local-hostname",
                "local-ipv4",
                "mac",
                "network/",
                "placement/",
                "security-groups",
            ];
            if role.is_some() {
                items.push("iam/");
            }
            if instance.public_ip.is_some() {
                items.push("public-ipv4");
            }
            items.sort_unstable();
            Some(items.join("\n"))
        }
        "/latest/meta-data/ami-id" => value(&instance.image_id),
        "/latest/meta-data/instance-id" => value(instance.id.as_str()),
        "/latest/meta-data/instance-type" => value(&instance.instance_type),
        "/latest/meta-data/hostname" | "/latest/meta-data/local-hostname" => {
            value(&instance.private_dns_name())
        }
        "/latest/meta-data/local-ipv4" => value(&instance.private_ip.to_string()),
        "/latest/meta-data/public-ipv4" => instance.public_ip.map(|ip| ip.to_string()),
        "/latest/meta-data/mac" => value(&mac),
        "/latest/meta-data/security-groups" => Some(
            groups
                .iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        "/latest/meta-data/placement" => value("availability-zone\nregion"),
        "/latest/meta-data/placement/availability-zone" => value(&instance.availability_zone),
        "/latest/meta-data/placement/region" => value(&instance.scope.region),
        "/latest/meta-data/network" => value("interfaces/"),
        "/latest/meta-data/network/interfaces" => value("macs/"),
        "/latest/meta-data/network/interfaces/macs" => Some(format!("{mac}/")),
        p if p.starts_with("/latest/meta-data/network/interfaces/macs/") => {
            let rest = p.trim_start_matches("/latest/meta-data/network/interfaces/macs/");
            let (which, field) = rest.split_once('/').unwrap_or((rest, ""));
            match (interface, which == mac, field) {
                (Some(_), true, "") => {
                    value("interface-id\nlocal-ipv4s\nmac\nsecurity-group-ids\nsubnet-id\nvpc-id")
                }
                (Some(e), true, "interface-id") => value(e.id.as_str()),
                (Some(e), true, "local-ipv4s") => Some(
                    e.addresses()
                        .map(|ip| ip.to_string())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                (Some(e), true, "mac") => value(&e.mac_address),
                (Some(e), true, "security-group-ids") => Some(
                    e.groups
                        .iter()
                        .map(|g| g.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                (Some(e), true, "subnet-id") => value(e.subnet_id.as_str()),
                (Some(e), true, "vpc-id") => value(e.vpc_id.as_str()),
                _ => None,
            }
        }
        "/latest/meta-data/iam" => role.map(|_| "info\nsecurity-credentials/".to_owned()),
        "/latest/meta-data/iam/info" => instance.iam_instance_profile.as_ref().map(|arn| {
            json!({
                "Code": "Success",
                "LastUpdated": iso8601_seconds(now),
                "InstanceProfileArn": arn,
                "InstanceProfileId": localvpc_api::ec2::instance_profile_id(arn),
            })
            .to_string()
        }),
        "/latest/meta-data/iam/security-credentials" => role.map(str::to_owned),
        p if p.starts_with("/latest/meta-data/iam/security-credentials/") => {
            let asked = p.trim_start_matches("/latest/meta-data/iam/security-credentials/");
            role.filter(|r| *r == asked).map(|_| {
                let c =
                    TemporaryCredentials::mint(&instance.scope.account, CREDENTIAL_SECONDS, now);
                json!({
                    "Code": "Success",
                    "LastUpdated": iso8601_seconds(now),
                    "Type": "AWS-HMAC",
                    "AccessKeyId": c.access_key_id,
                    "SecretAccessKey": c.secret_access_key,
                    "Token": c.session_token,
                    "Expiration": c.expiration,
                })
                .to_string()
            })
        }
        "/latest/dynamic" => value("instance-identity/"),
        "/latest/dynamic/instance-identity" => value("document"),
        "/latest/dynamic/instance-identity/document" => Some(
            serde_json::to_string_pretty(&json!({
                "accountId": instance.scope.account.as_str(),
                "architecture": "x86_64",
                "availabilityZone": instance.availability_zone,
                "billingProducts": null,
                "devpayProductCodes": null,
                "marketplaceProductCodes": null,
                "imageId": instance.image_id,
                "instanceId": instance.id.as_str(),
                "instanceType": instance.instance_type,
                "kernelId": null,
                "pendingTime": iso8601_seconds(instance.launched.0),
                "privateIp": instance.private_ip.to_string(),
                "ramdiskId": null,
                "region": instance.scope.region,
                "version": "2017-09-30",
            }))
            .unwrap_or_default(),
        ),
        _ => None,
    };
    body.map_or_else(not_found, |b| text(StatusCode::OK, b))
}

/// `2026-12-07T21:00:00Z` (IMDS writes seconds, not milliseconds).
fn iso8601_seconds(epoch_millis: u64) -> String {
    let millis = iso8601_millis(epoch_millis);
    match millis.split_once('.') {
        Some((seconds, _)) => format!("{seconds}Z"),
        None => millis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_belong_to_their_session_and_expire() {
        let tokens = Tokens::default();
        let t = tokens.issue("s-1", 60, 1_000);
        assert!(tokens.valid(&t, "s-1", 1_000));
        assert!(!tokens.valid(&t, "s-2", 1_000), "another session's token");
        assert!(!tokens.valid(&t, "s-1", 61_000), "expired");
        assert!(!tokens.valid("nope", "s-1", 1_000));
    }

    #[test]
    fn times_are_written_to_the_second() {
        assert_eq!(iso8601_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_seconds(1_500), "1970-01-01T00:00:01Z");
    }
}
