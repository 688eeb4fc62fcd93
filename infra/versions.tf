# Terraform and provider versions. The google provider is pinned to the 6.x line: the
# resources below use arguments (cloudfunctions2 build service account, Firestore TTL fields)
# whose shape is stable within a major version.
terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
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
