# A PrivateLink endpoint service shared across accounts, applied against localvpc by
# tests/e2e/test_terraform_endpoint_service.py. The two access keys map to two accounts on the
# server (--account PROVIDERKEY=111111111111 --account CONSUMERKEY=222222222222); every
# endpoint and credential comes from variables (terraform.tfvars.json written by the test).
#
#   provider account: VPC 10.40.0.0/16, subnets in ap-northeast-1a and -1c, an internal network
#     load balancer with a TCP 443 listener forwarding to an ip target group (one target),
#     an endpoint service in front of it (acceptance required, the consumer's root allowed),
#     and the accepter of the consumer's connection
#   consumer account: VPC 10.41.0.0/16, one subnet, an Interface endpoint to the service

# The terraform block and the variables endpoint, secret_key and region are in
# ../_shared/provider.tf (its default provider goes unused here), the VPC module in
# ../modules/vpc: tfhelpers.TerraformRun copies both into the working directory. Each account
# has its own access key and aliased provider.

variable "provider_access_key" {
  type = string
}

variable "consumer_access_key" {
  type = string
}

variable "consumer_account_id" {
  type = string
}

provider "aws" {
  alias      = "provider"
  region     = var.region
  access_key = var.provider_access_key
  secret_key = var.secret_key

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  max_retries                 = 2

  # ELBv2 is served on the same URL (routed by the SigV4 credential scope).
  endpoints {
    ec2   = var.endpoint
    elbv2 = var.endpoint
    elb   = var.endpoint
    sts   = var.endpoint
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
    ec2   = var.endpoint
    elbv2 = var.endpoint
    elb   = var.endpoint
    sts   = var.endpoint
  }
}

locals {
  tags = { Project = "localvpc-e2e", Config = "endpoint_service" }
}

# --- Provider: network and load balancer -------------------------------------------------

module "provider_vpc" {
  source     = "./modules/vpc"
  providers  = { aws = aws.provider }
  name       = "tf-svc-provider"
  cidr_block = "10.40.0.0/16"
  tags       = local.tags

  subnets = {
    a = { name = "tf-svc-provider-a", cidr_block = "10.40.1.0/24", availability_zone = "ap-northeast-1a" }
    c = { name = "tf-svc-provider-c", cidr_block = "10.40.2.0/24", availability_zone = "ap-northeast-1c" }
  }
}

resource "aws_lb" "service" {
  provider           = aws.provider
  name               = "tf-svc-nlb"
  load_balancer_type = "network"
  internal           = true
  subnets            = [module.provider_vpc.subnet_ids["a"], module.provider_vpc.subnet_ids["c"]]
  tags               = merge(local.tags, { Name = "tf-svc-nlb" })
}

resource "aws_lb_target_group" "service" {
  provider    = aws.provider
  name        = "tf-svc-targets"
  port        = 443
  protocol    = "TCP"
  target_type = "ip"
  vpc_id      = module.provider_vpc.vpc_id
  tags        = merge(local.tags, { Name = "tf-svc-targets" })
}

resource "aws_lb_target_group_attachment" "app" {
  provider         = aws.provider
  target_group_arn = aws_lb_target_group.service.arn
  target_id        = "10.40.1.10"
  port             = 443
}

resource "aws_lb_listener" "tls" {
  provider          = aws.provider
  load_balancer_arn = aws_lb.service.arn
  port              = 443
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service.arn
  }

  tags = merge(local.tags, { Name = "tf-svc-listener" })
}

# --- Provider: the endpoint service --------------------------------------------------------

resource "aws_vpc_endpoint_service" "svc" {
  provider                   = aws.provider
  acceptance_required        = true
  network_load_balancer_arns = [aws_lb.service.arn]
  allowed_principals         = ["arn:aws:iam::${var.consumer_account_id}:root"]
  tags                       = merge(local.tags, { Name = "tf-svc" })

  # The listener must exist before consumers can reach anything.
  depends_on = [aws_lb_listener.tls]
}

# --- Consumer: network and the interface endpoint ------------------------------------------

module "consumer_vpc" {
  source     = "./modules/vpc"
  providers  = { aws = aws.consumer }
  name       = "tf-svc-consumer"
  cidr_block = "10.41.0.0/16"
  tags       = local.tags

  subnets = {
    a = { name = "tf-svc-consumer-a", cidr_block = "10.41.1.0/24", availability_zone = "ap-northeast-1a" }
  }
}

resource "aws_vpc_endpoint" "consumer" {
  provider          = aws.consumer
  vpc_id            = module.consumer_vpc.vpc_id
  service_name      = aws_vpc_endpoint_service.svc.service_name
  vpc_endpoint_type = "Interface"
  subnet_ids        = [module.consumer_vpc.subnet_ids["a"]]
  tags              = merge(local.tags, { Name = "tf-svc-endpoint" })
}

# --- Provider: accept the consumer's connection -------------------------------------------

resource "aws_vpc_endpoint_connection_accepter" "consumer" {
  provider                = aws.provider
  vpc_endpoint_service_id = aws_vpc_endpoint_service.svc.id
  vpc_endpoint_id         = aws_vpc_endpoint.consumer.id
}

# --- Outputs read back by the test ---------------------------------------------------------

output "provider_vpc_id" {
  value = module.provider_vpc.vpc_id
}
output "provider_subnet_ids" {
  value = [module.provider_vpc.subnet_ids["a"], module.provider_vpc.subnet_ids["c"]]
}
output "lb_arn" {
  value = aws_lb.service.arn
}
output "lb_dns_name" {
  value = aws_lb.service.dns_name
}
output "target_group_arn" {
  value = aws_lb_target_group.service.arn
}
output "listener_arn" {
  value = aws_lb_listener.tls.arn
}
output "service_id" {
  value = aws_vpc_endpoint_service.svc.id
}
output "service_name" {
  value = aws_vpc_endpoint_service.svc.service_name
}
output "service_state" {
  value = aws_vpc_endpoint_service.svc.state
}
output "service_type" {
  value = aws_vpc_endpoint_service.svc.service_type
}
output "base_endpoint_dns_names" {
  value = aws_vpc_endpoint_service.svc.base_endpoint_dns_names
}
output "availability_zones" {
  value = aws_vpc_endpoint_service.svc.availability_zones
}
output "consumer_vpc_id" {
  value = module.consumer_vpc.vpc_id
}
output "consumer_subnet_id" {
  value = module.consumer_vpc.subnet_ids["a"]
}
output "endpoint_id" {
  value = aws_vpc_endpoint.consumer.id
}
output "endpoint_dns_entries" {
  value = aws_vpc_endpoint.consumer.dns_entry
}
output "endpoint_network_interface_ids" {
  value = sort(tolist(aws_vpc_endpoint.consumer.network_interface_ids))
}
output "accepter_state" {
  value = aws_vpc_endpoint_connection_accepter.consumer.vpc_endpoint_state
}
