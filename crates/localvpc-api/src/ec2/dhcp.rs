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
