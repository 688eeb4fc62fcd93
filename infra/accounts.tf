# System D, accounts and audio sessions (functions/accounts, functions/audios): records in
# Firestore, files in two private buckets, one per function. The functions themselves are in
# local.functions (functions.tf) and their project roles in local.function_roles (iam.tf); what
# only System D needs lives here.

locals {
  accounts = {
    accounts_collection = "accounts"
    emails_collection   = "account_emails"
    audios_collection   = "audios"
    # Bucket names are global: the project id keeps them unique and predictable, so the
    # functions' environment can name them without depending on the bucket resources.
    images_bucket = "${var.project_id}-account-images"
    audio_bucket  = "${var.project_id}-audio-files"
  }
  accounts_environment = {
    ACCOUNTS_COLLECTION       = local.accounts.accounts_collection
    ACCOUNT_EMAILS_COLLECTION = local.accounts.emails_collection
    ACCOUNT_IMAGES_BUCKET     = local.accounts.images_bucket
    # image_hosted_link is <this URL>/<id>/image: the function serves the image itself, so the
    # bucket stays private (no public objects, no signing identity needed for signed URLs).
    ACCOUNTS_PUBLIC_URL = "${local.function_base_url}/accounts"
  }
  audios_environment = {
    AUDIOS_COLLECTION  = local.accounts.audios_collection
    AUDIO_FILES_BUCKET = local.accounts.audio_bucket
  }
}

# Account images: one object per account (its id), replaced by each upload, deleted with the
# account. Private: uniform bucket-level access (no object ACLs) and public access prevention
# enforced, so no object can ever be made public; the accounts function proxies reads.
resource "google_storage_bucket" "account_images" {
  project  = var.project_id
  name     = local.accounts.images_bucket
  location = var.region
  labels   = local.common_labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # A deleted image must really be gone: no noncurrent versions kept, and no soft-deleted copy
  # (Cloud Storage keeps deleted and overwritten objects for 7 days by default; 0 turns that off).
  versioning {
    enabled = false
  }
  soft_delete_policy {
    retention_duration_seconds = 0
  }
  # Holds user data: `terraform destroy` removes a non-empty bucket only without protection.
  force_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

# Audio session files: sessions/<session_id>.json, written with each create or replace and
# deleted with the session.
resource "google_storage_bucket" "audio_files" {
  project  = var.project_id
  name     = local.accounts.audio_bucket
  location = var.region
  labels   = local.common_labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = false
  }
  soft_delete_policy {
    retention_duration_seconds = 0
  }
  force_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

# Object access on each function's own bucket only, never project-wide: the accounts function
# cannot touch audio files, nor the audios function images, nor either the function sources.
# objectAdmin: create, overwrite (which needs delete), read and delete objects.
resource "google_storage_bucket_iam_member" "account_images_accounts" {
  bucket = google_storage_bucket.account_images.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.function["accounts"].email}"
}

resource "google_storage_bucket_iam_member" "audio_files_audios" {
  bucket = google_storage_bucket.audio_files.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.function["audios"].email}"
}

output "account_images_bucket" {
  description = "Bucket holding account images (private; served by the accounts function)."
  value       = google_storage_bucket.account_images.name
}

output "audio_files_bucket" {
  description = "Bucket holding audio session files (private)."
  value       = google_storage_bucket.audio_files.name
}
