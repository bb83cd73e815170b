"""Amazon S3 on the API port: buckets and objects through the aws CLI (`s3 mb/cp/ls/rm/rb`,
a multipart `cp`) and boto3 (put/get/range/head/list/copy/delete-objects, multipart uploads,
bucket policies and tags), S3's error codes and statuses, objects and uploads surviving a
restart and kill -9, and S3 from `localvpc exec` through a gateway endpoint whose policy decides."""

from __future__ import annotations

import base64
import hashlib
import shutil
import signal

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import helpers
from helpers import DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, ALPHA_ACCOUNT, ALPHA_KEY

REGION = DEFAULT_REGION


def s3_client(url: str, access_key: str = DEFAULT_ACCESS_KEY, region: str = REGION, *,
              addressing: str = "path"):
    cfg = Config(region_name=region, retries={"total_max_attempts": 1, "mode": "standard"},
                 s3={"addressing_style": addressing}, proxies={})
    with helpers._SESSION_LOCK:
        return helpers._shared_session().client(
            "s3", endpoint_url=url, region_name=region, config=cfg,
            aws_access_key_id=access_key, aws_secret_access_key=DEFAULT_SECRET_KEY)


def make_bucket(s3, name: str, region: str = REGION) -> None:
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def error_of(fn, *args, **kwargs) -> tuple[str, int]:
    with pytest.raises(ClientError) as exc:
        fn(*args, **kwargs)
    err = exc.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def s3(endpoint):
    return s3_client(endpoint)


def test_cli_mb_cp_ls_rm_rb(cli, tmp_path):
    src = tmp_path / "hello.txt"
    src.write_bytes(b"hello from localvpc\n")
    cli("s3", "mb", "s3://cli-bucket")
    cli("s3", "cp", str(src), "s3://cli-bucket/dir/hello.txt")
    cli("s3", "cp", str(src), "s3://cli-bucket/top.txt")
    listing = cli("s3", "ls", "s3://cli-bucket/").stdout
    assert "PRE dir/" in listing and "top.txt" in listing, listing
    assert "hello.txt" in cli("s3", "ls", "s3://cli-bucket/dir/").stdout
    assert "cli-bucket" in cli("s3", "ls").stdout
    back = tmp_path / "back.txt"
    cli("s3", "cp", "s3://cli-bucket/dir/hello.txt", str(back))
    assert back.read_bytes() == src.read_bytes()
    failed = cli("s3", "rb", "s3://cli-bucket", check=False)
    assert failed.returncode != 0 and "BucketNotEmpty" in failed.stderr, failed.stderr
    cli("s3", "rm", "s3://cli-bucket/top.txt")
    cli("s3", "rm", "s3://cli-bucket/", "--recursive")
    cli("s3", "rb", "s3://cli-bucket")
    assert "cli-bucket" not in cli("s3", "ls").stdout



def test_cli_sync_mv_and_presigned_urls(cli, tmp_path):
    import urllib.request

    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "sub" / "b.txt").write_text("b")
    cli("s3", "mb", "s3://synced")
    cli("s3", "sync", str(src), "s3://synced/tree")
    again = cli("s3", "sync", str(src), "s3://synced/tree").stdout
    assert again.strip() == "", again  # nothing changed, nothing copied
    dst = tmp_path / "dst"
    cli("s3", "sync", "s3://synced/tree", str(dst))
    assert (dst / "sub" / "b.txt").read_text() == "b"
    cli("s3", "mv", "s3://synced/tree/a.txt", "s3://synced/moved.txt")
    listing = cli("s3", "ls", "s3://synced/", "--recursive").stdout
    assert "moved.txt" in listing and "tree/a.txt" not in listing, listing
    url = cli("s3", "presign", "s3://synced/moved.txt", "--expires-in", "60").stdout.strip()
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # a GET signed in its query string
            assert r.read() == b"a"
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{url}: {e.read()!r}") from e

def test_boto3_objects(s3):
    make_bucket(s3, "objects")
    body = bytes(range(256)) * 40
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    put = s3.put_object(Bucket="objects", Key="a/b c.bin", Body=body, ContentMD5=md5,
                        ContentType="application/x-test", Metadata={"Owner": "me"})
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket="objects", Key="a/b c.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"owner": "me"}
    assert got["ETag"] == put["ETag"]
    part = s3.get_object(Bucket="objects", Key="a/b c.bin", Range="bytes=10-19")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["Body"].read() == body[10:20]
    assert part["ContentRange"] == f"bytes 10-19/{len(body)}"
    tail = s3.get_object(Bucket="objects", Key="a/b c.bin", Range="bytes=-5")
    assert tail["Body"].read() == body[-5:]
    head = s3.head_object(Bucket="objects", Key="a/b c.bin")
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]
    assert error_of(s3.get_object, Bucket="objects", Key="a/b c.bin", Range=f"bytes={len(body)}-") == (
        "InvalidRange", 416)
    bad_md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    assert error_of(s3.put_object, Bucket="objects", Key="x", Body=b"data", ContentMD5=bad_md5) == (
        "BadDigest", 400)

    copied = s3.copy_object(Bucket="objects", Key="copy", CopySource={"Bucket": "objects", "Key": "a/b c.bin"})
    assert copied["CopyObjectResult"]["ETag"] == put["ETag"]
    assert s3.get_object(Bucket="objects", Key="copy")["Metadata"] == {"owner": "me"}

    for key in ["k1", "k2", "p/1", "p/2", "q/1", "z"]:
        s3.put_object(Bucket="objects", Key=key, Body=key.encode())
    listed = s3.list_objects_v2(Bucket="objects", Delimiter="/")
    assert [c["Key"] for c in listed["Contents"]] == ["copy", "k1", "k2", "z"]
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["a/", "p/", "q/"]
    assert listed["KeyCount"] == 7
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="objects", PaginationConfig={"PageSize": 2})
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert keys == ["a/b c.bin", "copy", "k1", "k2", "p/1", "p/2", "q/1", "z"]
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket="objects", Delimiter="/", PaginationConfig={"PageSize": 2}))
    assert len(pages) == 4
    assert [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])] == ["a/", "p/", "q/"]
    v1 = s3.list_objects(Bucket="objects", Prefix="p/")
    assert [o["Key"] for o in v1["Contents"]] == ["p/1", "p/2"]
    v1_pages = s3.get_paginator("list_objects").paginate(Bucket="objects", PaginationConfig={"PageSize": 3})
    assert len([o for page in v1_pages for o in page.get("Contents", [])]) == 8

    import urllib.request

    for method, params in (("get_object", {"Bucket": "objects", "Key": "p/1"}),
                           ("list_objects_v2", {"Bucket": "objects", "Prefix": "p/"})):
        url = s3.generate_presigned_url(method, Params=params, ExpiresIn=60)
        assert "X-Amz-Credential" in url or "AWSAccessKeyId" in url, url
        with urllib.request.urlopen(url, timeout=10) as r:
            body = r.read()
        assert body == b"p/1" if method == "get_object" else b"<Key>p/2</Key>" in body, body

    deleted = s3.delete_objects(Bucket="objects", Delete={"Objects": [{"Key": "k1"}, {"Key": "k2"}, {"Key": "nope"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["k1", "k2", "nope"]
    s3.delete_object(Bucket="objects", Key="z")
    assert error_of(s3.get_object, Bucket="objects", Key="z") == ("NoSuchKey", 404)
    assert error_of(s3.head_object, Bucket="objects", Key="z") == ("404", 404)


def test_bucket_errors_and_location(s3, endpoint):
    make_bucket(s3, "errs")
    assert s3.get_bucket_location(Bucket="errs")["LocationConstraint"] == REGION
    assert s3.head_bucket(Bucket="errs")["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == REGION
    assert error_of(make_bucket, s3, "errs") == ("BucketAlreadyOwnedByYou", 409)
    other = s3_client(endpoint, access_key=ALPHA_KEY)
    assert error_of(make_bucket, other, "errs") in {("BucketAlreadyExists", 409), ("BucketAlreadyOwnedByYou", 409)}
    assert error_of(make_bucket, s3, "Bad_Name") == ("InvalidBucketName", 400)
    assert error_of(s3.create_bucket, Bucket="no-constraint") == ("IllegalLocationConstraintException", 400)
    assert error_of(make_bucket, s3, "wrong-region", "eu-west-1") == ("IllegalLocationConstraintException", 400)
    assert error_of(s3.list_objects_v2, Bucket="missing-bucket") == ("NoSuchBucket", 404)
    assert error_of(s3.get_object, Bucket="errs", Key="missing") == ("NoSuchKey", 404)
    s3.put_object(Bucket="errs", Key="k", Body=b"x")
    assert error_of(s3.delete_bucket, Bucket="errs") == ("BucketNotEmpty", 409)
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "errs" in names
    s3.delete_object(Bucket="errs", Key="k")
    s3.delete_bucket(Bucket="errs")
    assert error_of(s3.head_bucket, Bucket="errs") == ("404", 404)



def test_cli_copies_a_large_file_by_multipart_upload(cli, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * (12 * 4096))  # 12 MiB: two parts for the aws CLI
    cli("s3", "mb", "s3://multi")
    cli("s3", "cp", str(big), "s3://multi/big.bin")
    head = cli("s3api", "head-object", "--bucket", "multi", "--key", "big.bin").json
    assert head["ContentLength"] == 12 * 1024 * 1024
    assert head["ETag"].strip('"').endswith("-2"), head
    back = tmp_path / "back.bin"
    cli("s3", "cp", "s3://multi/big.bin", str(back))
    assert back.read_bytes() == big.read_bytes()


def test_boto3_multipart_upload(s3):
    make_bucket(s3, "parts")
    first, second = b"a" * (5 * 1024 * 1024), b"tail"
    upload = s3.create_multipart_upload(Bucket="parts", Key="k", ContentType="text/plain",
                                        Metadata={"m": "v"})["UploadId"]
    e1 = s3.upload_part(Bucket="parts", Key="k", UploadId=upload, PartNumber=1, Body=first)["ETag"]
    e2 = s3.upload_part(Bucket="parts", Key="k", UploadId=upload, PartNumber=2, Body=second)["ETag"]
    parts = s3.list_parts(Bucket="parts", Key="k", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, len(first)), (2, len(second))]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket="parts")["Uploads"]] == [upload]
    assert error_of(s3.complete_multipart_upload, Bucket="parts", Key="k", UploadId=upload,
                    MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]}) == (
        "InvalidPartOrder", 400)
    assert error_of(s3.complete_multipart_upload, Bucket="parts", Key="k", UploadId=upload,
                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e2}]}) == ("InvalidPart", 400)
    done = s3.complete_multipart_upload(Bucket="parts", Key="k", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    digests = hashlib.md5(first).digest() + hashlib.md5(second).digest()
    assert done["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-2"'
    got = s3.get_object(Bucket="parts", Key="k")
    assert got["Body"].read() == first + second
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"m": "v"}
    assert error_of(s3.list_parts, Bucket="parts", Key="k", UploadId=upload) == ("NoSuchUpload", 404)
    small = s3.create_multipart_upload(Bucket="parts", Key="small")["UploadId"]
    t1 = s3.upload_part(Bucket="parts", Key="small", UploadId=small, PartNumber=1, Body=b"x")["ETag"]
    t2 = s3.upload_part(Bucket="parts", Key="small", UploadId=small, PartNumber=2, Body=b"y")["ETag"]
    assert error_of(s3.complete_multipart_upload, Bucket="parts", Key="small", UploadId=small,
                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": t1}, {"PartNumber": 2, "ETag": t2}]}) == (
        "EntityTooSmall", 400)
    s3.abort_multipart_upload(Bucket="parts", Key="small", UploadId=small)
    assert s3.list_multipart_uploads(Bucket="parts").get("Uploads", []) == []


def test_bucket_policy_and_tagging(s3):
    import json

    make_bucket(s3, "governed")
    assert error_of(s3.get_bucket_policy, Bucket="governed") == ("NoSuchBucketPolicy", 404)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyThroughTheEndpoint", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::governed", "arn:aws:s3:::governed/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]})
    s3.put_bucket_policy(Bucket="governed", Policy=policy)
    assert json.loads(s3.get_bucket_policy(Bucket="governed")["Policy"]) == json.loads(policy)
    assert error_of(s3.put_bucket_policy, Bucket="governed", Policy="not json") == ("MalformedPolicy", 400)
    assert error_of(s3.put_bucket_policy, Bucket="governed",
                    Policy=json.dumps({"Statement": [{"Effect": "Allow"}]})) == ("MalformedPolicy", 400)
    s3.delete_bucket_policy(Bucket="governed")
    assert error_of(s3.get_bucket_policy, Bucket="governed") == ("NoSuchBucketPolicy", 404)

    assert error_of(s3.get_bucket_tagging, Bucket="governed") == ("NoSuchTagSet", 404)
    s3.put_bucket_tagging(Bucket="governed", Tagging={"TagSet": [{"Key": "team", "Value": "net"},
                                                                 {"Key": "env", "Value": ""}]})
    got = s3.get_bucket_tagging(Bucket="governed")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in got) == [("env", ""), ("team", "net")]
    assert error_of(s3.put_bucket_tagging, Bucket="governed",
                    Tagging={"TagSet": [{"Key": "aws:x", "Value": "y"}]}) == ("InvalidTag", 400)
    s3.delete_bucket_tagging(Bucket="governed")
    assert error_of(s3.get_bucket_tagging, Bucket="governed") == ("NoSuchTagSet", 404)


def test_virtual_hosted_style(endpoint):
    # BUCKET.s3.localhost resolves nowhere; send to the server and let Host name the bucket.
    port = endpoint.rsplit(":", 1)[1]
    s3 = s3_client(f"http://s3.localhost:{port}", addressing="virtual")
    path_s3 = s3_client(endpoint)
    make_bucket(path_s3, "vhost")
    import botocore.endpoint  # noqa: F401  (the request goes to 127.0.0.1 through a Host override)

    def to_loopback(request, **_):
        from urllib.parse import urlsplit, urlunsplit
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))

    s3.meta.events.register("before-send.s3", lambda request, **kw: None)
    s3.meta.events.register_first("request-created.s3", to_loopback)
    s3.put_object(Bucket="vhost", Key="v/k", Body=b"virtual")
    assert path_s3.get_object(Bucket="vhost", Key="v/k")["Body"].read() == b"virtual"
    assert s3.get_object(Bucket="vhost", Key="v/k")["Body"].read() == b"virtual"


@pytest.mark.spawns
def test_objects_survive_restart_and_kill_9(spawn_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    srv = spawn_server(data_dir=data)
    s3 = s3_client(srv.url)
    make_bucket(s3, "durable")
    s3.put_object(Bucket="durable", Key="one", Body=b"1" * 1000)
    s3.put_object(Bucket="durable", Key="gone", Body=b"x")
    s3.delete_object(Bucket="durable", Key="gone")
    assert srv.terminate(signal.SIGTERM) == 0, srv.stderr_tail()
    srv.start()
    s3 = s3_client(srv.url)
    assert s3.get_object(Bucket="durable", Key="one")["Body"].read() == b"1" * 1000
    s3.put_object(Bucket="durable", Key="two", Body=b"2" * 5000)
    s3.put_object(Bucket="durable", Key="one", Body=b"new")
    upload = s3.create_multipart_upload(Bucket="durable", Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket="durable", Key="mp", UploadId=upload, PartNumber=1, Body=b"p" * 10)["ETag"]
    srv.kill()
    # A blob no object names (a write interrupted before its commit) is removed at start.
    (data / "s3" / "blobs" / ("f" * 32)).write_bytes(b"half")
    srv.start()
    s3 = s3_client(srv.url)
    assert s3.get_object(Bucket="durable", Key="two")["Body"].read() == b"2" * 5000
    assert s3.get_object(Bucket="durable", Key="one")["Body"].read() == b"new"
    assert [p["ETag"] for p in s3.list_parts(Bucket="durable", Key="mp", UploadId=upload)["Parts"]] == [etag]
    s3.complete_multipart_upload(Bucket="durable", Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket="durable", Key="mp")["Body"].read() == b"p" * 10
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="durable")["Contents"]] == ["mp", "one", "two"]
    blobs = list((data / "s3" / "blobs").iterdir())
    assert len(blobs) == 3, blobs


def test_exec_reaches_s3_through_a_gateway_endpoint_whose_policy_decides(server, endpoint, tmp_path):
    """The users' verification, literally: a private-subnet instance with an S3 gateway
    endpoint whose policy allows only s3:GetObject and s3:PutObject on one bucket. The aws
    CLI inside `localvpc exec`, with no --endpoint-url: `aws s3 cp` up and down works, `aws s3
    ls` is AccessDenied naming the endpoint policy, another bucket is denied; an explicit
    Deny says so; an instance without an endpoint has no path."""
    import json
    import os
    import subprocess

    from helpers import find_aws_cli, isolated_aws_env, new_ec2_client, resolve_binary
    from path_helpers import Net

    ec2 = new_ec2_client(endpoint)
    net = Net(ec2)
    vpc = net.vpc("10.40.0.0/16", dns_hostnames=True)
    private = net.subnet(vpc, "10.40.2.0/24")
    instance = net.instance(private)["InstanceId"]
    bare = net.instance(net.subnet(net.vpc("10.41.0.0/16", dns_hostnames=True), "10.41.1.0/24"))["InstanceId"]
    only_one_bucket = {"Version": "2012-10-17", "Statement": [{
        "Sid": "OneBucket", "Effect": "Allow", "Principal": "*",
        "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::through-gateway/*"}]}
    gateway = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway",
                                      ServiceName=f"com.amazonaws.{REGION}.s3",
                                      RouteTableIds=[net.table_for(vpc, private)],
                                      PolicyDocument=json.dumps(only_one_bucket))["VpcEndpoint"]["VpcEndpointId"]
    make_bucket(s3_client(endpoint), "through-gateway")
    make_bucket(s3_client(endpoint), "another-bucket")
    (tmp_path / "up.txt").write_text("through the gateway endpoint\n")
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    env = isolated_aws_env(dict(os.environ), empty, access_key=DEFAULT_ACCESS_KEY,
                           secret_key=DEFAULT_SECRET_KEY, region=REGION)
    env["LOCALVPC_ENDPOINT"] = endpoint
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)

    def aws_in(who: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(resolve_binary()), "exec", "--instance", who, "--", find_aws_cli(), *args],
                              capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)

    up = aws_in(instance, "s3", "cp", "up.txt", "s3://through-gateway/up.txt")
    assert up.returncode == 0, up.stderr
    down = aws_in(instance, "s3", "cp", "s3://through-gateway/up.txt", "down.txt")
    assert down.returncode == 0, down.stderr
    assert (tmp_path / "down.txt").read_text() == "through the gateway endpoint\n"
    listed = aws_in(instance, "s3", "ls")
    assert listed.returncode != 0 and "AccessDenied" in listed.stderr, listed.stderr
    assert "because no VPC endpoint policy allows the s3:ListAllMyBuckets action" in listed.stderr
    other = aws_in(instance, "s3", "cp", "up.txt", "s3://another-bucket/up.txt")
    assert other.returncode != 0 and "AccessDenied" in other.stderr, other.stderr
    # From the host, not through the endpoint, its policy does not apply.
    assert [b["Name"] for b in s3_client(endpoint).list_buckets()["Buckets"]]
    explicit = dict(only_one_bucket, Statement=only_one_bucket["Statement"] + [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}])
    ec2.modify_vpc_endpoint(VpcEndpointId=gateway, PolicyDocument=json.dumps(explicit))
    denied = aws_in(instance, "s3", "cp", "s3://through-gateway/up.txt", "again.txt")
    assert denied.returncode != 0, denied.stderr
    # Without an endpoint (and without a way out), the same request does not get through.
    blocked = aws_in(bare, "s3", "ls", "s3://through-gateway/", "--cli-read-timeout", "5",
                     "--cli-connect-timeout", "5")
    assert blocked.returncode != 0
