//! The unit tests' harness, one for every resource's tests: a model in one scope, each
//! command run and its changes replayed onto the model before it, which must give the same
//! state (what a restart does).

use crate::catalog::Catalog;
use crate::command::{Command, Outcome};
use crate::ec2::network_interface::{CreateNetworkInterface, NetworkInterface};
use crate::ec2::subnet::{CreateSubnet, Subnet};
use crate::ec2::vpc::{CreateVpc, Vpc};
use crate::error::ModelError;
use crate::id::{SequentialIds, SubnetId, Timestamp, VpcId};
use crate::resource::Model;
use crate::scope::{AccountId, Scope};
use crate::txn::Ctx;

pub(crate) struct Harness {
    pub(crate) model: Model,
    pub(crate) ids: SequentialIds,
    pub(crate) catalog: Catalog,
    pub(crate) scope: Scope,
    /// The clock the commands see.
    pub(crate) now: Timestamp,
}

impl Harness {
    /// A transit gateway with default options ("hub") and its default association table.
    pub(crate) fn transit_gateway(
        &mut self,
    ) -> (crate::TransitGateway, crate::TransitGatewayRouteTableId) {
        let Ok(Outcome::TransitGateway(tgw)) = self.run(Command::CreateTransitGateway {
            description: "hub".into(),
            options: crate::TransitGatewayOptions::default(),
            tag_specifications: vec![],
        }) else {
            panic!("CreateTransitGateway")
        };
        let rtb = tgw
            .options
            .association_default_route_table_id
            .clone()
            .expect("a default association table");
        (tgw, rtb)
    }

    /// The default account in ap-northeast-1, with or without its default VPC, at time 0.
    pub(crate) fn new(default_vpc: bool) -> Self {
        let mut h = Self {
            model: Model::default(),
            ids: SequentialIds::default(),
            catalog: Catalog::default(),
            scope: Scope::new(AccountId::default_account(), "ap-northeast-1"),
            now: Timestamp(0),
        };
        h.run(Command::EnsureScope { default_vpc }).unwrap();
        h
    }

    /// The same, with the clock at `now`.
    pub(crate) fn at(mut self, now: Timestamp) -> Self {
        self.now = now;
        self
    }

    pub(crate) fn run(&mut self, command: Command) -> Result<Outcome, ModelError> {
        let mut ctx = Ctx {
            scope: &self.scope,
            now: self.now,
            ids: &mut self.ids,
            catalog: &self.catalog,
        };
        let (next, outcome, changes) = self.model.execute(&command, &mut ctx)?;
        let mut replayed = self.model.clone();
        for c in &changes {
            replayed.apply_change(c);
        }
        assert_eq!(replayed, next);
        self.model = next;
        Ok(outcome)
    }

    pub(crate) fn vpc(&mut self, cidr: &str) -> Vpc {
        let cmd = Command::CreateVpc(CreateVpc {
            cidr_block: Some(cidr.into()),
            ..CreateVpc::default()
        });
        match self.run(cmd) {
            Ok(Outcome::Vpc(v)) => v,
            o => panic!("{o:?}"),
        }
    }

    pub(crate) fn subnet(
        &mut self,
        vpc: &VpcId,
        cidr: &str,
        az: &str,
    ) -> Result<Subnet, ModelError> {
        let cmd = Command::CreateSubnet(CreateSubnet {
            vpc_id: vpc.clone(),
            cidr_block: Some(cidr.into()),
            availability_zone: Some(az.into()),
            availability_zone_id: None,
            ipv6_cidr_block: None,
            ipv6_native: false,
            tag_specifications: Vec::new(),
        });
        self.run(cmd).map(|o| match o {
            Outcome::Subnet(s) => s,
            o => panic!("{o:?}"),
        })
    }

    /// An interface with an automatic address in `subnet`.
    pub(crate) fn eni(&mut self, subnet: &SubnetId) -> NetworkInterface {
        self.eni_with(CreateNetworkInterface {
            subnet_id: Some(subnet.clone()),
            ..CreateNetworkInterface::default()
        })
        .unwrap()
    }

    pub(crate) fn eni_with(
        &mut self,
        input: CreateNetworkInterface,
    ) -> Result<NetworkInterface, ModelError> {
        self.run(Command::CreateNetworkInterface(input))
            .map(|o| match o {
                Outcome::NetworkInterface(e) => e,
                o => panic!("{o:?}"),
            })
    }
}

/// Creates a security group named `name` in `vpc`.
pub(crate) fn sg(
    h: &mut Harness,
    vpc: &Vpc,
    name: &str,
) -> Result<crate::SecurityGroup, ModelError> {
    let cmd = Command::CreateSecurityGroup(crate::CreateSecurityGroup {
        vpc_id: Some(vpc.id.clone()),
        group_name: name.into(),
        description: "d".into(),
        tag_specifications: Vec::new(),
    });
    h.run(cmd).map(|o| match o {
        Outcome::SecurityGroup(g) => g,
        o => panic!("{o:?}"),
    })
}

/// A TCP permission for one port from one IPv4 block.
pub(crate) fn tcp(port: i32, cidr: &str) -> crate::IpPermission {
    crate::IpPermission {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        ipv4_ranges: vec![(cidr.into(), None)],
        ..crate::IpPermission::default()
    }
}
