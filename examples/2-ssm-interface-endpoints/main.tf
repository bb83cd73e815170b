# Scenario 2 with Terraform: what Session Manager and the CloudWatch agent need in a private
# subnet without internet access. Five *interface* endpoints (ssm, ssmmessages, ec2,
# ec2messages, monitoring) with private DNS, each with one ENI in each of two subnets (two AZs),
# behind a security group that admits HTTPS from the VPC, and (with app_instance = true) the
# instance whose agents use them.
#
#   python examples/run.py 2 --form terraform      (init, apply, outputs, re-plan, destroy)
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
    Launch the workload instance (aws_instance). Off by default: localvpc does not answer every
    call the provider's aws_instance makes yet (DescribeInstanceTypes, DescribeInstanceAttribute,
    DescribeVolumes, DescribeInstanceCreditSpecifications), so the apply would fail. The aws CLI and boto3
    forms launch it.
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
  tags     = { Example = "2-ssm-interface-endpoints" }
  services = toset(["ssm", "ssmmessages", "ec2", "ec2messages", "monitoring"])
}

# --- 1. The VPC: private DNS needs both DNS attributes on ------------------------------------

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = "ssm-vpc" })
}

# --- 2. Two private subnets in two AZs: an interface endpoint takes one subnet per AZ ---------

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "${var.region}a"
  tags              = merge(local.tags, { Name = "ssm-private-a" })
}

resource "aws_subnet" "private_c" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "${var.region}c"
  tags              = merge(local.tags, { Name = "ssm-private-c" })
}

# --- 3. The security group on the endpoints' ENIs: HTTPS from anywhere in the VPC -------------
# (No egress block: the provider then removes AWS's default allow-all egress rule. The
# endpoints only answer connections; they never open any.)

resource "aws_security_group" "endpoints" {
  name        = "vpc-endpoints"
  description = "HTTPS from the VPC to the interface endpoints"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "https from the vpc"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [aws_vpc.main.cidr_block]
  }

  tags = merge(local.tags, { Name = "ssm-endpoints-sg" })
}

# --- 4. One interface endpoint per service, private DNS on ------------------------------------
# Inside this VPC the service's usual name (ssm.ap-northeast-1.amazonaws.com) resolves to the
# endpoint's ENIs, so the SSM agent and the CloudWatch agent need no configuration change.

resource "aws_vpc_endpoint" "svc" {
  for_each = local.services

  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [aws_subnet.private_a.id, aws_subnet.private_c.id]
  security_group_ids  = [aws_security_group.endpoints.id]
  tags                = merge(local.tags, { Name = "ssm-endpoint-${each.key}" })
}

# --- 5. The workload: one instance in ssm-private-a (Amazon Linux 2023, no public address) ----
# Its SSM and CloudWatch agents reach the services through the endpoints. It has the VPC's
# default security group, which allows all outbound traffic; the endpoints' group admits it.

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
  tags          = merge(local.tags, { Name = "ssm-app" })
}

# --- What to look at ------------------------------------------------------------------------

output "vpc_id" {
  value = aws_vpc.main.id
}
output "endpoint_ids" {
  value = { for k, e in aws_vpc_endpoint.svc : k => e.id }
}
output "dns_names" {
  description = "per service: regional name, one name per AZ, then the private (service) name"
  value       = { for k, e in aws_vpc_endpoint.svc : k => [for d in e.dns_entry : d.dns_name] }
}
output "endpoint_ips" {
  description = "per service: the private IP of its ENI in each subnet"
  value       = { for k, e in aws_vpc_endpoint.svc : k => { for c in e.subnet_configuration : c.subnet_id => c.ipv4 } }
}
output "app_instance_id" {
  description = "trace from it: localvpc trace --from <id> --to ssm.<region>.amazonaws.com"
  value       = one(aws_instance.app[*].id)
}
output "ssm_vpce_dns" {
  description = "the ssm endpoint's regional name: public, it answers the ENIs from anywhere (run.py asks it)"
  value       = aws_vpc_endpoint.svc["ssm"].dns_entry[0].dns_name
}
