# Reachability Analyzer, applied against localvpc by tests/e2e/test_terraform_network_insights.py
# (the provider's acceptance "basic" case). Every endpoint and credential comes from variables
# (terraform.tfvars.json written by the test).
#
#   VPC 10.80.0.0/16, one subnet 10.80.1.0/24
#   two network interfaces in that subnet with the VPC's default security group
#   a Network Insights path between them (tcp, no port)
#   an analysis of that path, waited for (wait_for_completion = true)

# The terraform block, the provider and its variables (endpoint, access_key, secret_key, region)
# are in ../_shared/provider.tf, the VPC module in ../modules/vpc: tfhelpers.TerraformRun copies
# both into the working directory.

locals {
  tags = { Project = "localvpc-e2e", Config = "network_insights" }
}

module "main" {
  source               = "./modules/vpc"
  name                 = "tf-nia-main"
  cidr_block           = "10.80.0.0/16"
  enable_dns_hostnames = false
  tags                 = local.tags

  subnets = {
    main = { name = "tf-nia-subnet", cidr_block = "10.80.1.0/24", availability_zone = "ap-northeast-1a" }
  }
}

# No security_groups: both interfaces get the VPC's default group.
resource "aws_network_interface" "source" {
  subnet_id = module.main.subnet_ids["main"]
  tags      = merge(local.tags, { Name = "tf-nia-source" })
}

resource "aws_network_interface" "destination" {
  subnet_id = module.main.subnet_ids["main"]
  tags      = merge(local.tags, { Name = "tf-nia-destination" })
}

resource "aws_ec2_network_insights_path" "main" {
  source      = aws_network_interface.source.id
  destination = aws_network_interface.destination.id
  protocol    = "tcp"
  tags        = merge(local.tags, { Name = "tf-nia-path" })
}

resource "aws_ec2_network_insights_analysis" "main" {
  network_insights_path_id = aws_ec2_network_insights_path.main.id
  wait_for_completion      = true
  tags                     = merge(local.tags, { Name = "tf-nia-analysis" })
}

# --- Outputs read back by the test -----------------------------------------------------

output "vpc_id" {
  value = module.main.vpc_id
}
output "subnet_id" {
  value = module.main.subnet_ids["main"]
}
output "source_eni_id" {
  value = aws_network_interface.source.id
}
output "destination_eni_id" {
  value = aws_network_interface.destination.id
}
output "path_id" {
  value = aws_ec2_network_insights_path.main.id
}
output "path_arn" {
  value = aws_ec2_network_insights_path.main.arn
}
output "path_source_arn" {
  value = aws_ec2_network_insights_path.main.source_arn
}
output "analysis_id" {
  value = aws_ec2_network_insights_analysis.main.id
}
output "analysis_arn" {
  value = aws_ec2_network_insights_analysis.main.arn
}
output "path_found" {
  value = aws_ec2_network_insights_analysis.main.path_found
}
output "status" {
  value = aws_ec2_network_insights_analysis.main.status
}
output "forward_component_ids" {
  # "<sequence number>:<component id>"; the test orders them by number.
  value = [for c in aws_ec2_network_insights_analysis.main.forward_path_components :
  "${c.sequence_number}:${c.component[0].id}"]
}
output "explanation_count" {
  value = length(aws_ec2_network_insights_analysis.main.explanations)
}
