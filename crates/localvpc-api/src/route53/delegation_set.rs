//! Reusable delegation sets: `/2013-04-01/delegationset…` and
//! `reusabledelegationsetlimit/{Id}/{Type}`.

use super::{Op, Reply, document, invalid_input, required, zone_id};
use crate::{ApiError, ApiResponse, Backend};
use localvpc_model::route53::Route53Command;
use localvpc_model::route53::delegation_set::{
    DelegationSetId, MAX_ZONES_PER_DELEGATION_SET, ReusableDelegationSet,
};
use localvpc_wire::xml::XmlWriter;

pub(super) fn delegation_set_id(raw: &str) -> Result<DelegationSetId, ApiError> {
    DelegationSetId::parse(raw).map_err(ApiError::from)
}

impl<B: Backend> Op<'_, B> {
    pub(super) async fn create_delegation_set(&self) -> Reply {
        let body = self.body("CreateReusableDelegationSetRequest")?;
        let caller_reference = required(&body, "CallerReference")?;
        let zone = body.text_of("HostedZoneId").map(zone_id).transpose()?;
        let set: Box<ReusableDelegationSet> = self
            .run_as(Route53Command::CreateDelegationSet {
                caller_reference: caller_reference.to_owned(),
                zone,
            })
            .await?;
        let mut w = XmlWriter::new();
        write_delegation_set(&mut w, &set);
        let mut response = ApiResponse::xml(
            201,
            document("CreateReusableDelegationSetResponse", w.finish()),
        );
        response.headers.push((
            "location",
            format!(
                "https://route53.amazonaws.com/{}{}",
                super::VERSION,
                set.id.path()
            ),
        ));
        Ok(response)
    }

    pub(super) fn get_delegation_set(&self, id: &str) -> Reply {
        let id = delegation_set_id(id)?;
        let model = self.snapshot();
        let set = model
            .delegation_set(&self.ctx.scope, &id)
            .map_err(ApiError::from)?;
        self.ok("GetReusableDelegationSetResponse", |w| {
            write_delegation_set(w, set);
        })
    }

    pub(super) fn list_delegation_sets(&self) -> Reply {
        let max = self.max_items("maxitems", 100, 100)?;
        let model = self.snapshot();
        let marker = self.query.get("marker");
        let start = marker.map(delegation_set_id).transpose()?;
        let mut sets: Vec<&ReusableDelegationSet> = model
            .delegation_sets_of(&self.ctx.scope.account)
            .filter(|d| start.as_ref().is_none_or(|s| &d.id >= s))
            .collect();
        let next = sets.get(max).map(|d| d.id.as_str().to_owned());
        sets.truncate(max);
        self.ok("ListReusableDelegationSetsResponse", |w| {
            w.wrapped("DelegationSets", "DelegationSet", &sets, |w, d| {
                write_delegation_set_fields(w, d);
            });
            w.leaf("Marker", marker.unwrap_or_default())
                .bool("IsTruncated", next.is_some())
                .leaf_opt("NextMarker", next.as_deref())
                .num("MaxItems", max);
        })
    }

    pub(super) async fn delete_delegation_set(&self, id: &str) -> Reply {
        let id = delegation_set_id(id)?;
        self.run(Route53Command::DeleteDelegationSet(id)).await?;
        self.ok("DeleteReusableDelegationSetResponse", |_| {})
    }

    pub(super) fn delegation_set_limit(&self, id: &str, limit: &str) -> Reply {
        if limit != "MAX_ZONES_BY_REUSABLE_DELEGATION_SET" {
            return Err(invalid_input(format!(
                "1 validation error detected: Value '{limit}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [MAX_ZONES_BY_REUSABLE_DELEGATION_SET]"
            )));
        }
        let id = delegation_set_id(id)?;
        let model = self.snapshot();
        model
            .delegation_set(&self.ctx.scope, &id)
            .map_err(ApiError::from)?;
        let count = model.zones_using(&id).count();
        self.ok("GetReusableDelegationSetLimitResponse", |w| {
            w.node("Limit", |w| {
                w.leaf("Type", limit)
                    .num("Value", MAX_ZONES_PER_DELEGATION_SET);
            })
            .num("Count", count);
        })
    }
}

fn write_delegation_set(w: &mut XmlWriter, d: &ReusableDelegationSet) {
    w.node("DelegationSet", |w| write_delegation_set_fields(w, d));
}

fn write_delegation_set_fields(w: &mut XmlWriter, d: &ReusableDelegationSet) {
    w.leaf("Id", &d.id.path())
        .leaf("CallerReference", &d.caller_reference)
        .wrapped("NameServers", "NameServer", &d.name_servers, |w, ns| {
            w.text(ns.trim_end_matches('.'));
        });
}
