//! CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute, and the subnet's
//! IPv6 block (Associate/DisassociateSubnetCidrBlock).

use super::filter::DESCRIBE_BOUNDS;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CreateDefaultSubnet, CreateSubnet, HostnameType, Model, Subnet, SubnetAttribute,
    SubnetCidrAssociationId, SubnetId, SubnetIpv6Association, VpcId,
};
use localvpc_wire::xml::XmlWriter;

const FILTERS: &[&str] = &[
    "availability-zone",
    "availabilityZone",
    "availability-zone-id",
    "availabilityZoneId",
    "available-ip-address-count",
    "cidr",
    "cidr-block",
    "cidrBlock",
    "customer-owned-ipv4-pool",
    "default-for-az",
    "defaultForAz",
    "enable-dns64",
    "enable-lni-at-device-index",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.state",
    "ipv6-native",
    "map-customer-owned-ip-on-launch",
    "map-public-ip-on-launch",
    "outpost-arn",
    "owner-id",
    "private-dns-name-options-on-launch.enable-resource-name-dns-a-record",
    "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record",
    "private-dns-name-options-on-launch.hostname-type",
    "state",
    "subnet-arn",
    "subnet-id",
    "vpc-id",
];

/// The XML of one `Subnet` shape.
pub(super) fn write_subnet(w: &mut XmlWriter, model: &Model, s: &Subnet) {
    w.leaf("subnetId", s.id.as_str())
        .leaf("subnetArn", &s.arn())
        .leaf("state", "available")
        .leaf("ownerId", s.scope.account.as_str())
        .leaf("vpcId", s.vpc_id.as_str())
        .leaf("cidrBlock", &s.cidr_block.to_string())
        .list(
            "ipv6CidrBlockAssociationSet",
            s.ipv6_association.iter(),
            |w, a| write_ipv6_association(w, a, "associated"),
        )
        .num("availableIpAddressCount", model.available_ip_count(s))
        .leaf("availabilityZone", &s.availability_zone)
        .leaf("availabilityZoneId", &s.availability_zone_id)
        .bool("defaultForAz", s.default_for_az)
        .bool("mapPublicIpOnLaunch", s.map_public_ip_on_launch)
        .bool(
            "mapCustomerOwnedIpOnLaunch",
            s.map_customer_owned_ip_on_launch,
        )
        .bool(
            "assignIpv6AddressOnCreation",
            s.assign_ipv6_address_on_creation,
        )
        .bool("enableDns64", s.enable_dns64)
        .bool("ipv6Native", false)
        .node("privateDnsNameOptionsOnLaunch", |w| {
            w.leaf("hostnameType", s.hostname_type.as_str())
                .bool(
                    "enableResourceNameDnsARecord",
                    s.enable_resource_name_dns_a_record,
                )
                .bool(
                    "enableResourceNameDnsAAAARecord",
                    s.enable_resource_name_dns_aaaa_record,
                );
        })
        .node("blockPublicAccessStates", |w| {
            w.leaf("internetGatewayBlockMode", "off");
        });
    super::tags::write_tag_set(w, &s.tags);
}

/// One `SubnetIpv6CidrBlockAssociation` in `state`.
fn write_ipv6_association(w: &mut XmlWriter, a: &SubnetIpv6Association, state: &str) {
    w.leaf("associationId", a.id.as_str())
        .leaf("ipv6CidrBlock", &a.cidr.to_string())
        .node("ipv6CidrBlockState", |w| {
            w.leaf("state", state);
        })
        .leaf("ipv6AddressAttribute", "public")
        .leaf("ipSource", "amazon");
}

fn filter_values(model: &Model, s: &Subnet, name: &str) -> Vec<String> {
    let one = |v: String| vec![v];
    let assoc6 = || s.ipv6_association.iter();
    match name {
        "availability-zone" | "availabilityZone" => one(s.availability_zone.clone()),
        "availability-zone-id" | "availabilityZoneId" => one(s.availability_zone_id.clone()),
        "available-ip-address-count" => one(model.available_ip_count(s).to_string()),
        "cidr" | "cidr-block" | "cidrBlock" => one(s.cidr_block.to_string()),
        "default-for-az" | "defaultForAz" => one(s.default_for_az.to_string()),
        "enable-dns64" => one(s.enable_dns64.to_string()),
        "ipv6-cidr-block-association.association-id" => {
            assoc6().map(|a| a.id.to_string()).collect()
        }
        "ipv6-cidr-block-association.ipv6-cidr-block" => {
            assoc6().map(|a| a.cidr.to_string()).collect()
        }
        "ipv6-cidr-block-association.state" => assoc6().map(|_| "associated".to_owned()).collect(),
        "ipv6-native" => one("false".to_owned()),
        "map-customer-owned-ip-on-launch" => one(s.map_customer_owned_ip_on_launch.to_string()),
        "map-public-ip-on-launch" => one(s.map_public_ip_on_launch.to_string()),
        "owner-id" => one(s.scope.account.to_string()),
        "private-dns-name-options-on-launch.enable-resource-name-dns-a-record" => {
            one(s.enable_resource_name_dns_a_record.to_string())
        }
        "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record" => {
            one(s.enable_resource_name_dns_aaaa_record.to_string())
        }
        "private-dns-name-options-on-launch.hostname-type" => {
            one(s.hostname_type.as_str().to_owned())
        }
        "state" => one("available".to_owned()),
        "subnet-arn" => one(s.arn()),
        "subnet-id" => one(s.id.to_string()),
        "vpc-id" => one(s.vpc_id.to_string()),
        _ => Vec::new(),
    }
}

pub(super) async fn create_subnet<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let vpc_id = VpcId::parse(p.required("VpcId")?)?;
    let input = CreateSubnet {
        vpc_id,
        cidr_block: p.opt("CidrBlock").map(str::to_owned),
        availability_zone: p.opt("AvailabilityZone").map(str::to_owned),
        availability_zone_id: p.opt("AvailabilityZoneId").map(str::to_owned),
        ipv6_cidr_block: p.opt("Ipv6CidrBlock").map(str::to_owned),
        ipv6_native: p.bool("Ipv6Native")?.unwrap_or(false),
        tag_specifications: p.tag_specifications()?,
    };
    if input.cidr_block.is_none() && !input.ipv6_native && p.opt("Ipv4IpamPoolId").is_none() {
        return Err(ApiError::missing("CidrBlock"));
    }
    if input.ipv6_native {
        // An IPv6-only subnet has an IPv6 block and no IPv4 one; these checks come before
        // any other refusal (the model's "not emulated" among them).
        if input.cidr_block.is_some() || p.opt("Ipv4IpamPoolId").is_some() {
            return Err(ApiError::combination(
                "An IPv6-only subnet (Ipv6Native) cannot have an IPv4 CIDR block (CidrBlock, Ipv4IpamPoolId)",
            ));
        }
        if input.ipv6_cidr_block.is_none() && p.opt("Ipv6IpamPoolId").is_none() {
            return Err(ApiError::missing("Ipv6CidrBlock"));
        }
    }
    refuse_ipam(p)?;
    let subnet = op.run_as(Command::CreateSubnet(input)).await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("subnet", |w| write_subnet(w, &model, &subnet));
        })
    }
}

pub(super) async fn create_default_subnet<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let input = CreateDefaultSubnet {
        availability_zone: p.opt("AvailabilityZone").map(str::to_owned),
        availability_zone_id: p.opt("AvailabilityZoneId").map(str::to_owned),
        ipv6_native: p.bool("Ipv6Native")?.unwrap_or(false),
    };
    match (&input.availability_zone, &input.availability_zone_id) {
        (None, None) => return Err(ApiError::missing("AvailabilityZone")),
        (Some(_), Some(_)) => {
            return Err(ApiError::combination(
                "Either AvailabilityZone or AvailabilityZoneId may be specified, not both",
            ));
        }
        _ => {}
    }
    let subnet = op.run_as(Command::CreateDefaultSubnet(input)).await?;
    {
        let model = op.snapshot();
        op.respond(|w| {
            w.node("subnet", |w| write_subnet(w, &model, &subnet));
        })
    }
}

/// IPAM pools are not emulated: subnet blocks are always given as CIDRs.
fn refuse_ipam(p: &super::input::Input<'_>) -> Result<(), ApiError> {
    let ipam = [
        "Ipv4IpamPoolId",
        "Ipv4NetmaskLength",
        "Ipv6IpamPoolId",
        "Ipv6NetmaskLength",
    ];
    if let Some(name) = ipam.iter().find(|n| p.opt(n).is_some()) {
        return Err(ApiError::not_emulated(format!("IPAM pools ({name})")));
    }
    Ok(())
}

pub(super) async fn associate_subnet_cidr_block<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let subnet_id = SubnetId::parse(p.required("SubnetId")?)?;
    refuse_ipam(p)?;
    let ipv6_cidr_block = p.required("Ipv6CidrBlock")?.to_owned();
    let outcome = op
        .run_as(Command::AssociateSubnetCidrBlock {
            subnet_id,
            ipv6_cidr_block,
        })
        .await?;
    respond_ipv6_change(op, outcome, "associating")
}

pub(super) async fn disassociate_subnet_cidr_block<B: Backend>(op: &Op<'_, B>) -> Body {
    let association_id = SubnetCidrAssociationId::parse(op.params.required("AssociationId")?)?;
    let outcome = op
        .run_as(Command::DisassociateSubnetCidrBlock { association_id })
        .await?;
    respond_ipv6_change(op, outcome, "disassociating")
}

fn respond_ipv6_change<B: Backend>(
    op: &Op<'_, B>,
    (subnet_id, association): (SubnetId, SubnetIpv6Association),
    state: &str,
) -> Body {
    op.respond(|w| {
        w.node("ipv6CidrBlockAssociation", |w| {
            write_ipv6_association(w, &association, state);
        });
        w.leaf("subnetId", subnet_id.as_str());
    })
}

pub(super) fn describe_subnets<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("SubnetId", SubnetId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .answer_with_model("subnetSet", filter_values, write_subnet)
}

pub(super) async fn delete_subnet<B: Backend>(op: &Op<'_, B>) -> Body {
    let subnet_id = SubnetId::parse(op.params.required("SubnetId")?)?;
    op.run(Command::DeleteSubnet { subnet_id }).await?;
    op.respond_true()
}

pub(super) async fn modify_subnet_attribute<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let subnet_id = SubnetId::parse(p.required("SubnetId")?)?;
    let hostname_type = p
        .opt("PrivateDnsHostnameTypeOnLaunch")
        .map(|v| {
            HostnameType::parse(v).ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "Value ({v}) for parameter privateDnsHostnameTypeOnLaunch is invalid."
                ))
            })
        })
        .transpose()?;
    if p.opt("EnableLniAtDeviceIndex").is_some() || p.opt("CustomerOwnedIpv4Pool").is_some() {
        return Err(ApiError::invalid_value(
            "This attribute applies only to Outposts subnets",
        ));
    }
    let given = [
        p.attribute_bool("MapPublicIpOnLaunch")?
            .map(SubnetAttribute::MapPublicIpOnLaunch),
        p.attribute_bool("MapCustomerOwnedIpOnLaunch")?
            .map(SubnetAttribute::MapCustomerOwnedIpOnLaunch),
        p.attribute_bool("AssignIpv6AddressOnCreation")?
            .map(SubnetAttribute::AssignIpv6AddressOnCreation),
        p.attribute_bool("EnableDns64")?
            .map(SubnetAttribute::EnableDns64),
        hostname_type.map(SubnetAttribute::PrivateDnsHostnameTypeOnLaunch),
        p.attribute_bool("EnableResourceNameDnsARecordOnLaunch")?
            .map(SubnetAttribute::EnableResourceNameDnsARecordOnLaunch),
        p.attribute_bool("EnableResourceNameDnsAAAARecordOnLaunch")?
            .map(SubnetAttribute::EnableResourceNameDnsAaaaRecordOnLaunch),
    ];
    let mut attributes = given.into_iter().flatten();
    let Some(attribute) = attributes.next() else {
        return Err(ApiError::missing(
            "an attribute to modify (for example MapPublicIpOnLaunch)",
        ));
    };
    if attributes.next().is_some() {
        return Err(ApiError::combination(
            "Only one attribute can be modified at a time",
        ));
    }
    op.run(Command::ModifySubnetAttribute {
        subnet_id,
        attribute,
    })
    .await?;
    op.respond_true()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, call, dry_run, error, new_subnet, new_vpc, no_dry_run, ok,
    };

    /// An operation whose AWS shape has no `DryRun` member refuses it.
    #[test]
    fn create_subnet() {
        let b = Fake::default();
        let v = new_vpc(&b);
        let create = format!("Action=CreateSubnet&VpcId={v}");
        let r = call(&b, ME, &create);
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(all(&r.body, "Code"), ["MissingParameter"]);
        assert_eq!(
            error(&b, ME, "Action=CreateSubnet&CidrBlock=10.0.1.0/24"),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateSubnet&VpcId=vpc&CidrBlock=10.0.1.0/24"
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateSubnet&VpcId=vpc-0123456789abcdef0&CidrBlock=10.0.1.0/24"
            ),
            "InvalidVpcID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{create}&CidrBlock=10.0.1.0/24")),
            "InvalidVpcID.NotFound"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&CidrBlock=10.9.1.0/24")),
            "InvalidSubnet.Range"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&CidrBlock=10.0.1.0/24&Ipv6Native=true")
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&CidrBlock=10.0.1.0/24&Ipv6Native=perhaps")
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, &format!("{create}&CidrBlock=10.0.1.0/24"));
        assert!(all(&ok(&b, ME, "Action=DescribeSubnets"), "subnetId").is_empty());
        let body = ok(
            &b,
            ME,
            &format!("{create}&CidrBlock=10.0.1.0/24&AvailabilityZone=ap-northeast-1c"),
        );
        let [id] = all(&body, "subnetId").try_into().unwrap();
        assert!(id.starts_with("subnet-"), "{id}");
        assert_eq!(all(&body, "vpcId"), [v.as_str()]);
        assert_eq!(all(&body, "ownerId"), [ME]);
        assert_eq!(all(&body, "cidrBlock"), ["10.0.1.0/24"]);
        assert_eq!(all(&body, "availabilityZone"), ["ap-northeast-1c"]);
        assert_eq!(all(&body, "availableIpAddressCount"), ["251"]);
        assert_eq!(all(&body, "defaultForAz"), ["false"]);
        assert_eq!(all(&body, "mapPublicIpOnLaunch"), ["false"]);
        assert_eq!(
            all(&body, "subnetArn"),
            [format!("arn:aws:ec2:ap-northeast-1:{ME}:subnet/{id}")]
        );
        assert!(body.contains("<state>available</state>"), "{body}");
        assert_eq!(
            error(&b, ME, &format!("{create}&CidrBlock=10.0.1.0/24")),
            "InvalidSubnet.Conflict"
        );
    }

    #[test]
    fn describe_subnets() {
        let b = Fake::default();
        let s = new_subnet(&b);
        assert_eq!(
            error(&b, ME, "Action=DescribeSubnets&SubnetId.1=subnet_1"),
            "InvalidSubnetID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeSubnets&SubnetId.1=subnet-0123456789abcdef0"
            ),
            "InvalidSubnetID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("Action=DescribeSubnets&SubnetId.1={s}")),
            "InvalidSubnetID.NotFound"
        );
        assert!(all(&ok(&b, OTHER, "Action=DescribeSubnets"), "subnetId").is_empty());
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DescribeSubnets&Filter.1.Name=color&Filter.1.Value.1=x"
            ),
            "InvalidParameterValue"
        );
        dry_run(&b, "Action=DescribeSubnets");
        let body = ok(&b, ME, &format!("Action=DescribeSubnets&SubnetId.1={s}"));
        assert_eq!(all(&body, "subnetId"), [s.as_str()]);
        assert_eq!(all(&body, "availabilityZone"), ["ap-northeast-1a"]);
        let by_az = ok(
            &b,
            ME,
            "Action=DescribeSubnets&Filter.1.Name=availability-zone\
             &Filter.1.Value.1=ap-northeast-1c",
        );
        assert!(all(&by_az, "subnetId").is_empty(), "{by_az}");
    }

    #[test]
    fn delete_subnet() {
        let b = Fake::default();
        let s = new_subnet(&b);
        assert_eq!(error(&b, ME, "Action=DeleteSubnet"), "MissingParameter");
        assert_eq!(
            error(&b, ME, "Action=DeleteSubnet&SubnetId=vpc-1"),
            "InvalidSubnetID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=DeleteSubnet&SubnetId=subnet-0123456789abcdef0"
            ),
            "InvalidSubnetID.NotFound"
        );
        let delete = format!("Action=DeleteSubnet&SubnetId={s}");
        assert_eq!(error(&b, OTHER, &delete), "InvalidSubnetID.NotFound");
        dry_run(&b, &delete);
        assert_eq!(all(&ok(&b, ME, &delete), "return"), ["true"]);
        assert_eq!(error(&b, ME, &delete), "InvalidSubnetID.NotFound");
    }

    #[test]
    fn modify_subnet_attribute() {
        let b = Fake::default();
        let s = new_subnet(&b);
        let modify = format!("Action=ModifySubnetAttribute&SubnetId={s}");
        assert_eq!(error(&b, ME, &modify), "MissingParameter");
        assert_eq!(
            error(
                &b,
                ME,
                "Action=ModifySubnetAttribute&MapPublicIpOnLaunch.Value=true"
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=ModifySubnetAttribute&SubnetId=subnet&MapPublicIpOnLaunch.Value=true"
            ),
            "InvalidSubnetID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&MapPublicIpOnLaunch.Value=often")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{modify}&PrivateDnsHostnameTypeOnLaunch=fqdn")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(&b, ME, &format!("{modify}&EnableLniAtDeviceIndex=1")),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{modify}&MapPublicIpOnLaunch.Value=true&EnableDns64.Value=true")
            ),
            "InvalidParameterCombination"
        );
        assert_eq!(
            error(
                &b,
                OTHER,
                &format!("{modify}&MapPublicIpOnLaunch.Value=true")
            ),
            "InvalidSubnetID.NotFound"
        );
        no_dry_run(&b, &format!("{modify}&MapPublicIpOnLaunch.Value=true"));
        let describe = format!("Action=DescribeSubnets&SubnetId.1={s}");
        assert_eq!(
            all(&ok(&b, ME, &describe), "mapPublicIpOnLaunch"),
            ["false"]
        );
        let body = ok(&b, ME, &format!("{modify}&MapPublicIpOnLaunch.Value=true"));
        assert_eq!(all(&body, "return"), ["true"]);
        assert_eq!(all(&ok(&b, ME, &describe), "mapPublicIpOnLaunch"), ["true"]);
        ok(
            &b,
            ME,
            &format!("{modify}&PrivateDnsHostnameTypeOnLaunch=resource-name"),
        );
        assert_eq!(
            all(&ok(&b, ME, &describe), "hostnameType"),
            ["resource-name"]
        );
    }

    #[test]
    fn subnet_ipv6_blocks() {
        let b = Fake::default();
        let body = ok(
            &b,
            ME,
            "Action=CreateVpc&CidrBlock=10.0.0.0/16&AmazonProvidedIpv6CidrBlock=true",
        );
        let [v] = all(&body, "vpcId").try_into().unwrap();
        let described = ok(&b, ME, &format!("Action=DescribeVpcs&VpcId.1={v}"));
        let [block] = all(&described, "ipv6CidrBlock").try_into().unwrap();
        let (prefix, len) = block.split_once('/').unwrap();
        assert_eq!(len, "56", "{block}");
        let slash64 = format!("{prefix}/64");
        let s = all(
            &ok(
                &b,
                ME,
                &format!("Action=CreateSubnet&VpcId={v}&CidrBlock=10.0.1.0/24"),
            ),
            "subnetId",
        )
        .remove(0);

        let associate = format!("Action=AssociateSubnetCidrBlock&SubnetId={s}");
        assert_eq!(error(&b, ME, &associate), "MissingParameter");
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=AssociateSubnetCidrBlock&Ipv6CidrBlock={slash64}")
            ),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("Action=AssociateSubnetCidrBlock&SubnetId=sub-1&Ipv6CidrBlock={slash64}")
            ),
            "InvalidSubnetID.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{associate}&Ipv6IpamPoolId=ipam-pool-1")),
            "UnsupportedOperation"
        );
        let with_block = format!("{associate}&Ipv6CidrBlock={slash64}");
        assert_eq!(error(&b, OTHER, &with_block), "InvalidSubnetID.NotFound");
        no_dry_run(&b, &with_block);
        let body = ok(&b, ME, &with_block);
        assert_eq!(all(&body, "subnetId"), [s.as_str()]);
        assert_eq!(all(&body, "ipv6CidrBlock"), [slash64.as_str()]);
        assert!(body.contains("<state>associating</state>"), "{body}");
        let [assoc] = all(&body, "associationId").try_into().unwrap();
        assert!(assoc.starts_with("subnet-cidr-assoc-"), "{assoc}");

        let disassociate = "Action=DisassociateSubnetCidrBlock";
        assert_eq!(error(&b, ME, disassociate), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{disassociate}&AssociationId=subnet-1")),
            "InvalidSubnetCidrBlockAssociationId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{disassociate}&AssociationId=subnet-cidr-assoc-0123456789abcdef0")
            ),
            "InvalidSubnetCidrBlockAssociationID.NotFound"
        );
        let by_assoc = format!("{disassociate}&AssociationId={assoc}");
        assert_eq!(
            error(&b, OTHER, &by_assoc),
            "InvalidSubnetCidrBlockAssociationID.NotFound"
        );
        no_dry_run(&b, &by_assoc);
        let body = ok(&b, ME, &by_assoc);
        assert_eq!(all(&body, "associationId"), [assoc.as_str()]);
        assert!(body.contains("<state>disassociating</state>"), "{body}");
    }

    #[test]
    fn create_default_subnet() {
        let b = Fake::default();
        assert_eq!(
            error(&b, ME, "Action=CreateDefaultSubnet"),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                "Action=CreateDefaultSubnet&AvailabilityZone=ap-northeast-1a\
                 &AvailabilityZoneId=apne1-az4"
            ),
            "InvalidParameterCombination"
        );
        dry_run(
            &b,
            "Action=CreateDefaultSubnet&AvailabilityZone=ap-northeast-1a",
        );
        ok(&b, ME, "Action=CreateDefaultVpc");
        // The default VPC comes with a default subnet in every zone.
        let create = "Action=CreateDefaultSubnet&AvailabilityZone=ap-northeast-1a";
        assert_eq!(
            error(&b, ME, create),
            "DefaultSubnetAlreadyExistsInAvailabilityZone"
        );
        let existing = ok(
            &b,
            ME,
            "Action=DescribeSubnets&Filter.1.Name=default-for-az&Filter.1.Value.1=true\
             &Filter.2.Name=availability-zone&Filter.2.Value.1=ap-northeast-1a",
        );
        let [old] = all(&existing, "subnetId").try_into().unwrap();
        ok(&b, ME, &format!("Action=DeleteSubnet&SubnetId={old}"));
        let body = ok(
            &b,
            ME,
            "Action=CreateDefaultSubnet&AvailabilityZone=ap-northeast-1a",
        );
        let [id] = all(&body, "subnetId").try_into().unwrap();
        assert!(id.starts_with("subnet-"), "{id}");
        assert_ne!(id, old);
        assert_eq!(all(&body, "defaultForAz"), ["true"]);
        assert_eq!(all(&body, "mapPublicIpOnLaunch"), ["true"]);
        assert_eq!(all(&body, "availabilityZone"), ["ap-northeast-1a"]);
        assert_eq!(all(&body, "ownerId"), [ME]);
    }
}
