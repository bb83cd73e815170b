# Interface VPC endpoints for Session Manager (ssm, ssmmessages, ec2messages), EC2 and
# CloudWatch (monitoring) in a private VPC, applied against localvpc by
# tests/e2e/test_terraform.py. Every endpoint and credential comes from variables
# (terraform.tfvars.json written by the test).
#
#   VPC 10.30.0.0/16 with DNS support and hostnames (private DNS needs both)
#   two private subnets, ap-northeast-1a and ap-northeast-1c
#   security group admitting HTTPS from the VPC CIDR
#   one Interface endpoint per service: both subnets, that group, private DNS enabled

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf, the VPC module in ../modules/vpc: tfhelpers.TerraformRun copies
# both into the working directory.

locals {
  tags     = { Project = "localvpc-e2e", Config = "ssm_interface_endpoints" }
  services = toset(["ssm", "ssmmessages", "ec2", "ec2messages", "monitoring"])
}

# --- VPC and private subnets -----------------------------------------------------------

module "main" {
  source     = "./modules/vpc"
  name       = "tf-ife-main"
  cidr_block = "10.30.0.0/16"
  tags       = local.tags

  subnets = {
    a = { name = "tf-ife-private-a", cidr_block = "10.30.1.0/24", availability_zone = "ap-northeast-1a" }
    c = { name = "tf-ife-private-c", cidr_block = "10.30.2.0/24", availability_zone = "ap-northeast-1c" }
  }
}

# --- Security group for the endpoint interfaces ----------------------------------------

resource "aws_security_group" "endpoints" {
  name        = "vpc-endpoints"
  description = "HTTPS from the VPC to the interface endpoints"
  vpc_id      = module.main.vpc_id

  ingress {
    description = "https from the vpc"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = [module.main.cidr_block]
  }

  tags = merge(local.tags, { Name = "tf-ife-endpoints" })
}

# --- Interface endpoints ---------------------------------------------------------------

resource "aws_vpc_endpoint" "svc" {
  for_each = local.services

  vpc_id              = module.main.vpc_id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = [module.main.subnet_ids["a"], module.main.subnet_ids["c"]]
  security_group_ids  = [aws_security_group.endpoints.id]
  tags                = merge(local.tags, { Name = "tf-ife-${each.key}" })
}

# --- Outputs read back by the test -----------------------------------------------------

output "vpc_id" {
  value = module.main.vpc_id
}
output "subnet_a_id" {
  value = module.main.subnet_ids["a"]
}
output "subnet_c_id" {
  value = module.main.subnet_ids["c"]
}
output "sg_id" {
  value = aws_security_group.endpoints.id
}
output "endpoint_ids" {
  value = { for k, e in aws_vpc_endpoint.svc : k => e.id }
}
output "states" {
  value = { for k, e in aws_vpc_endpoint.svc : k => e.state }
}
output "dns_entries" {
  value = { for k, e in aws_vpc_endpoint.svc : k => e.dns_entry }
}
output "network_interface_ids" {
  value = { for k, e in aws_vpc_endpoint.svc : k => sort(tolist(e.network_interface_ids)) }
}
output "subnet_configurations" {
  value = { for k, e in aws_vpc_endpoint.svc : k => [for c in e.subnet_configuration : { subnet_id = c.subnet_id, ipv4 = c.ipv4 }] }
}
output "policies" {
  value = { for k, e in aws_vpc_endpoint.svc : k => e.policy }
}
output "requester_managed" {
  value = { for k, e in aws_vpc_endpoint.svc : k => e.requester_managed }
}
