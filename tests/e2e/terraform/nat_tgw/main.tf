# Egress through a NAT gateway plus a transit gateway joining two VPCs, applied against localvpc
# by tests/e2e/test_terraform.py. Every endpoint and credential comes from variables
# (terraform.tfvars.json written by the test).
#
#   main VPC 10.0.0.0/16: public subnet (IGW, EIP + public NAT gateway), private subnet
#                         (0.0.0.0/0 -> NAT, 10.1.0.0/16 -> TGW)
#   spoke VPC 10.1.0.0/16: one subnet (10.0.0.0/16 -> TGW)
#   transit gateway: default association/propagation off; one custom route table that both
#                    attachments are associated with and propagate to, plus a blackhole route.

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf, the VPC module in ../modules/vpc: tfhelpers.TerraformRun copies
# both into the working directory.

locals {
  tags = { Project = "localvpc-e2e", Config = "nat_tgw" }
}

# --- Main VPC: public and private subnets ----------------------------------------------

module "main" {
  source               = "./modules/vpc"
  name                 = "tf-nat-main"
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = false
  tags                 = local.tags

  subnets = {
    public = {
      name                    = "tf-nat-public"
      cidr_block              = "10.0.1.0/24"
      availability_zone       = "ap-northeast-1a"
      map_public_ip_on_launch = true
      route_table             = true
      tags                    = { Tier = "public" }
    }
    private = {
      name              = "tf-nat-private"
      cidr_block        = "10.0.2.0/24"
      availability_zone = "ap-northeast-1c"
      route_table       = true
      tags              = { Tier = "private" }
    }
  }
}

resource "aws_internet_gateway" "main" {
  vpc_id = module.main.vpc_id
  tags   = merge(local.tags, { Name = "tf-nat-igw" })
}

# --- Elastic IP and public NAT gateway -------------------------------------------------

resource "aws_eip" "nat" {
  domain = "vpc"
  tags   = merge(local.tags, { Name = "tf-nat-eip" })
  # A public NAT gateway needs the VPC's internet gateway.
  depends_on = [aws_internet_gateway.main]
}

resource "aws_nat_gateway" "main" {
  allocation_id     = aws_eip.nat.id
  subnet_id         = module.main.subnet_ids["public"]
  connectivity_type = "public"
  tags              = merge(local.tags, { Name = "tf-nat-gw" })
  depends_on        = [aws_internet_gateway.main]
}

# --- Routes: public -> IGW, private -> NAT (the module's route tables) ----------------------

resource "aws_route" "public_default" {
  route_table_id         = module.main.route_table_ids["public"]
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main.id
}

resource "aws_route" "private_default" {
  route_table_id         = module.main.route_table_ids["private"]
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.main.id
}

# --- Spoke VPC -----------------------------------------------------------------------

module "spoke" {
  source               = "./modules/vpc"
  name                 = "tf-nat-spoke"
  cidr_block           = "10.1.0.0/16"
  enable_dns_hostnames = false
  tags                 = local.tags

  subnets = {
    spoke = {
      name              = "tf-nat-spoke"
      cidr_block        = "10.1.1.0/24"
      availability_zone = "ap-northeast-1a"
      route_table       = true
    }
  }
}

# --- Transit gateway with a custom route table ----------------------------------------

resource "aws_ec2_transit_gateway" "hub" {
  description                     = "nat_tgw hub"
  amazon_side_asn                 = 64600
  default_route_table_association = "disable"
  default_route_table_propagation = "disable"
  dns_support                     = "enable"
  vpn_ecmp_support                = "enable"
  tags                            = merge(local.tags, { Name = "tf-nat-tgw" })
}

resource "aws_ec2_transit_gateway_route_table" "hub" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  tags               = merge(local.tags, { Name = "tf-nat-tgw-rtb" })
}

resource "aws_ec2_transit_gateway_vpc_attachment" "main" {
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = module.main.vpc_id
  subnet_ids                                      = [module.main.subnet_ids["private"]]
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags                                            = merge(local.tags, { Name = "tf-nat-attach-main" })
}

resource "aws_ec2_transit_gateway_vpc_attachment" "spoke" {
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = module.spoke.vpc_id
  subnet_ids                                      = [module.spoke.subnet_ids["spoke"]]
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags                                            = merge(local.tags, { Name = "tf-nat-attach-spoke" })
}

resource "aws_ec2_transit_gateway_route_table_association" "main" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.main.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

resource "aws_ec2_transit_gateway_route_table_association" "spoke" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "main" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.main.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "spoke" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

resource "aws_ec2_transit_gateway_route" "blackhole" {
  destination_cidr_block         = "10.99.0.0/16"
  blackhole                      = true
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

# --- VPC routes to the transit gateway (need the attachment in the VPC) ----------------

resource "aws_route" "private_to_spoke" {
  route_table_id         = module.main.route_table_ids["private"]
  destination_cidr_block = "10.1.0.0/16"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.main]
}

resource "aws_route" "spoke_to_main" {
  route_table_id         = module.spoke.route_table_ids["spoke"]
  destination_cidr_block = "10.0.0.0/16"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.spoke]
}

# --- Outputs read back by the test -----------------------------------------------------

output "vpc_id" {
  value = module.main.vpc_id
}
output "spoke_vpc_id" {
  value = module.spoke.vpc_id
}
output "public_subnet_id" {
  value = module.main.subnet_ids["public"]
}
output "private_subnet_id" {
  value = module.main.subnet_ids["private"]
}
output "spoke_subnet_id" {
  value = module.spoke.subnet_ids["spoke"]
}
output "igw_id" {
  value = aws_internet_gateway.main.id
}
output "eip_allocation_id" {
  value = aws_eip.nat.id
}
output "eip_public_ip" {
  value = aws_eip.nat.public_ip
}
output "nat_gateway_id" {
  value = aws_nat_gateway.main.id
}
output "nat_public_ip" {
  value = aws_nat_gateway.main.public_ip
}
output "nat_private_ip" {
  value = aws_nat_gateway.main.private_ip
}
output "nat_network_interface_id" {
  value = aws_nat_gateway.main.network_interface_id
}
output "public_route_table_id" {
  value = module.main.route_table_ids["public"]
}
output "private_route_table_id" {
  value = module.main.route_table_ids["private"]
}
output "spoke_route_table_id" {
  value = module.spoke.route_table_ids["spoke"]
}
output "tgw_id" {
  value = aws_ec2_transit_gateway.hub.id
}
output "tgw_association_default_route_table_id" {
  value = aws_ec2_transit_gateway.hub.association_default_route_table_id
}
output "tgw_route_table_id" {
  value = aws_ec2_transit_gateway_route_table.hub.id
}
output "main_attachment_id" {
  value = aws_ec2_transit_gateway_vpc_attachment.main.id
}
output "spoke_attachment_id" {
  value = aws_ec2_transit_gateway_vpc_attachment.spoke.id
}
