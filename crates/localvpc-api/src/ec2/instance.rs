//! Instances: RunInstances, DescribeInstances, Terminate/Stop/StartInstances,
//! DescribeInstanceStatus, and DescribeImages (a built-in catalogue; docs/aws-choices.md).

use super::describe::Describe;
use super::filter::DESCRIBE_BOUNDS;
use super::input::Input;
use super::vpc::unexpected;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    AMAZON_OWNER, BUILTIN_IMAGES, Command, Instance, InstanceId, InstanceState, Model, Outcome,
    RunInstances, SecurityGroupId, SubnetId, builtin_image_id, private_dns_name, valid_image_id,
};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;

const STATUS_FILTERS: &[&str] = &[
    "availability-zone",
    "instance-state-code",
    "instance-state-name",
    "instance-status.status",
    "system-status.status",
];

fn write_state(w: &mut XmlWriter, tag: &str, state: InstanceState) {
    let (code, name) = state.code_name();
    w.node(tag, |w| {
        w.num("code", code).leaf("name", name);
    });
}

fn write_instance(w: &mut XmlWriter, model: &Model, i: &Instance, state_override: Option<&str>) {
    let live = i.state != InstanceState::Terminated;
    let eni = model
        .network_interfaces_any(&i.primary_interface)
        .filter(|_| live);
    let public_ip = i
        .public_ip
        .or_else(|| model.public_ip_of(&i.primary_interface, i.private_ip));
    w.leaf("instanceId", i.id.as_str())
        .leaf("imageId", &i.image_id);
    match state_override {
        Some("pending") => {
            w.node("instanceState", |w| {
                w.num("code", 0).leaf("name", "pending");
            });
        }
        _ => write_state(w, "instanceState", i.state),
    }
    w.leaf(
        "privateDnsName",
        &if live {
            i.private_dns_name()
        } else {
            String::new()
        },
    )
    .leaf(
        "dnsName",
        &public_ip
            .filter(|_| live)
            .map(|p| i.public_dns_name(p))
            .unwrap_or_default(),
    )
    .leaf("reason", "")
    .leaf_opt("keyName", i.key_name.as_deref())
    .num("amiLaunchIndex", i.launch_index)
    .list("productCodes", Vec::<()>::new(), |_, ()| {})
    .leaf("instanceType", &i.instance_type)
    .leaf("launchTime", &iso8601_millis(i.launched.0))
    .node("placement", |w| {
        w.leaf("availabilityZone", &i.availability_zone)
            .leaf("groupName", "")
            .leaf("tenancy", "default");
    })
    .node("monitoring", |w| {
        w.leaf("state", "disabled");
    });
    if live {
        w.leaf("subnetId", i.subnet_id.as_str())
            .leaf("vpcId", i.vpc_id.as_str())
            .leaf("privateIpAddress", &i.private_ip.to_string())
            .leaf_opt("ipAddress", public_ip.map(|p| p.to_string()).as_deref())
            .leaf_opt(
                "ipv6Address",
                eni.and_then(|e| e.ipv6_addresses.first())
                    .map(ToString::to_string)
                    .as_deref(),
            );
    }
    w.bool("sourceDestCheck", eni.is_none_or(|e| e.source_dest_check))
        .list(
            "groupSet",
            eni.map(|e| e.groups.clone()).unwrap_or_default(),
            |w, g: SecurityGroupId| {
                let name = model
                    .security_group_any(&g)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                w.leaf("groupId", g.as_str()).leaf("groupName", &name);
            },
        )
        .leaf("architecture", "x86_64")
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", "/dev/xvda")
        .list("blockDeviceMapping", Vec::<()>::new(), |_, ()| {})
        .leaf("virtualizationType", "hvm")
        .leaf_opt("clientToken", i.client_token.as_deref());
    super::tags::write_tag_set(w, &i.tags);
    w.leaf("hypervisor", "xen")
        .list("networkInterfaceSet", eni, |w, e| {
            w.leaf("networkInterfaceId", e.id.as_str())
                .leaf("subnetId", e.subnet_id.as_str())
                .leaf("vpcId", e.vpc_id.as_str())
                .leaf("description", &e.description)
                .leaf("ownerId", e.scope.account.as_str())
                .leaf("status", e.status())
                .leaf("macAddress", &e.mac_address)
                .leaf("privateIpAddress", &e.private_ip.to_string())
                .leaf(
                    "privateDnsName",
                    &private_dns_name(&e.scope.region, e.private_ip),
                )
                .bool("sourceDestCheck", e.source_dest_check)
                .list("ipv6AddressesSet", &e.ipv6_addresses, |w, ip| {
                    w.leaf("ipv6Address", &ip.to_string())
                        .bool("isPrimaryIpv6", false);
                })
                .list("groupSet", &e.groups, |w, g| {
                    let name = model
                        .security_group_any(g)
                        .map(|x| x.name.clone())
                        .unwrap_or_default();
                    w.leaf("groupId", g.as_str()).leaf("groupName", &name);
                });
            if let Some(a) = &e.attachment {
                w.node("attachment", |w| {
                    w.leaf("attachmentId", &a.id)
                        .num("deviceIndex", a.device_index)
                        .leaf("status", "attached")
                        .leaf("attachTime", &iso8601_millis(i.launched.0))
                        .bool("deleteOnTermination", a.delete_on_termination);
                });
            }
            if let Some(p) = public_ip {
                w.node("association", |w| {
                    w.leaf("publicIp", &p.to_string())
                        .leaf("publicDnsName", &i.public_dns_name(p))
                        .leaf("ipOwnerId", "amazon");
                });
            }
            w.list(
                "privateIpAddressesSet",
                e.addresses().enumerate().collect::<Vec<_>>(),
                |w, (n, ip)| {
                    w.leaf("privateIpAddress", &ip.to_string())
                        .leaf("privateDnsName", &private_dns_name(&e.scope.region, ip))
                        .bool("primary", n == 0);
                },
            )
            .leaf("interfaceType", "interface");
        })
        .bool("ebsOptimized", false)
        .bool("enaSupport", true)
        .node("privateDnsNameOptions", |w| {
            w.leaf("hostnameType", "ip-name")
                .bool("enableResourceNameDnsARecord", false)
                .bool("enableResourceNameDnsAAAARecord", false);
        })
        .leaf("platformDetails", "Linux/UNIX")
        .leaf("usageOperation", "RunInstances");
}

/// `Reservation` items: instances grouped by reservation.
fn write_reservations(w: &mut XmlWriter, model: &Model, instances: &[&Instance]) {
    let mut reservations: Vec<&str> = Vec::new();
    for i in instances {
        if !reservations.contains(&i.reservation_id.as_str()) {
            reservations.push(&i.reservation_id);
        }
    }
    w.list("reservationSet", reservations, |w, r| {
        let members: Vec<&&Instance> = instances.iter().filter(|i| i.reservation_id == r).collect();
        let owner = members
            .first()
            .map(|i| i.scope.account.to_string())
            .unwrap_or_default();
        w.leaf("reservationId", r).leaf("ownerId", &owner).list(
            "groupSet",
            Vec::<()>::new(),
            |_, ()| {},
        );
        w.list("instancesSet", members, |w, i| {
            write_instance(w, model, i, None)
        });
    });
}

fn instance_values(model: &Model, i: &Instance, name: &str) -> Vec<String> {
    let eni = model.network_interfaces_any(&i.primary_interface);
    let one = |v: String| vec![v];
    match name {
        "availability-zone" => one(i.availability_zone.clone()),
        "dns-name" => i
            .public_ip
            .map(|p| i.public_dns_name(p))
            .into_iter()
            .collect(),
        "image-id" => one(i.image_id.clone()),
        "instance-id" => one(i.id.to_string()),
        "instance-state-code" => one(i.state.code_name().0.to_string()),
        "instance-state-name" => one(i.state.code_name().1.to_owned()),
        "instance-type" => one(i.instance_type.clone()),
        "instance.group-id" | "group-id" => eni
            .map(|e| e.groups.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        "instance.group-name" | "group-name" => eni
            .map(|e| {
                e.groups
                    .iter()
                    .filter_map(|g| model.security_group_any(g).map(|x| x.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        "ip-address" => i.public_ip.map(|p| p.to_string()).into_iter().collect(),
        "ipv6-address"
        | "network-interface.ipv6-address"
        | "network-interface.ipv6-addresses.ipv6-address" => eni
            .map(|e| e.ipv6_addresses.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        "key-name" => i.key_name.iter().cloned().collect(),
        "network-interface.network-interface-id" => one(i.primary_interface.to_string()),
        "network-interface.addresses.private-ip-address" | "private-ip-address" => {
            one(i.private_ip.to_string())
        }
        "owner-id" => one(i.scope.account.to_string()),
        "private-dns-name" => one(i.private_dns_name()),
        "reservation-id" => one(i.reservation_id.clone()),
        "subnet-id" => one(i.subnet_id.to_string()),
        "vpc-id" => one(i.vpc_id.to_string()),
        _ => Vec::new(),
    }
}

const INSTANCE_FILTERS: &[&str] = &[
    "availability-zone",
    "dns-name",
    "group-id",
    "group-name",
    "image-id",
    "instance-id",
    "instance-state-code",
    "instance-state-name",
    "instance-type",
    "instance.group-id",
    "instance.group-name",
    "ip-address",
    "ipv6-address",
    "key-name",
    "network-interface.addresses.private-ip-address",
    "network-interface.ipv6-address",
    "network-interface.ipv6-addresses.ipv6-address",
    "network-interface.network-interface-id",
    "owner-id",
    "private-dns-name",
    "private-ip-address",
    "reservation-id",
    "subnet-id",
    "vpc-id",
];

fn count(p: &Input<'_>, name: &str) -> Result<u32, ApiError> {
    let n = p.int(name)?.ok_or_else(|| ApiError::missing(name))?;
    u32::try_from(n).map_err(|_| ApiError::invalid_value(format!("Invalid value '{n}' for {name}")))
}

pub(super) async fn run<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let mut subnet_id = p.opt("SubnetId").map(SubnetId::parse).transpose()?;
    let mut groups = p
        .list("SecurityGroupId")
        .into_iter()
        .map(SecurityGroupId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let mut private_ip = p.opt("PrivateIpAddress").map(str::to_owned);
    super::network_interface::refuse_ipv6_extras(p.params(), "EnablePrimaryIpv6")?;
    let (mut ipv6_addresses, mut ipv6_count) =
        super::network_interface::ipv6_request(p.params(), "Ipv6Address", "Ipv6AddressCount")?;
    let mut associate_public_ip = None;
    let interfaces = p.params().structs("NetworkInterface");
    if let Some(first) = interfaces.first() {
        if interfaces.len() > 1 || first.get("NetworkInterfaceId").is_some() {
            return Err(ApiError::invalid_value(
                "localvpc launches instances with one new primary interface",
            ));
        }
        if subnet_id.is_some() || !groups.is_empty() {
            return Err(ApiError::combination(
                "Network interfaces and an instance-level subnet or security groups may not be specified on the same request",
            ));
        }
        subnet_id = first.get("SubnetId").map(SubnetId::parse).transpose()?;
        groups = first
            .list("SecurityGroupId")
            .into_iter()
            .map(SecurityGroupId::parse)
            .collect::<Result<Vec<_>, _>>()?;
        private_ip = first.get("PrivateIpAddress").map(str::to_owned);
        if !ipv6_addresses.is_empty() || ipv6_count.is_some() {
            return Err(ApiError::combination(
                "Network interfaces and an instance-level IPv6 address or count may not be specified on the same request",
            ));
        }
        super::network_interface::refuse_ipv6_extras(first, "PrimaryIpv6")?;
        (ipv6_addresses, ipv6_count) =
            super::network_interface::ipv6_request(first, "Ipv6Addresses", "Ipv6AddressCount")?;
        associate_public_ip = first
            .get("AssociatePublicIpAddress")
            .map(|v| v.eq_ignore_ascii_case("true"));
    }
    if !p.list("SecurityGroup").is_empty() {
        return Err(ApiError::invalid_value(
            "Use SecurityGroupId: group names are an EC2-Classic/default-VPC form localvpc does not take",
        ));
    }
    let instance_type = p.opt("InstanceType").unwrap_or("m1.small");
    if !super::params::INSTANCE_TYPES.contains(&instance_type) {
        return Err(ApiError::invalid_value(format!(
            "Invalid value '{instance_type}' for InstanceType."
        )));
    }
    let input = RunInstances {
        image_id: p.required("ImageId")?.to_owned(),
        instance_type: instance_type.to_owned(),
        min_count: count(p, "MinCount")?,
        max_count: count(p, "MaxCount")?,
        subnet_id,
        // An empty zone is no zone (Terraform's aws_instance always sends the parameter).
        availability_zone: p
            .opt("Placement.AvailabilityZone")
            .filter(|z| !z.is_empty())
            .map(str::to_owned),
        groups,
        private_ip: private_ip
            .map(|v| {
                v.parse().map_err(|_| {
                    ApiError::invalid_value(format!("Invalid private IP address '{v}'"))
                })
            })
            .transpose()?,
        ipv6_addresses,
        ipv6_count,
        associate_public_ip,
        key_name: p.opt("KeyName").map(str::to_owned),
        client_token: p.opt("ClientToken").map(str::to_owned),
        tag_specifications: p.tag_specifications()?,
    };
    match op.run(Command::RunInstances(input)).await? {
        Outcome::Instances(instances) => {
            let model = op.snapshot();
            let first = instances.first();
            op.respond(|w| {
                w.leaf(
                    "reservationId",
                    first.map(|i| i.reservation_id.as_str()).unwrap_or_default(),
                )
                .leaf("ownerId", op.ctx.scope.account.as_str())
                .list("groupSet", Vec::<()>::new(), |_, ()| {})
                .list("instancesSet", &instances, |w, i| {
                    write_instance(w, &model, i, Some("pending"))
                });
            })
        }
        other => Err(unexpected(&other)),
    }
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op
        .describe("InstanceId", InstanceId::parse)?
        .filters(INSTANCE_FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?;
    if describe.max_results().is_some() && !describe.ids().is_empty() {
        return Err(ApiError::combination(
            "The parameter instancesSet cannot be used with the parameter maxResults",
        ));
    }
    describe
        .of::<Instance>()
        .answer_page(instance_values, |w, model, page| {
            write_reservations(w, model, &page)
        })
}

pub(super) async fn change_state<B: Backend>(op: &Op<'_, B>, target: InstanceState) -> Body {
    let instance_ids = op
        .params
        .list("InstanceId")
        .into_iter()
        .map(InstanceId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if instance_ids.is_empty() {
        return Err(ApiError::missing("InstanceId"));
    }
    match op
        .run(Command::ChangeInstanceStates {
            instance_ids,
            target,
        })
        .await?
    {
        Outcome::InstanceStateChanges(changes) => op.respond(|w| {
            w.list("instancesSet", &changes, |w, (id, previous, current)| {
                w.leaf("instanceId", id.as_str());
                write_state(w, "currentState", *current);
                write_state(w, "previousState", *previous);
            });
        }),
        other => Err(unexpected(&other)),
    }
}

fn status_values(i: &Instance, name: &str) -> Vec<String> {
    match name {
        "availability-zone" => vec![i.availability_zone.clone()],
        "instance-state-code" => vec![i.state.code_name().0.to_string()],
        "instance-state-name" => vec![i.state.code_name().1.to_owned()],
        _ => vec![status(i).to_owned()],
    }
}

pub(super) fn describe_status<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op.describe("InstanceId", InstanceId::parse)?;
    let include_all = op.params.bool("IncludeAllInstances")?.unwrap_or(false);
    describe
        .filters(STATUS_FILTERS, false)?
        .paged(&DESCRIBE_BOUNDS)?
        .of::<Instance>()
        .keep(move |i| include_all || i.state == InstanceState::Running)
        .answer("instanceStatusSet", status_values, write_status)
}

/// An instance's system and instance status: `ok` while it runs.
fn status(i: &Instance) -> &'static str {
    if i.state == InstanceState::Running {
        "ok"
    } else {
        "not-applicable"
    }
}

fn write_status(w: &mut XmlWriter, i: &Instance) {
    let status = status(i);
    w.leaf("instanceId", i.id.as_str())
        .leaf("availabilityZone", &i.availability_zone);
    write_state(w, "instanceState", i.state);
    for tag in ["systemStatus", "instanceStatus"] {
        w.node(tag, |w| {
            w.leaf("status", status);
            // Reachability details exist only while the instance runs.
            let details: Vec<&str> = if status == "ok" {
                vec!["passed"]
            } else {
                Vec::new()
            };
            w.list("details", details, |w, s| {
                w.leaf("name", "reachability").leaf("status", s);
            });
        });
    }
}

pub(super) fn describe_images<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let wanted = p.list("ImageId");
    for id in &wanted {
        if !valid_image_id(id) {
            return Err(ApiError::new(
                400,
                "InvalidAMIID.Malformed",
                format!("Invalid id: \"{id}\" (expecting \"ami-...\")"),
            ));
        }
    }
    let owners = p.list("Owner");
    let describe = Describe::new(op).filters(
        &[
            "architecture",
            "image-id",
            "image-type",
            "is-public",
            "name",
            "owner-alias",
            "owner-id",
            "platform-details",
            "root-device-type",
            "state",
            "virtualization-type",
        ],
        true,
    )?;
    op.check_dry_run()?;
    let region = op.ctx.scope.region.clone();
    // (id, name, architecture, description, owner, alias)
    type Row = (
        String,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    );
    let mut images: Vec<Row> = BUILTIN_IMAGES
        .iter()
        .map(|i| {
            (
                builtin_image_id(&region, i),
                i.name,
                i.architecture,
                i.description,
                i.owner,
                i.owner_alias,
            )
        })
        .collect();
    // Any well-formed id asked for by name exists: RunInstances accepts them all.
    for id in &wanted {
        if !images.iter().any(|(i, ..)| i == id) {
            images.push((
                (*id).to_owned(),
                "localvpc-accepted-image",
                "x86_64",
                "An image id localvpc accepts",
                AMAZON_OWNER,
                Some("amazon"),
            ));
        }
    }
    let owner_ok = |owner: &str, alias: Option<&str>| {
        owners.is_empty()
            || owners.iter().any(|o| {
                *o == owner
                    || Some(*o) == alias
                    || (*o == "self" && owner == op.ctx.scope.account.as_str())
            })
    };
    let no_tags = localvpc_model::Tags::new();
    let selected: Vec<Row> = images
        .into_iter()
        .filter(|(id, ..)| wanted.is_empty() || wanted.contains(&id.as_str()))
        .filter(|(_, _, _, _, owner, alias)| owner_ok(owner, *alias))
        .filter(|(id, name, arch, _, owner, alias)| {
            describe.matches(Some(&no_tags), |f| match f {
                "architecture" => vec![(*arch).to_owned()],
                "image-id" => vec![id.clone()],
                "image-type" => vec!["machine".to_owned()],
                "is-public" => vec!["true".to_owned()],
                "name" => vec![(*name).to_owned()],
                "owner-alias" => alias.iter().map(|a| (*a).to_owned()).collect(),
                "owner-id" => vec![(*owner).to_owned()],
                "platform-details" => vec!["Linux/UNIX".to_owned()],
                "root-device-type" => vec!["ebs".to_owned()],
                "state" => vec!["available".to_owned()],
                "virtualization-type" => vec!["hvm".to_owned()],
                _ => Vec::new(),
            })
        })
        .collect();
    describe.respond(
        "imagesSet",
        selected,
        |(id, ..)| id.as_str(),
        |w, (id, name, arch, description, owner, alias)| {
            w.leaf("imageId", &id)
                .leaf("imageLocation", &format!("amazon/{name}"))
                .leaf("imageState", "available")
                .leaf("imageOwnerId", owner)
                .leaf("creationDate", "2024-12-12T00:00:00.000Z")
                .bool("isPublic", true)
                .leaf("architecture", arch)
                .leaf("imageType", "machine")
                .leaf_opt("imageOwnerAlias", alias)
                .leaf("name", name)
                .leaf("description", description)
                .leaf("rootDeviceType", "ebs")
                .leaf("rootDeviceName", "/dev/xvda")
                .list("blockDeviceMapping", Vec::<()>::new(), |_, ()| {})
                .leaf("virtualizationType", "hvm")
                .leaf("hypervisor", "xen")
                .bool("enaSupport", true)
                .leaf("platformDetails", "Linux/UNIX")
                .leaf("usageOperation", "RunInstances");
        },
    )
}
