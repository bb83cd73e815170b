//! VPC endpoints (Create/Modify/Delete/DescribeVpcEndpoints) and the consumer's view of
//! endpoint services (DescribeVpcEndpointServices), docs/aws-semantics.md §2–§5.

use super::describe::Describe;
use super::filter::Bounds;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Catalog, Command, CreateVpcEndpoint, EndpointService, EndpointState, EndpointTypeWire, Model,
    ModifyVpcEndpoint, RouteTableId, SecurityGroup, SecurityGroupId, SubnetId, VpcEndpoint,
    VpcEndpointId, VpcId,
};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;
use std::net::Ipv4Addr;

const FILTERS: &[&str] = &[
    "ip-address-type",
    "service-name",
    "service-region",
    "vpc-id",
    "vpc-endpoint-id",
    "vpc-endpoint-state",
    "vpc-endpoint-type",
];

const SERVICE_FILTERS: &[&str] = &[
    "owner",
    "service-name",
    "service-region",
    "service-type",
    "supported-ip-address-types",
];

fn write_endpoint(
    w: &mut XmlWriter,
    model: &Model,
    catalog: &Catalog,
    e: &VpcEndpoint,
    state: EndpointState,
) {
    w.leaf("vpcEndpointId", e.id.as_str())
        .leaf("vpcEndpointType", e.endpoint_type.as_str())
        .leaf("vpcId", e.vpc_id.as_str())
        .leaf("serviceName", &e.service_name)
        .leaf("state", state.as_str())
        .leaf_opt("policyDocument", e.policy.as_deref());
    w.list("routeTableIdSet", &e.route_table_ids, |w, t| {
        w.text(t.as_str());
    });
    w.list("subnetIdSet", &e.subnet_ids, |w, s| {
        w.text(s.as_str());
    });
    w.list("groupSet", &e.groups, |w, g| {
        let name = model.any::<SecurityGroup>(g).map(|g| g.name.as_str());
        w.leaf("groupId", g.as_str()).leaf_opt("groupName", name);
    });
    w.leaf("ipAddressType", &e.ip_address_type);
    if e.endpoint_type != EndpointTypeWire::GatewayLoadBalancer {
        w.node("dnsOptions", |w| {
            w.leaf("dnsRecordIpType", &e.dns_record_ip_type);
            if let Some(v) = e.private_dns_only_for_inbound_resolver_endpoint {
                w.bool("privateDnsOnlyForInboundResolverEndpoint", v);
            }
        });
    }
    w.bool("privateDnsEnabled", e.private_dns_enabled)
        .bool("requesterManaged", false);
    w.list("networkInterfaceIdSet", &e.network_interface_ids, |w, n| {
        w.text(n.as_str());
    });
    w.list(
        "dnsEntrySet",
        model.endpoint_dns_entries(catalog, e, state),
        |w, d| {
            w.leaf("dnsName", &d.dns_name)
                .leaf("hostedZoneId", &d.hosted_zone_id);
        },
    );
    w.leaf("creationTimestamp", &iso8601_millis(e.created.0));
    super::tags::write_tag_set_always(w, &e.tags);
    w.leaf("ownerId", e.scope.account.as_str())
        .leaf("serviceRegion", &e.scope.region);
}

/// `SubnetConfiguration.N.{SubnetId,Ipv4,Ipv6}`: caller-chosen addresses (IPv4 only here).
fn subnet_ips(p: &Input<'_>) -> Result<Vec<(SubnetId, Ipv4Addr)>, ApiError> {
    let mut out = Vec::new();
    for c in p.params().structs("SubnetConfiguration") {
        let subnet = SubnetId::parse(
            c.get("SubnetId")
                .ok_or_else(|| ApiError::missing("SubnetConfiguration.N.SubnetId"))?,
        )?;
        if c.get("Ipv6").is_some() {
            return Err(ApiError::not_emulated(
                "IPv6 addresses of endpoint interfaces (SubnetConfiguration.N.Ipv6)",
            ));
        }
        if let Some(v) = c.get("Ipv4") {
            let ip: Ipv4Addr = v.parse().map_err(|_| {
                ApiError::invalid_value(format!(
                    "Invalid IPv4 address '{v}' in SubnetConfiguration"
                ))
            })?;
            out.push((subnet, ip));
        }
    }
    Ok(out)
}

fn dns_options(p: &Input<'_>) -> Result<(Option<String>, Option<bool>), ApiError> {
    let Some(opts) = p.params().nested("DnsOptions") else {
        return Ok((None, None));
    };
    if opts.get("PrivateDnsPreference").is_some()
        || !opts.list("PrivateDnsSpecifiedDomain").is_empty()
    {
        return Err(ApiError::not_emulated(
            "Resource and ServiceNetwork endpoints, to which PrivateDnsPreference and PrivateDnsSpecifiedDomains apply",
        ));
    }
    let inbound = Input::new(&opts).bool("PrivateDnsOnlyForInboundResolverEndpoint")?;
    Ok((opts.get("DnsRecordIpType").map(str::to_owned), inbound))
}

/// VPC Lattice and cross-Region PrivateLink are out of scope (docs/aws-semantics.md §11): refused by name.
fn refuse_out_of_scope(p: &Input<'_>, region: &str) -> Result<(), ApiError> {
    for name in ["ServiceNetworkArn", "ResourceConfigurationArn"] {
        if p.opt(name).is_some() {
            return Err(ApiError::not_emulated(format!(
                "{name}: VPC Lattice endpoints (Resource, ServiceNetwork)"
            )));
        }
    }
    if let Some(r) = p.opt("ServiceRegion").filter(|r| *r != region) {
        return Err(ApiError::not_emulated(format!(
            "ServiceRegion {r}: cross-Region endpoints"
        )));
    }
    Ok(())
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    refuse_out_of_scope(p, &op.ctx.scope.region)?;
    let (dns_record_ip_type, inbound_only) = dns_options(p)?;
    let input = CreateVpcEndpoint {
        vpc_id: Some(VpcId::parse(p.required("VpcId")?)?),
        service_name: p.required("ServiceName")?.to_owned(),
        endpoint_type: p.opt("VpcEndpointType").map(str::to_owned),
        policy: p.opt("PolicyDocument").map(str::to_owned),
        route_table_ids: p.ids("RouteTableId", RouteTableId::parse)?,
        subnet_ids: p.ids("SubnetId", SubnetId::parse)?,
        security_group_ids: p.ids("SecurityGroupId", SecurityGroupId::parse)?,
        ip_address_type: p.opt("IpAddressType").map(str::to_owned),
        dns_record_ip_type,
        private_dns_only_for_inbound_resolver_endpoint: inbound_only,
        private_dns_enabled: p.bool("PrivateDnsEnabled")?,
        subnet_ips: subnet_ips(p)?,
        client_token: p.opt("ClientToken").map(str::to_owned),
        tag_specifications: p.tag_specifications()?,
    };
    let e: VpcEndpoint = op.run_as(Command::CreateVpcEndpoint(input)).await?;
    {
        let model = op.snapshot();
        let catalog = op.backend.catalog();
        // AWS answers an interface endpoint as `pending` (private DNS zone id
        // `ZONEIDPENDING`); the next Describe shows it `available`.
        let state = match (e.endpoint_type, e.state) {
            (EndpointTypeWire::Gateway, s) => s,
            (_, EndpointState::Available) => EndpointState::Pending,
            (_, s) => s,
        };
        op.respond(|w| {
            w.node("vpcEndpoint", |w| {
                write_endpoint(w, &model, catalog, &e, state)
            });
            w.leaf_opt("clientToken", p.opt("ClientToken"));
        })
    }
}

pub(super) async fn modify<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let (dns_record_ip_type, inbound_only) = dns_options(p)?;
    let input = ModifyVpcEndpoint {
        id: Some(VpcEndpointId::parse(p.required("VpcEndpointId")?)?),
        reset_policy: p.bool("ResetPolicy")?.unwrap_or(false),
        policy: p.opt("PolicyDocument").map(str::to_owned),
        add_route_table_ids: p.ids("AddRouteTableId", RouteTableId::parse)?,
        remove_route_table_ids: p.ids("RemoveRouteTableId", RouteTableId::parse)?,
        add_subnet_ids: p.ids("AddSubnetId", SubnetId::parse)?,
        remove_subnet_ids: p.ids("RemoveSubnetId", SubnetId::parse)?,
        add_security_group_ids: p.ids("AddSecurityGroupId", SecurityGroupId::parse)?,
        remove_security_group_ids: p.ids("RemoveSecurityGroupId", SecurityGroupId::parse)?,
        ip_address_type: p.opt("IpAddressType").map(str::to_owned),
        dns_record_ip_type,
        private_dns_only_for_inbound_resolver_endpoint: inbound_only,
        private_dns_enabled: p.bool("PrivateDnsEnabled")?,
        subnet_ips: subnet_ips(p)?,
    };
    op.run(Command::ModifyVpcEndpoint(input)).await?;
    op.respond_true()
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = op.params.ids("VpcEndpointId", VpcEndpointId::parse)?;
    if ids.is_empty() {
        return Err(ApiError::missing("VpcEndpointId"));
    }
    let failed: Vec<(String, &'static str, String)> =
        op.run_as(Command::DeleteVpcEndpoints { ids }).await?;
    op.respond(|w| {
        super::write_unsuccessful(w, &failed);
    })
}

/// DescribeVpcEndpoints' `MaxResults`: 1–1000, and AWS caps larger values rather than
/// refusing them (docs/aws-semantics.md §10.1).
const BOUNDS: Bounds = Bounds { min: 1, max: 1000 };

fn filter_values(e: &VpcEndpoint, name: &str) -> Vec<String> {
    match name {
        "ip-address-type" => vec![e.ip_address_type.clone()],
        "service-name" => vec![e.service_name.clone()],
        "service-region" => vec![e.scope.region.clone()],
        "vpc-id" => vec![e.vpc_id.to_string()],
        "vpc-endpoint-id" => vec![e.id.to_string()],
        "vpc-endpoint-state" => vec![e.state.as_str().to_owned()],
        "vpc-endpoint-type" => vec![e.endpoint_type.as_str().to_owned()],
        _ => Vec::new(),
    }
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    let catalog = op.backend.catalog();
    op.describe("VpcEndpointId", VpcEndpointId::parse)?
        .filters(FILTERS, true)?
        .paged(&BOUNDS)?
        .capped(BOUNDS.max)
        .answer_with_model(
            "vpcEndpointSet",
            |_, e, name| filter_values(e, name),
            |w, model, e| write_endpoint(w, model, catalog, e, e.state),
        )
}

/// The sort and pagination key: name, then type. `\u{1}` sorts before every name
/// character, so `…ec2` comes before `…ec2messages` as in a plain name sort.
fn service_key(s: &EndpointService) -> String {
    format!("{}\u{1}{}", s.name, s.endpoint_type.as_str())
}

pub(super) fn describe_services<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let names = p.list("ServiceName");
    let regions = p.list("ServiceRegion");
    // The model gives MaxResults no range; AWS documents only that more than 1,000 returns
    // 1,000 (so 1–4 are taken too, unlike most Describes' 5–1000).
    let describe = Describe::new(op)
        .filters(SERVICE_FILTERS, true)?
        .paged(&BOUNDS)?
        .capped(BOUNDS.max);
    let model = describe.snapshot()?;
    let catalog = op.backend.catalog();
    let scope = &op.ctx.scope;
    let all = model.endpoint_services(catalog, scope);
    for name in &names {
        if !all.iter().any(|s| s.name == *name) {
            return Err(localvpc_model::ModelError::InvalidServiceName {
                name: (*name).to_owned(),
            }
            .into());
        }
    }
    let zones = catalog.zones(&scope.account, &scope.region);
    let mut matching: Vec<EndpointService> = all
        .into_iter()
        .filter(|s| names.is_empty() || names.contains(&s.name.as_str()))
        .filter(|s| regions.is_empty() || regions.contains(&s.region.as_str()))
        .filter(|s| {
            describe.matches(Some(&s.tags), |f| match f {
                "owner" => vec![s.owner.clone()],
                "service-name" => vec![s.name.clone()],
                "service-region" => vec![s.region.clone()],
                "service-type" => vec![s.endpoint_type.as_str().to_owned()],
                "supported-ip-address-types" => s.ip_address_types.clone(),
                _ => Vec::new(),
            })
        })
        .collect();
    matching.sort_by_key(service_key);
    let keyed: Vec<(String, EndpointService)> =
        matching.into_iter().map(|s| (service_key(&s), s)).collect();
    describe.respond_with(
        keyed,
        |(k, _)| k.as_str(),
        |w, page| {
            w.list("serviceNameSet", &page, |w, (_, s)| {
                w.text(&s.name);
            });
            w.list("serviceDetailSet", &page, |w, (_, s)| {
                let offered: Vec<_> = zones
                    .iter()
                    .filter(|z| s.zone_ids.contains(&z.id))
                    .collect();
                w.leaf("serviceName", &s.name).leaf("serviceId", &s.id);
                w.list("serviceType", [s.endpoint_type], |w, t| {
                    w.leaf("serviceType", t.as_str());
                });
                w.leaf("serviceRegion", &s.region);
                w.list("availabilityZoneIdSet", &offered, |w, z| {
                    w.text(&z.id);
                });
                w.list("availabilityZoneSet", &offered, |w, z| {
                    w.text(&z.name);
                });
                w.leaf("owner", &s.owner);
                w.list(
                    "baseEndpointDnsNameSet",
                    &s.base_endpoint_dns_names,
                    |w, n| {
                        w.text(n);
                    },
                );
                w.leaf_opt(
                    "privateDnsName",
                    s.private_dns_names.first().map(String::as_str),
                );
                if !s.private_dns_names.is_empty() {
                    w.list("privateDnsNameSet", &s.private_dns_names, |w, n| {
                        w.leaf("privateDnsName", n);
                    });
                }
                w.bool("vpcEndpointPolicySupported", s.policy_supported)
                    .bool("acceptanceRequired", s.acceptance_required)
                    .bool("managesVpcEndpoints", false);
                super::tags::write_tag_set_always(w, &s.tags);
                if !s.private_dns_names.is_empty() {
                    w.leaf("privateDnsNameVerificationState", "verified");
                }
                w.list("supportedIpAddressTypeSet", &s.ip_address_types, |w, t| {
                    w.text(t);
                });
            });
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, call, error, new_vpc, ok};

    const S3: &str = "com.amazonaws.ap-northeast-1.s3";

    fn gateway(b: &Fake, vpc: &str) -> String {
        let body = ok(
            b,
            ME,
            &format!(
                "Action=CreateVpcEndpoint&VpcId={vpc}&ServiceName={S3}&VpcEndpointType=Gateway"
            ),
        );
        all(&body, "vpcEndpointId").remove(0)
    }

    #[test]
    fn create_decodes_and_maps_errors() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let create = |rest: &str| format!("Action=CreateVpcEndpoint{rest}");
        assert_eq!(
            error(&b, ME, &create(&format!("&ServiceName={S3}"))),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &create(&format!("&VpcId={v}"))),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!("&VpcId=subnet-1&ServiceName={S3}"))
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!("&VpcId=vpc-0123456789abcdef0&ServiceName={S3}"))
            ),
            "InvalidVpcID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &create(&format!("&VpcId={v}&ServiceName={S3}"))),
            "InvalidVpcID.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!("&VpcId={v}&ServiceName=com.amazonaws.nowhere.s3x"))
            ),
            "InvalidServiceName"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!(
                    "&VpcId={v}&ServiceName={S3}&RouteTableId.1=subnet-1"
                ))
            ),
            "InvalidRouteTableId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!(
                    "&VpcId={v}&ServiceName={S3}&PrivateDnsEnabled=maybe"
                ))
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!(
                    "&VpcId={v}&ServiceName={S3}&ServiceNetworkArn=arn:aws:x"
                ))
            ),
            "UnsupportedOperation"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create(&format!(
                    "&VpcId={v}&ServiceName={S3}&SubnetConfiguration.1.Ipv4=10.0.1.5"
                ))
            ),
            "MissingParameter"
        );
        let dry = call(
            &b,
            ME,
            &create(&format!("&VpcId={v}&ServiceName={S3}&DryRun=true")),
        );
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        assert!(all(&ok(&b, ME, "Action=DescribeVpcEndpoints"), "vpcEndpointId").is_empty());

        let body = ok(
            &b,
            ME,
            &create(&format!(
                "&VpcId={v}&ServiceName={S3}&VpcEndpointType=Gateway&ClientToken=tok-1"
            )),
        );
        let [id] = all(&body, "vpcEndpointId").try_into().unwrap();
        assert!(id.starts_with("vpce-"), "{id}");
        assert_eq!(all(&body, "vpcEndpointType"), ["Gateway"]);
        assert_eq!(all(&body, "vpcId"), [v.as_str()]);
        assert_eq!(all(&body, "serviceName"), [S3]);
        assert_eq!(all(&body, "state"), ["available"]);
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert_eq!(all(&body, "serviceRegion"), ["ap-northeast-1"]);
        assert_eq!(all(&body, "clientToken"), ["tok-1"]);
        assert_eq!(all(&body, "requesterManaged"), ["false"]);
    }

    #[test]
    fn modify_decodes_and_maps_errors() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let id = gateway(&b, &v);
        assert_eq!(
            error(&b, ME, "Action=ModifyVpcEndpoint"),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, "Action=ModifyVpcEndpoint&VpcEndpointId=vpc-1"),
            "InvalidVpcEndpointId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=ModifyVpcEndpoint&VpcEndpointId=vpce-0123456789abcdef0"
            ),
            "InvalidVpcEndpointId.NotFound"
        );
        let modify = format!("Action=ModifyVpcEndpoint&VpcEndpointId={id}");
        assert_eq!(error(&b, OTHER, &modify), "InvalidVpcEndpointId.NotFound");
        assert_eq!(
            error(&b, ME, &format!("{modify}&ResetPolicy=yes")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&AddRouteTableId.1=vpc-1")),
            "InvalidRouteTableId.Malformed"
        );
        let dry = call(&b, ME, &format!("{modify}&ResetPolicy=true&DryRun=true"));
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        assert_eq!(
            all(&ok(&b, ME, &format!("{modify}&ResetPolicy=true")), "return"),
            ["true"]
        );
    }

    #[test]
    fn delete_and_describe() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let id = gateway(&b, &v);
        assert_eq!(
            error(&b, ME, "Action=DeleteVpcEndpoints"),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, "Action=DeleteVpcEndpoints&VpcEndpointId.1=vpc-1"),
            "InvalidVpcEndpointId.Malformed"
        );
        assert_eq!(
            error(&b, ME, "Action=DescribeVpcEndpoints&VpcEndpointId.1=vpc-1"),
            "InvalidVpcEndpointId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeVpcEndpoints&VpcEndpointId.1=vpce-0123456789abcdef0"
            ),
            "InvalidVpcEndpointId.NotFound"
        );
        assert_eq!(
            error(&b, ME, "Action=DescribeVpcEndpoints&MaxResults=0"),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeVpcEndpoints&Filter.1.Name=bogus&Filter.1.Value.1=x"
            ),
            "InvalidParameterValue"
        );
        assert!(
            all(
                &ok(&b, OTHER, "Action=DescribeVpcEndpoints"),
                "vpcEndpointId"
            )
            .is_empty()
        );
        let listed = ok(
            &b,
            ME,
            &format!("Action=DescribeVpcEndpoints&Filter.1.Name=vpc-id&Filter.1.Value.1={v}"),
        );
        assert_eq!(all(&listed, "vpcEndpointId"), [id.as_str()]);
        assert_eq!(all(&listed, "serviceName"), [S3]);

        // Another account's endpoint: the delete fails per item.
        let other = ok(
            &b,
            OTHER,
            &format!("Action=DeleteVpcEndpoints&VpcEndpointId.1={id}"),
        );
        assert_eq!(all(&other, "resourceId"), [id.as_str()]);
        assert_eq!(all(&other, "code"), ["InvalidVpcEndpointId.NotFound"]);
        let dry = call(
            &b,
            ME,
            &format!("Action=DeleteVpcEndpoints&VpcEndpointId.1={id}&DryRun=true"),
        );
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        let deleted = ok(
            &b,
            ME,
            &format!("Action=DeleteVpcEndpoints&VpcEndpointId.1={id}"),
        );
        assert!(deleted.contains("<unsuccessful/>"), "{deleted}");
    }

    #[test]
    fn describe_services_decodes_and_maps_errors() {
        let b = Fake::default();
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeVpcEndpointServices&ServiceName.1=com.amazonaws.nowhere.x"
            ),
            "InvalidServiceName"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeVpcEndpointServices&Filter.1.Name=bogus&Filter.1.Value.1=x"
            ),
            "InvalidParameterValue"
        );
        let dry = call(&b, ME, "Action=DescribeVpcEndpointServices&DryRun=true");
        assert_eq!(dry.status, 412, "{}", dry.body);
        assert_eq!(all(&dry.body, "Code"), ["DryRunOperation"]);
        let body = ok(
            &b,
            ME,
            &format!("Action=DescribeVpcEndpointServices&ServiceName.1={S3}"),
        );
        assert!(all(&body, "serviceName").iter().all(|n| n == S3), "{body}");
        assert!(body.contains(&format!("<item>{S3}</item>")), "{body}");
        assert!(
            body.contains("<serviceType><item><serviceType>Gateway</serviceType></item>"),
            "{body}"
        );
        assert!(all(&body, "owner").iter().all(|o| o == "amazon"), "{body}");
    }
}
