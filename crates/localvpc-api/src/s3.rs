//! Amazon S3 (REST-XML, signing name `s3`): buckets and objects, path-style and
//! virtual-hosted-style, as the aws CLI (`s3 mb/ls/cp/rm/rb`) and boto3 use them.
//!
//! Unlike the other services, S3 carries bytes: a request is an [`S3Request`] (headers and
//! the raw body) and the answer an [`S3Response`] (any headers, a byte body). Object bytes
//! live in the server's [`Blobs`]; the model keeps the metadata. A write stores the blob
//! first (durably), then commits the command that names it; the blobs a command releases
//! (an overwritten or deleted object's) are removed after the commit, so a crash at any
//! point leaves at worst an unnamed blob, which the server deletes at start.
//!
//! Served: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
//! Get/Put/DeleteBucketPolicy, Get/Put/DeleteBucketTagging, ListObjects, ListObjectsV2,
//! PutObject, GetObject (with `Range`), HeadObject, DeleteObject, DeleteObjects, CopyObject,
//! CreateMultipartUpload, UploadPart, ListParts, ListMultipartUploads,
//! CompleteMultipartUpload, AbortMultipartUpload. Everything else answers `NotImplemented`
//! (docs/aws-choices.md, "S3").

use crate::service::ensure_scope;
use crate::{ApiError, Backend, RequestCtx, execute_as};
use base64::Engine as _;
use bytes::Bytes;
use http::HeaderMap;
use localvpc_model::s3::{
    PutObject, S3Command, S3ErrorCode, S3Object, S3Outcome, check_bucket_name,
};
use localvpc_model::{AccountId, Command, Model, Timestamp};
use localvpc_wire::md5::{hex, md5};
use localvpc_wire::query::QueryParams;
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;
use localvpc_wire::xml_doc::parse_document;
use std::time::{Duration, UNIX_EPOCH};

/// S3's XML namespace.
pub const S3_NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
/// The most keys one list call returns, and the most DeleteObjects takes.
const MAX_KEYS: usize = 1000;

/// A blob read or write in progress (the server runs file I/O off the async workers).
pub type BlobFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// Where object bytes live: files under the data directory, or memory with `--ephemeral`.
pub trait Blobs: Send + Sync {
    /// Stores bytes durably and names them.
    fn put(&self, data: Bytes) -> BlobFuture<'_, String>;
    /// The bytes of a blob.
    fn get(&self, blob: &str) -> BlobFuture<'_, Bytes>;
    /// Deletes blobs no object names any more (best effort: leftovers go at next start).
    fn release(&self, blobs: &[String]);
}

/// One S3 request.
#[derive(Clone, Copy, Debug)]
pub struct S3Request<'a> {
    pub method: &'a str,
    /// Still percent-encoded.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The bucket the `Host` header names (virtual-hosted style), if any.
    pub host_bucket: Option<&'a str>,
}

/// One S3 answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl S3Response {
    fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    fn xml(status: u16, body: String) -> Self {
        Self {
            status,
            headers: vec![("content-type".to_owned(), "application/xml".to_owned())],
            body: Bytes::from(body),
        }
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// S3's error document.
pub fn error_xml(code: &str, message: &str, request_id: &str) -> String {
    let mut w = XmlWriter::new();
    w.node("Error", |w| {
        w.leaf("Code", code)
            .leaf("Message", message)
            .leaf("RequestId", request_id)
            .leaf("HostId", request_id);
    });
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", w.finish())
}

fn not_implemented(what: &str) -> ApiError {
    ApiError::new(
        501,
        "NotImplemented",
        format!(
            "A header you provided implies functionality that is not implemented ({what} is not emulated by localvpc)"
        ),
    )
}

fn s3_err(code: S3ErrorCode, message: impl Into<String>) -> ApiError {
    localvpc_model::s3::s3_error(code, message).into()
}

fn invalid_argument(message: impl Into<String>) -> ApiError {
    s3_err(S3ErrorCode::InvalidArgument, message)
}

/// Serves one S3 request.
pub async fn handle<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
) -> S3Response {
    match serve(backend, blobs, ctx, request).await {
        Ok(r) => r,
        Err(e) => {
            let mut r = S3Response::xml(e.status, error_xml(&e.code, &e.message, &ctx.request_id));
            if request.method == "HEAD" {
                r.body = Bytes::new();
            }
            r
        }
    }
}

/// The IAM action and resource ARN of an S3 request in path style (`/BUCKET/KEY`), as
/// endpoint policies see it: `s3:ListAllMyBuckets` on `arn:aws:s3:::*`, bucket actions on
/// `arn:aws:s3:::BUCKET`, object actions on `arn:aws:s3:::BUCKET/KEY`.
pub fn iam_request(method: &str, path: &str, query: &str) -> (String, String) {
    let query = QueryParams::parse(query.as_bytes());
    let has = |name: &str| query.get(name).is_some();
    let path = path.strip_prefix('/').unwrap_or(path);
    let (bucket, key) = match path.split_once('/') {
        None => (percent_decode(path), String::new()),
        Some((bucket, key)) => (percent_decode(bucket), percent_decode(key)),
    };
    let action = |a: &str| format!("s3:{a}");
    if bucket.is_empty() {
        return (action("ListAllMyBuckets"), "arn:aws:s3:::*".to_owned());
    }
    if key.is_empty() {
        let name = match method {
            _ if has("policy") => match method {
                "GET" => "GetBucketPolicy",
                "DELETE" => "DeleteBucketPolicy",
                _ => "PutBucketPolicy",
            },
            _ if has("tagging") => match method {
                "GET" => "GetBucketTagging",
                _ => "PutBucketTagging",
            },
            _ if has("location") => "GetBucketLocation",
            _ if has("uploads") => "ListBucketMultipartUploads",
            "POST" if has("delete") => {
                return (action("DeleteObject"), format!("arn:aws:s3:::{bucket}/*"));
            }
            "PUT" => "CreateBucket",
            "DELETE" => "DeleteBucket",
            _ => "ListBucket",
        };
        return (action(name), format!("arn:aws:s3:::{bucket}"));
    }
    let name = match method {
        "DELETE" if has("uploadId") => "AbortMultipartUpload",
        "GET" if has("uploadId") => "ListMultipartUploadParts",
        "GET" | "HEAD" => "GetObject",
        "DELETE" => "DeleteObject",
        _ => "PutObject",
    };
    (action(name), format!("arn:aws:s3:::{bucket}/{key}"))
}

/// The bucket and key a request names: the `Host` header's bucket and the whole path as
/// the key, or the path's first segment and the rest.
fn target<'a>(request: &S3Request<'a>) -> (Option<String>, Option<String>) {
    let path = request.path.strip_prefix('/').unwrap_or(request.path);
    if let Some(bucket) = request.host_bucket {
        let key = (!path.is_empty()).then(|| percent_decode(path));
        return (Some(bucket.to_owned()), key);
    }
    if path.is_empty() {
        return (None, None);
    }
    match path.split_once('/') {
        None => (Some(percent_decode(path)), None),
        Some((bucket, "")) => (Some(percent_decode(bucket)), None),
        Some((bucket, key)) => (Some(percent_decode(bucket)), Some(percent_decode(key))),
    }
}

async fn serve<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
) -> Result<S3Response, ApiError> {
    let query = QueryParams::parse(request.query.as_bytes());
    let (bucket, key) = target(request);
    let method = request.method;
    let Some(bucket) = bucket else {
        return match method {
            "GET" => Ok(list_buckets(backend, ctx)),
            _ => Err(ApiError::new(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            )),
        };
    };
    let Some(key) = key else {
        return bucket_operation(backend, blobs, ctx, request, &query, &bucket).await;
    };
    if query.get("uploads").is_some() || query.get("uploadId").is_some() {
        return multipart(backend, blobs, ctx, request, &query, &bucket, &key).await;
    }
    for sub in [
        "partNumber",
        "tagging",
        "acl",
        "retention",
        "legal-hold",
        "torrent",
        "restore",
        "select",
        "attributes",
        "versionId",
    ] {
        if query.get(sub).is_some() {
            return Err(not_implemented(&format!("the object subresource `{sub}`")));
        }
    }
    match method {
        "PUT" => match request.headers.get("x-amz-copy-source") {
            Some(source) => {
                let source = source.to_str().unwrap_or_default();
                copy_object(backend, blobs, ctx, request, &bucket, &key, source).await
            }
            None => put_object(backend, blobs, ctx, request, &bucket, &key).await,
        },
        "GET" | "HEAD" => get_object(backend, blobs, ctx, request, &bucket, &key).await,
        "DELETE" => {
            delete_keys(backend, blobs, ctx, &bucket, vec![key]).await?;
            Ok(S3Response::empty(204))
        }
        _ => Err(ApiError::new(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )),
    }
}

async fn bucket_operation<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    query: &QueryParams,
    bucket: &str,
) -> Result<S3Response, ApiError> {
    let account = &ctx.scope.account;
    let known = [
        "list-type",
        "prefix",
        "delimiter",
        "max-keys",
        "continuation-token",
        "start-after",
        "encoding-type",
        "fetch-owner",
        "marker",
        "location",
        "delete",
        "x-id",
        "policy",
        "tagging",
        "uploads",
        "key-marker",
        "upload-id-marker",
        "max-uploads",
    ];
    // A presigned URL's signature parameters name no subresource.
    let signature = |k: &str| {
        k.starts_with("X-Amz-") || matches!(k, "AWSAccessKeyId" | "Signature" | "Expires")
    };
    if let Some(sub) = query.keys().find(|k| !known.contains(k) && !signature(k)) {
        return Err(not_implemented(&format!("the bucket subresource `{sub}`")));
    }
    if query.get("policy").is_some() {
        return bucket_policy(backend, ctx, request, bucket).await;
    }
    if query.get("tagging").is_some() {
        return bucket_tagging(backend, ctx, request, bucket).await;
    }
    if query.get("uploads").is_some() && request.method == "GET" {
        let model = backend.snapshot();
        model.s3_bucket(account, bucket)?;
        return Ok(list_uploads(&model, bucket));
    }
    match (request.method, query.get("location"), query.get("delete")) {
        ("PUT", None, None) => {
            check_bucket_name(bucket)?;
            let location = if request.body.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                let doc = parse_document(request.body).map_err(|_| malformed_xml())?;
                doc.text_of("LocationConstraint")
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
            };
            ensure_scope(backend, &ctx.scope).await?;
            let command = S3Command::CreateBucket {
                bucket: bucket.to_owned(),
                location,
            };
            execute_as::<B, ()>(backend, &ctx.scope, Command::S3(command)).await?;
            Ok(S3Response::empty(200).header("location", format!("/{bucket}")))
        }
        ("HEAD", None, None) => {
            let b = backend.snapshot();
            let b = b.s3_bucket(account, bucket)?;
            Ok(S3Response::empty(200)
                .header("x-amz-bucket-region", b.scope.region.clone())
                .header("x-amz-access-point-alias", "false"))
        }
        ("DELETE", None, None) => {
            let command = S3Command::DeleteBucket {
                bucket: bucket.to_owned(),
            };
            released(
                blobs,
                execute_as(backend, &ctx.scope, Command::S3(command)).await?,
            );
            Ok(S3Response::empty(204))
        }
        ("GET", Some(_), _) => {
            let model = backend.snapshot();
            let b = model.s3_bucket(account, bucket)?;
            let region = b.scope.region.as_str();
            let region = if region == localvpc_model::s3::S3_LEGACY_REGION {
                ""
            } else {
                region
            };
            let mut w = XmlWriter::new();
            w.open(&format!("LocationConstraint xmlns=\"{S3_NAMESPACE}\""))
                .text(region)
                .close("LocationConstraint");
            Ok(S3Response::xml(200, document(w)))
        }
        ("GET", None, None) => {
            let model = backend.snapshot();
            model.s3_bucket(account, bucket)?;
            list_objects(&model, bucket, query)
        }
        ("POST", None, Some(_)) => delete_objects(backend, blobs, ctx, request, bucket).await,
        _ => Err(ApiError::new(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )),
    }
}

fn malformed_xml() -> ApiError {
    ApiError::new(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

fn document(w: XmlWriter) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", w.finish())
}

/// The canonical user id S3 shows as an account's owner id (64 hex digits, stable).
fn owner_id(account: &AccountId) -> String {
    let a = md5(account.to_string().as_bytes());
    let b = md5(&a);
    format!("{}{}", hex(&a), hex(&b))
}

fn owner(w: &mut XmlWriter, account: &AccountId) {
    w.node("Owner", |w| {
        w.leaf("ID", &owner_id(account))
            .leaf("DisplayName", &account.to_string());
    });
}

fn list_buckets<B: Backend>(backend: &B, ctx: &RequestCtx) -> S3Response {
    let model = backend.snapshot();
    let account = &ctx.scope.account;
    let mut w = XmlWriter::new();
    w.open(&format!("ListAllMyBucketsResult xmlns=\"{S3_NAMESPACE}\""));
    owner(&mut w, account);
    w.node("Buckets", |w| {
        for b in model.s3_buckets_of(account) {
            w.node("Bucket", |w| {
                w.leaf("Name", b.name())
                    .leaf("CreationDate", &iso8601_millis(b.creation_date.0))
                    .leaf("BucketRegion", &b.scope.region);
            });
        }
    });
    w.close("ListAllMyBucketsResult");
    S3Response::xml(200, document(w))
}

/// One entry of a listing: an object, or a common prefix that stands for every key under it.
enum Entry<'a> {
    Object(&'a S3Object),
    Prefix(&'a str),
}

struct Listing<'a> {
    objects: Vec<&'a S3Object>,
    prefixes: Vec<&'a str>,
    truncated: bool,
    /// The last entry returned (a key or a common prefix): where the next page starts.
    last: Option<&'a str>,
}

/// The keys after `after` with `prefix`, grouped by `delimiter`, at most `max` entries
/// (objects and common prefixes count alike).
fn list<'a>(
    model: &'a Model,
    bucket: &str,
    prefix: &'a str,
    delimiter: &str,
    after: &str,
    max: usize,
) -> Listing<'a> {
    let mut out = Listing {
        objects: Vec::new(),
        prefixes: Vec::new(),
        truncated: false,
        last: None,
    };
    let mut count = 0;
    for object in model
        .s3_objects_after(bucket, prefix, after)
        .filter(|o| o.key.as_str() > after)
    {
        let rest = object.key.get(prefix.len()..).unwrap_or_default();
        let common = (!delimiter.is_empty())
            .then(|| rest.find(delimiter))
            .flatten()
            .and_then(|i| object.key.get(..prefix.len() + i + delimiter.len()));
        let entry = match common {
            Some(p) => {
                // Already returned, on this page or an earlier one.
                if p <= after || out.prefixes.last() == Some(&p) {
                    continue;
                }
                Entry::Prefix(p)
            }
            None => Entry::Object(object),
        };
        if count == max {
            out.truncated = true;
            break;
        }
        count += 1;
        match entry {
            Entry::Object(o) => {
                out.last = Some(o.key.as_str());
                out.objects.push(o);
            }
            Entry::Prefix(p) => {
                out.last = Some(p);
                out.prefixes.push(p);
            }
        }
    }
    out
}

fn max_keys(query: &QueryParams) -> Result<usize, ApiError> {
    match query.get("max-keys") {
        None | Some("") => Ok(MAX_KEYS),
        Some(v) => v.parse::<usize>().map(|n| n.min(MAX_KEYS)).map_err(|_| {
            invalid_argument("Provided max-keys not an integer or within integer range")
        }),
    }
}

fn list_objects(model: &Model, bucket: &str, query: &QueryParams) -> Result<S3Response, ApiError> {
    let v2 = match query.get("list-type") {
        Some("2") => true,
        None => false,
        Some(_) => return Err(invalid_argument("Invalid List Type specified")),
    };
    let encode = match query.get("encoding-type") {
        None => false,
        Some("url") => true,
        Some(_) => {
            return Err(invalid_argument(
                "Invalid Encoding Method specified in Request",
            ));
        }
    };
    let enc = |s: &str| if encode { url_encode(s) } else { s.to_owned() };
    let prefix = query.get("prefix").unwrap_or_default();
    let delimiter = query.get("delimiter").unwrap_or_default();
    let max = max_keys(query)?;
    let token = match query.get("continuation-token") {
        Some(t) if v2 => Some(
            decode_token(t)
                .ok_or_else(|| invalid_argument("The continuation token provided is incorrect"))?,
        ),
        _ => None,
    };
    let after = match (&token, v2) {
        (Some(t), _) => t.clone(),
        (None, true) => query.get("start-after").unwrap_or_default().to_owned(),
        (None, false) => query.get("marker").unwrap_or_default().to_owned(),
    };
    let listing = list(model, bucket, prefix, delimiter, &after, max);
    let mut w = XmlWriter::new();
    w.open(&format!("ListBucketResult xmlns=\"{S3_NAMESPACE}\""));
    w.leaf("Name", bucket).leaf("Prefix", &enc(prefix));
    if v2 {
        if let Some(t) = query.get("continuation-token") {
            w.leaf("ContinuationToken", t);
        }
        if let Some(s) = query.get("start-after") {
            w.leaf("StartAfter", &enc(s));
        }
        w.num("KeyCount", listing.objects.len() + listing.prefixes.len());
    } else {
        w.leaf("Marker", &enc(query.get("marker").unwrap_or_default()));
    }
    w.num("MaxKeys", max);
    if !delimiter.is_empty() {
        w.leaf("Delimiter", &enc(delimiter));
    }
    if encode {
        w.leaf("EncodingType", "url");
    }
    w.bool("IsTruncated", listing.truncated);
    if listing.truncated
        && let Some(last) = listing.last
    {
        if v2 {
            w.leaf("NextContinuationToken", &encode_token(last));
        } else if !delimiter.is_empty() {
            w.leaf("NextMarker", &enc(last));
        }
    }
    let fetch_owner = !v2 || query.get("fetch-owner") == Some("true");
    for o in &listing.objects {
        w.node("Contents", |w| {
            w.leaf("Key", &enc(&o.key))
                .leaf("LastModified", &iso8601_millis(o.last_modified.0))
                .leaf("ETag", &format!("\"{}\"", o.etag))
                .num("Size", o.size)
                .leaf("StorageClass", "STANDARD");
            if fetch_owner {
                owner(w, &o.scope.account);
            }
        });
    }
    for p in &listing.prefixes {
        w.node("CommonPrefixes", |w| {
            w.leaf("Prefix", &enc(p));
        });
    }
    w.close("ListBucketResult");
    Ok(S3Response::xml(200, document(w)))
}

fn encode_token(last: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(last.as_bytes())
}

fn decode_token(token: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// S3's `encoding-type=url`: every byte but the unreserved characters and `/`.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|c| char::from(*c).to_digit(16)),
                bytes.get(i + 2).and_then(|c| char::from(*c).to_digit(16)),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The body as sent: aws-chunked uploads (`STREAMING-…` payloads, what the aws CLI and
/// boto3 send with trailing checksums) decoded to their data; chunk signatures are not
/// checked (no signature is, docs/aws-choices.md).
fn payload<'a>(request: &S3Request<'a>) -> Result<std::borrow::Cow<'a, [u8]>, ApiError> {
    let streaming = header(request.headers, "x-amz-content-sha256")
        .is_some_and(|v| v.starts_with("STREAMING-"))
        || header(request.headers, "content-encoding")
            .is_some_and(|v| v.split(',').any(|e| e.trim() == "aws-chunked"));
    if !streaming {
        return Ok(std::borrow::Cow::Borrowed(request.body));
    }
    let incomplete = || {
        ApiError::new(
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        )
    };
    let mut out = Vec::with_capacity(request.body.len());
    let mut rest = request.body;
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(incomplete)?;
        let line = std::str::from_utf8(rest.get(..line_end).unwrap_or_default())
            .map_err(|_| incomplete())?;
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| incomplete())?;
        rest = rest.get(line_end + 2..).unwrap_or_default();
        if size == 0 {
            break;
        }
        out.extend_from_slice(rest.get(..size).ok_or_else(incomplete)?);
        rest = rest.get(size..).unwrap_or_default();
        rest = rest.strip_prefix(b"\r\n").ok_or_else(incomplete)?;
    }
    if let Some(expected) = header(request.headers, "x-amz-decoded-content-length")
        .and_then(|v| v.parse::<usize>().ok())
        && expected != out.len()
    {
        return Err(incomplete());
    }
    Ok(std::borrow::Cow::Owned(out))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The headers S3 stores with an object and returns as given.
const STORED_HEADERS: [&str; 5] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

fn user_metadata(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| {
            let name = name.as_str().strip_prefix("x-amz-meta-")?;
            Some((name.to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    out.sort();
    out
}

fn stored_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    STORED_HEADERS
        .iter()
        .filter_map(|name| {
            let value = header(headers, name)?;
            let value = if *name == "content-encoding" {
                let kept: Vec<&str> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|e| *e != "aws-chunked" && !e.is_empty())
                    .collect();
                if kept.is_empty() {
                    return None;
                }
                kept.join(",")
            } else {
                value.to_owned()
            };
            Some(((*name).to_owned(), value))
        })
        .collect()
}

async fn put_object<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    bucket: &str,
    key: &str,
) -> Result<S3Response, ApiError> {
    backend.snapshot().s3_bucket(&ctx.scope.account, bucket)?;
    let data = payload(request)?;
    let digest = md5(&data);
    check_content_md5(request, &digest)?;
    let put = PutObject {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        size: u64::try_from(data.len()).unwrap_or(u64::MAX),
        etag: hex(&digest),
        content_type: header(request.headers, "content-type")
            .unwrap_or("binary/octet-stream")
            .to_owned(),
        metadata: user_metadata(request.headers),
        headers: stored_headers(request.headers),
        blob: String::new(),
    };
    let object = store(backend, blobs, ctx, put, Bytes::from(data.into_owned())).await?;
    let mut r = S3Response::empty(200).header("etag", format!("\"{}\"", object.etag));
    for (name, value) in request.headers {
        if name.as_str().starts_with("x-amz-checksum-")
            && name.as_str() != "x-amz-checksum-type"
            && let Ok(v) = value.to_str()
        {
            r = r.header(name.as_str(), v);
        }
    }
    Ok(r)
}

/// Writes the blob, then commits the object that names it; releases what it replaced.
async fn store<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    mut put: PutObject,
    data: Bytes,
) -> Result<Box<S3Object>, ApiError> {
    put.blob = blobs
        .put(data)
        .await
        .map_err(|e| ApiError::internal(format!("cannot store the object: {e}")))?;
    let blob = put.blob.clone();
    let outcome = execute_as::<B, S3Outcome>(
        backend,
        &ctx.scope,
        Command::S3(S3Command::PutObject(Box::new(put))),
    )
    .await;
    match outcome {
        Ok(S3Outcome::Put { object, released }) => {
            blobs.release(&released);
            Ok(object)
        }
        Ok(other) => {
            blobs.release(&[blob]);
            Err(ApiError::internal(format!("unexpected outcome {other:?}")))
        }
        Err(e) => {
            blobs.release(&[blob]);
            Err(e)
        }
    }
}

async fn copy_object<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    bucket: &str,
    key: &str,
    source: &str,
) -> Result<S3Response, ApiError> {
    let source = percent_decode(source.split('?').next().unwrap_or_default());
    let source = source.strip_prefix('/').unwrap_or(&source);
    let (src_bucket, src_key) = source
        .split_once('/')
        .filter(|(_, k)| !k.is_empty())
        .ok_or_else(|| {
            invalid_argument(
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            )
        })?;
    backend.snapshot().s3_bucket(&ctx.scope.account, bucket)?;
    let (src, data) = read_current(backend, blobs, &ctx.scope.account, src_bucket, src_key).await?;
    let replace = header(request.headers, "x-amz-metadata-directive") == Some("REPLACE");
    if !replace && src_bucket == bucket && src_key == key {
        return Err(ApiError::new(
            400,
            "InvalidRequest",
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let put = PutObject {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        size: src.size,
        etag: src.etag.clone(),
        content_type: if replace {
            header(request.headers, "content-type")
                .unwrap_or("binary/octet-stream")
                .to_owned()
        } else {
            src.content_type.clone()
        },
        metadata: if replace {
            user_metadata(request.headers)
        } else {
            src.metadata.clone()
        },
        headers: if replace {
            stored_headers(request.headers)
        } else {
            src.headers.clone()
        },
        blob: String::new(),
    };
    let object = store(backend, blobs, ctx, put, data).await?;
    let mut w = XmlWriter::new();
    w.open(&format!("CopyObjectResult xmlns=\"{S3_NAMESPACE}\""))
        .leaf("LastModified", &iso8601_millis(object.last_modified.0))
        .leaf("ETag", &format!("\"{}\"", object.etag))
        .close("CopyObjectResult");
    Ok(S3Response::xml(200, document(w)))
}

fn http_date(t: Timestamp) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(t.0))
}

/// A `Range: bytes=…` header against an object of `size` bytes: `Ok(None)` for no (or an
/// unusable) range, which S3 answers with the whole object; `InvalidRange` when it cannot
/// be satisfied.
fn byte_range(value: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, ApiError> {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let unsatisfiable = || {
        ApiError::new(
            416,
            "InvalidRange",
            "The requested range is not satisfiable",
        )
    };
    let range = match (first.trim(), last.trim()) {
        ("", "") => return Ok(None),
        ("", n) => {
            let Ok(n) = n.parse::<u64>() else {
                return Ok(None);
            };
            if n == 0 || size == 0 {
                return Err(unsatisfiable());
            }
            (size.saturating_sub(n), size - 1)
        }
        (a, b) => {
            let Ok(a) = a.parse::<u64>() else {
                return Ok(None);
            };
            let b = if b.is_empty() {
                u64::MAX
            } else {
                match b.parse::<u64>() {
                    Ok(b) if b >= a => b,
                    _ => return Ok(None),
                }
            };
            if a >= size {
                return Err(unsatisfiable());
            }
            (a, b.min(size - 1))
        }
    };
    Ok(Some(range))
}

/// An object's metadata and its bytes, read together: a concurrent overwrite may release
/// the blob a snapshot names before it is read, so a read that finds it gone looks again in
/// the newer snapshot (the one that released it).
async fn read_current<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    account: &AccountId,
    bucket: &str,
    key: &str,
) -> Result<(S3Object, Bytes), ApiError> {
    let mut last = String::new();
    for _ in 0..3 {
        let model = backend.snapshot();
        model.s3_bucket(account, bucket)?;
        let object = model.s3_object(bucket, key)?;
        let (object, read) = (object.clone(), blobs.get(&object.blob));
        drop(model);
        match read.await {
            Ok(data) => return Ok((object, data)),
            Err(e) => last = e,
        }
    }
    Err(ApiError::internal(format!(
        "cannot read object `{key}`: {last}"
    )))
}

async fn get_object<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    bucket: &str,
    key: &str,
) -> Result<S3Response, ApiError> {
    let (object, data) = if request.method == "HEAD" {
        let model = backend.snapshot();
        model.s3_bucket(&ctx.scope.account, bucket)?;
        (model.s3_object(bucket, key)?.clone(), Bytes::new())
    } else {
        read_current(backend, blobs, &ctx.scope.account, bucket, key).await?
    };
    let range = byte_range(header(request.headers, "range"), object.size)?;
    let mut r = S3Response::empty(if range.is_some() { 206 } else { 200 })
        .header("content-type", object.content_type.clone())
        .header("etag", format!("\"{}\"", object.etag))
        .header("last-modified", http_date(object.last_modified))
        .header("accept-ranges", "bytes");
    for (name, value) in &object.headers {
        r = r.header(name, value.clone());
    }
    for (name, value) in &object.metadata {
        r = r.header(&format!("x-amz-meta-{name}"), value.clone());
    }
    let (start, end) = range.unwrap_or((0, object.size.saturating_sub(1)));
    let length = if object.size == 0 { 0 } else { end - start + 1 };
    if let Some((a, b)) = range {
        r = r.header("content-range", format!("bytes {a}-{b}/{}", object.size));
    }
    r = r.header("content-length", length.to_string());
    if request.method == "HEAD" {
        return Ok(r);
    }
    let from = usize::try_from(start).unwrap_or(usize::MAX);
    let to = usize::try_from(start + length).unwrap_or(usize::MAX);
    if to > data.len() || from > to {
        return Err(ApiError::internal(format!(
            "object `{key}` is shorter than its metadata says"
        )));
    }
    r.body = data.slice(from..to);
    Ok(r)
}

/// Removes keys (absent ones are not errors) and releases their blobs.
async fn delete_keys<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    bucket: &str,
    keys: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    let command = S3Command::DeleteObjects {
        bucket: bucket.to_owned(),
        keys,
    };
    match execute_as::<B, S3Outcome>(backend, &ctx.scope, Command::S3(command)).await? {
        S3Outcome::Deleted { keys, released } => {
            blobs.release(&released);
            Ok(keys)
        }
        other => Err(ApiError::internal(format!("unexpected outcome {other:?}"))),
    }
}

async fn delete_objects<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    bucket: &str,
) -> Result<S3Response, ApiError> {
    backend.snapshot().s3_bucket(&ctx.scope.account, bucket)?;
    let data = payload(request)?;
    let doc = parse_document(&data).map_err(|_| malformed_xml())?;
    if doc.name != "Delete" {
        return Err(malformed_xml());
    }
    let quiet = doc.text_of("Quiet") == Some("true");
    let keys: Vec<String> = doc
        .children_named("Object")
        .map(|o| {
            o.text_of("Key")
                .map(str::to_owned)
                .ok_or_else(malformed_xml)
        })
        .collect::<Result<_, _>>()?;
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return Err(malformed_xml());
    }
    let deleted = delete_keys(backend, blobs, ctx, bucket, keys).await?;
    let mut w = XmlWriter::new();
    w.open(&format!("DeleteResult xmlns=\"{S3_NAMESPACE}\""));
    if !quiet {
        for key in &deleted {
            w.node("Deleted", |w| {
                w.leaf("Key", key);
            });
        }
    }
    w.close("DeleteResult");
    Ok(S3Response::xml(200, document(w)))
}

/// Releases what a write's outcome says no object or upload names any more.
fn released(blobs: &dyn Blobs, outcome: S3Outcome) {
    match outcome {
        S3Outcome::Released(r)
        | S3Outcome::Put { released: r, .. }
        | S3Outcome::Deleted { released: r, .. } => blobs.release(&r),
        S3Outcome::Done | S3Outcome::Upload(_) => {}
    }
}

async fn bucket_policy<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    bucket: &str,
) -> Result<S3Response, ApiError> {
    let model = backend.snapshot();
    let b = model.s3_bucket(&ctx.scope.account, bucket)?;
    match request.method {
        "GET" => match &b.policy {
            Some(policy) => Ok(S3Response {
                status: 200,
                headers: vec![("content-type".to_owned(), "application/json".to_owned())],
                body: Bytes::from(policy.clone()),
            }),
            None => Err(s3_err(
                S3ErrorCode::NoSuchBucketPolicy,
                "The bucket policy does not exist",
            )),
        },
        "PUT" => {
            let policy = String::from_utf8(payload(request)?.into_owned()).map_err(|_| {
                s3_err(
                    S3ErrorCode::MalformedPolicy,
                    "Policies must be valid JSON and the first byte must be '{'",
                )
            })?;
            localvpc_model::s3::check_bucket_policy(&policy)?;
            let command = S3Command::PutBucketPolicy {
                bucket: bucket.to_owned(),
                policy,
            };
            execute_as::<B, ()>(backend, &ctx.scope, Command::S3(command)).await?;
            Ok(S3Response::empty(204))
        }
        "DELETE" => {
            let command = S3Command::DeleteBucketPolicy {
                bucket: bucket.to_owned(),
            };
            execute_as::<B, ()>(backend, &ctx.scope, Command::S3(command)).await?;
            Ok(S3Response::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn method_not_allowed() -> ApiError {
    ApiError::new(
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
}

async fn bucket_tagging<B: Backend>(
    backend: &B,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    bucket: &str,
) -> Result<S3Response, ApiError> {
    let model = backend.snapshot();
    let b = model.s3_bucket(&ctx.scope.account, bucket)?;
    let tags = match request.method {
        "GET" => {
            if b.tags.is_empty() {
                return Err(s3_err(
                    S3ErrorCode::NoSuchTagSet,
                    "The TagSet does not exist",
                ));
            }
            let mut w = XmlWriter::new();
            w.open(&format!("Tagging xmlns=\"{S3_NAMESPACE}\""));
            w.node("TagSet", |w| {
                for (k, v) in &b.tags {
                    w.node("Tag", |w| {
                        w.leaf("Key", k).leaf("Value", v);
                    });
                }
            });
            w.close("Tagging");
            return Ok(S3Response::xml(200, document(w)));
        }
        "PUT" => {
            let data = payload(request)?;
            let doc = parse_document(&data).map_err(|_| malformed_xml())?;
            let set = doc.child("TagSet").ok_or_else(malformed_xml)?;
            set.children_named("Tag")
                .map(|t| {
                    let key = t.text_of("Key").ok_or_else(malformed_xml)?;
                    let value = t.text_of("Value").unwrap_or_default();
                    Ok((key.to_owned(), value.to_owned()))
                })
                .collect::<Result<Vec<_>, ApiError>>()?
        }
        "DELETE" => Vec::new(),
        _ => return Err(method_not_allowed()),
    };
    let status = if request.method == "PUT" { 200 } else { 204 };
    let command = S3Command::PutBucketTagging {
        bucket: bucket.to_owned(),
        tags,
    };
    execute_as::<B, ()>(backend, &ctx.scope, Command::S3(command)).await?;
    Ok(S3Response::empty(status))
}

fn list_uploads(model: &Model, bucket: &str) -> S3Response {
    let mut w = XmlWriter::new();
    w.open(&format!(
        "ListMultipartUploadsResult xmlns=\"{S3_NAMESPACE}\""
    ));
    w.leaf("Bucket", bucket)
        .leaf("KeyMarker", "")
        .leaf("UploadIdMarker", "")
        .num("MaxUploads", MAX_KEYS)
        .bool("IsTruncated", false);
    for u in model.s3_uploads_of(bucket) {
        w.node("Upload", |w| {
            w.leaf("Key", &u.key)
                .leaf("UploadId", u.id.as_str())
                .leaf("StorageClass", "STANDARD")
                .leaf("Initiated", &iso8601_millis(u.initiated.0));
            owner(w, &u.scope.account);
        });
    }
    w.close("ListMultipartUploadsResult");
    S3Response::xml(200, document(w))
}

/// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload,
/// ListParts.
async fn multipart<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    query: &QueryParams,
    bucket: &str,
    key: &str,
) -> Result<S3Response, ApiError> {
    let account = &ctx.scope.account;
    let upload_id = query.get("uploadId").unwrap_or_default();
    match (request.method, query.get("uploads").is_some()) {
        ("POST", true) => {
            let put = PutObject {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                size: 0,
                etag: String::new(),
                content_type: header(request.headers, "content-type")
                    .unwrap_or("binary/octet-stream")
                    .to_owned(),
                metadata: user_metadata(request.headers),
                headers: stored_headers(request.headers),
                blob: String::new(),
            };
            let command = S3Command::CreateMultipartUpload(Box::new(put));
            let id = match execute_as(backend, &ctx.scope, Command::S3(command)).await? {
                S3Outcome::Upload(id) => id,
                other => {
                    return Err(ApiError::internal(format!("unexpected outcome {other:?}")));
                }
            };
            let mut w = XmlWriter::new();
            w.open(&format!(
                "InitiateMultipartUploadResult xmlns=\"{S3_NAMESPACE}\""
            ))
            .leaf("Bucket", bucket)
            .leaf("Key", key)
            .leaf("UploadId", &id)
            .close("InitiateMultipartUploadResult");
            Ok(S3Response::xml(200, document(w)))
        }
        ("PUT", false) => {
            if request.headers.contains_key("x-amz-copy-source") {
                return Err(not_implemented("UploadPartCopy"));
            }
            let number = query
                .get("partNumber")
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(|| {
                    invalid_argument(
                        "Part number must be an integer between 1 and 10000, inclusive",
                    )
                })?;
            {
                let model = backend.snapshot();
                model.s3_bucket(account, bucket)?;
                model.s3_upload(bucket, key, upload_id)?;
            }
            let data = payload(request)?;
            let digest = md5(&data);
            check_content_md5(request, &digest)?;
            let size = u64::try_from(data.len()).unwrap_or(u64::MAX);
            let blob = blobs
                .put(Bytes::from(data.into_owned()))
                .await
                .map_err(|e| ApiError::internal(format!("cannot store the part: {e}")))?;
            let part = localvpc_model::s3::Part {
                number,
                size,
                etag: hex(&digest),
                blob: blob.clone(),
                last_modified: Timestamp(0),
            };
            let etag = part.etag.clone();
            let command = S3Command::UploadPart {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                upload_id: upload_id.to_owned(),
                part,
            };
            match execute_as(backend, &ctx.scope, Command::S3(command)).await {
                Ok(outcome) => released(blobs, outcome),
                Err(e) => {
                    blobs.release(&[blob]);
                    return Err(e);
                }
            }
            Ok(S3Response::empty(200).header("etag", format!("\"{etag}\"")))
        }
        ("POST", false) => complete(backend, blobs, ctx, request, bucket, key, upload_id).await,
        ("DELETE", false) => {
            let command = S3Command::AbortMultipartUpload {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                upload_id: upload_id.to_owned(),
            };
            released(
                blobs,
                execute_as(backend, &ctx.scope, Command::S3(command)).await?,
            );
            Ok(S3Response::empty(204))
        }
        ("GET", false) => {
            let model = backend.snapshot();
            model.s3_bucket(account, bucket)?;
            let upload = model.s3_upload(bucket, key, upload_id)?;
            let mut w = XmlWriter::new();
            w.open(&format!("ListPartsResult xmlns=\"{S3_NAMESPACE}\""))
                .leaf("Bucket", bucket)
                .leaf("Key", key)
                .leaf("UploadId", upload_id)
                .num("PartNumberMarker", 0)
                .num("MaxParts", 1000)
                .bool("IsTruncated", false)
                .leaf("StorageClass", "STANDARD");
            for part in upload.parts.values() {
                w.node("Part", |w| {
                    w.num("PartNumber", part.number)
                        .leaf("LastModified", &iso8601_millis(part.last_modified.0))
                        .leaf("ETag", &format!("\"{}\"", part.etag))
                        .num("Size", part.size);
                });
            }
            w.close("ListPartsResult");
            Ok(S3Response::xml(200, document(w)))
        }
        _ => Err(method_not_allowed()),
    }
}

fn check_content_md5(request: &S3Request<'_>, digest: &[u8; 16]) -> Result<(), ApiError> {
    if let Some(given) = header(request.headers, "content-md5") {
        let given = base64::engine::general_purpose::STANDARD
            .decode(given.trim())
            .ok()
            .filter(|d| d.len() == 16)
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "InvalidDigest",
                    "The Content-MD5 you specified was invalid.",
                )
            })?;
        if given != digest {
            return Err(ApiError::new(
                400,
                "BadDigest",
                "The Content-MD5 you specified did not match what we received.",
            ));
        }
    }
    Ok(())
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// CompleteMultipartUpload: the chosen parts (ascending, ETags matching, all but the last
/// at least 5 MiB) concatenated into one blob; the ETag is the MD5 of the parts' MD5s,
/// then `-<count>`, as S3 computes it.
async fn complete<B: Backend>(
    backend: &B,
    blobs: &dyn Blobs,
    ctx: &RequestCtx,
    request: &S3Request<'_>,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<S3Response, ApiError> {
    let body = payload(request)?;
    let doc = parse_document(&body).map_err(|_| malformed_xml())?;
    let asked: Vec<(u32, String)> = doc
        .children_named("Part")
        .map(|p| {
            let number = p
                .text_of("PartNumber")
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(malformed_xml)?;
            let etag = p.text_of("ETag").unwrap_or_default().trim_matches('"');
            Ok((number, etag.to_owned()))
        })
        .collect::<Result<_, ApiError>>()?;
    if asked.is_empty() {
        return Err(malformed_xml());
    }
    if asked.windows(2).any(|w| matches!(w, [a, b] if a.0 >= b.0)) {
        return Err(s3_err(
            S3ErrorCode::InvalidPartOrder,
            "The list of parts was not in ascending order. Parts must be ordered by part number.",
        ));
    }
    let model = backend.snapshot();
    model.s3_bucket(&ctx.scope.account, bucket)?;
    let upload = model.s3_upload(bucket, key, upload_id)?;
    let mut chosen = Vec::with_capacity(asked.len());
    for (i, (number, etag)) in asked.iter().enumerate() {
        let part = upload
            .parts
            .get(number)
            .filter(|p| p.etag == *etag)
            .ok_or_else(|| ApiError::from(localvpc_model::s3::invalid_part()))?;
        if i + 1 < asked.len() && part.size < localvpc_model::s3::MIN_PART_SIZE {
            return Err(s3_err(
                S3ErrorCode::EntityTooSmall,
                "Your proposed upload is smaller than the minimum allowed object size.",
            ));
        }
        chosen.push(part.clone());
    }
    drop(model);
    let total: u64 = chosen.iter().map(|p| p.size).sum();
    let mut data = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut digests = Vec::with_capacity(16 * chosen.len());
    for part in &chosen {
        let bytes = blobs
            .get(&part.blob)
            .await
            .map_err(|e| ApiError::internal(format!("cannot read part {}: {e}", part.number)))?;
        data.extend_from_slice(&bytes);
        digests.extend(unhex(&part.etag).unwrap_or_default());
    }
    let etag = format!("{}-{}", hex(&md5(&digests)), chosen.len());
    let blob = blobs
        .put(Bytes::from(data))
        .await
        .map_err(|e| ApiError::internal(format!("cannot store the object: {e}")))?;
    let command = S3Command::CompleteMultipartUpload {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        upload_id: upload_id.to_owned(),
        parts: chosen.iter().map(|p| (p.number, p.blob.clone())).collect(),
        size: total,
        etag: etag.clone(),
        blob: blob.clone(),
    };
    match execute_as(backend, &ctx.scope, Command::S3(command)).await {
        Ok(outcome) => released(blobs, outcome),
        Err(e) => {
            blobs.release(&[blob]);
            return Err(e);
        }
    }
    let mut w = XmlWriter::new();
    w.open(&format!(
        "CompleteMultipartUploadResult xmlns=\"{S3_NAMESPACE}\""
    ))
    .leaf("Location", &format!("/{bucket}/{key}"))
    .leaf("Bucket", bucket)
    .leaf("Key", key)
    .leaf("ETag", &format!("\"{etag}\""))
    .close("CompleteMultipartUploadResult");
    Ok(S3Response::xml(200, document(w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Service;
    use crate::testing::{Fake, ME, OTHER};
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Blobs in a map, named in order.
    #[derive(Default)]
    struct Mem(Mutex<(u32, HashMap<String, Bytes>)>);

    impl Blobs for Mem {
        fn put(&self, data: Bytes) -> BlobFuture<'_, String> {
            let mut m = self.0.lock().unwrap();
            m.0 += 1;
            let name = format!("{:032x}", m.0);
            m.1.insert(name.clone(), data);
            Box::pin(std::future::ready(Ok(name)))
        }
        fn get(&self, blob: &str) -> BlobFuture<'_, Bytes> {
            let found = self.0.lock().unwrap().1.get(blob).cloned();
            Box::pin(std::future::ready(found.ok_or_else(|| "gone".to_owned())))
        }
        fn release(&self, blobs: &[String]) {
            let mut m = self.0.lock().unwrap();
            for b in blobs {
                m.1.remove(b);
            }
        }
    }

    struct S3 {
        backend: Fake,
        blobs: Mem,
    }

    impl S3 {
        fn new() -> Self {
            Self {
                backend: Fake::default(),
                blobs: Mem::default(),
            }
        }

        fn call_as(
            &self,
            account: &str,
            method: &str,
            target: &str,
            headers: &[(&'static str, &str)],
            body: &[u8],
        ) -> S3Response {
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let mut map = HeaderMap::new();
            for (k, v) in headers {
                map.insert(*k, http::HeaderValue::from_str(v).unwrap());
            }
            let request = S3Request {
                method,
                path,
                query,
                headers: &map,
                body,
                host_bucket: None,
            };
            let ctx = Service::S3.context(
                AccountId::parse(account).unwrap(),
                "ap-northeast-1",
                "req-1",
            );
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(handle(&self.backend, &self.blobs, &ctx, &request))
        }

        fn call(&self, method: &str, target: &str, body: &[u8]) -> S3Response {
            self.call_as(ME, method, target, &[], body)
        }

        fn text(&self, method: &str, target: &str, body: &[u8]) -> (u16, String) {
            let r = self.call(method, target, body);
            (r.status, String::from_utf8(r.body.to_vec()).unwrap())
        }
    }

    const LOCATION: &[u8] = b"<CreateBucketConfiguration><LocationConstraint>ap-northeast-1</LocationConstraint></CreateBucketConfiguration>";

    #[test]
    fn objects_are_stored_listed_and_read_back() {
        let s3 = S3::new();
        assert_eq!(s3.call("PUT", "/bkt", LOCATION).status, 200);
        let put = s3.call_as(
            ME,
            "PUT",
            "/bkt/a%20b",
            &[("x-amz-meta-color", "blue")],
            b"hello world",
        );
        assert_eq!(put.status, 200);
        assert!(put.headers.contains(&(
            "etag".to_owned(),
            "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"".to_owned()
        )));
        let got = s3.call_as(ME, "GET", "/bkt/a%20b", &[("range", "bytes=6-")], b"");
        assert_eq!((got.status, &got.body[..]), (206, &b"world"[..]));
        assert!(
            got.headers
                .contains(&("x-amz-meta-color".to_owned(), "blue".to_owned()))
        );
        for key in ["d/1", "d/2", "e"] {
            s3.call("PUT", &format!("/bkt/{key}"), b"x");
        }
        let (status, page) = s3.text("GET", "/bkt?list-type=2&delimiter=%2F&max-keys=2", b"");
        assert_eq!(status, 200);
        assert!(
            page.contains("<Key>a b</Key>") && page.contains("<Prefix>d/</Prefix>"),
            "{page}"
        );
        assert!(
            page.contains("<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"),
            "{page}"
        );
        let token = page
            .split("<NextContinuationToken>")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap();
        let (_, next) = s3.text(
            "GET",
            &format!("/bkt?list-type=2&delimiter=%2F&continuation-token={token}"),
            b"",
        );
        assert!(
            next.contains("<Key>e</Key>") && !next.contains("d/"),
            "{next}"
        );
        assert!(next.contains("<IsTruncated>false</IsTruncated>"), "{next}");
        let delete =
            b"<Delete><Object><Key>d/1</Key></Object><Object><Key>e</Key></Object></Delete>";
        let (status, deleted) = s3.text("POST", "/bkt?delete", delete);
        assert_eq!(status, 200);
        assert!(
            deleted.contains("<Deleted><Key>d/1</Key></Deleted>"),
            "{deleted}"
        );
        // Deleted objects' blobs are gone; the rest remain.
        assert_eq!(s3.blobs.0.lock().unwrap().1.len(), 2);
    }

    #[test]
    fn errors_are_s3_documents_with_s3_statuses() {
        let s3 = S3::new();
        let (status, body) = s3.text("GET", "/nope/k", b"");
        assert_eq!(status, 404);
        assert!(body.contains("<Error><Code>NoSuchBucket</Code>"), "{body}");
        assert_eq!(s3.call("PUT", "/Bad_Name", LOCATION).status, 400);
        assert_eq!(s3.call("PUT", "/bkt", b"").status, 400);
        s3.call("PUT", "/bkt", LOCATION);
        let (status, body) = s3.text("PUT", "/bkt", LOCATION);
        assert_eq!(status, 409);
        assert!(body.contains("BucketAlreadyOwnedByYou"), "{body}");
        let other = s3.call_as(OTHER, "PUT", "/bkt", &[], LOCATION);
        assert_eq!(other.status, 409);
        assert_eq!(s3.call_as(OTHER, "GET", "/bkt", &[], b"").status, 403);
        let head = s3.call("HEAD", "/bkt/missing", b"");
        assert_eq!((head.status, head.body.len()), (404, 0));
        let (status, body) = s3.text("GET", "/bkt?versioning", b"");
        assert_eq!(status, 501);
        assert!(body.contains("NotImplemented"), "{body}");
        let bad_md5 = s3.call_as(
            ME,
            "PUT",
            "/bkt/k",
            &[("content-md5", "AAAAAAAAAAAAAAAAAAAAAA==")],
            b"x",
        );
        assert_eq!(bad_md5.status, 400);
        assert!(
            s3.blobs.0.lock().unwrap().1.is_empty(),
            "a refused PUT leaves no blob"
        );
    }

    #[test]
    fn ranges_read_as_s3_reads_them() {
        assert_eq!(byte_range(Some("bytes=0-3"), 10).unwrap(), Some((0, 3)));
        assert_eq!(byte_range(Some("bytes=5-"), 10).unwrap(), Some((5, 9)));
        assert_eq!(byte_range(Some("bytes=-3"), 10).unwrap(), Some((7, 9)));
        assert_eq!(byte_range(Some("bytes=8-100"), 10).unwrap(), Some((8, 9)));
        assert_eq!(byte_range(Some("bytes=3-1"), 10).unwrap(), None);
        assert_eq!(byte_range(None, 10).unwrap(), None);
        assert_eq!(byte_range(Some("bytes=10-"), 10).unwrap_err().status, 416);
    }

    #[test]
    fn aws_chunked_bodies_decode() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-content-sha256",
            http::HeaderValue::from_static("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
        );
        let body =
            b"5\r\nhello\r\n3;chunk-signature=ab\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n";
        let request = S3Request {
            method: "PUT",
            path: "/b/k",
            query: "",
            headers: &headers,
            body,
            host_bucket: None,
        };
        assert_eq!(&*payload(&request).unwrap(), b"helloabc");
    }

    #[test]
    fn paths_name_bucket_and_key() {
        let headers = HeaderMap::new();
        let at = |path: &'static str, host_bucket: Option<&'static str>| {
            target(&S3Request {
                method: "GET",
                path,
                query: "",
                headers: &headers,
                body: b"",
                host_bucket,
            })
        };
        assert_eq!(at("/", None), (None, None));
        assert_eq!(at("/b", None), (Some("b".into()), None));
        assert_eq!(at("/b/", None), (Some("b".into()), None));
        assert_eq!(
            at("/b/a%20b/c/", None),
            (Some("b".into()), Some("a b/c/".into()))
        );
        assert_eq!(
            at("/k/x", Some("b")),
            (Some("b".into()), Some("k/x".into()))
        );
        assert_eq!(at("/", Some("b")), (Some("b".into()), None));
        assert_eq!(url_encode("a b/ü"), "a%20b/%C3%BC");
    }
}
