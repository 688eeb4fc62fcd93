# Terraform and provider versions. Minor versions of the google provider add arguments, so the
# lower bound is the first release that has every argument used here: 6.11.0 added
# google_workflows_workflow.deletion_protection. Terraform 1.9 is the first whose variable
# validations may name other variables (group_node_audiences, group_node_late_seconds). The
# configuration is checked against the schema of 6.50.0 (test/infra/support/providerSchema.json); 7.0 changes defaults and removes arguments.
terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.11, < 7"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
