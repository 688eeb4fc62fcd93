# The functions: one google_cloudfunctions2_function per entry of local.functions (manifest.tf),
# each with its own source archive (source.tf) and service account (iam.tf).

locals {
  # Set on every function, beyond its manifest environment.
  function_common_environment = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    # The platform sets this on every 2nd gen function (the functions framework then labels
    # each log line with its execution id); setting it here too avoids a permanent plan diff.
    LOG_EXECUTION_ID = "true"
    # The front door: every function also answers at <this>/<name>/<path>. Problem types link to
    # their section of the docs page under it, and the OpenAPI document names it as its server.
    PUBLIC_BASE_URL = local.function_base_url
  }

  common_labels = merge({ app = "gcf-backend-kit" }, var.labels)
}

resource "google_cloudfunctions2_function" "function" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = local.service_names[each.key]
  description = each.value.description
  labels      = local.common_labels

  build_config {
    runtime     = var.function_runtime
    entry_point = each.key
    # Builds run as a dedicated account (iam.tf) rather than the project's default compute
    # account, which new projects no longer give the permissions a build needs.
    service_account = google_service_account.function_builder.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_seconds
    max_instance_request_concurrency = each.value.concurrency
    min_instance_count               = each.value.min_instances
    max_instance_count               = each.value.max_instances
    service_account_email            = google_service_account.function[each.key].email
    environment_variables            = merge(local.function_common_environment, each.value.environment)
    ingress_settings                 = each.value.ingress_settings
    all_traffic_on_latest_revision   = true
  }

  lifecycle {
    precondition {
      condition     = length(local.unresolved_env) == 0
      error_message = "Environment variables without a value: ${join("; ", local.unresolved_env)}."
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.grant,
    google_project_iam_member.function_builder,
    google_project_iam_member.function_builder_source_reader,
    google_service_account_iam_member.deployer_acts_as,
  ]
}
