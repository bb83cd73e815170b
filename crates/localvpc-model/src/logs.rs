//! Amazon CloudWatch Logs: log groups, their log streams and the streams' events, as the
//! `logs` API (`Logs_20140328`) and the AWS-side delivery of VPC flow logs use them.
//!
//! A log group and each of its streams are stored kinds of their own, keyed by ARN (which
//! holds the account, the region and the names, so a scope's groups and a group's streams are
//! contiguous ranges of their maps). A stream's events are stored in chunks of at most
//! [`CHUNK_EVENTS`] (a stored kind too, keyed by the stream's ARN and the chunk's number),
//! each a persistent vector in timestamp order: an append stores the stream's counters and the
//! open chunk, not every event of the stream, and copies a path of the chunk's vector. Reads
//! put the chunks together ([`Model::log_events`]). Each stream keeps its newest
//! [`MAX_EVENTS_PER_STREAM`] events (whole chunks are dropped, oldest first, while at least
//! that many remain) and each group at most [`MAX_STREAMS_PER_GROUP`] streams
//! (docs/aws-choices.md, "CloudWatch Logs").
//!
//! Filter patterns (FilterLogEvents) are parsed and evaluated by [`pattern`].

pub(crate) mod pattern;

use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{ResourceKind, Timestamp};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::Scope;
use crate::txn::Txn;
use imbl::Vector;
use serde::{Deserialize, Serialize};
use smol_str::{SmolStr, format_smolstr};
use std::fmt;

/// A stream keeps at least its newest this many events (and fewer than this plus one chunk):
/// older ones are dropped a chunk at a time.
pub const MAX_EVENTS_PER_STREAM: usize = 10_000;
/// The events of one stored chunk: what one append stores at most, besides the stream.
pub const CHUNK_EVENTS: usize = 256;
/// A group holds at most this many streams (`LimitExceededException` beyond).
pub const MAX_STREAMS_PER_GROUP: usize = 1_000;
/// The retention values PutRetentionPolicy accepts, in days.
pub const RETENTION_DAYS: [i64; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
/// The most events one PutLogEvents call may carry.
pub const MAX_BATCH_EVENTS: usize = 10_000;
/// The most bytes one PutLogEvents call may carry: messages in UTF-8 plus 26 per event.
pub const MAX_BATCH_BYTES: u64 = 1_048_576;

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;
/// What AWS adds to each event's UTF-8 length when it counts bytes.
const EVENT_OVERHEAD: u64 = 26;

/// CloudWatch Logs' JSON error types (all HTTP 400).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogsErrorCode {
    InvalidParameter,
    ResourceAlreadyExists,
    ResourceNotFound,
    LimitExceeded,
    TooManyTags,
}

impl LogsErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidParameter => "InvalidParameterException",
            Self::ResourceAlreadyExists => "ResourceAlreadyExistsException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::LimitExceeded => "LimitExceededException",
            Self::TooManyTags => "TooManyTagsException",
        }
    }
}

pub(crate) fn logs_error(code: LogsErrorCode, message: impl Into<String>) -> ModelError {
    ModelError::Logs {
        code,
        message: message.into(),
    }
}

/// An `InvalidParameterException` with AWS's text.
pub fn logs_invalid(message: impl Into<String>) -> ModelError {
    logs_error(LogsErrorCode::InvalidParameter, message)
}

/// AWS's one-violation validation text, as CloudWatch Logs words it.
pub fn validation_error(value: &str, field: &str, constraint: &str) -> ModelError {
    logs_invalid(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

fn group_not_found() -> ModelError {
    logs_error(
        LogsErrorCode::ResourceNotFound,
        "The specified log group does not exist.",
    )
}

fn stream_not_found() -> ModelError {
    logs_error(
        LogsErrorCode::ResourceNotFound,
        "The specified log stream does not exist.",
    )
}

macro_rules! arn_key {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $not_found:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SmolStr);

        impl $name {
            pub const KIND: ResourceKind = $kind;

            /// Any text: the key is built by the model, never parsed from a request.
            pub fn parse(s: &str) -> Result<Self, ModelError> {
                Ok(Self(SmolStr::new(s)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn not_found(&self) -> ModelError {
                $not_found
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

arn_key!(/// A log group's ARN, `arn:aws:logs:<region>:<account>:log-group:<name>` (no `:*`).
    LogGroupArn, ResourceKind::LogGroup, group_not_found());
arn_key!(/// A log stream's ARN: its group's, then `:log-stream:<name>`.
    LogStreamArn, ResourceKind::LogStream, stream_not_found());
arn_key!(/// A chunk of a stream's events: the stream's ARN, `:` and the chunk's number in 20
    /// digits (a stream name has no `:`, so a stream's chunks are one key range).
    LogChunkKey, ResourceKind::LogChunk, stream_not_found());

impl LogChunkKey {
    fn new(stream: &LogStreamArn, number: u64) -> Self {
        Self(format_smolstr!("{stream}:{number:020}"))
    }
}

impl LogGroupArn {
    pub fn new(scope: &Scope, name: &str) -> Self {
        Self(format_smolstr!("{}{name}", group_arn_prefix(scope)))
    }
}

impl LogStreamArn {
    pub fn new(group: &LogGroupArn, name: &str) -> Self {
        Self(format_smolstr!("{group}:log-stream:{name}"))
    }
}

fn group_arn_prefix(scope: &Scope) -> String {
    format!("arn:aws:logs:{}:{}:log-group:", scope.region, scope.account)
}

/// A log group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogGroup {
    pub id: LogGroupArn,
    pub scope: Scope,
    pub name: String,
    pub creation_time: Timestamp,
    pub retention_in_days: Option<i64>,
    pub tags: Tags,
}

impl LogGroup {
    /// The ARN DescribeLogGroups calls `logGroupArn` (`arn` is this with `:*`).
    pub fn arn(&self) -> &str {
        self.id.as_str()
    }

    /// Events older than this have expired under the retention policy, at `now`.
    pub fn retention_cutoff(&self, now: Timestamp) -> Option<Timestamp> {
        let days = u64::try_from(self.retention_in_days?).ok()?;
        Some(Timestamp(now.0.saturating_sub(days.saturating_mul(DAY_MS))))
    }
}

/// One event as the caller gives it: a time in milliseconds since the epoch and a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    pub timestamp: Timestamp,
    pub message: String,
}

/// One stored event. `seq` numbers a stream's events in arrival order, so (timestamp, seq)
/// is unique and is the order events are kept and returned in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLogEvent {
    pub timestamp: Timestamp,
    pub message: SmolStr,
    pub ingestion_time: Timestamp,
    pub seq: u64,
}

impl StoredLogEvent {
    /// The position of this event in its stream's order.
    pub fn key(&self) -> (u64, u64) {
        (self.timestamp.0, self.seq)
    }
}

/// A log stream: its counters; its events are in its chunks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogStream {
    pub id: LogStreamArn,
    pub scope: Scope,
    pub group_name: String,
    pub name: String,
    pub creation_time: Timestamp,
    pub first_event_timestamp: Option<Timestamp>,
    pub last_event_timestamp: Option<Timestamp>,
    pub last_ingestion_time: Option<Timestamp>,
    /// How many events its chunks keep.
    pub event_count: usize,
    /// The UTF-8 bytes of the kept events, plus AWS's 26 per event.
    pub stored_bytes: u64,
    /// The `seq` of the next event.
    pub next_seq: u64,
    /// How many chunks it has had: the open one is the last.
    pub chunks: u64,
    /// How many PutLogEvents calls it has taken (the sequence token of old clients).
    pub uploads: u64,
    /// Streams have no tags; the stored-kind table asks every kind for some.
    #[serde(default, skip_serializing)]
    pub tags: Tags,
}

impl LogStream {
    pub fn first_event_timestamp(&self) -> Option<Timestamp> {
        self.first_event_timestamp
    }

    pub fn last_event_timestamp(&self) -> Option<Timestamp> {
        self.last_event_timestamp
    }

    /// The sequence token PutLogEvents answers (AWS no longer checks the one it is given).
    pub fn sequence_token(&self) -> String {
        format!("{:056}", self.uploads)
    }

    fn chunk_prefix(&self) -> String {
        format!("{}:", self.id)
    }
}

/// Up to [`CHUNK_EVENTS`] events of a stream, in (timestamp, seq) order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogChunk {
    pub id: LogChunkKey,
    pub scope: Scope,
    // INVARIANT: sorted by `StoredLogEvent::key`, at most CHUNK_EVENTS long.
    pub events: Vector<StoredLogEvent>,
    /// Chunks have no tags; the stored-kind table asks every kind for some.
    #[serde(default, skip_serializing)]
    pub tags: Tags,
}

impl LogChunk {
    fn insert(&mut self, event: StoredLogEvent) {
        // Events mostly arrive in order: then this is a push.
        let at = if self.events.back().is_none_or(|e| e.key() <= event.key()) {
            self.events.len()
        } else {
            match self.events.binary_search_by(|e| e.key().cmp(&event.key())) {
                Ok(i) | Err(i) => i,
            }
        };
        self.events.insert(at, event);
    }

    fn bytes(&self) -> u64 {
        self.events
            .iter()
            .map(|e| e.message.len() as u64 + EVENT_OVERHEAD)
            .sum()
    }
}

/// A stream's events, put together from its chunks in (timestamp, seq) order.
#[derive(Clone, Debug, Default)]
pub struct LogEvents<'a> {
    events: Vec<&'a StoredLogEvent>,
}

impl<'a> LogEvents<'a> {
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'a StoredLogEvent> {
        self.events.get(i).copied()
    }

    pub fn last(&self) -> Option<&'a StoredLogEvent> {
        self.events.last().copied()
    }

    /// The events from index `from` to `to` (exclusive).
    pub fn slice(&self, from: usize, to: usize) -> &[&'a StoredLogEvent] {
        self.events.get(from..to).unwrap_or_default()
    }

    /// The index of the first event at or after `key` in (timestamp, seq) order.
    pub fn position(&self, key: (u64, u64)) -> usize {
        self.events.partition_point(|e| e.key() < key)
    }
}

/// The events of a PutLogEvents batch that were not stored, by index (AWS's
/// `rejectedLogEventsInfo`: the start index is inclusive, the end indexes exclusive).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RejectedLogEvents {
    pub too_new_start: Option<usize>,
    pub too_old_end: Option<usize>,
    pub expired_end: Option<usize>,
}

impl RejectedLogEvents {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// What PutLogEvents answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutLogEventsResult {
    pub next_sequence_token: String,
    pub rejected: RejectedLogEvents,
}

/// The CloudWatch Logs writes. Names are given as the caller spelled them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogsCommand {
    CreateLogGroup {
        log_group_name: String,
        tags: Vec<(String, String)>,
    },
    DeleteLogGroup {
        log_group_name: String,
    },
    PutRetentionPolicy {
        log_group_name: String,
        retention_in_days: i64,
    },
    DeleteRetentionPolicy {
        log_group_name: String,
    },
    CreateLogStream {
        log_group_name: String,
        log_stream_name: String,
    },
    DeleteLogStream {
        log_group_name: String,
        log_stream_name: String,
    },
    /// A client's batch: validated as AWS does, events too old or too new reported as
    /// rejected rather than refused.
    PutLogEvents {
        log_group_name: String,
        log_stream_name: String,
        events: Vec<LogEvent>,
    },
    /// By ARN (`arn:aws:logs:…:log-group:NAME`, with or without `:*`).
    TagResource {
        resource_arn: String,
        tags: Vec<(String, String)>,
    },
    UntagResource {
        resource_arn: String,
        keys: Vec<String>,
    },
    /// The legacy by-name forms.
    TagLogGroup {
        log_group_name: String,
        tags: Vec<(String, String)>,
    },
    UntagLogGroup {
        log_group_name: String,
        keys: Vec<String>,
    },
    /// AWS-side delivery (VPC flow logs): creates the group and the stream when they do not
    /// exist, then appends the events (in any order; they are kept in timestamp order).
    Deliver {
        log_group_name: String,
        log_stream_name: String,
        events: Vec<LogEvent>,
    },
}

/// What a CloudWatch Logs write returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogsOutcome {
    Done,
    Put(PutLogEventsResult),
}

/// `logGroupName`: 1–512 of `[.\-_/#A-Za-z0-9]`.
pub fn check_group_name(name: &str, field: &str) -> Result<(), ModelError> {
    check_length(name, field)?;
    if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'#'))
    {
        Ok(())
    } else {
        Err(validation_error(
            name,
            field,
            r"Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+",
        ))
    }
}

/// `logStreamName`: 1–512 characters, neither `:` nor `*`.
pub fn check_stream_name(name: &str, field: &str) -> Result<(), ModelError> {
    check_length(name, field)?;
    if name.contains([':', '*']) {
        Err(validation_error(
            name,
            field,
            "Member must satisfy regular expression pattern: [^:*]*",
        ))
    } else {
        Ok(())
    }
}

fn check_length(name: &str, field: &str) -> Result<(), ModelError> {
    let n = name.chars().count();
    if n < 1 {
        Err(validation_error(
            name,
            field,
            "Member must have length greater than or equal to 1",
        ))
    } else if n > 512 {
        Err(validation_error(
            name,
            field,
            "Member must have length less than or equal to 512",
        ))
    } else {
        Ok(())
    }
}

fn check_tags(tags: &[(String, String)]) -> Result<(), ModelError> {
    for (k, v) in tags {
        check_tag_key(k)?;
        let n = v.chars().count();
        if n > 256 || !v.chars().all(tag_char) {
            return Err(validation_error(
                v,
                "tags",
                r"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$",
            ));
        }
    }
    Ok(())
}

fn check_tag_key(k: &str) -> Result<(), ModelError> {
    let n = k.chars().count();
    if (1..=128).contains(&n) && k.chars().all(tag_char) {
        Ok(())
    } else {
        Err(validation_error(
            k,
            "tags",
            r"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$",
        ))
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

impl Model {
    /// A log group of `scope` by name.
    pub fn log_group(&self, scope: &Scope, name: &str) -> Result<&LogGroup, ModelError> {
        self.log_groups
            .get(&LogGroupArn::new(scope, name))
            .map(AsRef::as_ref)
            .ok_or_else(group_not_found)
    }

    /// The log groups of `scope`, in name order.
    pub fn log_groups_in<'a>(&'a self, scope: &Scope) -> impl Iterator<Item = &'a LogGroup> + 'a {
        let prefix = group_arn_prefix(scope);
        self.log_groups
            .range(LogGroupArn(SmolStr::new(&prefix))..)
            .take_while(move |(k, _)| k.as_str().starts_with(&prefix))
            .map(|(_, g)| g.as_ref())
    }

    /// The streams of a group, in name order.
    pub fn log_streams_of<'a>(
        &'a self,
        group: &LogGroup,
    ) -> impl Iterator<Item = &'a LogStream> + 'a {
        let prefix = format!("{}:log-stream:", group.id);
        self.log_streams
            .range(LogStreamArn(SmolStr::new(&prefix))..)
            .take_while(move |(k, _)| k.as_str().starts_with(&prefix))
            .map(|(_, s)| s.as_ref())
    }

    /// A stream of a group by name.
    pub fn log_stream(&self, group: &LogGroup, name: &str) -> Result<&LogStream, ModelError> {
        self.log_streams
            .get(&LogStreamArn::new(&group.id, name))
            .map(AsRef::as_ref)
            .ok_or_else(stream_not_found)
    }

    /// A stream's chunks, oldest first.
    fn log_chunks_of<'a>(&'a self, stream: &LogStream) -> impl Iterator<Item = &'a LogChunk> + 'a {
        let prefix = stream.chunk_prefix();
        self.log_chunks
            .range(LogChunkKey(SmolStr::new(&prefix))..)
            .take_while(move |(k, _)| k.as_str().starts_with(&prefix))
            .map(|(_, c)| c.as_ref())
    }

    /// A stream's events in (timestamp, seq) order.
    pub fn log_events<'a>(&'a self, stream: &LogStream) -> LogEvents<'a> {
        let mut events: Vec<&StoredLogEvent> = self
            .log_chunks_of(stream)
            .flat_map(|c| c.events.iter())
            .collect();
        // Chunks follow one another in time unless events arrived out of order.
        if !events.is_sorted_by_key(|e| e.key()) {
            events.sort_by_key(|e| e.key());
        }
        LogEvents { events }
    }

    /// The bytes a group's streams keep (DescribeLogGroups' `storedBytes`).
    pub fn log_group_stored_bytes(&self, group: &LogGroup) -> u64 {
        self.log_streams_of(group).map(|s| s.stored_bytes).sum()
    }

    /// The group a tagging ARN names in `scope` (`…:log-group:NAME`, with or without `:*`).
    pub fn log_group_by_arn(&self, scope: &Scope, arn: &str) -> Result<&LogGroup, ModelError> {
        let bare = arn.strip_suffix(":*").unwrap_or(arn);
        let parts: Vec<&str> = bare.splitn(7, ':').collect();
        match parts.as_slice() {
            [
                "arn",
                _partition,
                "logs",
                region,
                account,
                "log-group",
                name,
            ] => {
                if *region != scope.region || *account != scope.account.as_str() {
                    return Err(group_not_found());
                }
                self.log_group(scope, name)
            }
            _ => Err(logs_invalid(format!("Invalid ARN: {arn}"))),
        }
    }
}

impl Txn<'_, '_> {
    pub(crate) fn run_logs(&mut self, command: &LogsCommand) -> Result<LogsOutcome, ModelError> {
        match command {
            LogsCommand::CreateLogGroup {
                log_group_name,
                tags,
            } => self.create_log_group(log_group_name, tags)?,
            LogsCommand::DeleteLogGroup { log_group_name } => {
                self.delete_log_group(log_group_name)?;
            }
            LogsCommand::PutRetentionPolicy {
                log_group_name,
                retention_in_days,
            } => {
                if !RETENTION_DAYS.contains(retention_in_days) {
                    let allowed = RETENTION_DAYS.map(|d| d.to_string()).join(", ");
                    return Err(validation_error(
                        &retention_in_days.to_string(),
                        "retentionInDays",
                        &format!("Member must satisfy enum value set: [{allowed}]"),
                    ));
                }
                self.edit_log_group(log_group_name, |g| {
                    g.retention_in_days = Some(*retention_in_days);
                    Ok(())
                })?;
            }
            LogsCommand::DeleteRetentionPolicy { log_group_name } => {
                self.edit_log_group(log_group_name, |g| {
                    g.retention_in_days = None;
                    Ok(())
                })?;
            }
            LogsCommand::CreateLogStream {
                log_group_name,
                log_stream_name,
            } => {
                check_group_name(log_group_name, "logGroupName")?;
                check_stream_name(log_stream_name, "logStreamName")?;
                let group = self
                    .model
                    .log_group(self.ctx.scope, log_group_name)?
                    .clone();
                if self.model.log_stream(&group, log_stream_name).is_ok() {
                    return Err(logs_error(
                        LogsErrorCode::ResourceAlreadyExists,
                        "The specified log stream already exists",
                    ));
                }
                self.create_log_stream(&group, log_stream_name)?;
            }
            LogsCommand::DeleteLogStream {
                log_group_name,
                log_stream_name,
            } => {
                let group = self.model.log_group(self.ctx.scope, log_group_name)?;
                let stream = self.model.log_stream(group, log_stream_name)?.clone();
                self.delete_log_stream(&stream);
            }
            LogsCommand::PutLogEvents {
                log_group_name,
                log_stream_name,
                events,
            } => {
                return Ok(LogsOutcome::Put(self.put_log_events(
                    log_group_name,
                    log_stream_name,
                    events,
                )?));
            }
            LogsCommand::TagResource { resource_arn, tags } => {
                let name = self
                    .model
                    .log_group_by_arn(self.ctx.scope, resource_arn)?
                    .name
                    .clone();
                self.tag_log_group(&name, tags)?;
            }
            LogsCommand::UntagResource { resource_arn, keys } => {
                let name = self
                    .model
                    .log_group_by_arn(self.ctx.scope, resource_arn)?
                    .name
                    .clone();
                self.untag_log_group(&name, keys)?;
            }
            LogsCommand::TagLogGroup {
                log_group_name,
                tags,
            } => self.tag_log_group(log_group_name, tags)?,
            LogsCommand::UntagLogGroup {
                log_group_name,
                keys,
            } => self.untag_log_group(log_group_name, keys)?,
            LogsCommand::Deliver {
                log_group_name,
                log_stream_name,
                events,
            } => self.deliver(log_group_name, log_stream_name, events)?,
        }
        Ok(LogsOutcome::Done)
    }

    fn create_log_group(
        &mut self,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<(), ModelError> {
        check_group_name(name, "logGroupName")?;
        check_tags(tags)?;
        if tags.len() > crate::ec2::tags::MAX_TAGS {
            return Err(too_many_tags());
        }
        if self.model.log_group(self.ctx.scope, name).is_ok() {
            return Err(logs_error(
                LogsErrorCode::ResourceAlreadyExists,
                "The specified log group already exists",
            ));
        }
        self.put(Resource::LogGroup(LogGroup {
            id: LogGroupArn::new(self.ctx.scope, name),
            scope: self.ctx.scope.clone(),
            name: name.to_owned(),
            creation_time: self.ctx.now,
            retention_in_days: None,
            tags: tags.iter().cloned().collect(),
        }));
        Ok(())
    }

    fn delete_log_group(&mut self, name: &str) -> Result<(), ModelError> {
        let group = self.model.log_group(self.ctx.scope, name)?.clone();
        let streams: Vec<LogStream> = self.model.log_streams_of(&group).cloned().collect();
        for stream in &streams {
            self.delete_log_stream(stream);
        }
        self.delete(ResourceRef::LogGroup(group.id));
        Ok(())
    }

    fn delete_log_stream(&mut self, stream: &LogStream) {
        let chunks: Vec<LogChunkKey> = self
            .model
            .log_chunks_of(stream)
            .map(|c| c.id.clone())
            .collect();
        for key in chunks {
            self.delete(ResourceRef::LogChunk(key));
        }
        self.delete(ResourceRef::LogStream(stream.id.clone()));
    }

    /// Appends events to a stream (in any order: each chunk keeps its own in order), stores
    /// the stream and the chunks it wrote, then drops the oldest chunks beyond the cap.
    fn append_events<'e>(
        &mut self,
        mut stream: LogStream,
        events: impl IntoIterator<Item = &'e LogEvent>,
    ) {
        let now = self.ctx.now;
        let mut open: Option<LogChunk> = stream
            .chunks
            .checked_sub(1)
            .and_then(|n| self.model.log_chunks.get(&LogChunkKey::new(&stream.id, n)))
            .map(|c| LogChunk::clone(c));
        for e in events {
            if open.as_ref().is_none_or(|c| c.events.len() >= CHUNK_EVENTS) {
                if let Some(full) = open.take() {
                    self.put(Resource::LogChunk(full));
                }
                open = Some(LogChunk {
                    id: LogChunkKey::new(&stream.id, stream.chunks),
                    scope: stream.scope.clone(),
                    events: Vector::new(),
                    tags: Tags::new(),
                });
                stream.chunks += 1;
            }
            if let Some(chunk) = open.as_mut() {
                chunk.insert(StoredLogEvent {
                    timestamp: e.timestamp,
                    message: SmolStr::new(&e.message),
                    ingestion_time: now,
                    seq: stream.next_seq,
                });
            }
            stream.next_seq += 1;
            stream.event_count += 1;
            stream.stored_bytes += e.message.len() as u64 + EVENT_OVERHEAD;
            stream.first_event_timestamp = Some(
                stream
                    .first_event_timestamp
                    .map_or(e.timestamp, |t| t.min(e.timestamp)),
            );
            stream.last_event_timestamp = Some(
                stream
                    .last_event_timestamp
                    .map_or(e.timestamp, |t| t.max(e.timestamp)),
            );
        }
        if let Some(chunk) = open {
            self.put(Resource::LogChunk(chunk));
        }
        let mut dropped = false;
        loop {
            let Some((key, len, bytes)) = self
                .model
                .log_chunks_of(&stream)
                .next()
                .map(|c| (c.id.clone(), c.events.len(), c.bytes()))
            else {
                break;
            };
            if stream.event_count - len < MAX_EVENTS_PER_STREAM {
                break;
            }
            stream.event_count -= len;
            stream.stored_bytes = stream.stored_bytes.saturating_sub(bytes);
            self.delete(ResourceRef::LogChunk(key));
            dropped = true;
        }
        if dropped {
            let chunks: Vec<&LogChunk> = self.model.log_chunks_of(&stream).collect();
            stream.first_event_timestamp = chunks
                .iter()
                .filter_map(|c| c.events.front().map(|e| e.timestamp))
                .min();
            stream.last_event_timestamp = chunks
                .iter()
                .filter_map(|c| c.events.back().map(|e| e.timestamp))
                .max();
        }
        stream.last_ingestion_time = Some(now);
        self.put(Resource::LogStream(stream));
    }

    fn edit_log_group(
        &mut self,
        name: &str,
        edit: impl FnOnce(&mut LogGroup) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let mut group = self.model.log_group(self.ctx.scope, name)?.clone();
        edit(&mut group)?;
        self.put(Resource::LogGroup(group));
        Ok(())
    }

    fn tag_log_group(&mut self, name: &str, tags: &[(String, String)]) -> Result<(), ModelError> {
        check_tags(tags)?;
        self.edit_log_group(name, |g| {
            g.tags.extend(tags.iter().cloned());
            if g.tags.len() > crate::ec2::tags::MAX_TAGS {
                return Err(too_many_tags());
            }
            Ok(())
        })
    }

    fn untag_log_group(&mut self, name: &str, keys: &[String]) -> Result<(), ModelError> {
        for k in keys {
            check_tag_key(k)?;
        }
        self.edit_log_group(name, |g| {
            for k in keys {
                g.tags.remove(k);
            }
            Ok(())
        })
    }

    fn create_log_stream(&mut self, group: &LogGroup, name: &str) -> Result<LogStream, ModelError> {
        if self.model.log_streams_of(group).count() >= MAX_STREAMS_PER_GROUP {
            return Err(logs_error(
                LogsErrorCode::LimitExceeded,
                format!(
                    "localvpc keeps at most {MAX_STREAMS_PER_GROUP} log streams per log group (see docs/aws-choices.md)"
                ),
            ));
        }
        let stream = LogStream {
            id: LogStreamArn::new(&group.id, name),
            scope: self.ctx.scope.clone(),
            group_name: group.name.clone(),
            name: name.to_owned(),
            creation_time: self.ctx.now,
            first_event_timestamp: None,
            last_event_timestamp: None,
            last_ingestion_time: None,
            event_count: 0,
            stored_bytes: 0,
            next_seq: 0,
            chunks: 0,
            uploads: 0,
            tags: Tags::new(),
        };
        self.put(Resource::LogStream(stream.clone()));
        Ok(stream)
    }

    fn put_log_events(
        &mut self,
        group_name: &str,
        stream_name: &str,
        events: &[LogEvent],
    ) -> Result<PutLogEventsResult, ModelError> {
        check_group_name(group_name, "logGroupName")?;
        check_stream_name(stream_name, "logStreamName")?;
        check_batch(events)?;
        let group = self.model.log_group(self.ctx.scope, group_name)?.clone();
        let mut stream = self.model.log_stream(&group, stream_name)?.clone();
        let now = self.ctx.now;
        let too_new = now.0.saturating_add(2 * HOUR_MS);
        let too_old = now.0.saturating_sub(14 * DAY_MS);
        let expired = group.retention_cutoff(now).map_or(0, |t| t.0);
        // The batch is in chronological order, so each rejected kind is a run at an end.
        let old = events
            .iter()
            .take_while(|e| e.timestamp.0 < too_old)
            .count();
        let gone = events
            .iter()
            .take_while(|e| e.timestamp.0 < expired)
            .count();
        let rejected = RejectedLogEvents {
            too_new_start: events.iter().position(|e| e.timestamp.0 > too_new),
            too_old_end: (old > 0).then_some(old),
            expired_end: (gone > 0).then_some(gone),
        };
        let start = old.max(gone);
        let end = rejected.too_new_start.unwrap_or(events.len()).max(start);
        stream.uploads += 1;
        let next_sequence_token = stream.sequence_token();
        self.append_events(stream, events.get(start..end).unwrap_or_default());
        Ok(PutLogEventsResult {
            next_sequence_token,
            rejected,
        })
    }

    fn deliver(
        &mut self,
        group_name: &str,
        stream_name: &str,
        events: &[LogEvent],
    ) -> Result<(), ModelError> {
        check_group_name(group_name, "logGroupName")?;
        check_stream_name(stream_name, "logStreamName")?;
        if self.model.log_group(self.ctx.scope, group_name).is_err() {
            self.create_log_group(group_name, &[])?;
        }
        let group = self.model.log_group(self.ctx.scope, group_name)?.clone();
        let stream = match self.model.log_stream(&group, stream_name) {
            Ok(s) => s.clone(),
            Err(_) => self.create_log_stream(&group, stream_name)?,
        };
        let mut sorted: Vec<&LogEvent> = events.iter().collect();
        sorted.sort_by_key(|e| e.timestamp);
        self.append_events(stream, sorted);
        Ok(())
    }
}

fn too_many_tags() -> ModelError {
    logs_error(
        LogsErrorCode::TooManyTags,
        "A resource can have no more than 50 tags.",
    )
}

/// PutLogEvents' batch rules: 1 to 10,000 events with messages, at most 1,048,576 bytes, in
/// chronological order, spanning at most 24 hours.
fn check_batch(events: &[LogEvent]) -> Result<(), ModelError> {
    if events.is_empty() {
        return Err(validation_error(
            "[]",
            "logEvents",
            "Member must have length greater than or equal to 1",
        ));
    }
    if events.len() > MAX_BATCH_EVENTS {
        return Err(logs_invalid(format!(
            "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_EVENTS}"
        )));
    }
    for (i, e) in events.iter().enumerate() {
        if e.message.is_empty() {
            return Err(validation_error(
                "",
                &format!("logEvents.{}.member.message", i + 1),
                "Member must have length greater than or equal to 1",
            ));
        }
    }
    let bytes: u64 = events
        .iter()
        .map(|e| e.message.len() as u64 + EVENT_OVERHEAD)
        .sum();
    if bytes > MAX_BATCH_BYTES {
        return Err(logs_invalid(format!(
            "The batch of log events in a single PutLogEvents request cannot exceed {MAX_BATCH_BYTES} bytes (messages in UTF-8 plus 26 bytes per event); this one has {bytes}"
        )));
    }
    if events.windows(2).any(|w| match w {
        [a, b] => a.timestamp > b.timestamp,
        _ => false,
    }) {
        return Err(logs_invalid(
            "Log events in a single PutLogEvents request must be in chronological order.",
        ));
    }
    if let (Some(first), Some(last)) = (events.first(), events.last())
        && last.timestamp.0 - first.timestamp.0 > DAY_MS
    {
        return Err(logs_invalid(
            "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, Outcome};
    use crate::testing::Harness;

    const NOW: u64 = 1_700_000_000_000;

    fn h() -> Harness {
        Harness::new(false).at(Timestamp(NOW))
    }

    fn run(h: &mut Harness, c: LogsCommand) -> Result<LogsOutcome, ModelError> {
        h.run(Command::Logs(c)).map(|o| match o {
            Outcome::Logs(o) => o,
            o => panic!("{o:?}"),
        })
    }

    fn code(e: &ModelError) -> &'static str {
        e.code()
    }

    fn create(h: &mut Harness, name: &str) {
        run(
            h,
            LogsCommand::CreateLogGroup {
                log_group_name: name.into(),
                tags: vec![],
            },
        )
        .unwrap();
    }

    fn stream(h: &mut Harness, group: &str, name: &str) {
        run(
            h,
            LogsCommand::CreateLogStream {
                log_group_name: group.into(),
                log_stream_name: name.into(),
            },
        )
        .unwrap();
    }

    fn ev(ts: u64, m: &str) -> LogEvent {
        LogEvent {
            timestamp: Timestamp(ts),
            message: m.into(),
        }
    }

    fn put(h: &mut Harness, events: Vec<LogEvent>) -> Result<PutLogEventsResult, ModelError> {
        run(
            h,
            LogsCommand::PutLogEvents {
                log_group_name: "g".into(),
                log_stream_name: "s".into(),
                events,
            },
        )
        .map(|o| match o {
            LogsOutcome::Put(p) => p,
            o => panic!("{o:?}"),
        })
    }

    fn messages(h: &Harness, group: &str, stream: &str) -> Vec<String> {
        let g = h.model.log_group(&h.scope, group).unwrap();
        let s = h.model.log_stream(g, stream).unwrap();
        let events = h.model.log_events(s);
        events
            .slice(0, events.len())
            .iter()
            .map(|e| e.message.to_string())
            .collect()
    }

    #[test]
    fn a_group_is_created_once_with_its_arn_and_deleted_with_its_streams() {
        let mut h = h();
        create(&mut h, "/aws/vpc/flow-logs");
        let g = h.model.log_group(&h.scope, "/aws/vpc/flow-logs").unwrap();
        assert_eq!(
            g.arn(),
            "arn:aws:logs:ap-northeast-1:000000000000:log-group:/aws/vpc/flow-logs"
        );
        assert_eq!(g.creation_time, Timestamp(NOW));
        let e = run(
            &mut h,
            LogsCommand::CreateLogGroup {
                log_group_name: "/aws/vpc/flow-logs".into(),
                tags: vec![],
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "ResourceAlreadyExistsException");
        stream(&mut h, "/aws/vpc/flow-logs", "eni-1");
        run(
            &mut h,
            LogsCommand::DeleteLogGroup {
                log_group_name: "/aws/vpc/flow-logs".into(),
            },
        )
        .unwrap();
        assert!(h.model.log_streams.is_empty());
        let e = run(
            &mut h,
            LogsCommand::DeleteLogGroup {
                log_group_name: "/aws/vpc/flow-logs".into(),
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "ResourceNotFoundException");
        assert_eq!(e.to_string(), "The specified log group does not exist.");
    }

    #[test]
    fn names_are_checked_as_aws_does() {
        let mut h = h();
        for bad in ["", "a b", "a:b", "a*"] {
            let e = run(
                &mut h,
                LogsCommand::CreateLogGroup {
                    log_group_name: bad.into(),
                    tags: vec![],
                },
            )
            .unwrap_err();
            assert_eq!(code(&e), "InvalidParameterException", "{bad}");
            assert!(
                e.to_string().starts_with("1 validation error detected"),
                "{e}"
            );
        }
        let long = "a".repeat(513);
        assert!(check_group_name(&long, "logGroupName").is_err());
        assert!(check_group_name(&"a".repeat(512), "logGroupName").is_ok());
        create(&mut h, "g");
        for bad in ["a:b", "a*", ""] {
            let e = run(
                &mut h,
                LogsCommand::CreateLogStream {
                    log_group_name: "g".into(),
                    log_stream_name: bad.into(),
                },
            )
            .unwrap_err();
            assert_eq!(code(&e), "InvalidParameterException", "{bad}");
        }
        stream(&mut h, "g", "2024/01/01/[$LATEST] x");
        let e = run(
            &mut h,
            LogsCommand::CreateLogStream {
                log_group_name: "g".into(),
                log_stream_name: "2024/01/01/[$LATEST] x".into(),
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "ResourceAlreadyExistsException");
        let e = run(
            &mut h,
            LogsCommand::CreateLogStream {
                log_group_name: "nope".into(),
                log_stream_name: "s".into(),
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "ResourceNotFoundException");
    }

    #[test]
    fn retention_takes_only_the_listed_values() {
        let mut h = h();
        create(&mut h, "g");
        let set = |days| LogsCommand::PutRetentionPolicy {
            log_group_name: "g".into(),
            retention_in_days: days,
        };
        let e = run(&mut h, set(2)).unwrap_err();
        assert_eq!(code(&e), "InvalidParameterException");
        assert!(e.to_string().contains("enum value set: [1, 3, 5"), "{e}");
        run(&mut h, set(7)).unwrap();
        let g = h.model.log_group(&h.scope, "g").unwrap();
        assert_eq!(g.retention_in_days, Some(7));
        assert_eq!(
            g.retention_cutoff(Timestamp(NOW)),
            Some(Timestamp(NOW - 7 * DAY_MS))
        );
        run(
            &mut h,
            LogsCommand::DeleteRetentionPolicy {
                log_group_name: "g".into(),
            },
        )
        .unwrap();
        assert_eq!(
            h.model.log_group(&h.scope, "g").unwrap().retention_in_days,
            None
        );
        let e = run(
            &mut h,
            LogsCommand::PutRetentionPolicy {
                log_group_name: "none".into(),
                retention_in_days: 7,
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "ResourceNotFoundException");
    }

    #[test]
    fn put_log_events_keeps_order_and_reports_rejected_events() {
        let mut h = h();
        create(&mut h, "g");
        stream(&mut h, "g", "s");
        let r = put(&mut h, vec![ev(NOW - 10, "a"), ev(NOW - 5, "b")]).unwrap();
        assert!(r.rejected.is_empty());
        assert_eq!(r.next_sequence_token.len(), 56);
        // An earlier event lands before the later ones.
        put(&mut h, vec![ev(NOW - 7, "c")]).unwrap();
        assert_eq!(messages(&h, "g", "s"), ["a", "c", "b"]);
        // Too old and too new are rejected, the rest is kept.
        let r = put(
            &mut h,
            vec![
                ev(NOW - 15 * DAY_MS, "old"),
                ev(NOW - 14 * DAY_MS + 5 * HOUR_MS, "ok"),
                ev(NOW + 3 * HOUR_MS, "new"),
            ],
        );
        // That batch spans more than 24 hours: refused whole.
        assert_eq!(code(&r.unwrap_err()), "InvalidParameterException");
        let r = put(
            &mut h,
            vec![
                ev(NOW - 14 * DAY_MS - 1, "old"),
                ev(NOW - 14 * DAY_MS + 1, "kept"),
            ],
        )
        .unwrap();
        assert_eq!(r.rejected.too_old_end, Some(1));
        let r = put(&mut h, vec![ev(NOW, "now"), ev(NOW + 3 * HOUR_MS, "new")]).unwrap();
        assert_eq!(r.rejected.too_new_start, Some(1));
        assert_eq!(messages(&h, "g", "s"), ["kept", "a", "c", "b", "now"]);
        let g = h.model.log_group(&h.scope, "g").unwrap();
        let s = h.model.log_stream(g, "s").unwrap();
        assert_eq!(
            s.first_event_timestamp(),
            Some(Timestamp(NOW - 14 * DAY_MS + 1))
        );
        assert_eq!(s.last_event_timestamp(), Some(Timestamp(NOW)));
        assert_eq!(s.last_ingestion_time, Some(Timestamp(NOW)));
        assert_eq!(h.model.log_group_stored_bytes(g), 5 * 26 + 4 + 3 + 3);
    }

    #[test]
    fn expired_events_are_rejected_under_retention() {
        let mut h = h();
        create(&mut h, "g");
        stream(&mut h, "g", "s");
        run(
            &mut h,
            LogsCommand::PutRetentionPolicy {
                log_group_name: "g".into(),
                retention_in_days: 1,
            },
        )
        .unwrap();
        let r = put(&mut h, vec![ev(NOW - 2 * DAY_MS, "x"), ev(NOW - 1, "y")]);
        assert_eq!(code(&r.unwrap_err()), "InvalidParameterException");
        let r = put(&mut h, vec![ev(NOW - DAY_MS - 1, "x"), ev(NOW - 1, "y")]).unwrap();
        assert_eq!(r.rejected.expired_end, Some(1));
        assert_eq!(messages(&h, "g", "s"), ["y"]);
    }

    #[test]
    fn batch_rules() {
        let mut h = h();
        create(&mut h, "g");
        stream(&mut h, "g", "s");
        let e = put(&mut h, vec![]).unwrap_err();
        assert_eq!(code(&e), "InvalidParameterException");
        let e = put(&mut h, vec![ev(NOW, "b"), ev(NOW - 1, "a")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Log events in a single PutLogEvents request must be in chronological order."
        );
        let e = put(&mut h, vec![ev(NOW, "")]).unwrap_err();
        assert_eq!(code(&e), "InvalidParameterException");
        let big = "x".repeat(600_000);
        let e = put(&mut h, vec![ev(NOW, &big), ev(NOW, &big)]).unwrap_err();
        assert!(e.to_string().contains("1048576 bytes"), "{e}");
        let many = (0..=MAX_BATCH_EVENTS as u64)
            .map(|i| ev(NOW, &i.to_string()))
            .collect();
        assert_eq!(
            code(&put(&mut h, many).unwrap_err()),
            "InvalidParameterException"
        );
        let e = run(
            &mut h,
            LogsCommand::PutLogEvents {
                log_group_name: "g".into(),
                log_stream_name: "missing".into(),
                events: vec![ev(NOW, "x")],
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "The specified log stream does not exist.");
    }

    #[test]
    fn deliver_creates_group_and_stream_and_sorts_events() {
        let mut h = h();
        let deliver = |events| LogsCommand::Deliver {
            log_group_name: "flows".into(),
            log_stream_name: "eni-0123".into(),
            events,
        };
        run(&mut h, deliver(vec![ev(3, "c"), ev(1, "a")])).unwrap();
        run(&mut h, deliver(vec![ev(2, "b")])).unwrap();
        assert_eq!(messages(&h, "flows", "eni-0123"), ["a", "b", "c"]);
        let g = h.model.log_group(&h.scope, "flows").unwrap();
        assert_eq!(h.model.log_streams_of(g).count(), 1);
        let e = run(
            &mut h,
            LogsCommand::Deliver {
                log_group_name: "bad name".into(),
                log_stream_name: "s".into(),
                events: vec![],
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "InvalidParameterException");
    }

    #[test]
    fn a_stream_keeps_its_newest_events_in_chunks() {
        let mut h = h();
        let total = 2 * MAX_EVENTS_PER_STREAM as u64;
        // Two deliveries: one in order, then a late event that lands first.
        let batch: Vec<LogEvent> = (1..total).map(|i| ev(i, "m")).collect();
        let deliver = |events| LogsCommand::Deliver {
            log_group_name: "g".into(),
            log_stream_name: "s".into(),
            events,
        };
        run(&mut h, deliver(batch)).unwrap();
        run(&mut h, deliver(vec![ev(total - 1, "late")])).unwrap();
        let g = h.model.log_group(&h.scope, "g").unwrap();
        let s = h.model.log_stream(g, "s").unwrap();
        // Whole chunks went, oldest first, while at least the cap remained.
        let kept = s.event_count;
        assert!((MAX_EVENTS_PER_STREAM..MAX_EVENTS_PER_STREAM + CHUNK_EVENTS).contains(&kept));
        let events = h.model.log_events(s);
        assert_eq!(events.len(), kept);
        assert_eq!(h.model.log_chunks.len(), kept.div_ceil(CHUNK_EVENTS));
        let first = events.get(0).unwrap().timestamp;
        assert_eq!(s.first_event_timestamp(), Some(first));
        assert_eq!(first, Timestamp(total - kept as u64 + 1));
        assert_eq!(s.last_event_timestamp(), Some(Timestamp(total - 1)));
        assert_eq!(s.stored_bytes, (kept as u64 - 1) * 27 + 30);
        // In (timestamp, arrival) order across chunks.
        assert_eq!(events.last().unwrap().message, "late");
        assert_eq!(events.position((total - 1, 0)), kept - 2);
        assert_eq!(events.position((total, 0)), kept);
        // Deleting the group takes the chunks with it.
        run(
            &mut h,
            LogsCommand::DeleteLogGroup {
                log_group_name: "g".into(),
            },
        )
        .unwrap();
        assert!(h.model.log_chunks.is_empty());
    }

    #[test]
    fn tags_by_name_and_by_arn_and_scopes() {
        let mut h = h();
        run(
            &mut h,
            LogsCommand::CreateLogGroup {
                log_group_name: "g".into(),
                tags: vec![("team".into(), "net".into())],
            },
        )
        .unwrap();
        let arn = h.model.log_group(&h.scope, "g").unwrap().arn().to_owned();
        run(
            &mut h,
            LogsCommand::TagResource {
                resource_arn: format!("{arn}:*"),
                tags: vec![("env".into(), "dev".into())],
            },
        )
        .unwrap();
        run(
            &mut h,
            LogsCommand::UntagLogGroup {
                log_group_name: "g".into(),
                keys: vec!["team".into()],
            },
        )
        .unwrap();
        let tags = &h.model.log_group(&h.scope, "g").unwrap().tags;
        assert_eq!(tags.len(), 1);
        assert_eq!(tags.get("env").map(String::as_str), Some("dev"));
        let other = arn.replace("ap-northeast-1", "us-east-1");
        let e = run(
            &mut h,
            LogsCommand::UntagResource {
                resource_arn: other,
                keys: vec!["env".into()],
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "ResourceNotFoundException");
        let many = (0..51).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        let e = run(
            &mut h,
            LogsCommand::TagLogGroup {
                log_group_name: "g".into(),
                tags: many,
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "TooManyTagsException");
        // Another scope does not see the group.
        let other = Scope::new(crate::scope::AccountId::default_account(), "us-east-1");
        assert!(h.model.log_group(&other, "g").is_err());
        assert_eq!(h.model.log_groups_in(&other).count(), 0);
        assert_eq!(h.model.log_groups_in(&h.scope).count(), 1);
    }

    #[test]
    fn groups_and_streams_list_in_name_order() {
        let mut h = h();
        for name in ["b", "a.b", "a", "a/x"] {
            create(&mut h, name);
        }
        let names: Vec<&str> = h
            .model
            .log_groups_in(&h.scope)
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(names, ["a", "a.b", "a/x", "b"]);
        for s in ["z", "y", "x x"] {
            stream(&mut h, "a", s);
        }
        stream(&mut h, "a.b", "other");
        let g = h.model.log_group(&h.scope, "a").unwrap();
        let names: Vec<&str> = h.model.log_streams_of(g).map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["x x", "y", "z"]);
        run(
            &mut h,
            LogsCommand::DeleteLogStream {
                log_group_name: "a".into(),
                log_stream_name: "y".into(),
            },
        )
        .unwrap();
        let e = run(
            &mut h,
            LogsCommand::DeleteLogStream {
                log_group_name: "a".into(),
                log_stream_name: "y".into(),
            },
        )
        .unwrap_err();
        assert_eq!(code(&e), "ResourceNotFoundException");
    }
}
