//! Amazon Route 53 (REST-XML, `2013-04-01`): hosted zones, their VPC associations and
//! records (docs/aws-semantics.md §6, §10.2). Routes are method + path under `/2013-04-01/`; request bodies
//! are XML documents, responses carry the Route 53 namespace.

use crate::{ApiError, ApiResponse, AwsRequest, Backend, RequestCtx};
use localvpc_model::Tags;
use localvpc_model::route53::record::{AliasTarget, GeoLocation, RecordSet, Routing};
use localvpc_model::route53::{
    ChangeAction, ChangeId, CreateHostedZone, HostedZone, HostedZoneChange, HostedZoneId,
    RecordChange, Route53Command, Route53ErrorCode, ZoneVpc, invalid_vpc_id, name,
};
use localvpc_model::{Command, FromOutcome, Model, ModelError, Scope, Vpc, VpcId};
use localvpc_wire::query::QueryParams;
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;
use localvpc_wire::xml_doc::{Element, parse_document};
use std::borrow::Cow;
use std::sync::Arc;

mod delegation_set;
mod health_check;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod vpc_association_tests;

pub const VERSION: &str = "2013-04-01";
pub const NAMESPACE: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

type Reply = Result<ApiResponse, ApiError>;

/// Serves one Route 53 request. Zones are the caller's account's, stored under
/// [`ROUTE53_REGION`] whatever region the client signed for.
pub(crate) async fn serve<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    request: &AwsRequest<'_>,
) -> Result<ApiResponse, ApiError> {
    let op = Op {
        backend,
        ctx,
        request,
        query: QueryParams::parse(request.query.as_bytes()),
    };
    op.route().await
}

/// `<ErrorResponse xmlns=…><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
pub(crate) fn error_response(e: &ApiError, request_id: &str) -> ApiResponse {
    let mut w = XmlWriter::new();
    w.node("Error", |w| {
        w.leaf("Type", if e.status < 500 { "Sender" } else { "Receiver" })
            .leaf("Code", &e.code)
            .leaf("Message", &e.message);
    })
    .leaf("RequestId", request_id);
    ApiResponse::xml(e.status, document("ErrorResponse", w.finish()))
}

/// `<?xml …?><root xmlns="…2013-04-01/">inner</root>`.
fn document(root: &str, inner: String) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{NAMESPACE}\">{inner}</{root}>"
    )
}

/// A Route 53 refusal met while reading the request; its status comes with the code.
fn r53(code: Route53ErrorCode, message: impl Into<String>) -> ApiError {
    ModelError::Route53 {
        code,
        message: message.into(),
    }
    .into()
}

fn invalid_input(message: impl Into<String>) -> ApiError {
    r53(Route53ErrorCode::InvalidInput, message)
}

struct Op<'a, B> {
    backend: &'a B,
    ctx: &'a RequestCtx,
    request: &'a AwsRequest<'a>,
    query: QueryParams,
}

impl<B: Backend> Op<'_, B> {
    async fn route(&self) -> Reply {
        let path = self
            .request
            .path
            .strip_prefix(&format!("/{VERSION}/"))
            .ok_or_else(|| self.unknown_route())?;
        // Ids arrive percent-encoded when a client sends the `/hostedzone/Z…` form; decoded
        // here, a message names them as the user wrote them.
        let decoded: Vec<Cow<'_, str>> = path
            .trim_end_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        let segments: Vec<&str> = decoded.iter().map(AsRef::as_ref).collect();
        match (self.request.method, segments.as_slice()) {
            ("POST", ["hostedzone"]) => self.create_hosted_zone().await,
            ("GET", ["hostedzone"]) => self.list_hosted_zones(),
            ("GET", ["hostedzonesbyname"]) => self.list_hosted_zones_by_name(),
            ("GET", ["hostedzonesbyvpc"]) => self.list_hosted_zones_by_vpc(),
            ("GET", ["hostedzonecount"]) => {
                let count = self
                    .snapshot()
                    .hosted_zones_of(&self.ctx.scope.account)
                    .count();
                self.ok("GetHostedZoneCountResponse", |w| {
                    w.num("HostedZoneCount", count);
                })
            }
            ("GET", ["hostedzone", id]) => self.get_hosted_zone(id),
            ("POST", ["hostedzone", id]) => self.update_comment(id).await,
            ("DELETE", ["hostedzone", id]) => {
                let id = zone_id(id)?;
                let change = self
                    .run_as::<HostedZoneChange>(Route53Command::DeleteHostedZone(id))
                    .await?;
                self.ok("DeleteHostedZoneResponse", |w| {
                    write_change(w, &change, true)
                })
            }
            ("POST", ["hostedzone", id, "rrset"]) => self.change_record_sets(id).await,
            ("GET", ["hostedzone", id, "rrset"]) => self.list_record_sets(id),
            ("POST", ["hostedzone", id, "associatevpc"]) => {
                self.vpc_change(id, true, "AssociateVPCWithHostedZoneResponse")
                    .await
            }
            ("POST", ["hostedzone", id, "disassociatevpc"]) => {
                self.vpc_change(id, false, "DisassociateVPCFromHostedZoneResponse")
                    .await
            }
            ("POST", ["hostedzone", id, "authorizevpcassociation"]) => {
                self.authorization(id, true).await
            }
            ("POST", ["hostedzone", id, "deauthorizevpcassociation"]) => {
                self.authorization(id, false).await
            }
            ("GET", ["hostedzone", id, "authorizevpcassociation"]) => self.list_authorizations(id),
            ("GET", ["hostedzone", id, "dnssec"]) => {
                let id = zone_id(id)?;
                self.snapshot()
                    .hosted_zone(&self.ctx.scope, &id)
                    .map_err(ApiError::from)?;
                self.ok("GetDNSSECResponse", |w| {
                    w.node("Status", |w| {
                        w.leaf("ServeSignature", "NOT_SIGNING");
                    })
                    .leaf("KeySigningKeys", "");
                })
            }
            ("GET", ["change", id]) => {
                let id = ChangeId::parse(id).map_err(ApiError::from)?;
                let model = self.snapshot();
                let change = model.hosted_zone_change(&id).map_err(ApiError::from)?;
                self.ok("GetChangeResponse", |w| write_change(w, change, false))
            }
            ("POST", ["healthcheck"]) => self.create_health_check().await,
            ("GET", ["healthcheck"]) => self.list_health_checks(),
            ("GET", ["healthcheckcount"]) => self.health_check_count(),
            ("GET", ["healthcheck", id]) => self.get_health_check(id),
            ("POST", ["healthcheck", id]) => self.update_health_check(id).await,
            ("DELETE", ["healthcheck", id]) => self.delete_health_check(id).await,
            ("GET", ["healthcheck", id, "status"]) => self.health_check_status(id, false),
            ("GET", ["healthcheck", id, "lastfailurereason"]) => self.health_check_status(id, true),
            ("POST", ["delegationset"]) => self.create_delegation_set().await,
            ("GET", ["delegationset"]) => self.list_delegation_sets(),
            ("GET", ["delegationset", id]) => self.get_delegation_set(id),
            ("DELETE", ["delegationset", id]) => self.delete_delegation_set(id).await,
            ("GET", ["reusabledelegationsetlimit", id, limit]) => {
                self.delegation_set_limit(id, limit)
            }
            ("GET", ["tags", kind, id]) => self.list_tags(kind, id),
            ("POST", ["tags", kind, id]) => self.change_tags(kind, id).await,
            ("POST", ["tags", kind]) => self.list_tags_for_resources(kind),
            _ => Err(self.unknown_route()),
        }
    }

    fn unknown_route(&self) -> ApiError {
        invalid_input(format!(
            "localvpc does not serve the Route 53 request {} {}",
            self.request.method, self.request.path
        ))
    }

    fn snapshot(&self) -> Arc<Model> {
        self.backend.snapshot()
    }

    fn ok(&self, root: &str, body: impl FnOnce(&mut XmlWriter)) -> Reply {
        let mut w = XmlWriter::new();
        body(&mut w);
        Ok(ApiResponse::xml(200, document(root, w.finish())))
    }

    /// The request body's root element, which must be `root`.
    fn body(&self, root: &str) -> Result<Element, ApiError> {
        let element = parse_document(self.request.body)
            .map_err(|e| invalid_input(format!("Could not parse the request body: {}", e.0)))?;
        if element.name != root {
            return Err(invalid_input(format!(
                "Expected the request element {root}, found {}",
                element.name
            )));
        }
        Ok(element)
    }

    async fn ensure_scope(&self) -> Result<(), ApiError> {
        crate::service::ensure_scope(self.backend, &self.ctx.scope).await
    }

    /// Runs a command and takes its typed result.
    async fn run_as<T: FromOutcome>(&self, command: Route53Command) -> Result<T, ApiError> {
        self.ensure_scope().await?;
        crate::execute_as(self.backend, &self.ctx.scope, Command::Route53(command)).await
    }

    /// Runs a command whose answer carries nothing the response needs.
    async fn run(&self, command: Route53Command) -> Result<(), ApiError> {
        self.ensure_scope().await?;
        self.backend
            .execute(self.ctx.scope.clone(), Command::Route53(command))
            .await?;
        Ok(())
    }

    fn max_items(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.query.get(name) {
            None => Ok(default),
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n.min(max)),
                _ => Err(invalid_input(format!(
                    "1 validation error detected: Value '{raw}' at '{name}' failed to satisfy constraint: Member must be a positive integer"
                ))),
            },
        }
    }

    async fn create_hosted_zone(&self) -> Reply {
        let body = self.body("CreateHostedZoneRequest")?;
        let name = required(&body, "Name")?;
        let caller_reference = required(&body, "CallerReference")?;
        let config = body.child("HostedZoneConfig");
        let comment = config.and_then(|c| c.text_of("Comment")).map(str::to_owned);
        let private_flag = config
            .and_then(|c| c.text_of("PrivateZone"))
            .map(|v| parse_bool(v, "PrivateZone"))
            .transpose()?;
        let vpc = body
            .child("VPC")
            .map(|v| parse_vpc(v, &self.ctx.signed_region))
            .transpose()?;
        let delegation_set_id = body
            .text_of("DelegationSetId")
            .map(delegation_set::delegation_set_id)
            .transpose()?;
        let (zone, change): (Box<HostedZone>, HostedZoneChange) = self
            .run_as(Route53Command::CreateHostedZone(CreateHostedZone {
                name: name.to_owned(),
                caller_reference: caller_reference.to_owned(),
                comment,
                private_flag,
                vpc: vpc.clone(),
                delegation_set_id,
            }))
            .await?;
        let mut w = XmlWriter::new();
        write_zone(&mut w, &zone);
        write_change(&mut w, &change, true);
        if zone.private {
            if let Some(v) = &vpc {
                w.node("VPC", |w| write_vpc(w, v));
            }
        } else {
            write_delegation_set(&mut w, &zone);
        }
        let mut response = ApiResponse::xml(201, document("CreateHostedZoneResponse", w.finish()));
        response.headers.push((
            "location",
            format!("https://route53.amazonaws.com/{VERSION}{}", zone.id.path()),
        ));
        Ok(response)
    }

    fn get_hosted_zone(&self, id: &str) -> Reply {
        let id = zone_id(id)?;
        let model = self.snapshot();
        let zone = model
            .hosted_zone(&self.ctx.scope, &id)
            .map_err(ApiError::from)?;
        self.ok("GetHostedZoneResponse", |w| {
            write_zone(w, zone);
            if zone.private {
                w.wrapped("VPCs", "VPC", &zone.vpcs, write_vpc);
            } else {
                write_delegation_set(w, zone);
            }
        })
    }

    async fn update_comment(&self, id: &str) -> Reply {
        let id = zone_id(id)?;
        let body = self.body("UpdateHostedZoneCommentRequest")?;
        let comment = body.text_of("Comment").map(str::to_owned);
        let (zone, _): (Box<HostedZone>, HostedZoneChange) = self
            .run_as(Route53Command::UpdateHostedZoneComment(id, comment))
            .await?;
        self.ok("UpdateHostedZoneCommentResponse", |w| write_zone(w, &zone))
    }

    fn list_hosted_zones(&self) -> Reply {
        let max = self.max_items("maxitems", 100, 100)?;
        let model = self.snapshot();
        let only_private = match self.query.get("hostedzonetype") {
            None => false,
            Some("PrivateHostedZone") => true,
            Some(other) => {
                return Err(invalid_input(format!(
                    "1 validation error detected: Value '{other}' at 'hostedZoneType' failed to satisfy constraint: Member must satisfy enum value set: [PrivateHostedZone]"
                )));
            }
        };
        let marker = self.query.get("marker");
        let set = self
            .query
            .get("delegationsetid")
            .map(delegation_set::delegation_set_id)
            .transpose()?;
        if let Some(set) = &set {
            model
                .delegation_set(&self.ctx.scope, set)
                .map_err(ApiError::from)?;
        }
        let mut zones: Vec<&HostedZone> = model
            .hosted_zones_of(&self.ctx.scope.account)
            .filter(|z| !only_private || z.private)
            .filter(|z| set.is_none() || z.delegation_set_id == set)
            .collect();
        if let Some(marker) = marker {
            let marker = zone_id(marker)?;
            zones.retain(|z| z.id >= marker);
        }
        let truncated = zones.len() > max;
        let next = zones.get(max).map(|z| z.id.as_str().to_owned());
        zones.truncate(max);
        self.ok("ListHostedZonesResponse", |w| {
            w.wrapped("HostedZones", "HostedZone", &zones, |w, z| {
                write_zone_fields(w, z)
            });
            w.leaf("Marker", marker.unwrap_or_default())
                .bool("IsTruncated", truncated)
                .leaf_opt("NextMarker", next.as_deref())
                .num("MaxItems", max);
        })
    }

    fn list_hosted_zones_by_name(&self) -> Reply {
        let max = self.max_items("maxitems", 100, 100)?;
        let model = self.snapshot();
        let dns_name = self
            .query
            .get("dnsname")
            .map(|n| name::canonical(n).map_err(|e| invalid_dns_name(n, e.describe())))
            .transpose()?;
        let start_id = self.query.get("hostedzoneid").map(zone_id).transpose()?;
        if start_id.is_some() && dns_name.is_none() {
            return Err(invalid_input(
                "The DNSName parameter is required when HostedZoneId is specified.",
            ));
        }
        let mut zones: Vec<&HostedZone> = model.hosted_zones_of(&self.ctx.scope.account).collect();
        zones.sort_by(|a, b| name::compare(&a.name, &b.name).then_with(|| a.id.cmp(&b.id)));
        if let Some(start) = &dns_name {
            let key = name::reversed_key(start);
            zones.retain(|z| {
                let k = name::reversed_key(&z.name);
                k > key || (k == key && start_id.as_ref().is_none_or(|id| &z.id >= id))
            });
        }
        let truncated = zones.len() > max;
        let next = zones
            .get(max)
            .map(|z| (z.name.clone(), z.id.as_str().to_owned()));
        zones.truncate(max);
        self.ok("ListHostedZonesByNameResponse", |w| {
            w.wrapped("HostedZones", "HostedZone", &zones, |w, z| {
                write_zone_fields(w, z)
            });
            w.leaf_opt("DNSName", dns_name.as_deref())
                .leaf_opt("HostedZoneId", start_id.as_ref().map(HostedZoneId::as_str))
                .bool("IsTruncated", truncated);
            if let Some((n, id)) = &next {
                w.leaf("NextDNSName", n).leaf("NextHostedZoneId", id);
            }
            w.num("MaxItems", max);
        })
    }

    fn list_hosted_zones_by_vpc(&self) -> Reply {
        let vpc_id = self
            .query
            .get("vpcid")
            .ok_or_else(|| invalid_input("The parameter VPCId is required."))?;
        let region = self
            .query
            .get("vpcregion")
            .ok_or_else(|| invalid_input("The parameter VPCRegion is required."))?;
        let max = self.max_items("maxitems", 100, 100)?;
        let vpc = ZoneVpc {
            region: region.to_owned(),
            vpc_id: VpcId::parse(vpc_id).map_err(|_| invalid_vpc(vpc_id))?,
        };
        let model = self.snapshot();
        let owned = model
            .get::<Vpc>(
                &Scope::new(self.ctx.scope.account.clone(), region),
                &vpc.vpc_id,
            )
            .is_ok();
        if !owned {
            return Err(invalid_vpc(vpc_id));
        }
        let mut zones: Vec<&HostedZone> = model.hosted_zones_for_vpc(&vpc).collect();
        if let Some(token) = self.query.get("nexttoken") {
            let start = HostedZoneId::parse(token).map_err(|_| {
                r53(
                    Route53ErrorCode::InvalidPaginationToken,
                    "The value that you specified for NextToken isn't valid.",
                )
            })?;
            zones.retain(|z| z.id >= start);
        }
        let next = zones.get(max).map(|z| z.id.as_str().to_owned());
        zones.truncate(max);
        self.ok("ListHostedZonesByVPCResponse", |w| {
            w.wrapped(
                "HostedZoneSummaries",
                "HostedZoneSummary",
                &zones,
                |w, z| {
                    w.leaf("HostedZoneId", z.id.as_str())
                        .leaf("Name", &z.name)
                        .node("Owner", |w| {
                            w.leaf("OwningAccount", z.owner().as_str());
                        });
                },
            );
            w.num("MaxItems", max)
                .leaf_opt("NextToken", next.as_deref());
        })
    }

    async fn vpc_change(&self, id: &str, associate: bool, root: &str) -> Reply {
        let id = zone_id(id)?;
        let request_root = if associate {
            "AssociateVPCWithHostedZoneRequest"
        } else {
            "DisassociateVPCFromHostedZoneRequest"
        };
        let body = self.body(request_root)?;
        let vpc = parse_vpc(
            body.child("VPC")
                .ok_or_else(|| invalid_input("The parameter VPC is required."))?,
            &self.ctx.signed_region,
        )?;
        let comment = body.text_of("Comment").map(str::to_owned);
        let command = if associate {
            Route53Command::AssociateVpc {
                zone: id,
                vpc,
                comment,
            }
        } else {
            Route53Command::DisassociateVpc {
                zone: id,
                vpc,
                comment,
            }
        };
        let change = self.run_as::<HostedZoneChange>(command).await?;
        self.ok(root, |w| write_change(w, &change, true))
    }

    async fn authorization(&self, id: &str, create: bool) -> Reply {
        let zone = zone_id(id)?;
        let (request_root, response_root) = if create {
            (
                "CreateVPCAssociationAuthorizationRequest",
                "CreateVPCAssociationAuthorizationResponse",
            )
        } else {
            (
                "DeleteVPCAssociationAuthorizationRequest",
                "DeleteVPCAssociationAuthorizationResponse",
            )
        };
        let body = self.body(request_root)?;
        let vpc = parse_vpc(
            body.child("VPC")
                .ok_or_else(|| invalid_input("The parameter VPC is required."))?,
            &self.ctx.signed_region,
        )?;
        let command = if create {
            Route53Command::CreateAuthorization {
                zone: zone.clone(),
                vpc: vpc.clone(),
            }
        } else {
            Route53Command::DeleteAuthorization {
                zone: zone.clone(),
                vpc: vpc.clone(),
            }
        };
        self.run(command).await?;
        self.ok(response_root, |w| {
            if create {
                w.leaf("HostedZoneId", zone.as_str())
                    .node("VPC", |w| write_vpc(w, &vpc));
            }
        })
    }

    fn list_authorizations(&self, id: &str) -> Reply {
        let id = zone_id(id)?;
        let model = self.snapshot();
        let zone = model
            .hosted_zone(&self.ctx.scope, &id)
            .map_err(ApiError::from)?;
        let max = self.max_items("maxresults", 50, 50)?;
        let start = match self.query.get("nexttoken") {
            None => 0,
            Some(t) => t.parse::<usize>().map_err(|_| {
                r53(
                    Route53ErrorCode::InvalidPaginationToken,
                    "The value that you specified for NextToken isn't valid.",
                )
            })?,
        };
        let page: Vec<&ZoneVpc> = zone.authorizations.iter().skip(start).take(max).collect();
        let next = (start + max < zone.authorizations.len()).then(|| (start + max).to_string());
        self.ok("ListVPCAssociationAuthorizationsResponse", |w| {
            w.leaf("HostedZoneId", zone.id.as_str())
                .leaf_opt("NextToken", next.as_deref())
                .wrapped("VPCs", "VPC", page, write_vpc);
        })
    }

    async fn change_record_sets(&self, id: &str) -> Reply {
        let id = zone_id(id)?;
        let body = self.body("ChangeResourceRecordSetsRequest")?;
        let batch = body
            .child("ChangeBatch")
            .ok_or_else(|| invalid_input("The parameter ChangeBatch is required."))?;
        let comment = batch.text_of("Comment").map(str::to_owned);
        let changes_node = batch
            .child("Changes")
            .ok_or_else(|| invalid_input("The parameter ChangeBatch.Changes is required."))?;
        let mut changes = Vec::new();
        for change in changes_node.children_named("Change") {
            let action = match change.text_of("Action") {
                Some("CREATE") => ChangeAction::Create,
                Some("DELETE") => ChangeAction::Delete,
                Some("UPSERT") => ChangeAction::Upsert,
                Some(other) => {
                    return Err(invalid_input(format!(
                        "Invalid XML ; cvc-enumeration-valid: Value '{other}' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'."
                    )));
                }
                None => return Err(invalid_input("The parameter Action is required.")),
            };
            let set = change
                .child("ResourceRecordSet")
                .ok_or_else(|| invalid_input("The parameter ResourceRecordSet is required."))?;
            changes.push(RecordChange {
                action,
                record: parse_record_set(set)?,
            });
        }
        let change = self
            .run_as::<HostedZoneChange>(Route53Command::ChangeRecordSets {
                zone: id,
                comment,
                changes,
            })
            .await?;
        self.ok("ChangeResourceRecordSetsResponse", |w| {
            write_change(w, &change, true)
        })
    }

    fn list_record_sets(&self, id: &str) -> Reply {
        let id = zone_id(id)?;
        let max = self.max_items("maxitems", 300, 300)?;
        let model = self.snapshot();
        let zone = model
            .hosted_zone(&self.ctx.scope, &id)
            .map_err(ApiError::from)?;
        let start_name = self
            .query
            .get("name")
            .map(|n| name::canonical(n).map_err(|e| invalid_dns_name(n, e.describe())))
            .transpose()?;
        let start_type = self.query.get("type");
        let start_identifier = self.query.get("identifier");
        if start_type.is_some() && start_name.is_none() {
            return Err(invalid_input("The input is not valid: type without name."));
        }
        if let Some(t) = start_type
            && !localvpc_model::route53::record::RECORD_TYPES.contains(&t)
        {
            return Err(invalid_input(format!(
                "1 validation error detected: Value '{t}' at 'startRecordType' failed to satisfy constraint: Member must satisfy enum value set"
            )));
        }
        let records: Vec<&RecordSet> = zone
            .records
            .iter()
            .map(AsRef::as_ref)
            .filter(|r| match &start_name {
                None => true,
                Some(n) => {
                    let order = name::compare(&r.name, n);
                    order.is_gt()
                        || (order.is_eq()
                            && start_type.is_none_or(|t| {
                                r.record_type.as_str() > t
                                    || (r.record_type == t
                                        && start_identifier.is_none_or(|i| {
                                            r.set_identifier.as_deref().unwrap_or_default() >= i
                                        }))
                            }))
                }
            })
            .collect();
        let next = records.get(max).copied();
        let page = records.get(..max.min(records.len())).unwrap_or_default();
        self.ok("ListResourceRecordSetsResponse", |w| {
            w.wrapped("ResourceRecordSets", "ResourceRecordSet", page, |w, r| {
                write_record_set(w, r);
            });
            w.bool("IsTruncated", next.is_some());
            if let Some(n) = next {
                w.leaf("NextRecordName", &n.name)
                    .leaf("NextRecordType", &n.record_type)
                    .leaf_opt("NextRecordIdentifier", n.set_identifier.as_deref());
            }
            w.num("MaxItems", max);
        })
    }

    fn tag_kind(kind: &str) -> Result<TagKind, ApiError> {
        match kind {
            "hostedzone" => Ok(TagKind::HostedZone),
            "healthcheck" => Ok(TagKind::HealthCheck),
            other => Err(invalid_input(format!(
                "1 validation error detected: Value '{other}' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [healthcheck, hostedzone]"
            ))),
        }
    }

    /// The tags of one resource of the caller's account, by its kind and id.
    fn tags_of<'m>(
        model: &'m Model,
        scope: &Scope,
        kind: TagKind,
        id: &str,
    ) -> Result<(String, &'m Tags), ApiError> {
        match kind {
            TagKind::HostedZone => {
                let zone = model
                    .hosted_zone(scope, &zone_id(id)?)
                    .map_err(ApiError::from)?;
                Ok((zone.id.as_str().to_owned(), &zone.tags))
            }
            TagKind::HealthCheck => {
                let id = health_check::health_check_id(id)?;
                let check = model.health_check(scope, &id).map_err(ApiError::from)?;
                Ok((check.id.as_str().to_owned(), &check.tags))
            }
        }
    }

    fn list_tags(&self, kind: &str, id: &str) -> Reply {
        let kind = Self::tag_kind(kind)?;
        let model = self.snapshot();
        let (id, tags) = Self::tags_of(&model, &self.ctx.scope, kind, id)?;
        self.ok("ListTagsForResourceResponse", |w| {
            w.node("ResourceTagSet", |w| write_tag_set(w, kind, &id, tags));
        })
    }

    fn list_tags_for_resources(&self, kind: &str) -> Reply {
        let kind = Self::tag_kind(kind)?;
        let body = self.body("ListTagsForResourcesRequest")?;
        let ids: Vec<String> = body
            .child("ResourceIds")
            .map(|r| {
                r.children_named("ResourceId")
                    .map(|e| e.text.trim().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        if ids.is_empty() || ids.len() > 10 {
            return Err(invalid_input(
                "1 validation error detected: Value at 'resourceIds' failed to satisfy constraint: Member must have length between 1 and 10",
            ));
        }
        let model = self.snapshot();
        let sets = ids
            .iter()
            .map(|id| Self::tags_of(&model, &self.ctx.scope, kind, id))
            .collect::<Result<Vec<_>, _>>()?;
        self.ok("ListTagsForResourcesResponse", |w| {
            w.wrapped(
                "ResourceTagSets",
                "ResourceTagSet",
                &sets,
                |w, (id, tags)| {
                    write_tag_set(w, kind, id, tags);
                },
            );
        })
    }

    async fn change_tags(&self, kind: &str, id: &str) -> Reply {
        let kind = Self::tag_kind(kind)?;
        let body = self.body("ChangeTagsForResourceRequest")?;
        let add = body
            .child("AddTags")
            .map(|t| {
                t.children_named("Tag")
                    .map(|tag| {
                        let key = tag
                            .text_of("Key")
                            .ok_or_else(|| invalid_input("A tag must have a Key."))?;
                        Ok((
                            key.to_owned(),
                            tag.text_of("Value").unwrap_or_default().to_owned(),
                        ))
                    })
                    .collect::<Result<Vec<_>, ApiError>>()
            })
            .transpose()?
            .unwrap_or_default();
        let remove = body
            .child("RemoveTagKeys")
            .map(|t| {
                t.children_named("Key")
                    .map(|k| k.text.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let command = match kind {
            TagKind::HostedZone => Route53Command::ChangeTags {
                zone: zone_id(id)?,
                add,
                remove,
            },
            TagKind::HealthCheck => Route53Command::ChangeHealthCheckTags {
                id: health_check::health_check_id(id)?,
                add,
                remove,
            },
        };
        self.run(command).await?;
        self.ok("ChangeTagsForResourceResponse", |_| {})
    }
}

/// `%XX` escapes of a path segment decoded (`Z%20` → `Z `); a malformed escape is kept as
/// written.
fn percent_decode(segment: &str) -> Cow<'_, str> {
    if !segment.contains('%') {
        return Cow::Borrowed(segment);
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        let hex = bytes
            .get(at + 1..at + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                at += 3;
            }
            _ => {
                out.push(b);
                at += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn zone_id(raw: &str) -> Result<HostedZoneId, ApiError> {
    HostedZoneId::parse(raw).map_err(ApiError::from)
}

fn invalid_vpc(vpc_id: &str) -> ApiError {
    invalid_vpc_id(vpc_id).into()
}

fn invalid_dns_name(raw: &str, why: &str) -> ApiError {
    invalid_input(format!("{raw} is not a valid DNS name: {why}"))
}

fn required<'a>(e: &'a Element, name: &str) -> Result<&'a str, ApiError> {
    e.text_of(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid_input(format!("The parameter {name} is required.")))
}

fn parse_bool(v: &str, name: &str) -> Result<bool, ApiError> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(invalid_input(format!(
            "Invalid XML ; cvc-datatype-valid: '{other}' is not a valid value for 'boolean' ({name})."
        ))),
    }
}

/// A `VPC` element; without `VPCRegion` the VPC is taken to be in the region the request
/// was signed for (the model marks `VPCRegion` optional).
fn parse_vpc(e: &Element, signed_region: &str) -> Result<ZoneVpc, ApiError> {
    let raw = required(e, "VPCId")?;
    let region = e
        .text_of("VPCRegion")
        .filter(|r| !r.is_empty())
        .unwrap_or(signed_region);
    Ok(ZoneVpc {
        region: region.to_owned(),
        vpc_id: VpcId::parse(raw).map_err(|_| invalid_vpc(raw))?,
    })
}

fn parse_record_set(e: &Element) -> Result<RecordSet, ApiError> {
    let name = required(e, "Name")?;
    let record_type = required(e, "Type")?;
    let ttl = e
        .text_of("TTL")
        .map(|t| {
            t.parse::<u32>().map_err(|_| {
                invalid_input(format!(
                    "Invalid XML ; cvc-datatype-valid.1.2.1: '{t}' is not a valid value for 'integer'."
                ))
            })
        })
        .transpose()?;
    let values = e
        .child("ResourceRecords")
        .map(|rr| {
            rr.children_named("ResourceRecord")
                .map(|r| {
                    r.text_of("Value")
                        .map(str::to_owned)
                        .ok_or_else(|| invalid_input("A ResourceRecord must have a Value."))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let alias = e
        .child("AliasTarget")
        .map(|a| -> Result<AliasTarget, ApiError> {
            let dns = required(a, "DNSName")?;
            Ok(AliasTarget {
                hosted_zone_id: required(a, "HostedZoneId")?
                    .trim_start_matches("/hostedzone/")
                    .to_owned(),
                dns_name: name::canonical(dns)
                    .map_err(|err| invalid_dns_name(dns, err.describe()))?,
                evaluate_target_health: parse_bool(
                    a.text_of("EvaluateTargetHealth").unwrap_or("false"),
                    "EvaluateTargetHealth",
                )?,
            })
        })
        .transpose()?;
    let set_identifier = e.text_of("SetIdentifier").map(str::to_owned);
    let mut policies = Vec::new();
    if let Some(w) = e.text_of("Weight") {
        let weight = w.parse::<u8>().map_err(|_| {
            invalid_input(format!(
                "1 validation error detected: Value '{w}' at 'weight' failed to satisfy constraint: Member must have value between 0 and 255"
            ))
        })?;
        policies.push(Routing::Weighted(weight));
    }
    if let Some(r) = e.text_of("Region") {
        policies.push(Routing::Latency(r.to_owned()));
    }
    if let Some(f) = e.text_of("Failover") {
        if f != "PRIMARY" && f != "SECONDARY" {
            return Err(invalid_input(format!(
                "Invalid XML ; cvc-enumeration-valid: Value '{f}' is not facet-valid with respect to enumeration '[PRIMARY, SECONDARY]'."
            )));
        }
        policies.push(Routing::Failover(f.to_owned()));
    }
    if let Some(m) = e.text_of("MultiValueAnswer")
        && parse_bool(m, "MultiValueAnswer")?
    {
        policies.push(Routing::MultiValue);
    }
    if let Some(g) = e.child("GeoLocation") {
        policies.push(Routing::Geo(GeoLocation {
            continent_code: g.text_of("ContinentCode").map(str::to_owned),
            country_code: g.text_of("CountryCode").map(str::to_owned),
            subdivision_code: g.text_of("SubdivisionCode").map(str::to_owned),
        }));
    }
    for unsupported in [
        "CidrRoutingConfig",
        "GeoProximityLocation",
        "TrafficPolicyInstanceId",
    ] {
        if e.child(unsupported).is_some() {
            return Err(ApiError::not_emulated(format!(
                "{unsupported} in resource record sets"
            )));
        }
    }
    if policies.len() > 1 {
        return Err(invalid_input(format!(
            "Invalid request: a resource record set can have only one routing policy, found {} for {name}",
            policies.len()
        )));
    }
    Ok(RecordSet {
        name: name.to_owned(),
        record_type: record_type.to_owned(),
        set_identifier,
        routing: policies.pop(),
        ttl,
        values,
        alias,
        health_check_id: e.text_of("HealthCheckId").map(str::to_owned),
    })
}

fn write_vpc(w: &mut XmlWriter, v: &ZoneVpc) {
    w.leaf("VPCRegion", &v.region)
        .leaf("VPCId", v.vpc_id.as_str());
}

fn write_zone_fields(w: &mut XmlWriter, z: &HostedZone) {
    w.leaf("Id", &z.id.path())
        .leaf("Name", &z.name)
        .leaf("CallerReference", &z.caller_reference)
        .node("Config", |w| {
            w.leaf_opt("Comment", z.comment.as_deref())
                .bool("PrivateZone", z.private);
        })
        .num("ResourceRecordSetCount", z.records.len());
}

fn write_zone(w: &mut XmlWriter, z: &HostedZone) {
    w.node("HostedZone", |w| write_zone_fields(w, z));
}

fn write_delegation_set(w: &mut XmlWriter, z: &HostedZone) {
    w.node("DelegationSet", |w| {
        if let Some(id) = &z.delegation_set_id {
            w.leaf("Id", &id.path());
        }
        w.wrapped("NameServers", "NameServer", &z.name_servers, |w, ns| {
            w.text(ns.trim_end_matches('.'));
        });
    });
}

/// `ChangeInfo`: writes report `PENDING` as AWS does; GetChange reports `INSYNC`
/// (localvpc applies every change before answering).
fn write_change(w: &mut XmlWriter, c: &HostedZoneChange, just_submitted: bool) {
    w.node("ChangeInfo", |w| {
        w.leaf("Id", &c.id.path())
            .leaf("Status", if just_submitted { "PENDING" } else { "INSYNC" })
            .leaf("SubmittedAt", &iso8601_millis(c.submitted.0))
            .leaf_opt("Comment", c.comment.as_deref());
    });
}

/// The resource types Route 53 tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TagKind {
    HostedZone,
    HealthCheck,
}

fn write_tag_set(w: &mut XmlWriter, kind: TagKind, id: &str, tags: &Tags) {
    let kind = match kind {
        TagKind::HostedZone => "hostedzone",
        TagKind::HealthCheck => "healthcheck",
    };
    w.leaf("ResourceType", kind).leaf("ResourceId", id).wrapped(
        "Tags",
        "Tag",
        tags,
        |w, (k, v)| {
            w.leaf("Key", k).leaf("Value", v);
        },
    );
}

fn write_record_set(w: &mut XmlWriter, r: &RecordSet) {
    w.leaf("Name", &r.name).leaf("Type", &r.record_type);
    w.leaf_opt("SetIdentifier", r.set_identifier.as_deref());
    match &r.routing {
        Some(Routing::Weighted(weight)) => {
            w.num("Weight", weight);
        }
        Some(Routing::Latency(region)) => {
            w.leaf("Region", region);
        }
        Some(Routing::Geo(g)) => {
            w.node("GeoLocation", |w| {
                w.leaf_opt("ContinentCode", g.continent_code.as_deref())
                    .leaf_opt("CountryCode", g.country_code.as_deref())
                    .leaf_opt("SubdivisionCode", g.subdivision_code.as_deref());
            });
        }
        Some(Routing::Failover(f)) => {
            w.leaf("Failover", f);
        }
        Some(Routing::MultiValue) => {
            w.bool("MultiValueAnswer", true);
        }
        None => {}
    }
    if let Some(ttl) = r.ttl {
        w.num("TTL", ttl);
    }
    if !r.values.is_empty() {
        w.wrapped("ResourceRecords", "ResourceRecord", &r.values, |w, v| {
            w.leaf("Value", v);
        });
    }
    if let Some(a) = &r.alias {
        w.node("AliasTarget", |w| {
            w.leaf("HostedZoneId", &a.hosted_zone_id)
                .leaf("DNSName", &a.dns_name)
                .bool("EvaluateTargetHealth", a.evaluate_target_health);
        });
    }
    w.leaf_opt("HealthCheckId", r.health_check_id.as_deref());
}

#[cfg(test)]
mod tests {
    use super::testing::{answered, call, create_private_zone, doc, new_zone, refused};
    use super::*;
    use crate::ec2::testing::new_vpc;
    use crate::testing::{Fake, all};

    fn a_record(action: &str, name: &str, ip: &str) -> String {
        doc(
            "ChangeResourceRecordSetsRequest",
            &format!(
                "<ChangeBatch><Changes><Change><Action>{action}</Action><ResourceRecordSet>\
                 <Name>{name}</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord>\
                 <Value>{ip}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>\
                 </Change></Changes></ChangeBatch>"
            ),
        )
    }

    #[test]
    fn create_hosted_zone_answers_201_with_its_location_and_reads_back() {
        let b = Fake::default();
        let inner = "<Name>example.com</Name><CallerReference>r1</CallerReference>\
                     <HostedZoneConfig><Comment>hello</Comment></HostedZoneConfig>";
        let r = call(
            &b,
            "POST",
            "hostedzone",
            &doc("CreateHostedZoneRequest", inner),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let path = all(&r.body, "Id").remove(0);
        assert!(path.starts_with("/hostedzone/Z"), "{path}");
        assert_eq!(
            r.headers,
            [(
                "location",
                format!("https://route53.amazonaws.com/2013-04-01{path}")
            )]
        );
        assert!(r.body.contains("<ChangeInfo>"), "{}", r.body);
        // A public zone answers its delegation set.
        assert_eq!(all(&r.body, "NameServer").len(), 4, "{}", r.body);
        let id = path.trim_start_matches("/hostedzone/");
        let got = answered(&b, 200, "GET", &format!("hostedzone/{id}"), "");
        assert_eq!(all(&got, "Name"), ["example.com."]);
        assert_eq!(all(&got, "CallerReference"), ["r1"]);
        assert_eq!(all(&got, "Comment"), ["hello"]);
        assert_eq!(all(&got, "PrivateZone"), ["false"]);
        // The same caller reference again: HostedZoneAlreadyExists (409).
        let again = refused(
            &b,
            "POST",
            "hostedzone",
            &doc("CreateHostedZoneRequest", inner),
        );
        assert_eq!(again, (409, "HostedZoneAlreadyExists".to_owned()));
    }

    #[test]
    fn create_hosted_zone_refuses_what_it_cannot_read() {
        let b = Fake::default();
        for body in [
            doc(
                "CreateHostedZoneRequest",
                "<CallerReference>r</CallerReference>",
            ),
            doc("CreateHostedZoneRequest", "<Name>a.com</Name>"),
            doc(
                "CreateHostedZoneRequest",
                "<Name>a.com</Name><CallerReference>r</CallerReference>\
                 <HostedZoneConfig><PrivateZone>maybe</PrivateZone></HostedZoneConfig>",
            ),
            doc(
                "CreateHostedZone",
                "<Name>a.com</Name><CallerReference>r</CallerReference>",
            ),
            "<CreateHostedZoneRequest><Name>a.com".to_owned(),
        ] {
            assert_eq!(
                refused(&b, "POST", "hostedzone", &body),
                (400, "InvalidInput".to_owned()),
                "{body}"
            );
        }
        // A private zone's VPC id must look like one.
        let body = doc(
            "CreateHostedZoneRequest",
            "<Name>a.com</Name><CallerReference>r</CallerReference>\
             <VPC><VPCRegion>ap-northeast-1</VPCRegion><VPCId>vpc-nope</VPCId></VPC>",
        );
        assert_eq!(
            refused(&b, "POST", "hostedzone", &body),
            (400, "InvalidVPCId".to_owned())
        );
        assert!(all(&answered(&b, 200, "GET", "hostedzone", ""), "Id").is_empty());
    }

    #[test]
    fn a_private_zone_is_listed_by_its_vpc() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        let created = create_private_zone(&b, &vpc);
        // Without VPCRegion the VPC is in the signing region; a private zone has no name servers.
        assert_eq!(all(&created, "VPCRegion"), ["ap-northeast-1"]);
        assert!(all(&created, "NameServer").is_empty());
        let id = all(&created, "Id").remove(0);
        let q = format!("hostedzonesbyvpc?vpcid={vpc}&vpcregion=ap-northeast-1");
        let listed = answered(&b, 200, "GET", &q, "");
        assert_eq!(
            all(&listed, "HostedZoneId"),
            [id.trim_start_matches("/hostedzone/")]
        );
        assert_eq!(all(&listed, "OwningAccount"), [crate::testing::ME]);
        assert_eq!(
            refused(&b, "GET", &format!("hostedzonesbyvpc?vpcid={vpc}"), ""),
            (400, "InvalidInput".to_owned())
        );
        let q = "hostedzonesbyvpc?vpcid=vpc-0123456789abcdef0&vpcregion=ap-northeast-1";
        assert_eq!(refused(&b, "GET", q, ""), (400, "InvalidVPCId".to_owned()));
        let q = "hostedzone?hostedzonetype=PrivateHostedZone";
        assert_eq!(all(&answered(&b, 200, "GET", q, ""), "Id"), [id]);
    }

    #[test]
    fn unknown_zones_and_routes_are_refused_with_their_codes() {
        let b = Fake::default();
        let missing = "hostedzone/Z0000000000000000000";
        assert_eq!(
            refused(&b, "GET", missing, ""),
            (404, "NoSuchHostedZone".to_owned())
        );
        assert_eq!(
            refused(&b, "DELETE", missing, ""),
            (404, "NoSuchHostedZone".to_owned())
        );
        assert_eq!(
            refused(&b, "GET", "trafficpolicies", ""),
            (400, "InvalidInput".to_owned())
        );
        let r = call(&b, "GET", missing, "");
        assert!(r.body.contains("<Type>Sender</Type>"), "{}", r.body);
        assert!(
            r.body.contains("<RequestId>req-1</RequestId>"),
            "{}",
            r.body
        );
        assert!(r.body.contains(NAMESPACE), "{}", r.body);
    }

    #[test]
    fn list_hosted_zones_pages_with_maxitems_and_a_marker() {
        let b = Fake::default();
        let mut ids = [new_zone(&b, "a.example"), new_zone(&b, "b.example")];
        ids.sort();
        let first = answered(&b, 200, "GET", "hostedzone?maxitems=1", "");
        assert_eq!(all(&first, "IsTruncated"), ["true"]);
        assert_eq!(all(&first, "MaxItems"), ["1"]);
        let next = all(&first, "NextMarker").remove(0);
        assert_eq!(next, ids[1]);
        let second = answered(
            &b,
            200,
            "GET",
            &format!("hostedzone?maxitems=1&marker={next}"),
            "",
        );
        assert_eq!(all(&second, "Id"), [format!("/hostedzone/{}", ids[1])]);
        assert_eq!(all(&second, "IsTruncated"), ["false"]);
        for bad in [
            "hostedzone?maxitems=0",
            "hostedzone?maxitems=x",
            "hostedzone?hostedzonetype=Public",
        ] {
            assert_eq!(
                refused(&b, "GET", bad, ""),
                (400, "InvalidInput".to_owned()),
                "{bad}"
            );
        }
        let count = answered(&b, 200, "GET", "hostedzonecount", "");
        assert_eq!(all(&count, "HostedZoneCount"), ["2"]);
    }

    #[test]
    fn list_hosted_zones_by_name_starts_at_the_name() {
        let b = Fake::default();
        new_zone(&b, "b.example");
        new_zone(&b, "a.example");
        let all_zones = answered(&b, 200, "GET", "hostedzonesbyname", "");
        assert_eq!(all(&all_zones, "Name"), ["a.example.", "b.example."]);
        let from_b = answered(&b, 200, "GET", "hostedzonesbyname?dnsname=b.example", "");
        assert_eq!(all(&from_b, "Name"), ["b.example."]);
        assert_eq!(all(&from_b, "DNSName"), ["b.example."]);
        let q = "hostedzonesbyname?hostedzoneid=Z0000000000000000000";
        assert_eq!(refused(&b, "GET", q, ""), (400, "InvalidInput".to_owned()));
        let paged = answered(&b, 200, "GET", "hostedzonesbyname?maxitems=1", "");
        assert_eq!(all(&paged, "NextDNSName"), ["b.example."]);
    }

    #[test]
    fn records_are_created_listed_and_refused_as_a_batch() {
        let b = Fake::default();
        let id = new_zone(&b, "example.com");
        let rrset = format!("hostedzone/{id}/rrset");
        let body = answered(
            &b,
            200,
            "POST",
            &rrset,
            &a_record("CREATE", "www.example.com", "192.0.2.1"),
        );
        assert_eq!(all(&body, "Id").len(), 1, "{body}");
        // The zone's own NS and SOA come first (by name, then type); the new record after them.
        let listed = answered(&b, 200, "GET", &rrset, "");
        let names = all(&listed, "Name");
        assert_eq!(
            names.last().map(String::as_str),
            Some("www.example.com."),
            "{listed}"
        );
        let q = format!("{rrset}?name=www.example.com&type=A");
        let from_www = answered(&b, 200, "GET", &q, "");
        assert_eq!(all(&from_www, "Value"), ["192.0.2.1"]);
        assert_eq!(all(&from_www, "TTL"), ["60"]);
        // Creating it again: InvalidChangeBatch.
        let again = a_record("CREATE", "www.example.com", "192.0.2.1");
        assert_eq!(
            refused(&b, "POST", &rrset, &again),
            (400, "InvalidChangeBatch".to_owned())
        );
        for bad in [
            a_record("REPLACE", "www.example.com", "192.0.2.1"),
            doc("ChangeResourceRecordSetsRequest", ""),
            doc(
                "ChangeResourceRecordSetsRequest",
                "<ChangeBatch></ChangeBatch>",
            ),
            a_record("UPSERT", "www.example.com", "192.0.2.1")
                .replace("<TTL>60</TTL>", "<TTL>soon</TTL>"),
        ] {
            assert_eq!(
                refused(&b, "POST", &rrset, &bad),
                (400, "InvalidInput".to_owned()),
                "{bad}"
            );
        }
        // A zone with records of its own cannot go.
        assert_eq!(
            refused(&b, "DELETE", &format!("hostedzone/{id}"), ""),
            (400, "HostedZoneNotEmpty".to_owned())
        );
        answered(
            &b,
            200,
            "POST",
            &rrset,
            &a_record("DELETE", "www.example.com", "192.0.2.1"),
        );
        let deleted = answered(&b, 200, "DELETE", &format!("hostedzone/{id}"), "");
        assert!(deleted.contains("<ChangeInfo>"), "{deleted}");
        // The zone is gone.
        assert_eq!(
            refused(&b, "GET", &format!("hostedzone/{id}/rrset?type=A"), ""),
            (404, "NoSuchHostedZone".to_owned())
        );
    }

    #[test]
    fn list_record_sets_checks_its_start_parameters() {
        let b = Fake::default();
        let id = new_zone(&b, "example.com");
        let rrset = format!("hostedzone/{id}/rrset");
        for q in ["?type=A", "?name=example.com&type=BOGUS", "?maxitems=0"] {
            assert_eq!(
                refused(&b, "GET", &format!("{rrset}{q}"), ""),
                (400, "InvalidInput".to_owned()),
                "{q}"
            );
        }
        // A new zone holds its SOA and NS records; one a page.
        let page = answered(&b, 200, "GET", &format!("{rrset}?maxitems=1"), "");
        assert_eq!(all(&page, "IsTruncated"), ["true"]);
        assert_eq!(all(&page, "NextRecordName"), ["example.com."]);
    }

    #[test]
    fn update_comment_changes_the_comment() {
        let b = Fake::default();
        let id = new_zone(&b, "example.com");
        let body = doc("UpdateHostedZoneCommentRequest", "<Comment>new</Comment>");
        let r = answered(&b, 200, "POST", &format!("hostedzone/{id}"), &body);
        assert_eq!(all(&r, "Comment"), ["new"]);
        let got = answered(&b, 200, "GET", &format!("hostedzone/{id}"), "");
        assert_eq!(all(&got, "Comment"), ["new"]);
        let wrong = doc("UpdateHostedZoneComment", "<Comment>x</Comment>");
        assert_eq!(
            refused(&b, "POST", &format!("hostedzone/{id}"), &wrong),
            (400, "InvalidInput".to_owned())
        );
    }

    #[test]
    fn zone_tags_are_changed_and_listed() {
        let b = Fake::default();
        let id = new_zone(&b, "example.com");
        let path = format!("tags/hostedzone/{id}");
        let add = doc(
            "ChangeTagsForResourceRequest",
            "<AddTags><Tag><Key>env</Key><Value>dev</Value></Tag><Tag><Key>team</Key>\
             <Value>net</Value></Tag></AddTags>",
        );
        answered(&b, 200, "POST", &path, &add);
        let remove = doc(
            "ChangeTagsForResourceRequest",
            "<RemoveTagKeys><Key>team</Key></RemoveTagKeys>",
        );
        answered(&b, 200, "POST", &path, &remove);
        let listed = answered(&b, 200, "GET", &path, "");
        assert_eq!(all(&listed, "Key"), ["env"]);
        assert_eq!(all(&listed, "ResourceType"), ["hostedzone"]);
        assert_eq!(all(&listed, "ResourceId"), [id.as_str()]);
        let many = doc(
            "ListTagsForResourcesRequest",
            &format!("<ResourceIds><ResourceId>{id}</ResourceId></ResourceIds>"),
        );
        let sets = answered(&b, 200, "POST", "tags/hostedzone", &many);
        assert_eq!(all(&sets, "Value"), ["dev"]);
        let eleven = doc(
            "ListTagsForResourcesRequest",
            &format!(
                "<ResourceIds>{}</ResourceIds>",
                format!("<ResourceId>{id}</ResourceId>").repeat(11)
            ),
        );
        assert_eq!(
            refused(&b, "POST", "tags/hostedzone", &eleven),
            (400, "InvalidInput".to_owned())
        );
        assert_eq!(
            refused(&b, "GET", &format!("tags/zone/{id}"), ""),
            (400, "InvalidInput".to_owned())
        );
        let keyless = doc(
            "ChangeTagsForResourceRequest",
            "<AddTags><Tag><Value>v</Value></Tag></AddTags>",
        );
        assert_eq!(
            refused(&b, "POST", &path, &keyless),
            (400, "InvalidInput".to_owned())
        );
        assert_eq!(
            refused(&b, "GET", "tags/hostedzone/Z0000000000000000000", ""),
            (404, "NoSuchHostedZone".to_owned())
        );
    }

    #[test]
    fn a_change_is_found_by_its_id() {
        let b = Fake::default();
        let inner = "<Name>example.com</Name><CallerReference>c</CallerReference>";
        let created = answered(
            &b,
            201,
            "POST",
            "hostedzone",
            &doc("CreateHostedZoneRequest", inner),
        );
        let change = all(&created, "Id")
            .into_iter()
            .find(|i| i.starts_with("/change/"))
            .unwrap();
        let got = answered(&b, 200, "GET", change.trim_start_matches('/'), "");
        assert_eq!(all(&got, "Id"), [change.as_str()]);
        assert_eq!(all(&got, "Status"), ["INSYNC"]);
        assert_eq!(
            refused(&b, "GET", "change/C0000000000000000000", ""),
            (404, "NoSuchChange".to_owned())
        );
    }

    #[test]
    fn path_segments_are_percent_decoded() {
        assert_eq!(percent_decode("Z123"), "Z123");
        assert_eq!(percent_decode("Z%20BAD"), "Z BAD");
        assert_eq!(percent_decode("%2Fhostedzone%2FZ1"), "/hostedzone/Z1");
        // A malformed escape stays as written.
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("%zz1"), "%zz1");
    }

    #[test]
    fn a_vpc_without_its_region_is_in_the_signing_region() {
        let e = parse_document(b"<VPC><VPCId>vpc-0123456789abcdef0</VPCId></VPC>").unwrap();
        let vpc = parse_vpc(&e, "us-east-1").unwrap();
        assert_eq!(vpc.region, "us-east-1");
        let e = parse_document(
            b"<VPC><VPCRegion>ap-northeast-1</VPCRegion><VPCId>vpc-0123456789abcdef0</VPCId></VPC>",
        )
        .unwrap();
        assert_eq!(parse_vpc(&e, "us-east-1").unwrap().region, "ap-northeast-1");
    }
}
