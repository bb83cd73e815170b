# Private DNS for S3 over PrivateLink, shared from a hub account with a member account, applied
# against localvpc by tests/e2e/test_terraform_route53.py. The two access keys map to two accounts
# on the server (--account HUBKEY=111111111111 --account MEMBERKEY=222222222222); every endpoint
# and credential comes from variables (terraform.tfvars.json written by the test).
#
#   hub account: VPC 10.50.0.0/16 with DNS support and hostnames, subnets in ap-northeast-1a and
#     -1c, a security group admitting HTTPS from 10.0.0.0/8, an S3 interface endpoint without
#     private DNS, and a private hosted zone s3.<region>.amazonaws.com on the hub VPC whose apex
#     and wildcard (*) A records are aliases of the endpoint's regional DNS name; an authorization
#     for the member's VPC
#   member account: VPC 10.51.0.0/16 associated with the hub's zone (aws_route53_zone_association
#     with the member's credentials, after the hub's aws_route53_vpc_association_authorization)
#
# The S3 endpoint's regional name is a wildcard (*.vpce-…-xxxxxxxx.s3.<region>.vpce.amazonaws.com);
# AWS accepts it as an alias target and returns it as \052.vpce-… (hashicorp/terraform-provider-aws
# issue 21845 shows such a record read back; the provider normalises both spellings).
#
# The zone declares its first VPC inline and takes the member's VPC through a separate
# association, so it ignores changes to `vpc` (as the provider's documentation requires).

# The terraform block and the variables endpoint, secret_key and region are in
# ../_shared/provider.tf (its default provider goes unused here), the VPC module in
# ../modules/vpc: tfhelpers.TerraformRun copies both into the working directory. Each account
# has its own access key and aliased provider.

variable "hub_access_key" {
  type = string
}

variable "member_access_key" {
  type = string
}

provider "aws" {
  alias      = "hub"
  region     = var.region
  access_key = var.hub_access_key
  secret_key = var.secret_key

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  max_retries                 = 2

  # Route 53 is served on the same URL (routed by the SigV4 credential scope).
  endpoints {
    ec2     = var.endpoint
    route53 = var.endpoint
    sts     = var.endpoint
  }
}

provider "aws" {
  alias      = "member"
  region     = var.region
  access_key = var.member_access_key
  secret_key = var.secret_key

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  max_retries                 = 2

  endpoints {
    ec2     = var.endpoint
    route53 = var.endpoint
    sts     = var.endpoint
  }
}

locals {
  tags    = { Project = "localvpc-e2e", Config = "route53_hub" }
  s3_zone = "s3.${var.region}.amazonaws.com"
}

# --- Hub: network and the S3 interface endpoint ----------------------------------------------

module "hub_vpc" {
  source     = "./modules/vpc"
  providers  = { aws = aws.hub }
  name       = "tf-r53-hub"
  cidr_block = "10.50.0.0/16"
  tags       = local.tags

  subnets = {
    a = { name = "tf-r53-hub-a", cidr_block = "10.50.1.0/24", availability_zone = "ap-northeast-1a" }
    c = { name = "tf-r53-hub-c", cidr_block = "10.50.2.0/24", availability_zone = "ap-northeast-1c" }
  }
}

resource "aws_security_group" "endpoint" {
  provider    = aws.hub
  name        = "s3-endpoint"
  description = "HTTPS from the private network to the S3 endpoint"
  vpc_id      = module.hub_vpc.vpc_id

  ingress {
    description = "https from 10/8"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.0.0.0/8"]
  }

  tags = merge(local.tags, { Name = "tf-r53-s3-endpoint" })
}

resource "aws_vpc_endpoint" "s3" {
  provider            = aws.hub
  vpc_id              = module.hub_vpc.vpc_id
  service_name        = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = false
  subnet_ids          = [module.hub_vpc.subnet_ids["a"], module.hub_vpc.subnet_ids["c"]]
  security_group_ids  = [aws_security_group.endpoint.id]
  tags                = merge(local.tags, { Name = "tf-r53-s3" })
}

# --- Hub: the private zone and its aliases to the endpoint ------------------------------------

resource "aws_route53_zone" "s3" {
  provider = aws.hub
  name     = local.s3_zone
  comment  = "S3 through the hub's interface endpoint"

  vpc {
    vpc_id     = module.hub_vpc.vpc_id
    vpc_region = var.region
  }

  tags = merge(local.tags, { Name = "tf-r53-s3-zone" })

  # The member's VPC is associated by aws_route53_zone_association.member.
  lifecycle {
    ignore_changes = [vpc]
  }
}

resource "aws_route53_record" "s3_apex" {
  provider = aws.hub
  zone_id  = aws_route53_zone.s3.zone_id
  name     = local.s3_zone
  type     = "A"

  alias {
    name                   = aws_vpc_endpoint.s3.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.s3.dns_entry[0].hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "s3_wildcard" {
  provider = aws.hub
  zone_id  = aws_route53_zone.s3.zone_id
  name     = "*.${local.s3_zone}"
  type     = "A"

  alias {
    name                   = aws_vpc_endpoint.s3.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.s3.dns_entry[0].hosted_zone_id
    evaluate_target_health = false
  }
}

# --- Hub: a health check of the endpoint's public face and a reusable delegation set ------------
# (no zone uses the set: a public zone here would add a GetChange wait to apply and destroy)

resource "aws_route53_health_check" "s3_https" {
  provider          = aws.hub
  type              = "HTTPS"
  fqdn              = local.s3_zone
  port              = 443
  resource_path     = "/"
  failure_threshold = 3
  request_interval  = 30
  regions           = ["us-east-1", "us-west-2", "ap-northeast-1"]

  tags = merge(local.tags, { Name = "tf-r53-s3-health" })
}

resource "aws_route53_delegation_set" "hub" {
  provider       = aws.hub
  reference_name = "hub-public"
}

# --- Member: a VPC that uses the hub's zone ---------------------------------------------------

module "member_vpc" {
  source     = "./modules/vpc"
  providers  = { aws = aws.member }
  name       = "tf-r53-member"
  cidr_block = "10.51.0.0/16"
  tags       = local.tags
}

resource "aws_route53_vpc_association_authorization" "member" {
  provider   = aws.hub
  zone_id    = aws_route53_zone.s3.zone_id
  vpc_id     = module.member_vpc.vpc_id
  vpc_region = var.region
}

resource "aws_route53_zone_association" "member" {
  provider   = aws.member
  zone_id    = aws_route53_vpc_association_authorization.member.zone_id
  vpc_id     = aws_route53_vpc_association_authorization.member.vpc_id
  vpc_region = var.region
}

# --- Outputs read back by the test ------------------------------------------------------------

output "hub_vpc_id" {
  value = module.hub_vpc.vpc_id
}
output "hub_subnet_ids" {
  value = [module.hub_vpc.subnet_ids["a"], module.hub_vpc.subnet_ids["c"]]
}
output "sg_id" {
  value = aws_security_group.endpoint.id
}
output "endpoint_id" {
  value = aws_vpc_endpoint.s3.id
}
output "endpoint_dns_entries" {
  value = aws_vpc_endpoint.s3.dns_entry
}
output "zone_id" {
  value = aws_route53_zone.s3.zone_id
}
output "zone_name" {
  value = aws_route53_zone.s3.name
}
output "zone_arn" {
  value = aws_route53_zone.s3.arn
}
output "name_servers" {
  value = aws_route53_zone.s3.name_servers
}
output "apex_fqdn" {
  value = aws_route53_record.s3_apex.fqdn
}
output "wildcard_fqdn" {
  value = aws_route53_record.s3_wildcard.fqdn
}
output "member_vpc_id" {
  value = module.member_vpc.vpc_id
}
output "authorization_id" {
  value = aws_route53_vpc_association_authorization.member.id
}
output "association_id" {
  value = aws_route53_zone_association.member.id
}
output "association_owning_account" {
  value = aws_route53_zone_association.member.owning_account
}

output "health_check_id" {
  value = aws_route53_health_check.s3_https.id
}

output "delegation_set_id" {
  value = aws_route53_delegation_set.hub.id
}

output "delegation_set_name_servers" {
  value = aws_route53_delegation_set.hub.name_servers
}
