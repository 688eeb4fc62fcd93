# Addresses changed when every resource became a for_each over the manifest (manifest.tf). These
# blocks let an existing deployment keep its buckets, datasets, tables, workflows, topics,
# subscriptions, schedule, service accounts and role bindings instead of destroying and
# recreating them. (A binding must move rather than be re-added: the new one could be created
# before the old one is destroyed, and destroying the old one would then remove the grant.)
#
# Two kinds of binding are keyed by variable values, which a moved block cannot name: the form
# admins' run.invoker on forms and group_operation_invokers' on the group operations, both now
# google_cloud_run_service_iam_member.member_invoker["<function> <member>"]. A deployed stack with
# such members moves each once before its first apply (infra/README.md, "Upgrading"):
#   terraform state mv 'google_cloud_run_service_iam_member.form_admin_invoker["user:a@b.c"]' \
#     'google_cloud_run_service_iam_member.member_invoker["forms user:a@b.c"]'
#   terraform state mv 'google_cloud_run_service_iam_member.group_operation_invoker["createGroup user:a@b.c"]' \
#     'google_cloud_run_service_iam_member.member_invoker["createGroup user:a@b.c"]'
#
# Some bindings have no block on purpose, so the old ones are destroyed and the narrower ones
# created beside them: roles/workflows.invoker, roles/workflows.viewer, roles/bigquery.dataEditor
# and roles/storage.objectAdmin, which the manifest replaced by custom roles (issue 12); and every
# Firestore role and TTL policy, now on each system's own database (firestore.tf, iam.tf)
# instead of the project's (default) one.

moved {
  from = google_storage_bucket.account_images
  to   = google_storage_bucket.data["account_images"]
}

moved {
  from = google_storage_bucket.audio_files
  to   = google_storage_bucket.data["audio_files"]
}

moved {
  from = google_bigquery_dataset.pipeline
  to   = google_bigquery_dataset.dataset["pipeline"]
}

moved {
  from = google_bigquery_table.pipeline["inputs"]
  to   = google_bigquery_table.table["pipeline.inputs"]
}

moved {
  from = google_bigquery_table.pipeline["results"]
  to   = google_bigquery_table.table["pipeline.results"]
}

moved {
  from = google_workflows_workflow.pipeline
  to   = google_workflows_workflow.workflow["pipeline"]
}

moved {
  from = google_workflows_workflow.groups
  to   = google_workflows_workflow.workflow["groups"]
}

moved {
  from = google_service_account.workflow
  to   = google_service_account.workflow["pipeline"]
}

moved {
  from = google_service_account.groups_workflow
  to   = google_service_account.workflow["groups"]
}

moved {
  from = google_project_iam_member.groups_workflow["roles/logging.logWriter"]
  to   = google_project_iam_member.grant["workflow/groups roles/logging.logWriter project:true"]
}

moved {
  from = google_cloud_run_service_iam_member.workflow_invoker["isValidInput"]
  to   = google_cloud_run_service_iam_member.grant["workflow/pipeline roles/run.invoker function:isValidInput"]
}

moved {
  from = google_cloud_run_service_iam_member.workflow_invoker["process"]
  to   = google_cloud_run_service_iam_member.grant["workflow/pipeline roles/run.invoker function:process"]
}

moved {
  from = google_cloud_run_service_iam_member.groups_workflow_invoker["nodeSim"]
  to   = google_cloud_run_service_iam_member.grant["workflow/groups roles/run.invoker function:nodeSim"]
}

moved {
  from = google_bigquery_dataset.forms
  to   = google_bigquery_dataset.dataset["forms"]
}

moved {
  from = google_bigquery_table.form_responses
  to   = google_bigquery_table.table["forms.responses"]
}

moved {
  from = google_pubsub_topic.delivery["form-deliveries-bigquery-export"]
  to   = google_pubsub_topic.topic["form-deliveries-bigquery-export"]
}

moved {
  from = google_pubsub_topic.delivery["form-deliveries-sheets-export"]
  to   = google_pubsub_topic.topic["form-deliveries-sheets-export"]
}

moved {
  from = google_pubsub_topic.delivery["form-deliveries-webhook"]
  to   = google_pubsub_topic.topic["form-deliveries-webhook"]
}

moved {
  from = google_pubsub_topic.delivery["form-deliveries-dead"]
  to   = google_pubsub_topic.topic["form-deliveries-dead"]
}

moved {
  from = google_pubsub_subscription.delivery["form-deliveries-bigquery-export"]
  to   = google_pubsub_subscription.subscription["form-deliveries-bigquery-export"]
}

moved {
  from = google_pubsub_subscription.delivery["form-deliveries-sheets-export"]
  to   = google_pubsub_subscription.subscription["form-deliveries-sheets-export"]
}

moved {
  from = google_pubsub_subscription.delivery["form-deliveries-webhook"]
  to   = google_pubsub_subscription.subscription["form-deliveries-webhook"]
}

moved {
  from = google_pubsub_subscription.delivery["form-deliveries-dead"]
  to   = google_pubsub_subscription.subscription["form-deliveries-dead"]
}

moved {
  from = google_service_account.delivery_pusher
  to   = google_service_account.pubsub_push[0]
}

moved {
  from = google_service_account_iam_member.pusher_token_creator
  to   = google_service_account_iam_member.pubsub_push_token_creator[0]
}

moved {
  from = google_pubsub_topic_iam_member.delivery_publisher["responses form-deliveries-bigquery-export"]
  to   = google_pubsub_topic_iam_member.grant["function/responses roles/pubsub.publisher topic:form-deliveries-bigquery-export"]
}

moved {
  from = google_pubsub_topic_iam_member.delivery_publisher["responses form-deliveries-sheets-export"]
  to   = google_pubsub_topic_iam_member.grant["function/responses roles/pubsub.publisher topic:form-deliveries-sheets-export"]
}

moved {
  from = google_pubsub_topic_iam_member.delivery_publisher["responses form-deliveries-webhook"]
  to   = google_pubsub_topic_iam_member.grant["function/responses roles/pubsub.publisher topic:form-deliveries-webhook"]
}

moved {
  from = google_pubsub_topic_iam_member.delivery_publisher["deliverySweeper form-deliveries-bigquery-export"]
  to   = google_pubsub_topic_iam_member.grant["function/deliverySweeper roles/pubsub.publisher topic:form-deliveries-bigquery-export"]
}

moved {
  from = google_pubsub_topic_iam_member.delivery_publisher["deliverySweeper form-deliveries-sheets-export"]
  to   = google_pubsub_topic_iam_member.grant["function/deliverySweeper roles/pubsub.publisher topic:form-deliveries-sheets-export"]
}

moved {
  from = google_pubsub_topic_iam_member.delivery_publisher["deliverySweeper form-deliveries-webhook"]
  to   = google_pubsub_topic_iam_member.grant["function/deliverySweeper roles/pubsub.publisher topic:form-deliveries-webhook"]
}

moved {
  from = google_cloud_run_service_iam_member.delivery_pusher_invoker["bigqueryExportWorker"]
  to   = google_cloud_run_service_iam_member.pubsub_push_invoker["bigqueryExportWorker"]
}

moved {
  from = google_cloud_run_service_iam_member.delivery_pusher_invoker["sheetsExportWorker"]
  to   = google_cloud_run_service_iam_member.pubsub_push_invoker["sheetsExportWorker"]
}

moved {
  from = google_cloud_run_service_iam_member.delivery_pusher_invoker["webhookWorker"]
  to   = google_cloud_run_service_iam_member.pubsub_push_invoker["webhookWorker"]
}

moved {
  from = google_cloud_run_service_iam_member.delivery_pusher_invoker["deadLetterWorker"]
  to   = google_cloud_run_service_iam_member.pubsub_push_invoker["deadLetterWorker"]
}

moved {
  from = google_service_account.delivery_scheduler
  to   = google_service_account.scheduler[0]
}

moved {
  from = google_cloud_run_service_iam_member.delivery_scheduler_invoker["deliverySweeper"]
  to   = google_cloud_run_service_iam_member.scheduler_invoker["deliverySweeper"]
}

moved {
  from = google_cloud_scheduler_job.delivery["form-delivery-sweeper"]
  to   = google_cloud_scheduler_job.schedule["form-delivery-sweeper"]
}

moved {
  from = google_logging_metric.tag_increment_values
  to   = google_logging_metric.metric["tag_increment_values"]
}
