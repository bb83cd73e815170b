//! Amazon CloudWatch Logs (JSON 1.1, `Logs_20140328.<Operation>`, signing name `logs`): log
//! groups, log streams, their events, retention and tags — what `aws logs` and VPC flow logs
//! use.
//!
//! Bodies are decoded with serde into typed inputs (`json::read_body`; a body that is not
//! JSON is a `SerializationException`); member constraints AWS checks first (names, limits)
//! answer `InvalidParameterException` with AWS's "1 validation error detected" text; the rest
//! is the model's. Errors are `{"__type": code, "Message": message}` with HTTP 400.
//!
//! Reads hide events older than the group's retention at the backend's clock. Paging:
//! DescribeLogGroups/DescribeLogStreams tokens are offsets; GetLogEvents' tokens are
//! positions in the stream (`f/…` from an event on, `b/…` before one), so a forward token
//! at the end stays the same until new events arrive (the CLI stops on a repeated token);
//! FilterLogEvents' token is the last event returned.

use crate::{ApiError, ApiResponse, AwsRequest, Backend, RequestCtx};
use localvpc_model::{
    Command, FilterPattern, LogEvent, LogEvents, LogGroup, LogStream, LogsCommand, Model,
    PutLogEventsResult, StoredLogEvent, Timestamp, check_group_name, check_stream_name,
    logs_invalid, validation_error,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

type Body = Result<Value, ApiError>;

pub(crate) const OPERATIONS: &[&str] = &[
    "CreateLogGroup",
    "CreateLogStream",
    "DeleteLogGroup",
    "DeleteLogStream",
    "DeleteRetentionPolicy",
    "DescribeLogGroups",
    "DescribeLogStreams",
    "FilterLogEvents",
    "GetLogEvents",
    "ListTagsForResource",
    "ListTagsLogGroup",
    "PutLogEvents",
    "PutRetentionPolicy",
    "TagLogGroup",
    "TagResource",
    "UntagLogGroup",
    "UntagResource",
];

/// Serves one CloudWatch Logs request.
pub(crate) async fn serve<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    operation: &str,
    request: &AwsRequest<'_>,
) -> Result<ApiResponse, ApiError> {
    crate::service::ensure_scope(backend, &ctx.scope).await?;
    let op = Op {
        backend,
        ctx,
        body: request.body,
    };
    let body = dispatch(&op, operation).await?;
    Ok(ApiResponse::json(200, body.to_string()))
}

struct Op<'a, B> {
    backend: &'a B,
    ctx: &'a RequestCtx,
    body: &'a [u8],
}

impl<B: Backend> Op<'_, B> {
    fn input<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        Ok(crate::json::read_body::<T>(self.body)?.1)
    }

    async fn run(&self, command: LogsCommand) -> Body {
        self.backend
            .execute(self.ctx.scope.clone(), Command::Logs(command))
            .await?;
        Ok(json!({}))
    }

    fn snapshot(&self) -> Arc<Model> {
        self.backend.snapshot()
    }
}

async fn dispatch<B: Backend>(op: &Op<'_, B>, operation: &str) -> Body {
    match operation {
        "CreateLogGroup" => {
            let input: GroupInput = op.input()?;
            if input.kms_key_id.is_some() {
                return Err(ApiError::not_emulated(
                    "KMS encryption of log groups (kmsKeyId)",
                ));
            }
            if let Some(class) = input
                .log_group_class
                .as_deref()
                .filter(|c| *c != "STANDARD")
            {
                return Err(ApiError::not_emulated(format!(
                    "the log group class {class}"
                )));
            }
            op.run(LogsCommand::CreateLogGroup {
                log_group_name: required(input.log_group_name, "logGroupName")?,
                tags: input.tags.unwrap_or_default().into_iter().collect(),
            })
            .await
        }
        "DeleteLogGroup" => {
            let input: GroupInput = op.input()?;
            op.run(LogsCommand::DeleteLogGroup {
                log_group_name: required(input.log_group_name, "logGroupName")?,
            })
            .await
        }
        "PutRetentionPolicy" => {
            let input: GroupInput = op.input()?;
            let log_group_name = required(input.log_group_name, "logGroupName")?;
            let retention_in_days = input
                .retention_in_days
                .ok_or_else(|| null_member("retentionInDays"))?;
            op.run(LogsCommand::PutRetentionPolicy {
                log_group_name,
                retention_in_days,
            })
            .await
        }
        "DeleteRetentionPolicy" => {
            let input: GroupInput = op.input()?;
            op.run(LogsCommand::DeleteRetentionPolicy {
                log_group_name: required(input.log_group_name, "logGroupName")?,
            })
            .await
        }
        "CreateLogStream" | "DeleteLogStream" => {
            let input: StreamInput = op.input()?;
            let log_group_name = required(input.log_group_name, "logGroupName")?;
            let log_stream_name = required(input.log_stream_name, "logStreamName")?;
            op.run(if operation == "CreateLogStream" {
                LogsCommand::CreateLogStream {
                    log_group_name,
                    log_stream_name,
                }
            } else {
                LogsCommand::DeleteLogStream {
                    log_group_name,
                    log_stream_name,
                }
            })
            .await
        }
        "DescribeLogGroups" => describe_log_groups(op),
        "DescribeLogStreams" => describe_log_streams(op),
        "PutLogEvents" => put_log_events(op).await,
        "GetLogEvents" => get_log_events(op),
        "FilterLogEvents" => filter_log_events(op),
        "ListTagsLogGroup" => {
            let input: GroupInput = op.input()?;
            let name = required(input.log_group_name, "logGroupName")?;
            let model = op.snapshot();
            let group = model.log_group(&op.ctx.scope, &name)?;
            Ok(json!({ "tags": group.tags }))
        }
        "ListTagsForResource" => {
            let input: TagInput = op.input()?;
            let arn = required(input.resource_arn, "resourceArn")?;
            let model = op.snapshot();
            let group = model.log_group_by_arn(&op.ctx.scope, &arn)?;
            Ok(json!({ "tags": group.tags }))
        }
        "TagResource" => {
            let input: TagInput = op.input()?;
            op.run(LogsCommand::TagResource {
                resource_arn: required(input.resource_arn, "resourceArn")?,
                tags: required_tags(input.tags)?,
            })
            .await
        }
        "UntagResource" => {
            let input: TagInput = op.input()?;
            op.run(LogsCommand::UntagResource {
                resource_arn: required(input.resource_arn, "resourceArn")?,
                keys: input.tag_keys.ok_or_else(|| null_member("tagKeys"))?,
            })
            .await
        }
        "TagLogGroup" => {
            let input: GroupInput = op.input()?;
            op.run(LogsCommand::TagLogGroup {
                log_group_name: required(input.log_group_name, "logGroupName")?,
                tags: required_tags(input.tags)?,
            })
            .await
        }
        "UntagLogGroup" => {
            // UntagLogGroup's `tags` is a list of keys.
            let input: UntagLogGroupInput = op.input()?;
            op.run(LogsCommand::UntagLogGroup {
                log_group_name: required(input.log_group_name, "logGroupName")?,
                keys: input.tags.ok_or_else(|| null_member("tags"))?,
            })
            .await
        }
        other => Err(ApiError::internal(format!(
            "operation {other} is listed but not dispatched"
        ))),
    }
}

// === Inputs ===

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupInput {
    log_group_name: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    retention_in_days: Option<i64>,
    kms_key_id: Option<String>,
    log_group_class: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UntagLogGroupInput {
    log_group_name: Option<String>,
    tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StreamInput {
    log_group_name: Option<String>,
    log_stream_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagInput {
    resource_arn: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    tag_keys: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeLogGroupsInput {
    log_group_name_prefix: Option<String>,
    log_group_name_pattern: Option<String>,
    log_group_identifiers: Option<Vec<String>>,
    next_token: Option<String>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeLogStreamsInput {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name_prefix: Option<String>,
    order_by: Option<String>,
    descending: Option<bool>,
    next_token: Option<String>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutLogEventsInput {
    log_group_name: Option<String>,
    log_stream_name: Option<String>,
    log_events: Option<Vec<InputLogEvent>>,
}

#[derive(Deserialize)]
struct InputLogEvent {
    timestamp: Option<i64>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetLogEventsInput {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    next_token: Option<String>,
    limit: Option<i64>,
    start_from_head: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilterLogEventsInput {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_names: Option<Vec<String>>,
    log_stream_name_prefix: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    filter_pattern: Option<String>,
    next_token: Option<String>,
    limit: Option<i64>,
}

// === Member checks ===

/// AWS's text for a required member that is absent.
fn null_member(field: &str) -> ApiError {
    logs_invalid(format!(
        "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
    ))
    .into()
}

fn required(value: Option<String>, field: &str) -> Result<String, ApiError> {
    value.ok_or_else(|| null_member(field))
}

fn required_tags(
    tags: Option<BTreeMap<String, String>>,
) -> Result<Vec<(String, String)>, ApiError> {
    let tags = tags.ok_or_else(|| null_member("tags"))?;
    if tags.is_empty() {
        return Err(validation_error(
            "{}",
            "tags",
            "Member must have length greater than or equal to 1",
        )
        .into());
    }
    Ok(tags.into_iter().collect())
}

/// A `limit` within `1..=max`, or `default`.
fn limit(value: Option<i64>, max: i64, default: i64) -> Result<usize, ApiError> {
    let n = value.unwrap_or(default);
    let constraint = if n < 1 {
        "Member must have value greater than or equal to 1".to_owned()
    } else if n > max {
        format!("Member must have value less than or equal to {max}")
    } else {
        return Ok(usize::try_from(n).unwrap_or(usize::MAX));
    };
    Err(validation_error(&n.to_string(), "limit", &constraint).into())
}

fn bad_token() -> ApiError {
    logs_invalid("The specified nextToken is invalid.").into()
}

/// The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN), exactly one.
fn group_of<'m>(
    model: &'m Model,
    ctx: &RequestCtx,
    name: Option<&str>,
    identifier: Option<&str>,
) -> Result<&'m LogGroup, ApiError> {
    match (name, identifier) {
        (Some(_), Some(_)) => Err(logs_invalid(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
        )
        .into()),
        (None, None) => {
            Err(logs_invalid("Should provide either name or ARN of the log group.").into())
        }
        (Some(name), None) => {
            check_group_name(name, "logGroupName")?;
            Ok(model.log_group(&ctx.scope, name)?)
        }
        (None, Some(id)) if id.starts_with("arn:") => Ok(model.log_group_by_arn(&ctx.scope, id)?),
        (None, Some(id)) => {
            check_group_name(id, "logGroupIdentifier")?;
            Ok(model.log_group(&ctx.scope, id)?)
        }
    }
}

fn non_negative(value: Option<i64>, field: &str) -> Result<Option<u64>, ApiError> {
    value
        .map(|v| {
            u64::try_from(v).map_err(|_| {
                validation_error(
                    &v.to_string(),
                    field,
                    "Member must have value greater than or equal to 0",
                )
                .into()
            })
        })
        .transpose()
}

// === Groups and streams ===

fn group_json(model: &Model, g: &LogGroup, pattern_form: bool) -> Value {
    let mut out = Map::new();
    out.insert("logGroupName".into(), json!(g.name));
    out.insert("creationTime".into(), json!(g.creation_time.0));
    out.insert("arn".into(), json!(format!("{}:*", g.arn())));
    if !pattern_form {
        if let Some(days) = g.retention_in_days {
            out.insert("retentionInDays".into(), json!(days));
        }
        out.insert("metricFilterCount".into(), json!(0));
        out.insert("storedBytes".into(), json!(model.log_group_stored_bytes(g)));
        out.insert("logGroupClass".into(), json!("STANDARD"));
        out.insert("logGroupArn".into(), json!(g.arn()));
        out.insert("deletionProtectionEnabled".into(), json!(false));
    }
    Value::Object(out)
}

fn stream_json(s: &LogStream) -> Value {
    let mut out = Map::new();
    out.insert("logStreamName".into(), json!(s.name));
    out.insert("creationTime".into(), json!(s.creation_time.0));
    if let Some(t) = s.first_event_timestamp() {
        out.insert("firstEventTimestamp".into(), json!(t.0));
    }
    if let Some(t) = s.last_event_timestamp() {
        out.insert("lastEventTimestamp".into(), json!(t.0));
    }
    if let Some(t) = s.last_ingestion_time {
        out.insert("lastIngestionTime".into(), json!(t.0));
    }
    out.insert("uploadSequenceToken".into(), json!(s.sequence_token()));
    out.insert("arn".into(), json!(s.id.as_str()));
    out.insert("storedBytes".into(), json!(0));
    Value::Object(out)
}

/// One page of `items` from an offset token: the page and the next token.
fn page<T>(
    items: Vec<T>,
    token: Option<&str>,
    take: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match token {
        None => 0,
        Some(t) => t
            .strip_prefix("lvpc-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(bad_token)?,
    };
    let end = start.saturating_add(take).min(items.len());
    let next = (end < items.len()).then(|| format!("lvpc-{end}"));
    Ok((items.into_iter().skip(start).take(take).collect(), next))
}

fn with_token(mut body: Map<String, Value>, next: Option<String>) -> Value {
    if let Some(n) = next {
        body.insert("nextToken".into(), json!(n));
    }
    Value::Object(body)
}

fn describe_log_groups<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: DescribeLogGroupsInput = op.input()?;
    let take = limit(input.limit, 50, 50)?;
    let prefix = input.log_group_name_prefix.as_deref();
    let pattern = input.log_group_name_pattern.as_deref();
    if prefix.is_some() && pattern.is_some() {
        return Err(logs_invalid(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        )
        .into());
    }
    if let Some(p) = prefix {
        check_group_name(p, "logGroupNamePrefix")?;
    }
    let model = op.snapshot();
    let wanted: Option<Vec<String>> = input.log_group_identifiers.map(|ids| {
        ids.iter()
            .map(|id| {
                let bare = id.strip_suffix(":*").unwrap_or(id);
                bare.rsplit_once(":log-group:")
                    .map_or(bare, |(_, name)| name)
                    .to_owned()
            })
            .collect()
    });
    let groups: Vec<&LogGroup> = model
        .log_groups_in(&op.ctx.scope)
        .filter(|g| prefix.is_none_or(|p| g.name.starts_with(p)))
        .filter(|g| pattern.is_none_or(|p| g.name.contains(p)))
        .filter(|g| wanted.as_ref().is_none_or(|w| w.contains(&g.name)))
        .collect();
    let (groups, next) = page(groups, input.next_token.as_deref(), take)?;
    let items: Vec<Value> = groups
        .into_iter()
        .map(|g| group_json(&model, g, pattern.is_some()))
        .collect();
    let mut body = Map::new();
    body.insert("logGroups".into(), Value::Array(items));
    Ok(with_token(body, next))
}

fn describe_log_streams<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: DescribeLogStreamsInput = op.input()?;
    let take = limit(input.limit, 50, 50)?;
    let by_time = match input.order_by.as_deref() {
        None | Some("LogStreamName") => false,
        Some("LastEventTime") => true,
        Some(other) => {
            return Err(validation_error(
                other,
                "orderBy",
                "Member must satisfy enum value set: [LogStreamName, LastEventTime]",
            )
            .into());
        }
    };
    let prefix = input.log_stream_name_prefix.as_deref();
    if by_time && prefix.is_some() {
        return Err(
            logs_invalid("Cannot order by LastEventTime with a logStreamNamePrefix.").into(),
        );
    }
    let model = op.snapshot();
    let group = group_of(
        &model,
        op.ctx,
        input.log_group_name.as_deref(),
        input.log_group_identifier.as_deref(),
    )?;
    let mut streams: Vec<&LogStream> = model
        .log_streams_of(group)
        .filter(|s| prefix.is_none_or(|p| s.name.starts_with(p)))
        .collect();
    if by_time {
        // A stream without events sorts first, as one whose last event is at 0.
        streams.sort_by_key(|s| (s.last_event_timestamp().map_or(0, |t| t.0), s.name.clone()));
    }
    if input.descending == Some(true) {
        streams.reverse();
    }
    let (streams, next) = page(streams, input.next_token.as_deref(), take)?;
    let mut body = Map::new();
    body.insert(
        "logStreams".into(),
        Value::Array(streams.into_iter().map(stream_json).collect()),
    );
    Ok(with_token(body, next))
}

// === Events ===

async fn put_log_events<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: PutLogEventsInput = op.input()?;
    let log_group_name = required(input.log_group_name, "logGroupName")?;
    let log_stream_name = required(input.log_stream_name, "logStreamName")?;
    let raw = input.log_events.ok_or_else(|| null_member("logEvents"))?;
    let mut events = Vec::with_capacity(raw.len());
    for (i, e) in raw.into_iter().enumerate() {
        let at = |m: &str| format!("logEvents.{}.member.{m}", i + 1);
        let timestamp = e.timestamp.ok_or_else(|| null_member(&at("timestamp")))?;
        let timestamp = non_negative(Some(timestamp), &at("timestamp"))?.unwrap_or_default();
        let message = e.message.ok_or_else(|| null_member(&at("message")))?;
        events.push(LogEvent {
            timestamp: Timestamp(timestamp),
            message,
        });
    }
    let command = Command::Logs(LogsCommand::PutLogEvents {
        log_group_name,
        log_stream_name,
        events,
    });
    let result: PutLogEventsResult = crate::execute_as(op.backend, &op.ctx.scope, command).await?;
    let mut body = Map::new();
    body.insert(
        "nextSequenceToken".into(),
        json!(result.next_sequence_token),
    );
    let r = result.rejected;
    if !r.is_empty() {
        let mut info = Map::new();
        if let Some(i) = r.too_new_start {
            info.insert("tooNewLogEventStartIndex".into(), json!(i));
        }
        if let Some(i) = r.too_old_end {
            info.insert("tooOldLogEventEndIndex".into(), json!(i));
        }
        if let Some(i) = r.expired_end {
            info.insert("expiredLogEventEndIndex".into(), json!(i));
        }
        body.insert("rejectedLogEventsInfo".into(), Value::Object(info));
    }
    Ok(Value::Object(body))
}

/// The events of `stream` a read may see: from `start` (inclusive) to `end` (exclusive), and
/// not older than the group's retention at `now`. As indexes into the stream's events.
fn visible(
    events: &LogEvents<'_>,
    group: &LogGroup,
    now: Timestamp,
    start: Option<u64>,
    end: Option<u64>,
) -> (usize, usize) {
    let cutoff = group.retention_cutoff(now).map_or(0, |t| t.0);
    let from = start.unwrap_or(0).max(cutoff);
    let lo = events.position((from, 0));
    let hi = end.map_or(events.len(), |e| events.position((e, 0)));
    (lo, hi.max(lo))
}

/// A GetLogEvents position: `f/<key>/s` reads from the event with that key on, `b/<key>/s`
/// reads the events before it.
fn event_token(forward: bool, key: (u64, u64)) -> String {
    format!(
        "{}/{:020}{:020}/s",
        if forward { 'f' } else { 'b' },
        key.0,
        key.1
    )
}

fn parse_event_token(token: &str) -> Option<(bool, (u64, u64))> {
    let (forward, rest) = if let Some(r) = token.strip_prefix("f/") {
        (true, r)
    } else {
        (false, token.strip_prefix("b/")?)
    };
    let digits = rest.strip_suffix("/s")?;
    if digits.len() != 40 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ts = digits.get(..20)?.parse().ok()?;
    let seq = digits.get(20..)?.parse().ok()?;
    Some((forward, (ts, seq)))
}

fn event_after(e: &StoredLogEvent) -> (u64, u64) {
    (e.timestamp.0, e.seq + 1)
}

fn get_log_events<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: GetLogEventsInput = op.input()?;
    let take = limit(input.limit, 10_000, 10_000)?;
    let stream_name = required(input.log_stream_name, "logStreamName")?;
    check_stream_name(&stream_name, "logStreamName")?;
    let start = non_negative(input.start_time, "startTime")?;
    let end = non_negative(input.end_time, "endTime")?;
    let token = match input.next_token.as_deref() {
        None => None,
        Some(t) => Some(parse_event_token(t).ok_or_else(bad_token)?),
    };
    let model = op.snapshot();
    let group = group_of(
        &model,
        op.ctx,
        input.log_group_name.as_deref(),
        input.log_group_identifier.as_deref(),
    )?;
    let stream = model.log_stream(group, &stream_name)?;
    let all = model.log_events(stream);
    let (lo, hi) = visible(&all, group, op.backend.now(), start, end);
    let (from, to, given) = match token {
        Some((true, key)) => {
            let from = all.position(key).clamp(lo, hi);
            (from, from.saturating_add(take).min(hi), Some(key))
        }
        Some((false, key)) => {
            let to = all.position(key).clamp(lo, hi);
            (to.saturating_sub(take).max(lo), to, Some(key))
        }
        None if input.start_from_head == Some(true) => (lo, lo.saturating_add(take).min(hi), None),
        None => (hi.saturating_sub(take).max(lo), hi, None),
    };
    let events = all.slice(from, to);
    // Where a read with no events stands: the given token's key, else the range's edge.
    let edge = |at: usize| {
        given.unwrap_or_else(|| {
            all.get(at)
                .map(StoredLogEvent::key)
                .or_else(|| all.last().map(event_after))
                .unwrap_or((0, 0))
        })
    };
    let forward = events.last().map_or_else(|| edge(to), |e| event_after(e));
    let backward = events.first().map_or_else(|| edge(from), |e| e.key());
    let items: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "timestamp": e.timestamp.0,
                "message": e.message.as_str(),
                "ingestionTime": e.ingestion_time.0,
            })
        })
        .collect();
    Ok(json!({
        "events": items,
        "nextForwardToken": event_token(true, forward),
        "nextBackwardToken": event_token(false, backward),
    }))
}

/// A FilterLogEvents position: the (timestamp, stream, seq) of the last event returned.
type FilterKey<'a> = (u64, &'a str, u64);

fn filter_token(key: FilterKey<'_>) -> String {
    let hex: String = key.1.bytes().map(|b| format!("{b:02x}")).collect();
    format!("lvpc/{}/{}/{hex}", key.0, key.2)
}

fn parse_filter_token(token: &str) -> Option<(u64, String, u64)> {
    let mut parts = token.strip_prefix("lvpc/")?.splitn(3, '/');
    let ts = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let hex = parts.next()?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    Some((ts, String::from_utf8(bytes?).ok()?, seq))
}

/// An event id unique in its group: timestamp, stream and arrival, in digits.
fn event_id(stream: &str, e: &StoredLogEvent) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in stream.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:020}{:020}{:016}", e.timestamp.0, h, e.seq)
}

fn filter_log_events<B: Backend>(op: &Op<'_, B>) -> Body {
    let input: FilterLogEventsInput = op.input()?;
    let take = limit(input.limit, 10_000, 10_000)?;
    if input.log_stream_names.is_some() && input.log_stream_name_prefix.is_some() {
        return Err(logs_invalid(
            "You cannot specify both logStreamNames and logStreamNamePrefix.",
        )
        .into());
    }
    if let Some(names) = &input.log_stream_names
        && (names.is_empty() || names.len() > 100)
    {
        return Err(validation_error(
            &format!("{names:?}"),
            "logStreamNames",
            "Member must have length between 1 and 100",
        )
        .into());
    }
    let start = non_negative(input.start_time, "startTime")?;
    let end = non_negative(input.end_time, "endTime")?;
    let pattern = FilterPattern::parse(input.filter_pattern.as_deref().unwrap_or_default())?;
    let after = match input.next_token.as_deref() {
        None => None,
        Some(t) => Some(parse_filter_token(t).ok_or_else(bad_token)?),
    };
    let model = op.snapshot();
    let group = group_of(
        &model,
        op.ctx,
        input.log_group_name.as_deref(),
        input.log_group_identifier.as_deref(),
    )?;
    let now = op.backend.now();
    let prefix = input.log_stream_name_prefix.as_deref();
    let names = input.log_stream_names.as_ref();
    let mut found: Vec<(FilterKey<'_>, &StoredLogEvent)> = Vec::new();
    for stream in model
        .log_streams_of(group)
        .filter(|s| prefix.is_none_or(|p| s.name.starts_with(p)))
        .filter(|s| names.is_none_or(|n| n.contains(&s.name)))
    {
        let events = model.log_events(stream);
        let (lo, hi) = visible(&events, group, now, start, end);
        for &e in events.slice(lo, hi) {
            let key = (e.timestamp.0, stream.name.as_str(), e.seq);
            let past = after
                .as_ref()
                .is_none_or(|(ts, s, seq)| key > (*ts, s.as_str(), *seq));
            if past && pattern.matches(&e.message) {
                found.push((key, e));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let more = found.len() > take;
    found.truncate(take);
    let next = if more {
        found.last().map(|(k, _)| filter_token(*k))
    } else {
        None
    };
    let events: Vec<Value> = found
        .iter()
        .map(|((_, stream, _), e)| {
            json!({
                "logStreamName": stream,
                "timestamp": e.timestamp.0,
                "message": e.message.as_str(),
                "ingestionTime": e.ingestion_time.0,
                "eventId": event_id(stream, e),
            })
        })
        .collect();
    let mut body = Map::new();
    body.insert("events".into(), Value::Array(events));
    // Deprecated by AWS (May 2020): always empty.
    body.insert("searchedLogStreams".into(), json!([]));
    Ok(with_token(body, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Service;
    use crate::testing::{Fake, ME, OTHER};

    fn call_as(b: &Fake, account: &str, operation: &str, body: &Value) -> (u16, Value) {
        let target = format!("Logs_20140328.{operation}");
        crate::testing::call_json(Service::Logs, b, account, &target, &body.to_string())
    }

    fn ok(b: &Fake, operation: &str, body: Value) -> Value {
        let (status, answer) = call_as(b, ME, operation, &body);
        assert_eq!(status, 200, "{operation} {body}: {answer}");
        answer
    }

    /// The status, `__type` and message of a refused call.
    fn refused(b: &Fake, operation: &str, body: Value) -> (u16, String, String) {
        let (status, answer) = call_as(b, ME, operation, &body);
        assert_ne!(status, 200, "{operation} {body}: {answer}");
        (
            status,
            answer["__type"].as_str().unwrap().to_owned(),
            answer["Message"].as_str().unwrap().to_owned(),
        )
    }

    fn setup(b: &Fake) {
        ok(
            b,
            "CreateLogGroup",
            json!({"logGroupName": "g", "tags": {"team": "net"}}),
        );
        ok(
            b,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        );
    }

    /// Events at 1, 2, … (ms) with messages m1, m2, … (the fake's clock is at 0, so these
    /// are neither too old nor too new).
    fn put(b: &Fake, stream: &str, range: std::ops::RangeInclusive<u64>) {
        let events: Vec<Value> = range
            .map(|i| json!({"timestamp": i, "message": format!("m{i}")}))
            .collect();
        ok(
            b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": stream, "logEvents": events}),
        );
    }

    fn messages(answer: &Value) -> Vec<String> {
        answer["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn unknown_operations_and_bodies() {
        let b = Fake::default();
        let (status, code, _) = refused(&b, "CreateExportTask", json!({}));
        assert_eq!((status, code.as_str()), (400, "UnknownOperationException"));
        let target = "Logs_20140328.CreateLogGroup";
        let request = AwsRequest {
            method: "POST",
            path: "/",
            query: "",
            target,
            body: b"{not json",
        };
        let r = crate::testing::call(Service::Logs, &b, ME, &request);
        assert_eq!(r.status, 400);
        assert!(r.body.contains("SerializationException"), "{}", r.body);
        let (_, code, message) = refused(&b, "CreateLogGroup", json!({}));
        assert_eq!(code, "InvalidParameterException");
        assert!(
            message.contains("Value null at 'logGroupName'"),
            "{message}"
        );
        ok(
            &b,
            "CreateLogGroup",
            json!({"logGroupName": "std", "logGroupClass": "STANDARD"}),
        );
        for refused_input in [
            json!({"logGroupName": "ia", "logGroupClass": "INFREQUENT_ACCESS"}),
            json!({"logGroupName": "kms", "kmsKeyId": "arn:aws:kms:ap-northeast-1:111111111111:key/x"}),
        ] {
            let (_, code, _) = refused(&b, "CreateLogGroup", refused_input);
            assert_eq!(code, "UnsupportedOperation");
        }
    }

    #[test]
    fn groups_describe_with_prefix_pattern_limit_and_tokens() {
        let b = Fake::default();
        for name in ["/aws/vpc/a", "/aws/vpc/b", "/aws/lambda/c", "app"] {
            ok(&b, "CreateLogGroup", json!({"logGroupName": name}));
        }
        let (_, code, message) = refused(&b, "CreateLogGroup", json!({"logGroupName": "app"}));
        assert_eq!(code, "ResourceAlreadyExistsException");
        assert_eq!(message, "The specified log group already exists");
        let all = ok(&b, "DescribeLogGroups", json!({}));
        let g = &all["logGroups"][0];
        assert_eq!(g["logGroupName"], "/aws/lambda/c");
        assert_eq!(
            g["arn"],
            "arn:aws:logs:ap-northeast-1:111111111111:log-group:/aws/lambda/c:*"
        );
        assert_eq!(
            g["logGroupArn"],
            "arn:aws:logs:ap-northeast-1:111111111111:log-group:/aws/lambda/c"
        );
        assert_eq!(g["storedBytes"], 0);
        assert_eq!(g["metricFilterCount"], 0);
        assert_eq!(g["logGroupClass"], "STANDARD");
        assert!(g.get("retentionInDays").is_none());
        let vpc = ok(
            &b,
            "DescribeLogGroups",
            json!({"logGroupNamePrefix": "/aws/vpc/"}),
        );
        assert_eq!(vpc["logGroups"].as_array().unwrap().len(), 2);
        let pattern = ok(
            &b,
            "DescribeLogGroups",
            json!({"logGroupNamePattern": "vpc"}),
        );
        assert_eq!(pattern["logGroups"].as_array().unwrap().len(), 2);
        assert!(pattern["logGroups"][0].get("storedBytes").is_none());
        let (_, code, _) = refused(
            &b,
            "DescribeLogGroups",
            json!({"logGroupNamePattern": "vpc", "logGroupNamePrefix": "/"}),
        );
        assert_eq!(code, "InvalidParameterException");
        let first = ok(&b, "DescribeLogGroups", json!({"limit": 3}));
        assert_eq!(first["logGroups"].as_array().unwrap().len(), 3);
        let token = first["nextToken"].as_str().unwrap();
        let rest = ok(
            &b,
            "DescribeLogGroups",
            json!({"limit": 3, "nextToken": token}),
        );
        assert_eq!(rest["logGroups"][0]["logGroupName"], "app");
        assert!(rest.get("nextToken").is_none());
        for bad in [0, 51] {
            let (_, code, _) = refused(&b, "DescribeLogGroups", json!({"limit": bad}));
            assert_eq!(code, "InvalidParameterException");
        }
        let (_, code, _) = refused(&b, "DescribeLogGroups", json!({"nextToken": "junk"}));
        assert_eq!(code, "InvalidParameterException");
        // Another account sees none of them.
        let (status, theirs) = call_as(&b, OTHER, "DescribeLogGroups", &json!({}));
        assert_eq!(status, 200);
        assert_eq!(theirs["logGroups"], json!([]));
    }

    #[test]
    fn retention_and_deletion() {
        let b = Fake::default();
        setup(&b);
        let (_, code, message) = refused(
            &b,
            "PutRetentionPolicy",
            json!({"logGroupName": "g", "retentionInDays": 2}),
        );
        assert_eq!(code, "InvalidParameterException");
        assert!(message.contains("retentionInDays"), "{message}");
        ok(
            &b,
            "PutRetentionPolicy",
            json!({"logGroupName": "g", "retentionInDays": 30}),
        );
        let d = ok(&b, "DescribeLogGroups", json!({}));
        assert_eq!(d["logGroups"][0]["retentionInDays"], 30);
        ok(&b, "DeleteRetentionPolicy", json!({"logGroupName": "g"}));
        let d = ok(&b, "DescribeLogGroups", json!({}));
        assert!(d["logGroups"][0].get("retentionInDays").is_none());
        ok(
            &b,
            "DeleteLogStream",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        );
        let (_, code, message) = refused(
            &b,
            "DeleteLogStream",
            json!({"logGroupName": "g", "logStreamName": "s"}),
        );
        assert_eq!(code, "ResourceNotFoundException");
        assert_eq!(message, "The specified log stream does not exist.");
        ok(&b, "DeleteLogGroup", json!({"logGroupName": "g"}));
        let (status, code, message) = refused(&b, "DeleteLogGroup", json!({"logGroupName": "g"}));
        assert_eq!((status, code.as_str()), (400, "ResourceNotFoundException"));
        assert_eq!(message, "The specified log group does not exist.");
    }

    #[test]
    fn streams_describe_in_name_or_event_order() {
        let b = Fake::default();
        setup(&b);
        ok(
            &b,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "a"}),
        );
        ok(
            &b,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "b"}),
        );
        put(&b, "b", 1..=2);
        put(&b, "a", 5..=5);
        let d = ok(&b, "DescribeLogStreams", json!({"logGroupName": "g"}));
        let names: Vec<&str> = d["logStreams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["logStreamName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "b", "s"]);
        let a = &d["logStreams"][0];
        assert_eq!(a["firstEventTimestamp"], 5);
        assert_eq!(a["lastEventTimestamp"], 5);
        assert_eq!(a["storedBytes"], 0);
        assert_eq!(
            a["arn"],
            "arn:aws:logs:ap-northeast-1:111111111111:log-group:g:log-stream:a"
        );
        assert!(d["logStreams"][2].get("firstEventTimestamp").is_none());
        let d = ok(
            &b,
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "descending": true, "limit": 2}),
        );
        assert_eq!(d["logStreams"][0]["logStreamName"], "a");
        assert_eq!(d["logStreams"][1]["logStreamName"], "b");
        let token = d["nextToken"].as_str().unwrap();
        let d = ok(
            &b,
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "descending": true, "nextToken": token}),
        );
        assert_eq!(d["logStreams"][0]["logStreamName"], "s");
        let d = ok(
            &b,
            "DescribeLogStreams",
            json!({"logGroupIdentifier": "arn:aws:logs:ap-northeast-1:111111111111:log-group:g:*", "logStreamNamePrefix": "b"}),
        );
        assert_eq!(d["logStreams"].as_array().unwrap().len(), 1);
        let (_, code, _) = refused(
            &b,
            "DescribeLogStreams",
            json!({"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "b"}),
        );
        assert_eq!(code, "InvalidParameterException");
        let (_, code, _) = refused(&b, "DescribeLogStreams", json!({"logGroupName": "nope"}));
        assert_eq!(code, "ResourceNotFoundException");
        let (_, code, _) = refused(
            &b,
            "DescribeLogStreams",
            json!({"logGroupName": "g", "logGroupIdentifier": "g"}),
        );
        assert_eq!(code, "InvalidParameterException");
    }

    #[test]
    fn put_log_events_answers_tokens_and_rejections() {
        let b = Fake::default();
        setup(&b);
        let r = ok(
            &b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": 1, "message": "x"}]}),
        );
        assert_eq!(r["nextSequenceToken"].as_str().unwrap().len(), 56);
        assert!(r.get("rejectedLogEventsInfo").is_none());
        // The fake's clock is at 0: three hours on is too new.
        let r = ok(
            &b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
                {"timestamp": 2, "message": "y"}, {"timestamp": 10_800_000, "message": "z"}]}),
        );
        assert_eq!(
            r["rejectedLogEventsInfo"],
            json!({"tooNewLogEventStartIndex": 1})
        );
        let (_, code, message) = refused(
            &b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [
                {"timestamp": 5, "message": "y"}, {"timestamp": 4, "message": "z"}]}),
        );
        assert_eq!(code, "InvalidParameterException");
        assert!(message.contains("chronological"), "{message}");
        let (_, code, _) = refused(
            &b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [{"timestamp": -1, "message": "y"}]}),
        );
        assert_eq!(code, "InvalidParameterException");
        let (_, code, _) = refused(
            &b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "nope", "logEvents": [{"timestamp": 1, "message": "y"}]}),
        );
        assert_eq!(code, "ResourceNotFoundException");
    }

    #[test]
    fn get_log_events_pages_forward_and_backward_with_stable_tokens() {
        let b = Fake::default();
        setup(&b);
        put(&b, "s", 1..=5);
        let q = |extra: Value| {
            let mut body = json!({"logGroupName": "g", "logStreamName": "s"});
            if let (Some(o), Some(e)) = (body.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            ok(&b, "GetLogEvents", body)
        };
        // From the tail by default.
        let last = q(json!({"limit": 2}));
        assert_eq!(messages(&last), ["m4", "m5"]);
        assert_eq!(last["events"][0]["ingestionTime"], 0);
        let back = q(json!({"limit": 2, "nextToken": last["nextBackwardToken"]}));
        assert_eq!(messages(&back), ["m2", "m3"]);
        let back2 = q(json!({"limit": 2, "nextToken": back["nextBackwardToken"]}));
        assert_eq!(messages(&back2), ["m1"]);
        let back3 = q(json!({"limit": 2, "nextToken": back2["nextBackwardToken"]}));
        assert_eq!(messages(&back3), Vec::<String>::new());
        assert_eq!(back3["nextBackwardToken"], back2["nextBackwardToken"]);
        // From the head, page by page, until the forward token repeats.
        let mut seen = Vec::new();
        let mut token: Option<Value> = None;
        let mut answer = q(json!({"startFromHead": true, "limit": 2}));
        for _ in 0..10 {
            seen.extend(messages(&answer));
            let next = answer["nextForwardToken"].clone();
            if token.as_ref() == Some(&next) {
                break;
            }
            token = Some(next.clone());
            answer = q(json!({"startFromHead": true, "limit": 2, "nextToken": next}));
        }
        assert_eq!(seen, ["m1", "m2", "m3", "m4", "m5"]);
        // The tail's forward token picks up events that arrive later.
        let tail = last["nextForwardToken"].clone();
        assert_eq!(
            messages(&q(json!({"nextToken": tail.clone()}))),
            Vec::<String>::new()
        );
        put(&b, "s", 6..=6);
        assert_eq!(messages(&q(json!({"nextToken": tail}))), ["m6"]);
        // A time window: start inclusive, end exclusive.
        let w = q(json!({"startTime": 2, "endTime": 4, "startFromHead": true}));
        assert_eq!(messages(&w), ["m2", "m3"]);
        let (_, code, _) = refused(
            &b,
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "nextToken": "x"}),
        );
        assert_eq!(code, "InvalidParameterException");
        let (_, code, _) = refused(
            &b,
            "GetLogEvents",
            json!({"logGroupName": "g", "logStreamName": "nope"}),
        );
        assert_eq!(code, "ResourceNotFoundException");
    }

    #[test]
    fn filter_log_events_interleaves_streams_and_matches_patterns() {
        let b = Fake::default();
        setup(&b);
        ok(
            &b,
            "CreateLogStream",
            json!({"logGroupName": "g", "logStreamName": "t"}),
        );
        let flow = |ts: u64, port: u16, action: &str| {
            json!({"timestamp": ts, "message": format!(
                "2 111111111111 eni-0a 10.0.0.1 10.0.0.2 40000 {port} 6 1 40 1 2 {action} OK")})
        };
        ok(
            &b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "s", "logEvents": [flow(1, 22, "REJECT"), flow(3, 443, "ACCEPT")]}),
        );
        ok(
            &b,
            "PutLogEvents",
            json!({"logGroupName": "g", "logStreamName": "t", "logEvents": [flow(2, 22, "ACCEPT"), flow(4, 3389, "REJECT")]}),
        );
        let all = ok(&b, "FilterLogEvents", json!({"logGroupName": "g"}));
        let streams: Vec<&str> = all["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["logStreamName"].as_str().unwrap())
            .collect();
        assert_eq!(streams, ["s", "t", "s", "t"]);
        assert_eq!(all["searchedLogStreams"], json!([]));
        assert!(all.get("nextToken").is_none());
        let ids: std::collections::BTreeSet<&str> = all["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["eventId"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 4);
        let reject = "[version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, windowstart, windowend, action=\"REJECT\", flowlogstatus]";
        let r = ok(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": reject}),
        );
        assert_eq!(r["events"].as_array().unwrap().len(), 2);
        assert_eq!(r["events"][1]["timestamp"], 4);
        let ssh = ok(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "[..., destport=22, protocol, packets, bytes, windowstart, windowend, action, flowlogstatus]", "logStreamNames": ["t"]}),
        );
        assert_eq!(ssh["events"].as_array().unwrap().len(), 1);
        let terms = ok(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "ACCEPT -443", "startTime": 1, "endTime": 5}),
        );
        assert_eq!(terms["events"].as_array().unwrap().len(), 1);
        // Paging: two at a time, then the rest.
        let p1 = ok(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "g", "limit": 3}),
        );
        assert_eq!(p1["events"].as_array().unwrap().len(), 3);
        let p2 = ok(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "g", "limit": 3, "nextToken": p1["nextToken"]}),
        );
        assert_eq!(p2["events"].as_array().unwrap().len(), 1);
        assert_eq!(p2["events"][0]["timestamp"], 4);
        assert!(p2.get("nextToken").is_none());
        let (_, code, message) = refused(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "g", "filterPattern": "[a, b"}),
        );
        assert_eq!(code, "InvalidParameterException");
        assert_eq!(message, "Invalid filter pattern");
        let (_, code, _) = refused(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "g", "logStreamNames": ["s"], "logStreamNamePrefix": "s"}),
        );
        assert_eq!(code, "InvalidParameterException");
        let (_, code, _) = refused(&b, "FilterLogEvents", json!({"logGroupName": "nope"}));
        assert_eq!(code, "ResourceNotFoundException");
    }

    #[test]
    fn tags_by_arn_and_by_name() {
        let b = Fake::default();
        setup(&b);
        let arn = "arn:aws:logs:ap-northeast-1:111111111111:log-group:g";
        ok(
            &b,
            "TagResource",
            json!({"resourceArn": arn, "tags": {"env": "dev"}}),
        );
        let t = ok(&b, "ListTagsForResource", json!({"resourceArn": arn}));
        assert_eq!(t["tags"], json!({"env": "dev", "team": "net"}));
        ok(
            &b,
            "UntagResource",
            json!({"resourceArn": arn, "tagKeys": ["team"]}),
        );
        ok(
            &b,
            "TagLogGroup",
            json!({"logGroupName": "g", "tags": {"x": "1"}}),
        );
        ok(
            &b,
            "UntagLogGroup",
            json!({"logGroupName": "g", "tags": ["env"]}),
        );
        let t = ok(&b, "ListTagsLogGroup", json!({"logGroupName": "g"}));
        assert_eq!(t["tags"], json!({"x": "1"}));
        let (_, code, _) = refused(
            &b,
            "ListTagsForResource",
            json!({"resourceArn": "arn:aws:logs:ap-northeast-1:111111111111:log-group:nope"}),
        );
        assert_eq!(code, "ResourceNotFoundException");
        let (_, code, _) = refused(&b, "TagResource", json!({"resourceArn": arn, "tags": {}}));
        assert_eq!(code, "InvalidParameterException");
    }

    #[test]
    fn delivered_events_read_back_like_put_ones() {
        // The AWS-side writer (VPC flow logs) goes through the backend, not the API.
        let b = Fake::default();
        let scope = localvpc_model::Scope::new(
            localvpc_model::AccountId::parse(ME).unwrap(),
            "ap-northeast-1",
        );
        let deliver = |events: Vec<LogEvent>| {
            let command = Command::Logs(LogsCommand::Deliver {
                log_group_name: "/vpc/flows".into(),
                log_stream_name: "eni-0123456789abcdef0-all".into(),
                events,
            });
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(b.execute(scope.clone(), command))
                .unwrap();
        };
        let ev = |t: u64, m: &str| LogEvent {
            timestamp: Timestamp(t),
            message: m.into(),
        };
        ok(&b, "DescribeLogGroups", json!({}));
        deliver(vec![ev(2, "second REJECT"), ev(1, "first ACCEPT")]);
        deliver(vec![ev(3, "third REJECT")]);
        let got = ok(
            &b,
            "GetLogEvents",
            json!({"logGroupName": "/vpc/flows", "logStreamName": "eni-0123456789abcdef0-all", "startFromHead": true}),
        );
        assert_eq!(
            messages(&got),
            ["first ACCEPT", "second REJECT", "third REJECT"]
        );
        let found = ok(
            &b,
            "FilterLogEvents",
            json!({"logGroupName": "/vpc/flows", "filterPattern": "REJECT"}),
        );
        assert_eq!(messages(&found), ["second REJECT", "third REJECT"]);
        let groups = ok(&b, "DescribeLogGroups", json!({}));
        assert_eq!(groups["logGroups"][0]["logGroupName"], "/vpc/flows");
    }

    #[test]
    fn tokens_round_trip() {
        assert_eq!(
            parse_event_token(&event_token(true, (12, 3))),
            Some((true, (12, 3)))
        );
        assert_eq!(
            parse_event_token(&event_token(false, (u64::MAX, 0))),
            Some((false, (u64::MAX, 0)))
        );
        assert_eq!(parse_event_token("f/12/s"), None);
        let t = filter_token((5, "eni-1 all", 9));
        assert_eq!(parse_filter_token(&t), Some((5, "eni-1 all".to_owned(), 9)));
        assert_eq!(parse_filter_token("lvpc/1/2/zz"), None);
    }
}
