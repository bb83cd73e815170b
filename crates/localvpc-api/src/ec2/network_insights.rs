//! Reachability Analyzer: Create/Describe/DeleteNetworkInsightsPath(s),
//! Start/Describe/DeleteNetworkInsightsAnalys(is|es). An analysis runs the network decision
//! core (`localvpc-net`) on the snapshot of its Start request; the model keeps the result.

use super::filter::Bounds;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CreateNetworkInsightsPath, NetworkInsightsAnalysis, NetworkInsightsAnalysisId,
    NetworkInsightsPath, NetworkInsightsPathId, PathFilter, StartNetworkInsightsAnalysis,
};
use localvpc_net::{IpProtocol, PathEnd, PathError, PathQuery, analyze};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;
use serde_json::{Value, json};
use std::net::IpAddr;

/// `NetworkInsightsMaxResults`: 1–100.
const BOUNDS: Bounds = Bounds { min: 1, max: 100 };

const PATH_FILTERS: &[&str] = &[
    "destination",
    "source",
    "protocol",
    "destination-port",
    "filter-at-source.source-address",
    "filter-at-source.source-port-range",
    "filter-at-source.destination-address",
    "filter-at-source.destination-port-range",
    "filter-at-destination.source-address",
    "filter-at-destination.source-port-range",
    "filter-at-destination.destination-address",
    "filter-at-destination.destination-port-range",
];

const ANALYSIS_FILTERS: &[&str] = &["path-found", "status"];

fn ip(op_value: Option<&str>, name: &str) -> Result<Option<IpAddr>, ApiError> {
    op_value
        .map(|v| {
            v.parse::<IpAddr>().map_err(|_| {
                ApiError::invalid_value(format!("Value ({v}) for parameter {name} is invalid."))
            })
        })
        .transpose()
}

fn port(value: Option<i64>, name: &str) -> Result<Option<u16>, ApiError> {
    value
        .map(|v| {
            u16::try_from(v).map_err(|_| {
                ApiError::invalid_value(format!(
                    "Value ({v}) for parameter {name} is invalid. Expecting a value between 0 and 65535."
                ))
            })
        })
        .transpose()
}

fn filter<B: Backend>(op: &Op<'_, B>, prefix: &str) -> Result<Option<PathFilter>, ApiError> {
    let p = &op.params;
    let range = |which: &str| -> Result<Option<(u16, u16)>, ApiError> {
        let from = port(p.int(&format!("{prefix}.{which}.FromPort"))?, "FromPort")?;
        let to = port(p.int(&format!("{prefix}.{which}.ToPort"))?, "ToPort")?;
        Ok(match (from, to) {
            (None, None) => None,
            (f, t) => Some((f.unwrap_or(0), t.unwrap_or(u16::MAX))),
        })
    };
    let f = PathFilter {
        source_address: ip(p.opt(&format!("{prefix}.SourceAddress")), "SourceAddress")?,
        source_port_range: range("SourcePortRange")?,
        destination_address: ip(
            p.opt(&format!("{prefix}.DestinationAddress")),
            "DestinationAddress",
        )?,
        destination_port_range: range("DestinationPortRange")?,
    };
    Ok((!f.is_empty()).then_some(f))
}

fn write_filter(w: &mut XmlWriter, tag: &str, f: Option<&PathFilter>) {
    let Some(f) = f else { return };
    w.node(tag, |w| {
        w.leaf_opt(
            "sourceAddress",
            f.source_address.map(|a| a.to_string()).as_deref(),
        );
        if let Some((from, to)) = f.source_port_range {
            w.node("sourcePortRange", |w| {
                w.num("fromPort", from).num("toPort", to);
            });
        }
        w.leaf_opt(
            "destinationAddress",
            f.destination_address.map(|a| a.to_string()).as_deref(),
        );
        if let Some((from, to)) = f.destination_port_range {
            w.node("destinationPortRange", |w| {
                w.num("fromPort", from).num("toPort", to);
            });
        }
    });
}

fn write_path(w: &mut XmlWriter, p: &NetworkInsightsPath) {
    w.leaf("networkInsightsPathId", p.id.as_str())
        .leaf("networkInsightsPathArn", &p.arn())
        .leaf("createdDate", &iso8601_millis(p.created.0))
        .leaf("source", &p.source)
        .leaf_opt("destination", p.destination.as_deref())
        .leaf("sourceArn", &p.source_arn)
        .leaf_opt("destinationArn", p.destination_arn.as_deref())
        .leaf_opt("sourceIp", p.source_ip.map(|a| a.to_string()).as_deref())
        .leaf_opt(
            "destinationIp",
            p.destination_ip.map(|a| a.to_string()).as_deref(),
        )
        .leaf("protocol", &p.protocol);
    if let Some(port) = p.destination_port {
        w.num("destinationPort", port);
    }
    write_filter(w, "filterAtSource", p.filter_at_source.as_ref());
    write_filter(w, "filterAtDestination", p.filter_at_destination.as_ref());
    super::tags::write_tag_set(w, &p.tags);
}

pub(super) async fn create_path<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let input = CreateNetworkInsightsPath {
        source: p.required("Source")?.to_owned(),
        destination: p.opt("Destination").map(str::to_owned),
        source_ip: ip(p.opt("SourceIp"), "SourceIp")?,
        destination_ip: ip(p.opt("DestinationIp"), "DestinationIp")?,
        protocol: p.required("Protocol")?.to_owned(),
        destination_port: port(p.int("DestinationPort")?, "DestinationPort")?,
        filter_at_source: filter(op, "FilterAtSource")?,
        filter_at_destination: filter(op, "FilterAtDestination")?,
        client_token: p.opt("ClientToken").map(str::to_owned),
        tag_specifications: p.tag_specifications()?,
    };
    let path = op.run_as(Command::CreateNetworkInsightsPath(input)).await?;
    op.respond(|w| {
        w.node("networkInsightsPath", |w| write_path(w, &path));
    })
}

pub(super) async fn delete_path<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = NetworkInsightsPathId::parse(op.params.required("NetworkInsightsPathId")?)?;
    op.run(Command::DeleteNetworkInsightsPath { id: id.clone() })
        .await?;
    op.respond(|w| {
        w.leaf("networkInsightsPathId", id.as_str());
    })
}

fn range_text(r: Option<(u16, u16)>) -> Vec<String> {
    r.map(|(f, t)| vec![format!("{f}-{t}")]).unwrap_or_default()
}

/// The values of a DescribeNetworkInsightsPaths filter.
fn path_values(path: &NetworkInsightsPath, name: &str) -> Vec<String> {
    let (side, field) = match name.split_once('.') {
        Some((side, field)) => (side, field),
        None => ("", name),
    };
    let f = match side {
        "filter-at-source" => path.filter_at_source.as_ref(),
        "filter-at-destination" => path.filter_at_destination.as_ref(),
        _ => None,
    };
    let addr = |a: Option<IpAddr>| a.map(|a| a.to_string()).into_iter().collect();
    match (side, field) {
        ("", "destination") => path.destination.clone().into_iter().collect(),
        ("", "source") => vec![path.source.clone()],
        ("", "protocol") => vec![path.protocol.clone()],
        ("", "destination-port") => path
            .destination_port
            .map(|p| p.to_string())
            .into_iter()
            .collect(),
        (_, "source-address") => addr(f.and_then(|f| f.source_address)),
        (_, "destination-address") => addr(f.and_then(|f| f.destination_address)),
        (_, "source-port-range") => range_text(f.and_then(|f| f.source_port_range)),
        (_, "destination-port-range") => range_text(f.and_then(|f| f.destination_port_range)),
        _ => Vec::new(),
    }
}

pub(super) fn describe_paths<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("NetworkInsightsPathId", NetworkInsightsPathId::parse)?
        .filters(PATH_FILTERS, true)?
        .paged(&BOUNDS)?
        .answer("networkInsightsPathSet", path_values, write_path)
}

fn explanation_only(code: &str, component: &str, detail: &str) -> (bool, String) {
    let result = json!({
        "network_path_found": false,
        "forward_path_components": [],
        "return_path_components": [],
        "explanations": [{ "explanation_code": code, "component": { "id": component }, "detail": detail }],
    });
    (false, result.to_string())
}

/// Runs the analysis of a path on a snapshot: (path found, result JSON).
fn run_analysis(
    index: &localvpc_net::NetIndex,
    path: &NetworkInsightsPath,
    filter_in_arns: &[String],
    filter_out_arns: &[String],
) -> (bool, String) {
    let Some(source) = PathEnd::from_id(&path.source) else {
        return explanation_only(
            "UNSUPPORTED_COMPONENT",
            &path.source,
            "localvpc analyses paths that start at an instance, a network interface, an interface endpoint, an internet gateway, a transit gateway or one of its VPC attachments, a VPC peering connection or a virtual private gateway",
        );
    };
    let filter_destination = path
        .filter_at_source
        .as_ref()
        .and_then(|f| f.destination_address);
    let destination = match (
        &path.destination,
        path.destination_ip.or(filter_destination),
    ) {
        (Some(id), _) => match PathEnd::from_id(id) {
            Some(end) => end,
            None => {
                return explanation_only(
                    "UNSUPPORTED_COMPONENT",
                    id,
                    "localvpc analyses paths that end at an instance, a network interface, a VPC endpoint or endpoint service, an internet gateway, a transit gateway or attachment, a VPC peering connection, a virtual private gateway or an address",
                );
            }
        },
        (None, Some(address)) => PathEnd::Address(address),
        (None, None) => {
            return explanation_only("NO_PATH", &path.source, "the path has no destination");
        }
    };
    let port = path.destination_port.or_else(|| {
        path.filter_at_source
            .as_ref()
            .and_then(|f| f.destination_port_range)
            .filter(|(from, to)| from == to)
            .map(|(from, _)| from)
    });
    let query = PathQuery {
        source,
        source_ip: path.source_ip,
        destination,
        destination_ip: path.destination_ip,
        protocol: IpProtocol::parse(&path.protocol).unwrap_or(IpProtocol::TCP),
        destination_port: port,
        request: None,
    };
    let analysis = match analyze(index, &query) {
        Ok(a) => a,
        Err(PathError::NotFound { id, .. }) => {
            return explanation_only(
                "NO_SOURCE_OR_DESTINATION",
                &id,
                "the source or destination no longer exists",
            );
        }
        Err(PathError::Unsupported(message)) => {
            return explanation_only("UNSUPPORTED_COMPONENT", &path.source, &message);
        }
    };
    let mut value = serde_json::to_value(&analysis).unwrap_or(Value::Null);
    let mut found = analysis.network_path_found;
    // FilterInArns: the path must cross every named component; FilterOutArns: none of them.
    // (The search finds the one path the routes give, so a path that crosses a component it
    // must avoid has no alternative to offer.)
    let filters = filter_in_arns
        .iter()
        .map(|arn| (arn, true))
        .chain(filter_out_arns.iter().map(|arn| (arn, false)));
    for (arn, must_cross) in filters {
        let id = localvpc_model::insights_resource_id(arn);
        let names = |c: &localvpc_net::explain::Component| {
            c.id == id || c.id == *arn || c.arn.as_deref() == Some(arn.as_str())
        };
        let crossed = analysis
            .forward_path_components
            .iter()
            .any(|h| names(&h.component) || h.related.iter().any(|r| names(&r.component)));
        if crossed != must_cross {
            found = false;
            let detail = if must_cross {
                format!("no path crosses {arn}")
            } else {
                format!("the path crosses {arn}, which the analysis must avoid")
            };
            if let Some(Value::Array(list)) = value.get_mut("explanations") {
                list.push(json!({
                    "explanation_code": "COMPONENT_FILTER_RESTRICTION",
                    "component": { "id": id, "arn": arn },
                    "detail": detail,
                }));
            }
        }
    }
    if let Some(Value::Bool(b)) = value.get_mut("network_path_found") {
        *b = found;
    }
    (found, value.to_string())
}

pub(super) async fn start_analysis<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let path_id = NetworkInsightsPathId::parse(p.required("NetworkInsightsPathId")?)?;
    let filter_in_arns: Vec<String> = p
        .list("FilterInArn")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let filter_out_arns: Vec<String> = p
        .list("FilterOutArn")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let additional_accounts: Vec<String> = p
        .list("AdditionalAccount")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let tag_specifications = p.tag_specifications()?;
    op.check_dry_run()?;
    let index = op.backend.net_index();
    let path = index
        .model()
        .get::<NetworkInsightsPath>(&op.ctx.scope, &path_id)?
        .clone();
    let (found, result) = run_analysis(&index, &path, &filter_in_arns, &filter_out_arns);
    let command = Command::StartNetworkInsightsAnalysis(StartNetworkInsightsAnalysis {
        path_id,
        filter_in_arns,
        filter_out_arns,
        additional_accounts,
        status: "succeeded".to_owned(),
        status_message: None,
        path_found: Some(found),
        result,
        tag_specifications,
    });
    let a: NetworkInsightsAnalysis = op.run_as(command).await?;
    // AWS answers Start while the analysis runs; the first Describe has the result.
    op.respond(|w| {
        w.node("networkInsightsAnalysis", |w| write_analysis(w, &a, false));
    })
}

pub(super) async fn delete_analysis<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = NetworkInsightsAnalysisId::parse(op.params.required("NetworkInsightsAnalysisId")?)?;
    op.run(Command::DeleteNetworkInsightsAnalysis { id: id.clone() })
        .await?;
    op.respond(|w| {
        w.leaf("networkInsightsAnalysisId", id.as_str());
    })
}

pub(super) fn describe_analyses<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let describe = op.describe(
        "NetworkInsightsAnalysisId",
        NetworkInsightsAnalysisId::parse,
    )?;
    let path_id = p
        .opt("NetworkInsightsPathId")
        .map(NetworkInsightsPathId::parse)
        .transpose()?;
    let start = p
        .opt("AnalysisStartTime")
        .map(|t| parse_time(t, "AnalysisStartTime"))
        .transpose()?;
    let end = p
        .opt("AnalysisEndTime")
        .map(|t| parse_time(t, "AnalysisEndTime"))
        .transpose()?;
    describe
        .filters(ANALYSIS_FILTERS, true)?
        .paged(&BOUNDS)?
        .of::<NetworkInsightsAnalysis>()
        .keep(move |a| {
            path_id.as_ref().is_none_or(|id| &a.path_id == id)
                && start.is_none_or(|s| a.started.0 >= s)
                && end.is_none_or(|e| a.started.0 <= e)
        })
        .answer("networkInsightsAnalysisSet", analysis_values, |w, a| {
            write_analysis(w, a, true)
        })
}

fn analysis_values(a: &NetworkInsightsAnalysis, name: &str) -> Vec<String> {
    match name {
        "path-found" => a.path_found.map(|f| f.to_string()).into_iter().collect(),
        "status" => vec![a.status.clone()],
        _ => Vec::new(),
    }
}

fn parse_time(text: &str, name: &str) -> Result<u64, ApiError> {
    localvpc_wire::time::parse_iso8601_millis(text).ok_or_else(|| {
        ApiError::invalid_value(format!("Value ({text}) for parameter {name} is invalid."))
    })
}

fn write_analysis(w: &mut XmlWriter, a: &NetworkInsightsAnalysis, finished: bool) {
    w.leaf("networkInsightsAnalysisId", a.id.as_str())
        .leaf("networkInsightsAnalysisArn", &a.arn())
        .leaf("networkInsightsPathId", a.path_id.as_str());
    w.list("additionalAccountSet", &a.additional_accounts, |w, x| {
        w.text(x);
    });
    w.list("filterInArnSet", &a.filter_in_arns, |w, x| {
        w.text(x);
    });
    w.list("filterOutArnSet", &a.filter_out_arns, |w, x| {
        w.text(x);
    });
    w.leaf("startDate", &iso8601_millis(a.started.0));
    if !finished {
        w.leaf("status", "running");
        super::tags::write_tag_set(w, &a.tags);
        return;
    }
    w.leaf("status", &a.status)
        .leaf_opt("statusMessage", a.status_message.as_deref());
    if let Some(found) = a.path_found {
        w.bool("networkPathFound", found);
    }
    let result: Value = serde_json::from_str(&a.result).unwrap_or(Value::Null);
    let list = |key: &str| -> Vec<Value> {
        result
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    w.list(
        "forwardPathComponentSet",
        list("forward_path_components"),
        |w, h| write_component(w, &h),
    );
    w.list(
        "returnPathComponentSet",
        list("return_path_components"),
        |w, h| write_component(w, &h),
    );
    w.list("explanationSet", list("explanations"), |w, e| {
        write_explanation(w, &e);
    });
    super::tags::write_tag_set_always(w, &a.tags);
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn write_analysis_component(w: &mut XmlWriter, tag: &str, c: &Value) {
    if c.is_null() {
        return;
    }
    w.node(tag, |w| {
        w.leaf_opt("id", str_of(c, "id"))
            .leaf_opt("arn", str_of(c, "arn"))
            .leaf_opt("name", str_of(c, "name"));
    });
}

/// AWS's analyser writes `all` for the all-traffic protocol.
fn rule_protocol(p: &str) -> &str {
    if p == "-1" { "all" } else { p }
}

/// Packet headers carry the protocol number (`6`).
fn header_protocol(name: &str) -> String {
    IpProtocol::parse(name).map_or_else(|| name.to_owned(), |p| p.0.to_string())
}

fn write_port_range(w: &mut XmlWriter, tag: &str, r: &Value) {
    if r.is_null() {
        return;
    }
    w.node(tag, |w| write_from_to(w, r));
}

/// A `PortRange`'s members.
fn write_from_to(w: &mut XmlWriter, r: &Value) {
    if let Some(f) = r.get("from").and_then(Value::as_u64) {
        w.num("from", f);
    }
    if let Some(t) = r.get("to").and_then(Value::as_u64) {
        w.num("to", t);
    }
}

fn write_acl_rule(w: &mut XmlWriter, r: &Value) {
    if r.is_null() {
        return;
    }
    w.node("aclRule", |w| {
        w.leaf_opt("cidr", str_of(r, "cidr"));
        if let Some(e) = r.get("egress").and_then(Value::as_bool) {
            w.bool("egress", e);
        }
        write_port_range(w, "portRange", r.get("port_range").unwrap_or(&Value::Null));
        w.leaf_opt("protocol", str_of(r, "protocol").map(rule_protocol))
            .leaf_opt("ruleAction", str_of(r, "rule_action"));
        if let Some(n) = r.get("rule_number").and_then(Value::as_u64) {
            w.num("ruleNumber", n);
        }
    });
}

fn write_sg_rule(w: &mut XmlWriter, r: &Value) {
    if r.is_null() {
        return;
    }
    w.node("securityGroupRule", |w| {
        w.leaf_opt("cidr", str_of(r, "cidr"))
            .leaf_opt("direction", str_of(r, "direction"))
            .leaf_opt("securityGroupId", str_of(r, "security_group_id"));
        write_port_range(w, "portRange", r.get("port_range").unwrap_or(&Value::Null));
        w.leaf_opt("prefixListId", str_of(r, "prefix_list_id"))
            .leaf_opt("protocol", str_of(r, "protocol").map(rule_protocol));
    });
}

fn write_route(w: &mut XmlWriter, r: &Value) {
    if r.is_null() {
        return;
    }
    w.node("routeTableRoute", |w| {
        w.leaf_opt("destinationCidr", str_of(r, "destination_cidr"))
            .leaf_opt(
                "destinationPrefixListId",
                str_of(r, "destination_prefix_list_id"),
            );
        if let (Some(field), Some(target)) = (str_of(r, "target_field"), str_of(r, "target")) {
            w.leaf(field, target);
        }
        w.leaf_opt(
            "origin",
            str_of(r, "origin").map(str::to_ascii_lowercase).as_deref(),
        )
        .leaf_opt("state", str_of(r, "state"));
    });
}

fn write_tgw_route(w: &mut XmlWriter, r: &Value) {
    if r.is_null() {
        return;
    }
    w.node("transitGatewayRouteTableRoute", |w| {
        w.leaf_opt("destinationCidr", str_of(r, "destination_cidr"))
            .leaf_opt("state", str_of(r, "state"))
            .leaf_opt("routeOrigin", str_of(r, "route_origin"))
            .leaf_opt("attachmentId", str_of(r, "attachment_id"))
            .leaf_opt("resourceId", str_of(r, "resource_id"))
            .leaf_opt("resourceType", str_of(r, "resource_type"));
    });
}

fn write_header(w: &mut XmlWriter, tag: &str, h: &Value) {
    if h.is_null() {
        return;
    }
    let addresses = |key: &str| -> Vec<String> {
        h.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|a| {
                if a.contains('/') {
                    a.to_owned()
                } else if a.contains(':') {
                    format!("{a}/128")
                } else {
                    format!("{a}/32")
                }
            })
            .collect()
    };
    let ranges = |key: &str| -> Vec<Value> {
        h.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    w.node(tag, |w| {
        w.list(
            "destinationAddressSet",
            addresses("destination_addresses"),
            |w, a| {
                w.text(&a);
            },
        );
        w.list(
            "destinationPortRangeSet",
            ranges("destination_port_ranges"),
            |w, r| write_from_to(w, &r),
        );
        w.leaf_opt(
            "protocol",
            str_of(h, "protocol").map(header_protocol).as_deref(),
        );
        w.list("sourceAddressSet", addresses("source_addresses"), |w, a| {
            w.text(&a);
        });
        w.list(
            "sourcePortRangeSet",
            ranges("source_port_ranges"),
            |w, r| write_from_to(w, &r),
        );
    });
}

fn related<'v>(v: &'v Value, role: &str) -> Option<&'v Value> {
    v.get("related")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| str_of(r, "role") == Some(role))
        .and_then(|r| r.get("component"))
}

/// The related components a `PathComponent` carries, in the model's member order.
const COMPONENT_ROLES: &[&str] = &[
    "attachedTo",
    "destinationVpc",
    "sourceVpc",
    "subnet",
    "vpc",
    "transitGateway",
];

fn write_component(w: &mut XmlWriter, h: &Value) {
    if let Some(n) = h.get("sequence_number").and_then(Value::as_u64) {
        w.num("sequenceNumber", n);
    }
    write_acl_rule(w, h.get("acl_rule").unwrap_or(&Value::Null));
    for role in COMPONENT_ROLES {
        if *role == "attachedTo" {
            if let Some(c) = related(h, role) {
                write_analysis_component(w, role, c);
            }
            write_analysis_component(w, "component", h.get("component").unwrap_or(&Value::Null));
            continue;
        }
        if let Some(c) = related(h, role) {
            write_analysis_component(w, role, c);
        }
    }
    write_header(
        w,
        "outboundHeader",
        h.get("outbound_header").unwrap_or(&Value::Null),
    );
    write_header(
        w,
        "inboundHeader",
        h.get("inbound_header").unwrap_or(&Value::Null),
    );
    write_route(w, h.get("route_table_route").unwrap_or(&Value::Null));
    write_sg_rule(w, h.get("security_group_rule").unwrap_or(&Value::Null));
    write_tgw_route(
        w,
        h.get("transit_gateway_route_table_route")
            .unwrap_or(&Value::Null),
    );
    w.leaf_opt("serviceName", str_of(h, "service_name"));
}

/// The related components an `Explanation` may carry.
const EXPLANATION_ROLES: &[&str] = &[
    "acl",
    "attachedTo",
    "destination",
    "destinationVpc",
    "internetGateway",
    "natGateway",
    "networkInterface",
    "prefixList",
    "routeTable",
    "securityGroup",
    "sourceVpc",
    "subnet",
    "subnetRouteTable",
    "vpc",
    "vpcEndpoint",
    "vpcPeeringConnection",
    "vpnGateway",
    "transitGateway",
    "transitGatewayRouteTable",
    "transitGatewayAttachment",
];

fn write_explanation(w: &mut XmlWriter, e: &Value) {
    write_acl_rule(w, e.get("acl_rule").unwrap_or(&Value::Null));
    w.leaf_opt("address", str_of(e, "address"));
    w.list(
        "cidrSet",
        e.get("cidrs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        |w, c| {
            w.text(c.as_str().unwrap_or(""));
        },
    );
    write_analysis_component(w, "component", e.get("component").unwrap_or(&Value::Null));
    w.leaf_opt("direction", str_of(e, "direction"))
        .leaf_opt("explanationCode", str_of(e, "explanation_code"))
        .leaf_opt("missingComponent", str_of(e, "missing_component"));
    if let Some(port) = e.get("port").and_then(Value::as_u64) {
        w.num("port", port);
    }
    w.list(
        "protocolSet",
        e.get("protocols")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        |w, p| {
            w.text(p.as_str().unwrap_or(""));
        },
    );
    write_route(w, e.get("route_table_route").unwrap_or(&Value::Null));
    w.list(
        "securityGroupSet",
        e.get("security_groups")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        |w, c| {
            w.leaf_opt("id", str_of(&c, "id"))
                .leaf_opt("arn", str_of(&c, "arn"))
                .leaf_opt("name", str_of(&c, "name"));
        },
    );
    w.leaf_opt("state", str_of(e, "state"));
    write_tgw_route(
        w,
        e.get("transit_gateway_route_table_route")
            .unwrap_or(&Value::Null),
    );
    for role in EXPLANATION_ROLES {
        if let Some(c) = related(e, role) {
            write_analysis_component(w, role, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, call, error, ok, unknown_filter};

    fn igw(b: &Fake) -> String {
        all(
            &ok(b, ME, "Action=CreateInternetGateway"),
            "internetGatewayId",
        )
        .remove(0)
    }

    fn path(b: &Fake, source: &str) -> String {
        let body = ok(
            b,
            ME,
            &format!(
                "Action=CreateNetworkInsightsPath&Source={source}&Protocol=tcp\
                 &FilterAtSource.DestinationAddress=10.0.1.5"
            ),
        );
        all(&body, "networkInsightsPathId").remove(0)
    }

    #[test]
    fn create_path_decodes_and_maps_errors() {
        let b = Fake::default();
        let g = igw(&b);
        let create = |rest: &str| format!("Action=CreateNetworkInsightsPath{rest}");
        assert_eq!(error(&b, ME, &create("&Protocol=tcp")), "MissingParameter");
        assert_eq!(
            error(&b, ME, &create(&format!("&Source={g}"))),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!("&Source={g}&Protocol=tcp&SourceIp=10.0.0.300"))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!("&Source={g}&Protocol=tcp&DestinationPort=70000"))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!(
                    "&Source={g}&Protocol=tcp&FilterAtSource.SourcePortRange.FromPort=-1"
                ))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!(
                    "&Source={g}&Protocol=tcp&FilterAtDestination.DestinationAddress=nope"
                ))
            ),
            "InvalidParameterValue"
        );
        let dry = call(
            &b,
            ME,
            &create(&format!("&Source={g}&Protocol=tcp&DryRun=true")),
        );
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        assert!(
            all(
                &ok(&b, ME, "Action=DescribeNetworkInsightsPaths"),
                "networkInsightsPathId"
            )
            .is_empty()
        );

        let body = ok(
            &b,
            ME,
            &create(&format!(
                "&Source={g}&Protocol=tcp&FilterAtSource.DestinationAddress=10.0.1.5\
                 &FilterAtSource.DestinationPortRange.FromPort=443\
                 &FilterAtSource.DestinationPortRange.ToPort=443"
            )),
        );
        let [id] = all(&body, "networkInsightsPathId").try_into().unwrap();
        assert!(id.starts_with("nip-"), "{id}");
        assert_eq!(all(&body, "source"), [g.as_str()]);
        assert_eq!(all(&body, "protocol"), ["tcp"]);
        assert_eq!(all(&body, "destinationAddress"), ["10.0.1.5"]);
        assert!(!body.contains("<destinationIp>"), "{body}");
        assert!(!body.contains("<destinationPort>"), "{body}");
        assert_eq!(all(&body, "fromPort"), ["443"]);
        assert_eq!(all(&body, "toPort"), ["443"]);
        assert_eq!(
            all(&body, "networkInsightsPathArn"),
            [format!(
                "arn:aws:ec2:ap-northeast-1:{ME}:network-insights-path/{id}"
            )]
        );
    }

    #[test]
    fn describe_and_delete_paths() {
        let b = Fake::default();
        let g = igw(&b);
        let id = path(&b, &g);
        let describe = "Action=DescribeNetworkInsightsPaths";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&NetworkInsightsPathId.1=nia-0123456789abcdef0")
            ),
            "InvalidNetworkInsightsPathId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&NetworkInsightsPathId.1=nip-0123456789abcdef0")
            ),
            "InvalidNetworkInsightsPathId.NotFound"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&MaxResults=101")),
            "InvalidParameterValue"
        );
        unknown_filter(&b, describe);
        assert!(all(&ok(&b, OTHER, describe), "networkInsightsPathId").is_empty());
        let listed = ok(
            &b,
            ME,
            &format!(
                "{describe}&Filter.1.Name=filter-at-source.destination-address&Filter.1.Value.1=10.0.1.5"
            ),
        );
        assert_eq!(all(&listed, "networkInsightsPathId"), [id.as_str()]);
        let none = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=protocol&Filter.1.Value.1=udp"),
        );
        assert!(all(&none, "networkInsightsPathId").is_empty(), "{none}");

        let delete = "Action=DeleteNetworkInsightsPath";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&NetworkInsightsPathId=vpc-1")),
            "InvalidNetworkInsightsPathId.Malformed"
        );
        let by_id = format!("{delete}&NetworkInsightsPathId={id}");
        assert_eq!(
            error(&b, OTHER, &by_id),
            "InvalidNetworkInsightsPathId.NotFound"
        );
        let dry = call(&b, ME, &format!("{by_id}&DryRun=true"));
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        assert_eq!(
            all(&ok(&b, ME, &by_id), "networkInsightsPathId"),
            [id.as_str()]
        );
        assert_eq!(
            error(&b, ME, &by_id),
            "InvalidNetworkInsightsPathId.NotFound"
        );
    }

    #[test]
    fn analyses_decode_and_map_errors() {
        let b = Fake::default();
        let g = igw(&b);
        let p = path(&b, &g);
        let start = "Action=StartNetworkInsightsAnalysis";
        assert_eq!(error(&b, ME, start), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{start}&NetworkInsightsPathId=nia-1")),
            "InvalidNetworkInsightsPathId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{start}&NetworkInsightsPathId=nip-0123456789abcdef0")
            ),
            "InvalidNetworkInsightsPathId.NotFound"
        );
        let by_path = format!("{start}&NetworkInsightsPathId={p}");
        assert_eq!(
            error(&b, OTHER, &by_path),
            "InvalidNetworkInsightsPathId.NotFound"
        );
        let dry = call(&b, ME, &format!("{by_path}&DryRun=true"));
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        let started = ok(&b, ME, &by_path);
        let [id] = all(&started, "networkInsightsAnalysisId")
            .try_into()
            .unwrap();
        assert!(id.starts_with("nia-"), "{id}");
        assert_eq!(all(&started, "networkInsightsPathId"), [p.as_str()]);
        assert_eq!(all(&started, "status"), ["running"]);
        assert!(!started.contains("<networkPathFound>"), "{started}");

        let describe = "Action=DescribeNetworkInsightsAnalyses";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&NetworkInsightsAnalysisId.1=nip-1")
            ),
            "InvalidNetworkInsightsAnalysisId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&NetworkInsightsPathId=nia-1")),
            "InvalidNetworkInsightsPathId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&AnalysisStartTime=yesterday")),
            "InvalidParameterValue"
        );
        unknown_filter(&b, describe);
        assert!(all(&ok(&b, OTHER, describe), "networkInsightsAnalysisId").is_empty());
        let listed = ok(
            &b,
            ME,
            &format!(
                "{describe}&NetworkInsightsPathId={p}&Filter.1.Name=status&Filter.1.Value.1=succeeded"
            ),
        );
        assert_eq!(all(&listed, "networkInsightsAnalysisId"), [id.as_str()]);
        assert_eq!(all(&listed, "status"), ["succeeded"]);
        assert_eq!(all(&listed, "networkPathFound").len(), 1, "{listed}");

        let delete = "Action=DeleteNetworkInsightsAnalysis";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&NetworkInsightsAnalysisId=nip-1")),
            "InvalidNetworkInsightsAnalysisId.Malformed"
        );
        let by_id = format!("{delete}&NetworkInsightsAnalysisId={id}");
        assert_eq!(
            error(&b, OTHER, &by_id),
            "InvalidNetworkInsightsAnalysisId.NotFound"
        );
        let dry = call(&b, ME, &format!("{by_id}&DryRun=true"));
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        assert_eq!(
            all(&ok(&b, ME, &by_id), "networkInsightsAnalysisId"),
            [id.as_str()]
        );
        assert!(all(&ok(&b, ME, describe), "networkInsightsAnalysisId").is_empty());
    }
}
