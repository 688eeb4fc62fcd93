# Cloud Scheduler jobs of the manifest (`schedules`): each calls its function over HTTPS on its
# cron, with an OIDC token of the scheduler identity, which may invoke exactly those functions.

locals {
  schedules         = { for key, job in local.manifest_schedules : key => job if contains(local.deployed_functions, job.target) }
  scheduler_targets = toset([for job in values(local.schedules) : job.target])
}

resource "google_service_account" "scheduler" {
  count = length(local.schedules) > 0 ? 1 : 0

  project = var.project_id
  # Its id predates the manifest (System E's sweeper was the first job), kept for deployed stacks.
  account_id   = "${var.name_prefix}scheduler-delivery-sweeper"
  display_name = "Cloud Scheduler"
  description  = "Identity of the OIDC tokens Cloud Scheduler jobs send to the functions they call."

  depends_on = [google_project_service.enabled]
}

resource "google_cloud_scheduler_job" "schedule" {
  for_each = local.schedules

  project     = var.project_id
  region      = var.region
  name        = "${var.name_prefix}${each.key}"
  description = each.value.description
  schedule    = each.value.cron
  time_zone   = each.value.time_zone
  # A run that overlaps the next is cut short; the next one takes over where it stopped.
  attempt_deadline = each.value.attempt_deadline_seconds == null ? null : "${each.value.attempt_deadline_seconds}s"

  # The run.app URL: a scheduler call to it counts as internal traffic of the project, which the
  # target's ALLOW_INTERNAL_ONLY ingress requires (https://cloud.google.com/run/docs/securing/ingress).
  http_target {
    http_method = each.value.method
    uri         = "${google_cloudfunctions2_function.function[each.value.target].service_config[0].uri}${each.value.path}"
    oidc_token {
      service_account_email = google_service_account.scheduler[0].email
      audience              = google_cloudfunctions2_function.function[each.value.target].service_config[0].uri
    }
  }

  # A job signing as the scheduler account needs actAs on it.
  depends_on = [google_project_service.enabled, google_service_account_iam_member.deployer_acts_as]
}

resource "google_cloud_run_service_iam_member" "scheduler_invoker" {
  for_each = local.scheduler_targets

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler[0].email}"
}
