//! Amazon S3: buckets and the metadata of their objects.
//!
//! A bucket is a stored kind keyed by its name: bucket names are global across accounts and
//! regions, so the name alone finds it, and its `scope` is the account that owns it and the
//! region it was created in. An object is a stored kind keyed by `<bucket>/<key>` (bucket
//! names hold no `/`), so a bucket's objects are one contiguous range of their map, in the
//! UTF-8 binary order ListObjects answers in.
//!
//! The model keeps only metadata. An object's bytes are a *blob* the server writes (and
//! syncs) before the command that makes the object visible commits; the object names its
//! blob, and the commands that replace or remove objects answer the blobs nothing names any
//! more, for the server to delete once the change is durable (docs/aws-choices.md, "S3").

use crate::ec2::tags::Tags;
use crate::error::ModelError;
use crate::id::{ResourceKind, Timestamp};
use crate::resource::{Model, Resource, ResourceRef};
use crate::scope::{AccountId, Scope};
use crate::txn::Txn;
use serde::{Deserialize, Serialize};
use smol_str::{SmolStr, format_smolstr};
use std::fmt;

/// The region whose buckets take no `LocationConstraint` (S3's "US Standard").
pub const S3_LEGACY_REGION: &str = "us-east-1";

/// S3's error codes, each with its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum S3ErrorCode {
    NoSuchBucket,
    NoSuchKey,
    BucketNotEmpty,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    InvalidBucketName,
    IllegalLocationConstraintException,
    InvalidLocationConstraint,
    AccessDenied,
    InvalidArgument,
    KeyTooLongError,
    NoSuchUpload,
    InvalidPart,
    InvalidPartOrder,
    EntityTooSmall,
    MalformedPolicy,
    NoSuchBucketPolicy,
    NoSuchTagSet,
    InvalidTag,
}

impl S3ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSuchBucket => "NoSuchBucket",
            Self::NoSuchKey => "NoSuchKey",
            Self::BucketNotEmpty => "BucketNotEmpty",
            Self::BucketAlreadyExists => "BucketAlreadyExists",
            Self::BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou",
            Self::InvalidBucketName => "InvalidBucketName",
            Self::IllegalLocationConstraintException => "IllegalLocationConstraintException",
            Self::InvalidLocationConstraint => "InvalidLocationConstraint",
            Self::AccessDenied => "AccessDenied",
            Self::InvalidArgument => "InvalidArgument",
            Self::KeyTooLongError => "KeyTooLongError",
            Self::NoSuchUpload => "NoSuchUpload",
            Self::InvalidPart => "InvalidPart",
            Self::InvalidPartOrder => "InvalidPartOrder",
            Self::EntityTooSmall => "EntityTooSmall",
            Self::MalformedPolicy => "MalformedPolicy",
            Self::NoSuchBucketPolicy => "NoSuchBucketPolicy",
            Self::NoSuchTagSet => "NoSuchTagSet",
            Self::InvalidTag => "InvalidTag",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            Self::NoSuchBucket
            | Self::NoSuchKey
            | Self::NoSuchUpload
            | Self::NoSuchBucketPolicy
            | Self::NoSuchTagSet => 404,
            Self::BucketNotEmpty | Self::BucketAlreadyExists | Self::BucketAlreadyOwnedByYou => 409,
            Self::AccessDenied => 403,
            Self::InvalidBucketName
            | Self::IllegalLocationConstraintException
            | Self::InvalidLocationConstraint
            | Self::InvalidArgument
            | Self::KeyTooLongError
            | Self::InvalidPart
            | Self::InvalidPartOrder
            | Self::EntityTooSmall
            | Self::MalformedPolicy
            | Self::InvalidTag => 400,
        }
    }
}

/// An S3 refusal with S3's text.
pub fn s3_error(code: S3ErrorCode, message: impl Into<String>) -> ModelError {
    ModelError::S3 {
        code,
        message: message.into(),
    }
}

pub fn no_such_bucket() -> ModelError {
    s3_error(
        S3ErrorCode::NoSuchBucket,
        "The specified bucket does not exist",
    )
}

pub fn no_such_key() -> ModelError {
    s3_error(S3ErrorCode::NoSuchKey, "The specified key does not exist.")
}

pub fn no_such_upload() -> ModelError {
    s3_error(
        S3ErrorCode::NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
}

pub fn invalid_part() -> ModelError {
    s3_error(
        S3ErrorCode::InvalidPart,
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    )
}

/// The smallest part but the last of a multipart upload (5 MiB).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// The highest part number.
pub const MAX_PART_NUMBER: u32 = 10_000;

fn access_denied() -> ModelError {
    s3_error(S3ErrorCode::AccessDenied, "Access Denied")
}

/// The longest key S3 stores, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// S3's general-purpose bucket naming rules: 3–63 characters of lowercase letters, digits,
/// dots and hyphens, a letter or digit at each end, no `..`, not shaped like an IPv4
/// address, none of the reserved prefixes and suffixes.
pub fn check_bucket_name(name: &str) -> Result<(), ModelError> {
    let invalid = || {
        s3_error(
            S3ErrorCode::InvalidBucketName,
            "The specified bucket is not valid.",
        )
    };
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge_ok(name.chars().next())
        && edge_ok(name.chars().last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
            .iter()
            .any(|s| name.ends_with(s));
    if valid { Ok(()) } else { Err(invalid()) }
}

fn check_key(key: &str) -> Result<(), ModelError> {
    if key.is_empty() {
        return Err(s3_error(
            S3ErrorCode::InvalidArgument,
            "A key must be specified",
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(s3_error(
            S3ErrorCode::KeyTooLongError,
            "Your key is too long",
        ));
    }
    Ok(())
}

/// A bucket policy S3 would store: a resource policy `localvpc-policy` parses
/// (`MalformedPolicy` with its reason otherwise).
pub fn check_bucket_policy(text: &str) -> Result<(), ModelError> {
    if !text.trim_start().starts_with('{') {
        return Err(s3_error(
            S3ErrorCode::MalformedPolicy,
            "Policies must be valid JSON and the first byte must be '{'",
        ));
    }
    localvpc_policy::Policy::parse(text)
        .map(|_| ())
        .map_err(|e| s3_error(S3ErrorCode::MalformedPolicy, e.message))
}

/// S3's tag rules: at most 50, keys 1–128 and values 0–256 characters, keys unique, no
/// `aws:` prefix.
pub fn check_tags(tags: &[(String, String)]) -> Result<(), ModelError> {
    let invalid = |m: &str| s3_error(S3ErrorCode::InvalidTag, m.to_owned());
    if tags.len() > 50 {
        return Err(invalid("Object tags cannot be greater than 50"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(invalid("The TagKey you have provided is invalid"));
        }
        if v.chars().count() > 256 {
            return Err(invalid("The TagValue you have provided is invalid"));
        }
        if k.starts_with("aws:") {
            return Err(invalid("Your TagKey cannot be prefixed with aws:"));
        }
        if !seen.insert(k) {
            return Err(invalid("Cannot provide multiple Tags with the same key"));
        }
    }
    Ok(())
}

/// A bucket's name: the key of its stored record.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BucketName(SmolStr);

impl BucketName {
    pub const KIND: ResourceKind = ResourceKind::S3Bucket;

    /// Any text (the name is validated when a bucket is created).
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        Ok(Self(SmolStr::new(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn not_found(&self) -> ModelError {
        no_such_bucket()
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An object's key in the model: `<bucket>/<key>`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectId(SmolStr);

impl ObjectId {
    pub const KIND: ResourceKind = ResourceKind::S3Object;

    pub fn new(bucket: &str, key: &str) -> Self {
        Self(format_smolstr!("{bucket}/{key}"))
    }

    /// Any text: the key is built by the model, never parsed from a request.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        Ok(Self(SmolStr::new(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn not_found(&self) -> ModelError {
        no_such_key()
    }
}

/// A bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub id: BucketName,
    /// The owner's account and the region the bucket lives in.
    pub scope: Scope,
    pub creation_date: Timestamp,
    /// The bucket's tag set (PutBucketTagging); empty: none.
    pub tags: Tags,
    /// The bucket policy as given (stored, validated; enforcement is a later step).
    #[serde(default)]
    pub policy: Option<String>,
}

/// A multipart upload's id: the key of its stored record.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UploadId(SmolStr);

impl UploadId {
    pub const KIND: ResourceKind = ResourceKind::S3MultipartUpload;

    pub fn parse(s: &str) -> Result<Self, ModelError> {
        Ok(Self(SmolStr::new(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn not_found(&self) -> ModelError {
        no_such_upload()
    }
}

/// One uploaded part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub number: u32,
    pub size: u64,
    /// MD5 hex of the part's bytes.
    pub etag: String,
    pub blob: String,
    pub last_modified: Timestamp,
}

/// A multipart upload in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipartUpload {
    pub id: UploadId,
    /// The bucket's scope.
    pub scope: Scope,
    pub bucket: BucketName,
    pub key: String,
    pub initiated: Timestamp,
    pub content_type: String,
    pub metadata: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// By part number.
    pub parts: std::collections::BTreeMap<u32, Part>,
    pub tags: Tags,
}

impl Bucket {
    pub fn name(&self) -> &str {
        self.id.as_str()
    }
}

/// An object's metadata; its bytes are the blob it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Object {
    pub id: ObjectId,
    /// The bucket's scope.
    pub scope: Scope,
    pub bucket: BucketName,
    pub key: String,
    pub size: u64,
    /// The ETag without its quotes (MD5 hex of the bytes for a single PUT).
    pub etag: String,
    pub content_type: String,
    /// `x-amz-meta-*` headers, names lowercased without the prefix, in name order.
    pub metadata: Vec<(String, String)>,
    /// Other headers S3 stores and returns as given (`Cache-Control`, `Content-Disposition`,
    /// `Content-Encoding`, `Content-Language`, `Expires`), lowercased names.
    pub headers: Vec<(String, String)>,
    pub last_modified: Timestamp,
    /// The server's name for the stored bytes.
    pub blob: String,
    pub tags: Tags,
}

/// A new object version as PutObject/CopyObject give it (the blob is already durable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutObject {
    pub bucket: String,
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub content_type: String,
    pub metadata: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub blob: String,
}

/// The S3 writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum S3Command {
    /// The policy text, already checked by the caller (MalformedPolicy) and again here.
    PutBucketPolicy {
        bucket: String,
        policy: String,
    },
    DeleteBucketPolicy {
        bucket: String,
    },
    /// Replaces the tag set; an empty one deletes it.
    PutBucketTagging {
        bucket: String,
        tags: Vec<(String, String)>,
    },
    /// `object` carries the key, content type, metadata and headers (size, ETag and blob
    /// are empty).
    CreateMultipartUpload(Box<PutObject>),
    UploadPart {
        bucket: String,
        key: String,
        upload_id: String,
        part: Part,
    },
    /// `parts` names each chosen part and the blob the caller read it from (a part
    /// replaced since is `InvalidPart`); `blob` holds their concatenation.
    CompleteMultipartUpload {
        bucket: String,
        key: String,
        upload_id: String,
        parts: Vec<(u32, String)>,
        size: u64,
        etag: String,
        blob: String,
    },
    AbortMultipartUpload {
        bucket: String,
        key: String,
        upload_id: String,
    },
    /// `location` is the body's `LocationConstraint`, if any.
    CreateBucket {
        bucket: String,
        location: Option<String>,
    },
    DeleteBucket {
        bucket: String,
    },
    PutObject(Box<PutObject>),
    /// Keys that name no object are not errors (S3 reports them deleted).
    DeleteObjects {
        bucket: String,
        keys: Vec<String>,
    },
}

/// What an S3 write answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum S3Outcome {
    Done,
    /// A new multipart upload's id.
    Upload(String),
    /// The blobs no object or upload names any more.
    Released(Vec<String>),
    /// The object stored, and the blobs no object names any more (the server deletes them).
    Put {
        object: Box<S3Object>,
        released: Vec<String>,
    },
    /// The keys removed, and the blobs no object names any more.
    Deleted {
        keys: Vec<String>,
        released: Vec<String>,
    },
}

impl Model {
    /// A bucket `account` may use: `NoSuchBucket` when no account has it, `AccessDenied`
    /// when another account owns it (no bucket policies grant access yet).
    pub fn s3_bucket(&self, account: &AccountId, name: &str) -> Result<&Bucket, ModelError> {
        let bucket = self
            .buckets
            .get(&BucketName(SmolStr::new(name)))
            .map(AsRef::as_ref)
            .ok_or_else(no_such_bucket)?;
        if &bucket.scope.account != account {
            return Err(access_denied());
        }
        Ok(bucket)
    }

    /// The buckets `account` owns in every region, in name order (ListBuckets).
    pub fn s3_buckets_of<'a>(
        &'a self,
        account: &'a AccountId,
    ) -> impl Iterator<Item = &'a Bucket> + 'a {
        self.buckets
            .values()
            .filter(move |b| &b.scope.account == account)
            .map(AsRef::as_ref)
    }

    /// A multipart upload of `bucket`/`key`.
    pub fn s3_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<&MultipartUpload, ModelError> {
        self.s3_uploads
            .get(&UploadId(SmolStr::new(upload_id)))
            .map(AsRef::as_ref)
            .filter(|u| u.bucket.as_str() == bucket && u.key == key)
            .ok_or_else(no_such_upload)
    }

    /// The uploads in progress in a bucket, by key then initiation.
    pub fn s3_uploads_of<'a>(&'a self, bucket: &'a str) -> Vec<&'a MultipartUpload> {
        let mut out: Vec<&MultipartUpload> = self
            .s3_uploads
            .values()
            .filter(|u| u.bucket.as_str() == bucket)
            .map(AsRef::as_ref)
            .collect();
        out.sort_by(|a, b| (&a.key, a.initiated).cmp(&(&b.key, b.initiated)));
        out
    }

    /// One object of a bucket.
    pub fn s3_object(&self, bucket: &str, key: &str) -> Result<&S3Object, ModelError> {
        self.s3_objects
            .get(&ObjectId::new(bucket, key))
            .map(AsRef::as_ref)
            .ok_or_else(no_such_key)
    }

    /// A bucket's objects whose keys start with `prefix` and sort after `after`, in key
    /// order.
    pub fn s3_objects_after<'a>(
        &'a self,
        bucket: &str,
        prefix: &'a str,
        after: &str,
    ) -> impl Iterator<Item = &'a S3Object> + 'a {
        let start = if after > prefix { after } else { prefix };
        let from = ObjectId::new(bucket, start);
        let bucket_prefix = format!("{bucket}/");
        self.s3_objects
            .range(from..)
            .take_while(move |(k, _)| {
                k.as_str()
                    .strip_prefix(&bucket_prefix)
                    .is_some_and(|key| key.starts_with(prefix))
            })
            .map(|(_, o)| o.as_ref())
    }
}

impl Txn<'_, '_> {
    pub(crate) fn run_s3(&mut self, command: &S3Command) -> Result<S3Outcome, ModelError> {
        match command {
            S3Command::CreateBucket { bucket, location } => {
                self.create_bucket(bucket, location.as_deref())?;
                Ok(S3Outcome::Done)
            }
            S3Command::DeleteBucket { bucket } => {
                let owned = self.model.s3_bucket(&self.ctx.scope.account, bucket)?;
                let id = owned.id.clone();
                if self.model.s3_objects_after(bucket, "", "").next().is_some() {
                    return Err(s3_error(
                        S3ErrorCode::BucketNotEmpty,
                        "The bucket you tried to delete is not empty",
                    ));
                }
                // Uploads in progress go with the bucket.
                let uploads: Vec<(UploadId, Vec<String>)> = self
                    .model
                    .s3_uploads_of(bucket)
                    .into_iter()
                    .map(|u| {
                        (
                            u.id.clone(),
                            u.parts.values().map(|p| p.blob.clone()).collect(),
                        )
                    })
                    .collect();
                let mut released = Vec::new();
                for (upload, blobs) in uploads {
                    released.extend(blobs);
                    self.delete(ResourceRef::S3MultipartUpload(upload));
                }
                self.delete(ResourceRef::S3Bucket(id));
                Ok(S3Outcome::Released(released))
            }
            S3Command::PutBucketPolicy { bucket, policy } => {
                check_bucket_policy(policy)?;
                self.edit_bucket(bucket, |b| b.policy = Some(policy.clone()))
            }
            S3Command::DeleteBucketPolicy { bucket } => {
                self.edit_bucket(bucket, |b| b.policy = None)
            }
            S3Command::PutBucketTagging { bucket, tags } => {
                check_tags(tags)?;
                self.edit_bucket(bucket, |b| b.tags = tags.iter().cloned().collect())
            }
            S3Command::CreateMultipartUpload(put) => {
                let b = self.model.s3_bucket(&self.ctx.scope.account, &put.bucket)?;
                let (scope, bucket) = (b.scope.clone(), b.id.clone());
                check_key(&put.key)?;
                let id = UploadId(SmolStr::new(self.ctx.ids.hex(64)));
                self.put(Resource::S3MultipartUpload(MultipartUpload {
                    id: id.clone(),
                    scope,
                    bucket,
                    key: put.key.clone(),
                    initiated: self.ctx.now,
                    content_type: put.content_type.clone(),
                    metadata: put.metadata.clone(),
                    headers: put.headers.clone(),
                    parts: std::collections::BTreeMap::new(),
                    tags: Tags::default(),
                }));
                Ok(S3Outcome::Upload(id.as_str().to_owned()))
            }
            S3Command::UploadPart {
                bucket,
                key,
                upload_id,
                part,
            } => {
                self.model.s3_bucket(&self.ctx.scope.account, bucket)?;
                let mut upload = self.model.s3_upload(bucket, key, upload_id)?.clone();
                if !(1..=MAX_PART_NUMBER).contains(&part.number) {
                    return Err(s3_error(
                        S3ErrorCode::InvalidArgument,
                        format!(
                            "Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive"
                        ),
                    ));
                }
                let mut part = part.clone();
                part.last_modified = self.ctx.now;
                let released = upload
                    .parts
                    .insert(part.number, part)
                    .map(|old| old.blob)
                    .into_iter()
                    .collect();
                self.put(Resource::S3MultipartUpload(upload));
                Ok(S3Outcome::Released(released))
            }
            S3Command::CompleteMultipartUpload {
                bucket,
                key,
                upload_id,
                parts,
                size,
                etag,
                blob,
            } => {
                self.model.s3_bucket(&self.ctx.scope.account, bucket)?;
                let upload = self.model.s3_upload(bucket, key, upload_id)?.clone();
                for (number, blob) in parts {
                    if upload.parts.get(number).map(|p| &p.blob) != Some(blob) {
                        return Err(invalid_part());
                    }
                }
                let put = PutObject {
                    bucket: bucket.clone(),
                    key: key.clone(),
                    size: *size,
                    etag: etag.clone(),
                    content_type: upload.content_type.clone(),
                    metadata: upload.metadata.clone(),
                    headers: upload.headers.clone(),
                    blob: blob.clone(),
                };
                let outcome = self.put_object(&put)?;
                self.delete(ResourceRef::S3MultipartUpload(upload.id.clone()));
                match outcome {
                    S3Outcome::Put {
                        object,
                        mut released,
                    } => {
                        released.extend(upload.parts.into_values().map(|p| p.blob));
                        Ok(S3Outcome::Put { object, released })
                    }
                    other => Ok(other),
                }
            }
            S3Command::AbortMultipartUpload {
                bucket,
                key,
                upload_id,
            } => {
                self.model.s3_bucket(&self.ctx.scope.account, bucket)?;
                let upload = self.model.s3_upload(bucket, key, upload_id)?.clone();
                self.delete(ResourceRef::S3MultipartUpload(upload.id.clone()));
                Ok(S3Outcome::Released(
                    upload.parts.into_values().map(|p| p.blob).collect(),
                ))
            }
            S3Command::PutObject(put) => self.put_object(put),
            S3Command::DeleteObjects { bucket, keys } => {
                self.model.s3_bucket(&self.ctx.scope.account, bucket)?;
                let mut released = Vec::new();
                for key in keys {
                    if let Ok(old) = self.model.s3_object(bucket, key) {
                        let (id, blob) = (old.id.clone(), old.blob.clone());
                        released.push(blob);
                        self.delete(ResourceRef::S3Object(id));
                    }
                }
                Ok(S3Outcome::Deleted {
                    keys: keys.clone(),
                    released,
                })
            }
        }
    }

    fn edit_bucket(
        &mut self,
        bucket: &str,
        edit: impl FnOnce(&mut Bucket),
    ) -> Result<S3Outcome, ModelError> {
        let mut b = self
            .model
            .s3_bucket(&self.ctx.scope.account, bucket)?
            .clone();
        edit(&mut b);
        self.put(Resource::S3Bucket(b));
        Ok(S3Outcome::Done)
    }

    fn create_bucket(&mut self, name: &str, location: Option<&str>) -> Result<(), ModelError> {
        check_bucket_name(name)?;
        let region = self.ctx.scope.region.as_str();
        match location {
            // us-east-1 takes no constraint; naming it is refused as S3 does.
            Some(l) if region == S3_LEGACY_REGION && l == S3_LEGACY_REGION => {
                return Err(s3_error(
                    S3ErrorCode::InvalidLocationConstraint,
                    "The specified location-constraint is not valid",
                ));
            }
            Some(l) if l != region => {
                return Err(s3_error(
                    S3ErrorCode::IllegalLocationConstraintException,
                    format!(
                        "The {l} location constraint is incompatible for the region specific endpoint this request was sent to."
                    ),
                ));
            }
            None if region != S3_LEGACY_REGION => {
                return Err(s3_error(
                    S3ErrorCode::IllegalLocationConstraintException,
                    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
                ));
            }
            _ => {}
        }
        let id = BucketName(SmolStr::new(name));
        if let Some(existing) = self.model.buckets.get(&id) {
            return Err(if existing.scope.account == self.ctx.scope.account {
                s3_error(
                    S3ErrorCode::BucketAlreadyOwnedByYou,
                    "Your previous request to create the named bucket succeeded and you already own it.",
                )
            } else {
                s3_error(
                    S3ErrorCode::BucketAlreadyExists,
                    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
                )
            });
        }
        self.put(Resource::S3Bucket(Bucket {
            id,
            scope: self.ctx.scope.clone(),
            creation_date: self.ctx.now,
            tags: Tags::default(),
            policy: None,
        }));
        Ok(())
    }

    fn put_object(&mut self, put: &PutObject) -> Result<S3Outcome, ModelError> {
        let bucket = self.model.s3_bucket(&self.ctx.scope.account, &put.bucket)?;
        let scope = bucket.scope.clone();
        let bucket_id = bucket.id.clone();
        check_key(&put.key)?;
        let released = self
            .model
            .s3_object(&put.bucket, &put.key)
            .ok()
            .map(|old| old.blob.clone())
            .filter(|blob| *blob != put.blob)
            .into_iter()
            .collect();
        let object = S3Object {
            id: ObjectId::new(&put.bucket, &put.key),
            scope,
            bucket: bucket_id,
            key: put.key.clone(),
            size: put.size,
            etag: put.etag.clone(),
            content_type: put.content_type.clone(),
            metadata: put.metadata.clone(),
            headers: put.headers.clone(),
            last_modified: self.ctx.now,
            blob: put.blob.clone(),
            tags: Tags::default(),
        };
        self.put(Resource::S3Object(object.clone()));
        Ok(S3Outcome::Put {
            object: Box::new(object),
            released,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Command;
    use crate::testing::Harness;

    fn put(bucket: &str, key: &str, blob: &str) -> Command {
        Command::S3(S3Command::PutObject(Box::new(PutObject {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            size: 3,
            etag: "e".to_owned(),
            content_type: "binary/octet-stream".to_owned(),
            metadata: Vec::new(),
            headers: Vec::new(),
            blob: blob.to_owned(),
        })))
    }

    fn create(bucket: &str, location: Option<&str>) -> Command {
        Command::S3(S3Command::CreateBucket {
            bucket: bucket.to_owned(),
            location: location.map(str::to_owned),
        })
    }

    #[test]
    fn bucket_names_follow_s3_rules() {
        for ok in ["abc", "my-bucket.1", "a1b"] {
            assert!(check_bucket_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "Abc",
            "-abc",
            "abc-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "a_b",
            &"a".repeat(64),
        ] {
            assert!(check_bucket_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn buckets_are_global_and_keep_their_objects_in_key_order() {
        let mut h = Harness::new(false);
        let region = h.scope.region.clone();
        let e = h.run(create("bkt", None)).unwrap_err();
        assert_eq!(e.code(), "IllegalLocationConstraintException");
        let e = h.run(create("bkt", Some("eu-west-1"))).unwrap_err();
        assert_eq!(e.code(), "IllegalLocationConstraintException");
        h.run(create("bkt", Some(&region))).unwrap();
        let e = h.run(create("bkt", Some(&region))).unwrap_err();
        assert_eq!((e.code(), e.status()), ("BucketAlreadyOwnedByYou", 409));
        h.run(create("bkt-2", Some(&region))).unwrap();
        for key in ["b/2", "a", "b/1", "c"] {
            h.run(put("bkt", key, key)).unwrap();
        }
        h.run(put("bkt-2", "z", "z")).unwrap();
        let keys: Vec<&str> = h
            .model
            .s3_objects_after("bkt", "", "")
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(keys, ["a", "b/1", "b/2", "c"]);
        let keys: Vec<&str> = h
            .model
            .s3_objects_after("bkt", "b/", "b/1")
            .map(|o| o.key.as_str())
            .filter(|k| *k != "b/1")
            .collect();
        assert_eq!(keys, ["b/2"]);
        let e = h
            .run(Command::S3(S3Command::DeleteBucket {
                bucket: "bkt".to_owned(),
            }))
            .unwrap_err();
        assert_eq!((e.code(), e.status()), ("BucketNotEmpty", 409));
        let out = h
            .run(Command::S3(S3Command::DeleteObjects {
                bucket: "bkt".to_owned(),
                keys: vec!["a".into(), "b/1".into(), "b/2".into(), "c".into()],
            }))
            .unwrap();
        assert!(
            matches!(out, crate::Outcome::S3(S3Outcome::Deleted { released, .. }) if released.len() == 4)
        );
        h.run(Command::S3(S3Command::DeleteBucket {
            bucket: "bkt".to_owned(),
        }))
        .unwrap();
        assert_eq!(
            h.model
                .s3_bucket(&h.scope.account, "bkt")
                .unwrap_err()
                .code(),
            "NoSuchBucket"
        );
    }

    #[test]
    fn multipart_uploads_complete_into_one_object_and_release_their_parts() {
        let mut h = Harness::new(false);
        let region = h.scope.region.clone();
        h.run(create("mp-bucket", Some(&region))).unwrap();
        let new_upload = Command::S3(S3Command::CreateMultipartUpload(Box::new(PutObject {
            bucket: "mp-bucket".to_owned(),
            key: "k".to_owned(),
            size: 0,
            etag: String::new(),
            content_type: "text/plain".to_owned(),
            metadata: Vec::new(),
            headers: Vec::new(),
            blob: String::new(),
        })));
        let Ok(crate::Outcome::S3(S3Outcome::Upload(id))) = h.run(new_upload) else {
            panic!("no upload id");
        };
        let part = |number: u32, blob: &str| {
            Command::S3(S3Command::UploadPart {
                bucket: "mp-bucket".to_owned(),
                key: "k".to_owned(),
                upload_id: id.clone(),
                part: Part {
                    number,
                    size: 1,
                    etag: "e".to_owned(),
                    blob: blob.to_owned(),
                    last_modified: Timestamp(0),
                },
            })
        };
        h.run(part(1, "p1")).unwrap();
        // A part uploaded again releases the blob it replaces.
        let out = h.run(part(1, "p1b")).unwrap();
        assert_eq!(
            out,
            crate::Outcome::S3(S3Outcome::Released(vec!["p1".to_owned()]))
        );
        h.run(part(2, "p2")).unwrap();
        let complete = |parts: Vec<(u32, String)>| {
            Command::S3(S3Command::CompleteMultipartUpload {
                bucket: "mp-bucket".to_owned(),
                key: "k".to_owned(),
                upload_id: id.clone(),
                parts,
                size: 2,
                etag: "x-1".to_owned(),
                blob: "whole".to_owned(),
            })
        };
        let e = h.run(complete(vec![(1, "p1".to_owned())])).unwrap_err();
        assert_eq!(e.code(), "InvalidPart");
        let out = h.run(complete(vec![(1, "p1b".to_owned())])).unwrap();
        let crate::Outcome::S3(S3Outcome::Put { object, released }) = out else {
            panic!("not a put");
        };
        assert_eq!(
            (object.blob.as_str(), object.content_type.as_str()),
            ("whole", "text/plain")
        );
        assert_eq!(released, ["p1b", "p2"]);
        assert_eq!(
            h.model.s3_upload("mp-bucket", "k", &id).unwrap_err().code(),
            "NoSuchUpload"
        );
    }
}
