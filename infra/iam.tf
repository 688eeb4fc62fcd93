locals {
  # Roles of every service account, in one place. Least privilege: an account gets only what its
  # code calls, on the narrowest resource that works (the pipeline dataset rather than the
  # project), and never a basic role (owner, editor, viewer). Writing logs to stdout/stderr
  # needs no role on Cloud Run. Every function in local.functions has an entry, even an empty
  # one, so a new function's access is a decision, not an accident.
  function_roles = merge({
    # One atomic batch per increment: create a marker, increment a shard.
    incrementTag = ["roles/datastore.user"]
    # Only queries the shard documents.
    tagStats = ["roles/datastore.viewer"]
    # Classifies its input; calls no API.
    isValidInput = []
    # Inserts into the inputs table: see function_table_roles.
    process = []
    # Creates executions of the pipeline workflow.
    triggerWorkflow = ["roles/workflows.invoker"]
    # Reads executions, and the pipeline state in Firestore while one runs.
    checkStatus = ["roles/workflows.viewer", "roles/datastore.viewer"]
    # Accounts and their email documents in transactions. Object access to its own bucket
    # only: google_storage_bucket_iam_member in accounts.tf.
    accounts = ["roles/datastore.user"]
    # Audio session records; object access to its own bucket in accounts.tf.
    audios = ["roles/datastore.user"]
    # Two reads and one batched write per request (the task and the group's lock), then starts
    # a groups workflow execution: of workflows.invoker they use executions.create only.
    createGroup = ["roles/datastore.user", "roles/workflows.invoker"]
    deleteGroup = ["roles/datastore.user", "roles/workflows.invoker"]
    # Reads one task document.
    groupTask = ["roles/datastore.viewer"]
    # Serves a document built in memory; calls no API.
    docs = []
    # nodeSim (only when deployed): its groups and switches in Firestore.
  }, local.node_sim_roles, local.forms_function_roles)

  # Roles on one BigQuery table each, not the dataset: process can neither read nor change
  # the results table, nor the workflow the inputs table.
  function_table_roles = {
    # Streaming inserts (tabledata.insertAll) into the inputs table.
    process = { table = local.pipeline.inputs_table, roles = ["roles/bigquery.dataEditor"] }
  }

  # The pipeline workflow's account: writes pipeline_state documents in Firestore, inserts the
  # results row, and invokes the private functions it calls (workflow_invoked_functions).
  workflow_roles             = ["roles/datastore.user"]
  workflow_table_roles       = { table = local.pipeline.results_table, roles = ["roles/bigquery.dataEditor"] }
  workflow_invoked_functions = ["isValidInput", "process"]

  # The groups workflow's account (groups.tf): writes tasks and locks in Firestore, and invokes
  # nodeSim when it is deployed. Its `sys.log` call (a task left owing compensations) needs
  # logging.logEntries.create,
  # which only the Logs Writer role grants among the predefined ones; without it those
  # operator-critical lines are dropped.
  groups_workflow_roles             = ["roles/datastore.user", "roles/logging.logWriter"]
  groups_workflow_invoked_functions = var.deploy_node_simulator ? ["nodeSim"] : []

  # The account Cloud Build runs function builds as: reads the source object, writes the image
  # to Artifact Registry and the build logs.
  function_builder_roles = ["roles/cloudbuild.builds.builder"]
}

locals {
  # One (function, role) pair per binding, keyed "function role" so for_each keys are stable.
  function_role_bindings = merge([
    for function, roles in local.function_roles : {
      for role in roles : "${function} ${role}" => { function = function, role = role }
    }
  ]...)
  function_table_role_bindings = merge([
    for function, grant in local.function_table_roles : {
      for role in grant.roles : "${function} ${role}" => { function = function, table = grant.table, role = role }
    }
  ]...)

  # Functions anyone on the internet may call: `public: true` in functions/catalog.ts.
  public_functions = { for name, function in local.functions : name => function if function.public }
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

resource "google_project_iam_member" "function" {
  for_each = local.function_role_bindings

  project = var.project_id
  role    = each.value.role
  member  = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

resource "google_service_account" "function_builder" {
  project      = var.project_id
  account_id   = "function-builder"
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

# A 2nd gen function is a Cloud Run service; invoking it over HTTPS is `run.invoker` on that
# service. Granted to allUsers only for the public functions; private ones are invoked by the
# service accounts that need them (workflows.tf), with OIDC tokens.
resource "google_cloud_run_service_iam_member" "public_invoker" {
  for_each = local.public_functions

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_bigquery_table_iam_member" "function" {
  for_each = local.function_table_role_bindings

  project    = var.project_id
  dataset_id = google_bigquery_dataset.pipeline.dataset_id
  table_id   = google_bigquery_table.pipeline[each.value.table].table_id
  role       = each.value.role
  member     = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

resource "google_service_account" "workflow" {
  project      = var.project_id
  account_id   = "wf-${local.pipeline.workflow_name}"
  display_name = "Workflow ${local.pipeline.workflow_name}"
  description  = "Identity the validation pipeline workflow runs as."

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "workflow" {
  for_each = toset(local.workflow_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.workflow.email}"
}

resource "google_bigquery_table_iam_member" "workflow" {
  for_each = toset(local.workflow_table_roles.roles)

  project    = var.project_id
  dataset_id = google_bigquery_dataset.pipeline.dataset_id
  table_id   = google_bigquery_table.pipeline[local.workflow_table_roles.table].table_id
  role       = each.value
  member     = "serviceAccount:${google_service_account.workflow.email}"
}

# The workflow calls isValidInput and process with OIDC tokens of its own account.
resource "google_cloud_run_service_iam_member" "workflow_invoker" {
  for_each = toset(local.workflow_invoked_functions)

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.workflow.email}"
}
