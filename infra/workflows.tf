# The workflows of the manifest, each deployed from its file as is. Everything a workflow needs
# to know arrives as user_env_vars (read with sys.get_env), the same names the local cloud gives it
# (local/wiring.ts), so one file runs in both places.
#
# System C's groups workflow also replays: `gcloud workflows run groups --location=<region>
# --data='{"replay_task":"<task_id>"}'` re-runs the compensations of a FAILED task's dead letters.
# No public endpoint: who may replay is who holds roles/workflows.invoker on the project.

resource "google_workflows_workflow" "workflow" {
  for_each = local.manifest.workflows

  project         = var.project_id
  region          = var.region
  name            = local.workflow_names[each.key]
  description     = each.value.description
  service_account = google_service_account.workflow[each.key].id
  source_contents = file("${path.module}/../${each.value.source}")
  labels          = local.common_labels
  call_log_level  = "LOG_ERRORS_ONLY"
  # A workflow holds no data (its state is in Firestore and BigQuery) and is recreated from its
  # file, so destroy may remove it (the provider protects it by default).
  deletion_protection = false

  # A function's URL is its Cloud Run URL: the workflow calls it with OIDC tokens whose audience
  # is that URL.
  user_env_vars = {
    for name, source in each.value.env : name => (
      can(source.function_url) ? google_cloudfunctions2_function.function[source.function_url].service_config[0].uri : local.env_values["workflow/${each.key}/${name}"]
    )
  }

  lifecycle {
    precondition {
      condition     = length(local.unresolved_env) == 0
      error_message = "Environment variables without a value: ${join("; ", local.unresolved_env)}."
    }
  }

  depends_on = [
    google_project_iam_member.grant,
    google_bigquery_table_iam_member.grant,
    # A workflow running as an account needs actAs on it.
    google_service_account_iam_member.deployer_acts_as,
  ]
}
