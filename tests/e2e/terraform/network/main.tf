# A typical two-tier VPC, applied against localvpc by tests/e2e/test_terraform.py.
# Every endpoint and credential comes from variables (terraform.tfvars.json written by the test).

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf, the VPC module in ../modules/vpc: tfhelpers.TerraformRun copies
# both into the working directory.

variable "account_id" {
  description = "account the access key maps to on the server (see web_to_app)"
  type        = string
}

locals {
  tags = { Project = "localvpc-e2e", Config = "network" }
}

# --- VPC and its subnets, secondary CIDR, DHCP options --------------------------------------

# The public subnet's table is the config's own (below: an inline route); the private one's
# comes from the module.
module "main" {
  source     = "./modules/vpc"
  name       = "tf-main"
  cidr_block = "10.0.0.0/16"
  tags       = local.tags

  subnets = {
    public = {
      name                    = "tf-public"
      cidr_block              = "10.0.1.0/24"
      availability_zone       = "ap-northeast-1a"
      map_public_ip_on_launch = true
      tags                    = { Tier = "public" }
    }
    private = {
      name              = "tf-private"
      cidr_block        = "10.0.2.0/24"
      availability_zone = "ap-northeast-1c"
      route_table       = true
      tags              = { Tier = "private" }
    }
  }
}

resource "aws_vpc_ipv4_cidr_block_association" "secondary" {
  vpc_id     = module.main.vpc_id
  cidr_block = "10.1.0.0/16"
}

resource "aws_vpc_dhcp_options" "main" {
  domain_name         = "corp.example.internal"
  domain_name_servers = ["AmazonProvidedDNS"]
  ntp_servers         = ["169.254.169.123"]
  tags                = merge(local.tags, { Name = "tf-dopt" })
}

resource "aws_vpc_dhcp_options_association" "main" {
  vpc_id          = module.main.vpc_id
  dhcp_options_id = aws_vpc_dhcp_options.main.id
}

# In the secondary CIDR: depends on the association through its vpc_id.
resource "aws_subnet" "secondary" {
  vpc_id            = aws_vpc_ipv4_cidr_block_association.secondary.vpc_id
  cidr_block        = "10.1.1.0/24"
  availability_zone = "ap-northeast-1a"
  tags              = merge(local.tags, { Name = "tf-secondary" })
}

# --- Internet gateway and the public route table ---------------------------------------

resource "aws_internet_gateway" "main" {
  vpc_id = module.main.vpc_id
  tags   = merge(local.tags, { Name = "tf-igw" })
}

resource "aws_route_table" "public" {
  vpc_id = module.main.vpc_id

  # Inline route (the peering config uses separate aws_route resources).
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }

  tags = merge(local.tags, { Name = "tf-public-rt" })
}

resource "aws_route_table_association" "public" {
  subnet_id      = module.main.subnet_ids["public"]
  route_table_id = aws_route_table.public.id
}

# --- Security groups -------------------------------------------------------------------
# The provider docs say not to mix rule styles on one group, so each group uses one style:
#   web: aws_vpc_security_group_{ingress,egress}_rule (egress references app)
#   app: aws_security_group_rule (ingress references web)

resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"
  vpc_id      = module.main.vpc_id
  tags        = merge(local.tags, { Name = "tf-web" })
}

resource "aws_security_group" "app" {
  name        = "app"
  description = "app tier"
  vpc_id      = module.main.vpc_id
  tags        = merge(local.tags, { Name = "tf-app" })
}

resource "aws_vpc_security_group_ingress_rule" "web_https" {
  security_group_id = aws_security_group.web.id
  description       = "https from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  tags              = merge(local.tags, { Name = "web-https" })
}

# "<account>/<group>" form: with skip_requesting_account_id the provider does not know its own
# account, so it reads ReferencedGroupInfo {GroupId, UserId} back as "UserId/GroupId" (AWS sends
# UserId for same-account references too); a bare group id here would show a diff on every plan,
# against AWS as much as against localvpc.
resource "aws_vpc_security_group_egress_rule" "web_to_app" {
  security_group_id            = aws_security_group.web.id
  description                  = "to app on 8080"
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = "${var.account_id}/${aws_security_group.app.id}"
}

resource "aws_security_group_rule" "app_from_web" {
  type                     = "ingress"
  security_group_id        = aws_security_group.app.id
  description              = "8080 from web"
  protocol                 = "tcp"
  from_port                = 8080
  to_port                  = 8080
  source_security_group_id = aws_security_group.web.id
}

resource "aws_security_group_rule" "app_egress_vpc" {
  type              = "egress"
  security_group_id = aws_security_group.app.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["10.0.0.0/16"]
}

# --- Network ACL on the private subnet -------------------------------------------------

resource "aws_network_acl" "private" {
  vpc_id     = module.main.vpc_id
  subnet_ids = [module.main.subnet_ids["private"]]

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "10.0.0.0/16"
    from_port  = 8080
    to_port    = 8080
  }

  ingress {
    rule_no    = 200
    action     = "deny"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 22
    to_port    = 22
  }

  ingress {
    rule_no    = 300
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 1024
    to_port    = 65535
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }

  tags = merge(local.tags, { Name = "tf-private-nacl" })
}

# --- Network interface -----------------------------------------------------------------

resource "aws_network_interface" "app" {
  subnet_id       = module.main.subnet_ids["private"]
  private_ips     = ["10.0.2.10"]
  security_groups = [aws_security_group.app.id]
  description     = "app eni"
  tags            = merge(local.tags, { Name = "tf-app-eni" })
}

# --- Outputs read back by the test -----------------------------------------------------

output "vpc_id" {
  value = module.main.vpc_id
}
output "main_route_table_id" {
  value = module.main.main_route_table_id
}
output "default_network_acl_id" {
  value = module.main.default_network_acl_id
}
output "default_security_group_id" {
  value = module.main.default_security_group_id
}
output "secondary_cidr_association_id" {
  value = aws_vpc_ipv4_cidr_block_association.secondary.id
}
output "public_subnet_id" {
  value = module.main.subnet_ids["public"]
}
output "private_subnet_id" {
  value = module.main.subnet_ids["private"]
}
output "secondary_subnet_id" {
  value = aws_subnet.secondary.id
}
output "igw_id" {
  value = aws_internet_gateway.main.id
}
output "public_route_table_id" {
  value = aws_route_table.public.id
}
output "private_route_table_id" {
  value = module.main.route_table_ids["private"]
}
output "public_association_id" {
  value = aws_route_table_association.public.id
}
output "private_association_id" {
  value = module.main.route_table_association_ids["private"]
}
output "web_sg_id" {
  value = aws_security_group.web.id
}
output "app_sg_id" {
  value = aws_security_group.app.id
}
output "web_https_rule_id" {
  value = aws_vpc_security_group_ingress_rule.web_https.security_group_rule_id
}
output "web_to_app_rule_id" {
  value = aws_vpc_security_group_egress_rule.web_to_app.security_group_rule_id
}
output "nacl_id" {
  value = aws_network_acl.private.id
}
output "eni_id" {
  value = aws_network_interface.app.id
}
output "dhcp_options_id" {
  value = aws_vpc_dhcp_options.main.id
}
