//! Elastic Load Balancing v2 (query protocol, `2015-12-01`): the calls the `aws_lb`,
//! `aws_lb_target_group` and `aws_lb_listener` Terraform resources make, for network and
//! gateway load balancers behind endpoint services (docs/aws-semantics.md §5).

use crate::{ApiError, ApiResponse, Backend, RequestCtx};
use localvpc_model::{
    Command, CreateLoadBalancer, CreateTargetGroup, ElbCommand, ElbErrorCode, FromOutcome,
    HealthCheckInput, Instance, InstanceId, Listener, ListenerArn, LoadBalancer, LoadBalancerArn,
    LoadBalancerType, Model, ModelError, SecurityGroupId, SubnetId, Target, TargetGroup,
    TargetGroupArn, load_balancer_name_not_found, nlb_hosted_zone_id, target_group_name_not_found,
};
use localvpc_wire::query::QueryParams;
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::{XmlWriter, query_response};
use std::sync::Arc;

pub const VERSION: &str = "2015-12-01";
const NAMESPACE: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

type Body = Result<String, ApiError>;

/// Serves one ELBv2 request.
pub(crate) async fn serve<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    action: &str,
    params: &QueryParams,
) -> Result<ApiResponse, ApiError> {
    Ok(ApiResponse::xml(
        200,
        dispatch(backend, ctx, action, params).await?,
    ))
}

struct Op<'a, B> {
    backend: &'a B,
    ctx: &'a RequestCtx,
    action: &'a str,
    params: &'a QueryParams,
}

impl<B: Backend> Op<'_, B> {
    fn respond(&self, body: impl FnOnce(&mut XmlWriter)) -> Body {
        Ok(query_response(
            NAMESPACE,
            self.action,
            &self.ctx.request_id,
            body,
        ))
    }

    /// Runs a command and takes its typed result.
    async fn run_as<T: FromOutcome>(&self, command: ElbCommand) -> Result<T, ApiError> {
        crate::execute_as(self.backend, &self.ctx.scope, Command::Elb(command)).await
    }

    /// Runs a command whose answer carries nothing the response needs.
    async fn run(&self, command: ElbCommand) -> Result<(), ApiError> {
        self.backend
            .execute(self.ctx.scope.clone(), Command::Elb(command))
            .await?;
        Ok(())
    }

    fn snapshot(&self) -> Arc<Model> {
        self.backend.snapshot()
    }

    fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.params
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| validation(format!("'{name}' is required")))
    }

    fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.params
            .get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| validation(format!("'{v}' is not a valid integer for {name}")))
            })
            .transpose()
    }

    fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.params
            .get(name)
            .map(|v| match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(validation(format!(
                    "'{v}' is not a valid boolean for {name}"
                ))),
            })
            .transpose()
    }

    fn members(&self, name: &str) -> Vec<&str> {
        self.params.list(&format!("{name}.member"))
    }

    fn pairs(&self, name: &str) -> Vec<(String, String)> {
        self.params
            .structs(&format!("{name}.member"))
            .iter()
            .filter_map(|t| {
                t.get("Key")
                    .map(|k| (k.to_owned(), t.get("Value").unwrap_or_default().to_owned()))
            })
            .collect()
    }
}

/// ELBv2's answer to a request it cannot read (a missing or ill-formed parameter).
fn validation(message: impl Into<String>) -> ApiError {
    ModelError::Elb {
        code: ElbErrorCode::ValidationError,
        message: message.into(),
    }
    .into()
}

/// The pipeline ELBv2's paged Describes share (DescribeLoadBalancers, DescribeTargetGroups,
/// DescribeListeners; AWS pages no other operation localvpc serves): read `PageSize` (its
/// range first, as AWS checks constraints before anything else), refuse parameters that
/// exclude each other, choose the items (those named, in request order, each of which must
/// exist; else all, in ARN order), cut one page at `Marker`, write the items and `NextMarker`.
///
/// ```text
/// op.describe()?                                  PageSize (1–400; AWS's constraint text)
///     .exclusive(&["LoadBalancerArns", "Names"], "…")?
///     .answer("LoadBalancers", chosen, key, write)  Marker → one page, NextMarker if more
/// ```
///
/// A marker names the position and the key (ARN) of the next page's first item, so a page
/// resumes at that item even when items before it were deleted or added meanwhile.
struct Describe<'o, B> {
    op: &'o Op<'o, B>,
    page_size: usize,
    marker: Option<&'o str>,
}

/// `PageSize`'s range (the botocore model); a call without one gets a page of the most.
const PAGE_SIZE_MIN: i64 = 1;
const PAGE_SIZE_MAX: i64 = 400;

impl<'o, B: Backend> Op<'o, B> {
    /// A paged Describe: reads `PageSize` (out of range → AWS's `ValidationError`) and `Marker`.
    fn describe(&'o self) -> Result<Describe<'o, B>, ApiError> {
        let size = self.int("PageSize")?.unwrap_or(PAGE_SIZE_MAX);
        let bound = if size < PAGE_SIZE_MIN {
            Some(format!("greater than or equal to {PAGE_SIZE_MIN}"))
        } else if size > PAGE_SIZE_MAX {
            Some(format!("less than or equal to {PAGE_SIZE_MAX}"))
        } else {
            None
        };
        if let Some(bound) = bound {
            return Err(validation(format!(
                "1 validation error detected: Value '{size}' at 'pageSize' failed to satisfy \
                 constraint: Member must have value {bound}"
            )));
        }
        Ok(Describe {
            op: self,
            page_size: usize::try_from(size).unwrap_or(usize::MAX),
            marker: self.params.get("Marker").filter(|m| !m.is_empty()),
        })
    }

    /// Whether the call gives `param`, as a list (`param.member.N`) or a single value.
    fn given(&self, param: &str) -> bool {
        !self.members(param).is_empty() || self.params.get(param).is_some_and(|v| !v.is_empty())
    }
}

impl<'o, B: Backend> Describe<'o, B> {
    /// Refuses a call that gives more than one of `params` with `message` (ValidationError).
    fn exclusive(self, params: &[&str], message: &str) -> Result<Self, ApiError> {
        if params.iter().filter(|p| self.op.given(p)).count() > 1 {
            return Err(validation(message));
        }
        Ok(self)
    }

    /// Refuses more than 20 `param` ARNs in one call, as AWS does: "You cannot describe more
    /// than '20' `noun` at a time".
    fn at_most_20(self, param: &str, noun: &str) -> Result<Self, ApiError> {
        if self.op.members(param).len() > 20 {
            return Err(validation(format!(
                "You cannot describe more than '20' {noun} at a time"
            )));
        }
        Ok(self)
    }

    /// Answers one page of `items` (chosen, in their answer order) as `<set>`, each written by
    /// `write`, and `<NextMarker>` when more remain; `key` is an item's ARN.
    fn answer<T>(
        self,
        set: &str,
        items: Vec<T>,
        key: impl Fn(&T) -> &str,
        write: impl FnMut(&mut XmlWriter, T),
    ) -> Body {
        let start = match self.marker {
            None => 0,
            Some(marker) => resume(&items, &key, marker)
                .ok_or_else(|| validation(format!("The marker '{marker}' is not valid")))?,
        };
        let mut page: Vec<T> = items.into_iter().skip(start).collect();
        let next = page.get(self.page_size).map(|first| {
            let position = start + self.page_size;
            crate::ec2::encode_token(&format!("{position}:{}", key(first)))
        });
        page.truncate(self.page_size);
        self.op.respond(|w| {
            w.members(set, page, write);
            w.leaf_opt("NextMarker", next.as_deref());
        })
    }
}

/// Where the page a marker names starts in `items`: at its position if the item there is still
/// the one it names, else where that item is now, else (it is gone) at the first item after it
/// in ARN order. `None` for text no marker of ours is.
fn resume<T>(items: &[T], key: impl Fn(&T) -> &str, marker: &str) -> Option<usize> {
    let text = crate::ec2::decode_token(marker)?;
    let (position, first) = text.split_once(':')?;
    let position: usize = position.parse().ok()?;
    if items.get(position).is_some_and(|i| key(i) == first) {
        return Some(position);
    }
    Some(
        items
            .iter()
            .position(|i| key(i) == first)
            .or_else(|| items.iter().position(|i| key(i) > first))
            .unwrap_or(items.len()),
    )
}

/// The items `named` (each found by `find`, in request order), or `all` when none are named.
fn chosen<'m, T: ?Sized, N>(
    named: Vec<N>,
    find: impl FnMut(N) -> Result<&'m T, ApiError>,
    all: impl FnOnce() -> Vec<&'m T>,
) -> Result<Vec<&'m T>, ApiError> {
    if named.is_empty() {
        return Ok(all());
    }
    named.into_iter().map(find).collect()
}

pub(crate) const ACTIONS: &[&str] = &[
    "AddTags",
    "CreateListener",
    "CreateLoadBalancer",
    "CreateTargetGroup",
    "DeleteListener",
    "DeleteLoadBalancer",
    "DeleteTargetGroup",
    "DeregisterTargets",
    "DescribeListenerAttributes",
    "DescribeListeners",
    "DescribeLoadBalancerAttributes",
    "DescribeLoadBalancers",
    "DescribeTags",
    "DescribeTargetGroupAttributes",
    "DescribeTargetGroups",
    "DescribeTargetHealth",
    "ModifyListener",
    "ModifyLoadBalancerAttributes",
    "ModifyTargetGroup",
    "ModifyTargetGroupAttributes",
    "RegisterTargets",
    "RemoveTags",
];

async fn dispatch<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    action: &str,
    params: &QueryParams,
) -> Body {
    crate::service::ensure_scope(backend, &ctx.scope).await?;
    let op = Op {
        backend,
        ctx,
        action,
        params,
    };
    match action {
        "CreateLoadBalancer" => create_load_balancer(&op).await,
        "DescribeLoadBalancers" => describe_load_balancers(&op),
        "DeleteLoadBalancer" => {
            let arn = LoadBalancerArn::parse(op.required("LoadBalancerArn")?)?;
            op.run(ElbCommand::DeleteLoadBalancer(arn)).await?;
            op.respond(|_| {})
        }
        "DescribeLoadBalancerAttributes" => {
            let arn = LoadBalancerArn::parse(op.required("LoadBalancerArn")?)?;
            let model = op.snapshot();
            let lb = model.get::<LoadBalancer>(&op.ctx.scope, &arn)?;
            op.respond(|w| write_attributes(w, &lb.attributes))
        }
        "ModifyLoadBalancerAttributes" => {
            let arn = LoadBalancerArn::parse(op.required("LoadBalancerArn")?)?;
            let changes = op.pairs("Attributes");
            let _: Vec<(String, String)> = op
                .run_as(ElbCommand::SetLoadBalancerAttributes(arn, changes.clone()))
                .await?;
            op.respond(|w| write_attributes(w, &changes))
        }
        "CreateTargetGroup" => create_target_group(&op).await,
        "DescribeTargetGroups" => describe_target_groups(&op),
        "ModifyTargetGroup" => {
            let arn = TargetGroupArn::parse(op.required("TargetGroupArn")?)?;
            let hc = health_check_input(&op)?;
            let tg = op.run_as(ElbCommand::ModifyTargetGroup(arn, hc)).await?;
            respond_target_group(&op, &tg)
        }
        "DeleteTargetGroup" => {
            let arn = TargetGroupArn::parse(op.required("TargetGroupArn")?)?;
            op.run(ElbCommand::DeleteTargetGroup(arn)).await?;
            op.respond(|_| {})
        }
        "DescribeTargetGroupAttributes" => {
            let arn = TargetGroupArn::parse(op.required("TargetGroupArn")?)?;
            let model = op.snapshot();
            let tg = model.get::<TargetGroup>(&op.ctx.scope, &arn)?;
            op.respond(|w| write_attributes(w, &tg.attributes))
        }
        "ModifyTargetGroupAttributes" => {
            let arn = TargetGroupArn::parse(op.required("TargetGroupArn")?)?;
            let changes = op.pairs("Attributes");
            op.run(ElbCommand::SetTargetGroupAttributes(arn, changes.clone()))
                .await?;
            op.respond(|w| write_attributes(w, &changes))
        }
        "RegisterTargets" | "DeregisterTargets" => {
            let arn = TargetGroupArn::parse(op.required("TargetGroupArn")?)?;
            let targets = targets(&op)?;
            if targets.is_empty() {
                return Err(validation("'Targets' is required"));
            }
            let command = if action == "RegisterTargets" {
                ElbCommand::RegisterTargets(arn, targets)
            } else {
                ElbCommand::DeregisterTargets(arn, targets)
            };
            op.run(command).await?;
            op.respond(|_| {})
        }
        "DescribeTargetHealth" => describe_target_health(&op),
        "CreateListener" => create_listener(&op).await,
        "DescribeListeners" => describe_listeners(&op),
        "ModifyListener" => {
            let arn = ListenerArn::parse(op.required("ListenerArn")?)?;
            let target_group_arn = forward_target(&op)?;
            let command = ElbCommand::ModifyListener {
                listener_arn: arn,
                protocol: op.params.get("Protocol").map(str::to_owned),
                port: op.int("Port")?,
                target_group_arn,
            };
            let l = op.run_as(command).await?;
            respond_listener(&op, &l)
        }
        "DeleteListener" => {
            let arn = ListenerArn::parse(op.required("ListenerArn")?)?;
            op.run(ElbCommand::DeleteListener(arn)).await?;
            op.respond(|_| {})
        }
        "DescribeListenerAttributes" => {
            let arn = ListenerArn::parse(op.required("ListenerArn")?)?;
            let model = op.snapshot();
            let l = model.get::<Listener>(&op.ctx.scope, &arn)?;
            let attrs: Vec<(String, String)> = if l.protocol.as_deref() == Some("TCP") {
                vec![("tcp.idle_timeout.seconds".to_owned(), "350".to_owned())]
            } else {
                Vec::new()
            };
            op.respond(|w| write_attributes(w, &attrs))
        }
        "AddTags" | "RemoveTags" => {
            let arns: Vec<String> = op
                .members("ResourceArns")
                .into_iter()
                .map(str::to_owned)
                .collect();
            if arns.is_empty() {
                return Err(validation("'ResourceArns' is required"));
            }
            let command = if action == "AddTags" {
                ElbCommand::EditTags {
                    arns,
                    add: op.pairs("Tags"),
                    remove: Vec::new(),
                }
            } else {
                ElbCommand::EditTags {
                    arns,
                    add: Vec::new(),
                    remove: op
                        .members("TagKeys")
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                }
            };
            op.run(command).await?;
            op.respond(|_| {})
        }
        "DescribeTags" => {
            let arns = op.members("ResourceArns");
            let model = op.snapshot();
            let mut found = Vec::new();
            for arn in arns {
                found.push((arn, model.elb_tags(&op.ctx.scope, arn)?));
            }
            op.respond(|w| {
                w.members("TagDescriptions", found, |w, (arn, tags)| {
                    w.leaf("ResourceArn", arn);
                    w.members("Tags", tags, |w, (k, v)| {
                        w.leaf("Key", k).leaf("Value", v);
                    });
                });
            })
        }
        _ => Err(ApiError::new(
            400,
            "InvalidAction",
            format!("localvpc does not serve the ELBv2 action {action}"),
        )),
    }
}

fn write_attributes(w: &mut XmlWriter, attrs: &[(String, String)]) {
    w.members("Attributes", attrs, |w, (k, v)| {
        w.leaf("Key", k).leaf("Value", v);
    });
}

fn write_load_balancer(w: &mut XmlWriter, lb: &LoadBalancer) {
    w.leaf("LoadBalancerArn", lb.id.as_str());
    if lb.lb_type == LoadBalancerType::Network {
        w.leaf("DNSName", &lb.dns_name).leaf(
            "CanonicalHostedZoneId",
            &nlb_hosted_zone_id(&lb.scope.region),
        );
    }
    w.leaf("CreatedTime", &iso8601_millis(lb.created.0))
        .leaf("LoadBalancerName", &lb.name);
    if lb.lb_type == LoadBalancerType::Network {
        w.leaf(
            "Scheme",
            if lb.internal {
                "internal"
            } else {
                "internet-facing"
            },
        );
    }
    w.leaf("VpcId", lb.vpc_id.as_str());
    w.node("State", |w| {
        w.leaf("Code", "active");
    });
    w.leaf("Type", lb.lb_type.as_str());
    w.members("AvailabilityZones", &lb.zones, |w, z| {
        w.leaf("ZoneName", &z.zone_name)
            .leaf("SubnetId", z.subnet_id.as_str());
        w.members("LoadBalancerAddresses", [z], |w, z| {
            w.leaf("PrivateIPv4Address", &z.private_ip.to_string());
        });
    });
    if !lb.security_groups.is_empty() {
        w.members("SecurityGroups", &lb.security_groups, |w, g| {
            w.text(g.as_str());
        });
    }
    w.leaf("IpAddressType", "ipv4");
}

async fn create_load_balancer<B: Backend>(op: &Op<'_, B>) -> Body {
    let mut subnets: Vec<(SubnetId, Option<std::net::Ipv4Addr>)> = Vec::new();
    for s in op.members("Subnets") {
        subnets.push((SubnetId::parse(s)?, None));
    }
    for m in op.params.structs("SubnetMappings.member") {
        let subnet = SubnetId::parse(
            m.get("SubnetId")
                .ok_or_else(|| validation("SubnetMappings: 'SubnetId' is required"))?,
        )?;
        if m.get("AllocationId").is_some() {
            return Err(ApiError::not_emulated(
                "Elastic IP addresses on load balancers (SubnetMappings AllocationId)",
            ));
        }
        let ip = m
            .get("PrivateIPv4Address")
            .map(|v| {
                v.parse()
                    .map_err(|_| validation(format!("'{v}' is not a valid IPv4 address")))
            })
            .transpose()?;
        subnets.push((subnet, ip));
    }
    let input = CreateLoadBalancer {
        name: op.required("Name")?.to_owned(),
        lb_type: op.params.get("Type").unwrap_or("application").to_owned(),
        internal: match op.params.get("Scheme").unwrap_or("internet-facing") {
            "internal" => true,
            "internet-facing" => false,
            other => return Err(validation(format!("'{other}' is not a valid scheme"))),
        },
        subnets,
        security_groups: op
            .members("SecurityGroups")
            .into_iter()
            .map(SecurityGroupId::parse)
            .collect::<Result<_, _>>()?,
        tags: op.pairs("Tags"),
    };
    if op.params.get("IpAddressType").is_some_and(|t| t != "ipv4") {
        return Err(ApiError::not_emulated(
            "dual-stack load balancers (IpAddressType other than ipv4)",
        ));
    }
    let lb: LoadBalancer = op.run_as(ElbCommand::CreateLoadBalancer(input)).await?;
    op.respond(|w| {
        // A new load balancer reports `provisioning` once.
        w.members("LoadBalancers", [&lb], write_load_balancer);
    })
}

fn describe_load_balancers<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op
        .describe()?
        .exclusive(
            &["LoadBalancerArns", "Names"],
            "Load balancer names and load balancer ARNs cannot be specified at the same time",
        )?
        .at_most_20("LoadBalancerArns", "load balancers")?;
    let model = op.snapshot();
    let scope = &op.ctx.scope;
    let lbs = if op.given("Names") {
        chosen(
            op.members("Names"),
            |n| {
                let found = model.in_scope::<LoadBalancer>(scope).find(|l| l.name == n);
                Ok(found.ok_or_else(|| load_balancer_name_not_found(n))?)
            },
            Vec::new,
        )?
    } else {
        chosen(
            op.members("LoadBalancerArns"),
            |a| Ok(model.get::<LoadBalancer>(scope, &LoadBalancerArn::parse(a)?)?),
            || model.in_scope::<LoadBalancer>(scope).collect(),
        )?
    };
    describe.answer("LoadBalancers", lbs, |l| l.id.as_str(), write_load_balancer)
}

fn health_check_input<B: Backend>(op: &Op<'_, B>) -> Result<HealthCheckInput, ApiError> {
    Ok(HealthCheckInput {
        protocol: op.params.get("HealthCheckProtocol").map(str::to_owned),
        port: op.params.get("HealthCheckPort").map(str::to_owned),
        enabled: op.bool("HealthCheckEnabled")?,
        interval: op.int("HealthCheckIntervalSeconds")?,
        timeout: op.int("HealthCheckTimeoutSeconds")?,
        healthy_threshold: op.int("HealthyThresholdCount")?,
        unhealthy_threshold: op.int("UnhealthyThresholdCount")?,
        path: op.params.get("HealthCheckPath").map(str::to_owned),
        matcher: op.params.get("Matcher.HttpCode").map(str::to_owned),
    })
}

fn write_target_group(w: &mut XmlWriter, model: &Model, tg: &TargetGroup) {
    w.leaf("TargetGroupArn", tg.id.as_str())
        .leaf("TargetGroupName", &tg.name)
        .leaf("Protocol", &tg.protocol);
    if let Some(p) = tg.port {
        w.num("Port", p);
    }
    if let Some(v) = &tg.vpc_id {
        w.leaf("VpcId", v.as_str());
    }
    let hc = &tg.health_check;
    w.leaf("HealthCheckProtocol", &hc.protocol)
        .leaf("HealthCheckPort", &hc.port)
        .bool("HealthCheckEnabled", hc.enabled)
        .num("HealthCheckIntervalSeconds", hc.interval)
        .num("HealthCheckTimeoutSeconds", hc.timeout)
        .num("HealthyThresholdCount", hc.healthy_threshold)
        .num("UnhealthyThresholdCount", hc.unhealthy_threshold)
        .leaf_opt("HealthCheckPath", hc.path.as_deref());
    if let Some(m) = &hc.matcher {
        w.node("Matcher", |w| {
            w.leaf("HttpCode", m);
        });
    }
    w.members(
        "LoadBalancerArns",
        model.target_group_load_balancers(&tg.id),
        |w, a| {
            w.text(a.as_str());
        },
    );
    w.leaf("TargetType", &tg.target_type)
        .leaf("IpAddressType", "ipv4");
}

async fn create_target_group<B: Backend>(op: &Op<'_, B>) -> Body {
    if op.params.get("IpAddressType").is_some_and(|t| t != "ipv4") {
        return Err(ApiError::not_emulated(
            "IPv6 target groups (IpAddressType other than ipv4)",
        ));
    }
    let input = CreateTargetGroup {
        name: op.required("Name")?.to_owned(),
        protocol: op.params.get("Protocol").map(str::to_owned),
        port: op.int("Port")?,
        vpc_id: op
            .params
            .get("VpcId")
            .map(localvpc_model::VpcId::parse)
            .transpose()?,
        target_type: op.params.get("TargetType").map(str::to_owned),
        health_check: health_check_input(op)?,
        tags: op.pairs("Tags"),
    };
    let tg = op.run_as(ElbCommand::CreateTargetGroup(input)).await?;
    respond_target_group(op, &tg)
}

/// The answer of CreateTargetGroup and ModifyTargetGroup: the group as it now stands.
fn respond_target_group<B: Backend>(op: &Op<'_, B>, tg: &TargetGroup) -> Body {
    let model = op.snapshot();
    op.respond(|w| {
        w.members("TargetGroups", [tg], |w, t| {
            write_target_group(w, &model, t)
        });
    })
}

fn describe_target_groups<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op
        .describe()?
        .exclusive(
            &["LoadBalancerArn", "TargetGroupArns", "Names"],
            "Target group names, target group ARNs, and a load balancer ARN cannot be specified \
         at the same time",
        )?
        .at_most_20("TargetGroupArns", "target groups")?;
    let lb = op
        .params
        .get("LoadBalancerArn")
        .map(LoadBalancerArn::parse)
        .transpose()?;
    let model = op.snapshot();
    let scope = &op.ctx.scope;
    let in_scope = || model.in_scope::<TargetGroup>(scope);
    let tgs = if let Some(lb) = &lb {
        model.get::<LoadBalancer>(scope, lb)?;
        in_scope()
            .filter(|t| model.target_group_load_balancers(&t.id).contains(lb))
            .collect()
    } else if op.given("Names") {
        chosen(
            op.members("Names"),
            |n| {
                Ok(in_scope()
                    .find(|t| t.name == n)
                    .ok_or_else(|| target_group_name_not_found(n))?)
            },
            Vec::new,
        )?
    } else {
        chosen(
            op.members("TargetGroupArns"),
            |a| Ok(model.get::<TargetGroup>(scope, &TargetGroupArn::parse(a)?)?),
            || in_scope().collect(),
        )?
    };
    describe.answer(
        "TargetGroups",
        tgs,
        |t| t.id.as_str(),
        |w, t| write_target_group(w, &model, t),
    )
}

fn targets<B: Backend>(op: &Op<'_, B>) -> Result<Vec<Target>, ApiError> {
    op.params
        .structs("Targets.member")
        .iter()
        .map(|t| {
            Ok(Target {
                id: t
                    .get("Id")
                    .ok_or_else(|| validation("Targets: 'Id' is required"))?
                    .to_owned(),
                port: t
                    .get("Port")
                    .map(|p| {
                        p.parse::<i64>()
                            .map_err(|_| validation(format!("'{p}' is not a valid port")))
                    })
                    .transpose()?,
                availability_zone: t.get("AvailabilityZone").map(str::to_owned),
            })
        })
        .collect()
}

/// Target health without probing (localvpc has no data plane for load balancers yet): a
/// target is `unused` while no listener forwards to its group, `unhealthy` when its instance
/// is not running, else `healthy` (docs/aws-choices.md).
fn describe_target_health<B: Backend>(op: &Op<'_, B>) -> Body {
    let arn = TargetGroupArn::parse(op.required("TargetGroupArn")?)?;
    let wanted = targets(op)?;
    let model = op.snapshot();
    let scope = &op.ctx.scope;
    let tg = model.get::<TargetGroup>(scope, &arn)?;
    let in_use = !model.target_group_load_balancers(&tg.id).is_empty();
    let listed: Vec<Target> = if wanted.is_empty() {
        tg.targets.clone()
    } else {
        wanted
    };
    op.respond(|w| {
        w.members("TargetHealthDescriptions", &listed, |w, t| {
            let port = t.port.or(tg.port);
            w.node("Target", |w| {
                w.leaf("Id", &t.id);
                if let Some(p) = port {
                    w.num("Port", p);
                }
                w.leaf_opt("AvailabilityZone", t.availability_zone.as_deref());
            });
            let registered = tg
                .targets
                .iter()
                .any(|x| x.id == t.id && x.port.or(tg.port) == port);
            let running = match InstanceId::parse(&t.id) {
                Ok(id) => model
                    .get::<Instance>(scope, &id)
                    .is_ok_and(|i| i.state == localvpc_model::InstanceState::Running),
                Err(_) => true,
            };
            let (state, reason, description) = if !registered {
                (
                    "unavailable",
                    Some("Target.NotRegistered"),
                    Some("Target is not registered to the target group"),
                )
            } else if !in_use {
                (
                    "unused",
                    Some("Target.NotInUse"),
                    Some(
                        "Target group is not configured to receive traffic from the load balancer",
                    ),
                )
            } else if !running {
                (
                    "unused",
                    Some("Target.InvalidState"),
                    Some("Target is in the stopped state"),
                )
            } else {
                ("healthy", None, None)
            };
            w.leaf(
                "HealthCheckPort",
                &tg.health_check.port.replace(
                    "traffic-port",
                    &port.map(|p| p.to_string()).unwrap_or_default(),
                ),
            );
            w.node("TargetHealth", |w| {
                w.leaf("State", state)
                    .leaf_opt("Reason", reason)
                    .leaf_opt("Description", description);
            });
        });
    })
}

fn forward_target<B: Backend>(op: &Op<'_, B>) -> Result<Option<TargetGroupArn>, ApiError> {
    let actions = op.params.structs("DefaultActions.member");
    let Some(first) = actions.first() else {
        return Ok(None);
    };
    if actions.len() > 1 || first.get("Type") != Some("forward") {
        return Err(validation(
            "localvpc emulates listeners with one forward action (network and gateway load balancers)",
        ));
    }
    let arn = first
        .get("TargetGroupArn")
        .or_else(|| first.get("ForwardConfig.TargetGroups.member.1.TargetGroupArn"))
        .ok_or_else(|| validation("A forward action needs a target group"))?;
    Ok(Some(TargetGroupArn::parse(arn)?))
}

fn write_listener(w: &mut XmlWriter, l: &Listener) {
    w.leaf("ListenerArn", l.id.as_str())
        .leaf("LoadBalancerArn", l.load_balancer_arn.as_str());
    if let Some(p) = l.port {
        w.num("Port", p);
    }
    w.leaf_opt("Protocol", l.protocol.as_deref());
    w.members("DefaultActions", [l], |w, l| {
        w.leaf("Type", "forward")
            .leaf("TargetGroupArn", l.target_group_arn.as_str());
        w.node("ForwardConfig", |w| {
            w.members("TargetGroups", [l], |w, l| {
                w.leaf("TargetGroupArn", l.target_group_arn.as_str())
                    .num("Weight", 1);
            });
            w.node("TargetGroupStickinessConfig", |w| {
                w.bool("Enabled", false);
            });
        });
    });
}

async fn create_listener<B: Backend>(op: &Op<'_, B>) -> Body {
    let command = ElbCommand::CreateListener {
        load_balancer_arn: LoadBalancerArn::parse(op.required("LoadBalancerArn")?)?,
        protocol: op.params.get("Protocol").map(str::to_owned),
        port: op.int("Port")?,
        target_group_arn: forward_target(op)?
            .ok_or_else(|| validation("'DefaultActions' is required"))?,
        tags: op.pairs("Tags"),
    };
    let l = op.run_as(command).await?;
    respond_listener(op, &l)
}

/// The answer of CreateListener and ModifyListener: the listener as it now stands.
fn respond_listener<B: Backend>(op: &Op<'_, B>, l: &Listener) -> Body {
    op.respond(|w| {
        w.members("Listeners", [l], write_listener);
    })
}

fn describe_listeners<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op.describe()?.exclusive(
        &["ListenerArns", "LoadBalancerArn"],
        "Listener ARNs and a load balancer ARN cannot be specified at the same time",
    )?;
    let lb = op
        .params
        .get("LoadBalancerArn")
        .map(LoadBalancerArn::parse)
        .transpose()?;
    let arns = op.members("ListenerArns");
    if lb.is_none() && arns.is_empty() {
        return Err(validation(
            "You must specify either listener ARNs or a load balancer ARN",
        ));
    }
    let model = op.snapshot();
    let scope = &op.ctx.scope;
    let listeners = match &lb {
        Some(lb) => {
            model.get::<LoadBalancer>(scope, lb)?;
            model
                .in_scope::<Listener>(scope)
                .filter(|l| &l.load_balancer_arn == lb)
                .collect()
        }
        None => chosen(
            arns,
            |a| Ok(model.get::<Listener>(scope, &ListenerArn::parse(a)?)?),
            Vec::new,
        )?,
    };
    describe.answer("Listeners", listeners, |l| l.id.as_str(), write_listener)
}

#[cfg(test)]
mod tests {
    use crate::ApiResponse;
    use crate::Service;
    use crate::ec2::testing::{ME, launch_in, new_subnet, ok};
    use crate::testing::{Fake, all, query_request};

    fn call(b: &Fake, query: &str) -> ApiResponse {
        let params = format!("{query}&Version=2015-12-01");
        crate::testing::call(
            Service::ElasticLoadBalancing,
            b,
            ME,
            &query_request(&params),
        )
    }

    fn elb(b: &Fake, query: &str) -> String {
        let r = call(b, query);
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        r.body
    }

    /// The code and message of a refused call.
    fn refused(b: &Fake, query: &str) -> (String, String) {
        let r = call(b, query);
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        let message = all(&r.body, "Message").remove(0).replace("&apos;", "'");
        (all(&r.body, "Code").remove(0), message)
    }

    /// A subnet, `n` network load balancers in it (named lb0, lb1, …) and `n` target groups
    /// (tg0, tg1, …) in its VPC, each load balancer with one listener forwarding to its
    /// group: the ARNs of the load balancers, the groups and the listeners, in ARN order.
    fn fixture(b: &Fake, n: usize) -> [Vec<String>; 3] {
        let subnet = new_subnet(b);
        let q = format!("Action=DescribeSubnets&SubnetId.1={subnet}");
        let vpc = all(&ok(b, ME, &q), "vpcId").remove(0);
        let (mut lbs, mut tgs, mut listeners) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            let q = format!(
                "Action=CreateLoadBalancer&Name=lb{i}&Type=network&Scheme=internal\
                 &Subnets.member.1={subnet}"
            );
            let lb = all(&elb(b, &q), "LoadBalancerArn").remove(0);
            let q = format!("Action=CreateTargetGroup&Name=tg{i}&Protocol=TCP&Port=80&VpcId={vpc}");
            let tg = all(&elb(b, &q), "TargetGroupArn").remove(0);
            let q = format!(
                "Action=CreateListener&LoadBalancerArn={lb}&Protocol=TCP&Port=80\
                 &DefaultActions.member.1.Type=forward\
                 &DefaultActions.member.1.TargetGroupArn={tg}"
            );
            listeners.push(all(&elb(b, &q), "ListenerArn").remove(0));
            lbs.push(lb);
            tgs.push(tg);
        }
        for list in [&mut lbs, &mut tgs, &mut listeners] {
            list.sort();
        }
        [lbs, tgs, listeners]
    }

    /// Every page of `query` with `PageSize=size`, following `NextMarker`.
    fn pages(b: &Fake, query: &str, size: usize, tag: &str) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut marker = String::new();
        loop {
            let body = elb(b, &format!("{query}&PageSize={size}{marker}"));
            pages.push(all(&body, tag));
            match all(&body, "NextMarker").pop() {
                Some(next) => marker = format!("&Marker={next}"),
                None => return pages,
            }
        }
    }

    #[test]
    fn every_describe_walks_each_item_once_page_by_page() {
        let b = Fake::default();
        let [lbs, tgs, listeners] = fixture(&b, 3);
        let lb = &lbs[1];
        for (query, tag, want) in [
            ("Action=DescribeLoadBalancers", "LoadBalancerArn", &lbs),
            ("Action=DescribeTargetGroups", "TargetGroupArn", &tgs),
        ] {
            let walked = pages(&b, query, 1, tag);
            assert_eq!(walked.len(), 3, "{query}");
            assert_eq!(walked.concat(), *want, "{query}");
            assert_eq!(pages(&b, query, 2, tag).len(), 2, "{query}");
            // Without PageSize, or with a page of them all: one page, no NextMarker.
            let one = elb(&b, query);
            assert!(!one.contains("NextMarker"), "{query}");
            assert_eq!(pages(&b, query, 3, tag), std::slice::from_ref(want));
        }
        // A listener's page holds its ARN and its load balancer's.
        let q = format!(
            "Action=DescribeListeners&ListenerArns.member.1={}&ListenerArns.member.2={}",
            listeners[2], listeners[0]
        );
        let walked = pages(&b, &q, 1, "ListenerArn");
        assert_eq!(walked, [[listeners[2].as_str()], [listeners[0].as_str()]]);
        let q = format!("Action=DescribeListeners&LoadBalancerArn={lb}");
        assert_eq!(pages(&b, &q, 1, "ListenerArn").len(), 1);
    }

    #[test]
    fn names_and_arns_are_answered_in_request_order_and_paged() {
        let b = Fake::default();
        let [lbs, tgs, _] = fixture(&b, 3);
        let q = "Action=DescribeLoadBalancers&Names.member.1=lb2&Names.member.2=lb0\
                 &Names.member.3=lb1";
        let names = pages(&b, q, 2, "LoadBalancerName");
        assert_eq!(names, [vec!["lb2", "lb0"], vec!["lb1"]]);
        let q = format!(
            "Action=DescribeTargetGroups&TargetGroupArns.member.1={}\
             &TargetGroupArns.member.2={}",
            tgs[1], tgs[0]
        );
        assert_eq!(
            pages(&b, &q, 1, "TargetGroupArn"),
            [[tgs[1].as_str()], [tgs[0].as_str()]]
        );
        let q = format!(
            "Action=DescribeLoadBalancers&LoadBalancerArns.member.1={}\
             &LoadBalancerArns.member.2={}",
            lbs[2], lbs[1]
        );
        assert_eq!(
            all(&elb(&b, &q), "LoadBalancerArn"),
            [lbs[2].as_str(), lbs[1].as_str()]
        );
    }

    #[test]
    fn a_page_resumes_at_its_item_when_others_were_deleted_meanwhile() {
        let b = Fake::default();
        let [lbs, _, listeners] = fixture(&b, 3);
        let first = elb(&b, "Action=DescribeLoadBalancers&PageSize=1");
        let marker = all(&first, "NextMarker").remove(0);
        // The first item goes before the next page is asked for.
        let lb = &lbs[0];
        let listener = listeners
            .iter()
            .find(|l| l.contains(lb.rsplit('/').next().unwrap()))
            .unwrap();
        elb(&b, &format!("Action=DeleteListener&ListenerArn={listener}"));
        elb(
            &b,
            &format!("Action=DeleteLoadBalancer&LoadBalancerArn={lb}"),
        );
        let q = format!("Action=DescribeLoadBalancers&PageSize=1&Marker={marker}");
        assert_eq!(all(&elb(&b, &q), "LoadBalancerArn"), [lbs[1].as_str()]);
        // The item the marker names went too: the page starts at the one after it.
        elb(
            &b,
            &format!("Action=DeleteLoadBalancer&LoadBalancerArn={}", lbs[1]),
        );
        assert_eq!(all(&elb(&b, &q), "LoadBalancerArn"), [lbs[2].as_str()]);
    }

    #[test]
    fn page_size_and_marker_are_checked() {
        let b = Fake::default();
        fixture(&b, 1);
        for action in ["DescribeLoadBalancers", "DescribeTargetGroups"] {
            let (code, message) = refused(&b, &format!("Action={action}&PageSize=0"));
            assert_eq!(code, "ValidationError");
            assert_eq!(
                message,
                "1 validation error detected: Value '0' at 'pageSize' failed to satisfy \
                 constraint: Member must have value greater than or equal to 1"
            );
            let (_, message) = refused(&b, &format!("Action={action}&PageSize=401"));
            assert!(message.ends_with("less than or equal to 400"), "{message}");
            assert_eq!(
                refused(&b, &format!("Action={action}&PageSize=x")).0,
                "ValidationError"
            );
            for marker in ["zz", "6162", "413a"] {
                let (code, message) = refused(&b, &format!("Action={action}&Marker={marker}"));
                assert_eq!(code, "ValidationError");
                assert_eq!(message, format!("The marker '{marker}' is not valid"));
            }
            // The range is checked before anything else.
            let q = format!("Action={action}&PageSize=0&Names.member.1=nothing");
            assert_eq!(refused(&b, &q).0, "ValidationError");
            assert!(!elb(&b, &format!("Action={action}&PageSize=400")).contains("NextMarker"));
        }
        let q = "Action=DescribeListeners&PageSize=401&ListenerArns.member.1=x";
        assert!(refused(&b, q).1.starts_with("1 validation error detected"));
    }

    #[test]
    fn exclusive_parameters_and_more_than_20_arns_are_refused() {
        let b = Fake::default();
        let [lbs, tgs, listeners] = fixture(&b, 1);
        let (lb, tg, listener) = (&lbs[0], &tgs[0], &listeners[0]);
        for (query, message) in [
            (
                format!(
                    "Action=DescribeLoadBalancers&LoadBalancerArns.member.1={lb}&Names.member.1=lb0"
                ),
                "Load balancer names and load balancer ARNs cannot be specified at the same time",
            ),
            (
                format!("Action=DescribeTargetGroups&LoadBalancerArn={lb}&Names.member.1=tg0"),
                "Target group names, target group ARNs, and a load balancer ARN cannot be \
                 specified at the same time",
            ),
            (
                format!(
                    "Action=DescribeTargetGroups&TargetGroupArns.member.1={tg}&Names.member.1=tg0"
                ),
                "Target group names, target group ARNs, and a load balancer ARN cannot be \
                 specified at the same time",
            ),
            (
                format!(
                    "Action=DescribeListeners&LoadBalancerArn={lb}&ListenerArns.member.1={listener}"
                ),
                "Listener ARNs and a load balancer ARN cannot be specified at the same time",
            ),
        ] {
            assert_eq!(
                refused(&b, &query),
                ("ValidationError".to_owned(), message.to_owned()),
                "{query}"
            );
        }
        // At most 20 ARNs a call (AWS's text for target groups).
        let many = |param: &str, arn: &str| {
            (1..=21)
                .map(|i| format!("&{param}.member.{i}={arn}"))
                .collect::<String>()
        };
        let q = format!("Action=DescribeTargetGroups{}", many("TargetGroupArns", tg));
        let message = "You cannot describe more than '20' target groups at a time";
        assert_eq!(refused(&b, &q).1, message);
        let q = format!(
            "Action=DescribeLoadBalancers{}",
            many("LoadBalancerArns", lb)
        );
        let message = "You cannot describe more than '20' load balancers at a time";
        assert_eq!(refused(&b, &q).1, message);
        let q = format!(
            "Action=DescribeLoadBalancers{}",
            many("LoadBalancerArns", lb)
        );
        let twenty = q.rsplit_once('&').unwrap().0;
        assert_eq!(all(&elb(&b, twenty), "LoadBalancerArn").len(), 20);
        // Each alone is answered.
        let q = format!("Action=DescribeTargetGroups&LoadBalancerArn={lb}");
        assert_eq!(all(&elb(&b, &q), "TargetGroupArn"), [tg.as_str()]);
    }

    /// The code of a refused call (any status but 200).
    fn code(b: &Fake, query: &str) -> String {
        let r = call(b, query);
        assert_ne!(r.status, 200, "{query}: {}", r.body);
        all(&r.body, "Code").remove(0)
    }

    /// The one network load balancer, target group and listener of `fixture`, and the VPC.
    fn one(b: &Fake) -> (String, String, String) {
        let [lbs, tgs, listeners] = fixture(b, 1);
        (lbs[0].clone(), tgs[0].clone(), listeners[0].clone())
    }

    fn vpc_of(b: &Fake, subnet: &str) -> String {
        let q = format!("Action=DescribeSubnets&SubnetId.1={subnet}");
        all(&ok(b, ME, &q), "vpcId").remove(0)
    }

    #[test]
    fn actions_are_checked_before_anything_else() {
        let b = Fake::default();
        assert_eq!(code(&b, "Action=CreateRule"), "InvalidAction");
        assert_eq!(code(&b, "Foo=bar"), "MissingParameter");
        let r = call(&b, "Action=DescribeLoadBalancers");
        assert!(
            r.body.contains("<DescribeLoadBalancersResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("<RequestId>req-1</RequestId>"),
            "{}",
            r.body
        );
    }

    #[test]
    fn create_load_balancer_reads_its_parameters() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let vpc = vpc_of(&b, &subnet);
        let q = format!(
            "Action=CreateLoadBalancer&Name=edge&Type=network&Scheme=internal\
             &SubnetMappings.member.1.SubnetId={subnet}\
             &SubnetMappings.member.1.PrivateIPv4Address=10.0.1.50\
             &Tags.member.1.Key=env&Tags.member.1.Value=dev"
        );
        let body = elb(&b, &q);
        assert_eq!(all(&body, "LoadBalancerName"), ["edge"]);
        assert_eq!(all(&body, "Scheme"), ["internal"]);
        assert_eq!(all(&body, "Type"), ["network"]);
        assert_eq!(all(&body, "VpcId"), [vpc.as_str()]);
        assert_eq!(all(&body, "ZoneName"), ["ap-northeast-1a"]);
        assert_eq!(all(&body, "SubnetId"), [subnet.as_str()]);
        assert_eq!(all(&body, "PrivateIPv4Address"), ["10.0.1.50"]);
        assert_eq!(all(&body, "CanonicalHostedZoneId").len(), 1);
        let arn = all(&body, "LoadBalancerArn").remove(0);
        assert!(
            arn.starts_with(&format!(
                "arn:aws:elasticloadbalancing:ap-northeast-1:{ME}:loadbalancer/net/edge/"
            )),
            "{arn}"
        );
        let tags = elb(
            &b,
            &format!("Action=DescribeTags&ResourceArns.member.1={arn}"),
        );
        assert_eq!(all(&tags, "Key"), ["env"]);
        assert_eq!(all(&tags, "Value"), ["dev"]);
        let again =
            format!("Action=CreateLoadBalancer&Name=edge&Type=network&Subnets.member.1={subnet}");
        assert_eq!(code(&b, &again), "DuplicateLoadBalancerName");
    }

    #[test]
    fn create_load_balancer_refuses_bad_input() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let base = format!("Action=CreateLoadBalancer&Type=network&Subnets.member.1={subnet}");
        assert_eq!(
            refused(&b, &base),
            (
                "ValidationError".to_owned(),
                "'Name' is required".to_owned()
            )
        );
        assert_eq!(
            refused(&b, &format!("{base}&Name=x&Scheme=private")).1,
            "'private' is not a valid scheme"
        );
        let q = format!(
            "Action=CreateLoadBalancer&Name=x&Type=network\
             &SubnetMappings.member.1.SubnetId={subnet}\
             &SubnetMappings.member.1.PrivateIPv4Address=10.0.1"
        );
        assert_eq!(refused(&b, &q).0, "ValidationError");
        let q = "Action=CreateLoadBalancer&Name=x&Type=network\
                 &SubnetMappings.member.1.PrivateIPv4Address=10.0.1.5";
        assert_eq!(refused(&b, q).0, "ValidationError");
        let q = format!(
            "Action=CreateLoadBalancer&Name=x&Type=network\
             &SubnetMappings.member.1.SubnetId={subnet}\
             &SubnetMappings.member.1.AllocationId=eipalloc-0123456789abcdef0"
        );
        let not_emulated = code(&b, &q);
        assert_eq!(
            code(&b, &format!("{base}&Name=x&IpAddressType=dualstack")),
            not_emulated
        );
        assert_ne!(not_emulated, "ValidationError");
        let q = "Action=CreateLoadBalancer&Name=x&Type=network\
                 &Subnets.member.1=subnet-0123456789abcdef0";
        assert_eq!(code(&b, q), "SubnetNotFound");
        assert!(all(&elb(&b, "Action=DescribeLoadBalancers"), "LoadBalancerArn").is_empty());
    }

    #[test]
    fn delete_load_balancer_takes_its_listeners_and_is_idempotent() {
        let b = Fake::default();
        let (lb, tg, listener) = one(&b);
        assert_eq!(
            refused(&b, "Action=DeleteLoadBalancer").1,
            "'LoadBalancerArn' is required"
        );
        assert_eq!(
            refused(&b, "Action=DeleteLoadBalancer&LoadBalancerArn=lb-1").0,
            "ValidationError"
        );
        // Deletion protection refuses it.
        let protect = format!(
            "Action=ModifyLoadBalancerAttributes&LoadBalancerArn={lb}\
             &Attributes.member.1.Key=deletion_protection.enabled&Attributes.member.1.Value="
        );
        elb(&b, &format!("{protect}true"));
        let delete = format!("Action=DeleteLoadBalancer&LoadBalancerArn={lb}");
        assert_eq!(code(&b, &delete), "OperationNotPermitted");
        elb(&b, &format!("{protect}false"));
        elb(&b, &delete);
        elb(&b, &delete);
        let q = format!("Action=DescribeLoadBalancers&LoadBalancerArns.member.1={lb}");
        assert_eq!(code(&b, &q), "LoadBalancerNotFound");
        let q = format!("Action=DescribeListeners&ListenerArns.member.1={listener}");
        assert_eq!(code(&b, &q), "ListenerNotFound");
        // Its target group stays, no longer in use.
        let q = format!("Action=DescribeTargetGroups&TargetGroupArns.member.1={tg}");
        assert!(
            all(&elb(&b, &q), "LoadBalancerArns")
                .iter()
                .all(String::is_empty)
        );
    }

    #[test]
    fn load_balancer_attributes_are_set_and_read_back() {
        let b = Fake::default();
        let (lb, _, _) = one(&b);
        let q = format!(
            "Action=ModifyLoadBalancerAttributes&LoadBalancerArn={lb}\
             &Attributes.member.1.Key=load_balancing.cross_zone.enabled\
             &Attributes.member.1.Value=true"
        );
        let body = elb(&b, &q);
        assert_eq!(all(&body, "Key"), ["load_balancing.cross_zone.enabled"]);
        let q = format!("Action=DescribeLoadBalancerAttributes&LoadBalancerArn={lb}");
        let attrs = elb(&b, &q);
        let keys = all(&attrs, "Key");
        let values = all(&attrs, "Value");
        let at = keys
            .iter()
            .position(|k| k == "load_balancing.cross_zone.enabled")
            .unwrap();
        assert_eq!(values[at], "true");
        let bogus = format!(
            "Action=ModifyLoadBalancerAttributes&LoadBalancerArn={lb}\
             &Attributes.member.1.Key=colour&Attributes.member.1.Value=red"
        );
        // An attribute the kind does not have (AWS answers InvalidConfigurationRequest).
        assert_eq!(code(&b, &bogus), "InvalidConfigurationRequest");
        let missing = lb.replace(lb.rsplit('/').next().unwrap(), "0123456789abcdef");
        let q = format!("Action=DescribeLoadBalancerAttributes&LoadBalancerArn={missing}");
        assert_eq!(code(&b, &q), "LoadBalancerNotFound");
    }

    #[test]
    fn create_target_group_reads_its_health_check() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let vpc = vpc_of(&b, &subnet);
        let base = format!("Action=CreateTargetGroup&Name=web&Protocol=TCP&Port=80&VpcId={vpc}");
        let q = format!(
            "{base}&HealthCheckProtocol=HTTP&HealthCheckPath=/ping&HealthCheckPort=8080\
             &HealthCheckIntervalSeconds=10&HealthyThresholdCount=2&UnhealthyThresholdCount=2\
             &Tags.member.1.Key=team&Tags.member.1.Value=web"
        );
        let body = elb(&b, &q);
        assert_eq!(all(&body, "TargetGroupName"), ["web"]);
        assert_eq!(all(&body, "Protocol"), ["TCP"]);
        assert_eq!(all(&body, "Port"), ["80"]);
        assert_eq!(all(&body, "VpcId"), [vpc.as_str()]);
        assert_eq!(all(&body, "HealthCheckProtocol"), ["HTTP"]);
        assert_eq!(all(&body, "HealthCheckPath"), ["/ping"]);
        assert_eq!(all(&body, "HealthCheckPort"), ["8080"]);
        assert_eq!(all(&body, "HealthCheckIntervalSeconds"), ["10"]);
        assert_eq!(all(&body, "TargetType"), ["instance"]);
        let tg = all(&body, "TargetGroupArn").remove(0);
        let tags = elb(
            &b,
            &format!("Action=DescribeTags&ResourceArns.member.1={tg}"),
        );
        assert_eq!(all(&tags, "Value"), ["web"]);
        // The same name and settings again is the same group (AWS: idempotent); another port
        // is a duplicate.
        assert_eq!(all(&elb(&b, &base), "TargetGroupArn"), [tg.as_str()]);
        let q = base.replace("Port=80", "Port=81");
        assert_eq!(code(&b, &q), "DuplicateTargetGroupName");
        for bad in [
            "&Name=a&HealthCheckIntervalSeconds=often",
            "&Name=a&HealthCheckEnabled=maybe",
            "&Name=a&Port=http",
        ] {
            let q = format!("Action=CreateTargetGroup&Protocol=TCP&VpcId={vpc}{bad}");
            assert_eq!(refused(&b, &q).0, "ValidationError", "{bad}");
        }
        let q = format!("Action=CreateTargetGroup&Protocol=TCP&Port=80&VpcId={vpc}");
        assert_eq!(refused(&b, &q).1, "'Name' is required");
        let q = format!("{base}&Name=v6&IpAddressType=ipv6");
        assert_ne!(code(&b, &q), "ValidationError");
    }

    #[test]
    fn modify_and_delete_target_group() {
        let b = Fake::default();
        let (_, tg, listener) = one(&b);
        let q = format!(
            "Action=ModifyTargetGroup&TargetGroupArn={tg}&HealthCheckIntervalSeconds=10\
             &HealthyThresholdCount=5"
        );
        let body = elb(&b, &q);
        assert_eq!(all(&body, "HealthCheckIntervalSeconds"), ["10"]);
        assert_eq!(all(&body, "HealthyThresholdCount"), ["5"]);
        let q = format!("Action=DescribeTargetGroups&TargetGroupArns.member.1={tg}");
        assert_eq!(all(&elb(&b, &q), "HealthyThresholdCount"), ["5"]);
        let q = format!("Action=ModifyTargetGroup&TargetGroupArn={tg}&HealthyThresholdCount=x");
        assert_eq!(refused(&b, &q).0, "ValidationError");
        // In use by a listener, it cannot go.
        let delete = format!("Action=DeleteTargetGroup&TargetGroupArn={tg}");
        assert_eq!(code(&b, &delete), "ResourceInUse");
        elb(&b, &format!("Action=DeleteListener&ListenerArn={listener}"));
        elb(&b, &delete);
        let q = format!("Action=DescribeTargetGroups&TargetGroupArns.member.1={tg}");
        assert_eq!(code(&b, &q), "TargetGroupNotFound");
        assert_eq!(
            refused(&b, "Action=DeleteTargetGroup").1,
            "'TargetGroupArn' is required"
        );
    }

    #[test]
    fn target_group_attributes_are_set_and_read_back() {
        let b = Fake::default();
        let (_, tg, _) = one(&b);
        let q = format!(
            "Action=ModifyTargetGroupAttributes&TargetGroupArn={tg}\
             &Attributes.member.1.Key=deregistration_delay.timeout_seconds\
             &Attributes.member.1.Value=30"
        );
        assert_eq!(all(&elb(&b, &q), "Value"), ["30"]);
        let attrs = elb(
            &b,
            &format!("Action=DescribeTargetGroupAttributes&TargetGroupArn={tg}"),
        );
        let keys = all(&attrs, "Key");
        let at = keys
            .iter()
            .position(|k| k == "deregistration_delay.timeout_seconds")
            .unwrap();
        assert_eq!(all(&attrs, "Value")[at], "30");
        let q = format!(
            "Action=ModifyTargetGroupAttributes&TargetGroupArn={tg}\
             &Attributes.member.1.Key=colour&Attributes.member.1.Value=red"
        );
        assert_eq!(code(&b, &q), "InvalidConfigurationRequest");
    }

    #[test]
    fn targets_are_registered_and_their_health_answered() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let vpc = vpc_of(&b, &subnet);
        let instance = launch_in(&b, &subnet, "t3.micro");
        let q = format!("Action=CreateTargetGroup&Name=tg&Protocol=TCP&Port=80&VpcId={vpc}");
        let tg = all(&elb(&b, &q), "TargetGroupArn").remove(0);
        let register =
            format!("Action=RegisterTargets&TargetGroupArn={tg}&Targets.member.1.Id={instance}");
        assert_eq!(
            refused(&b, &format!("Action=RegisterTargets&TargetGroupArn={tg}")).1,
            "'Targets' is required"
        );
        assert_eq!(
            refused(&b, &format!("{register}&Targets.member.1.Port=web")).0,
            "ValidationError"
        );
        let q = format!(
            "Action=RegisterTargets&TargetGroupArn={tg}&Targets.member.1.Id=i-0123456789abcdef0"
        );
        assert_eq!(code(&b, &q), "InvalidTarget");
        elb(&b, &register);
        let health = format!("Action=DescribeTargetHealth&TargetGroupArn={tg}");
        let body = elb(&b, &health);
        assert_eq!(all(&body, "Id"), [instance.as_str()]);
        assert_eq!(all(&body, "Port"), ["80"]);
        // No listener forwards to the group yet.
        assert_eq!(all(&body, "State"), ["unused"]);
        assert_eq!(all(&body, "Reason"), ["Target.NotInUse"]);
        let q = format!(
            "Action=CreateLoadBalancer&Name=lb&Type=network&Scheme=internal&Subnets.member.1={subnet}"
        );
        let lb = all(&elb(&b, &q), "LoadBalancerArn").remove(0);
        let q = format!(
            "Action=CreateListener&LoadBalancerArn={lb}&Protocol=TCP&Port=80\
             &DefaultActions.member.1.Type=forward&DefaultActions.member.1.TargetGroupArn={tg}"
        );
        elb(&b, &q);
        assert_eq!(all(&elb(&b, &health), "State"), ["healthy"]);
        // A target asked for but not registered.
        let q = format!("{health}&Targets.member.1.Id={instance}&Targets.member.1.Port=81");
        let body = elb(&b, &q);
        assert_eq!(all(&body, "State"), ["unavailable"]);
        assert_eq!(all(&body, "Reason"), ["Target.NotRegistered"]);
        elb(
            &b,
            &format!("Action=DeregisterTargets&TargetGroupArn={tg}&Targets.member.1.Id={instance}"),
        );
        assert!(all(&elb(&b, &health), "Id").is_empty());
    }

    #[test]
    fn create_and_modify_listener() {
        let b = Fake::default();
        let (lb, tg, listener) = one(&b);
        let base = format!("Action=CreateListener&LoadBalancerArn={lb}&Protocol=TCP&Port=81");
        assert_eq!(refused(&b, &base).1, "'DefaultActions' is required");
        let q = format!(
            "{base}&DefaultActions.member.1.Type=redirect&DefaultActions.member.1.TargetGroupArn={tg}"
        );
        assert_eq!(refused(&b, &q).0, "ValidationError");
        let q = format!("{base}&DefaultActions.member.1.Type=forward");
        assert_eq!(refused(&b, &q).1, "A forward action needs a target group");
        let q = format!(
            "{base}&Port=eighty&DefaultActions.member.1.Type=forward&DefaultActions.member.1.TargetGroupArn={tg}"
        );
        assert_eq!(refused(&b, &q).0, "ValidationError");
        // The fixture's listener again is that listener (AWS: idempotent); its port with
        // another group is a duplicate.
        let q = format!(
            "Action=CreateListener&LoadBalancerArn={lb}&Protocol=TCP&Port=80\
             &DefaultActions.member.1.Type=forward&DefaultActions.member.1.TargetGroupArn={tg}"
        );
        assert_eq!(all(&elb(&b, &q), "ListenerArn"), [listener.as_str()]);
        let vpc = all(
            &elb(
                &b,
                &format!("Action=DescribeTargetGroups&TargetGroupArns.member.1={tg}"),
            ),
            "VpcId",
        )
        .remove(0);
        let q2 = format!("Action=CreateTargetGroup&Name=other&Protocol=TCP&Port=80&VpcId={vpc}");
        let other = all(&elb(&b, &q2), "TargetGroupArn").remove(0);
        assert_eq!(code(&b, &q.replace(&tg, &other)), "DuplicateListener");
        // ForwardConfig names the group too.
        let q = format!(
            "{base}&DefaultActions.member.1.Type=forward\
             &DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn={tg}"
        );
        let body = elb(&b, &q);
        assert_eq!(all(&body, "Port"), ["81"]);
        assert_eq!(all(&body, "Protocol"), ["TCP"]);
        assert_eq!(all(&body, "LoadBalancerArn"), [lb.as_str()]);
        let q = format!("Action=ModifyListener&ListenerArn={listener}&Port=8080");
        let body = elb(&b, &q);
        assert_eq!(all(&body, "Port"), ["8080"]);
        let q = format!("Action=DescribeListeners&ListenerArns.member.1={listener}");
        assert_eq!(all(&elb(&b, &q), "Port"), ["8080"]);
        assert_eq!(
            refused(&b, "Action=DescribeListeners").1,
            "You must specify either listener ARNs or a load balancer ARN"
        );
        assert_eq!(
            refused(&b, "Action=ModifyListener").1,
            "'ListenerArn' is required"
        );
    }

    #[test]
    fn listener_attributes_and_delete() {
        let b = Fake::default();
        let (_, _, listener) = one(&b);
        let q = format!("Action=DescribeListenerAttributes&ListenerArn={listener}");
        let body = elb(&b, &q);
        assert_eq!(all(&body, "Key"), ["tcp.idle_timeout.seconds"]);
        assert_eq!(all(&body, "Value"), ["350"]);
        let delete = format!("Action=DeleteListener&ListenerArn={listener}");
        elb(&b, &delete);
        assert_eq!(code(&b, &delete), "ListenerNotFound");
        assert_eq!(code(&b, &q), "ListenerNotFound");
        assert_eq!(
            refused(&b, "Action=DeleteListener&ListenerArn=x").0,
            "ValidationError"
        );
    }

    #[test]
    fn tags_are_added_removed_and_described_by_arn() {
        let b = Fake::default();
        let (lb, tg, _) = one(&b);
        let q = format!(
            "Action=AddTags&ResourceArns.member.1={lb}&ResourceArns.member.2={tg}\
             &Tags.member.1.Key=env&Tags.member.1.Value=dev\
             &Tags.member.2.Key=team&Tags.member.2.Value=net"
        );
        elb(&b, &q);
        elb(
            &b,
            &format!("Action=RemoveTags&ResourceArns.member.1={lb}&TagKeys.member.1=team"),
        );
        let q =
            format!("Action=DescribeTags&ResourceArns.member.1={lb}&ResourceArns.member.2={tg}");
        let body = elb(&b, &q);
        assert_eq!(all(&body, "ResourceArn"), [lb.as_str(), tg.as_str()]);
        assert_eq!(all(&body, "Key"), ["env", "env", "team"]);
        assert_eq!(
            refused(&b, "Action=AddTags&Tags.member.1.Key=k").1,
            "'ResourceArns' is required"
        );
        assert_eq!(
            refused(&b, "Action=RemoveTags&TagKeys.member.1=k").1,
            "'ResourceArns' is required"
        );
        let missing = lb.replace(lb.rsplit('/').next().unwrap(), "0123456789abcdef");
        let q = format!("Action=DescribeTags&ResourceArns.member.1={missing}");
        assert_eq!(code(&b, &q), "LoadBalancerNotFound");
    }
}
