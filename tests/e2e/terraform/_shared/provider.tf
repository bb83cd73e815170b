# Copied by tests/e2e/tfhelpers.py (TerraformRun) into the working directory of every config
# under tests/e2e/terraform/, next to the config's own *.tf (and modules/ as ./modules).
# Every endpoint and credential comes from variables (terraform.tfvars.json written by the test).
#
# Single-account configs use the default provider below. Multi-account configs declare their
# own access-key variables and one aliased provider per account; the default provider is then
# unused, and Terraform neither starts nor configures a provider nothing uses.

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
  description = "localvpc URL, e.g. http://127.0.0.1:PORT"
  type        = string
}

variable "access_key" {
  description = "the account's access key (single-account configs; null in multi-account ones)"
  type        = string
  default     = null
}

variable "secret_key" {
  type      = string
  sensitive = true
}

variable "region" {
  type    = string
  default = "ap-northeast-1"
}

provider "aws" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  max_retries                 = 2

  # Route 53 Resolver and S3 are served on the same URL (routed by the SigV4 credential
  # scope); S3 path-style, as the URL names no bucket.
  s3_use_path_style = true
  endpoints {
    ec2             = var.endpoint
    route53resolver = var.endpoint
    s3              = var.endpoint
    sts             = var.endpoint
  }
}
