# Service accounts and every role binding. Each function and each workflow runs as its own
# account, holding the roles its manifest entry lists (`roles`, each with the resource it is
# granted on and why): least privilege is decided there, one entry per grant, and applied here by
# resource kind. Writing logs to stdout/stderr needs no role on Cloud Run.

locals {
  # One grant per (principal, role, resource), from the manifest. A grant on a function that is
  # not deployed (nodeSim behind deploy_node_simulator) is left out with it.
  grants = {
    for grant in flatten(concat(
      [for name, f in local.manifest.functions : [
        for g in f.roles : { principal = "function/${name}", role = g.role, kind = keys(g.on)[0], target = tostring(values(g.on)[0]) }
      ] if contains(local.deployed_functions, name)],
      [for name, w in local.manifest.workflows : [
        for g in w.roles : { principal = "workflow/${name}", role = g.role, kind = keys(g.on)[0], target = tostring(values(g.on)[0]) }
      ]],
    )) : "${grant.principal} ${grant.role} ${grant.kind}:${grant.target}" => grant
    if grant.kind != "function" || contains(local.deployed_functions, grant.target)
  }

  # Functions anyone on the internet may call (`public` in the manifest).
  public_functions = { for name, function in local.functions : name => function if function.public }

  # The account Cloud Build runs function builds as: reads the source object, writes the image
  # to Artifact Registry and the build logs.
  function_builder_roles = ["roles/cloudbuild.builds.builder"]
}

locals {
  # Every principal's email, keyed as in local.grants.
  account_emails = merge(
    { for name, account in google_service_account.function : "function/${name}" => account.email },
    { for name, account in google_service_account.workflow : "workflow/${name}" => account.email },
  )
}

resource "google_service_account" "function" {
  for_each = local.functions

  project = var.project_id
  # account_id: 6 to 30 characters; "fn-" plus the service name keeps it readable in IAM lists.
  account_id   = "fn-${local.service_names[each.key]}"
  display_name = "Function ${each.key}"
  description  = "Runtime identity of the ${local.service_names[each.key]} function: ${each.value.description}"

  depends_on = [google_project_service.enabled]
}

resource "google_service_account" "workflow" {
  for_each = local.manifest.workflows

  project      = var.project_id
  account_id   = "wf-${local.workflow_names[each.key]}"
  display_name = "Workflow ${local.workflow_names[each.key]}"
  description  = "Identity the ${local.workflow_names[each.key]} workflow runs as."

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "project" }

  project = var.project_id
  role    = each.value.role
  member  = "serviceAccount:${local.account_emails[each.value.principal]}"

  depends_on = [google_project_service.enabled]
}

# Roles on one BigQuery table each, never the dataset: process can neither read nor change the
# results table, nor the pipeline workflow the inputs table.
resource "google_bigquery_table_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "table" }

  project    = var.project_id
  dataset_id = google_bigquery_table.table[each.value.target].dataset_id
  table_id   = google_bigquery_table.table[each.value.target].table_id
  role       = each.value.role
  member     = "serviceAccount:${local.account_emails[each.value.principal]}"
}

# Object access on one bucket each, never project-wide: the accounts function cannot touch audio
# files, nor the audios function images, nor either the function sources.
resource "google_storage_bucket_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "bucket" }

  bucket = google_storage_bucket.data[each.value.target].name
  role   = each.value.role
  member = "serviceAccount:${local.account_emails[each.value.principal]}"
}

# A 2nd gen function is a Cloud Run service; invoking it over HTTPS is `run.invoker` on that
# service. Private functions are invoked by the accounts granted it here (a workflow calling them
# with OIDC tokens of its own account).
resource "google_cloud_run_service_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "function" }

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.value.target].name
  role     = each.value.role
  member   = "serviceAccount:${local.account_emails[each.value.principal]}"
}

# Roles on one Pub/Sub topic or subscription each (a function publishing to its topic).
resource "google_pubsub_topic_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "topic" }

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.value.target].name
  role    = each.value.role
  member  = "serviceAccount:${local.account_emails[each.value.principal]}"
}

resource "google_pubsub_subscription_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "subscription" }

  project      = var.project_id
  subscription = google_pubsub_subscription.subscription[each.value.target].name
  role         = each.value.role
  member       = "serviceAccount:${local.account_emails[each.value.principal]}"
}

# Granted to allUsers only for the public functions (`public` in the manifest: true, or a bool
# variable such as public_group_operations).
resource "google_cloud_run_service_iam_member" "public_invoker" {
  for_each = local.public_functions

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# The members of a function's `invokers` list variable (form_admins on forms, group_operation_invokers
# on the group operations) may call it while it is private.
resource "google_cloud_run_service_iam_member" "member_invoker" {
  for_each = merge([
    for name, f in local.functions : { for member in f.invokers : "${name} ${member}" => { function = name, member = member } }
  ]...)

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member
}

resource "google_service_account" "function_builder" {
  project      = var.project_id
  account_id   = "${var.name_prefix}function-builder"
  display_name = "Function builder"
  description  = "Cloud Build identity for building the function sources into images."

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "function_builder" {
  for_each = toset(local.function_builder_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.function_builder.email}"
}
