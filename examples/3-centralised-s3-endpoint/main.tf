# Scenario 3 with Terraform: a centralised S3 interface endpoint in a hub account.
#
#   hub account (HUBKEY -> 111111111111), VPC 10.0.0.0/16:
#     S3 interface endpoint with private DNS OFF in two AZs; a private hosted zone
#     s3.ap-northeast-1.amazonaws.com whose apex and wildcard are aliases of the endpoint's
#     regional name; a Route 53 Resolver inbound endpoint for on-premises DNS forwarders; a
#     site-to-site VPN (customer gateway + virtual private gateway) to on-premises 192.168.0.0/16
#   member account (MEMBERKEY -> 222222222222), VPC 10.1.0.0/16:
#     associated with the hub's zone (authorisation by the hub, association by the member),
#     connected to the hub by VPC peering, and (with app_instance = true) an instance whose S3
#     traffic goes to the hub
#
#   python examples/run.py 3 --form terraform [--connectivity tgw]
#
# connectivity = "tgw" joins the VPCs with a transit gateway instead of peering. In AWS a member
# account can attach its VPC only after the hub shares the gateway through AWS RAM, which
# localvpc does not model, so in that variant the "member" VPC lives in the hub account: the
# member provider below then uses the hub's key, and no zone authorisation is needed.

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

variable "hub_access_key" {
  type    = string
  default = "HUBKEY"
}

variable "member_access_key" {
  type    = string
  default = "MEMBERKEY"
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
    Launch the member's workload instance (aws_instance). Off by default: localvpc does not answer
    every call the provider's aws_instance makes yet (DescribeInstanceTypes,
    DescribeInstanceAttribute, DescribeVolumes, DescribeInstanceCreditSpecifications), so the apply would fail. The
    aws CLI and boto3 forms launch it.
  EOT
  type        = bool
  default     = false
}

variable "connectivity" {
  description = "how the member VPC reaches the hub: peering or tgw"
  type        = string
  default     = "peering"
  validation {
    condition     = contains(["peering", "tgw"], var.connectivity)
    error_message = "connectivity is peering or tgw"
  }
}

provider "aws" {
  alias      = "hub"
  region     = var.region
  access_key = var.hub_access_key
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
  alias      = "member"
  region     = var.region
  access_key = local.peering ? var.member_access_key : var.hub_access_key
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

data "aws_caller_identity" "hub" {
  provider = aws.hub
}

locals {
  peering     = var.connectivity == "peering"
  tags        = { Example = "3-centralised-s3-endpoint" }
  s3_zone     = "s3.${var.region}.amazonaws.com"
  onprem_cidr = "192.168.0.0/16"
}

# --- Hub: 1. the VPC (both DNS attributes on), two subnets in two AZs, one route table -------

resource "aws_vpc" "hub" {
  provider             = aws.hub
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = "hub-vpc" })
}

resource "aws_subnet" "hub_a" {
  provider          = aws.hub
  vpc_id            = aws_vpc.hub.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "${var.region}a"
  tags              = merge(local.tags, { Name = "hub-a" })
}

resource "aws_subnet" "hub_c" {
  provider          = aws.hub
  vpc_id            = aws_vpc.hub.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "${var.region}c"
  tags              = merge(local.tags, { Name = "hub-c" })
}

resource "aws_route_table" "hub" {
  provider = aws.hub
  vpc_id   = aws_vpc.hub.id
  tags     = merge(local.tags, { Name = "hub-rt" })
}

resource "aws_route_table_association" "hub_a" {
  provider       = aws.hub
  subnet_id      = aws_subnet.hub_a.id
  route_table_id = aws_route_table.hub.id
}

resource "aws_route_table_association" "hub_c" {
  provider       = aws.hub
  subnet_id      = aws_subnet.hub_c.id
  route_table_id = aws_route_table.hub.id
}

# --- Hub: 2. the S3 interface endpoint, private DNS OFF, HTTPS from members and on-premises ---
# (With private DNS on, AWS's hidden zone would serve only the hub VPC and would block our own
# zone of the same name there.)

resource "aws_security_group" "endpoint" {
  provider    = aws.hub
  name        = "s3-endpoint"
  description = "HTTPS to the S3 endpoint from the VPCs and on-premises"
  vpc_id      = aws_vpc.hub.id

  ingress {
    description = "VPCs and on-premises"
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["10.0.0.0/8", local.onprem_cidr]
  }

  tags = merge(local.tags, { Name = "hub-s3-endpoint-sg" })
}

resource "aws_vpc_endpoint" "s3" {
  provider            = aws.hub
  vpc_id              = aws_vpc.hub.id
  service_name        = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = false
  subnet_ids          = [aws_subnet.hub_a.id, aws_subnet.hub_c.id]
  security_group_ids  = [aws_security_group.endpoint.id]
  tags                = merge(local.tags, { Name = "hub-s3-endpoint" })
}

# --- Hub: 3. the private hosted zone named exactly like the service, aliases to the endpoint ---
# dns_entry[0] is the regional name, *.vpce-<id>-<suffix>.s3.<region>.vpce.amazonaws.com.

resource "aws_route53_zone" "s3" {
  provider = aws.hub
  name     = local.s3_zone
  comment  = "S3 through the hub interface endpoint"

  vpc {
    vpc_id     = aws_vpc.hub.id
    vpc_region = var.region
  }

  tags = merge(local.tags, { Name = "hub-s3-zone" })

  # The member VPC is associated by aws_route53_zone_association.member (the provider's
  # documented pattern for zones shared with other VPCs).
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

# --- Member: 4. the member VPC, a subnet and a route table ------------------------------------

resource "aws_vpc" "member" {
  provider             = aws.member
  cidr_block           = "10.1.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = "member-vpc" })
}

resource "aws_subnet" "member_a" {
  provider          = aws.member
  vpc_id            = aws_vpc.member.id
  cidr_block        = "10.1.1.0/24"
  availability_zone = "${var.region}a"
  tags              = merge(local.tags, { Name = "member-a" })
}

resource "aws_route_table" "member" {
  provider = aws.member
  vpc_id   = aws_vpc.member.id
  tags     = merge(local.tags, { Name = "member-rt" })
}

resource "aws_route_table_association" "member_a" {
  provider       = aws.member
  subnet_id      = aws_subnet.member_a.id
  route_table_id = aws_route_table.member.id
}

# --- 5. The member VPC uses the hub's zone ----------------------------------------------------
# Cross-account: the zone owner authorises the VPC, then the VPC owner associates it.

resource "aws_route53_vpc_association_authorization" "member" {
  count      = local.peering ? 1 : 0
  provider   = aws.hub
  zone_id    = aws_route53_zone.s3.zone_id
  vpc_id     = aws_vpc.member.id
  vpc_region = var.region
}

resource "aws_route53_zone_association" "member" {
  provider   = aws.member
  zone_id    = local.peering ? aws_route53_vpc_association_authorization.member[0].zone_id : aws_route53_zone.s3.zone_id
  vpc_id     = aws_vpc.member.id
  vpc_region = var.region
}

# --- 6a. The member reaches the hub's endpoint by VPC peering (requested by the member) -------

resource "aws_vpc_peering_connection" "member_to_hub" {
  count         = local.peering ? 1 : 0
  provider      = aws.member
  vpc_id        = aws_vpc.member.id
  peer_vpc_id   = aws_vpc.hub.id
  peer_owner_id = data.aws_caller_identity.hub.account_id
  tags          = merge(local.tags, { Name = "member-to-hub" })
}

resource "aws_vpc_peering_connection_accepter" "hub" {
  count                     = local.peering ? 1 : 0
  provider                  = aws.hub
  vpc_peering_connection_id = aws_vpc_peering_connection.member_to_hub[0].id
  auto_accept               = true
  tags                      = merge(local.tags, { Name = "member-to-hub" })
}

resource "aws_route" "hub_to_member_pcx" {
  count                     = local.peering ? 1 : 0
  provider                  = aws.hub
  route_table_id            = aws_route_table.hub.id
  destination_cidr_block    = aws_vpc.member.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.hub[0].id
}

resource "aws_route" "member_to_hub_pcx" {
  count                     = local.peering ? 1 : 0
  provider                  = aws.member
  route_table_id            = aws_route_table.member.id
  destination_cidr_block    = aws_vpc.hub.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.hub[0].id
}

# --- 6b. ... or by a transit gateway in the hub (the tgw variant) -----------------------------

resource "aws_ec2_transit_gateway" "hub" {
  count       = local.peering ? 0 : 1
  provider    = aws.hub
  description = "hub for the centralised endpoints"
  tags        = merge(local.tags, { Name = "hub-tgw" })
}

resource "aws_ec2_transit_gateway_vpc_attachment" "hub" {
  count              = local.peering ? 0 : 1
  provider           = aws.hub
  transit_gateway_id = aws_ec2_transit_gateway.hub[0].id
  vpc_id             = aws_vpc.hub.id
  subnet_ids         = [aws_subnet.hub_a.id, aws_subnet.hub_c.id]
  tags               = merge(local.tags, { Name = "hub-attachment" })
}

resource "aws_ec2_transit_gateway_vpc_attachment" "member" {
  count              = local.peering ? 0 : 1
  provider           = aws.member
  transit_gateway_id = aws_ec2_transit_gateway.hub[0].id
  vpc_id             = aws_vpc.member.id
  subnet_ids         = [aws_subnet.member_a.id]
  tags               = merge(local.tags, { Name = "member-attachment" })
}

resource "aws_route" "hub_to_member_tgw" {
  count                  = local.peering ? 0 : 1
  provider               = aws.hub
  route_table_id         = aws_route_table.hub.id
  destination_cidr_block = aws_vpc.member.cidr_block
  transit_gateway_id     = aws_ec2_transit_gateway_vpc_attachment.hub[0].transit_gateway_id
}

resource "aws_route" "member_to_hub_tgw" {
  count                  = local.peering ? 0 : 1
  provider               = aws.member
  route_table_id         = aws_route_table.member.id
  destination_cidr_block = aws_vpc.hub.cidr_block
  transit_gateway_id     = aws_ec2_transit_gateway_vpc_attachment.member[0].transit_gateway_id
}

# --- Hub: 7. the inbound Resolver endpoint that on-premises DNS forwards S3 names to ----------

resource "aws_security_group" "resolver" {
  provider    = aws.hub
  name        = "resolver-inbound"
  description = "DNS from on-premises to the inbound resolver endpoint"
  vpc_id      = aws_vpc.hub.id

  ingress {
    protocol    = "udp"
    from_port   = 53
    to_port     = 53
    cidr_blocks = [local.onprem_cidr]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 53
    to_port     = 53
    cidr_blocks = [local.onprem_cidr]
  }

  tags = merge(local.tags, { Name = "hub-resolver-sg" })
}

resource "aws_route53_resolver_endpoint" "inbound" {
  provider           = aws.hub
  name               = "hub-inbound"
  direction          = "INBOUND"
  security_group_ids = [aws_security_group.resolver.id]

  ip_address {
    subnet_id = aws_subnet.hub_a.id
    ip        = "10.0.1.53"
  }

  ip_address {
    subnet_id = aws_subnet.hub_c.id
    ip        = "10.0.2.53"
  }

  tags = merge(local.tags, { Name = "hub-inbound" })
}

# --- Hub: 8. on-premises 192.168.0.0/16 over a site-to-site VPN --------------------------------

resource "aws_customer_gateway" "onprem" {
  provider   = aws.hub
  type       = "ipsec.1"
  ip_address = "203.0.113.10"
  bgp_asn    = 65000
  tags       = merge(local.tags, { Name = "onprem-cgw" })
}

resource "aws_vpn_gateway" "hub" {
  provider        = aws.hub
  vpc_id          = aws_vpc.hub.id
  amazon_side_asn = 64512
  tags            = merge(local.tags, { Name = "hub-vgw" })
}

resource "aws_vpn_connection" "onprem" {
  provider            = aws.hub
  type                = "ipsec.1"
  customer_gateway_id = aws_customer_gateway.onprem.id
  vpn_gateway_id      = aws_vpn_gateway.hub.id
  static_routes_only  = true
  tags                = merge(local.tags, { Name = "onprem-vpn" })
}

resource "aws_vpn_connection_route" "onprem" {
  provider               = aws.hub
  vpn_connection_id      = aws_vpn_connection.onprem.id
  destination_cidr_block = local.onprem_cidr
}

# The hub's route table learns 192.168.0.0/16 -> vgw from the gateway.
resource "aws_vpn_gateway_route_propagation" "hub" {
  provider       = aws.hub
  vpn_gateway_id = aws_vpn_gateway.hub.id
  route_table_id = aws_route_table.hub.id
}

# --- Member: 9. the workload: one instance in member-a (Amazon Linux 2023, no public address) --
# Its S3 names resolve to the hub endpoint's ENIs (the zone), the route to 10.0.0.0/16 takes it
# to the hub, and the endpoint's group admits 10.0.0.0/8 on 443. It has the member VPC's default
# security group, which allows all outbound traffic.

data "aws_ami" "al2023" {
  provider    = aws.member
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["al2023-ami-2023*-x86_64"]
  }
}

resource "aws_instance" "app" {
  count         = var.app_instance ? 1 : 0
  provider      = aws.member
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.member_a.id
  tags          = merge(local.tags, { Name = "member-app" })
}

# --- What to look at ------------------------------------------------------------------------

# A VPC the zone is not associated with, to compare DNS answers: the member account's default VPC
# (read, not managed). There the S3 names keep their public answer.
data "aws_vpc" "unassociated" {
  provider = aws.member
  default  = true
}


output "connectivity" {
  value = var.connectivity
}
output "s3_endpoint_id" {
  value = aws_vpc_endpoint.s3.id
}
output "s3_endpoint_regional_name" {
  value = aws_vpc_endpoint.s3.dns_entry[0].dns_name
}
output "s3_endpoint_ips" {
  description = "what S3 names resolve to in the member VPC and from on-premises"
  value       = [for c in aws_vpc_endpoint.s3.subnet_configuration : c.ipv4]
}
output "zone_id" {
  value = aws_route53_zone.s3.zone_id
}
output "inbound_resolver_ips" {
  description = "point the on-premises forwarder for s3.<region>.amazonaws.com here"
  value       = [for a in aws_route53_resolver_endpoint.inbound.ip_address : a.ip]
}
output "hub_vpc_id" {
  value = aws_vpc.hub.id
}
output "member_vpc_id" {
  value = aws_vpc.member.id
}
output "peering_connection_id" {
  value = one(aws_vpc_peering_connection_accepter.hub[*].id)
}
output "transit_gateway_id" {
  value = one(aws_ec2_transit_gateway.hub[*].id)
}
output "vpn_connection_id" {
  value = aws_vpn_connection.onprem.id
}
output "resolver_endpoint_id" {
  value = aws_route53_resolver_endpoint.inbound.id
}
output "app_instance_id" {
  description = "trace from it: localvpc trace --from <id> --to s3.<region>.amazonaws.com"
  value       = one(aws_instance.app[*].id)
}
output "unassociated_vpc_id" {
  description = "the member account's default VPC: not associated with the zone (run.py asks DNS there too)"
  value       = data.aws_vpc.unassociated.id
}
