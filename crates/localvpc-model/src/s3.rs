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
        }
    }

    pub fn status(self) -> u16 {
        match self {
            Self::NoSuchBucket | Self::NoSuchKey => 404,
            Self::BucketNotEmpty | Self::BucketAlreadyExists | Self::BucketAlreadyOwnedByYou => 409,
            Self::AccessDenied => 403,
            Self::InvalidBucketName
            | Self::IllegalLocationConstraintException
            | Self::InvalidLocationConstraint
            | Self::InvalidArgument
            | Self::KeyTooLongError => 400,
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
                self.delete(ResourceRef::S3Bucket(id));
                Ok(S3Outcome::Done)
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
        }));
        Ok(())
    }

    fn put_object(&mut self, put: &PutObject) -> Result<S3Outcome, ModelError> {
        let bucket = self.model.s3_bucket(&self.ctx.scope.account, &put.bucket)?;
        let scope = bucket.scope.clone();
        let bucket_id = bucket.id.clone();
        if put.key.is_empty() {
            return Err(s3_error(
                S3ErrorCode::InvalidArgument,
                "A key must be specified",
            ));
        }
        if put.key.len() > MAX_KEY_BYTES {
            return Err(s3_error(
                S3ErrorCode::KeyTooLongError,
                "Your key is too long",
            ));
        }
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
}
