//! Egress-only internet gateways: outbound-only IPv6 to the internet for one VPC. AWS
//! creates one already attached (`attached`) and deletes it outright; routes that named it
//! then show `blackhole`.

use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{EgressOnlyInternetGatewayId, VpcId};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EgressOnlyInternetGateway {
    pub id: EgressOnlyInternetGatewayId,
    pub scope: Scope,
    /// The VPC it was created for; it stays attached until deleted.
    pub vpc_id: VpcId,
    pub tags: Tags,
}

impl Txn<'_, '_> {
    pub(crate) fn create_egress_only_internet_gateway(
        &mut self,
        vpc_id: &VpcId,
        specs: &[TagSpecification],
    ) -> Result<EgressOnlyInternetGateway, ModelError> {
        self.model.get::<Vpc>(self.ctx.scope, vpc_id)?;
        // "You can attach only one egress-only internet gateway to a VPC at a time" (VPC
        // quotas page); AWS documents no code for the refusal.
        if let Some(other) = self
            .model
            .egress_only_internet_gateways
            .values()
            .find(|g| &g.vpc_id == vpc_id)
        {
            return Err(ModelError::AlreadyAssociated {
                message: format!(
                    "network {vpc_id} already has an egress-only internet gateway attached: {}",
                    other.id
                ),
            });
        }
        let id = EgressOnlyInternetGatewayId::generate(self.ctx.ids);
        let tags = tags_for(specs, "egress-only-internet-gateway", id.as_str())?;
        let gateway = EgressOnlyInternetGateway {
            id,
            scope: self.ctx.scope.clone(),
            vpc_id: vpc_id.clone(),
            tags,
        };
        self.put(Resource::EgressOnlyInternetGateway(gateway.clone()));
        Ok(gateway)
    }

    pub(crate) fn delete_egress_only_internet_gateway(
        &mut self,
        id: &EgressOnlyInternetGatewayId,
    ) -> Result<(), ModelError> {
        // DeleteEgressOnlyInternetGateway answers an unknown id with the generic gateway code.
        self.model
            .get::<EgressOnlyInternetGateway>(self.ctx.scope, id)
            .map_err(|_| ModelError::GatewayNotFound { id: id.to_string() })?;
        self.delete(ResourceRef::EgressOnlyInternetGateway(id.clone()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::command::{Command, Outcome};
    use crate::ec2::route_table::{RouteDestination, RouteSpec, RouteState, RouteTarget};
    use crate::ec2::vpc::CreateVpc;
    use crate::id::{FixedClock, SequentialIds, Timestamp};
    use crate::resource::Model;
    use crate::scope::{AccountId, Scope};
    use crate::txn::Ctx;
    use crate::{Clock, ModelError};

    fn run(
        model: &mut Model,
        ids: &mut SequentialIds,
        command: Command,
    ) -> Result<Outcome, ModelError> {
        let scope = Scope::new(AccountId::default_account(), "ap-northeast-1");
        let catalog = Catalog::default();
        let mut ctx = Ctx {
            scope: &scope,
            now: FixedClock(Timestamp(0)).now(),
            ids,
            catalog: &catalog,
        };
        let (next, outcome, _) = model.execute(&command, &mut ctx)?;
        *model = next;
        Ok(outcome)
    }

    #[test]
    fn eigw_routes_are_ipv6_only_and_go_blackhole_on_delete() {
        let mut model = Model::default();
        let mut ids = SequentialIds::default();
        run(
            &mut model,
            &mut ids,
            Command::EnsureScope { default_vpc: false },
        )
        .unwrap();
        let Ok(Outcome::Vpc(vpc)) = run(
            &mut model,
            &mut ids,
            Command::CreateVpc(CreateVpc {
                cidr_block: Some("10.0.0.0/16".into()),
                amazon_provided_ipv6_cidr_block: true,
                ..CreateVpc::default()
            }),
        ) else {
            panic!("no vpc")
        };
        let create = Command::CreateEgressOnlyInternetGateway {
            vpc_id: vpc.id.clone(),
            tag_specifications: Vec::new(),
        };
        let Ok(Outcome::EgressOnlyInternetGateway(eigw)) =
            run(&mut model, &mut ids, create.clone())
        else {
            panic!("no eigw")
        };
        assert_eq!(
            run(&mut model, &mut ids, create).unwrap_err().code(),
            "Resource.AlreadyAssociated"
        );
        let table = model.main_route_table(&vpc.id).unwrap().id.clone();
        let route = |d: RouteDestination| Command::CreateRoute {
            route_table_id: table.clone(),
            route: RouteSpec {
                destination: d,
                target: RouteTarget::EgressOnlyInternetGateway(eigw.id.clone()),
            },
        };
        let v4 = RouteDestination::Ipv4("0.0.0.0/0".parse().unwrap());
        let v6 = RouteDestination::Ipv6("::/0".parse().unwrap());
        assert_eq!(
            run(&mut model, &mut ids, route(v4)).unwrap_err().code(),
            "InvalidParameterValue"
        );
        run(&mut model, &mut ids, route(v6.clone())).unwrap();
        assert_eq!(
            run(
                &mut model,
                &mut ids,
                Command::DeleteVpc {
                    vpc_id: vpc.id.clone()
                }
            )
            .unwrap_err()
            .code(),
            "DependencyViolation"
        );
        run(
            &mut model,
            &mut ids,
            Command::DeleteEgressOnlyInternetGateway {
                id: eigw.id.clone(),
            },
        )
        .unwrap();
        let t = model.main_route_table(&vpc.id).unwrap();
        let r = t.routes.iter().find(|r| r.destination == v6).unwrap();
        assert_eq!(model.route_state(t, r), RouteState::Blackhole);
        assert_eq!(
            run(
                &mut model,
                &mut ids,
                Command::DeleteEgressOnlyInternetGateway { id: eigw.id }
            )
            .unwrap_err()
            .code(),
            "InvalidGatewayID.NotFound"
        );
    }
}
