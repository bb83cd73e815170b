# Cross-account VPC peering (member -> hub) and transit gateway peering (member's gateway ->
# hub's), applied against localvpc by tests/e2e/test_terraform.py. The two access keys map to two accounts on the server
# (--account HUBKEY=111111111111 --account MEMBERKEY=222222222222).

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

variable "hub_account_id" {
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

  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
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
    ec2 = var.endpoint
    sts = var.endpoint
  }
}

# --- VPCs ------------------------------------------------------------------------------

module "hub_vpc" {
  source     = "./modules/vpc"
  providers  = { aws = aws.hub }
  name       = "tf-hub"
  cidr_block = "10.0.0.0/16"
}

module "member_vpc" {
  source     = "./modules/vpc"
  providers  = { aws = aws.member }
  name       = "tf-member"
  cidr_block = "10.1.0.0/16"
}

# --- Peering: requested by the member, accepted by the hub ------------------------------

resource "aws_vpc_peering_connection" "member_to_hub" {
  provider      = aws.member
  vpc_id        = module.member_vpc.vpc_id
  peer_vpc_id   = module.hub_vpc.vpc_id
  peer_owner_id = var.hub_account_id
  tags          = { Name = "member-to-hub", Side = "Requester" }
}

resource "aws_vpc_peering_connection_accepter" "hub" {
  provider                  = aws.hub
  vpc_peering_connection_id = aws_vpc_peering_connection.member_to_hub.id
  auto_accept               = true
  tags                      = { Name = "member-to-hub", Side = "Accepter" }
}

# Each side sets its own DNS-resolution option with its own credentials.
resource "aws_vpc_peering_connection_options" "member" {
  provider                  = aws.member
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.hub.id

  requester {
    allow_remote_vpc_dns_resolution = true
  }
}

resource "aws_vpc_peering_connection_options" "hub" {
  provider                  = aws.hub
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.hub.id

  accepter {
    allow_remote_vpc_dns_resolution = true
  }
}

# --- Routes to the peer on both sides --------------------------------------------------

# Hub: a route on the VPC's main route table.
resource "aws_route" "hub_to_member" {
  provider                  = aws.hub
  route_table_id            = module.hub_vpc.main_route_table_id
  destination_cidr_block    = module.member_vpc.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.hub.id
}

# Member: a dedicated route table.
resource "aws_route_table" "member" {
  provider = aws.member
  vpc_id   = module.member_vpc.vpc_id
  tags     = { Name = "tf-member-rt" }
}

resource "aws_route" "member_to_hub" {
  provider                  = aws.member
  route_table_id            = aws_route_table.member.id
  destination_cidr_block    = module.hub_vpc.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.hub.id
}

# --- Transit gateway peering: requested by the member's gateway, accepted by the hub ----

resource "aws_ec2_transit_gateway" "hub" {
  provider    = aws.hub
  description = "tf-hub-tgw"
  tags        = { Name = "tf-hub-tgw" }
}

resource "aws_ec2_transit_gateway" "member" {
  provider        = aws.member
  description     = "tf-member-tgw"
  amazon_side_asn = 64513
}

resource "aws_ec2_transit_gateway_peering_attachment" "member_to_hub" {
  provider                = aws.member
  transit_gateway_id      = aws_ec2_transit_gateway.member.id
  peer_transit_gateway_id = aws_ec2_transit_gateway.hub.id
  peer_account_id         = var.hub_account_id
  peer_region             = var.region
  tags                    = { Name = "tgw-member-to-hub", Side = "Requester" }
}

resource "aws_ec2_transit_gateway_peering_attachment_accepter" "hub" {
  provider                      = aws.hub
  transit_gateway_attachment_id = aws_ec2_transit_gateway_peering_attachment.member_to_hub.id
  tags                          = { Name = "tgw-member-to-hub", Side = "Accepter" }
}

# Each side routes the other's VPC over the peering with a static route.
resource "aws_ec2_transit_gateway_route" "hub_to_member" {
  provider                       = aws.hub
  destination_cidr_block         = module.member_vpc.cidr_block
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_peering_attachment_accepter.hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway.hub.association_default_route_table_id
}

resource "aws_ec2_transit_gateway_route" "member_to_hub" {
  provider                       = aws.member
  destination_cidr_block         = module.hub_vpc.cidr_block
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_peering_attachment_accepter.hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway.member.association_default_route_table_id
}

# --- Outputs read back by the test -----------------------------------------------------

output "hub_vpc_id" {
  value = module.hub_vpc.vpc_id
}
output "member_vpc_id" {
  value = module.member_vpc.vpc_id
}
output "hub_main_route_table_id" {
  value = module.hub_vpc.main_route_table_id
}
output "member_route_table_id" {
  value = aws_route_table.member.id
}
output "pcx_id" {
  value = aws_vpc_peering_connection.member_to_hub.id
}
output "accept_status" {
  value = aws_vpc_peering_connection_accepter.hub.accept_status
}
output "hub_tgw_id" {
  value = aws_ec2_transit_gateway.hub.id
}
output "member_tgw_id" {
  value = aws_ec2_transit_gateway.member.id
}
output "hub_tgw_rtb_id" {
  value = aws_ec2_transit_gateway.hub.association_default_route_table_id
}
output "member_tgw_rtb_id" {
  value = aws_ec2_transit_gateway.member.association_default_route_table_id
}
output "tgw_peering_id" {
  value = aws_ec2_transit_gateway_peering_attachment.member_to_hub.id
}
