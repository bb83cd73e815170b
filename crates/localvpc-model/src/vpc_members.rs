//! Which stored resources belong to a VPC, for the model's per-VPC membership index
//! (`Model::vpc_members`): a kind that lives in a VPC, or is attached to one, says which.

use crate::ec2::dhcp::DhcpOptions;
use crate::ec2::egress_only_internet_gateway::EgressOnlyInternetGateway;
use crate::ec2::elastic_ip::ElasticIp;
use crate::ec2::endpoint_service::{ConnectionNotification, VpcEndpointServiceConfiguration};
use crate::ec2::instance::Instance;
use crate::ec2::internet_gateway::InternetGateway;
use crate::ec2::nat_gateway::{NatGateway, NatGatewayState};
use crate::ec2::network_acl::NetworkAcl;
use crate::ec2::network_insights::{NetworkInsightsAnalysis, NetworkInsightsPath};
use crate::ec2::network_interface::NetworkInterface;
use crate::ec2::prefix_list::ManagedPrefixList;
use crate::ec2::route_table::RouteTable;
use crate::ec2::security_group::SecurityGroup;
use crate::ec2::subnet::Subnet;
use crate::ec2::subnet_cidr_reservation::SubnetCidrReservation;
use crate::ec2::transit_gateway::{
    TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable,
};
use crate::ec2::vpc::Vpc;
use crate::ec2::vpc_endpoint::VpcEndpoint;
use crate::ec2::vpc_peering::VpcPeeringConnection;
use crate::ec2::vpn::{CustomerGateway, VpnConnection, VpnGateway};
use crate::elbv2::{Listener, LoadBalancer, TargetGroup};
use crate::id::VpcId;
use crate::resource::InVpc;
use crate::route53::{HostedZone, HostedZoneChange};
use crate::route53resolver::{
    ResolverConfig, ResolverDnssecConfig, ResolverEndpoint, ResolverQueryLogConfig,
    ResolverQueryLogConfigAssociation, ResolverRule, ResolverRuleAssociation,
};

macro_rules! in_vpc {
    ($( $ty:ty => |$r:ident| $body:expr; )*) => {
        $( impl InVpc for $ty {
            fn vpc_member(&self) -> Option<(&VpcId, &str)> {
                let $r = self;
                $body
            }
        } )*
    };
}

in_vpc! {
    Subnet => |r| Some((&r.vpc_id, r.id.as_str()));
    SubnetCidrReservation => |r| Some((&r.vpc_id, r.id.as_str()));
    RouteTable => |r| Some((&r.vpc_id, r.id.as_str()));
    NetworkAcl => |r| Some((&r.vpc_id, r.id.as_str()));
    SecurityGroup => |r| Some((&r.vpc_id, r.id.as_str()));
    InternetGateway => |r| r.attached_vpc.as_ref().map(|v| (v, r.id.as_str()));
    EgressOnlyInternetGateway => |r| Some((&r.vpc_id, r.id.as_str()));
    NetworkInterface => |r| Some((&r.vpc_id, r.id.as_str()));
    NatGateway => |r| (r.state != NatGatewayState::Deleted).then_some((&r.vpc_id, r.id.as_str()));
    Instance => |r| Some((&r.vpc_id, r.id.as_str()));
    VpnGateway => |r| r.attached_vpc.as_ref().filter(|_| !r.deleted).map(|v| (v, r.id.as_str()));
    VpcEndpoint => |r| Some((&r.vpc_id, r.id.as_str()));
    TransitGatewayAttachment => |r| r.vpc_id.as_ref().map(|v| (v, r.id.as_str()));
}

impl InVpc for DhcpOptions {}
impl InVpc for crate::s3::Bucket {}
impl InVpc for crate::s3::S3Object {}
impl InVpc for crate::s3::MultipartUpload {}
impl InVpc for Vpc {}
impl InVpc for VpcPeeringConnection {}
impl InVpc for ElasticIp {}
impl InVpc for TransitGateway {}
impl InVpc for TransitGatewayRouteTable {}
impl InVpc for CustomerGateway {}
impl InVpc for VpnConnection {}
impl InVpc for ManagedPrefixList {}
impl InVpc for VpcEndpointServiceConfiguration {}
impl InVpc for ConnectionNotification {}
impl InVpc for LoadBalancer {}
impl InVpc for TargetGroup {}
impl InVpc for Listener {}
impl InVpc for HostedZone {}
impl InVpc for HostedZoneChange {}
impl InVpc for crate::route53::health_check::HealthCheck {}
impl InVpc for crate::route53::delegation_set::ReusableDelegationSet {}
impl InVpc for ResolverEndpoint {}
impl InVpc for crate::logs::LogGroup {}
impl InVpc for crate::logs::LogStream {}
impl InVpc for crate::logs::LogChunk {}
impl InVpc for ResolverRule {}
impl InVpc for ResolverRuleAssociation {}
impl InVpc for ResolverQueryLogConfig {}
impl InVpc for ResolverQueryLogConfigAssociation {}
impl InVpc for ResolverConfig {}
impl InVpc for ResolverDnssecConfig {}
impl InVpc for NetworkInsightsPath {}
impl InVpc for NetworkInsightsAnalysis {}
// A flow log does not keep its VPC, subnet or interface from being deleted.
impl InVpc for crate::ec2::flow_log::FlowLog {}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::command::{Command, Outcome};
    use crate::ec2::subnet::CreateSubnet;
    use crate::ec2::vpc::CreateVpc;
    use crate::id::{ResourceKind, SequentialIds, Timestamp};
    use crate::resource::{Change, Model};
    use crate::scope::{AccountId, Scope};
    use crate::txn::Ctx;

    /// The index kept write by write equals the index of a model rebuilt from its resources.
    fn rebuilt(model: &Model) -> Model {
        let mut fresh = Model::default();
        for r in model.resources() {
            fresh.apply_change(&Change::Put(r));
        }
        fresh
    }

    #[test]
    fn membership_follows_creates_attachments_and_deletes() {
        let scope = Scope::new(AccountId::default_account(), "ap-northeast-1");
        let catalog = Catalog::default();
        let mut ids = SequentialIds::default();
        let mut model = Model::default();
        let mut run = |model: &mut Model, command: Command| -> Outcome {
            let mut ctx = Ctx {
                scope: &scope,
                now: Timestamp(0),
                ids: &mut ids,
                catalog: &catalog,
            };
            let (next, outcome, _) = model.execute(&command, &mut ctx).unwrap();
            *model = next;
            outcome
        };
        run(&mut model, Command::EnsureScope { default_vpc: true });
        let Outcome::Vpc(vpc) = run(
            &mut model,
            Command::CreateVpc(CreateVpc {
                cidr_block: Some("10.0.0.0/16".into()),
                ..CreateVpc::default()
            }),
        ) else {
            panic!()
        };
        let Outcome::Subnet(subnet) = run(
            &mut model,
            Command::CreateSubnet(CreateSubnet {
                vpc_id: vpc.id.clone(),
                cidr_block: Some("10.0.1.0/24".into()),
                availability_zone: Some("ap-northeast-1a".into()),
                availability_zone_id: None,
                ipv6_cidr_block: None,
                ipv6_native: false,
                tag_specifications: Vec::new(),
            }),
        ) else {
            panic!()
        };
        let Outcome::InternetGateway(igw) = run(
            &mut model,
            Command::CreateInternetGateway {
                tag_specifications: Vec::new(),
            },
        ) else {
            panic!()
        };
        run(
            &mut model,
            Command::AttachInternetGateway {
                internet_gateway_id: igw.id.clone(),
                vpc_id: vpc.id.clone(),
            },
        );
        assert_eq!(model, rebuilt(&model));
        // Snapshots are written from borrowed views: the same JSON as the owned resources.
        let views: Vec<_> = model.resource_views().collect();
        assert_eq!(views.len(), model.resources().len());
        assert_eq!(
            serde_json::to_string(&views).unwrap(),
            serde_json::to_string(&model.resources()).unwrap()
        );
        let members = |m: &Model, kind| m.vpc_members(&vpc.id, kind).count();
        assert_eq!(members(&model, ResourceKind::Subnet), 1);
        assert_eq!(members(&model, ResourceKind::InternetGateway), 1);
        assert_eq!(members(&model, ResourceKind::RouteTable), 1);
        run(
            &mut model,
            Command::DetachInternetGateway {
                internet_gateway_id: igw.id.clone(),
                vpc_id: vpc.id.clone(),
            },
        );
        run(
            &mut model,
            Command::DeleteSubnet {
                subnet_id: subnet.id.clone(),
            },
        );
        assert_eq!(members(&model, ResourceKind::InternetGateway), 0);
        assert_eq!(members(&model, ResourceKind::Subnet), 0);
        run(
            &mut model,
            Command::DeleteVpc {
                vpc_id: vpc.id.clone(),
            },
        );
        assert_eq!(
            model.vpc_members(&vpc.id, ResourceKind::RouteTable).count(),
            0
        );
        assert_eq!(model, rebuilt(&model));
    }
}
