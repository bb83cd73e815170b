# Scenario 4 with Terraform: a provider publishes its own service (behind an internal network load
# balancer) as a PrivateLink endpoint service that requires acceptance and allows one consumer
# account; the consumer creates an interface endpoint to it, the provider accepts it, and (with
# app_instance = true) the consumer's instance calls the service through it.
#
#   python examples/run.py 4 --form terraform      (init, apply, outputs, re-plan, destroy)
#
# Two provider configurations, one per account: the server maps the access keys with
# examples/accounts.txt (PROVIDERKEY -> 333333333333, CONSUMERKEY -> 444444444444).

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

variable "provider_access_key" {
  type    = string
  default = "PROVIDERKEY"
}

variable "consumer_access_key" {
  type    = string
  default = "CONSUMERKEY"
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
    Launch the consumer's workload instance (aws_instance). Off by default, so the form builds
    the network only (the end-to-end tests launch the instance into it with boto3, as the aws
    CLI and boto3 forms do). With true, the provider's aws_instance applies as it does in
    scenario 1 (tests/e2e/test_examples.py::test_terraform_app_instance tests it there).
  EOT
  type        = bool
  default     = false
}

provider "aws" {
  alias      = "provider"
  region     = var.region
  access_key = var.provider_access_key
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

provider "aws" {
  alias      = "consumer"
  region     = var.region
  access_key = var.consumer_access_key
  secret_key = var.secret_key

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

data "aws_caller_identity" "consumer" {
  provider = aws.consumer
}

locals {
  tags = { Example = "4-endpoint-service" }
}

# --- Provider account: 1. a VPC with two subnets (two AZs) for the load balancer -------------

resource "aws_vpc" "provider" {
  provider   = aws.provider
  cidr_block = "10.0.0.0/16"
  tags       = merge(local.tags, { Name = "svc-provider-vpc" })
}

resource "aws_subnet" "provider_a" {
  provider          = aws.provider
  vpc_id            = aws_vpc.provider.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "${var.region}a"
  tags              = merge(local.tags, { Name = "svc-provider-a" })
}

resource "aws_subnet" "provider_c" {
  provider          = aws.provider
  vpc_id            = aws_vpc.provider.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "${var.region}c"
  tags              = merge(local.tags, { Name = "svc-provider-c" })
}

# --- Provider account: 2. the service behind an internal NLB (target 10.0.1.10:443) ----------

resource "aws_lb" "service" {
  provider           = aws.provider
  name               = "svc-nlb"
  load_balancer_type = "network"
  internal           = true
  subnets            = [aws_subnet.provider_a.id, aws_subnet.provider_c.id]
  tags               = merge(local.tags, { Name = "svc-nlb" })
}

resource "aws_lb_target_group" "service" {
  provider    = aws.provider
  name        = "svc-targets"
  port        = 443
  protocol    = "TCP"
  target_type = "ip"
  vpc_id      = aws_vpc.provider.id
  tags        = merge(local.tags, { Name = "svc-targets" })
}

resource "aws_lb_target_group_attachment" "app" {
  provider         = aws.provider
  target_group_arn = aws_lb_target_group.service.arn
  target_id        = "10.0.1.10"
  port             = 443
}

resource "aws_lb_listener" "tcp_443" {
  provider          = aws.provider
  load_balancer_arn = aws_lb.service.arn
  port              = 443
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service.arn
  }
}

# --- Provider account: 3. the endpoint service: acceptance required, one allowed account -----

resource "aws_vpc_endpoint_service" "svc" {
  provider                   = aws.provider
  acceptance_required        = true
  network_load_balancer_arns = [aws_lb.service.arn]
  allowed_principals         = ["arn:aws:iam::${data.aws_caller_identity.consumer.account_id}:root"]
  tags                       = merge(local.tags, { Name = "svc-endpoint-service" })

  depends_on = [aws_lb_listener.tcp_443]
}

# --- Consumer account: 4. a VPC (the same CIDR: PrivateLink does not mind overlaps) ----------

resource "aws_vpc" "consumer" {
  provider             = aws.consumer
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = "svc-consumer-vpc" })
}

resource "aws_subnet" "consumer_a" {
  provider          = aws.consumer
  vpc_id            = aws_vpc.consumer.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "${var.region}a"
  tags              = merge(local.tags, { Name = "svc-consumer-a" })
}

resource "aws_subnet" "consumer_c" {
  provider          = aws.consumer
  vpc_id            = aws_vpc.consumer.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "${var.region}c"
  tags              = merge(local.tags, { Name = "svc-consumer-c" })
}

resource "aws_security_group" "consumer" {
  provider    = aws.consumer
  name        = "svc-endpoint"
  description = "HTTPS from the VPC to the provider service"
  vpc_id      = aws_vpc.consumer.id

  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [aws_vpc.consumer.cidr_block]
  }

  tags = merge(local.tags, { Name = "svc-consumer-sg" })
}

# --- Consumer account: 5. the interface endpoint (pendingAcceptance until accepted) ----------

resource "aws_vpc_endpoint" "consumer" {
  provider           = aws.consumer
  vpc_id             = aws_vpc.consumer.id
  service_name       = aws_vpc_endpoint_service.svc.service_name
  vpc_endpoint_type  = "Interface"
  subnet_ids         = [aws_subnet.consumer_a.id, aws_subnet.consumer_c.id]
  security_group_ids = [aws_security_group.consumer.id]
  tags               = merge(local.tags, { Name = "svc-consumer-endpoint" })
}

# --- Provider account: 6. accept the consumer's connection ----------------------------------

resource "aws_vpc_endpoint_connection_accepter" "consumer" {
  provider                = aws.provider
  vpc_endpoint_service_id = aws_vpc_endpoint_service.svc.id
  vpc_endpoint_id         = aws_vpc_endpoint.consumer.id
}

# --- Consumer account: 7. the workload: one instance in svc-consumer-a (Amazon Linux 2023) ----
# It calls the service through the endpoint on 443. It has the VPC's default security group,
# which allows all outbound traffic; the endpoint's group admits the VPC.

data "aws_ami" "al2023" {
  provider    = aws.consumer
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_instance" "app" {
  count         = var.app_instance ? 1 : 0
  provider      = aws.consumer
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.consumer_a.id
  tags          = merge(local.tags, { Name = "svc-consumer-app" })

  # The service is usable once the provider has accepted the endpoint.
  depends_on = [aws_vpc_endpoint_connection_accepter.consumer]
}

# --- What to look at ------------------------------------------------------------------------

output "service_id" {
  value = aws_vpc_endpoint_service.svc.id
}

output "service_name" {
  value = aws_vpc_endpoint_service.svc.service_name
}
output "allowed_principals" {
  value = aws_vpc_endpoint_service.svc.allowed_principals
}
output "lb_dns_name" {
  value = aws_lb.service.dns_name
}
output "endpoint_id" {
  value = aws_vpc_endpoint.consumer.id
}
output "endpoint_state" {
  description = "after the accepter: available"
  value       = aws_vpc_endpoint_connection_accepter.consumer.vpc_endpoint_state
}
output "endpoint_dns_names" {
  value = [for d in aws_vpc_endpoint.consumer.dns_entry : d.dns_name]
}
output "consumer_vpc_id" {
  value = aws_vpc.consumer.id
}
output "app_instance_id" {
  description = "trace from it: localvpc trace --from <id> --to <consumer_vpce_dns>:443"
  value       = one(aws_instance.app[*].id)
}
output "consumer_vpce_dns" {
  description = "the endpoint's regional name: public, it answers the endpoint's ENIs (run.py asks it)"
  value       = aws_vpc_endpoint.consumer.dns_entry[0].dns_name
}
