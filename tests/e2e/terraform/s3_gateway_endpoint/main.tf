# Gateway VPC endpoints for S3 and DynamoDB in a private VPC, applied against localvpc by
# tests/e2e/test_terraform.py. Every endpoint and credential comes from variables
# (terraform.tfvars.json written by the test).
#
#   VPC 10.20.0.0/16: private subnet (own route table), isolated subnet (own route table)
#   S3 gateway endpoint: route_table_ids = [private], bucket-restricted endpoint policy
#   DynamoDB gateway endpoint: no route_table_ids; both tables attached through
#     aws_vpc_endpoint_route_table_association (the provider docs forbid mixing both styles on
#     one endpoint: route_table_ids is Optional+Computed and would plan the extra table away)
#   security group: egress to S3 through the AWS-managed prefix list (inline egress block)

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf: tfhelpers.TerraformRun copies it into the working directory.

locals {
  tags   = { Project = "localvpc-e2e", Config = "s3_gateway_endpoint" }
  bucket = "arn:aws:s3:::example-bucket"
}

# --- VPC, subnets, route tables --------------------------------------------------------

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = "tf-gwe-main" })
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "ap-northeast-1a"
  tags              = merge(local.tags, { Name = "tf-gwe-private" })
}

resource "aws_subnet" "isolated" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "ap-northeast-1c"
  tags              = merge(local.tags, { Name = "tf-gwe-isolated" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.tags, { Name = "tf-gwe-private-rt" })
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table" "isolated" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.tags, { Name = "tf-gwe-isolated-rt" })
}

resource "aws_route_table_association" "isolated" {
  subnet_id      = aws_subnet.isolated.id
  route_table_id = aws_route_table.isolated.id
}

# --- S3 gateway endpoint with a bucket-restricted policy -------------------------------

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ExampleBucketOnly"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
        Resource  = [local.bucket, "${local.bucket}/*"]
      }
    ]
  })

  tags = merge(local.tags, { Name = "tf-gwe-s3" })
}

# --- DynamoDB gateway endpoint, tables attached one by one -----------------------------

resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  tags              = merge(local.tags, { Name = "tf-gwe-dynamodb" })
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_private" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.private.id
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_isolated" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = aws_route_table.isolated.id
}

# --- The AWS-managed S3 prefix list, two ways ------------------------------------------

data "aws_prefix_list" "s3" {
  name = "com.amazonaws.${var.region}.s3"
}

data "aws_ec2_managed_prefix_list" "s3" {
  name = "com.amazonaws.${var.region}.s3"
}

# --- Security group: HTTPS egress to S3 only, through the prefix list -------------------

resource "aws_security_group" "app" {
  name        = "app-s3"
  description = "app tier, egress to S3 only"
  vpc_id      = aws_vpc.main.id

  egress {
    description     = "https to S3"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    prefix_list_ids = [data.aws_prefix_list.s3.id]
  }

  tags = merge(local.tags, { Name = "tf-gwe-app" })
}

# --- Outputs read back by the test -----------------------------------------------------

output "vpc_id" {
  value = aws_vpc.main.id
}
output "private_subnet_id" {
  value = aws_subnet.private.id
}
output "isolated_subnet_id" {
  value = aws_subnet.isolated.id
}
output "private_route_table_id" {
  value = aws_route_table.private.id
}
output "isolated_route_table_id" {
  value = aws_route_table.isolated.id
}
output "main_route_table_id" {
  value = aws_vpc.main.main_route_table_id
}
output "s3_endpoint_id" {
  value = aws_vpc_endpoint.s3.id
}
output "s3_endpoint_state" {
  value = aws_vpc_endpoint.s3.state
}
output "s3_endpoint_prefix_list_id" {
  value = aws_vpc_endpoint.s3.prefix_list_id
}
output "s3_endpoint_cidr_blocks" {
  value = aws_vpc_endpoint.s3.cidr_blocks
}
output "s3_endpoint_policy" {
  value = aws_vpc_endpoint.s3.policy
}
output "s3_endpoint_route_table_ids" {
  value = aws_vpc_endpoint.s3.route_table_ids
}
output "s3_endpoint_arn" {
  value = aws_vpc_endpoint.s3.arn
}
output "dynamodb_endpoint_id" {
  value = aws_vpc_endpoint.dynamodb.id
}
output "dynamodb_endpoint_prefix_list_id" {
  value = aws_vpc_endpoint.dynamodb.prefix_list_id
}
output "dynamodb_endpoint_policy" {
  value = aws_vpc_endpoint.dynamodb.policy
}
output "prefix_list_id" {
  value = data.aws_prefix_list.s3.id
}
output "prefix_list_cidrs" {
  value = data.aws_prefix_list.s3.cidr_blocks
}
output "managed_prefix_list_id" {
  value = data.aws_ec2_managed_prefix_list.s3.id
}
output "managed_prefix_list_owner" {
  value = data.aws_ec2_managed_prefix_list.s3.owner_id
}
output "managed_prefix_list_entries" {
  value = sort([for e in data.aws_ec2_managed_prefix_list.s3.entries : e.cidr])
}
output "app_sg_id" {
  value = aws_security_group.app.id
}
