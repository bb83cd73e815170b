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
# are in ../_shared/provider.tf: tfhelpers.TerraformRun copies it into the working directory.

locals {
  tags = { Project = "localvpc-e2e", Config = "nat_tgw" }
}

# --- Main VPC: public and private subnets ----------------------------------------------

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = merge(local.tags, { Name = "tf-nat-main" })
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "ap-northeast-1a"
  map_public_ip_on_launch = true
  tags                    = merge(local.tags, { Name = "tf-nat-public", Tier = "public" })
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "ap-northeast-1c"
  tags              = merge(local.tags, { Name = "tf-nat-private", Tier = "private" })
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
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
  subnet_id         = aws_subnet.public.id
  connectivity_type = "public"
  tags              = merge(local.tags, { Name = "tf-nat-gw" })
  depends_on        = [aws_internet_gateway.main]
}

# --- Route tables: public -> IGW, private -> NAT -----------------------------------------

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.tags, { Name = "tf-nat-public-rt" })
}

resource "aws_route" "public_default" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main.id
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
  tags   = merge(local.tags, { Name = "tf-nat-private-rt" })
}

resource "aws_route" "private_default" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.main.id
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

# --- Spoke VPC -----------------------------------------------------------------------

resource "aws_vpc" "spoke" {
  cidr_block = "10.1.0.0/16"
  tags       = merge(local.tags, { Name = "tf-nat-spoke" })
}

resource "aws_subnet" "spoke" {
  vpc_id            = aws_vpc.spoke.id
  cidr_block        = "10.1.1.0/24"
  availability_zone = "ap-northeast-1a"
  tags              = merge(local.tags, { Name = "tf-nat-spoke" })
}

resource "aws_route_table" "spoke" {
  vpc_id = aws_vpc.spoke.id
  tags   = merge(local.tags, { Name = "tf-nat-spoke-rt" })
}

resource "aws_route_table_association" "spoke" {
  subnet_id      = aws_subnet.spoke.id
  route_table_id = aws_route_table.spoke.id
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
  vpc_id                                          = aws_vpc.main.id
  subnet_ids                                      = [aws_subnet.private.id]
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags                                            = merge(local.tags, { Name = "tf-nat-attach-main" })
}

resource "aws_ec2_transit_gateway_vpc_attachment" "spoke" {
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = aws_vpc.spoke.id
  subnet_ids                                      = [aws_subnet.spoke.id]
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
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "10.1.0.0/16"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.main]
}

resource "aws_route" "spoke_to_main" {
  route_table_id         = aws_route_table.spoke.id
  destination_cidr_block = "10.0.0.0/16"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.spoke]
}

# --- Outputs read back by the test -----------------------------------------------------

output "vpc_id" {
  value = aws_vpc.main.id
}
output "spoke_vpc_id" {
  value = aws_vpc.spoke.id
}
output "public_subnet_id" {
  value = aws_subnet.public.id
}
output "private_subnet_id" {
  value = aws_subnet.private.id
}
output "spoke_subnet_id" {
  value = aws_subnet.spoke.id
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
  value = aws_route_table.public.id
}
output "private_route_table_id" {
  value = aws_route_table.private.id
}
output "spoke_route_table_id" {
  value = aws_route_table.spoke.id
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
