# Function sources. `node dist/scripts/packageFunctions.js` writes one folder per function
# (package.json whose `main` is that function's module, and the compiled code); each folder is
# zipped and uploaded under a name carrying the zip's MD5, so a code change is a new object
# name, which is what makes Cloud Functions rebuild and redeploy that function (and only it).

locals {
  # Known before apply: the build account's IAM condition (iam.tf) names it.
  function_source_bucket = "${var.name_prefix}${var.project_id}-function-source"
}

resource "google_storage_bucket" "function_source" {
  project  = var.project_id
  name     = local.function_source_bucket
  location = var.region
  labels   = local.common_labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Only build inputs live here; every object can be uploaded again from the repository.
  force_destroy = true
  # Each deploy deletes the archives it replaced: soft-deleted copies (7 days by default) would
  # only be billed, never restored.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  depends_on = [google_project_service.enabled]
}

data "archive_file" "function_source" {
  for_each = local.functions

  type        = "zip"
  source_dir  = "${var.function_source_dir}/${each.key}"
  output_path = "${path.module}/.terraform/archives/${each.key}.zip"
  # The provider already zeroes timestamps; a fixed mode makes the MD5 independent of umask.
  output_file_mode = "0644"
}

resource "google_storage_bucket_object" "function_source" {
  for_each = local.functions

  bucket = google_storage_bucket.function_source.name
  name   = "${local.service_names[each.key]}/${data.archive_file.function_source[each.key].output_md5}.zip"
  source = data.archive_file.function_source[each.key].output_path

  # The function is switched to the new object before the old one is deleted.
  lifecycle {
    create_before_destroy = true
  }
}
