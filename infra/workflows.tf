# The validation pipeline workflow: ../workflow.yaml, deployed as is. Everything it needs to know
# arrives as user_env_vars (read with sys.get_env), the same names the local cloud gives it
# (local/workflowDeployments.ts), so the one file runs in both places.

resource "google_workflows_workflow" "pipeline" {
  project         = var.project_id
  region          = var.region
  name            = local.pipeline.workflow_name
  description     = "Validation pipeline (System A): isValidInput, Firestore state, process, a BigQuery results row."
  service_account = google_service_account.workflow.id
  source_contents = file("${path.module}/../workflow.yaml")
  labels          = local.common_labels
  call_log_level  = "LOG_ERRORS_ONLY"
  # The workflow holds no data (its state is in Firestore and BigQuery) and is recreated from
  # workflow.yaml, so destroy may remove it (the provider protects it by default).
  deletion_protection = false

  user_env_vars = {
    # The Cloud Run URLs: the workflow calls them with OIDC tokens whose audience is the URL.
    IS_VALID_INPUT_URL        = google_cloudfunctions2_function.function["isValidInput"].service_config[0].uri
    PROCESS_URL               = google_cloudfunctions2_function.function["process"].service_config[0].uri
    PROCESS_TIMEOUT_SECONDS   = tostring(local.pipeline.process_timeout_seconds)
    BIGQUERY_DATASET          = google_bigquery_dataset.pipeline.dataset_id
    BIGQUERY_RESULTS_TABLE    = google_bigquery_table.pipeline[local.pipeline.results_table].table_id
    PIPELINE_STATE_COLLECTION = local.pipeline.state_collection
  }

  depends_on = [
    google_project_iam_member.workflow,
    google_bigquery_table_iam_member.workflow,
  ]
}
