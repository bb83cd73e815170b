//! Elastic IPs: Allocate/Associate/Disassociate/Release/DescribeAddresses.

use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    AllocationId, Command, ElasticIp, ElasticIpAssociationId, Instance, Model, ModelError,
    NetworkInterface, NetworkInterfaceId,
};
use localvpc_wire::xml::XmlWriter;

fn write_address(w: &mut XmlWriter, model: &Model, e: &ElasticIp) {
    w.leaf("allocationId", e.id.as_str());
    if let Some(a) = &e.association {
        let eni = model.any::<NetworkInterface>(&a.network_interface_id);
        w.leaf("associationId", a.id.as_str())
            .leaf_opt(
                "instanceId",
                eni.and_then(|n| n.attachment.as_ref())
                    .map(|x| x.instance_id.as_str()),
            )
            .leaf("networkInterfaceId", a.network_interface_id.as_str())
            .leaf_opt(
                "networkInterfaceOwnerId",
                eni.map(|n| n.scope.account.as_str()),
            )
            .leaf("privateIpAddress", &a.private_ip.to_string())
            .leaf_opt("subnetId", eni.map(|n| n.subnet_id.as_str()));
    }
    w.leaf("domain", "vpc")
        .leaf("publicIpv4Pool", "amazon")
        .leaf("networkBorderGroup", &e.scope.region)
        .leaf("publicIp", &e.public_ip.to_string());
    super::tags::write_tag_set(w, &e.tags);
}

pub(super) async fn allocate<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    if p.opt("Domain").is_some_and(|d| d != "vpc") {
        return Err(ApiError::invalid_value(
            "EC2-Classic addresses do not exist: use Domain=vpc",
        ));
    }
    if p.opt("Address").is_some() || p.opt("PublicIpv4Pool").is_some_and(|v| v != "amazon") {
        return Err(ApiError::invalid_value(
            "localvpc allocates addresses only from the amazon pool",
        ));
    }
    let tag_specifications = p.tag_specifications()?;
    let e: ElasticIp = op
        .run_as(Command::AllocateAddress { tag_specifications })
        .await?;
    op.respond(|w| {
        w.leaf("publicIp", &e.public_ip.to_string())
            .leaf("domain", "vpc")
            .leaf("allocationId", e.id.as_str())
            .leaf("publicIpv4Pool", "amazon")
            .leaf("networkBorderGroup", &e.scope.region);
    })
}

pub(super) async fn associate<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let allocation_id = allocation_id(op)?;
    let network_interface_id = match (p.opt("NetworkInterfaceId"), p.opt("InstanceId")) {
        (Some(id), None) => NetworkInterfaceId::parse(id)?,
        (None, Some(i)) => {
            // An instance's address goes on its primary interface.
            let id = localvpc_model::InstanceId::parse(i)?;
            op.snapshot()
                .get::<Instance>(&op.ctx.scope, &id)?
                .primary_interface
                .clone()
        }
        (None, None) => return Err(ApiError::missing("NetworkInterfaceId")),
        (Some(_), Some(_)) => {
            return Err(ApiError::combination(
                "Specify an instance or a network interface, not both",
            ));
        }
    };
    let private_ip = p
        .opt("PrivateIpAddress")
        .map(|v| {
            v.parse()
                .map_err(|_| ApiError::invalid_value(format!("Invalid private IP address '{v}'")))
        })
        .transpose()?;
    // "Reassociation is automatic, but you can specify false to ensure the operation fails".
    let allow_reassociation = p.bool("AllowReassociation")?.unwrap_or(true);
    let command = Command::AssociateAddress {
        allocation_id,
        network_interface_id,
        private_ip,
        allow_reassociation,
    };
    let id: ElasticIpAssociationId = op.run_as(command).await?;
    op.respond(|w| {
        w.bool("return", true).leaf("associationId", id.as_str());
    })
}

pub(super) async fn disassociate<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let association_id = match (p.opt("AssociationId"), p.opt("PublicIp")) {
        (Some(id), _) => ElasticIpAssociationId::parse(id)?,
        (None, Some(ip)) => {
            let model = op.snapshot();
            let found = model
                .in_scope::<ElasticIp>(&op.ctx.scope)
                .find(|e| e.public_ip.to_string() == ip)
                .and_then(|e| e.association.as_ref().map(|a| a.id.clone()));
            found.ok_or_else(|| ModelError::AddressNotAssociated { ip: ip.to_owned() })?
        }
        (None, None) => return Err(ApiError::missing("AssociationId")),
    };
    op.run(Command::DisassociateAddress { association_id })
        .await?;
    op.respond_true()
}

/// The address an operation names: by `AllocationId`, or by its `PublicIp`.
fn allocation_id<B: Backend>(op: &Op<'_, B>) -> Result<AllocationId, ApiError> {
    let p = &op.params;
    match (p.opt("AllocationId"), p.opt("PublicIp")) {
        (Some(id), _) => Ok(AllocationId::parse(id)?),
        (None, Some(ip)) => op
            .snapshot()
            .in_scope::<ElasticIp>(&op.ctx.scope)
            .find(|e| e.public_ip.to_string() == ip)
            .map(|e| e.id.clone())
            .ok_or_else(|| ModelError::AddressNotFound { ip: ip.to_owned() }.into()),
        (None, None) => Err(ApiError::missing("AllocationId")),
    }
}

pub(super) async fn release<B: Backend>(op: &Op<'_, B>) -> Body {
    let allocation_id = allocation_id(op)?;
    op.run(Command::ReleaseAddress { allocation_id }).await?;
    op.respond_true()
}

fn address_values(model: &Model, e: &ElasticIp, name: &str) -> Vec<String> {
    let a = e.association.as_ref();
    match name {
        "allocation-id" => vec![e.id.to_string()],
        "association-id" => a.map(|a| a.id.to_string()).into_iter().collect(),
        "domain" => vec!["vpc".to_owned()],
        "instance-id" => a
            .and_then(|a| model.any::<NetworkInterface>(&a.network_interface_id))
            .and_then(|n| n.attachment.as_ref())
            .map(|x| x.instance_id.to_string())
            .into_iter()
            .collect(),
        "network-border-group" => vec![e.scope.region.clone()],
        "network-interface-id" => a
            .map(|a| a.network_interface_id.to_string())
            .into_iter()
            .collect(),
        "network-interface-owner-id" => {
            a.map(|_| e.scope.account.to_string()).into_iter().collect()
        }
        "private-ip-address" => a.map(|a| a.private_ip.to_string()).into_iter().collect(),
        "public-ip" => vec![e.public_ip.to_string()],
        _ => Vec::new(),
    }
}

/// DescribeAddresses names addresses by allocation id or by public IP (each must exist);
/// the answer lists them in allocation-id order, unpaged.
pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    let describe = op.describe("AllocationId", AllocationId::parse)?;
    let ips = op.params.list("PublicIp");
    let describe = describe.filters(
        &[
            "allocation-id",
            "association-id",
            "domain",
            "instance-id",
            "network-border-group",
            "network-interface-id",
            "network-interface-owner-id",
            "private-ip-address",
            "public-ip",
        ],
        true,
    )?;
    let model = describe.snapshot()?;
    let scope = &op.ctx.scope;
    let ids = describe.ids();
    for id in ids {
        model.get::<ElasticIp>(scope, id)?;
    }
    for ip in &ips {
        if !model
            .in_scope::<ElasticIp>(scope)
            .any(|e| e.public_ip.to_string() == *ip)
        {
            return Err(ModelError::AddressNotFound {
                ip: (*ip).to_owned(),
            }
            .into());
        }
    }
    let chosen: Vec<&ElasticIp> = model
        .in_scope::<ElasticIp>(scope)
        .filter(|e| {
            (ids.is_empty() && ips.is_empty())
                || ids.contains(&e.id)
                || ips.contains(&e.public_ip.to_string().as_str())
        })
        .filter(|e| describe.matches(Some(&e.tags), |f| address_values(&model, e, f)))
        .collect();
    describe.respond(
        "addressesSet",
        chosen,
        |e| e.id.as_str(),
        |w, e| write_address(w, &model, e),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, new_subnet, ok, unknown_filter,
    };

    const EIPALLOC: &str = "eipalloc-0123456789abcdef0";

    /// An address of `ME`: (allocation id, public IP).
    fn allocate(b: &Fake) -> (String, String) {
        let body = ok(b, ME, "Action=AllocateAddress&Domain=vpc");
        (
            all(&body, "allocationId").remove(0),
            all(&body, "publicIp").remove(0),
        )
    }

    /// A network interface of `ME` in a new subnet whose VPC has an internet gateway:
    /// (interface id, its private IP).
    fn interface(b: &Fake) -> (String, String) {
        let subnet = new_subnet(b);
        let q = format!("Action=DescribeSubnets&SubnetId.1={subnet}");
        let vpc = all(&ok(b, ME, &q), "vpcId").remove(0);
        let igw = all(
            &ok(b, ME, "Action=CreateInternetGateway"),
            "internetGatewayId",
        )
        .remove(0);
        ok(
            b,
            ME,
            &format!("Action=AttachInternetGateway&InternetGatewayId={igw}&VpcId={vpc}"),
        );
        let body = ok(
            b,
            ME,
            &format!("Action=CreateNetworkInterface&SubnetId={subnet}"),
        );
        (
            all(&body, "networkInterfaceId").remove(0),
            all(&body, "privateIpAddress").remove(0),
        )
    }

    #[test]
    fn allocate_decodes_and_maps_errors() {
        let b = Fake::default();
        assert_eq!(
            error(&b, ME, "Action=AllocateAddress&Domain=standard"),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, "Action=AllocateAddress&Address=203.0.113.9"),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=AllocateAddress&PublicIpv4Pool=ipv4pool-ec2-1"
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, "Action=AllocateAddress");
        assert!(all(&ok(&b, ME, "Action=DescribeAddresses"), "allocationId").is_empty());
        let body = ok(&b, ME, "Action=AllocateAddress");
        let [id] = all(&body, "allocationId").try_into().unwrap();
        assert!(id.starts_with("eipalloc-"), "{id}");
        assert_eq!(all(&body, "domain"), ["vpc"]);
        assert_eq!(all(&body, "publicIpv4Pool"), ["amazon"]);
        assert_eq!(all(&body, "networkBorderGroup"), ["ap-northeast-1"]);
        let [ip] = all(&body, "publicIp").try_into().unwrap();
        assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "{ip}");
    }

    #[test]
    fn associate_and_disassociate_decode_and_map_errors() {
        let b = Fake::default();
        let (id, ip) = allocate(&b);
        let (eni, private) = interface(&b);
        let associate = "Action=AssociateAddress";
        assert_eq!(
            error(&b, ME, &format!("{associate}&NetworkInterfaceId={eni}")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{associate}&AllocationId={id}")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!(
                    "{associate}&AllocationId={id}&NetworkInterfaceId={eni}&InstanceId=i-0123456789abcdef0"
                )
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&AllocationId=eni-1&NetworkInterfaceId={eni}")
            ),
            "InvalidAllocationID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&AllocationId={id}&NetworkInterfaceId=eipalloc-1")
            ),
            "InvalidNetworkInterfaceID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&AllocationId={EIPALLOC}&NetworkInterfaceId={eni}")
            ),
            "InvalidAllocationID.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&AllocationId={id}&InstanceId=i-0123456789abcdef0")
            ),
            "InvalidInstanceID.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&PublicIp=198.51.100.1&NetworkInterfaceId={eni}")
            ),
            "InvalidAddress.NotFound"
        );
        let with = format!("{associate}&AllocationId={id}&NetworkInterfaceId={eni}");
        assert_eq!(
            error(&b, ME, &format!("{with}&PrivateIpAddress=10.0.1.300")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&AllowReassociation=sometimes")),
            "InvalidParameterValue"
        );
        assert_eq!(error(&b, OTHER, &with), "InvalidAllocationID.NotFound");
        dry_run(&b, &with);
        let body = ok(&b, ME, &with);
        assert_eq!(all(&body, "return"), ["true"]);
        let [association] = all(&body, "associationId").try_into().unwrap();
        assert!(association.starts_with("eipassoc-"), "{association}");
        let listed = ok(&b, ME, "Action=DescribeAddresses");
        assert_eq!(all(&listed, "associationId"), [association.as_str()]);
        assert_eq!(all(&listed, "networkInterfaceId"), [eni.as_str()]);
        assert_eq!(all(&listed, "privateIpAddress"), [private.as_str()]);
        assert_eq!(all(&listed, "networkInterfaceOwnerId"), [ME]);

        let disassociate = "Action=DisassociateAddress";
        assert_eq!(error(&b, ME, disassociate), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{disassociate}&AssociationId=eipalloc-1")),
            "InvalidAssociationID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{disassociate}&AssociationId=eipassoc-0123456789abcdef0")
            ),
            "InvalidAssociationID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{disassociate}&PublicIp={ip}")),
            "InvalidAssociationID.NotFound"
        );
        let by_id = format!("{disassociate}&AssociationId={association}");
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
        let listed = ok(&b, ME, "Action=DescribeAddresses");
        assert!(all(&listed, "associationId").is_empty(), "{listed}");
        // By public IP: the same association, found through the address.
        ok(&b, ME, &with);
        assert_eq!(
            all(
                &ok(&b, ME, &format!("{disassociate}&PublicIp={ip}")),
                "return"
            ),
            ["true"]
        );
    }

    #[test]
    fn release_and_describe_decode_and_map_errors() {
        let b = Fake::default();
        let (id, ip) = allocate(&b);
        let describe = "Action=DescribeAddresses";
        assert_eq!(
            error(&b, ME, &format!("{describe}&AllocationId.1=eni-1")),
            "InvalidAllocationID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&AllocationId.1={EIPALLOC}")),
            "InvalidAllocationID.NotFound"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&PublicIp.1=198.51.100.1")),
            "InvalidAddress.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{describe}&AllocationId.1={id}")),
            "InvalidAllocationID.NotFound"
        );
        unknown_filter(&b, describe);
        dry_run(&b, describe);
        assert!(all(&ok(&b, OTHER, describe), "allocationId").is_empty());
        let listed = ok(&b, ME, &format!("{describe}&PublicIp.1={ip}"));
        assert_eq!(all(&listed, "allocationId"), [id.as_str()]);
        assert_eq!(all(&listed, "publicIp"), [ip.as_str()]);
        assert_eq!(all(&listed, "domain"), ["vpc"]);
        let filtered = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=allocation-id&Filter.1.Value.1={id}"),
        );
        assert_eq!(all(&filtered, "allocationId"), [id.as_str()]);

        let release = "Action=ReleaseAddress";
        assert_eq!(error(&b, ME, release), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{release}&AllocationId=eni-1")),
            "InvalidAllocationID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{release}&AllocationId={EIPALLOC}")),
            "InvalidAllocationID.NotFound"
        );
        let by_id = format!("{release}&AllocationId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidAllocationID.NotFound");
        assert_eq!(
            error(&b, OTHER, &format!("{release}&PublicIp={ip}")),
            "InvalidAddress.NotFound"
        );
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
        assert!(all(&ok(&b, ME, describe), "allocationId").is_empty());
    }
}
