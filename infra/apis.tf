locals {
  # Every API the kit uses, enabled before anything that needs it (resources depend on
  # google_project_service.enabled). Service Usage must already be on for Terraform to enable
  # the rest; it is on in every new project, and is listed so the set is complete.
  apis = toset([
    "artifactregistry.googleapis.com",     # images built from the function sources
    "bigquery.googleapis.com",             # validation pipeline tables
    "cloudbuild.googleapis.com",           # builds the function sources
    "cloudfunctions.googleapis.com",       # the functions themselves
    "cloudscheduler.googleapis.com",       # the delivery sweeper's schedule
    "cloudresourcemanager.googleapis.com", # project IAM bindings
    "drive.googleapis.com",                # sharing the spreadsheets sheets_export creates
    "firestore.googleapis.com",            # tag counter, pipeline state, accounts
    "iam.googleapis.com",                  # service accounts
    "logging.googleapis.com",              # structured logs and the log-based metric
    "monitoring.googleapis.com",           # where the log-based metrics are charted, and the alert
    "pubsub.googleapis.com",               # form delivery topics and push subscriptions
    "run.googleapis.com",                  # 2nd gen functions run as Cloud Run services
    "serviceusage.googleapis.com",         # enabling the others
    "sheets.googleapis.com",               # sheets_export appends rows
    "storage.googleapis.com",              # function sources, uploaded files
    "workflowexecutions.googleapis.com",   # starting and reading workflow executions
    "workflows.googleapis.com",            # the validation pipeline workflow
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.apis

  project = var.project_id
  service = each.value

  # Turning an API off on destroy would break anything else in the project that uses it.
  disable_on_destroy         = false
  disable_dependent_services = false
}
