//! Create/Delete/DescribeFlowLogs.

use super::filter::Bounds;
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{
    Command, CreateFlowLogs, FlowLog, FlowLogDestination, FlowLogId, FlowLogResourceType,
    TrafficType, Unsuccessful,
};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;

/// DescribeFlowLogs' filters (EC2 API reference), tags besides.
const FILTERS: &[&str] = &[
    "deliver-log-status",
    "log-destination-type",
    "flow-log-id",
    "log-group-name",
    "resource-id",
    "traffic-type",
];

/// `MaxResults`: AWS documents no bounds; EC2's usual 5–1000 apply (docs/aws-choices.md).
const BOUNDS: Bounds = Bounds { min: 5, max: 1000 };

/// Delivery to S3 (its key layout and gzip) and to Firehose is not built yet
/// (docs/aws-choices.md).
fn delivery_failure(f: &FlowLog) -> Option<&'static str> {
    match f.destination {
        FlowLogDestination::CloudWatchLogs { .. } => None,
        FlowLogDestination::S3 { .. } => Some(
            "localvpc does not deliver flow log records to S3 yet: records for this flow log are \
             not delivered",
        ),
        FlowLogDestination::Firehose { .. } => Some(
            "localvpc does not serve Amazon Data Firehose: records for this flow log are not delivered",
        ),
    }
}

fn write_flow_log(w: &mut XmlWriter, f: &FlowLog) {
    w.leaf("creationTime", &iso8601_millis(f.creation_time.0));
    match delivery_failure(f) {
        None => {
            w.leaf("deliverLogsStatus", "SUCCESS");
        }
        Some(message) => {
            w.leaf("deliverLogsErrorMessage", message)
                .leaf("deliverLogsStatus", "FAILED");
        }
    }
    if let FlowLogDestination::CloudWatchLogs {
        log_group_name,
        deliver_logs_permission_arn,
    } = &f.destination
    {
        w.leaf_opt(
            "deliverLogsPermissionArn",
            deliver_logs_permission_arn.as_deref(),
        );
        w.leaf("logGroupName", log_group_name);
    }
    w.leaf("flowLogId", f.id.as_str())
        .leaf("flowLogStatus", "ACTIVE")
        .leaf("resourceId", &f.resource_id)
        .leaf("trafficType", f.traffic_type.as_str())
        .leaf("logDestinationType", f.destination.type_name())
        .leaf("logDestination", &f.destination_arn())
        .leaf("logFormat", &f.log_format.text())
        .leaf(
            "maxAggregationInterval",
            &f.max_aggregation_interval.to_string(),
        );
    super::tags::write_tag_set(w, &f.tags);
}

pub(super) async fn create<B: Backend>(op: &Op<'_, B>) -> Body {
    let p = &op.params;
    let resource_type = FlowLogResourceType::parse(p.required("ResourceType")?)?;
    let resource_ids = owned(p.list("ResourceId"));
    if resource_ids.is_empty() {
        return Err(ApiError::missing("ResourceId"));
    }
    let input = CreateFlowLogs {
        resource_type,
        resource_ids,
        traffic_type: p.opt("TrafficType").map(TrafficType::parse).transpose()?,
        log_destination_type: p.opt("LogDestinationType").map(str::to_owned),
        log_destination: p.opt("LogDestination").map(str::to_owned),
        log_group_name: p.opt("LogGroupName").map(str::to_owned),
        deliver_logs_permission_arn: p.opt("DeliverLogsPermissionArn").map(str::to_owned),
        log_format: p.opt("LogFormat").map(str::to_owned),
        max_aggregation_interval: p.int("MaxAggregationInterval")?,
        tag_specifications: p.tag_specifications()?,
    };
    let (made, failed): (Vec<FlowLog>, Vec<Unsuccessful>) =
        op.run_as(Command::CreateFlowLogs(input)).await?;
    op.respond(|w| {
        w.leaf_opt("clientToken", p.opt("ClientToken"));
        w.list("flowLogIdSet", &made, |w, f| {
            w.text(f.id.as_str());
        });
        super::write_unsuccessful(w, &failed);
    })
}

pub(super) async fn delete<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = owned(op.params.list("FlowLogId"));
    if ids.is_empty() {
        return Err(ApiError::missing("FlowLogId"));
    }
    let failed: Vec<Unsuccessful> = op.run_as(Command::DeleteFlowLogs { ids }).await?;
    op.respond(|w| {
        super::write_unsuccessful(w, &failed);
    })
}

/// A list parameter's values, owned (flow log and resource ids are checked by the model,
/// which answers unknown and malformed ones per id).
fn owned(values: Vec<&str>) -> Vec<String> {
    values.into_iter().map(str::to_owned).collect()
}

fn filter_values(f: &FlowLog, name: &str) -> Vec<String> {
    match name {
        "deliver-log-status" => vec![
            if delivery_failure(f).is_some() {
                "FAILED"
            } else {
                "SUCCESS"
            }
            .to_owned(),
        ],
        "log-destination-type" => vec![f.destination.type_name().to_owned()],
        "flow-log-id" => vec![f.id.to_string()],
        "log-group-name" => match &f.destination {
            FlowLogDestination::CloudWatchLogs { log_group_name, .. } => {
                vec![log_group_name.clone()]
            }
            _ => Vec::new(),
        },
        "resource-id" => vec![f.resource_id.clone()],
        "traffic-type" => vec![f.traffic_type.as_str().to_owned()],
        _ => Vec::new(),
    }
}

/// Unknown flow log ids are left out rather than refused: DescribeFlowLogs answers an
/// empty set for them (Terraform reads a deleted flow log that way).
pub(super) fn describe<B: Backend>(op: &Op<'_, B>) -> Body {
    let ids = owned(op.params.list("FlowLogId"));
    super::describe::Describe::<B, FlowLogId>::with_ids(op, Vec::new())
        .filters(FILTERS, true)?
        .paged(&BOUNDS)?
        .of::<FlowLog>()
        .keep(move |f| ids.is_empty() || ids.iter().any(|i| i == f.id.as_str()))
        .answer("flowLogSet", filter_values, write_flow_log)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        Fake, ME, OTHER, all, dry_run, error, missing_parameter, new_subnet, new_vpc, ok,
        unknown_filter,
    };

    const ROLE: &str = "DeliverLogsPermissionArn=arn:aws:iam::000000000000:role/flow";

    #[test]
    fn create_flow_logs() {
        let b = Fake::default();
        let v = new_vpc(&b);
        missing_parameter(&b, "Action=CreateFlowLogs&ResourceType=VPC");
        missing_parameter(&b, &format!("Action=CreateFlowLogs&ResourceId.1={v}"));
        let create = format!(
            "Action=CreateFlowLogs&ResourceType=VPC&ResourceId.1={v}&TrafficType=ALL&\
             LogGroupName=flows&{ROLE}"
        );
        dry_run(&b, &create);
        assert_eq!(
            error(
                &b,
                ME,
                &create.replace("TrafficType=ALL", "TrafficType=SOME")
            ),
            "InvalidParameterValue"
        );
        assert_eq!(
            error(
                &b,
                ME,
                &create.replace("ResourceType=VPC", "ResourceType=TransitGateway")
            ),
            "UnsupportedOperation"
        );
        assert_eq!(
            error(&b, ME, &format!("{create}&MaxAggregationInterval=120")),
            "InvalidParameter"
        );
        // Another account's VPC is an unsuccessful item, not an error.
        let body = ok(&b, OTHER, &create);
        assert!(all(&body, "flowLogIdSet").is_empty() || !body.contains("<flowLogIdSet><item>"));
        assert_eq!(all(&body, "code"), ["InvalidVpcID.NotFound"]);
        let body = ok(&b, ME, &format!("{create}&ClientToken=t-1"));
        assert_eq!(all(&body, "clientToken"), ["t-1"]);
        assert!(body.contains("<flowLogIdSet><item>fl-"), "{body}");
        assert!(body.contains("<unsuccessful/>"), "{body}");
        let again = ok(&b, ME, &create);
        assert_eq!(all(&again, "code"), ["FlowLogAlreadyExists"]);
    }

    #[test]
    fn describe_and_delete_flow_logs() {
        let b = Fake::default();
        let s = new_subnet(&b);
        let create = format!(
            "Action=CreateFlowLogs&ResourceType=Subnet&ResourceId.1={s}&TrafficType=REJECT&\
             LogGroupName=flows&{ROLE}&MaxAggregationInterval=60&\
             LogFormat=%24%7Bsrcaddr%7D%20%24%7Baction%7D&\
             TagSpecification.1.ResourceType=vpc-flow-log&TagSpecification.1.Tag.1.Key=Name&\
             TagSpecification.1.Tag.1.Value=rejects"
        );
        let body = ok(&b, ME, &create);
        let id = body
            .split("<flowLogIdSet><item>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_owned();
        let described = ok(&b, ME, "Action=DescribeFlowLogs");
        assert_eq!(all(&described, "flowLogId"), [id.as_str()]);
        assert_eq!(all(&described, "resourceId"), [s.as_str()]);
        assert_eq!(all(&described, "trafficType"), ["REJECT"]);
        assert_eq!(all(&described, "logFormat"), ["${srcaddr} ${action}"]);
        assert_eq!(all(&described, "maxAggregationInterval"), ["60"]);
        assert_eq!(all(&described, "deliverLogsStatus"), ["SUCCESS"]);
        assert_eq!(
            all(&described, "logDestination"),
            ["arn:aws:logs:ap-northeast-1:111111111111:log-group:flows"]
        );
        assert_eq!(all(&described, "value"), ["rejects"]);
        for (filter, hits) in [
            ("resource-id", 1),
            ("traffic-type", 0),
            ("log-group-name", 0),
            ("tag:Name", 0),
        ] {
            let value = match filter {
                "resource-id" => s.as_str(),
                _ => "nope",
            };
            let q =
                format!("Action=DescribeFlowLogs&Filter.1.Name={filter}&Filter.1.Value.1={value}");
            assert_eq!(all(&ok(&b, ME, &q), "flowLogId").len(), hits, "{filter}");
        }
        unknown_filter(&b, "Action=DescribeFlowLogs");
        assert!(all(&ok(&b, OTHER, "Action=DescribeFlowLogs"), "flowLogId").is_empty());
        // Unknown ids are left out.
        let q = "Action=DescribeFlowLogs&FlowLogId.1=fl-0123456789abcdef0";
        assert!(all(&ok(&b, ME, q), "flowLogId").is_empty());
        missing_parameter(&b, "Action=DeleteFlowLogs");
        let body = ok(
            &b,
            ME,
            &format!("Action=DeleteFlowLogs&FlowLogId.1={id}&FlowLogId.2=fl-0123456789abcdef0"),
        );
        assert_eq!(all(&body, "code"), ["InvalidFlowLogId.NotFound"]);
        assert_eq!(all(&body, "resourceId"), ["fl-0123456789abcdef0"]);
        assert!(all(&ok(&b, ME, "Action=DescribeFlowLogs"), "flowLogId").is_empty());
    }
}
