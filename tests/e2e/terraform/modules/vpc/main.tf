# A VPC with its subnets and, for the subnets that ask for one, a route table of their own
# associated with them; used by the configs under tests/e2e/terraform/ (tfhelpers.TerraformRun
# copies this folder into each working directory as ./modules/vpc).
#
# Routes are left to the caller (aws_route resources, or its own aws_route_table with inline
# routes): inline routes cannot be passed in here, because aws_route_table.route is an
# "attributes as blocks" argument, with which a dynamic block does not work (hashicorp/terraform
# issue 32435), and zero dynamic blocks would fight the caller's aws_route resources.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "name" {
  description = "Name tag of the VPC"
  type        = string
}

variable "cidr_block" {
  type = string
}

# enableDnsSupport stays on (AWS's default); hostnames are on unless the caller says otherwise
# (false is AWS's default, and the provider then sends no ModifyVpcAttribute).
variable "enable_dns_hostnames" {
  type    = bool
  default = true
}

variable "assign_generated_ipv6_cidr_block" {
  type    = bool
  default = false
}

# Subnets by key (the instance key of aws_subnet.this and of the maps in the outputs).
variable "subnets" {
  type = map(object({
    name                            = string
    cidr_block                      = string
    availability_zone               = string
    map_public_ip_on_launch         = optional(bool, false)
    ipv6_netnum                     = optional(number) # a /64: cidrsubnet(the VPC's /56, 8, netnum)
    assign_ipv6_address_on_creation = optional(bool, false)
    route_table                     = optional(bool, false) # its own route table, Name "<name>-rt"
    tags                            = optional(map(string), {})
  }))
  default = {}
}

variable "tags" {
  description = "Tags of every resource (each also gets a Name)"
  type        = map(string)
  default     = {}
}

resource "aws_vpc" "this" {
  cidr_block                       = var.cidr_block
  enable_dns_support               = true
  enable_dns_hostnames             = var.enable_dns_hostnames
  assign_generated_ipv6_cidr_block = var.assign_generated_ipv6_cidr_block
  tags                             = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "this" {
  for_each = var.subnets

  vpc_id                          = aws_vpc.this.id
  cidr_block                      = each.value.cidr_block
  availability_zone               = each.value.availability_zone
  map_public_ip_on_launch         = each.value.map_public_ip_on_launch
  ipv6_cidr_block                 = each.value.ipv6_netnum == null ? null : cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, each.value.ipv6_netnum)
  assign_ipv6_address_on_creation = each.value.assign_ipv6_address_on_creation
  tags                            = merge(var.tags, each.value.tags, { Name = each.value.name })
}

resource "aws_route_table" "this" {
  for_each = { for k, s in var.subnets : k => s if s.route_table }

  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${each.value.name}-rt" })
}

resource "aws_route_table_association" "this" {
  for_each = aws_route_table.this

  subnet_id      = aws_subnet.this[each.key].id
  route_table_id = each.value.id
}

output "vpc_id" {
  value = aws_vpc.this.id
}
output "cidr_block" {
  value = aws_vpc.this.cidr_block
}
output "main_route_table_id" {
  value = aws_vpc.this.main_route_table_id
}
output "default_network_acl_id" {
  value = aws_vpc.this.default_network_acl_id
}
output "default_security_group_id" {
  value = aws_vpc.this.default_security_group_id
}
output "ipv6_cidr_block" {
  value = aws_vpc.this.ipv6_cidr_block
}
output "ipv6_association_id" {
  value = aws_vpc.this.ipv6_association_id
}
output "subnet_ids" {
  value = { for k, s in aws_subnet.this : k => s.id }
}
output "subnet_ipv6_cidr_blocks" {
  value = { for k, s in aws_subnet.this : k => s.ipv6_cidr_block }
}
output "route_table_ids" {
  value = { for k, r in aws_route_table.this : k => r.id }
}
output "route_table_association_ids" {
  value = { for k, a in aws_route_table_association.this : k => a.id }
}
