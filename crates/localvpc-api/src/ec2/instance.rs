//! Instances: RunInstances, DescribeInstances, Terminate/Stop/StartInstances,
//! DescribeInstanceStatus, DescribeInstanceAttribute, DescribeInstanceCreditSpecifications,
//! ModifyInstanceAttribute (termination and stop protection), DescribeVolumes (each
//! instance's root volume), GetInstanceUefiData and DescribeImages (a built-in catalogue;
//! docs/aws-choices.md).

use super::describe::Describe;
use super::filter::DESCRIBE_BOUNDS;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    AMAZON_OWNER, BUILTIN_IMAGES, Command, Instance, InstanceAttributeChange, InstanceId,
    InstanceState, Model, ModelError, NetworkInterface, RunInstances, SecurityGroup,
    SecurityGroupId, SubnetId, builtin_image_id, private_dns_name, valid_image_id,
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

/// The XML of one instance; `attached` are its interfaces by device index
/// (`Model::interfaces_of_instances`, gathered once for a whole answer).
/// A stable `AIPA…` id for a profile ARN (IAM would assign one; the same ARN always
/// shows the same id).
pub fn instance_profile_id(arn: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut hash = arn.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut id = String::from("AIPA");
    for _ in 0..17 {
        let digit = usize::try_from(hash % 32).unwrap_or(0);
        id.push(char::from(ALPHABET.get(digit).copied().unwrap_or(b'A')));
        hash = hash / 32 + 0x9e37_79b9;
    }
    id
}

/// `IamInstanceProfile.Arn` or `.Name` as the profile's ARN (a name is the caller's own
/// account's profile). IAM is not emulated, so any well-formed profile is taken.
fn instance_profile(
    p: &Input<'_>,
    account: &localvpc_model::AccountId,
) -> Result<Option<String>, ApiError> {
    match (
        p.opt("IamInstanceProfile.Arn"),
        p.opt("IamInstanceProfile.Name"),
    ) {
        (Some(_), Some(_)) => Err(ApiError::invalid_value(
            "The parameter 'iamInstanceProfile.name' may not be used in combination with \
             'iamInstanceProfile.arn'",
        )),
        (Some(arn), None) => {
            let well_formed = arn
                .strip_prefix("arn:aws:iam::")
                .and_then(|rest| rest.split_once(":instance-profile/"))
                .is_some_and(|(acct, name)| acct.len() == 12 && !name.is_empty());
            if !well_formed {
                return Err(ApiError::invalid_value(format!(
                    "Value ({arn}) for parameter iamInstanceProfile.arn is invalid."
                )));
            }
            Ok(Some(arn.to_owned()))
        }
        (None, Some(name)) if !name.is_empty() => Ok(Some(format!(
            "arn:aws:iam::{}:instance-profile/{name}",
            account.as_str()
        ))),
        _ => Ok(None),
    }
}

fn write_instance(
    w: &mut XmlWriter,
    model: &Model,
    i: &Instance,
    attached: &[&NetworkInterface],
    state_override: Option<&str>,
) {
    let live = i.state != InstanceState::Terminated;
    let eni = model
        .any::<NetworkInterface>(&i.primary_interface)
        .filter(|_| live);
    let attached = if live { attached } else { &[] };
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
    if let Some(arn) = &i.iam_instance_profile {
        w.node("iamInstanceProfile", |w| {
            w.leaf("arn", arn).leaf("id", &instance_profile_id(arn));
        });
    }
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
                    .any::<SecurityGroup>(&g)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                w.leaf("groupId", g.as_str()).leaf("groupName", &name);
            },
        )
        .leaf("architecture", "x86_64")
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", ROOT_DEVICE);
    write_block_devices(w, i);
    w.leaf("virtualizationType", "hvm")
        .leaf_opt("clientToken", i.client_token.as_deref());
    super::tags::write_tag_set_always(w, &i.tags);
    w.leaf("hypervisor", "xen")
        .list("networkInterfaceSet", attached, |w, &e| {
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
                        .any::<SecurityGroup>(g)
                        .map(|x| x.name.clone())
                        .unwrap_or_default();
                    w.leaf("groupId", g.as_str()).leaf("groupName", &name);
                });
            if let Some(a) = &e.attachment {
                w.node("attachment", |w| {
                    w.leaf("attachmentId", &a.id)
                        .num("deviceIndex", a.device_index)
                        .leaf("status", "attached")
                        .leaf(
                            "attachTime",
                            &super::network_interface::attach_time(model, a),
                        )
                        .bool("deleteOnTermination", a.delete_on_termination)
                        .num("networkCardIndex", a.network_card_index);
                });
            }
            let public = if e.id == i.primary_interface {
                public_ip
            } else {
                model.public_ip_of(&e.id, e.private_ip)
            };
            if let Some(p) = public {
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
    let attached = model.interfaces_of_instances(instances);
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
            let enis = attached.get(&i.id).map(Vec::as_slice).unwrap_or_default();
            write_instance(w, model, i, enis, None);
        });
    });
}

fn instance_values(model: &Model, i: &Instance, name: &str) -> Vec<String> {
    let eni = model.any::<NetworkInterface>(&i.primary_interface);
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
                    .filter_map(|g| model.any::<SecurityGroup>(g).map(|x| x.name.clone()))
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
        "network-interface.network-interface-id" => model
            .interfaces_of_instance(i)
            .iter()
            .map(|e| e.id.to_string())
            .collect(),
        "network-interface.attachment.attachment-id" => model
            .interfaces_of_instance(i)
            .iter()
            .filter_map(|e| e.attachment.as_ref().map(|a| a.id.clone()))
            .collect(),
        "network-interface.attachment.device-index" => model
            .interfaces_of_instance(i)
            .iter()
            .filter_map(|e| e.attachment.as_ref().map(|a| a.device_index.to_string()))
            .collect(),
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
    "network-interface.attachment.attachment-id",
    "network-interface.attachment.device-index",
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
    // [Default VPC] group names: the model resolves them in the VPC the launch goes to.
    let group_names: Vec<String> = p
        .list("SecurityGroup")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !interfaces.is_empty() && !group_names.is_empty() {
        return Err(ApiError::combination(
            "Network interfaces and an instance-level subnet or security groups may not be specified on the same request",
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
        group_names,
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
        disable_api_termination: p.bool("DisableApiTermination")?.unwrap_or(false),
        disable_api_stop: p.bool("DisableApiStop")?.unwrap_or(false),
        iam_instance_profile: instance_profile(p, &op.ctx.scope.account)?,
    };
    let instances: Vec<Instance> = op.run_as(Command::RunInstances(input)).await?;
    {
        let model = op.snapshot();
        let first = instances.first();
        let attached = model.interfaces_of_instances(&instances.iter().collect::<Vec<_>>());
        op.respond(|w| {
            w.leaf(
                "reservationId",
                first.map(|i| i.reservation_id.as_str()).unwrap_or_default(),
            )
            .leaf("ownerId", op.ctx.scope.account.as_str())
            .list("groupSet", Vec::<()>::new(), |_, ()| {})
            .list("instancesSet", &instances, |w, i| {
                let enis = attached.get(&i.id).map(Vec::as_slice).unwrap_or_default();
                write_instance(w, &model, i, enis, Some("pending"));
            });
        })
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
    let changes: Vec<(InstanceId, InstanceState, InstanceState)> = op
        .run_as(Command::ChangeInstanceStates {
            instance_ids,
            target,
        })
        .await?;
    op.respond(|w| {
        w.list("instancesSet", &changes, |w, (id, previous, current)| {
            w.leaf("instanceId", id.as_str());
            write_state(w, "currentState", *current);
            write_state(w, "previousState", *previous);
        });
    })
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
            return Err(ModelError::InvalidAmiMalformed {
                id: (*id).to_owned(),
            }
            .into());
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

/// The device name of every instance's root volume (the built-in images' `rootDeviceName`).
const ROOT_DEVICE: &str = "/dev/xvda";

/// The root EBS volume of an instance. localvpc stores no volumes: each instance has one,
/// named after the instance (`i-0abc…` → `vol-0abc…`), of the built-in images' defaults
/// (8 GiB gp3, 3,000 IOPS, 125 MiB/s, unencrypted), deleted with the instance.
struct RootVolume<'m> {
    id: String,
    instance: &'m Instance,
}

impl<'m> RootVolume<'m> {
    const SIZE_GIB: u32 = 8;
    const TYPE: &'static str = "gp3";
    const IOPS: u32 = 3000;
    const THROUGHPUT: u32 = 125;

    /// The instance's root volume; a terminated instance has none.
    fn of(instance: &'m Instance) -> Option<Self> {
        (instance.state != InstanceState::Terminated).then(|| Self {
            id: root_volume_id(&instance.id),
            instance,
        })
    }

    /// The snapshot the volume was created from: the image's (derived from its id).
    fn snapshot_id(&self) -> String {
        let hex = self.instance.image_id.trim_start_matches("ami-");
        format!("snap-{hex}")
    }
}

fn root_volume_id(id: &InstanceId) -> String {
    format!("vol-{}", id.as_str().trim_start_matches("i-"))
}

/// `blockDeviceMapping` items of DescribeInstances and DescribeInstanceAttribute.
fn write_block_devices(w: &mut XmlWriter, i: &Instance) {
    w.list("blockDeviceMapping", RootVolume::of(i), |w, v| {
        w.leaf("deviceName", ROOT_DEVICE).node("ebs", |w| {
            w.leaf("volumeId", &v.id)
                .leaf("status", "attached")
                .leaf("attachTime", &iso8601_millis(i.launched.0))
                .bool("deleteOnTermination", true);
        });
    });
}

const VOLUME_FILTERS: &[&str] = &[
    "attachment.attach-time",
    "attachment.delete-on-termination",
    "attachment.device",
    "attachment.instance-id",
    "attachment.status",
    "availability-zone",
    "create-time",
    "encrypted",
    "fast-restored",
    "multi-attach-enabled",
    "size",
    "snapshot-id",
    "status",
    "volume-id",
    "volume-type",
];

fn volume_values(v: &RootVolume<'_>, name: &str) -> Vec<String> {
    let i = v.instance;
    let one = |s: &str| vec![s.to_owned()];
    match name {
        "attachment.attach-time" | "create-time" => one(&iso8601_millis(i.launched.0)),
        "attachment.delete-on-termination" => one("true"),
        "attachment.device" => one(ROOT_DEVICE),
        "attachment.instance-id" => one(i.id.as_str()),
        "attachment.status" => one("attached"),
        "availability-zone" => one(&i.availability_zone),
        "encrypted" | "fast-restored" | "multi-attach-enabled" => one("false"),
        "size" => vec![RootVolume::SIZE_GIB.to_string()],
        "snapshot-id" => vec![v.snapshot_id()],
        "status" => one("in-use"),
        "volume-id" => one(&v.id),
        "volume-type" => one(RootVolume::TYPE),
        _ => Vec::new(),
    }
}

fn write_volume(w: &mut XmlWriter, v: &RootVolume<'_>) {
    let i = v.instance;
    let launched = iso8601_millis(i.launched.0);
    w.leaf("volumeId", &v.id)
        .num("size", RootVolume::SIZE_GIB)
        .leaf("snapshotId", &v.snapshot_id())
        .leaf("availabilityZone", &i.availability_zone)
        .leaf("status", "in-use")
        .leaf("createTime", &launched)
        .list("attachmentSet", [()], |w, ()| {
            w.leaf("volumeId", &v.id)
                .leaf("instanceId", i.id.as_str())
                .leaf("device", ROOT_DEVICE)
                .leaf("status", "attached")
                .leaf("attachTime", &launched)
                .bool("deleteOnTermination", true);
        })
        .leaf("volumeType", RootVolume::TYPE)
        .num("iops", RootVolume::IOPS)
        .bool("encrypted", false)
        .bool("multiAttachEnabled", false)
        .num("throughput", RootVolume::THROUGHPUT)
        .bool("fastRestored", false);
}

fn parse_volume_id(id: &str) -> Result<String, ApiError> {
    let hex = id.strip_prefix("vol-").unwrap_or_default();
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::invalid_value(format!(
            "Invalid id: \"{id}\" (expecting \"vol-...\")"
        )));
    }
    Ok(id.to_owned())
}

pub(super) fn describe_volumes<B: Backend>(op: &Op<'_, B>) -> Body {
    let named = op
        .params
        .list("VolumeId")
        .into_iter()
        .map(parse_volume_id)
        .collect::<Result<Vec<_>, _>>()?;
    let describe = Describe::new(op)
        .filters(VOLUME_FILTERS, true)?
        .paged(&VOLUME_BOUNDS)?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    let mut volumes: Vec<RootVolume<'_>> = model
        .in_scope::<Instance>(scope)
        .filter_map(RootVolume::of)
        .collect();
    volumes.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(missing) = named
        .iter()
        .find(|id| !volumes.iter().any(|v| v.id == **id))
    {
        return Err(ModelError::VolumeNotFound {
            id: missing.to_string(),
        }
        .into());
    }
    let no_tags = localvpc_model::Tags::new();
    let chosen: Vec<RootVolume<'_>> = volumes
        .into_iter()
        .filter(|v| named.is_empty() || named.contains(&v.id))
        .filter(|v| describe.matches(Some(&no_tags), |f| volume_values(v, f)))
        .collect();
    describe.respond(
        "volumeSet",
        chosen,
        |v| v.id.as_str(),
        |w, v| write_volume(w, &v),
    )
}

/// DescribeVolumes' `MaxResults` bounds (AWS: 5 to 500).
const VOLUME_BOUNDS: super::filter::Bounds = super::filter::Bounds { min: 5, max: 500 };

/// DescribeInstanceAttribute's attribute names (`InstanceAttributeName`).
const ATTRIBUTES: &[&str] = &[
    "instanceType",
    "kernel",
    "ramdisk",
    "userData",
    "disableApiTermination",
    "instanceInitiatedShutdownBehavior",
    "rootDeviceName",
    "blockDeviceMapping",
    "productCodes",
    "sourceDestCheck",
    "groupSet",
    "ebsOptimized",
    "sriovNetSupport",
    "enaSupport",
    "enclaveOptions",
    "disableApiStop",
];

pub(super) fn describe_attribute<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let id = InstanceId::parse(p.required("InstanceId")?)?;
    let attribute = p.required("Attribute")?;
    if !ATTRIBUTES.contains(&attribute) {
        return Err(ApiError::invalid_value(format!(
            "Value ({attribute}) for parameter attribute is invalid. Unknown attribute."
        )));
    }
    op.check_dry_run()?;
    let model = op.snapshot();
    let i: &Instance = model.get(&op.ctx.scope, &id)?;
    let eni = model
        .any::<NetworkInterface>(&i.primary_interface)
        .filter(|_| i.state != InstanceState::Terminated);
    let value = |w: &mut XmlWriter, tag: &str, v: Option<&str>| {
        w.node(tag, |w| {
            w.leaf_opt("value", v);
        });
    };
    let flag = |w: &mut XmlWriter, tag: &str, v: bool| {
        w.node(tag, |w| {
            w.bool("value", v);
        });
    };
    op.respond(|w| {
        w.leaf("instanceId", i.id.as_str());
        match attribute {
            "instanceType" => value(w, "instanceType", Some(&i.instance_type)),
            "kernel" | "ramdisk" | "userData" | "sriovNetSupport" => value(w, attribute, None),
            "instanceInitiatedShutdownBehavior" => value(w, attribute, Some("stop")),
            "rootDeviceName" => value(w, attribute, Some(ROOT_DEVICE)),
            "disableApiTermination" => flag(w, attribute, i.disable_api_termination),
            "disableApiStop" => flag(w, attribute, i.disable_api_stop),
            "ebsOptimized" => flag(w, attribute, false),
            "enaSupport" => flag(w, attribute, true),
            "sourceDestCheck" => flag(w, attribute, eni.is_none_or(|e| e.source_dest_check)),
            "enclaveOptions" => {
                w.node("enclaveOptions", |w| {
                    w.bool("enabled", false);
                });
            }
            "blockDeviceMapping" => write_block_devices(w, i),
            "productCodes" => {
                w.list("productCodes", Vec::<()>::new(), |_, ()| {});
            }
            _ => {
                let groups = eni.map(|e| e.groups.clone()).unwrap_or_default();
                w.list("groupSet", groups, |w, g| {
                    let name = model
                        .any::<SecurityGroup>(&g)
                        .map(|x| x.name.clone())
                        .unwrap_or_default();
                    w.leaf("groupId", g.as_str()).leaf("groupName", &name);
                });
            }
        }
    })
}

/// DescribeInstanceCreditSpecifications' `MaxResults` bounds.
const CREDIT_BOUNDS: super::filter::Bounds = super::filter::Bounds { min: 5, max: 1000 };

/// The CPU credit option of an instance: its type's default (localvpc does not take
/// `CreditSpecification` on launch), `None` for a type that is not burstable.
fn cpu_credits(i: &Instance) -> Option<&'static str> {
    localvpc_model::instance_type(&i.instance_type).and_then(|t| t.default_cpu_credits())
}

pub(super) fn describe_credit_specifications<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op
        .describe("InstanceId", InstanceId::parse)?
        .filters(&["instance-id"], false)?
        .paged(&CREDIT_BOUNDS)?;
    let named = !describe.ids().is_empty();
    if let Some(model) = named.then(|| op.snapshot()) {
        for id in describe.ids() {
            let i: &Instance = model.get(&op.ctx.scope, id)?;
            if cpu_credits(i).is_none() {
                return Err(ModelError::UnsupportedForInstanceType {
                    instance_type: i.instance_type.to_string(),
                }
                .into());
            }
        }
    }
    // Named instances answer whatever their option; unnamed, only the `unlimited` ones (AWS).
    describe
        .of::<Instance>()
        .keep(move |i| match cpu_credits(i) {
            Some(credits) => named || credits == "unlimited",
            None => false,
        })
        .answer(
            "instanceCreditSpecificationSet",
            |i, name| match name {
                "instance-id" => vec![i.id.to_string()],
                _ => Vec::new(),
            },
            |w, i| {
                w.leaf("instanceId", i.id.as_str())
                    .leaf("cpuCredits", cpu_credits(i).unwrap_or_default());
            },
        )
}

/// GetInstanceUefiData: localvpc's instances boot without a UEFI variable store (as
/// legacy-BIOS instances do), so the answer names the instance and carries no `uefiData`.
pub(super) fn get_uefi_data<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = InstanceId::parse(op.params.required("InstanceId")?)?;
    op.check_dry_run()?;
    let model = op.snapshot();
    let i: &Instance = model.get(&op.ctx.scope, &id)?;
    op.respond(|w| {
        w.leaf("instanceId", i.id.as_str());
    })
}

/// ModifyInstanceAttribute's attributes, as `<Name>.Value` parameters.
const MODIFIABLE: &[&str] = &[
    "BlockDeviceMapping",
    "DisableApiStop",
    "DisableApiTermination",
    "EbsOptimized",
    "EnaSupport",
    "GroupId",
    "InstanceInitiatedShutdownBehavior",
    "InstanceType",
    "Kernel",
    "Ramdisk",
    "SourceDestCheck",
    "SriovNetSupport",
    "UserData",
];

/// ModifyInstanceAttribute of the attributes localvpc keeps: termination and stop
/// protection. The others are refused, not ignored.
pub(super) async fn modify_attribute<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let instance_id = InstanceId::parse(p.required("InstanceId")?)?;
    let given: Vec<&str> = MODIFIABLE
        .iter()
        .copied()
        .filter(|name| {
            p.params()
                .keys()
                .any(|k| k == *name || k.starts_with(&format!("{name}.")))
        })
        .collect();
    let (name, value) = match (given.as_slice(), p.opt("Attribute")) {
        ([], Some(attribute)) => (attribute.to_owned(), p.opt("Value")),
        ([one], None) => {
            // `DisableApiTermination` → `disableApiTermination`.
            let mut chars = one.chars();
            let name: String = chars
                .next()
                .map(|c| c.to_ascii_lowercase())
                .into_iter()
                .chain(chars)
                .collect();
            (name, p.opt(&format!("{one}.Value")))
        }
        ([], None) => return Err(ApiError::missing("Attribute")),
        _ => {
            return Err(ApiError::combination(format!(
                "Fields for multiple attribute types specified: {}",
                given.join(", ")
            )));
        }
    };
    let on = |value: Option<&str>| match value.map(str::to_ascii_lowercase).as_deref() {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(ApiError::invalid_value(format!(
            "Value ({other}) for parameter {name} is invalid."
        ))),
        None => Err(ApiError::missing("Value")),
    };
    let change = match name.as_str() {
        "disableApiTermination" => InstanceAttributeChange::DisableApiTermination(on(value)?),
        "disableApiStop" => InstanceAttributeChange::DisableApiStop(on(value)?),
        other if ATTRIBUTES.contains(&other) => {
            return Err(ApiError::not_emulated(format!(
                "changing the instance attribute {other}"
            )));
        }
        other => {
            return Err(ApiError::invalid_value(format!(
                "Value ({other}) for parameter attribute is invalid. Unknown attribute."
            )));
        }
    };
    op.run_as::<()>(Command::ModifyInstanceAttribute {
        instance_id,
        change,
    })
    .await?;
    op.respond_true()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, launch_in, missing_parameter, new_subnet, ok,
        unknown_filter,
    };

    /// Launches one instance of `instance_type` in a new subnet; its id.
    fn launch(b: &Fake, instance_type: &str) -> String {
        launch_in(b, &new_subnet(b), instance_type)
    }

    #[test]
    fn an_instance_profile_is_kept_by_arn_or_by_name() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let run = format!(
            "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1\
             &SubnetId={subnet}"
        );
        let body = ok(&b, ME, &format!("{run}&IamInstanceProfile.Name=app"));
        let arn = format!("arn:aws:iam::{ME}:instance-profile/app");
        assert_eq!(all(&body, "arn"), [arn.as_str()]);
        let id = all(&body, "id").remove(0);
        assert!(id.starts_with("AIPA") && id.len() == 21, "{id}");
        let other = "arn:aws:iam::222222222222:instance-profile/path/web";
        let body = ok(&b, ME, &format!("{run}&IamInstanceProfile.Arn={other}"));
        assert_eq!(all(&body, "arn"), [other]);
        // The same profile always shows the same id.
        let again = ok(&b, ME, &format!("{run}&IamInstanceProfile.Arn={arn}"));
        assert_eq!(all(&again, "id"), [id.as_str()]);
        for bad in [
            format!("IamInstanceProfile.Arn={arn}&IamInstanceProfile.Name=app"),
            "IamInstanceProfile.Arn=arn:aws:iam::1:role/app".to_owned(),
        ] {
            assert_eq!(
                error(&b, ME, &format!("{run}&{bad}")),
                "InvalidParameterValue",
                "{bad}"
            );
        }
        // Without a profile, no iamInstanceProfile element.
        assert!(all(&ok(&b, ME, &run), "iamInstanceProfile").is_empty());
    }

    #[test]
    fn group_names_are_refused_outside_the_default_vpc_and_with_interfaces() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let run = "Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1\
                   &SecurityGroup.1=default";
        let with_subnet = format!("{run}&SubnetId={subnet}");
        assert_eq!(error(&b, ME, &with_subnet), "InvalidParameterCombination");
        let with_interface =
            format!("{run}&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId={subnet}");
        assert_eq!(
            error(&b, ME, &with_interface),
            "InvalidParameterCombination"
        );
    }

    #[test]
    fn root_volume_is_named_after_the_instance() {
        let b = Fake::default();
        let i = launch(&b, "t3.micro");
        let volume = format!("vol-{}", &i[2..]);
        let described = ok(
            &b,
            ME,
            &format!("Action=DescribeInstances&InstanceId.1={i}"),
        );
        assert_eq!(all(&described, "volumeId"), [volume.as_str()]);
        let by_instance = format!(
            "Action=DescribeVolumes&Filter.1.Name=attachment.instance-id&Filter.1.Value.1={i}"
        );
        let body = ok(&b, ME, &by_instance);
        assert_eq!(all(&body, "status"), ["in-use", "attached"]);
        assert_eq!(all(&body, "device"), ["/dev/xvda"]);
        assert!(all(&ok(&b, OTHER, "Action=DescribeVolumes"), "volumeId").is_empty());
        ok(
            &b,
            ME,
            &format!("Action=TerminateInstances&InstanceId.1={i}"),
        );
        let gone = format!("Action=DescribeVolumes&VolumeId.1={volume}");
        assert_eq!(error(&b, ME, &gone), "InvalidVolume.NotFound");
    }

    #[test]
    fn attributes_answer_one_value() {
        let b = Fake::default();
        let i = launch(&b, "t3.micro");
        let attribute = |name: &str| {
            ok(
                &b,
                ME,
                &format!("Action=DescribeInstanceAttribute&InstanceId={i}&Attribute={name}"),
            )
        };
        assert!(attribute("instanceType").contains("<instanceType><value>t3.micro</value>"));
        assert!(attribute("disableApiTermination").contains("<value>false</value>"));
        assert!(attribute("sourceDestCheck").contains("<value>true</value>"));
        assert!(attribute("blockDeviceMapping").contains("<deviceName>/dev/xvda</deviceName>"));
        let bad = format!("Action=DescribeInstanceAttribute&InstanceId={i}&Attribute=colour");
        assert_eq!(error(&b, ME, &bad), "InvalidParameterValue");
        let theirs = format!("Action=DescribeInstanceAttribute&InstanceId={i}&Attribute=kernel");
        assert_eq!(error(&b, OTHER, &theirs), "InvalidInstanceID.NotFound");
    }

    #[test]
    fn protection_is_kept_and_enforced() {
        let b = Fake::default();
        let i = launch(&b, "t3.micro");
        let modify = |query: &str| format!("Action=ModifyInstanceAttribute&InstanceId={i}{query}");
        ok(&b, ME, &modify("&DisableApiTermination.Value=true"));
        ok(&b, ME, &modify("&Attribute=disableApiStop&Value=true"));
        let read = |name: &str| {
            ok(
                &b,
                ME,
                &format!("Action=DescribeInstanceAttribute&InstanceId={i}&Attribute={name}"),
            )
        };
        assert!(read("disableApiTermination").contains("<value>true</value>"));
        assert!(read("disableApiStop").contains("<value>true</value>"));
        let terminate = format!("Action=TerminateInstances&InstanceId.1={i}");
        let stop = format!("Action=StopInstances&InstanceId.1={i}");
        assert_eq!(error(&b, ME, &terminate), "OperationNotPermitted");
        assert_eq!(error(&b, ME, &stop), "OperationNotPermitted");
        let both = modify("&DisableApiTermination.Value=false&DisableApiStop.Value=false");
        assert_eq!(error(&b, ME, &both), "InvalidParameterCombination");
        // An attribute localvpc keeps but does not change: the one not-emulated refusal.
        assert_eq!(
            error(&b, ME, &modify("&InstanceType.Value=t3.large")),
            "UnsupportedOperation"
        );
        ok(&b, ME, &modify("&DisableApiTermination.Value=false"));
        ok(&b, ME, &terminate);
    }

    #[test]
    fn uefi_data_is_empty_and_ids_are_checked() {
        let b = Fake::default();
        let i = launch(&b, "t3.micro");
        let body = ok(
            &b,
            ME,
            &format!("Action=GetInstanceUefiData&InstanceId={i}"),
        );
        assert_eq!(all(&body, "instanceId"), [i.as_str()]);
        assert!(!body.contains("uefiData"));
        // The AWS provider's aws_ami data source asks with an image id.
        let image = "Action=GetInstanceUefiData&InstanceId=ami-0123456789abcdef0";
        assert_eq!(error(&b, ME, image), "InvalidInstanceID.Malformed");
    }

    #[test]
    fn credit_options_follow_the_family() {
        let b = Fake::default();
        let t2 = launch(&b, "t2.micro");
        let m5 = launch(&b, "m5.large");
        let t3 = launch(&b, "t3.micro");
        let named = ok(
            &b,
            ME,
            &format!(
                "Action=DescribeInstanceCreditSpecifications&InstanceId.1={t2}&InstanceId.2={t3}"
            ),
        );
        assert_eq!(all(&named, "cpuCredits"), ["standard", "unlimited"]);
        let listed = ok(&b, ME, "Action=DescribeInstanceCreditSpecifications");
        assert_eq!(all(&listed, "instanceId"), [t3.as_str()]);
        let plain = format!("Action=DescribeInstanceCreditSpecifications&InstanceId.1={m5}");
        assert_eq!(error(&b, ME, &plain), "UnsupportedOperation");
    }

    /// The `name`s of the `instanceState`s of a DescribeInstances answer for `ids`.
    fn states(b: &Fake, ids: &[&str]) -> Vec<String> {
        let q: String = ids
            .iter()
            .enumerate()
            .map(|(n, id)| format!("&InstanceId.{}={id}", n + 1))
            .collect();
        let body = ok(b, ME, &format!("Action=DescribeInstances{q}"));
        all(&all(&body, "instanceState").concat(), "name")
    }

    #[test]
    fn start_instances_runs_stopped_instances_again() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let q = format!(
            "Action=ModifySubnetAttribute&SubnetId={subnet}&MapPublicIpOnLaunch.Value=true"
        );
        ok(&b, ME, &q);
        let (i, j) = (
            launch_in(&b, &subnet, "t3.micro"),
            launch_in(&b, &subnet, "t3.micro"),
        );
        let public_ip = |id: &str| {
            let body = ok(
                &b,
                ME,
                &format!("Action=DescribeInstances&InstanceId.1={id}"),
            );
            all(&body, "ipAddress")
        };
        assert_eq!(public_ip(&i).len(), 1);
        ok(&b, ME, &format!("Action=StopInstances&InstanceId.1={i}"));
        assert_eq!(states(&b, &[&i, &j]), ["stopped", "running"]);
        assert!(public_ip(&i).is_empty());
        let start = format!("Action=StartInstances&InstanceId.1={i}&InstanceId.2={j}");
        dry_run(&b, &start);
        assert_eq!(states(&b, &[&i]), ["stopped"]);
        let body = ok(&b, ME, &start);
        assert_eq!(all(&body, "instanceId"), [i.as_str(), j.as_str()]);
        let current = all(&all(&body, "currentState").concat(), "code");
        let previous = all(&all(&body, "previousState").concat(), "code");
        assert_eq!(current, ["16", "16"]);
        assert_eq!(previous, ["80", "16"]);
        assert_eq!(
            all(&body, "name"),
            ["running", "stopped", "running", "running"]
        );
        assert_eq!(states(&b, &[&i, &j]), ["running", "running"]);
        // A started instance that maps public addresses gets one again.
        assert_eq!(public_ip(&i).len(), 1);
        missing_parameter(&b, "Action=StartInstances");
        let start_one = |id: &str| format!("Action=StartInstances&InstanceId.1={id}");
        assert_eq!(
            error(&b, ME, &start_one("i-x")),
            "InvalidInstanceID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &start_one("i-0123456789abcdef0")),
            "InvalidInstanceID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &start_one(&i)),
            "InvalidInstanceID.NotFound"
        );
        ok(
            &b,
            ME,
            &format!("Action=TerminateInstances&InstanceId.1={j}"),
        );
        assert_eq!(error(&b, ME, &start_one(&j)), "IncorrectInstanceState");
        // All or nothing: the instance before the terminated one stays as it was.
        ok(&b, ME, &format!("Action=StopInstances&InstanceId.1={i}"));
        let q = format!("Action=StartInstances&InstanceId.1={i}&InstanceId.2={j}");
        assert_eq!(error(&b, ME, &q), "IncorrectInstanceState");
        assert_eq!(states(&b, &[&i]), ["stopped"]);
    }

    #[test]
    fn instance_status_describes_running_instances_unless_all_are_asked_for() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let (up, down) = (
            launch_in(&b, &subnet, "t3.micro"),
            launch_in(&b, &subnet, "t3.micro"),
        );
        ok(&b, ME, &format!("Action=StopInstances&InstanceId.1={down}"));
        let describe = "Action=DescribeInstanceStatus";
        dry_run(&b, describe);
        let body = ok(&b, ME, describe);
        assert_eq!(all(&body, "instanceId"), [up.as_str()]);
        assert_eq!(all(&body, "availabilityZone"), ["ap-northeast-1a"]);
        assert_eq!(all(&body, "code"), ["16"]);
        assert_eq!(all(&body, "status"), ["ok", "passed", "ok", "passed"]);
        assert_eq!(
            all(&body, "name"),
            ["running", "reachability", "reachability"]
        );
        let every = ok(&b, ME, &format!("{describe}&IncludeAllInstances=true"));
        assert_eq!(all(&every, "instanceId"), [up.as_str(), down.as_str()]);
        assert_eq!(
            all(&every, "status"),
            [
                "ok",
                "passed",
                "ok",
                "passed",
                "not-applicable",
                "not-applicable"
            ]
        );
        // A stopped instance named without IncludeAllInstances is left out.
        let named = format!("{describe}&InstanceId.1={down}");
        assert!(all(&ok(&b, ME, &named), "instanceId").is_empty());
        let filtered = |filter: &str| {
            let q = format!("{describe}&IncludeAllInstances=true&Filter.1.Name={filter}");
            all(&ok(&b, ME, &q), "instanceId")
        };
        assert_eq!(
            filtered("instance-state-name&Filter.1.Value.1=stopped"),
            [down.as_str()]
        );
        assert_eq!(
            filtered("instance-state-code&Filter.1.Value.1=16"),
            [up.as_str()]
        );
        assert_eq!(
            filtered("instance-status.status&Filter.1.Value.1=ok"),
            [up.as_str()]
        );
        assert_eq!(
            filtered("system-status.status&Filter.1.Value.1=not-applicable"),
            [down.as_str()]
        );
        assert!(filtered("availability-zone&Filter.1.Value.1=ap-northeast-1c").is_empty());
        unknown_filter(&b, describe);
        for (account, query, want) in [
            (
                ME,
                format!("{describe}&InstanceId.1=i-x"),
                "InvalidInstanceID.Malformed",
            ),
            (
                ME,
                format!("{describe}&InstanceId.1=i-0123456789abcdef0"),
                "InvalidInstanceID.NotFound",
            ),
            (
                OTHER,
                format!("{describe}&InstanceId.1={up}"),
                "InvalidInstanceID.NotFound",
            ),
            (
                ME,
                format!("{describe}&IncludeAllInstances=perhaps"),
                "InvalidParameterValue",
            ),
        ] {
            assert_eq!(error(&b, account, &query), want, "{account} {query}");
        }
        assert!(all(&ok(&b, OTHER, describe), "instanceId").is_empty());
    }

    #[test]
    fn describe_images_lists_the_built_in_images_and_any_id_asked_for() {
        let b = Fake::default();
        let describe = "Action=DescribeImages";
        dry_run(&b, describe);
        let body = ok(&b, ME, describe);
        let ids = all(&body, "imageId");
        assert_eq!(ids.len(), 3);
        assert!(
            ids.iter()
                .all(|id| id.starts_with("ami-") && id.len() == 21),
            "{ids:?}"
        );
        assert_eq!(all(&body, "architecture"), ["x86_64", "arm64", "x86_64"]);
        assert_eq!(all(&body, "imageState"), ["available"; 3]);
        assert_eq!(all(&body, "imageOwnerAlias"), ["amazon", "amazon"]);
        let owned = |owner: &str| {
            let q = format!("{describe}&Owner.1={owner}");
            all(&ok(&b, ME, &q), "imageId")
        };
        assert_eq!(owned("amazon"), ids[..2]);
        assert_eq!(owned("137112412989"), ids[..2]);
        assert_eq!(owned("099720109477"), ids[2..]);
        assert!(owned("self").is_empty());
        let filtered = |filter: &str| {
            let q = format!("{describe}&Filter.1.Name={filter}");
            all(&ok(&b, ME, &q), "imageId")
        };
        assert_eq!(
            filtered("architecture&Filter.1.Value.1=arm64"),
            [ids[1].as_str()]
        );
        assert_eq!(filtered("name&Filter.1.Value.1=al2023-ami-*"), ids[..2]);
        assert_eq!(
            filtered(&format!("image-id&Filter.1.Value.1={}", ids[2])),
            ids[2..]
        );
        assert!(filtered("tag:Name&Filter.1.Value.1=web").is_empty());
        unknown_filter(&b, describe);
        // Named: a built-in image, or any well-formed id (RunInstances takes them all).
        let named = ok(&b, ME, &format!("{describe}&ImageId.1={}", ids[1]));
        assert_eq!(all(&named, "imageId"), [ids[1].as_str()]);
        assert_eq!(all(&named, "architecture"), ["arm64"]);
        let any = ok(
            &b,
            ME,
            &format!("{describe}&ImageId.1=ami-0123456789abcdef0"),
        );
        assert_eq!(all(&any, "imageId"), ["ami-0123456789abcdef0"]);
        assert_eq!(all(&any, "imageState"), ["available"]);
        for bad in ["ami-xyz", "ami-123", "i-0123456789abcdef0"] {
            let q = format!("{describe}&ImageId.1={bad}");
            assert_eq!(error(&b, ME, &q), "InvalidAMIID.Malformed", "{bad}");
        }
    }
}
