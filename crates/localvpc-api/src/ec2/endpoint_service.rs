//! Endpoint services, provider side (docs/aws-semantics.md §5.1–§5.4): service configurations, permissions,
//! connections (accept/reject) and connection notifications.

use super::describe::Describe;
use super::filter::Bounds;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, ConnectionNotification, ConnectionNotificationId, CreateEndpointService,
    EndpointTypeWire, LoadBalancer, LoadBalancerArn, Model, ModelError, ModifyEndpointService,
    Scope, VpcEndpointId, VpcEndpointServiceConfiguration, VpcEndpointServiceId,
};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;

const SERVICE_FILTERS: &[&str] = &[
    "service-name",
    "service-id",
    "service-state",
    "supported-ip-address-types",
];

const CONNECTION_FILTERS: &[&str] = &[
    "ip-address-type",
    "service-id",
    "vpc-endpoint-owner",
    "vpc-endpoint-region",
    "vpc-endpoint-state",
    "vpc-endpoint-id",
];

const NOTIFICATION_FILTERS: &[&str] = &[
    "connection-notification-arn",
    "connection-notification-id",
    "connection-notification-state",
    "connection-notification-type",
    "service-id",
    "vpc-endpoint-id",
];

const BOUNDS: Bounds = Bounds { min: 1, max: 1000 };

fn lb_arns(p: &Input<'_>, name: &str, gateway: bool) -> Result<Vec<LoadBalancerArn>, ApiError> {
    p.list(name)
        .into_iter()
        .map(|a| {
            LoadBalancerArn::parse(a).map_err(|_| {
                ModelError::LoadBalancerArnMalformed {
                    gateway,
                    arn: a.to_owned(),
                }
                .into()
            })
        })
        .collect()
}

fn service_id(p: &Input<'_>) -> Result<VpcEndpointServiceId, ApiError> {
    Ok(VpcEndpointServiceId::parse(p.required("ServiceId")?)?)
}

fn write_service(w: &mut XmlWriter, model: &Model, s: &VpcEndpointServiceConfiguration) {
    let zone_ids = model.endpoint_service_zone_ids(s);
    let zone_names: Vec<String> = s
        .load_balancer_arns
        .iter()
        .filter_map(|a| model.any::<LoadBalancer>(a))
        .flat_map(|lb| lb.zones.iter().map(|z| z.zone_name.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    w.list("serviceType", [s.service_type], |w, t| {
        w.leaf("serviceType", t.as_str());
    });
    w.leaf("serviceId", s.id.as_str())
        .leaf("serviceName", &s.service_name())
        .leaf("serviceState", "Available");
    w.list("availabilityZoneIdSet", &zone_ids, |w, z| {
        w.text(z);
    });
    w.list("availabilityZoneSet", &zone_names, |w, z| {
        w.text(z);
    });
    w.bool("acceptanceRequired", s.acceptance_required)
        .bool("managesVpcEndpoints", false);
    let (nlbs, gwlbs): (Vec<&LoadBalancerArn>, Vec<&LoadBalancerArn>) = s
        .load_balancer_arns
        .iter()
        .partition(|_| s.service_type != EndpointTypeWire::GatewayLoadBalancer);
    if !nlbs.is_empty() {
        w.list("networkLoadBalancerArnSet", nlbs, |w, a| {
            w.text(a.as_str());
        });
    }
    if !gwlbs.is_empty() {
        w.list("gatewayLoadBalancerArnSet", gwlbs, |w, a| {
            w.text(a.as_str());
        });
    }
    w.list(
        "supportedIpAddressTypeSet",
        &s.supported_ip_address_types,
        |w, t| {
            w.text(t);
        },
    );
    w.list(
        "baseEndpointDnsNameSet",
        [s.base_endpoint_dns_name()],
        |w, n| {
            w.text(&n);
        },
    );
    w.leaf_opt("privateDnsName", s.private_dns_name.as_deref());
    if let Some(v) = &s.private_dns_verification {
        w.node("privateDnsNameConfiguration", |w| {
            w.leaf("state", &v.state)
                .leaf("type", "TXT")
                .leaf("value", &v.value)
                .leaf("name", &v.name);
        });
    }
    w.leaf("payerResponsibility", "ServiceOwner");
    super::tags::write_tag_set_always(w, &s.tags);
    w.list("supportedRegionSet", [s.scope.region.as_str()], |w, r| {
        w.leaf("region", r).leaf("serviceState", "Available");
    });
    w.bool("remoteAccessEnabled", false);
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    for r in p.list("SupportedRegion") {
        if r != op.ctx.scope.region {
            return Err(ApiError::not_emulated(format!(
                "SupportedRegion {r}: cross-Region endpoint services"
            )));
        }
    }
    let input = CreateEndpointService {
        network_load_balancer_arns: lb_arns(p, "NetworkLoadBalancerArn", false)?,
        gateway_load_balancer_arns: lb_arns(p, "GatewayLoadBalancerArn", true)?,
        acceptance_required: p.bool("AcceptanceRequired")?,
        private_dns_name: p.opt("PrivateDnsName").map(str::to_owned),
        supported_ip_address_types: p
            .list("SupportedIpAddressType")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        tag_specifications: p.tag_specifications()?,
    };
    let s = op.run_as(Command::CreateEndpointService(input)).await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("serviceConfiguration", |w| write_service(w, &model, &s));
            w.leaf_opt("clientToken", p.opt("ClientToken"));
        })
    }
}

pub(super) async fn modify<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    if !p.list("AddSupportedRegion").is_empty() || !p.list("RemoveSupportedRegion").is_empty() {
        return Err(ApiError::not_emulated(
            "Supported regions: cross-Region endpoint services",
        ));
    }
    let mut add = lb_arns(p, "AddNetworkLoadBalancerArn", false)?;
    add.extend(lb_arns(p, "AddGatewayLoadBalancerArn", true)?);
    let mut remove = lb_arns(p, "RemoveNetworkLoadBalancerArn", false)?;
    remove.extend(lb_arns(p, "RemoveGatewayLoadBalancerArn", true)?);
    let strings =
        |name: &str| -> Vec<String> { p.list(name).into_iter().map(str::to_owned).collect() };
    let input = ModifyEndpointService {
        id: service_id(p)?,
        private_dns_name: p.opt("PrivateDnsName").map(str::to_owned),
        remove_private_dns_name: p.bool("RemovePrivateDnsName")?.unwrap_or(false),
        acceptance_required: p.bool("AcceptanceRequired")?,
        add_load_balancer_arns: add,
        remove_load_balancer_arns: remove,
        add_ip_address_types: strings("AddSupportedIpAddressType"),
        remove_ip_address_types: strings("RemoveSupportedIpAddressType"),
    };
    op.run(Command::ModifyEndpointService(input)).await?;
    op.respond_true()
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = op
        .params
        .list("ServiceId")
        .into_iter()
        .map(VpcEndpointServiceId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err(ApiError::missing("ServiceId"));
    }
    let failed: Vec<(String, &'static str, String)> =
        op.run_as(Command::DeleteEndpointServices { ids }).await?;
    op.respond(|w| super::write_unsuccessful(w, &failed))
}

fn service_values(s: &VpcEndpointServiceConfiguration, name: &str) -> Vec<String> {
    match name {
        "service-name" => vec![s.service_name()],
        "service-id" => vec![s.id.to_string()],
        "service-state" => vec!["Available".to_owned()],
        "supported-ip-address-types" => s.supported_ip_address_types.clone(),
        _ => Vec::new(),
    }
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("ServiceId", VpcEndpointServiceId::parse)?
        .filters(SERVICE_FILTERS, true)?
        .paged(&BOUNDS)?
        .answer_with_model(
            "serviceConfigurationSet",
            |_, s, name| service_values(s, name),
            write_service,
        )
}

pub(super) async fn modify_permissions<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let id = service_id(p)?;
    let strings =
        |name: &str| -> Vec<String> { p.list(name).into_iter().map(str::to_owned).collect() };
    let command = Command::ModifyEndpointServicePermissions {
        id: id.clone(),
        add: strings("AddAllowedPrincipals"),
        remove: strings("RemoveAllowedPrincipals"),
    };
    let added: Vec<localvpc_model::AllowedPrincipal> = op.run_as(command).await?;
    op.respond(|w| {
        if !added.is_empty() {
            w.list("addedPrincipalSet", &added, |w, a| {
                w.leaf("principalType", a.principal_type())
                    .leaf("principal", &a.principal)
                    .leaf("servicePermissionId", &a.id)
                    .leaf("serviceId", id.as_str());
            });
        }
        w.bool("return", true);
    })
}

pub(super) fn describe_permissions<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = service_id(&op.params)?;
    let describe = Describe::new(op)
        .filters(&["principal", "principal-type"], false)?
        .paged(&BOUNDS)?;
    let model = describe.snapshot()?;
    let s = model.get::<VpcEndpointServiceConfiguration>(&op.ctx.scope, &id)?;
    let mut chosen: Vec<_> = s
        .allowed_principals
        .iter()
        .filter(|a| {
            describe.matches(None, |f| match f {
                "principal" => vec![a.principal.clone()],
                "principal-type" => vec![a.principal_type().to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    chosen.sort_by(|a, b| a.id.cmp(&b.id));
    describe.respond(
        "allowedPrincipals",
        chosen,
        |a| a.id.as_str(),
        |w, a| {
            w.leaf("principalType", a.principal_type())
                .leaf("principal", &a.principal)
                .leaf("servicePermissionId", &a.id);
            w.list("tagSet", Vec::<()>::new(), |_, ()| {});
            w.leaf("serviceId", id.as_str());
        },
    )
}

/// The provider's view of the endpoints connected to its services.
pub(super) fn describe_connections<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = Describe::new(op)
        .filters(CONNECTION_FILTERS, false)?
        .paged(&BOUNDS)?;
    let model = describe.snapshot()?;
    let catalog = op.backend.catalog();
    let scope = &op.ctx.scope;
    let mut rows = Vec::new();
    for s in model.in_scope::<VpcEndpointServiceConfiguration>(scope) {
        for e in model.endpoint_connections(s) {
            let keep = describe.matches(None, |f| match f {
                "ip-address-type" => vec![e.ip_address_type.clone()],
                "service-id" => vec![s.id.to_string()],
                "vpc-endpoint-owner" => vec![e.scope.account.to_string()],
                "vpc-endpoint-region" => vec![e.scope.region.clone()],
                "vpc-endpoint-state" => vec![e.state.as_str().to_owned()],
                "vpc-endpoint-id" => vec![e.id.to_string()],
                _ => Vec::new(),
            });
            if keep {
                rows.push((s, e));
            }
        }
    }
    rows.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    describe.respond(
        "vpcEndpointConnectionSet",
        rows,
        |(_, e)| e.id.as_str(),
        |w, (s, e)| {
            w.leaf("serviceId", s.id.as_str())
                .leaf("vpcEndpointId", e.id.as_str())
                .leaf("vpcEndpointOwner", e.scope.account.as_str())
                .leaf("vpcEndpointState", e.state.as_str())
                .leaf("creationTimestamp", &iso8601_millis(e.created.0));
            w.list(
                "dnsEntrySet",
                model.endpoint_dns_entries(catalog, e, e.state),
                |w, d| {
                    w.leaf("dnsName", &d.dns_name)
                        .leaf("hostedZoneId", &d.hosted_zone_id);
                },
            );
            let tag = if s.service_type == EndpointTypeWire::GatewayLoadBalancer {
                "gatewayLoadBalancerArnSet"
            } else {
                "networkLoadBalancerArnSet"
            };
            w.list(tag, &s.load_balancer_arns, |w, a| {
                w.text(a.as_str());
            });
            w.leaf("ipAddressType", &e.ip_address_type).leaf(
                "vpcEndpointConnectionId",
                &format!("vpce-con-{}", e.id.as_str().trim_start_matches("vpce-")),
            );
            w.list("tagSet", Vec::<()>::new(), |_, ()| {});
            w.leaf("vpcEndpointRegion", &e.scope.region);
        },
    )
}

pub(super) async fn answer_connections<B: Backend>(op: &Op<'_, B>, accept: bool) -> Body {
    let p = &op.params;
    let id = service_id(p)?;
    let endpoints = p
        .list("VpcEndpointId")
        .into_iter()
        .map(VpcEndpointId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if endpoints.is_empty() {
        return Err(ApiError::missing("VpcEndpointId"));
    }
    let failed: Vec<(String, &'static str, String)> = op
        .run_as(Command::AnswerEndpointConnections {
            id,
            endpoints,
            accept,
        })
        .await?;
    op.respond(|w| super::write_unsuccessful(w, &failed))
}

pub(super) async fn start_private_dns_verification<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = service_id(&op.params)?;
    op.check_dry_run()?;
    let model = op.snapshot();
    let s = model.get::<VpcEndpointServiceConfiguration>(&op.ctx.scope, &id)?;
    if s.private_dns_name.is_none() {
        return Err(ModelError::InvalidParameter {
            message: format!("The service {id} has no private DNS name to verify"),
        }
        .into());
    }
    // The TXT lookup needs public hosted zones (Route 53, a later issue): the state stays
    // `pendingVerification` until then (docs/aws-choices.md).
    op.respond_true()
}

fn write_notification(w: &mut XmlWriter, scope: &Scope, n: &ConnectionNotification) {
    w.leaf("connectionNotificationId", n.id.as_str())
        .leaf_opt(
            "serviceId",
            n.service_id.as_ref().map(VpcEndpointServiceId::as_str),
        )
        .leaf_opt(
            "vpcEndpointId",
            n.vpc_endpoint_id.as_ref().map(VpcEndpointId::as_str),
        )
        .leaf("connectionNotificationType", "Topic")
        .leaf("connectionNotificationArn", &n.topic_arn);
    w.list("connectionEvents", &n.events, |w, e| {
        w.text(e);
    });
    w.leaf(
        "connectionNotificationState",
        if n.enabled { "Enabled" } else { "Disabled" },
    )
    .leaf("serviceRegion", &scope.region);
}

fn events(p: &Input<'_>) -> Vec<String> {
    let list = p.list("ConnectionEvents");
    list.into_iter().map(str::to_owned).collect()
}

pub(super) async fn create_notification<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let command = Command::CreateConnectionNotification {
        service_id: p
            .opt("ServiceId")
            .map(VpcEndpointServiceId::parse)
            .transpose()?,
        vpc_endpoint_id: p
            .opt("VpcEndpointId")
            .map(VpcEndpointId::parse)
            .transpose()?,
        topic_arn: p.required("ConnectionNotificationArn")?.to_owned(),
        events: events(p),
    };
    let n = op.run_as(command).await?;
    op.respond(|w| {
        w.node("connectionNotification", |w| {
            write_notification(w, &op.ctx.scope, &n)
        });
        w.leaf_opt("clientToken", p.opt("ClientToken"));
    })
}

pub(super) async fn modify_notification<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let events = events(p);
    let command = Command::ModifyConnectionNotification {
        id: ConnectionNotificationId::parse(p.required("ConnectionNotificationId")?)?,
        topic_arn: p.opt("ConnectionNotificationArn").map(str::to_owned),
        events: (!events.is_empty()).then_some(events),
    };
    op.run(command).await?;
    op.respond_true()
}

pub(super) async fn delete_notifications<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = op
        .params
        .list("ConnectionNotificationId")
        .into_iter()
        .map(ConnectionNotificationId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err(ApiError::missing("ConnectionNotificationId"));
    }
    let failed: Vec<(String, &'static str, String)> = op
        .run_as(Command::DeleteConnectionNotifications { ids })
        .await?;
    op.respond(|w| super::write_unsuccessful(w, &failed))
}

fn notification_values(n: &ConnectionNotification, name: &str) -> Vec<String> {
    match name {
        "connection-notification-arn" => vec![n.topic_arn.clone()],
        "connection-notification-id" => vec![n.id.to_string()],
        "connection-notification-state" => {
            vec![(if n.enabled { "Enabled" } else { "Disabled" }).to_owned()]
        }
        "connection-notification-type" => vec!["Topic".to_owned()],
        "service-id" => n.service_id.iter().map(ToString::to_string).collect(),
        "vpc-endpoint-id" => n.vpc_endpoint_id.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn describe_notifications<B: Backend>(op: &Op<'_, B>) -> Body {
    let scope = &op.ctx.scope;
    op.describe_one("ConnectionNotificationId", ConnectionNotificationId::parse)?
        .filters(NOTIFICATION_FILTERS, false)?
        .paged(&BOUNDS)?
        .answer("connectionNotificationSet", notification_values, |w, n| {
            write_notification(w, scope, n)
        })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, new_subnet, new_vpc_of, ok, subnet_of, unknown_filter,
    };
    use crate::Service;
    use crate::testing::{call, query_request};

    const SVC: &str = "vpce-svc-0123456789abcdef0";

    /// An internal network load balancer of `ME` in a new subnet: its ARN.
    fn nlb(b: &Fake) -> String {
        let subnet = new_subnet(b);
        let q = format!(
            "Action=CreateLoadBalancer&Name=lb0&Type=network&Scheme=internal\
             &Subnets.member.1={subnet}&Version=2015-12-01"
        );
        let r = call(Service::ElasticLoadBalancing, b, ME, &query_request(&q));
        assert_eq!(r.status, 200, "{}", r.body);
        all(&r.body, "LoadBalancerArn").remove(0)
    }

    /// A service of `ME` on a new load balancer: (service id, load balancer ARN).
    fn service(b: &Fake) -> (String, String) {
        let lb = nlb(b);
        let body = ok(
            b,
            ME,
            &format!(
                "Action=CreateVpcEndpointServiceConfiguration&NetworkLoadBalancerArn.1={lb}\
                 &AcceptanceRequired=true"
            ),
        );
        (all(&body, "serviceId").remove(0), lb)
    }

    #[test]
    fn configurations_decode_and_map_errors() {
        let b = Fake::default();
        let lb = nlb(&b);
        let create = "Action=CreateVpcEndpointServiceConfiguration";
        assert_eq!(
            error(&b, ME, &format!("{create}&NetworkLoadBalancerArn.1=nope")),
            "InvalidNetworkLoadBalancerArn.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&GatewayLoadBalancerArn.1=nope")),
            "InvalidGatewayLoadBalancerArn.Malformed"
        );
        let with = format!("{create}&NetworkLoadBalancerArn.1={lb}");
        assert_eq!(
            error(&b, ME, &format!("{with}&AcceptanceRequired=perhaps")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&SupportedRegion.1=us-east-1")),
            "UnsupportedOperation"
        );
        dry_run(&b, &with);
        let body = ok(&b, ME, &format!("{with}&ClientToken=tok-1"));
        let [id] = all(&body, "serviceId").try_into().unwrap();
        assert!(id.starts_with("vpce-svc-"), "{id}");
        assert_eq!(
            all(&body, "serviceName"),
            [format!("com.amazonaws.vpce.ap-northeast-1.{id}")]
        );
        assert_eq!(all(&body, "serviceState"), ["Available", "Available"]);
        assert_eq!(all(&body, "acceptanceRequired"), ["true"]);
        assert!(
            body.contains(&format!(
                "<networkLoadBalancerArnSet><item>{lb}</item></networkLoadBalancerArnSet>"
            )),
            "{body}"
        );
        assert_eq!(all(&body, "clientToken"), ["tok-1"]);

        let describe = "Action=DescribeVpcEndpointServiceConfigurations";
        assert_eq!(
            error(&b, ME, &format!("{describe}&ServiceId.1=vpce-1")),
            "InvalidVpcEndpointServiceId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&ServiceId.1={SVC}")),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        unknown_filter(&b, describe);
        assert!(all(&ok(&b, OTHER, describe), "serviceId").is_empty());
        let listed = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=service-id&Filter.1.Value.1={id}"),
        );
        assert_eq!(all(&listed, "serviceId"), [id.as_str()]);

        let modify = "Action=ModifyVpcEndpointServiceConfiguration";
        assert_eq!(
            error(&b, ME, &format!("{modify}&AcceptanceRequired=true")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&ServiceId=svc-1")),
            "InvalidVpcEndpointServiceId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{modify}&ServiceId={SVC}&AcceptanceRequired=true")
            ),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        let by_id = format!("{modify}&ServiceId={id}");
        assert_eq!(
            error(&b, OTHER, &format!("{by_id}&AcceptanceRequired=true")),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        assert_eq!(
            error(&b, ME, &format!("{by_id}&RemovePrivateDnsName=perhaps")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{by_id}&AddSupportedRegion.1=us-east-1")),
            "UnsupportedOperation"
        );
        assert_eq!(
            error(&b, ME, &format!("{by_id}&AddNetworkLoadBalancerArn.1=nope")),
            "InvalidNetworkLoadBalancerArn.Malformed"
        );
        dry_run(&b, &format!("{by_id}&AcceptanceRequired=false"));
        assert_eq!(
            all(
                &ok(&b, ME, &format!("{by_id}&AcceptanceRequired=false")),
                "return"
            ),
            ["true"]
        );
        let listed = ok(&b, ME, &format!("{describe}&ServiceId.1={id}"));
        assert_eq!(all(&listed, "acceptanceRequired"), ["false"]);

        let delete = "Action=DeleteVpcEndpointServiceConfigurations";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&ServiceId.1=svc-1")),
            "InvalidVpcEndpointServiceId.Malformed"
        );
        let by_id = format!("{delete}&ServiceId.1={id}");
        let other = ok(&b, OTHER, &by_id);
        assert_eq!(all(&other, "resourceId"), [id.as_str()]);
        assert_eq!(
            all(&other, "code"),
            ["InvalidVpcEndpointServiceId.NotFound"]
        );
        dry_run(&b, &by_id);
        assert!(ok(&b, ME, &by_id).contains("<unsuccessful/>"));
        assert!(all(&ok(&b, ME, describe), "serviceId").is_empty());
    }

    #[test]
    fn permissions_decode_and_map_errors() {
        let b = Fake::default();
        let (id, _) = service(&b);
        let modify = "Action=ModifyVpcEndpointServicePermissions";
        assert_eq!(error(&b, ME, modify), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{modify}&ServiceId=svc-1")),
            "InvalidVpcEndpointServiceId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&ServiceId={SVC}")),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        let principal = format!("arn:aws:iam::{OTHER}:root");
        let add = format!("{modify}&ServiceId={id}&AddAllowedPrincipals.1={principal}");
        assert_eq!(
            error(&b, OTHER, &add),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        dry_run(&b, &add);
        let body = ok(&b, ME, &add);
        assert_eq!(all(&body, "principal"), [principal.as_str()]);
        assert_eq!(all(&body, "principalType"), ["Account"]);
        assert_eq!(all(&body, "serviceId"), [id.as_str()]);
        assert_eq!(all(&body, "return"), ["true"]);

        let describe = "Action=DescribeVpcEndpointServicePermissions";
        assert_eq!(error(&b, ME, describe), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{describe}&ServiceId=svc-1")),
            "InvalidVpcEndpointServiceId.Malformed"
        );
        let by_id = format!("{describe}&ServiceId={id}");
        assert_eq!(
            error(&b, OTHER, &by_id),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        unknown_filter(&b, &by_id);
        dry_run(&b, &by_id);
        let listed = ok(&b, ME, &by_id);
        assert_eq!(all(&listed, "principal"), [principal.as_str()]);
        let none = ok(
            &b,
            ME,
            &format!("{by_id}&Filter.1.Name=principal-type&Filter.1.Value.1=Role"),
        );
        assert!(all(&none, "principal").is_empty(), "{none}");
    }

    /// An interface endpoint of `OTHER`, allowed to and pending acceptance by the service
    /// `id` of `ME`, in a new VPC and subnet: its id.
    fn endpoint_of_other(b: &Fake, id: &str) -> String {
        let principal = format!("arn:aws:iam::{OTHER}:root");
        ok(
            b,
            ME,
            &format!(
                "Action=ModifyVpcEndpointServicePermissions&ServiceId={id}\
                 &AddAllowedPrincipals.1={principal}"
            ),
        );
        let vpc = new_vpc_of(b, OTHER);
        let subnet = subnet_of(b, OTHER, &vpc, "10.0.1.0/24", "ap-northeast-1a");
        let q = format!(
            "Action=CreateVpcEndpoint&VpcId={vpc}&VpcEndpointType=Interface\
             &ServiceName=com.amazonaws.vpce.ap-northeast-1.{id}&SubnetId.1={subnet}"
        );
        all(&ok(b, OTHER, &q), "vpcEndpointId").remove(0)
    }

    #[test]
    fn connections_decode_and_map_errors() {
        let b = Fake::default();
        let (id, lb) = service(&b);
        let endpoint = endpoint_of_other(&b, &id);

        let describe = "Action=DescribeVpcEndpointConnections";
        unknown_filter(&b, describe);
        dry_run(&b, describe);
        assert!(all(&ok(&b, OTHER, describe), "vpcEndpointId").is_empty());
        let listed = ok(&b, ME, describe);
        assert_eq!(all(&listed, "vpcEndpointId"), [endpoint.as_str()]);
        assert_eq!(all(&listed, "serviceId"), [id.as_str()]);
        assert_eq!(all(&listed, "vpcEndpointOwner"), [OTHER]);
        assert_eq!(all(&listed, "vpcEndpointState"), ["pendingAcceptance"]);
        assert!(listed.contains(&format!("<item>{lb}</item>")), "{listed}");

        for action in [
            "AcceptVpcEndpointConnections",
            "RejectVpcEndpointConnections",
        ] {
            let q = format!("Action={action}");
            assert_eq!(
                error(&b, ME, &format!("{q}&VpcEndpointId.1={endpoint}")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&ServiceId={id}")),
                "MissingParameter",
                "{action}"
            );
            assert_eq!(
                error(&b, ME, &format!("{q}&ServiceId={id}&VpcEndpointId.1=vpc-1")),
                "InvalidVpcEndpointId.Malformed",
                "{action}"
            );
            assert_eq!(
                error(
                    &b,
                    ME,
                    &format!("{q}&ServiceId=svc-1&VpcEndpointId.1={endpoint}")
                ),
                "InvalidVpcEndpointServiceId.Malformed",
                "{action}"
            );
            assert_eq!(
                error(
                    &b,
                    OTHER,
                    &format!("{q}&ServiceId={id}&VpcEndpointId.1={endpoint}")
                ),
                "InvalidVpcEndpointServiceId.NotFound",
                "{action}"
            );
            dry_run(
                &b,
                &format!("{q}&ServiceId={id}&VpcEndpointId.1={endpoint}"),
            );
        }
        let accepted = ok(
            &b,
            ME,
            &format!(
                "Action=AcceptVpcEndpointConnections&ServiceId={id}\
                 &VpcEndpointId.1={endpoint}&VpcEndpointId.2=vpce-0123456789abcdef0"
            ),
        );
        assert_eq!(all(&accepted, "resourceId"), ["vpce-0123456789abcdef0"]);
        let listed = ok(&b, ME, describe);
        assert_eq!(all(&listed, "vpcEndpointState"), ["available"]);
    }

    #[test]
    fn private_dns_verification_decodes_and_maps_errors() {
        let b = Fake::default();
        let (id, _) = service(&b);
        let start = "Action=StartVpcEndpointServicePrivateDnsVerification";
        assert_eq!(error(&b, ME, start), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{start}&ServiceId=svc-1")),
            "InvalidVpcEndpointServiceId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{start}&ServiceId={SVC}")),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        let by_id = format!("{start}&ServiceId={id}");
        assert_eq!(
            error(&b, OTHER, &by_id),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        dry_run(&b, &by_id);
        assert_eq!(error(&b, ME, &by_id), "InvalidParameter");
        ok(
            &b,
            ME,
            &format!(
                "Action=ModifyVpcEndpointServiceConfiguration&ServiceId={id}\
                 &PrivateDnsName=api.example.com"
            ),
        );
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
    }

    #[test]
    fn notifications_decode_and_map_errors() {
        let b = Fake::default();
        let (id, _) = service(&b);
        let topic = format!("arn:aws:sns:ap-northeast-1:{ME}:topic");
        let create = "Action=CreateVpcEndpointConnectionNotification";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&ServiceId={id}&ConnectionEvents.1=Accept")
            ),
            "MissingParameter"
        );
        let with = format!("{create}&ConnectionNotificationArn={topic}&ConnectionEvents.1=Accept");
        assert_eq!(
            error(&b, ME, &format!("{with}&ServiceId=svc-1")),
            "InvalidVpcEndpointServiceId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&VpcEndpointId=vpc-1")),
            "InvalidVpcEndpointId.Malformed"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{with}&ServiceId={id}")),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        dry_run(&b, &format!("{with}&ServiceId={id}"));
        let body = ok(&b, ME, &format!("{with}&ServiceId={id}&ClientToken=tok-2"));
        let [n] = all(&body, "connectionNotificationId").try_into().unwrap();
        assert!(n.starts_with("vpce-nfn-"), "{n}");
        assert_eq!(all(&body, "serviceId"), [id.as_str()]);
        assert_eq!(all(&body, "connectionNotificationArn"), [topic.as_str()]);
        assert_eq!(all(&body, "connectionNotificationType"), ["Topic"]);
        assert_eq!(all(&body, "connectionNotificationState"), ["Enabled"]);
        assert!(
            body.contains("<connectionEvents><item>Accept</item></connectionEvents>"),
            "{body}"
        );
        assert_eq!(all(&body, "clientToken"), ["tok-2"]);

        let describe = "Action=DescribeVpcEndpointConnectionNotifications";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{describe}&ConnectionNotificationId=svc-1")
            ),
            "InvalidConnectionNotification"
        );
        unknown_filter(&b, describe);
        assert!(all(&ok(&b, OTHER, describe), "connectionNotificationId").is_empty());
        let listed = ok(&b, ME, &format!("{describe}&ConnectionNotificationId={n}"));
        assert_eq!(all(&listed, "connectionNotificationId"), [n.as_str()]);

        let modify = "Action=ModifyVpcEndpointConnectionNotification";
        assert_eq!(error(&b, ME, modify), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{modify}&ConnectionNotificationId=svc-1")),
            "InvalidConnectionNotification"
        );
        let by_id = format!("{modify}&ConnectionNotificationId={n}&ConnectionEvents.1=Reject");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidConnectionNotification");
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
        let listed = ok(&b, ME, describe);
        assert!(
            listed.contains("<connectionEvents><item>Reject</item></connectionEvents>"),
            "{listed}"
        );

        let delete = "Action=DeleteVpcEndpointConnectionNotifications";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{delete}&ConnectionNotificationId.1=svc-1")
            ),
            "InvalidConnectionNotification"
        );
        let by_id = format!("{delete}&ConnectionNotificationId.1={n}");
        let other = ok(&b, OTHER, &by_id);
        assert_eq!(all(&other, "resourceId"), [n.as_str()]);
        dry_run(&b, &by_id);
        assert!(ok(&b, ME, &by_id).contains("<unsuccessful/>"));
        assert!(all(&ok(&b, ME, describe), "connectionNotificationId").is_empty());
    }

    #[test]
    fn rejected_connections_can_be_accepted_again() {
        let b = Fake::default();
        let (id, _) = service(&b);
        let endpoint = endpoint_of_other(&b, &id);
        let answer =
            |action: &str, ids: &str| ok(&b, ME, &format!("Action={action}&ServiceId={id}{ids}"));
        let state = || {
            let q = format!(
                "Action=DescribeVpcEndpointConnections\
                 &Filter.1.Name=vpc-endpoint-id&Filter.1.Value.1={endpoint}"
            );
            all(&ok(&b, ME, &q), "vpcEndpointState")
        };
        let mine = format!("&VpcEndpointId.1={endpoint}");
        dry_run(
            &b,
            &format!("Action=RejectVpcEndpointConnections&ServiceId={id}{mine}"),
        );
        assert_eq!(state(), ["pendingAcceptance"]);
        let body = answer("RejectVpcEndpointConnections", &mine);
        assert!(body.contains("<unsuccessful/>"), "{body}");
        assert_eq!(state(), ["rejected"]);
        let q = format!("Action=DescribeVpcEndpoints&VpcEndpointId.1={endpoint}");
        assert_eq!(all(&ok(&b, OTHER, &q), "state"), ["rejected"]);
        // Each endpoint that cannot be rejected is reported, not refused.
        let body = answer(
            "RejectVpcEndpointConnections",
            &format!("{mine}&VpcEndpointId.2=vpce-0123456789abcdef0"),
        );
        assert_eq!(
            all(&body, "resourceId"),
            [endpoint.as_str(), "vpce-0123456789abcdef0"]
        );
        assert_eq!(
            all(&body, "code"),
            [
                "InvalidVpcEndpoint.InvalidState",
                "InvalidVpcEndpointId.NotFound"
            ]
        );
        assert_eq!(state(), ["rejected"]);
        answer("AcceptVpcEndpointConnections", &mine);
        assert_eq!(state(), ["available"]);
        // An available connection can be rejected too.
        let body = answer("RejectVpcEndpointConnections", &mine);
        assert!(body.contains("<unsuccessful/>"), "{body}");
        assert_eq!(state(), ["rejected"]);
        let theirs = format!("Action=RejectVpcEndpointConnections&ServiceId={id}{mine}");
        assert_eq!(
            error(&b, OTHER, &theirs),
            "InvalidVpcEndpointServiceId.NotFound"
        );
        let unknown = format!("Action=RejectVpcEndpointConnections&ServiceId={SVC}{mine}");
        assert_eq!(
            error(&b, ME, &unknown),
            "InvalidVpcEndpointServiceId.NotFound"
        );
    }
}
