//! NAT gateways: Create/Delete/DescribeNatGateways.

use super::filter::DESCRIBE_BOUNDS;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{AllocationId, Command, CreateNatGateway, NatGateway, NatGatewayId, SubnetId};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;

fn write_nat(w: &mut XmlWriter, n: &NatGateway, state: &str) {
    w.leaf("createTime", &iso8601_millis(n.created.0));
    if let Some(t) = n.deleted {
        w.leaf("deleteTime", &iso8601_millis(t.0));
    }
    if let Some((code, message)) = n.failure.as_ref().filter(|_| state != "pending") {
        w.leaf("failureCode", code).leaf("failureMessage", message);
    }
    let addresses: Vec<&NatGateway> =
        if n.network_interface_id.is_some() || n.allocation_id.is_some() {
            vec![n]
        } else {
            vec![]
        };
    w.list("natGatewayAddressSet", addresses, |w, n| {
        w.leaf_opt(
            "allocationId",
            n.allocation_id.as_ref().map(AllocationId::as_str),
        )
        .leaf_opt(
            "networkInterfaceId",
            n.network_interface_id.as_ref().map(|e| e.as_str()),
        )
        .leaf_opt("privateIp", n.private_ip.map(|i| i.to_string()).as_deref())
        .leaf_opt("publicIp", n.public_ip.map(|i| i.to_string()).as_deref())
        .bool("isPrimary", true)
        .leaf(
            "status",
            if n.network_interface_id.is_some() {
                "succeeded"
            } else {
                "failed"
            },
        );
    })
    .leaf("natGatewayId", n.id.as_str())
    .leaf("state", state)
    .leaf("subnetId", n.subnet_id.as_str())
    .leaf("vpcId", n.vpc_id.as_str());
    super::tags::write_tag_set(w, &n.tags);
    w.leaf(
        "connectivityType",
        if n.public { "public" } else { "private" },
    );
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let public = match p.opt("ConnectivityType").unwrap_or("public") {
        "public" => true,
        "private" => false,
        other => {
            return Err(ApiError::invalid_value(format!(
                "Value ({other}) for parameter connectivityType is invalid."
            )));
        }
    };
    if p.opt("AvailabilityMode").is_some_and(|m| m == "regional") {
        return Err(ApiError::invalid_value(
            "localvpc emulates zonal NAT gateways only",
        ));
    }
    let input = CreateNatGateway {
        subnet_id: SubnetId::parse(p.required("SubnetId")?)?,
        public,
        allocation_id: p.opt("AllocationId").map(AllocationId::parse).transpose()?,
        private_ip: p
            .opt("PrivateIpAddress")
            .map(|v| {
                v.parse().map_err(|_| {
                    ApiError::invalid_value(format!("Invalid private IP address '{v}'"))
                })
            })
            .transpose()?,
        tag_specifications: p.tag_specifications()?,
    };
    let n = op.run_as(Command::CreateNatGateway(input)).await?;
    op.respond(|w| {
        w.leaf_opt("clientToken", p.opt("ClientToken"));
        // AWS answers `pending`; the gateway is `available` (or `failed`) on the next Describe.
        w.node("natGateway", |w| write_nat(w, &n, "pending"));
    })
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let nat_gateway_id = NatGatewayId::parse(op.params.required("NatGatewayId")?)?;
    op.run(Command::DeleteNatGateway {
        nat_gateway_id: nat_gateway_id.clone(),
    })
    .await?;
    op.respond(|w| {
        w.leaf("natGatewayId", nat_gateway_id.as_str());
    })
}

const FILTERS: &[&str] = &["nat-gateway-id", "state", "subnet-id", "vpc-id"];

fn filter_values(n: &NatGateway, name: &str) -> Vec<String> {
    match name {
        "nat-gateway-id" => vec![n.id.to_string()],
        "state" => vec![n.state.as_str().to_owned()],
        "subnet-id" => vec![n.subnet_id.to_string()],
        "vpc-id" => vec![n.vpc_id.to_string()],
        _ => Vec::new(),
    }
}

/// A NAT gateway as Describe shows it: in its current state.
fn write_described(w: &mut XmlWriter, n: &NatGateway) {
    write_nat(w, n, n.state.as_str());
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("NatGatewayId", NatGatewayId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .answer("natGatewaySet", filter_values, write_described)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, new_subnet, ok, unknown_filter,
    };

    const NAT: &str = "nat-0123456789abcdef0";

    #[test]
    fn create_decodes_and_maps_errors() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let create = "Action=CreateNatGateway";
        assert_eq!(
            error(&b, ME, &format!("{create}&ConnectivityType=private")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&SubnetId=vpc-1")),
            "InvalidSubnetID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&SubnetId=subnet-0123456789abcdef0&ConnectivityType=private")
            ),
            "InvalidSubnetID.NotFound"
        );
        let with = format!("{create}&SubnetId={subnet}");
        assert_eq!(
            error(&b, ME, &format!("{with}&ConnectivityType=Private")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&AvailabilityMode=regional")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{with}&AllocationId=eni-1")),
            "InvalidAllocationID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{with}&ConnectivityType=private&PrivateIpAddress=10.0.1.300")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{with}&AllocationId=eipalloc-0123456789abcdef0")
            ),
            "InvalidAllocationID.NotFound"
        );
        let private = format!("{with}&ConnectivityType=private");
        assert_eq!(error(&b, OTHER, &private), "InvalidSubnetID.NotFound");
        dry_run(&b, &private);
        assert!(all(&ok(&b, ME, "Action=DescribeNatGateways"), "natGatewayId").is_empty());
        let body = ok(
            &b,
            ME,
            &format!("{private}&PrivateIpAddress=10.0.1.10&ClientToken=tok-1"),
        );
        let [id] = all(&body, "natGatewayId").try_into().unwrap();
        assert!(id.starts_with("nat-"), "{id}");
        assert_eq!(all(&body, "clientToken"), ["tok-1"]);
        assert_eq!(all(&body, "state"), ["pending"]);
        assert_eq!(all(&body, "subnetId"), [subnet.as_str()]);
        assert_eq!(all(&body, "connectivityType"), ["private"]);
        assert_eq!(all(&body, "privateIp"), ["10.0.1.10"]);
        assert!(!body.contains("<publicIp>"), "{body}");
        assert!(!body.contains("<allocationId>"), "{body}");
    }

    #[test]
    fn describe_and_delete_decode_and_map_errors() {
        let b = Fake::default();
        let subnet = new_subnet(&b);
        let body = ok(
            &b,
            ME,
            &format!("Action=CreateNatGateway&SubnetId={subnet}&ConnectivityType=private"),
        );
        let id = all(&body, "natGatewayId").remove(0);
        let describe = "Action=DescribeNatGateways";
        assert_eq!(
            error(&b, ME, &format!("{describe}&NatGatewayId.1=vpc-1")),
            "InvalidNatGatewayID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&NatGatewayId.1={NAT}")),
            "NatGatewayNotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{describe}&NatGatewayId.1={id}")),
            "NatGatewayNotFound"
        );
        unknown_filter(&b, describe);
        assert_eq!(
            error(&b, ME, &format!("{describe}&MaxResults=4")),
            "InvalidParameterValue"
        );
        dry_run(&b, describe);
        assert!(all(&ok(&b, OTHER, describe), "natGatewayId").is_empty());
        let listed = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=subnet-id&Filter.1.Value.1={subnet}"),
        );
        assert_eq!(all(&listed, "natGatewayId"), [id.as_str()]);
        assert_eq!(all(&listed, "state"), ["available"]);
        assert_eq!(all(&listed, "status"), ["succeeded"]);

        let delete = "Action=DeleteNatGateway";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&NatGatewayId=vpc-1")),
            "InvalidNatGatewayID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{delete}&NatGatewayId={NAT}")),
            "NatGatewayNotFound"
        );
        let by_id = format!("{delete}&NatGatewayId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "NatGatewayNotFound");
        dry_run(&b, &by_id);
        let body = ok(&b, ME, &by_id);
        assert_eq!(all(&body, "natGatewayId"), [id.as_str()]);
        let listed = ok(&b, ME, &format!("{describe}&NatGatewayId.1={id}"));
        assert_eq!(all(&listed, "state"), ["deleted"]);
        assert_eq!(all(&listed, "deleteTime").len(), 1, "{listed}");
    }
}
