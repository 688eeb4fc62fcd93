# Service accounts and every role binding. Each function and each workflow runs as its own
# account, holding the roles its manifest entry lists (`roles`, each with the resource it is
# granted on and why): least privilege is decided there, one entry per grant, and applied here by
# resource kind. Writing logs to stdout/stderr needs no role on Cloud Run. Where every predefined
# role holds more than the code calls, the manifest declares a custom role (`custom_roles`, granted
# as `custom/<id>`): one google_project_iam_custom_role each, below.

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
      )) : "${grant.principal} ${grant.role} ${grant.kind}:${grant.target}" => merge(grant, {
      # What IAM is given: a predefined role as is, a custom one by its full name.
      granted = startswith(grant.role, "custom/") ? "projects/${var.project_id}/roles/${local.custom_role_ids[trimprefix(grant.role, "custom/")]}" : grant.role
    })
    if grant.kind != "function" || contains(local.deployed_functions, grant.target)
  }

  # Functions anyone on the internet may call (`public` in the manifest).
  public_functions = { for name, function in local.functions : name => function if function.public }

  # Custom role ids allow letters, digits, _ and . only: name_prefix's hyphens become _ (so a
  # second copy of the kit in the project has its own roles).
  custom_role_ids = { for key, _ in local.manifest.custom_roles : key => "${replace(var.name_prefix, "-", "_")}gcfKit${upper(substr(key, 0, 1))}${substr(key, 1, -1)}" }

  # The account Cloud Build runs function builds as, with the roles Google lists for a custom
  # build account (https://cloud.google.com/functions/docs/securing/build-custom-sa): it writes the
  # image to Artifact Registry and the build logs; it reads the sources through
  # function_builder_source_reader below. roles/cloudbuild.builds.builder would also let it write
  # any bucket of the project (the user data ones included).
  function_builder_roles = ["roles/artifactregistry.writer", "roles/logging.logWriter"]
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

# The manifest's custom roles. A destroyed role stays deleted (its id reserved) for a while; the
# provider undeletes it when the same id is applied again.
resource "google_project_iam_custom_role" "role" {
  for_each = local.manifest.custom_roles

  project     = var.project_id
  role_id     = local.custom_role_ids[each.key]
  title       = each.value.title
  description = each.value.description
  permissions = each.value.permissions
  stage       = "GA"

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "project" }

  project = var.project_id
  role    = each.value.granted
  member  = "serviceAccount:${local.account_emails[each.value.principal]}"

  depends_on = [google_project_service.enabled, google_project_iam_custom_role.role]
}

# Firestore roles, each on one system's database: Firestore has no IAM policy of its own per
# database, so the grant is on the project with an IAM condition on the database's resource name
# (Firestore's documented way to scope access to one database). The condition's title is
# what an operator sees in the console's IAM list.
resource "google_project_iam_member" "database_grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "database" }

  project = var.project_id
  role    = each.value.role
  member  = "serviceAccount:${local.account_emails[each.value.principal]}"

  condition {
    title       = "database ${local.database_names[each.value.target]}"
    description = "Only the ${local.database_names[each.value.target]} Firestore database."
    expression  = "resource.name == \"projects/${var.project_id}/databases/${local.database_names[each.value.target]}\""
  }

  depends_on = [google_project_service.enabled]
}

# Roles on one BigQuery table each, never the dataset: process can neither read nor change the
# results table, nor the pipeline workflow the inputs table.
resource "google_bigquery_table_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "table" }

  project    = var.project_id
  dataset_id = google_bigquery_table.table[each.value.target].dataset_id
  table_id   = google_bigquery_table.table[each.value.target].table_id
  role       = each.value.granted
  member     = "serviceAccount:${local.account_emails[each.value.principal]}"

  # A custom role is granted by name: it must exist first.
  depends_on = [google_project_iam_custom_role.role]
}

# Object access on one bucket each, never project-wide: the accounts function cannot touch audio
# files, nor the audios function images, nor either the function sources.
resource "google_storage_bucket_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "bucket" }

  bucket = google_storage_bucket.data[each.value.target].name
  role   = each.value.granted
  member = "serviceAccount:${local.account_emails[each.value.principal]}"

  # A custom role is granted by name: it must exist first.
  depends_on = [google_project_iam_custom_role.role]
}

# A 2nd gen function is a Cloud Run service; invoking it over HTTPS is `run.invoker` on that
# service. Private functions are invoked by the accounts granted it here (a workflow calling them
# with OIDC tokens of its own account).
resource "google_cloud_run_service_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "function" }

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.value.target].name
  role     = each.value.granted
  member   = "serviceAccount:${local.account_emails[each.value.principal]}"

  # A custom role is granted by name: it must exist first.
  depends_on = [google_project_iam_custom_role.role]
}

# Roles on one Pub/Sub topic or subscription each (a function publishing to its topic).
resource "google_pubsub_topic_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "topic" }

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.value.target].name
  role    = each.value.granted
  member  = "serviceAccount:${local.account_emails[each.value.principal]}"

  # A custom role is granted by name: it must exist first.
  depends_on = [google_project_iam_custom_role.role]
}

resource "google_pubsub_subscription_iam_member" "grant" {
  for_each = { for key, g in local.grants : key => g if g.kind == "subscription" }

  project      = var.project_id
  subscription = google_pubsub_subscription.subscription[each.value.target].name
  role         = each.value.granted
  member       = "serviceAccount:${local.account_emails[each.value.principal]}"

  # A custom role is granted by name: it must exist first.
  depends_on = [google_project_iam_custom_role.role]
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

# Reading the function sources, and nothing else in Cloud Storage: the kit's source bucket, and
# the gcf-v2-sources-<project number>-<region> bucket Cloud Functions copies each source into
# before it builds (its name is Google's, so it is matched by prefix). Project-level, because that
# bucket is not the kit's to grant on; the condition keeps the user data buckets out.
resource "google_project_iam_member" "function_builder_source_reader" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.function_builder.email}"

  condition {
    title       = "function sources only"
    description = "The kit's function source bucket and Cloud Functions' gcf-v2-sources buckets."
    expression  = local.function_source_condition
  }
}

locals {
  # Storage resource names are projects/_/buckets/<bucket>[/objects/<object>].
  function_source_condition = join(" || ", [
    "resource.name == \"projects/_/buckets/${local.function_source_bucket}\"",
    "resource.name.startsWith(\"projects/_/buckets/${local.function_source_bucket}/\")",
    "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-\")",
  ])

  # Every service account the kit creates: what var.deployer_member may act as, and nothing else.
  kit_accounts = merge(
    { for name, account in google_service_account.function : "function/${name}" => account.name },
    { for name, account in google_service_account.workflow : "workflow/${name}" => account.name },
    { builder = google_service_account.function_builder.name },
    { for account in google_service_account.pubsub_push : "pubsub-push" => account.name },
    { for account in google_service_account.scheduler : "scheduler" => account.name },
  )
}

# Deploying a function, a workflow, a push subscription or a job that runs or signs as an account
# needs actAs (iam.serviceAccounts.actAs) on that account. Granted to var.deployer_member on each of
# the kit's accounts only, so the deployer needs no Service Account User on the project, which
# would let it act as every account there, the default compute account included.
resource "google_service_account_iam_member" "deployer_acts_as" {
  for_each = var.deployer_member == null ? {} : local.kit_accounts

  service_account_id = each.value
  role               = "roles/iam.serviceAccountUser"
  member             = var.deployer_member

  depends_on = [google_project_service.enabled]
}
