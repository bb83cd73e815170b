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

#[cfg(test)]
mod tests {
    use super::super::testing::{answered, call, create_private_zone, doc, new_zone, refused};
    use crate::ec2::testing::new_vpc;
    use crate::testing::{Fake, all};

    fn create(reference: &str, zone: Option<&str>) -> String {
        let zone = zone.map(|z| format!("<HostedZoneId>{z}</HostedZoneId>"));
        doc(
            "CreateReusableDelegationSetRequest",
            &format!(
                "<CallerReference>{reference}</CallerReference>{}",
                zone.unwrap_or_default()
            ),
        )
    }

    /// A new delegation set of `ME`: its bare id (`N…`).
    fn new_set(b: &Fake, reference: &str) -> String {
        let body = answered(b, 201, "POST", "delegationset", &create(reference, None));
        let id = all(&body, "Id").remove(0);
        id.trim_start_matches("/delegationset/").to_owned()
    }

    #[test]
    fn create_answers_201_with_four_name_servers_and_its_location() {
        let b = Fake::default();
        let r = call(&b, "POST", "delegationset", &create("r1", None));
        assert_eq!(r.status, 201, "{}", r.body);
        let path = all(&r.body, "Id").remove(0);
        assert!(path.starts_with("/delegationset/N"), "{path}");
        assert_eq!(
            r.headers,
            [(
                "location",
                format!("https://route53.amazonaws.com/2013-04-01{path}")
            )]
        );
        let servers = all(&r.body, "NameServer");
        assert_eq!(servers.len(), 4);
        assert!(servers.iter().all(|s| !s.ends_with('.')), "{servers:?}");
        let id = path.trim_start_matches("/delegationset/");
        let got = answered(&b, 200, "GET", &format!("delegationset/{id}"), "");
        assert_eq!(all(&got, "CallerReference"), ["r1"]);
        assert_eq!(all(&got, "NameServer"), servers);
        assert_eq!(
            refused(&b, "POST", "delegationset", &create("r1", None)),
            (400, "DelegationSetAlreadyCreated".to_owned())
        );
        let nameless = doc("CreateReusableDelegationSetRequest", "");
        assert_eq!(
            refused(&b, "POST", "delegationset", &nameless),
            (400, "InvalidInput".to_owned())
        );
    }

    #[test]
    fn a_zone_s_delegation_set_is_made_reusable_once() {
        let b = Fake::default();
        let zone = new_zone(&b, "example.com");
        let zone_body = answered(&b, 200, "GET", &format!("hostedzone/{zone}"), "");
        let body = answered(&b, 201, "POST", "delegationset", &create("r1", Some(&zone)));
        // The set takes the zone's name servers.
        assert_eq!(all(&body, "NameServer"), all(&zone_body, "NameServer"));
        assert_eq!(
            refused(&b, "POST", "delegationset", &create("r2", Some(&zone))),
            (400, "DelegationSetAlreadyReusable".to_owned())
        );
        assert_eq!(
            refused(
                &b,
                "POST",
                "delegationset",
                &create("r3", Some("Z0000000000000000000"))
            ),
            (400, "HostedZoneNotFound".to_owned())
        );
        // A set in use cannot go.
        let id = all(&body, "Id").remove(0);
        let id = id.trim_start_matches("/delegationset/");
        assert_eq!(
            refused(&b, "DELETE", &format!("delegationset/{id}"), ""),
            (400, "DelegationSetInUse".to_owned())
        );
        // Its zones are listed by it.
        let q = format!("hostedzone?delegationsetid={id}");
        assert_eq!(
            all(&answered(&b, 200, "GET", &q, ""), "Id"),
            [format!("/hostedzone/{zone}")]
        );
    }

    #[test]
    fn a_private_zone_has_no_reusable_delegation_set() {
        let b = Fake::default();
        let vpc = new_vpc(&b);
        let created = create_private_zone(&b, &vpc);
        let zone = all(&created, "Id").remove(0);
        assert_eq!(
            refused(&b, "POST", "delegationset", &create("r", Some(&zone))),
            (400, "InvalidArgument".to_owned())
        );
    }

    #[test]
    fn list_delete_and_limit() {
        let b = Fake::default();
        let mut ids = [new_set(&b, "a"), new_set(&b, "b")];
        ids.sort();
        let first = answered(&b, 200, "GET", "delegationset?maxitems=1", "");
        assert_eq!(all(&first, "IsTruncated"), ["true"]);
        assert_eq!(all(&first, "NextMarker"), [ids[1].as_str()]);
        let q = format!("delegationset?marker={}", ids[1]);
        let rest = answered(&b, 200, "GET", &q, "");
        assert_eq!(all(&rest, "Id"), [format!("/delegationset/{}", ids[1])]);

        let limit = format!(
            "reusabledelegationsetlimit/{}/MAX_ZONES_BY_REUSABLE_DELEGATION_SET",
            ids[0]
        );
        let body = answered(&b, 200, "GET", &limit, "");
        assert_eq!(all(&body, "Type"), ["MAX_ZONES_BY_REUSABLE_DELEGATION_SET"]);
        assert_eq!(all(&body, "Count"), ["0"]);
        let bad = format!("reusabledelegationsetlimit/{}/MAX_ZONES", ids[0]);
        assert_eq!(
            refused(&b, "GET", &bad, ""),
            (400, "InvalidInput".to_owned())
        );

        answered(&b, 200, "DELETE", &format!("delegationset/{}", ids[0]), "");
        for (method, path) in [
            ("GET", format!("delegationset/{}", ids[0])),
            ("DELETE", format!("delegationset/{}", ids[0])),
            ("GET", limit.clone()),
            ("GET", format!("hostedzone?delegationsetid={}", ids[0])),
        ] {
            assert_eq!(
                refused(&b, method, &path, ""),
                (400, "NoSuchDelegationSet".to_owned()),
                "{method} {path}"
            );
        }
    }
}
