# Gateway VPC endpoints for S3 and DynamoDB in a private VPC, applied against localvpc by
# tests/e2e/test_terraform.py. Every endpoint and credential comes from variables
# (terraform.tfvars.json written by the test).
#
#   VPC 10.20.0.0/16: private subnet (own route table), isolated subnet (own route table)
#   S3 gateway endpoint: route_table_ids = [private], bucket-restricted endpoint policy
#   DynamoDB gateway endpoint: no route_table_ids; both tables attached through
#     aws_vpc_endpoint_route_table_association (the provider docs forbid mixing both styles on
#     one endpoint: route_table_ids is Optional+Computed and would plan the extra table away)
#   security group: egress to S3 through the AWS-managed prefix list (inline egress block)

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf, the VPC module in ../modules/vpc: tfhelpers.TerraformRun copies
# both into the working directory.

locals {
  tags   = { Project = "localvpc-e2e", Config = "s3_gateway_endpoint" }
  bucket = "arn:aws:s3:::example-bucket"
}

# --- VPC, subnets, route tables --------------------------------------------------------

module "main" {
  source     = "./modules/vpc"
  name       = "tf-gwe-main"
  cidr_block = "10.20.0.0/16"
  tags       = local.tags

  subnets = {
    private = {
      name              = "tf-gwe-private"
      cidr_block        = "10.20.1.0/24"
      availability_zone = "ap-northeast-1a"
      route_table       = true
    }
    isolated = {
      name              = "tf-gwe-isolated"
      cidr_block        = "10.20.2.0/24"
      availability_zone = "ap-northeast-1c"
      route_table       = true
    }
  }
}

# --- S3 gateway endpoint with a bucket-restricted policy -------------------------------

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = module.main.vpc_id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [module.main.route_table_ids["private"]]

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ExampleBucketOnly"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
        Resource  = [local.bucket, "${local.bucket}/*"]
      }
    ]
  })

  tags = merge(local.tags, { Name = "tf-gwe-s3" })
}

# --- DynamoDB gateway endpoint, tables attached one by one -----------------------------

resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id            = module.main.vpc_id
  service_name      = "com.amazonaws.${var.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  tags              = merge(local.tags, { Name = "tf-gwe-dynamodb" })
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_private" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = module.main.route_table_ids["private"]
}

resource "aws_vpc_endpoint_route_table_association" "dynamodb_isolated" {
  vpc_endpoint_id = aws_vpc_endpoint.dynamodb.id
  route_table_id  = module.main.route_table_ids["isolated"]
}

# --- The AWS-managed S3 prefix list, two ways ------------------------------------------

data "aws_prefix_list" "s3" {
  name = "com.amazonaws.${var.region}.s3"
}

data "aws_ec2_managed_prefix_list" "s3" {
  name = "com.amazonaws.${var.region}.s3"
}

# --- Security group: HTTPS egress to S3 only, through the prefix list -------------------

resource "aws_security_group" "app" {
  name        = "app-s3"
  description = "app tier, egress to S3 only"
  vpc_id      = module.main.vpc_id

  egress {
    description     = "https to S3"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    prefix_list_ids = [data.aws_prefix_list.s3.id]
  }

  tags = merge(local.tags, { Name = "tf-gwe-app" })
}

# --- Outputs read back by the test -----------------------------------------------------

output "vpc_id" {
  value = module.main.vpc_id
}
output "private_subnet_id" {
  value = module.main.subnet_ids["private"]
}
output "isolated_subnet_id" {
  value = module.main.subnet_ids["isolated"]
}
output "private_route_table_id" {
  value = module.main.route_table_ids["private"]
}
output "isolated_route_table_id" {
  value = module.main.route_table_ids["isolated"]
}
output "main_route_table_id" {
  value = module.main.main_route_table_id
}
output "s3_endpoint_id" {
  value = aws_vpc_endpoint.s3.id
}
output "s3_endpoint_state" {
  value = aws_vpc_endpoint.s3.state
}
output "s3_endpoint_prefix_list_id" {
  value = aws_vpc_endpoint.s3.prefix_list_id
}
output "s3_endpoint_cidr_blocks" {
  value = aws_vpc_endpoint.s3.cidr_blocks
}
output "s3_endpoint_policy" {
  value = aws_vpc_endpoint.s3.policy
}
output "s3_endpoint_route_table_ids" {
  value = aws_vpc_endpoint.s3.route_table_ids
}
output "s3_endpoint_arn" {
  value = aws_vpc_endpoint.s3.arn
}
output "dynamodb_endpoint_id" {
  value = aws_vpc_endpoint.dynamodb.id
}
output "dynamodb_endpoint_prefix_list_id" {
  value = aws_vpc_endpoint.dynamodb.prefix_list_id
}
output "dynamodb_endpoint_policy" {
  value = aws_vpc_endpoint.dynamodb.policy
}
output "prefix_list_id" {
  value = data.aws_prefix_list.s3.id
}
output "prefix_list_cidrs" {
  value = data.aws_prefix_list.s3.cidr_blocks
}
output "managed_prefix_list_id" {
  value = data.aws_ec2_managed_prefix_list.s3.id
}
output "managed_prefix_list_owner" {
  value = data.aws_ec2_managed_prefix_list.s3.owner_id
}
output "managed_prefix_list_entries" {
  value = sort([for e in data.aws_ec2_managed_prefix_list.s3.entries : e.cidr])
}
output "app_sg_id" {
  value = aws_security_group.app.id
}
