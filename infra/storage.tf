# The buckets of the manifest (`buckets`), private: uniform bucket-level access (no object ACLs)
# and public access prevention enforced, so no object can ever be made public; the functions
# granted access (iam.tf) proxy reads. The function sources' bucket is in source.tf.

resource "google_storage_bucket" "data" {
  for_each = local.manifest.buckets

  project  = var.project_id
  name     = local.bucket_names[each.key]
  location = var.region
  labels   = local.common_labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # A deleted object must really be gone: no noncurrent versions kept, and no soft-deleted copy
  # either (Cloud Storage keeps deleted and overwritten objects for 7 days by default; 0 turns
  # that off).
  versioning {
    enabled = false
  }
  soft_delete_policy {
    retention_duration_seconds = 0
  }
  # A bucket holding user data is removed by `terraform destroy` only without protection.
  force_destroy = each.value.holds_user_data ? !var.deletion_protection : true

  depends_on = [google_project_service.enabled]
}
