//! Subnet CIDR reservations: CreateSubnetCidrReservation, DeleteSubnetCidrReservation,
//! GetSubnetCidrReservations (one subnet's, IPv4 and IPv6 apart).

use super::describe::Describe;
use super::filter::DESCRIBE_BOUNDS;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CreateSubnetCidrReservation, ReservationType, ReservedCidr, Subnet,
    SubnetCidrReservation, SubnetCidrReservationId, SubnetId,
};
use localvpc_wire::xml::XmlWriter;

/// GetSubnetCidrReservations' filters (plus the tag filters).
const FILTERS: &[&str] = &["reservationType", "subnet-id"];

/// One `SubnetCidrReservation`.
fn write_reservation(w: &mut XmlWriter, r: &SubnetCidrReservation) {
    w.leaf("subnetCidrReservationId", r.id.as_str())
        .leaf("subnetId", r.subnet_id.as_str())
        .leaf("cidr", &r.cidr.to_string())
        .leaf("reservationType", r.reservation_type.as_str())
        .leaf("ownerId", r.scope.account.as_str())
        .leaf("description", &r.description);
    super::tags::write_tag_set(w, &r.tags);
}

fn values(r: &SubnetCidrReservation, name: &str) -> Vec<String> {
    match name {
        "reservationType" => vec![r.reservation_type.as_str().to_owned()],
        "subnet-id" => vec![r.subnet_id.to_string()],
        _ => Vec::new(),
    }
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let subnet_id = SubnetId::parse(p.required("SubnetId")?)?;
    let cidr = p.required("Cidr")?.to_owned();
    let kind = p.required("ReservationType")?;
    let reservation_type = ReservationType::parse(kind).ok_or_else(|| {
        ApiError::invalid_value(format!(
            "Value ({kind}) for parameter reservationType is invalid. Valid values: prefix, explicit."
        ))
    })?;
    let input = CreateSubnetCidrReservation {
        subnet_id,
        cidr,
        reservation_type,
        description: p.opt("Description").map(str::to_owned),
        tag_specifications: p.tag_specifications()?,
    };
    let r = op
        .run_as(Command::CreateSubnetCidrReservation(input))
        .await?;
    op.respond(|w| {
        w.node("subnetCidrReservation", |w| write_reservation(w, &r));
    })
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let id = SubnetCidrReservationId::parse(op.params.required("SubnetCidrReservationId")?)?;
    let r = op
        .run_as(Command::DeleteSubnetCidrReservation { id })
        .await?;
    op.respond(|w| {
        w.node("deletedSubnetCidrReservation", |w| {
            write_reservation(w, &r);
        });
    })
}

pub(super) fn get<B: Backend>(op: &Op<'_, B>) -> Body {
    let subnet_id = SubnetId::parse(op.params.required("SubnetId")?)?;
    let describe = Describe::new(op)
        .filters(FILTERS, true)?
        .paged(&DESCRIBE_BOUNDS)?;
    let model = describe.snapshot()?;
    let subnet = model.get::<Subnet>(&op.ctx.scope, &subnet_id)?;
    let chosen: Vec<&SubnetCidrReservation> = model
        .subnet_cidr_reservations(subnet)
        .filter(|r| describe.matches(Some(&r.tags), |name| values(r, name)))
        .collect();
    describe.respond_with(
        chosen,
        |r| r.id.as_str(),
        |w, page| {
            let (v4, v6): (Vec<_>, Vec<_>) = page
                .into_iter()
                .partition(|r| matches!(r.cidr, ReservedCidr::V4(_)));
            w.list("subnetIpv4CidrReservationSet", v4, |w, r| {
                write_reservation(w, r);
            })
            .list("subnetIpv6CidrReservationSet", v6, |w, r| {
                write_reservation(w, r);
            });
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, error, ok};

    fn subnet(b: &Fake) -> String {
        let vpc = all(
            &ok(b, ME, "Action=CreateVpc&CidrBlock=10.0.0.0/16"),
            "vpcId",
        )
        .remove(0);
        let body = ok(
            b,
            ME,
            &format!("Action=CreateSubnet&VpcId={vpc}&CidrBlock=10.0.1.0/24"),
        );
        all(&body, "subnetId").remove(0)
    }

    #[test]
    fn parameters_and_answers() {
        let b = Fake::default();
        let s = subnet(&b);
        let create = |rest: &str| format!("Action=CreateSubnetCidrReservation&SubnetId={s}{rest}");
        assert_eq!(
            error(&b, ME, &create("&Cidr=10.0.1.0/28")),
            "MissingParameter"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create("&Cidr=10.0.1.0/28&ReservationType=Explicit")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                OTHER,
                &create("&Cidr=10.0.1.0/28&ReservationType=explicit")
            ),
            "InvalidSubnetID.NotFound"
        );
        let body = ok(
            &b,
            ME,
            &create("&Cidr=10.0.1.0/28&ReservationType=explicit"),
        );
        let [id] = all(&body, "subnetCidrReservationId").try_into().unwrap();
        assert_eq!(all(&body, "reservationType"), ["explicit"]);

        let get = format!("Action=GetSubnetCidrReservations&SubnetId={s}");
        let listed = ok(&b, ME, &get);
        assert_eq!(all(&listed, "subnetCidrReservationId"), [id.as_str()]);
        assert!(
            listed.contains("<subnetIpv6CidrReservationSet/>"),
            "{listed}"
        );
        assert_eq!(
            error(&b, ME, "Action=GetSubnetCidrReservations"),
            "MissingParameter"
        );
        assert_eq!(
            error(&b, ME, &format!("{get}&MaxResults=4")),
            "InvalidParameterValue"
        );

        assert_eq!(
            error(
                &b,
                ME,
                "Action=DeleteSubnetCidrReservation&SubnetCidrReservationId=subnet-1"
            ),
            "InvalidSubnetCidrReservationID.Malformed"
        );
        let deleted = ok(
            &b,
            ME,
            &format!("Action=DeleteSubnetCidrReservation&SubnetCidrReservationId={id}"),
        );
        assert!(
            deleted.contains("<deletedSubnetCidrReservation>"),
            "{deleted}"
        );
        assert!(all(&ok(&b, ME, &get), "subnetCidrReservationId").is_empty());
    }
}
