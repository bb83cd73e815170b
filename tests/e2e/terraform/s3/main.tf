# S3 on localvpc's API port: a bucket with tags, its policy (refusing everything that does not
# come through the VPC's S3 gateway endpoint), an object, and the endpoint with its own policy
# (aws_vpc_endpoint_policy) allowing only GetObject/PutObject on that bucket.

resource "aws_vpc" "main" {
  cidr_block = "10.60.0.0/16"
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
}

resource "aws_vpc_endpoint_policy" "s3" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OneBucketOnly"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject"]
      Resource  = ["${aws_s3_bucket.data.arn}/*"]
    }]
  })
}

resource "aws_s3_bucket" "data" {
  bucket = "localvpc-tf-data"
  tags   = { Team = "net" }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyThroughTheEndpoint"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
      Condition = { StringNotEquals = { "aws:SourceVpce" = aws_vpc_endpoint.s3.id } }
    }]
  })
}

resource "aws_s3_object" "hello" {
  bucket       = aws_s3_bucket.data.id
  key          = "greetings/hello.txt"
  content      = "hello from terraform\n"
  content_type = "text/plain"
}

output "bucket" { value = aws_s3_bucket.data.id }
output "endpoint_id" { value = aws_vpc_endpoint.s3.id }
output "object_etag" { value = aws_s3_object.hello.etag }
