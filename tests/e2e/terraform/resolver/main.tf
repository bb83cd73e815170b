# Route 53 Resolver endpoints and a forwarding rule, applied against localvpc by
# tests/e2e/test_terraform_resolver.py. Every endpoint and credential comes from variables
# (terraform.tfvars.json written by the test).
#
#   VPC 10.70.0.0/16 with DNS support and hostnames
#   two subnets, ap-northeast-1a and ap-northeast-1c
#   security group admitting DNS (TCP and UDP 53) from the VPC and on-premises
#   inbound endpoint with a chosen address in each subnet
#   outbound endpoint in both subnets (addresses chosen by the service)
#   FORWARD rule corp.example.internal -> 192.168.0.10:53 via the outbound endpoint,
#   associated with the VPC

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf, the VPC module in ../modules/vpc: tfhelpers.TerraformRun copies
# both into the working directory.

locals {
  tags = { Project = "localvpc-e2e", Config = "resolver" }
}

# --- VPC and subnets -------------------------------------------------------------------

module "main" {
  source     = "./modules/vpc"
  name       = "tf-resolver-main"
  cidr_block = "10.70.0.0/16"
  tags       = local.tags

  subnets = {
    a = { name = "tf-resolver-a", cidr_block = "10.70.1.0/24", availability_zone = "ap-northeast-1a" }
    c = { name = "tf-resolver-c", cidr_block = "10.70.2.0/24", availability_zone = "ap-northeast-1c" }
  }
}

# --- Security group for the endpoint interfaces ----------------------------------------

resource "aws_security_group" "dns" {
  name        = "resolver-endpoints"
  description = "DNS to and from the Resolver endpoints"
  vpc_id      = module.main.vpc_id

  ingress {
    description = "dns over udp"
    protocol    = "udp"
    from_port   = 53
    to_port     = 53
    cidr_blocks = [module.main.cidr_block, "192.168.0.0/16"]
  }

  ingress {
    description = "dns over tcp"
    protocol    = "tcp"
    from_port   = 53
    to_port     = 53
    cidr_blocks = [module.main.cidr_block, "192.168.0.0/16"]
  }

  egress {
    description = "dns to on-premises"
    protocol    = "udp"
    from_port   = 53
    to_port     = 53
    cidr_blocks = ["192.168.0.0/16"]
  }

  egress {
    description = "dns to on-premises over tcp"
    protocol    = "tcp"
    from_port   = 53
    to_port     = 53
    cidr_blocks = ["192.168.0.0/16"]
  }

  tags = merge(local.tags, { Name = "tf-resolver-dns" })
}

# --- Endpoints ---------------------------------------------------------------------------

resource "aws_route53_resolver_endpoint" "inbound" {
  name               = "tf-inbound"
  direction          = "INBOUND"
  security_group_ids = [aws_security_group.dns.id]

  ip_address {
    subnet_id = module.main.subnet_ids["a"]
    ip        = "10.70.1.53"
  }

  ip_address {
    subnet_id = module.main.subnet_ids["c"]
    ip        = "10.70.2.53"
  }

  tags = merge(local.tags, { Name = "tf-inbound" })
}

resource "aws_route53_resolver_endpoint" "outbound" {
  name               = "tf-outbound"
  direction          = "OUTBOUND"
  security_group_ids = [aws_security_group.dns.id]

  ip_address {
    subnet_id = module.main.subnet_ids["a"]
  }

  ip_address {
    subnet_id = module.main.subnet_ids["c"]
  }

  tags = merge(local.tags, { Name = "tf-outbound" })
}

# --- Forwarding rule for the on-premises domain ------------------------------------------

resource "aws_route53_resolver_rule" "corp" {
  name                 = "corp-example-internal"
  domain_name          = "corp.example.internal"
  rule_type            = "FORWARD"
  resolver_endpoint_id = aws_route53_resolver_endpoint.outbound.id

  target_ip {
    ip   = "192.168.0.10"
    port = 53
  }

  tags = merge(local.tags, { Name = "tf-corp" })
}

resource "aws_route53_resolver_rule_association" "corp" {
  name             = "corp-main"
  resolver_rule_id = aws_route53_resolver_rule.corp.id
  vpc_id           = module.main.vpc_id
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
  value = aws_security_group.dns.id
}
output "inbound_id" {
  value = aws_route53_resolver_endpoint.inbound.id
}
output "inbound_arn" {
  value = aws_route53_resolver_endpoint.inbound.arn
}
output "inbound_host_vpc_id" {
  value = aws_route53_resolver_endpoint.inbound.host_vpc_id
}
output "outbound_id" {
  value = aws_route53_resolver_endpoint.outbound.id
}
output "outbound_ips" {
  value = sort([for i in aws_route53_resolver_endpoint.outbound.ip_address : i.ip])
}
output "rule_id" {
  value = aws_route53_resolver_rule.corp.id
}
output "rule_arn" {
  value = aws_route53_resolver_rule.corp.arn
}
output "rule_owner_id" {
  value = aws_route53_resolver_rule.corp.owner_id
}
output "association_id" {
  value = aws_route53_resolver_rule_association.corp.id
}
