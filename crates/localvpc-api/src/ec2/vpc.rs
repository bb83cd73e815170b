//! CreateVpc, DescribeVpcs, DeleteVpc, Modify/DescribeVpcAttribute, CIDR blocks, CreateDefaultVpc.

use super::filter::DESCRIBE_BOUNDS;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    CidrBlockAssociation, Command, CreateVpc, Ipv6CidrBlockAssociation, Model, Vpc, VpcAttribute,
    VpcCidrAssociation, VpcCidrAssociationId, VpcId,
};
use localvpc_wire::xml::XmlWriter;

const FILTERS: &[&str] = &[
    "cidr",
    "cidr-block-association.association-id",
    "cidr-block-association.cidr-block",
    "cidr-block-association.state",
    "dhcp-options-id",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.ipv6-pool",
    "ipv6-cidr-block-association.state",
    "is-default",
    "isDefault",
    "owner-id",
    "state",
    "vpc-id",
];

/// The XML of one `Vpc` shape as Describe shows it.
pub(super) fn write_vpc(w: &mut XmlWriter, vpc: &Vpc) {
    write_vpc_in_state(w, vpc, "available");
}

/// CreateVpc answers `pending`, as AWS does; the VPC is `available` on the next Describe.
fn write_vpc_in_state(w: &mut XmlWriter, vpc: &Vpc, state: &str) {
    w.leaf("vpcId", vpc.id.as_str())
        .leaf("ownerId", vpc.scope.account.as_str())
        .leaf("state", state)
        .leaf("cidrBlock", &vpc.cidr_block.to_string())
        .list(
            "cidrBlockAssociationSet",
            &vpc.cidr_associations,
            write_cidr_association,
        )
        .list(
            "ipv6CidrBlockAssociationSet",
            &vpc.ipv6_associations,
            // Amazon assigns the block asynchronously: CreateVpc shows it `associating`.
            |w, a| {
                let v6_state = if state == "pending" {
                    "associating"
                } else {
                    a.state.as_str()
                };
                write_ipv6_association(w, a, v6_state);
            },
        )
        .leaf(
            "dhcpOptionsId",
            vpc.dhcp_options_id
                .as_ref()
                .map_or("default", |d| d.as_str()),
        )
        .leaf("instanceTenancy", &vpc.instance_tenancy)
        .bool("isDefault", vpc.is_default)
        .node("blockPublicAccessStates", |w| {
            w.leaf("internetGatewayBlockMode", "off");
        });
    super::tags::write_tag_set(w, &vpc.tags);
}

fn write_cidr_association(w: &mut XmlWriter, a: &CidrBlockAssociation) {
    w.leaf("associationId", a.id.as_str())
        .leaf("cidrBlock", &a.cidr.to_string())
        .node("cidrBlockState", |w| {
            w.leaf("state", a.state.as_str());
        });
}

/// One `VpcIpv6CidrBlockAssociation`, in `state` (Create/Associate answer `associating`).
fn write_ipv6_association(w: &mut XmlWriter, a: &Ipv6CidrBlockAssociation, state: &str) {
    w.leaf("associationId", a.id.as_str())
        .leaf("ipv6CidrBlock", &a.cidr.to_string())
        .node("ipv6CidrBlockState", |w| {
            w.leaf("state", state);
        })
        .leaf("networkBorderGroup", &a.network_border_group)
        .leaf("ipv6Pool", &a.pool)
        .leaf("ipv6AddressAttribute", "public")
        .leaf("ipSource", "amazon");
}

fn filter_values(vpc: &Vpc, name: &str) -> Vec<String> {
    let assoc = || vpc.cidr_associations.iter();
    let assoc6 = || vpc.ipv6_associations.iter();
    match name {
        "cidr" => vec![vpc.cidr_block.to_string()],
        "cidr-block-association.association-id" => assoc().map(|a| a.id.to_string()).collect(),
        "cidr-block-association.cidr-block" => assoc().map(|a| a.cidr.to_string()).collect(),
        "cidr-block-association.state" => assoc().map(|a| a.state.as_str().to_owned()).collect(),
        "dhcp-options-id" => vec![
            vpc.dhcp_options_id
                .as_ref()
                .map_or_else(|| "default".to_owned(), ToString::to_string),
        ],
        "ipv6-cidr-block-association.association-id" => {
            assoc6().map(|a| a.id.to_string()).collect()
        }
        "ipv6-cidr-block-association.ipv6-cidr-block" => {
            assoc6().map(|a| a.cidr.to_string()).collect()
        }
        "ipv6-cidr-block-association.ipv6-pool" => assoc6().map(|a| a.pool.clone()).collect(),
        "ipv6-cidr-block-association.state" => {
            assoc6().map(|a| a.state.as_str().to_owned()).collect()
        }
        "is-default" | "isDefault" => vec![vpc.is_default.to_string()],
        "owner-id" => vec![vpc.scope.account.to_string()],
        "state" => vec!["available".to_owned()],
        "vpc-id" => vec![vpc.id.to_string()],
        _ => Vec::new(),
    }
}

fn vpc_id(op_params: &super::input::Input<'_>, name: &str) -> Result<VpcId, ApiError> {
    Ok(VpcId::parse(op_params.required(name)?)?)
}

pub(super) async fn create_vpc<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let input = CreateVpc {
        cidr_block: p.opt("CidrBlock").map(str::to_owned),
        instance_tenancy: p.opt("InstanceTenancy").map(str::to_owned),
        amazon_provided_ipv6_cidr_block: p.bool("AmazonProvidedIpv6CidrBlock")?.unwrap_or(false),
        ipv6_network_border_group: p.opt("Ipv6CidrBlockNetworkBorderGroup").map(str::to_owned),
        tag_specifications: p.tag_specifications()?,
    };
    refuse_ipv6_pools(p, input.amazon_provided_ipv6_cidr_block)?;
    if input.cidr_block.is_none() && p.opt("Ipv4IpamPoolId").is_none() {
        return Err(ApiError::missing("CidrBlock"));
    }
    if p.opt("Ipv4IpamPoolId").is_some() {
        return Err(ApiError::not_emulated("IPAM pools (Ipv4IpamPoolId)"));
    }
    let vpc = op.run_as(Command::CreateVpc(input)).await?;
    op.respond(|w| {
        w.node("vpc", |w| write_vpc_in_state(w, &vpc, "pending"));
    })
}

/// BYOIP pools (`Ipv6Pool`, `Ipv6CidrBlock`) and IPAM pools are not emulated: only
/// Amazon-provided IPv6 blocks exist here.
fn refuse_ipv6_pools(p: &super::input::Input<'_>, amazon: bool) -> Result<(), ApiError> {
    let byoip = p.opt("Ipv6Pool").is_some() || p.opt("Ipv6CidrBlock").is_some();
    if amazon && byoip {
        return Err(ApiError::combination(
            "AmazonProvidedIpv6CidrBlock cannot be combined with Ipv6Pool or Ipv6CidrBlock",
        ));
    }
    if byoip {
        return Err(ApiError::not_emulated(
            "BYOIP IPv6 address pools (Ipv6Pool, Ipv6CidrBlock); use \
             AmazonProvidedIpv6CidrBlock",
        ));
    }
    if p.opt("Ipv6IpamPoolId").is_some() || p.opt("Ipv6NetmaskLength").is_some() {
        return Err(ApiError::not_emulated("IPAM pools (Ipv6IpamPoolId)"));
    }
    Ok(())
}

pub(super) async fn create_default_vpc<B: Backend>(op: &Op<'_, B>) -> Body {
    let vpc = op.run_as(Command::CreateDefaultVpc).await?;
    op.respond(|w| {
        w.node("vpc", |w| write_vpc_in_state(w, &vpc, "pending"));
    })
}

pub(super) async fn modify_vpc_tenancy<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let vpc_id = vpc_id(p, "VpcId")?;
    let instance_tenancy = p.required("InstanceTenancy")?.to_owned();
    if instance_tenancy != "default" {
        return Err(ApiError::invalid_value(format!(
            "Value ({instance_tenancy}) for parameter instanceTenancy is invalid. A VPC's tenancy can \
             only be changed to default."
        )));
    }
    op.run(Command::ModifyVpcTenancy {
        vpc_id,
        instance_tenancy,
    })
    .await?;
    op.respond_true()
}

pub(super) fn describe_vpcs<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("VpcId", VpcId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .answer("vpcSet", filter_values, write_vpc)
}

pub(super) async fn delete_vpc<B: Backend>(op: &Op<'_, B>) -> Body {
    let vpc_id = vpc_id(&op.params, "VpcId")?;
    op.run(Command::DeleteVpc { vpc_id }).await?;
    op.respond_true()
}

pub(super) async fn modify_vpc_attribute<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let vpc_id = vpc_id(p, "VpcId")?;
    let given = [
        p.attribute_bool("EnableDnsSupport")?
            .map(VpcAttribute::EnableDnsSupport),
        p.attribute_bool("EnableDnsHostnames")?
            .map(VpcAttribute::EnableDnsHostnames),
        p.attribute_bool("EnableNetworkAddressUsageMetrics")?
            .map(VpcAttribute::EnableNetworkAddressUsageMetrics),
    ];
    let mut attributes = given.into_iter().flatten();
    let Some(attribute) = attributes.next() else {
        return Err(ApiError::missing(
            "EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics",
        ));
    };
    if attributes.next().is_some() {
        // The model documents one attribute per request (docs/aws-semantics.md §1.4).
        return Err(ApiError::combination(
            "Only one attribute can be modified at a time",
        ));
    }
    op.run(Command::ModifyVpcAttribute { vpc_id, attribute })
        .await?;
    op.respond_true()
}

pub(super) fn describe_vpc_attribute<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let attribute = p.required("Attribute")?;
    let vpc_id = vpc_id(p, "VpcId")?;
    let value = |vpc: &Vpc| match attribute {
        "enableDnsSupport" => Ok(vpc.enable_dns_support),
        "enableDnsHostnames" => Ok(vpc.enable_dns_hostnames),
        "enableNetworkAddressUsageMetrics" => Ok(vpc.enable_network_address_usage_metrics),
        other => Err(ApiError::invalid_value(format!(
            "Value ({other}) for parameter attribute is invalid. Unknown attribute."
        ))),
    };
    let model: std::sync::Arc<Model> = op.snapshot();
    let vpc = model.get::<Vpc>(&op.ctx.scope, &vpc_id)?;
    let v = value(vpc)?;
    op.check_dry_run()?;
    op.respond(|w| {
        w.leaf("vpcId", vpc_id.as_str()).node(attribute, |w| {
            w.bool("value", v);
        });
    })
}

pub(super) async fn associate_vpc_cidr_block<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let vpc_id = vpc_id(p, "VpcId")?;
    let amazon = p.bool("AmazonProvidedIpv6CidrBlock")?.unwrap_or(false);
    refuse_ipv6_pools(p, amazon)?;
    if p.opt("Ipv4IpamPoolId").is_some() || p.opt("Ipv4NetmaskLength").is_some() {
        return Err(ApiError::not_emulated("IPAM pools (Ipv4IpamPoolId)"));
    }
    let command = match (amazon, p.opt("CidrBlock")) {
        (true, Some(_)) => {
            return Err(ApiError::combination(
                "Only one of CidrBlock or AmazonProvidedIpv6CidrBlock may be specified",
            ));
        }
        (true, None) => Command::AssociateVpcIpv6CidrBlock {
            vpc_id,
            network_border_group: p.opt("Ipv6CidrBlockNetworkBorderGroup").map(str::to_owned),
        },
        (false, Some(cidr_block)) => {
            if p.opt("Ipv6CidrBlockNetworkBorderGroup").is_some() {
                return Err(ApiError::combination(
                    "Ipv6CidrBlockNetworkBorderGroup requires AmazonProvidedIpv6CidrBlock",
                ));
            }
            Command::AssociateVpcCidrBlock {
                vpc_id,
                cidr_block: cidr_block.to_owned(),
            }
        }
        (false, None) => return Err(ApiError::missing("CidrBlock")),
    };
    let (vpc_id, association): (VpcId, VpcCidrAssociation) = op.run_as(command).await?;
    // AWS reports the new block as `associating` in the response itself.
    op.respond(|w| {
        write_association_change(w, &association, "associating");
        w.leaf("vpcId", vpc_id.as_str());
    })
}

/// `cidrBlockAssociation` or `ipv6CidrBlockAssociation` of Associate/DisassociateVpcCidrBlock.
fn write_association_change(w: &mut XmlWriter, association: &VpcCidrAssociation, state: &str) {
    match association {
        VpcCidrAssociation::V4(a) => {
            w.node("cidrBlockAssociation", |w| {
                w.leaf("associationId", a.id.as_str())
                    .leaf("cidrBlock", &a.cidr.to_string())
                    .node("cidrBlockState", |w| {
                        w.leaf("state", state);
                    });
            });
        }
        VpcCidrAssociation::V6(a) => {
            w.node("ipv6CidrBlockAssociation", |w| {
                write_ipv6_association(w, a, state);
            });
        }
    }
}

pub(super) async fn disassociate_vpc_cidr_block<B: Backend>(op: &Op<'_, B>) -> Body {
    let association_id = VpcCidrAssociationId::parse(op.params.required("AssociationId")?)?;
    let (vpc_id, association): (VpcId, VpcCidrAssociation) = op
        .run_as(Command::DisassociateVpcCidrBlock { association_id })
        .await?;
    op.respond(|w| {
        write_association_change(w, &association, "disassociating");
        w.leaf("vpcId", vpc_id.as_str());
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, missing_parameter, new_vpc, no_dry_run, ok,
    };

    /// An operation whose AWS shape has no `DryRun` member refuses it.
    #[test]
    fn create_vpc() {
        let b = Fake::default();
        missing_parameter(&b, "Action=CreateVpc");
        assert_eq!(
            error(&b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/33"),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateVpc&CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=maybe"
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, "Action=CreateVpc&CidrBlock=10.0.0.0/16");
        assert!(all(&ok(&b, ME, "Action=DescribeVpcs"), "vpcId").is_empty());
        let body = ok(&b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16");
        let [id] = all(&body, "vpcId").try_into().unwrap();
        assert!(id.starts_with("vpc-"), "{id}");
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert_eq!(all(&body, "cidrBlock"), ["10.0.0.0/16", "10.0.0.0/16"]);
        assert!(body.contains("<state>pending</state>"), "{body}");
        assert_eq!(all(&body, "instanceTenancy"), ["default"]);
        assert_eq!(all(&body, "isDefault"), ["false"]);
        let [dhcp] = all(&body, "dhcpOptionsId").try_into().unwrap();
        assert!(dhcp.starts_with("dopt-"), "{dhcp}");
    }

    #[test]
    fn create_default_vpc() {
        let b = Fake::default();
        dry_run(&b, "Action=CreateDefaultVpc");
        assert!(all(&ok(&b, ME, "Action=DescribeVpcs"), "vpcId").is_empty());
        let body = ok(&b, ME, "Action=CreateDefaultVpc");
        let [id] = all(&body, "vpcId").try_into().unwrap();
        assert!(id.starts_with("vpc-"), "{id}");
        assert_eq!(all(&body, "isDefault"), ["true"]);
        assert_eq!(all(&body, "cidrBlock"), ["172.31.0.0/16", "172.31.0.0/16"]);
        assert!(body.contains("<state>pending</state>"), "{body}");
        assert_eq!(
            error(&b, ME, "Action=CreateDefaultVpc"),
            "DefaultVpcAlreadyExists"
        );
        // The other account has none yet.
        let theirs = ok(&b, OTHER, "Action=CreateDefaultVpc");
        assert_eq!(all(&theirs, "ownerId"), [OTHER]);
        let mine = ok(
            &b,
            ME,
            "Action=DescribeVpcs&Filter.1.Name=is-default&Filter.1.Value.1=true",
        );
        assert_eq!(all(&mine, "vpcId"), [id.as_str()]);
    }

    #[test]
    fn describe_vpcs() {
        let b = Fake::default();
        let id = new_vpc(&b);
        assert_eq!(
            error(&b, ME, "Action=DescribeVpcs&VpcId.1=vpc"),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(&b, ME, "Action=DescribeVpcs&VpcId.1=vpc-0123456789abcdef0"),
            "InvalidVpcID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("Action=DescribeVpcs&VpcId.1={id}")),
            "InvalidVpcID.NotFound"
        );
        assert!(all(&ok(&b, OTHER, "Action=DescribeVpcs"), "vpcId").is_empty());
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeVpcs&Filter.1.Name=color&Filter.1.Value.1=x"
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, "Action=DescribeVpcs&MaxResults=4"),
            "InvalidParameterValue"
        );
        dry_run(&b, "Action=DescribeVpcs");
        let body = ok(&b, ME, &format!("Action=DescribeVpcs&VpcId.1={id}"));
        assert_eq!(all(&body, "vpcId"), [id.as_str()]);
        assert!(body.contains("<state>available</state>"), "{body}");
        assert!(
            body.contains("<cidrBlockState><state>associated</state>"),
            "{body}"
        );
        let filtered = ok(
            &b,
            ME,
            "Action=DescribeVpcs&Filter.1.Name=cidr&Filter.1.Value.1=10.9.0.0/16",
        );
        assert!(all(&filtered, "vpcId").is_empty(), "{filtered}");
    }

    #[test]
    fn delete_vpc() {
        let b = Fake::default();
        let id = new_vpc(&b);
        assert_eq!(error(&b, ME, "Action=DeleteVpc"), "MissingParameter");
        assert_eq!(
            error(&b, ME, "Action=DeleteVpc&VpcId=subnet-1"),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(&b, ME, "Action=DeleteVpc&VpcId=vpc-0123456789abcdef0"),
            "InvalidVpcID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("Action=DeleteVpc&VpcId={id}")),
            "InvalidVpcID.NotFound"
        );
        dry_run(&b, &format!("Action=DeleteVpc&VpcId={id}"));
        let body = ok(&b, ME, &format!("Action=DeleteVpc&VpcId={id}"));
        assert_eq!(all(&body, "return"), ["true"]);
        assert_eq!(
            error(&b, ME, &format!("Action=DescribeVpcs&VpcId.1={id}")),
            "InvalidVpcID.NotFound"
        );
    }

    #[test]
    fn vpc_attributes() {
        let b = Fake::default();
        let id = new_vpc(&b);
        let modify = format!("Action=ModifyVpcAttribute&VpcId={id}");
        assert_eq!(error(&b, ME, &modify), "MissingParameter");
        assert_eq!(
            error(
                &b,
                ME,
                "Action=ModifyVpcAttribute&EnableDnsHostnames.Value=true"
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&EnableDnsHostnames.Value=yes")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{modify}&EnableDnsHostnames.Value=true&EnableDnsSupport.Value=true")
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=ModifyVpcAttribute&VpcId=vpc-x&EnableDnsHostnames.Value=true"
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                OTHER,
                &format!("{modify}&EnableDnsHostnames.Value=true")
            ),
            "InvalidVpcID.NotFound"
        );
        no_dry_run(&b, &format!("{modify}&EnableDnsHostnames.Value=true"));
        let describe = format!("Action=DescribeVpcAttribute&VpcId={id}");
        let hostnames = format!("{describe}&Attribute=enableDnsHostnames");
        assert_eq!(all(&ok(&b, ME, &hostnames), "value"), ["false"]);
        let body = ok(&b, ME, &format!("{modify}&EnableDnsHostnames.Value=true"));
        assert_eq!(all(&body, "return"), ["true"]);
        let body = ok(&b, ME, &hostnames);
        assert_eq!(all(&body, "vpcId"), [id.as_str()]);
        assert!(
            body.contains("<enableDnsHostnames><value>true</value></enableDnsHostnames>"),
            "{body}"
        );
        assert_eq!(
            all(
                &ok(&b, ME, &format!("{describe}&Attribute=enableDnsSupport")),
                "value"
            ),
            ["true"]
        );

        assert_eq!(error(&b, ME, &describe), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{describe}&Attribute=color")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeVpcAttribute&VpcId=vpc&Attribute=enableDnsSupport"
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(error(&b, OTHER, &hostnames), "InvalidVpcID.NotFound");
        dry_run(&b, &hostnames);
    }

    #[test]
    fn modify_vpc_tenancy() {
        let b = Fake::default();
        let id = new_vpc(&b);
        let modify = format!("Action=ModifyVpcTenancy&VpcId={id}");
        assert_eq!(error(&b, ME, &modify), "MissingParameter");
        assert_eq!(
            error(&b, ME, "Action=ModifyVpcTenancy&InstanceTenancy=default"),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&InstanceTenancy=dedicated")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=ModifyVpcTenancy&VpcId=vpc-zz&InstanceTenancy=default"
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{modify}&InstanceTenancy=default")),
            "InvalidVpcID.NotFound"
        );
        dry_run(&b, &format!("{modify}&InstanceTenancy=default"));
        let body = ok(&b, ME, &format!("{modify}&InstanceTenancy=default"));
        assert_eq!(all(&body, "return"), ["true"]);
    }

    #[test]
    fn vpc_cidr_blocks() {
        let b = Fake::default();
        let id = new_vpc(&b);
        let associate = format!("Action=AssociateVpcCidrBlock&VpcId={id}");
        assert_eq!(error(&b, ME, &associate), "MissingParameter");
        assert_eq!(
            error(&b, ME, "Action=AssociateVpcCidrBlock&CidrBlock=10.1.0.0/16"),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&CidrBlock=10.1.0.0/16&AmazonProvidedIpv6CidrBlock=true")
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=AssociateVpcCidrBlock&VpcId=vpc_1&CidrBlock=10.1.0.0/16"
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{associate}&CidrBlock=10.1.0.0/16")),
            "InvalidVpcID.NotFound"
        );
        no_dry_run(&b, &format!("{associate}&CidrBlock=10.1.0.0/16"));
        let body = ok(&b, ME, &format!("{associate}&CidrBlock=10.1.0.0/16"));
        assert_eq!(all(&body, "vpcId"), [id.as_str()]);
        assert_eq!(all(&body, "cidrBlock"), ["10.1.0.0/16"]);
        assert!(body.contains("<state>associating</state>"), "{body}");
        let [assoc] = all(&body, "associationId").try_into().unwrap();

        let disassociate = "Action=DisassociateVpcCidrBlock";
        assert_eq!(error(&b, ME, disassociate), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{disassociate}&AssociationId=vpc-1")),
            "InvalidVpcCidrBlockAssociationId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{disassociate}&AssociationId=vpc-cidr-assoc-0123456789abcdef0")
            ),
            "InvalidVpcCidrBlockAssociationID.NotFound"
        );
        let by_assoc = format!("{disassociate}&AssociationId={assoc}");
        assert_eq!(
            error(&b, OTHER, &by_assoc),
            "InvalidVpcCidrBlockAssociationID.NotFound"
        );
        no_dry_run(&b, &by_assoc);
        let body = ok(&b, ME, &by_assoc);
        assert_eq!(all(&body, "associationId"), [assoc.as_str()]);
        assert_eq!(all(&body, "vpcId"), [id.as_str()]);
        assert!(body.contains("<state>disassociating</state>"), "{body}");
    }
}
