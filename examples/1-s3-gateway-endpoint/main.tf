# Scenario 1 with Terraform: an S3 *gateway* endpoint on a private subnet's route table, with an
# endpoint policy that allows only s3:GetObject, s3:PutObject and s3:ListBucket on one bucket, and
# (with app_instance = true) an instance in that subnet, the workload that uses S3 through it.
#
#   python examples/run.py 1 --form terraform      (init, apply, outputs, re-plan, destroy)
#
# Every endpoint and credential is a variable; the access key "test" is not in
# examples/accounts.txt, so everything lands in account 000000000000.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0.0"
    }
  }
}

variable "endpoint" {
  description = "URL of the running localvpc (all AWS APIs share it)"
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "access_key" {
  type    = string
  default = "test"
}

variable "secret_key" {
  type      = string
  default   = "test"
  sensitive = true
}

variable "region" {
  type    = string
  default = "ap-northeast-1"
}

variable "app_instance" {
  description = <<-EOT
    Launch the workload instance (aws_instance). Off by default, so the form builds the network
    only (the end-to-end tests launch the instance into it with boto3, as the aws CLI and boto3
    forms do). With true, apply, a second plan (no changes) and destroy of the instance work
    (tests/e2e/test_examples.py::test_terraform_app_instance).
  EOT
  type        = bool
  default     = false
}

provider "aws" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  # localvpc is not AWS: no credential check, no instance metadata, no account lookup.
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  max_retries                 = 2

  endpoints {
    ec2             = var.endpoint
    elbv2           = var.endpoint
    route53         = var.endpoint
    route53resolver = var.endpoint
    sts             = var.endpoint
  }
}

locals {
  tags   = { Example = "1-s3-gateway-endpoint" }
  bucket = "arn:aws:s3:::example-bucket"
}

# --- 1. A VPC with one private subnet (no internet gateway anywhere) and its own route table ---

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = merge(local.tags, { Name = "s3gw-vpc" })
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "${var.region}a"
  tags              = merge(local.tags, { Name = "s3gw-private-a" })
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.tags, { Name = "s3gw-private-rt" })
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id
}

# --- 2. The gateway endpoint: attached to route tables, limited by its policy -----------------
# No ENI, no security group, no DNS names: AWS adds a route "pl-... -> vpce-..." (the managed
# S3 prefix list) to each route table listed here.

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ExampleBucketOnly"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
      Resource  = [local.bucket, "${local.bucket}/*"]
    }]
  })

  tags = merge(local.tags, { Name = "s3gw-endpoint" })
}

# --- 3. The workload: one instance in the private subnet (Amazon Linux 2023, no public address)
# It has the VPC's default security group, which allows all outbound traffic.

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_instance" "app" {
  count         = var.app_instance ? 1 : 0
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.private_a.id
  tags          = merge(local.tags, { Name = "s3gw-app" })
}

# --- What to look at ------------------------------------------------------------------------

output "vpc_id" {
  value = aws_vpc.main.id
}
output "route_table_id" {
  value = aws_route_table.private.id
}
output "endpoint_id" {
  value = aws_vpc_endpoint.s3.id
}
output "s3_prefix_list_id" {
  description = "the destination of the route the endpoint added"
  value       = aws_vpc_endpoint.s3.prefix_list_id
}
output "s3_prefix_list_cidrs" {
  value = aws_vpc_endpoint.s3.cidr_blocks
}
output "policy" {
  value = jsondecode(aws_vpc_endpoint.s3.policy)
}
output "app_instance_id" {
  description = "trace from it: localvpc trace --from <id> --to s3.<region>.amazonaws.com:443 --request 'PUT s3://example-bucket/test.txt'"
  value       = one(aws_instance.app[*].id)
}
