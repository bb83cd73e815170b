//! VPC flow logs: which interfaces' traffic is captured (a VPC's, a subnet's or one
//! interface), which of it (ACCEPT, REJECT, ALL), where records go and in what format.
//! The records themselves are made by the data plane from its decisions; this module owns
//! the resource, the record format (`LogFormat`: the default version 2 fields or a custom
//! list of v2–v5 fields) and how one record is rendered.

use crate::ec2::network_interface::NetworkInterface;
use crate::ec2::subnet::Subnet;
use crate::ec2::tags::{TagSpecification, Tags, tags_for};
use crate::ec2::vpc::Vpc;
use crate::error::ModelError;
use crate::id::{FlowLogId, NetworkInterfaceId, SubnetId, Timestamp, VpcId};
use crate::resource::{Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// What a flow log is created for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowLogResourceType {
    Vpc,
    Subnet,
    NetworkInterface,
}

impl FlowLogResourceType {
    /// `VPC`, `Subnet`, `NetworkInterface` (the wire's `ResourceType`).
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        match s {
            "VPC" => Ok(Self::Vpc),
            "Subnet" => Ok(Self::Subnet),
            "NetworkInterface" => Ok(Self::NetworkInterface),
            "TransitGateway" | "TransitGatewayAttachment" | "RegionalNatGateway" => {
                Err(ModelError::NotEmulated {
                    what: format!("flow logs for resource type {s}"),
                })
            }
            _ => Err(ModelError::invalid_value(format!(
                "Value ({s}) for parameter resourceType is invalid. Valid values: VPC, Subnet, \
                 NetworkInterface, TransitGateway, TransitGatewayAttachment"
            ))),
        }
    }
}

/// Which traffic a flow log captures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrafficType {
    Accept,
    Reject,
    All,
}

impl TrafficType {
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        match s {
            "ACCEPT" => Ok(Self::Accept),
            "REJECT" => Ok(Self::Reject),
            "ALL" => Ok(Self::All),
            _ => Err(ModelError::invalid_value(format!(
                "Value ({s}) for parameter trafficType is invalid. Valid values: ACCEPT, REJECT, ALL"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "ACCEPT",
            Self::Reject => "REJECT",
            Self::All => "ALL",
        }
    }

    /// Whether a record with this action is captured.
    pub fn captures(self, action: FlowAction) -> bool {
        matches!(
            (self, action),
            (Self::All, _)
                | (Self::Accept, FlowAction::Accept)
                | (Self::Reject, FlowAction::Reject)
        )
    }
}

/// Where records go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowLogDestination {
    /// A CloudWatch Logs log group (created on first delivery when missing, as AWS does),
    /// one stream per interface.
    CloudWatchLogs {
        log_group_name: String,
        deliver_logs_permission_arn: Option<String>,
    },
    /// An S3 bucket ARN (with an optional folder).
    S3 { arn: String },
    /// A Kinesis Data Firehose delivery stream ARN.
    Firehose { arn: String },
}

impl FlowLogDestination {
    /// The destination's ARN (a log group's in the flow log's scope).
    pub fn arn(&self, scope: &Scope) -> String {
        match self {
            Self::CloudWatchLogs { log_group_name, .. } => format!(
                "arn:aws:logs:{}:{}:log-group:{log_group_name}",
                scope.region, scope.account
            ),
            Self::S3 { arn } | Self::Firehose { arn } => arn.clone(),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Self::CloudWatchLogs { .. } => "cloud-watch-logs",
            Self::S3 { .. } => "s3",
            Self::Firehose { .. } => "kinesis-data-firehose",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLog {
    pub id: FlowLogId,
    pub scope: Scope,
    pub resource_type: FlowLogResourceType,
    /// The VPC, subnet or interface id.
    pub resource_id: String,
    pub traffic_type: TrafficType,
    pub destination: FlowLogDestination,
    pub log_format: LogFormat,
    /// 60 or 600 seconds.
    pub max_aggregation_interval: u32,
    pub creation_time: Timestamp,
    pub tags: Tags,
}

impl FlowLog {
    /// The `logDestination` ARN DescribeFlowLogs shows.
    pub fn destination_arn(&self) -> String {
        self.destination.arn(&self.scope)
    }

    /// Whether the flow log watches an interface in this subnet and VPC.
    pub fn covers(&self, interface: &NetworkInterfaceId, subnet: &SubnetId, vpc: &VpcId) -> bool {
        match self.resource_type {
            FlowLogResourceType::Vpc => self.resource_id == vpc.as_str(),
            FlowLogResourceType::Subnet => self.resource_id == subnet.as_str(),
            FlowLogResourceType::NetworkInterface => self.resource_id == interface.as_str(),
        }
    }
}

/// `CreateFlowLogs`, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateFlowLogs {
    pub resource_type: FlowLogResourceType,
    pub resource_ids: Vec<String>,
    pub traffic_type: Option<TrafficType>,
    /// `LogDestinationType` (default `cloud-watch-logs`).
    pub log_destination_type: Option<String>,
    pub log_destination: Option<String>,
    pub log_group_name: Option<String>,
    pub deliver_logs_permission_arn: Option<String>,
    pub log_format: Option<String>,
    pub max_aggregation_interval: Option<i64>,
    pub tag_specifications: Vec<TagSpecification>,
}

/// A resource a batch operation could not act on: (id, error code, message), EC2's
/// `UnsuccessfulItem`.
pub type Unsuccessful = (String, &'static str, String);

/// CloudWatch Logs' log group name rule: 1–512 of `[.\-_/#A-Za-z0-9]`.
fn valid_log_group_name(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_/#".contains(&b))
}

impl Txn<'_, '_> {
    pub(crate) fn create_flow_logs(
        &mut self,
        input: &CreateFlowLogs,
    ) -> Result<(Vec<FlowLog>, Vec<Unsuccessful>), ModelError> {
        let destination = self.flow_log_destination(input)?;
        let traffic_type = input
            .traffic_type
            .ok_or_else(|| ModelError::MissingParameter {
                message: "The request must contain the parameter TrafficType".into(),
            })?;
        let interval = match input.max_aggregation_interval {
            None => 600,
            Some(v @ (60 | 600)) => v as u32,
            Some(v) => {
                return Err(ModelError::InvalidParameter {
                    message: format!(
                        "Invalid Flow Log Max Aggregation Interval ({v}): the only values are 60 \
                         and 600 seconds"
                    ),
                });
            }
        };
        let log_format = match &input.log_format {
            None => LogFormat::default(),
            Some(text) => LogFormat::parse(text)?,
        };
        let mut created = Vec::new();
        let mut unsuccessful = Vec::new();
        for resource_id in &input.resource_ids {
            if let Err(e) = self.flow_log_resource_exists(input.resource_type, resource_id) {
                unsuccessful.push((resource_id.clone(), e.code(), e.to_string()));
                continue;
            }
            let duplicate = self.model.in_scope::<FlowLog>(self.ctx.scope).any(|f| {
                &f.resource_id == resource_id
                    && f.traffic_type == traffic_type
                    && f.destination_arn() == destination.arn(self.ctx.scope)
            });
            if duplicate {
                unsuccessful.push((
                    resource_id.clone(),
                    "FlowLogAlreadyExists",
                    "Error. There is an existing Flow Log with the same configuration and log \
                     destination."
                        .into(),
                ));
                continue;
            }
            let id = FlowLogId::generate(self.ctx.ids);
            let tags = tags_for(&input.tag_specifications, "vpc-flow-log", id.as_str())?;
            let flow_log = FlowLog {
                id,
                scope: self.ctx.scope.clone(),
                resource_type: input.resource_type,
                resource_id: resource_id.clone(),
                traffic_type,
                destination: destination.clone(),
                log_format: log_format.clone(),
                max_aggregation_interval: interval,
                creation_time: self.ctx.now,
                tags,
            };
            self.put(Resource::FlowLog(flow_log.clone()));
            created.push(flow_log);
        }
        Ok((created, unsuccessful))
    }

    /// The destination the parameters name, checked as EC2 checks them.
    fn flow_log_destination(
        &self,
        input: &CreateFlowLogs,
    ) -> Result<FlowLogDestination, ModelError> {
        let kind = input
            .log_destination_type
            .as_deref()
            .unwrap_or("cloud-watch-logs");
        match kind {
            "cloud-watch-logs" => {
                let name = match (&input.log_group_name, &input.log_destination) {
                    (Some(_), Some(_)) => {
                        return Err(ModelError::InvalidParameter {
                            message: "Please only provide LogGroupName or only provide \
                                      LogDestination."
                                .into(),
                        });
                    }
                    (Some(name), None) => name.clone(),
                    (None, Some(arn)) => self.log_group_of_arn(arn)?,
                    (None, None) => {
                        return Err(ModelError::InvalidParameter {
                            message: "LogDestination and LogGroupName can't both be empty if \
                                      LogDestinationType is cloud-watch-logs."
                                .into(),
                        });
                    }
                };
                if !valid_log_group_name(&name) {
                    return Err(ModelError::InvalidParameter {
                        message: format!(
                            "Invalid log group name {name}: 1 to 512 characters of a-z, A-Z, \
                             0-9, '_', '-', '/', '.' and '#'"
                        ),
                    });
                }
                if input.deliver_logs_permission_arn.is_none() {
                    return Err(ModelError::InvalidParameter {
                        message: "DeliverLogsPermissionArn can't be empty if \
                                  LogDestinationType is cloud-watch-logs."
                            .into(),
                    });
                }
                Ok(FlowLogDestination::CloudWatchLogs {
                    log_group_name: name,
                    deliver_logs_permission_arn: input.deliver_logs_permission_arn.clone(),
                })
            }
            "s3" | "kinesis-data-firehose" => {
                if input.log_group_name.is_some() {
                    return Err(ModelError::InvalidParameter {
                        message: format!(
                            "LogGroupName can't be specified if LogDestinationType is {kind}."
                        ),
                    });
                }
                let Some(arn) = input.log_destination.clone() else {
                    return Err(ModelError::InvalidParameter {
                        message: format!(
                            "LogDestination can't be empty if LogDestinationType is {kind}."
                        ),
                    });
                };
                let service = if kind == "s3" { "s3" } else { "firehose" };
                if !arn.starts_with(&format!("arn:aws:{service}:")) {
                    return Err(ModelError::InvalidParameter {
                        message: format!("LogDestination: {arn} is not a valid {kind} ARN."),
                    });
                }
                Ok(if kind == "s3" {
                    FlowLogDestination::S3 { arn }
                } else {
                    FlowLogDestination::Firehose { arn }
                })
            }
            other => Err(ModelError::invalid_value(format!(
                "Value ({other}) for parameter logDestinationType is invalid. Valid values: \
                 cloud-watch-logs, s3, kinesis-data-firehose"
            ))),
        }
    }

    /// The log group an `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` names; it must be
    /// this scope's.
    fn log_group_of_arn(&self, arn: &str) -> Result<String, ModelError> {
        let bad = || ModelError::InvalidParameter {
            message: format!("LogDestination: {arn} is not a valid CloudWatch Logs log group ARN."),
        };
        let rest = arn.strip_prefix("arn:aws:logs:").ok_or_else(bad)?;
        let mut parts = rest.splitn(3, ':');
        let (region, account, tail) = (
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
        );
        let name = tail.strip_prefix("log-group:").ok_or_else(bad)?;
        let name = name.strip_suffix(":*").unwrap_or(name);
        if region != self.ctx.scope.region || account != self.ctx.scope.account.as_str() {
            return Err(ModelError::NotEmulated {
                what: format!(
                    "flow logs delivered to a log group of another account or region ({arn})"
                ),
            });
        }
        Ok(name.to_owned())
    }

    fn flow_log_resource_exists(
        &self,
        kind: FlowLogResourceType,
        id: &str,
    ) -> Result<(), ModelError> {
        let scope = self.ctx.scope;
        match kind {
            FlowLogResourceType::Vpc => self.model.get::<Vpc>(scope, &VpcId::parse(id)?).map(drop),
            FlowLogResourceType::Subnet => self
                .model
                .get::<Subnet>(scope, &SubnetId::parse(id)?)
                .map(drop),
            FlowLogResourceType::NetworkInterface => self
                .model
                .get::<NetworkInterface>(scope, &NetworkInterfaceId::parse(id)?)
                .map(drop),
        }
    }

    /// Deletes the flow logs that exist; the others are answered per id, as EC2 does.
    pub(crate) fn delete_flow_logs(&mut self, ids: &[String]) -> Vec<Unsuccessful> {
        let mut unsuccessful = Vec::new();
        for raw in ids {
            let found = FlowLogId::parse(raw)
                .ok()
                .filter(|id| self.model.get::<FlowLog>(self.ctx.scope, id).is_ok());
            match found {
                Some(id) => self.delete(ResourceRef::FlowLog(id)),
                None => unsuccessful.push((
                    raw.clone(),
                    "InvalidFlowLogId.NotFound",
                    format!(
                        "These flow log ids in the input list are not found: [TotalCount: 1] {raw}"
                    ),
                )),
            }
        }
        unsuccessful
    }
}

/// One field of a flow log record, with the version that introduced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowLogField {
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcAddr,
    PktDstAddr,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
}

impl FlowLogField {
    const ALL: [Self; 29] = [
        Self::Version,
        Self::AccountId,
        Self::InterfaceId,
        Self::SrcAddr,
        Self::DstAddr,
        Self::SrcPort,
        Self::DstPort,
        Self::Protocol,
        Self::Packets,
        Self::Bytes,
        Self::Start,
        Self::End,
        Self::Action,
        Self::LogStatus,
        Self::VpcId,
        Self::SubnetId,
        Self::InstanceId,
        Self::TcpFlags,
        Self::Type,
        Self::PktSrcAddr,
        Self::PktDstAddr,
        Self::Region,
        Self::AzId,
        Self::SublocationType,
        Self::SublocationId,
        Self::PktSrcAwsService,
        Self::PktDstAwsService,
        Self::FlowDirection,
        Self::TrafficPath,
    ];

    /// The name inside `${…}`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::AccountId => "account-id",
            Self::InterfaceId => "interface-id",
            Self::SrcAddr => "srcaddr",
            Self::DstAddr => "dstaddr",
            Self::SrcPort => "srcport",
            Self::DstPort => "dstport",
            Self::Protocol => "protocol",
            Self::Packets => "packets",
            Self::Bytes => "bytes",
            Self::Start => "start",
            Self::End => "end",
            Self::Action => "action",
            Self::LogStatus => "log-status",
            Self::VpcId => "vpc-id",
            Self::SubnetId => "subnet-id",
            Self::InstanceId => "instance-id",
            Self::TcpFlags => "tcp-flags",
            Self::Type => "type",
            Self::PktSrcAddr => "pkt-srcaddr",
            Self::PktDstAddr => "pkt-dstaddr",
            Self::Region => "region",
            Self::AzId => "az-id",
            Self::SublocationType => "sublocation-type",
            Self::SublocationId => "sublocation-id",
            Self::PktSrcAwsService => "pkt-src-aws-service",
            Self::PktDstAwsService => "pkt-dst-aws-service",
            Self::FlowDirection => "flow-direction",
            Self::TrafficPath => "traffic-path",
        }
    }

    /// The flow logs version that introduced the field.
    pub fn version(self) -> u8 {
        match self {
            Self::Version
            | Self::AccountId
            | Self::InterfaceId
            | Self::SrcAddr
            | Self::DstAddr
            | Self::SrcPort
            | Self::DstPort
            | Self::Protocol
            | Self::Packets
            | Self::Bytes
            | Self::Start
            | Self::End
            | Self::Action
            | Self::LogStatus => 2,
            Self::VpcId
            | Self::SubnetId
            | Self::InstanceId
            | Self::TcpFlags
            | Self::Type
            | Self::PktSrcAddr
            | Self::PktDstAddr => 3,
            Self::Region | Self::AzId | Self::SublocationType | Self::SublocationId => 4,
            Self::PktSrcAwsService
            | Self::PktDstAwsService
            | Self::FlowDirection
            | Self::TrafficPath => 5,
        }
    }

    fn of_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A record format: the fields in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFormat {
    pub fields: Vec<FlowLogField>,
}

impl Default for LogFormat {
    /// The default format: the version 2 fields in table order.
    fn default() -> Self {
        Self {
            fields: FlowLogField::ALL[..14].to_vec(),
        }
    }
}

impl LogFormat {
    /// `${version} ${srcaddr} …`: fields separated by spaces, at least one.
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let bad = |detail: String| ModelError::InvalidParameter {
            message: format!("LogFormat {text:?} is invalid: {detail}"),
        };
        let mut fields = Vec::new();
        for token in text.split_whitespace() {
            let name = token
                .strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .ok_or_else(|| bad(format!("{token} is not of the form ${{field}}")))?;
            let field =
                FlowLogField::of_name(name).ok_or_else(|| bad(format!("unknown field {token}")))?;
            fields.push(field);
        }
        if fields.is_empty() {
            return Err(bad("it names no field".into()));
        }
        Ok(Self { fields })
    }

    /// The format as DescribeFlowLogs shows it.
    pub fn text(&self) -> String {
        self.fields
            .iter()
            .map(|f| format!("${{{}}}", f.name()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The record version: the highest version among the fields.
    pub fn version(&self) -> u8 {
        self.fields.iter().map(|f| f.version()).max().unwrap_or(2)
    }

    /// One record in this format: values separated by single spaces, `-` where a field does
    /// not apply.
    pub fn render(&self, r: &FlowLogRecord) -> String {
        let mut out = String::new();
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            let port = |p: Option<u16>| p.map_or("-".into(), |p| p.to_string());
            let value = match field {
                FlowLogField::Version => self.version().to_string(),
                FlowLogField::AccountId => r.account_id.clone(),
                FlowLogField::InterfaceId => r.interface_id.clone(),
                FlowLogField::SrcAddr => r.srcaddr.clone(),
                FlowLogField::DstAddr => r.dstaddr.clone(),
                FlowLogField::SrcPort => port(r.srcport),
                FlowLogField::DstPort => port(r.dstport),
                FlowLogField::Protocol => r.protocol.to_string(),
                FlowLogField::Packets => r.packets.to_string(),
                FlowLogField::Bytes => r.bytes.to_string(),
                FlowLogField::Start => r.start.to_string(),
                FlowLogField::End => r.end.to_string(),
                FlowLogField::Action => r.action.as_str().to_owned(),
                FlowLogField::LogStatus => "OK".to_owned(),
                FlowLogField::VpcId => r.vpc_id.clone(),
                FlowLogField::SubnetId => r.subnet_id.clone(),
                FlowLogField::InstanceId => dash(&r.instance_id),
                FlowLogField::TcpFlags => r.tcp_flags.to_string(),
                FlowLogField::Type => r.ip_type.to_owned(),
                FlowLogField::PktSrcAddr => r.pkt_srcaddr.clone(),
                FlowLogField::PktDstAddr => r.pkt_dstaddr.clone(),
                FlowLogField::Region => r.region.clone(),
                FlowLogField::AzId => r.az_id.clone(),
                FlowLogField::SublocationType | FlowLogField::SublocationId => "-".to_owned(),
                FlowLogField::PktSrcAwsService => dash(&r.pkt_src_aws_service),
                FlowLogField::PktDstAwsService => dash(&r.pkt_dst_aws_service),
                FlowLogField::FlowDirection => r.flow_direction.as_str().to_owned(),
                FlowLogField::TrafficPath => r.traffic_path.map_or("-".into(), |p| p.to_string()),
            };
            let _ = write!(out, "{value}");
        }
        out
    }
}

/// ACCEPT or REJECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowAction {
    Accept,
    Reject,
}

impl FlowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "ACCEPT",
            Self::Reject => "REJECT",
        }
    }
}

/// Which way a record's packets crossed its interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowDirection {
    Ingress,
    Egress,
}

impl FlowDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }
}

/// The values of one flow log record (one direction of one flow at one interface).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLogRecord {
    pub account_id: String,
    pub interface_id: String,
    pub srcaddr: String,
    pub dstaddr: String,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    pub protocol: u8,
    pub packets: u64,
    pub bytes: u64,
    /// Unix seconds.
    pub start: u64,
    pub end: u64,
    pub action: FlowAction,
    pub vpc_id: String,
    pub subnet_id: String,
    pub instance_id: Option<String>,
    pub tcp_flags: u8,
    /// `IPv4` or `IPv6`.
    pub ip_type: &'static str,
    pub pkt_srcaddr: String,
    pub pkt_dstaddr: String,
    pub region: String,
    pub az_id: String,
    pub pkt_src_aws_service: Option<String>,
    pub pkt_dst_aws_service: Option<String>,
    pub flow_direction: FlowDirection,
    pub traffic_path: Option<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Outcome};
    use crate::testing::Harness;

    fn create(resource_ids: Vec<String>, traffic: &str) -> CreateFlowLogs {
        CreateFlowLogs {
            resource_type: FlowLogResourceType::Vpc,
            resource_ids,
            traffic_type: Some(TrafficType::parse(traffic).unwrap()),
            log_destination_type: None,
            log_destination: None,
            log_group_name: Some("vpc-flow".into()),
            deliver_logs_permission_arn: Some("arn:aws:iam::000000000000:role/flow".into()),
            log_format: None,
            max_aggregation_interval: None,
            tag_specifications: Vec::new(),
        }
    }

    #[test]
    fn created_per_resource_with_unsuccessful_items_for_the_rest() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let missing = "vpc-0123456789abcdef0".to_owned();
        let Ok(Outcome::FlowLogs(made, unsuccessful)) = h.run(Command::CreateFlowLogs(create(
            vec![vpc.id.to_string(), missing.clone()],
            "ALL",
        ))) else {
            panic!("no flow logs")
        };
        assert_eq!(made.len(), 1);
        assert_eq!(made[0].max_aggregation_interval, 600);
        assert_eq!(made[0].log_format, LogFormat::default());
        assert_eq!(unsuccessful.len(), 1);
        assert_eq!(unsuccessful[0].0, missing);
        assert_eq!(unsuccessful[0].1, "InvalidVpcID.NotFound");
        // The same configuration again is refused per resource.
        let Ok(Outcome::FlowLogs(again, unsuccessful)) = h.run(Command::CreateFlowLogs(create(
            vec![vpc.id.to_string()],
            "ALL",
        ))) else {
            panic!()
        };
        assert!(again.is_empty());
        assert_eq!(unsuccessful[0].1, "FlowLogAlreadyExists");
        // Another traffic type is another flow log.
        assert!(matches!(
            h.run(Command::CreateFlowLogs(create(vec![vpc.id.to_string()], "REJECT"))),
            Ok(Outcome::FlowLogs(v, _)) if v.len() == 1
        ));
        let Ok(Outcome::Unsuccessful(left)) = h.run(Command::DeleteFlowLogs {
            ids: vec![made[0].id.to_string(), "fl-0123456789abcdef0".into()],
        }) else {
            panic!()
        };
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].1, "InvalidFlowLogId.NotFound");
        assert!(h.model.any::<FlowLog>(&made[0].id).is_none());
    }

    #[test]
    fn parameters_are_checked_as_ec2_checks_them() {
        let mut h = Harness::new(false);
        let vpc = h.vpc("10.0.0.0/16");
        let base = create(vec![vpc.id.to_string()], "ACCEPT");
        let code = |h: &mut Harness, c: CreateFlowLogs| {
            h.run(Command::CreateFlowLogs(c)).unwrap_err().code()
        };
        let mut c = base.clone();
        c.deliver_logs_permission_arn = None;
        assert_eq!(code(&mut h, c), "InvalidParameter");
        let mut c = base.clone();
        c.max_aggregation_interval = Some(300);
        assert_eq!(code(&mut h, c), "InvalidParameter");
        let mut c = base.clone();
        c.log_format = Some("${version} ${bogus}".into());
        assert_eq!(code(&mut h, c), "InvalidParameter");
        let mut c = base.clone();
        c.log_group_name = None;
        assert_eq!(code(&mut h, c), "InvalidParameter");
        let mut c = base.clone();
        c.log_destination_type = Some("s3".into());
        assert_eq!(code(&mut h, c), "InvalidParameter");
        let mut c = base.clone();
        c.traffic_type = None;
        assert_eq!(code(&mut h, c), "MissingParameter");
        // A log group ARN names the group.
        let mut c = base.clone();
        c.log_group_name = None;
        c.log_destination = Some("arn:aws:logs:ap-northeast-1:000000000000:log-group:lg:*".into());
        let Ok(Outcome::FlowLogs(made, _)) = h.run(Command::CreateFlowLogs(c)) else {
            panic!()
        };
        assert_eq!(
            made[0].destination,
            FlowLogDestination::CloudWatchLogs {
                log_group_name: "lg".into(),
                deliver_logs_permission_arn: base.deliver_logs_permission_arn.clone()
            }
        );
    }

    #[test]
    fn records_render_in_the_chosen_format() {
        let record = FlowLogRecord {
            account_id: "123456789010".into(),
            interface_id: "eni-1235b8ca123456789".into(),
            srcaddr: "172.31.16.139".into(),
            dstaddr: "172.31.16.21".into(),
            srcport: Some(20641),
            dstport: Some(22),
            protocol: 6,
            packets: 20,
            bytes: 4249,
            start: 1418530010,
            end: 1418530070,
            action: FlowAction::Accept,
            vpc_id: "vpc-1".into(),
            subnet_id: "subnet-1".into(),
            instance_id: None,
            tcp_flags: 19,
            ip_type: "IPv4",
            pkt_srcaddr: "172.31.16.139".into(),
            pkt_dstaddr: "172.31.16.21".into(),
            region: "ap-northeast-1".into(),
            az_id: "apne1-az4".into(),
            pkt_src_aws_service: None,
            pkt_dst_aws_service: None,
            flow_direction: FlowDirection::Egress,
            traffic_path: None,
        };
        assert_eq!(
            LogFormat::default().render(&record),
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 \
             1418530010 1418530070 ACCEPT OK"
        );
        let custom =
            LogFormat::parse("${srcaddr}  ${instance-id} ${flow-direction} ${version}").unwrap();
        assert_eq!(custom.render(&record), "172.31.16.139 - egress 5");
        assert_eq!(
            custom.text(),
            "${srcaddr} ${instance-id} ${flow-direction} ${version}"
        );
        assert_eq!(
            LogFormat::default().text(),
            "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} \
             ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
        );
    }
}
