# A dual-stack VPC, applied against localvpc by tests/e2e/test_terraform.py
# (test_ipv6_config_lifecycle): an Amazon-provided /56, a dual-stack subnet with a /64 from it,
# an egress-only internet gateway with a ::/0 route, an internet gateway with a ::/0 route,
# security group and network ACL rules for IPv6, and an interface with an IPv6 address.

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf, the VPC module in ../modules/vpc: tfhelpers.TerraformRun copies
# both into the working directory.

locals {
  tags = { Project = "localvpc-e2e", Config = "ipv6" }
}

# Public: default routes to the internet gateway for both families (the config's own route
# table, inline routes). Private: IPv6 leaves only through the egress-only internet gateway (the
# module's route table, a separate aws_route).
module "dual" {
  source                           = "./modules/vpc"
  name                             = "tf-dual"
  cidr_block                       = "10.20.0.0/16"
  assign_generated_ipv6_cidr_block = true
  enable_dns_hostnames             = false
  tags                             = local.tags

  subnets = {
    public = {
      name                            = "tf-dual-public"
      cidr_block                      = "10.20.1.0/24"
      availability_zone               = "ap-northeast-1a"
      ipv6_netnum                     = 1
      assign_ipv6_address_on_creation = true
    }
    private = {
      name              = "tf-dual-private"
      cidr_block        = "10.20.2.0/24"
      availability_zone = "ap-northeast-1c"
      ipv6_netnum       = 2
      route_table       = true
    }
  }
}

resource "aws_internet_gateway" "igw" {
  vpc_id = module.dual.vpc_id
  tags   = merge(local.tags, { Name = "tf-dual-igw" })
}

resource "aws_egress_only_internet_gateway" "eigw" {
  vpc_id = module.dual.vpc_id
  tags   = merge(local.tags, { Name = "tf-dual-eigw" })
}

resource "aws_route_table" "public" {
  vpc_id = module.dual.vpc_id

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
  subnet_id      = module.dual.subnet_ids["public"]
  route_table_id = aws_route_table.public.id
}

# A separate aws_route (the public table uses inline routes).
resource "aws_route" "private_v6_default" {
  route_table_id              = module.dual.route_table_ids["private"]
  destination_ipv6_cidr_block = "::/0"
  egress_only_gateway_id      = aws_egress_only_internet_gateway.eigw.id
}

resource "aws_security_group" "web" {
  name        = "web6"
  description = "dual-stack web"
  vpc_id      = module.dual.vpc_id

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
  vpc_id      = module.dual.vpc_id
  tags        = merge(local.tags, { Name = "tf-dual-app" })
}

resource "aws_vpc_security_group_ingress_rule" "app_from_vpc6" {
  security_group_id = aws_security_group.app.id
  description       = "8080 from the VPC over IPv6"
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
  cidr_ipv6         = module.dual.ipv6_cidr_block
}

resource "aws_network_acl" "private" {
  vpc_id     = module.dual.vpc_id
  subnet_ids = [module.dual.subnet_ids["private"]]

  ingress {
    rule_no         = 100
    action          = "allow"
    protocol        = "tcp"
    ipv6_cidr_block = module.dual.ipv6_cidr_block
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
  subnet_id          = module.dual.subnet_ids["private"]
  ipv6_address_count = 1
  security_groups    = [aws_security_group.app.id]
  tags               = merge(local.tags, { Name = "tf-dual-eni" })
}

output "vpc_id" {
  value = module.dual.vpc_id
}
output "ipv6_cidr_block" {
  value = module.dual.ipv6_cidr_block
}
output "ipv6_association_id" {
  value = module.dual.ipv6_association_id
}
output "public_subnet_id" {
  value = module.dual.subnet_ids["public"]
}
output "private_subnet_id" {
  value = module.dual.subnet_ids["private"]
}
output "public_subnet_ipv6" {
  value = module.dual.subnet_ipv6_cidr_blocks["public"]
}
output "private_subnet_ipv6" {
  value = module.dual.subnet_ipv6_cidr_blocks["private"]
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
  value = module.dual.route_table_ids["private"]
}
output "main_route_table_id" {
  value = module.dual.main_route_table_id
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
  value = module.dual.default_network_acl_id
}
output "default_security_group_id" {
  value = module.dual.default_security_group_id
}
output "eni_id" {
  value = aws_network_interface.app.id
}
output "eni_ipv6_addresses" {
  value = aws_network_interface.app.ipv6_addresses
}
