//! DHCP option sets: Create/Delete/Describe/AssociateDhcpOptions.

use super::filter::DESCRIBE_BOUNDS;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{Command, DhcpOptions, DhcpOptionsId, VpcId};
use localvpc_wire::xml::XmlWriter;

fn write_options(w: &mut XmlWriter, d: &DhcpOptions) {
    w.list(
        "dhcpConfigurationSet",
        &d.configurations,
        |w, (key, values)| {
            w.leaf("key", key).list("valueSet", values, |w, v| {
                w.leaf("value", v);
            });
        },
    )
    .leaf("dhcpOptionsId", d.id.as_str())
    .leaf("ownerId", d.scope.account.as_str());
    super::tags::write_tag_set(w, &d.tags);
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let mut configurations = Vec::new();
    for c in p.params().structs("DhcpConfiguration") {
        let key = c
            .get("Key")
            .ok_or_else(|| ApiError::missing("DhcpConfiguration.N.Key"))?;
        let values: Vec<String> = c.list("Value").into_iter().map(str::to_owned).collect();
        configurations.push((key.to_owned(), values));
    }
    let tag_specifications = p.tag_specifications()?;
    let d = op
        .run_as(Command::CreateDhcpOptions {
            configurations,
            tag_specifications,
        })
        .await?;
    op.respond(|w| {
        w.node("dhcpOptions", |w| write_options(w, &d));
    })
}

pub(super) async fn associate<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let id = p.required("DhcpOptionsId")?;
    let dhcp_options_id = if id == "default" {
        None
    } else {
        Some(DhcpOptionsId::parse(id)?)
    };
    let vpc_id = VpcId::parse(p.required("VpcId")?)?;
    op.run(Command::AssociateDhcpOptions {
        dhcp_options_id,
        vpc_id,
    })
    .await?;
    op.respond_true()
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let dhcp_options_id = DhcpOptionsId::parse(op.params.required("DhcpOptionsId")?)?;
    op.run(Command::DeleteDhcpOptions { dhcp_options_id })
        .await?;
    op.respond_true()
}

const FILTERS: &[&str] = &["dhcp-options-id", "key", "owner-id", "value"];

fn filter_values(d: &DhcpOptions, name: &str) -> Vec<String> {
    match name {
        "dhcp-options-id" => vec![d.id.to_string()],
        "key" => d.configurations.iter().map(|(k, _)| k.clone()).collect(),
        "value" => d
            .configurations
            .iter()
            .flat_map(|(_, v)| v.clone())
            .collect(),
        "owner-id" => vec![d.scope.account.to_string()],
        _ => Vec::new(),
    }
}

pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    op.describe("DhcpOptionsId", DhcpOptionsId::parse)?
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?
        .answer("dhcpOptionsSet", filter_values, write_options)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, dry_run, error, ok, unknown_filter};

    const DOPT: &str = "dopt-0123456789abcdef0";

    fn options(b: &Fake) -> String {
        let body = ok(
            b,
            ME,
            "Action=CreateDhcpOptions&DhcpConfiguration.1.Key=domain-name\
             &DhcpConfiguration.1.Value.1=corp.example",
        );
        all(&body, "dhcpOptionsId").remove(0)
    }

    #[test]
    fn create_decodes_and_maps_errors() {
        let b = Fake::default();
        let create = "Action=CreateDhcpOptions";
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{create}&DhcpConfiguration.1.Value.1=corp.example")
            ),
            "MissingParameter"
        );
        let with = format!(
            "{create}&DhcpConfiguration.1.Key=domain-name-servers\
             &DhcpConfiguration.1.Value.1=10.0.0.2&DhcpConfiguration.1.Value.2=10.0.0.3"
        );
        dry_run(&b, &with);
        // Only the account's default set (AmazonProvidedDNS) exists.
        let sets = ok(&b, ME, "Action=DescribeDhcpOptions");
        assert_eq!(all(&sets, "dhcpOptionsId").len(), 1, "{sets}");
        assert_eq!(
            all(&sets, "value"),
            ["ap-northeast-1.compute.internal", "AmazonProvidedDNS"]
        );
        let body = ok(&b, ME, &with);
        let [id] = all(&body, "dhcpOptionsId").try_into().unwrap();
        assert!(id.starts_with("dopt-"), "{id}");
        assert_eq!(all(&body, "key"), ["domain-name-servers"]);
        assert_eq!(all(&body, "value"), ["10.0.0.2", "10.0.0.3"]);
        assert_eq!(all(&body, "ownerId"), [ME]);
    }

    #[test]
    fn associate_decodes_and_maps_errors() {
        let b = Fake::default();
        let id = options(&b);
        let vpc = all(
            &ok(&b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
            "vpcId",
        )
        .remove(0);
        let associate = "Action=AssociateDhcpOptions";
        assert_eq!(
            error(&b, ME, &format!("{associate}&VpcId={vpc}")),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{associate}&DhcpOptionsId={id}")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&DhcpOptionsId=vpc-1&VpcId={vpc}")
            ),
            "InvalidDhcpOptionsId.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&DhcpOptionsId={id}&VpcId=dopt-1")
            ),
            "InvalidVpcID.Malformed"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&DhcpOptionsId={DOPT}&VpcId={vpc}")
            ),
            "InvalidDhcpOptionID.NotFound"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &format!("{associate}&DhcpOptionsId={id}&VpcId=vpc-0123456789abcdef0")
            ),
            "InvalidVpcID.NotFound"
        );
        let by_id = format!("{associate}&DhcpOptionsId={id}&VpcId={vpc}");
        let their_vpc = all(
            &ok(&b, OTHER, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
            "vpcId",
        )
        .remove(0);
        assert_eq!(
            error(
                &b,
                OTHER,
                &format!("{associate}&DhcpOptionsId={id}&VpcId={their_vpc}")
            ),
            "InvalidDhcpOptionID.NotFound"
        );
        assert_eq!(error(&b, OTHER, &by_id), "InvalidVpcID.NotFound");
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
        let vpcs = ok(&b, ME, &format!("Action=DescribeVpcs&VpcId.1={vpc}"));
        assert_eq!(all(&vpcs, "dhcpOptionsId"), [id.as_str()]);
        let default = format!("{associate}&DhcpOptionsId=default&VpcId={vpc}");
        assert_eq!(all(&ok(&b, ME, &default), "return"), ["true"]);
        let vpcs = ok(&b, ME, &format!("Action=DescribeVpcs&VpcId.1={vpc}"));
        assert_eq!(all(&vpcs, "dhcpOptionsId"), ["default"]);
    }

    #[test]
    fn describe_and_delete_decode_and_map_errors() {
        let b = Fake::default();
        let id = options(&b);
        let describe = "Action=DescribeDhcpOptions";
        assert_eq!(
            error(&b, ME, &format!("{describe}&DhcpOptionsId.1=vpc-1")),
            "InvalidDhcpOptionsId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{describe}&DhcpOptionsId.1={DOPT}")),
            "InvalidDhcpOptionID.NotFound"
        );
        assert_eq!(
            error(&b, OTHER, &format!("{describe}&DhcpOptionsId.1={id}")),
            "InvalidDhcpOptionID.NotFound"
        );
        unknown_filter(&b, describe);
        dry_run(&b, describe);
        let theirs = all(&ok(&b, OTHER, describe), "dhcpOptionsId");
        assert_eq!(theirs.len(), 1, "{theirs:?}");
        assert!(!theirs.contains(&id), "{theirs:?}");
        let listed = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=value&Filter.1.Value.1=corp.example"),
        );
        assert_eq!(all(&listed, "dhcpOptionsId"), [id.as_str()]);
        assert_eq!(all(&listed, "key"), ["domain-name"]);
        let none = ok(
            &b,
            ME,
            &format!("{describe}&Filter.1.Name=key&Filter.1.Value.1=ntp-servers"),
        );
        assert!(all(&none, "dhcpOptionsId").is_empty(), "{none}");

        let delete = "Action=DeleteDhcpOptions";
        assert_eq!(error(&b, ME, delete), "MissingParameter");
        assert_eq!(
            error(&b, ME, &format!("{delete}&DhcpOptionsId=vpc-1")),
            "InvalidDhcpOptionsId.Malformed"
        );
        assert_eq!(
            error(&b, ME, &format!("{delete}&DhcpOptionsId={DOPT}")),
            "InvalidDhcpOptionID.NotFound"
        );
        let by_id = format!("{delete}&DhcpOptionsId={id}");
        assert_eq!(error(&b, OTHER, &by_id), "InvalidDhcpOptionID.NotFound");
        dry_run(&b, &by_id);
        assert_eq!(all(&ok(&b, ME, &by_id), "return"), ["true"]);
        let left = all(&ok(&b, ME, describe), "dhcpOptionsId");
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(!left.contains(&id), "{left:?}");
    }
}
