//! Network interfaces: Create/Delete/DescribeNetworkInterfaces,
//! ModifyNetworkInterfaceAttribute, Attach/DetachNetworkInterface,
//! Assign/UnassignPrivateIpAddresses, Assign/UnassignIpv6Addresses.

use super::filter::DESCRIBE_BOUNDS;
use super::input::Input;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    AttachNetworkInterface, Command, CreateNetworkInterface, Instance, InstanceId,
    InterfaceAttachment, Model, NetworkInterface, NetworkInterfaceAttribute, NetworkInterfaceId,
    SecurityGroup, SecurityGroupId, SubnetId, private_dns_name,
};
use localvpc_wire::query::QueryParams;
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;
use std::net::{Ipv4Addr, Ipv6Addr};

const FILTERS: &[&str] = &[
    "addresses.primary",
    "addresses.private-ip-address",
    "association.public-ip",
    "attachment.attach-time",
    "attachment.attachment-id",
    "attachment.delete-on-termination",
    "attachment.device-index",
    "attachment.instance-id",
    "attachment.instance-owner-id",
    "attachment.status",
    "availability-zone",
    "description",
    "group-id",
    "group-name",
    "interface-type",
    "ipv6-addresses.ipv6-address",
    "mac-address",
    "network-interface-id",
    "owner-id",
    "private-dns-name",
    "private-ip-address",
    "requester-id",
    "requester-managed",
    "source-dest-check",
    "status",
    "subnet-id",
    "vpc-id",
];

/// The public address mapped to one private address: an Elastic IP, or the owning
/// instance's auto-assigned address on its primary address.
fn public_ip<'m>(
    model: &'m Model,
    e: &NetworkInterface,
    private_ip: Ipv4Addr,
) -> Option<(Ipv4Addr, Option<&'m localvpc_model::ElasticIp>)> {
    if let Some(eip) = model.elastic_ip_for(&e.id, private_ip) {
        return Some((eip.public_ip, Some(eip)));
    }
    let instance = e
        .attachment
        .as_ref()
        .and_then(|a| model.any::<Instance>(&a.instance_id))?;
    (private_ip == e.private_ip)
        .then_some(instance.public_ip)
        .flatten()
        .map(|p| (p, None))
}

fn write_association(
    w: &mut XmlWriter,
    e: &NetworkInterface,
    ip: Option<(Ipv4Addr, Option<&localvpc_model::ElasticIp>)>,
) {
    if let Some((p, eip)) = ip {
        let dashed = p.to_string().replace('.', "-");
        let dns = if e.scope.region == "us-east-1" {
            format!("ec2-{dashed}.compute-1.amazonaws.com")
        } else {
            format!("ec2-{dashed}.{}.compute.amazonaws.com", e.scope.region)
        };
        w.node("association", |w| {
            w.leaf_opt("allocationId", eip.map(|x| x.id.as_str()))
                .leaf_opt(
                    "associationId",
                    eip.and_then(|x| x.association.as_ref())
                        .map(|a| a.id.as_str()),
                )
                .leaf(
                    "ipOwnerId",
                    if eip.is_some() {
                        e.scope.account.as_str()
                    } else {
                        "amazon"
                    },
                )
                .leaf("publicDnsName", &dns)
                .leaf("publicIp", &p.to_string());
        });
    }
}

pub(super) fn write_interface(w: &mut XmlWriter, model: &Model, e: &NetworkInterface) {
    let region = &e.scope.region;
    write_association(w, e, public_ip(model, e, e.private_ip));
    if let Some(a) = &e.attachment {
        w.node("attachment", |w| {
            w.leaf("attachTime", &attach_time(model, a))
                .leaf("attachmentId", &a.id)
                .bool("deleteOnTermination", a.delete_on_termination)
                .num("deviceIndex", a.device_index)
                .num("networkCardIndex", a.network_card_index)
                .leaf("instanceId", a.instance_id.as_str())
                .leaf("instanceOwnerId", e.scope.account.as_str())
                .leaf("status", "attached");
        });
    }
    w.leaf("availabilityZone", &e.availability_zone)
        .leaf("availabilityZoneId", &e.availability_zone_id)
        .leaf("description", &e.description)
        .list("groupSet", &e.groups, |w, g| {
            let name = model
                .any::<SecurityGroup>(g)
                .map(|x| x.name.clone())
                .unwrap_or_default();
            w.leaf("groupId", g.as_str()).leaf("groupName", &name);
        })
        .leaf("interfaceType", &e.interface_type)
        .list("ipv6AddressesSet", &e.ipv6_addresses, write_ipv6)
        .leaf("macAddress", &e.mac_address)
        .leaf("networkInterfaceId", e.id.as_str())
        .leaf("ownerId", e.scope.account.as_str())
        .leaf("privateDnsName", &private_dns_name(region, e.private_ip))
        .leaf("privateIpAddress", &e.private_ip.to_string())
        .list(
            "privateIpAddressesSet",
            e.addresses().enumerate().collect::<Vec<_>>(),
            |w, (i, ip)| {
                write_association(w, e, public_ip(model, e, ip));
                w.bool("primary", i == 0)
                    .leaf("privateDnsName", &private_dns_name(region, ip))
                    .leaf("privateIpAddress", &ip.to_string());
            },
        )
        .leaf_opt("requesterId", e.requester_id.as_deref())
        .bool("requesterManaged", e.requester_managed)
        .bool("sourceDestCheck", e.source_dest_check)
        .leaf("status", e.status())
        .leaf("subnetId", e.subnet_id.as_str());
    super::tags::write_tag_set_always(w, &e.tags);
    w.leaf("vpcId", e.vpc_id.as_str());
}

/// When an attachment was made: AttachNetworkInterface's time, or the instance's launch for
/// a primary interface.
pub(super) fn attach_time(model: &Model, a: &InterfaceAttachment) -> String {
    let at = a
        .attached
        .or_else(|| model.any::<Instance>(&a.instance_id).map(|i| i.launched));
    at.map(|t| iso8601_millis(t.0)).unwrap_or_default()
}

fn filter_values(model: &Model, e: &NetworkInterface, name: &str) -> Vec<String> {
    let one = |v: String| vec![v];
    match name {
        "addresses.private-ip-address" | "private-ip-address" => {
            e.addresses().map(|a| a.to_string()).collect()
        }
        "addresses.primary" => e
            .addresses()
            .enumerate()
            .map(|(i, _)| (i == 0).to_string())
            .collect(),
        "ipv6-addresses.ipv6-address" => e.ipv6_addresses.iter().map(ToString::to_string).collect(),
        "availability-zone" => one(e.availability_zone.clone()),
        "association.public-ip" => e
            .addresses()
            .filter_map(|a| public_ip(model, e, a).map(|(p, _)| p.to_string()))
            .collect(),
        "attachment.attachment-id" => e.attachment.iter().map(|a| a.id.clone()).collect(),
        "attachment.instance-id" => e
            .attachment
            .iter()
            .map(|a| a.instance_id.to_string())
            .collect(),
        "attachment.status" => e.attachment.iter().map(|_| "attached".to_owned()).collect(),
        "attachment.attach-time" => e.attachment.iter().map(|a| attach_time(model, a)).collect(),
        "attachment.delete-on-termination" => e
            .attachment
            .iter()
            .map(|a| a.delete_on_termination.to_string())
            .collect(),
        "attachment.device-index" => e
            .attachment
            .iter()
            .map(|a| a.device_index.to_string())
            .collect(),
        "attachment.instance-owner-id" => e
            .attachment
            .iter()
            .map(|_| e.scope.account.to_string())
            .collect(),
        "description" => one(e.description.clone()),
        "group-id" => e.groups.iter().map(ToString::to_string).collect(),
        "group-name" => e
            .groups
            .iter()
            .filter_map(|g| model.any::<SecurityGroup>(g).map(|x| x.name.clone()))
            .collect(),
        "interface-type" => one(e.interface_type.clone()),
        "mac-address" => one(e.mac_address.clone()),
        "network-interface-id" => one(e.id.to_string()),
        "owner-id" => one(e.scope.account.to_string()),
        "private-dns-name" => one(private_dns_name(&e.scope.region, e.private_ip)),
        "requester-id" => e.requester_id.iter().cloned().collect(),
        "requester-managed" => one(e.requester_managed.to_string()),
        "source-dest-check" => one(e.source_dest_check.to_string()),
        "status" => one(e.status().to_owned()),
        "subnet-id" => one(e.subnet_id.to_string()),
        "vpc-id" => one(e.vpc_id.to_string()),
        _ => Vec::new(),
    }
}

/// One `NetworkInterfaceIpv6Address` (also an instance interface's).
pub(super) fn write_ipv6(w: &mut XmlWriter, ip: &Ipv6Addr) {
    w.leaf("ipv6Address", &ip.to_string())
        .bool("isPrimaryIpv6", false);
}

fn ip6(text: &str, param: &str) -> Result<Ipv6Addr, ApiError> {
    text.parse().map_err(|_| {
        ApiError::invalid_value(format!("Value ({text}) for parameter {param} is invalid."))
    })
}

/// `<list>.N.Ipv6Address` entries and `<count>` of a request or of one interface spec:
/// (addresses, count). Primary IPv6 addresses are not emulated.
/// Refuses the IPv6 options localvpc does not emulate (primary IPv6 addresses, IPv6 prefix
/// delegation) in an interface specification, rather than ignoring them.
pub(super) fn refuse_ipv6_extras(params: &QueryParams, primary: &str) -> Result<(), ApiError> {
    if params
        .get(primary)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Err(ApiError::not_emulated(format!(
            "primary IPv6 addresses ({primary})"
        )));
    }
    if params.get("Ipv6PrefixCount").is_some() || !params.list("Ipv6Prefix").is_empty() {
        return Err(ApiError::not_emulated(
            "IPv6 prefix delegation (Ipv6Prefix, Ipv6PrefixCount)",
        ));
    }
    Ok(())
}

pub(super) fn ipv6_request(
    params: &QueryParams,
    list: &str,
    count_name: &str,
) -> Result<(Vec<Ipv6Addr>, Option<u32>), ApiError> {
    let mut addresses = Vec::new();
    for spec in params.structs(list) {
        if spec
            .get("IsPrimaryIpv6")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return Err(ApiError::not_emulated(
                "primary IPv6 addresses (IsPrimaryIpv6)",
            ));
        }
        let Some(addr) = spec.get("Ipv6Address") else {
            return Err(ApiError::missing(&format!("{list}.N.Ipv6Address")));
        };
        addresses.push(ip6(addr, "ipv6Address")?);
    }
    let count = match params.get(count_name) {
        None => None,
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            ApiError::invalid_value(format!("Invalid value '{v}' for {count_name}"))
        })?),
    };
    Ok((addresses, count))
}

fn ip(text: &str, param: &str) -> Result<Ipv4Addr, ApiError> {
    text.parse().map_err(|_| {
        ApiError::invalid_value(format!("Value ({text}) for parameter {param} is invalid."))
    })
}

fn eni_id(p: &Input<'_>) -> Result<NetworkInterfaceId, ApiError> {
    Ok(NetworkInterfaceId::parse(
        p.required("NetworkInterfaceId")?,
    )?)
}

fn count(p: &Input<'_>, name: &str) -> Result<u32, ApiError> {
    match p.int(name)? {
        None => Ok(0),
        Some(n) => u32::try_from(n)
            .map_err(|_| ApiError::invalid_value(format!("Invalid value '{n}' for {name}"))),
    }
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let subnet_id = SubnetId::parse(p.required("SubnetId")?)?;
    let groups = p
        .list("SecurityGroupId")
        .into_iter()
        .map(SecurityGroupId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let mut private_ip = p
        .opt("PrivateIpAddress")
        .map(|v| ip(v, "privateIpAddress"))
        .transpose()?;
    let mut secondary_ips = Vec::new();
    for spec in p.params().structs("PrivateIpAddresses") {
        let Some(addr) = spec.get("PrivateIpAddress") else {
            return Err(ApiError::missing("PrivateIpAddresses.N.PrivateIpAddress"));
        };
        let addr = ip(addr, "privateIpAddress")?;
        if spec
            .get("Primary")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            if private_ip.is_some_and(|p| p != addr) {
                return Err(ApiError::combination(
                    "Only one primary private IP address may be specified",
                ));
            }
            private_ip = Some(addr);
        } else {
            secondary_ips.push(addr);
        }
    }
    let (ipv6_addresses, ipv6_count) =
        ipv6_request(p.params(), "Ipv6Addresses", "Ipv6AddressCount")?;
    p.bool("EnablePrimaryIpv6")?;
    refuse_ipv6_extras(p.params(), "EnablePrimaryIpv6")?;
    if p.opt("InterfaceType").is_some() {
        return Err(ApiError::invalid_value(
            "localvpc emulates only standard interfaces (InterfaceType)",
        ));
    }
    let input = CreateNetworkInterface {
        subnet_id: Some(subnet_id),
        description: p.opt("Description").map(str::to_owned),
        private_ip,
        secondary_ips,
        secondary_count: count(p, "SecondaryPrivateIpAddressCount")?,
        groups,
        ipv6_addresses,
        ipv6_count,
        tag_specifications: p.tag_specifications()?,
    };
    let e = op.run_as(Command::CreateNetworkInterface(input)).await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("networkInterface", |w| write_interface(w, &model, &e));
            w.leaf_opt("clientToken", p.opt("ClientToken"));
        })
    }
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let network_interface_id = eni_id(&op.params)?;
    op.run(Command::DeleteNetworkInterface {
        network_interface_id,
    })
    .await?;
    op.respond_true()
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("NetworkInterfaceId", NetworkInterfaceId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .answer_with_model("networkInterfaceSet", filter_values, write_interface)
}

pub(super) async fn modify<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_interface_id = eni_id(p)?;
    let groups = p
        .list("SecurityGroupId")
        .into_iter()
        .map(SecurityGroupId::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let description = p
        .params()
        .nested("Description")
        .map(|d| d.get("Value").unwrap_or_default().to_owned());
    let attachment = match p.params().nested("Attachment") {
        None => None,
        Some(a) => {
            let Some(attachment_id) = a.get("AttachmentId").filter(|v| !v.is_empty()) else {
                return Err(ApiError::missing("Attachment.AttachmentId"));
            };
            let delete_on_termination = match a.get("DeleteOnTermination") {
                Some(v) => bool_value(v, "Attachment.DeleteOnTermination")?,
                None => return Err(ApiError::missing("Attachment.DeleteOnTermination")),
            };
            Some(NetworkInterfaceAttribute::DeleteOnTermination {
                attachment_id: attachment_id.to_owned(),
                delete_on_termination,
            })
        }
    };
    let given = [
        attachment,
        description.map(NetworkInterfaceAttribute::Description),
        p.attribute_bool("SourceDestCheck")?
            .map(NetworkInterfaceAttribute::SourceDestCheck),
        (!groups.is_empty()).then_some(NetworkInterfaceAttribute::Groups(groups)),
    ];
    let mut attributes = given.into_iter().flatten();
    let Some(attribute) = attributes.next() else {
        return Err(ApiError::missing(
            "Description, SourceDestCheck, SecurityGroupId or Attachment",
        ));
    };
    if attributes.next().is_some() {
        return Err(ApiError::combination(
            "Fields for multiple attribute types specified",
        ));
    }
    op.run(Command::ModifyNetworkInterfaceAttribute {
        network_interface_id,
        attribute,
    })
    .await?;
    op.respond_true()
}

fn bool_value(v: &str, name: &str) -> Result<bool, ApiError> {
    if v.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if v.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ApiError::invalid_value(format!(
            "Invalid value '{v}' for {name}. It must be true or false."
        )))
    }
}

pub(super) async fn attach<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_interface_id = eni_id(p)?;
    let instance_id = InstanceId::parse(p.required("InstanceId")?)?;
    let device_index = p.required("DeviceIndex")?;
    let device_index = device_index.parse::<u32>().map_err(|_| {
        ApiError::invalid_value(format!(
            "Value ({device_index}) for parameter deviceIndex is invalid."
        ))
    })?;
    let network_card_index = match p.int("NetworkCardIndex")? {
        None => None,
        Some(n) => Some(u32::try_from(n).map_err(|_| {
            ApiError::invalid_value(format!(
                "Value ({n}) for parameter networkCardIndex is invalid."
            ))
        })?),
    };
    if p.params().nested("EnaSrdSpecification").is_some() || p.opt("EnaQueueCount").is_some() {
        return Err(ApiError::not_emulated(
            "ENA Express or ENA queues (EnaSrdSpecification, EnaQueueCount)",
        ));
    }
    let input = AttachNetworkInterface {
        network_interface_id,
        instance_id,
        device_index,
        network_card_index,
    };
    let a: InterfaceAttachment = op.run_as(Command::AttachNetworkInterface(input)).await?;
    op.respond(|w| {
        w.leaf("attachmentId", &a.id)
            .num("networkCardIndex", a.network_card_index);
    })
}

pub(super) async fn detach<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let attachment_id = p.required("AttachmentId")?.to_owned();
    let force = p.bool("Force")?.unwrap_or(false);
    op.run(Command::DetachNetworkInterface {
        attachment_id,
        force,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn assign<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_interface_id = eni_id(p)?;
    let addresses = p
        .list("PrivateIpAddress")
        .into_iter()
        .map(|v| ip(v, "privateIpAddress"))
        .collect::<Result<Vec<_>, _>>()?;
    let count = count(p, "SecondaryPrivateIpAddressCount")?;
    let allow_reassignment = p.bool("AllowReassignment")?.unwrap_or(false);
    if addresses.is_empty() && count == 0 {
        return Err(ApiError::missing(
            "PrivateIpAddress or SecondaryPrivateIpAddressCount",
        ));
    }
    let (id, added): (NetworkInterfaceId, Vec<Ipv4Addr>) = op
        .run_as(Command::AssignPrivateIpAddresses {
            network_interface_id,
            addresses,
            count,
            allow_reassignment,
        })
        .await?;
    op.respond(|w| {
        w.leaf("networkInterfaceId", id.as_str()).list(
            "assignedPrivateIpAddressesSet",
            added,
            |w, a| {
                w.leaf("privateIpAddress", &a.to_string());
            },
        );
    })
}

pub(super) async fn unassign<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_interface_id = eni_id(p)?;
    let addresses = p
        .list("PrivateIpAddress")
        .into_iter()
        .map(|v| ip(v, "privateIpAddress"))
        .collect::<Result<Vec<_>, _>>()?;
    if addresses.is_empty() {
        return Err(ApiError::missing("PrivateIpAddress"));
    }
    op.run(Command::UnassignPrivateIpAddresses {
        network_interface_id,
        addresses,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn assign_ipv6<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_interface_id = eni_id(p)?;
    refuse_ipv6_extras(p.params(), "EnablePrimaryIpv6")?;
    let addresses = p
        .list("Ipv6Addresses")
        .into_iter()
        .map(|v| ip6(v, "ipv6Addresses"))
        .collect::<Result<Vec<_>, _>>()?;
    let count = count(p, "Ipv6AddressCount")?;
    if addresses.is_empty() && count == 0 {
        return Err(ApiError::missing("Ipv6Addresses or Ipv6AddressCount"));
    }
    let (id, added): (NetworkInterfaceId, Vec<Ipv6Addr>) = op
        .run_as(Command::AssignIpv6Addresses {
            network_interface_id,
            addresses,
            count,
        })
        .await?;
    op.respond(|w| {
        w.list("assignedIpv6Addresses", added, |w, a| {
            w.text(&a.to_string());
        })
        .leaf("networkInterfaceId", id.as_str());
    })
}

pub(super) async fn unassign_ipv6<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let network_interface_id = eni_id(p)?;
    if !p.list("Ipv6Prefix").is_empty() {
        return Err(ApiError::not_emulated(
            "IPv6 prefix delegation (Ipv6Prefix)",
        ));
    }
    let addresses = p
        .list("Ipv6Addresses")
        .into_iter()
        .map(|v| ip6(v, "ipv6Addresses"))
        .collect::<Result<Vec<_>, _>>()?;
    if addresses.is_empty() {
        return Err(ApiError::missing("Ipv6Addresses"));
    }
    let (id, removed): (NetworkInterfaceId, Vec<Ipv6Addr>) = op
        .run_as(Command::UnassignIpv6Addresses {
            network_interface_id,
            addresses,
        })
        .await?;
    op.respond(|w| {
        w.leaf("networkInterfaceId", id.as_str()).list(
            "unassignedIpv6Addresses",
            removed,
            |w, a| {
                w.text(&a.to_string());
            },
        );
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, launch_in, missing_parameter, new_subnet, ok,
        unknown_filter,
    };

    /// A subnet in ap-northeast-1a with one instance: (subnet, instance).
    fn subnet_with_instance(b: &Fake) -> (String, String) {
        let subnet = new_subnet(b);
        let instance = launch_in(b, &subnet, "t3.micro");
        (subnet, instance)
    }

    fn new_eni(b: &Fake, subnet: &str) -> String {
        let body = ok(
            b,
            ME,
            &format!("Action=CreateNetworkInterface&SubnetId={subnet}"),
        );
        all(&body, "networkInterfaceId").remove(0)
    }

    #[test]
    fn attach_reads_its_parameters_and_answers_the_attachment() {
        let b = Fake::default();
        let (subnet, instance) = subnet_with_instance(&b);
        let eni = new_eni(&b, &subnet);
        let attach = |extra: &str| {
            format!(
                "Action=AttachNetworkInterface&NetworkInterfaceId={eni}&InstanceId={instance}{extra}"
            )
        };
        assert_eq!(error(&b, ME, &attach("")), "MissingParameter");
        assert_eq!(
            error(&b, ME, &attach("&DeviceIndex=one")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &attach("&DeviceIndex=1&NetworkCardIndex=1")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &attach("&DeviceIndex=1&DryRun=true")),
            "DryRunOperation"
        );
        // Another account sees neither the interface nor the instance.
        assert_eq!(
            error(&b, OTHER, &attach("&DeviceIndex=1")),
            "InvalidNetworkInterfaceID.NotFound"
        );
        let body = ok(&b, ME, &attach("&DeviceIndex=1"));
        let [attachment] = all(&body, "attachmentId").try_into().unwrap();
        assert_eq!(all(&body, "networkCardIndex"), ["0"]);

        // The instance lists both interfaces; the attachment's own filters find it.
        let described = ok(
            &b,
            ME,
            &format!("Action=DescribeInstances&InstanceId.1={instance}"),
        );
        assert_eq!(all(&described, "deviceIndex"), ["0", "1"]);
        let by_index = ok(
            &b,
            ME,
            "Action=DescribeNetworkInterfaces&Filter.1.Name=attachment.device-index&Filter.1.Value.1=1",
        );
        assert_eq!(all(&by_index, "networkInterfaceId"), [eni.as_str()]);

        let modify = format!(
            "Action=ModifyNetworkInterfaceAttribute&NetworkInterfaceId={eni}\
             &Attachment.AttachmentId={attachment}"
        );
        assert_eq!(error(&b, ME, &modify), "MissingParameter");
        ok(
            &b,
            ME,
            &format!("{modify}&Attachment.DeleteOnTermination=true"),
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{modify}&Attachment.DeleteOnTermination=true&SourceDestCheck.Value=false"
                )
            ),
            "InvalidParameterCombination"
        );

        assert_eq!(
            error(&b, ME, "Action=DetachNetworkInterface"),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=DetachNetworkInterface&AttachmentId={attachment}&Force=maybe")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                OTHER,
                &format!("Action=DetachNetworkInterface&AttachmentId={attachment}")
            ),
            "InvalidAttachmentID.NotFound"
        );
        ok(
            &b,
            ME,
            &format!("Action=DetachNetworkInterface&AttachmentId={attachment}&Force=true"),
        );
        let described = ok(
            &b,
            ME,
            &format!("Action=DescribeNetworkInterfaces&NetworkInterfaceId.1={eni}"),
        );
        assert_eq!(all(&described, "status"), ["available"]);
    }

    fn describe(b: &Fake, eni: &str) -> String {
        ok(
            b,
            ME,
            &format!("Action=DescribeNetworkInterfaces&NetworkInterfaceId.1={eni}"),
        )
    }

    #[test]
    fn create_reads_addresses_description_groups_and_tags() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let q = format!("Action=DescribeSubnets&SubnetId.1={subnet}");
        let vpc = all(&ok(&b, ME, &q), "vpcId").remove(0);
        let q =
            format!("Action=CreateSecurityGroup&GroupName=web&GroupDescription=web&VpcId={vpc}");
        let group = all(&ok(&b, ME, &q), "groupId").remove(0);
        let create = format!(
            "Action=CreateNetworkInterface&SubnetId={subnet}&PrivateIpAddress=10.0.1.20\
             &PrivateIpAddresses.1.PrivateIpAddress=10.0.1.21&Description=app\
             &SecurityGroupId.1={group}&TagSpecification.1.ResourceType=network-interface\
             &TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=app"
        );
        dry_run(&b, &create);
        let body = ok(&b, ME, &create);
        let eni = all(&body, "networkInterfaceId").remove(0);
        let described = describe(&b, &eni);
        assert_eq!(
            all(&described, "privateIpAddress")
                .into_iter()
                .filter(|a| a.starts_with("10."))
                .collect::<Vec<_>>(),
            ["10.0.1.20", "10.0.1.20", "10.0.1.21"]
        );
        assert_eq!(all(&described, "primary"), ["true", "false"]);
        assert_eq!(all(&described, "description"), ["app"]);
        assert_eq!(all(&described, "groupId"), [group.as_str()]);
        assert_eq!(all(&described, "value"), ["app"]);
        assert_eq!(all(&described, "subnetId"), [subnet.as_str()]);
        assert_eq!(all(&described, "vpcId"), [vpc.as_str()]);
        assert_eq!(all(&described, "status"), ["available"]);
        assert_eq!(all(&described, "availabilityZone"), ["ap-northeast-1a"]);
        // The address is taken now.
        let again =
            format!("Action=CreateNetworkInterface&SubnetId={subnet}&PrivateIpAddress=10.0.1.20");
        assert_eq!(error(&b, ME, &again), "InvalidIPAddress.InUse");
    }

    #[test]
    fn create_refuses_bad_input() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        missing_parameter(&b, "Action=CreateNetworkInterface");
        let base = format!("Action=CreateNetworkInterface&SubnetId={subnet}");
        for (extra, want) in [
            ("&PrivateIpAddress=10.0.1", "InvalidParameterValue"),
            ("&PrivateIpAddress=10.0.9.5", "InvalidParameterValue"),
            (
                "&PrivateIpAddress=10.0.1.20&PrivateIpAddresses.1.PrivateIpAddress=10.0.1.21\
                 &PrivateIpAddresses.1.Primary=true",
                "InvalidParameterCombination",
            ),
            ("&PrivateIpAddresses.1.Primary=true", "MissingParameter"),
            ("&InterfaceType=efa", "InvalidParameterValue"),
            (
                "&SecondaryPrivateIpAddressCount=many",
                "InvalidParameterValue",
            ),
            (
                "&SecurityGroupId.1=sg-0123456789abcdef0",
                "InvalidGroup.NotFound",
            ),
        ] {
            assert_eq!(error(&b, ME, &format!("{base}{extra}")), want, "{extra}");
        }
        let q = "Action=CreateNetworkInterface&SubnetId=subnet-0123456789abcdef0";
        assert_eq!(error(&b, ME, q), "InvalidSubnetID.NotFound");
        assert_eq!(error(&b, OTHER, &base), "InvalidSubnetID.NotFound");
        assert!(
            all(
                &ok(&b, ME, "Action=DescribeNetworkInterfaces"),
                "networkInterfaceId"
            )
            .is_empty()
        );
    }

    #[test]
    fn delete_refuses_an_attached_interface() {
        let b = Fake::default();
        let (subnet, instance) = subnet_with_instance(&b);
        let eni = new_eni(&b, &subnet);
        let delete = format!("Action=DeleteNetworkInterface&NetworkInterfaceId={eni}");
        dry_run(&b, &delete);
        missing_parameter(&b, "Action=DeleteNetworkInterface");
        ok(
            &b,
            ME,
            &format!(
                "Action=AttachNetworkInterface&NetworkInterfaceId={eni}&InstanceId={instance}&DeviceIndex=1"
            ),
        );
        assert_eq!(error(&b, ME, &delete), "InvalidNetworkInterface.InUse");
        assert_eq!(
            error(&b, OTHER, &delete),
            "InvalidNetworkInterfaceID.NotFound"
        );
        let other = new_eni(&b, &subnet);
        let q = format!("Action=DeleteNetworkInterface&NetworkInterfaceId={other}");
        assert_eq!(all(&ok(&b, ME, &q), "return"), ["true"]);
        assert_eq!(error(&b, ME, &q), "InvalidNetworkInterfaceID.NotFound");
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DeleteNetworkInterface&NetworkInterfaceId=eni-x"
            ),
            "InvalidNetworkInterfaceID.Malformed"
        );
    }

    #[test]
    fn describe_filters_by_subnet_status_and_description() {
        let b = Fake::default();
        let (subnet, instance) = subnet_with_instance(&b);
        let eni = new_eni(&b, &subnet);
        let q = "Action=DescribeNetworkInterfaces&Filter.1.Name=status&Filter.1.Value.1=available";
        assert_eq!(all(&ok(&b, ME, q), "networkInterfaceId"), [eni.as_str()]);
        let q = format!(
            "Action=DescribeNetworkInterfaces&Filter.1.Name=attachment.instance-id\
             &Filter.1.Value.1={instance}"
        );
        let primary = all(&ok(&b, ME, &q), "networkInterfaceId");
        assert_eq!(primary.len(), 1);
        assert_ne!(primary[0], eni);
        let q = format!(
            "Action=DescribeNetworkInterfaces&Filter.1.Name=subnet-id&Filter.1.Value.1={subnet}"
        );
        assert_eq!(all(&ok(&b, ME, &q), "networkInterfaceId").len(), 2);
        unknown_filter(&b, "Action=DescribeNetworkInterfaces");
        assert!(
            all(
                &ok(&b, OTHER, "Action=DescribeNetworkInterfaces"),
                "networkInterfaceId"
            )
            .is_empty()
        );
        let q = format!("Action=DescribeNetworkInterfaces&NetworkInterfaceId.1={eni}");
        assert_eq!(error(&b, OTHER, &q), "InvalidNetworkInterfaceID.NotFound");
    }

    #[test]
    fn modify_sets_one_attribute_at_a_time() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let eni = new_eni(&b, &subnet);
        let modify = format!("Action=ModifyNetworkInterfaceAttribute&NetworkInterfaceId={eni}");
        dry_run(&b, &format!("{modify}&Description.Value=x"));
        ok(&b, ME, &format!("{modify}&Description.Value=db"));
        assert_eq!(all(&describe(&b, &eni), "description"), ["db"]);
        ok(&b, ME, &format!("{modify}&SourceDestCheck.Value=false"));
        assert_eq!(all(&describe(&b, &eni), "sourceDestCheck"), ["false"]);
        missing_parameter(&b, &modify);
        assert_eq!(
            error(&b, ME, &format!("{modify}&SourceDestCheck.Value=perhaps")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{modify}&Description.Value=x&SourceDestCheck.Value=true")
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{modify}&SecurityGroupId.1=sg-0123456789abcdef0")
            ),
            "InvalidGroup.NotFound"
        );
    }

    #[test]
    fn secondary_private_addresses_are_assigned_and_unassigned() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let eni = new_eni(&b, &subnet);
        let assign = format!("Action=AssignPrivateIpAddresses&NetworkInterfaceId={eni}");
        missing_parameter(&b, &assign);
        let body = ok(&b, ME, &format!("{assign}&PrivateIpAddress.1=10.0.1.30"));
        assert_eq!(all(&body, "privateIpAddress"), ["10.0.1.30"]);
        assert_eq!(all(&body, "networkInterfaceId"), [eni.as_str()]);
        let body = ok(
            &b,
            ME,
            &format!("{assign}&SecondaryPrivateIpAddressCount=2"),
        );
        assert_eq!(all(&body, "privateIpAddress").len(), 2);
        assert_eq!(
            all(&describe(&b, &eni), "primary"),
            ["true", "false", "false", "false"]
        );
        // Another interface cannot take it without AllowReassignment.
        let other = new_eni(&b, &subnet);
        let q = format!(
            "Action=AssignPrivateIpAddresses&NetworkInterfaceId={other}&PrivateIpAddress.1=10.0.1.30"
        );
        assert_eq!(error(&b, ME, &q), "InvalidIPAddress.InUse");
        ok(&b, ME, &format!("{q}&AllowReassignment=true"));
        assert!(describe(&b, &other).contains("<privateIpAddress>10.0.1.30</privateIpAddress>"));
        assert!(!describe(&b, &eni).contains("10.0.1.30"));
        ok(&b, ME, &format!("{assign}&PrivateIpAddress.1=10.0.1.31"));
        let unassign = format!("Action=UnassignPrivateIpAddresses&NetworkInterfaceId={eni}");
        missing_parameter(&b, &unassign);
        assert_eq!(
            all(
                &ok(&b, ME, &format!("{unassign}&PrivateIpAddress.1=10.0.1.31")),
                "return"
            ),
            ["true"]
        );
        assert!(!describe(&b, &eni).contains("10.0.1.31"));
        assert_eq!(
            error(&b, ME, &format!("{unassign}&PrivateIpAddress.1=10.0.1.99")),
            "InvalidParameterValue"
        );
    }

    #[test]
    fn ipv6_addresses_need_their_parameters() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let eni = new_eni(&b, &subnet);
        let assign = format!("Action=AssignIpv6Addresses&NetworkInterfaceId={eni}");
        missing_parameter(&b, &assign);
        assert_eq!(
            error(&b, ME, &format!("{assign}&Ipv6Addresses.1=not-an-address")),
            "InvalidParameterValue"
        );
        // The subnet has no IPv6 block.
        assert_eq!(
            error(&b, ME, &format!("{assign}&Ipv6AddressCount=1")),
            "InvalidParameterValue"
        );
        let unassign = format!("Action=UnassignIpv6Addresses&NetworkInterfaceId={eni}");
        missing_parameter(&b, &unassign);
        assert_eq!(
            error(&b, ME, &format!("{unassign}&Ipv6Prefix.1=2001:db8::/80")),
            "UnsupportedOperation"
        );
    }
}
