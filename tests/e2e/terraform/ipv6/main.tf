# A dual-stack VPC, applied against localvpc by tests/e2e/test_terraform.py
# (test_ipv6_config_lifecycle): an Amazon-provided /56, a dual-stack subnet with a /64 from it,
# an egress-only internet gateway with a ::/0 route, an internet gateway with a ::/0 route,
# security group and network ACL rules for IPv6, and an interface with an IPv6 address.

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf: tfhelpers.TerraformRun copies it into the working directory.

locals {
  tags = { Project = "localvpc-e2e", Config = "ipv6" }
}

resource "aws_vpc" "dual" {
  cidr_block                       = "10.20.0.0/16"
  assign_generated_ipv6_cidr_block = true
  tags                             = merge(local.tags, { Name = "tf-dual" })
}

# Public: default routes to the internet gateway for both families.
resource "aws_subnet" "public" {
  vpc_id                          = aws_vpc.dual.id
  cidr_block                      = "10.20.1.0/24"
  ipv6_cidr_block                 = cidrsubnet(aws_vpc.dual.ipv6_cidr_block, 8, 1)
  assign_ipv6_address_on_creation = true
  availability_zone               = "ap-northeast-1a"
  tags                            = merge(local.tags, { Name = "tf-dual-public" })
}

# Private: IPv6 leaves only through the egress-only internet gateway.
resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.dual.id
  cidr_block        = "10.20.2.0/24"
  ipv6_cidr_block   = cidrsubnet(aws_vpc.dual.ipv6_cidr_block, 8, 2)
  availability_zone = "ap-northeast-1c"
  tags              = merge(local.tags, { Name = "tf-dual-private" })
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.dual.id
  tags   = merge(local.tags, { Name = "tf-dual-igw" })
}

resource "aws_egress_only_internet_gateway" "eigw" {
  vpc_id = aws_vpc.dual.id
  tags   = merge(local.tags, { Name = "tf-dual-eigw" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.dual.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }

  route {
    ipv6_cidr_block = "::/0"
    gateway_id      = aws_internet_gateway.igw.id
  }

  tags = merge(local.tags, { Name = "tf-dual-public-rt" })
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.dual.id
  tags   = merge(local.tags, { Name = "tf-dual-private-rt" })
}

# A separate aws_route (the public table uses inline routes).
resource "aws_route" "private_v6_default" {
  route_table_id              = aws_route_table.private.id
  destination_ipv6_cidr_block = "::/0"
  egress_only_gateway_id      = aws_egress_only_internet_gateway.eigw.id
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "web" {
  name        = "web6"
  description = "dual-stack web"
  vpc_id      = aws_vpc.dual.id

  ingress {
    description      = "https from anywhere"
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  tags = merge(local.tags, { Name = "tf-dual-web" })
}

resource "aws_security_group" "app" {
  name        = "app6"
  description = "dual-stack app"
  vpc_id      = aws_vpc.dual.id
  tags        = merge(local.tags, { Name = "tf-dual-app" })
}

resource "aws_vpc_security_group_ingress_rule" "app_from_vpc6" {
  security_group_id = aws_security_group.app.id
  description       = "8080 from the VPC over IPv6"
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
  cidr_ipv6         = aws_vpc.dual.ipv6_cidr_block
}

resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.dual.id
  subnet_ids = [aws_subnet.private.id]

  ingress {
    rule_no         = 100
    action          = "allow"
    protocol        = "tcp"
    ipv6_cidr_block = aws_vpc.dual.ipv6_cidr_block
    from_port       = 8080
    to_port         = 8080
  }

  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.20.0.0/16"
    from_port  = 8080
    to_port    = 8080
  }

  egress {
    rule_no         = 100
    action          = "allow"
    protocol        = "-1"
    ipv6_cidr_block = "::/0"
    from_port       = 0
    to_port         = 0
  }

  tags = merge(local.tags, { Name = "tf-dual-nacl" })
}

resource "aws_network_interface" "app" {
  subnet_id          = aws_subnet.private.id
  ipv6_address_count = 1
  security_groups    = [aws_security_group.app.id]
  tags               = merge(local.tags, { Name = "tf-dual-eni" })
}

output "vpc_id" {
  value = aws_vpc.dual.id
}
output "ipv6_cidr_block" {
  value = aws_vpc.dual.ipv6_cidr_block
}
output "ipv6_association_id" {
  value = aws_vpc.dual.ipv6_association_id
}
output "public_subnet_id" {
  value = aws_subnet.public.id
}
output "private_subnet_id" {
  value = aws_subnet.private.id
}
output "public_subnet_ipv6" {
  value = aws_subnet.public.ipv6_cidr_block
}
output "private_subnet_ipv6" {
  value = aws_subnet.private.ipv6_cidr_block
}
output "igw_id" {
  value = aws_internet_gateway.igw.id
}
output "eigw_id" {
  value = aws_egress_only_internet_gateway.eigw.id
}
output "public_route_table_id" {
  value = aws_route_table.public.id
}
output "private_route_table_id" {
  value = aws_route_table.private.id
}
output "main_route_table_id" {
  value = aws_vpc.dual.main_route_table_id
}
output "web_sg_id" {
  value = aws_security_group.web.id
}
output "app_sg_id" {
  value = aws_security_group.app.id
}
output "nacl_id" {
  value = aws_network_acl.private.id
}
output "default_network_acl_id" {
  value = aws_vpc.dual.default_network_acl_id
}
output "default_security_group_id" {
  value = aws_vpc.dual.default_security_group_id
}
output "eni_id" {
  value = aws_network_interface.app.id
}
output "eni_ipv6_addresses" {
  value = aws_network_interface.app.ipv6_addresses
}
