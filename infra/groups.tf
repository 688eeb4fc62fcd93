# System C, group operations across cluster nodes: the settings the functions and the workflow
# share, the groups workflow (../workflows/groups.yaml) with its service account and roles, and
# the optional node simulator. The functions themselves are entries of local.functions
# (functions.tf) with their roles in local.function_roles (iam.tf).
#
# Storage is Firestore (firestore.tf): group_tasks/<task_id> (state, and the workflow's
# write-ahead log: per node what it had, the request sent, its outcome and the compensation owed)
# and group_locks/g-<group_id> (the task that last took the group; whether it still holds it
# follows from that task). Collections need no declaration. Ended tasks that hold nothing expire
# (expires_at, TTL policy in firestore.tf); a FAILED task owing compensations (owed = true: the
# dead letters) never does.
#
# Only the workflow knows the nodes: NODES (and NODE_AUDIENCES, one OIDC audience per node) are
# its own environment, and it is started with a task id alone, so neither an execution argument
# nor a stored task can point it, or its tokens, at another URL. An operator's replay is a run of
# the same workflow, `gcloud workflows run groups --location=<region>
# --data='{"replay_task":"<task_id>"}'`: no public endpoint, so who may replay is who may create
# executions of it.

locals {
  groups = {
    workflow_name       = "groups"
    tasks_collection    = "group_tasks"
    locks_collection    = "group_locks"
    node_sim_collection = "node_sim"
    # Days an ended task is kept (expires_at, then Firestore's TTL policy in firestore.tf
    # deletes it). Both the functions and the workflow write expires_at, so both get it.
    task_retention_days = 30
  }

  # nodeSim's URL, known before it exists (see local.function_base_url); a simulated node's base
  # URL is this plus "/<node name>".
  node_sim_url = "${local.function_base_url}/node-sim"

  # The nodes operations visit: var.group_nodes, or three simulated nodes when nodeSim is
  # deployed (none otherwise: the workflow's precondition then asks for group_nodes).
  simulated_nodes = length(var.group_nodes) == 0 && var.deploy_node_simulator
  group_nodes     = local.simulated_nodes ? [for node in ["node1", "node2", "node3"] : "${local.node_sim_url}/${node}"] : [for node in var.group_nodes : trimsuffix(node, "/")]
  # Each node's OIDC audience: as configured, else the URL Cloud Run checks (nodeSim's for
  # simulated nodes, each real node's own base URL otherwise).
  group_node_audiences = length(var.group_node_audiences) > 0 ? var.group_node_audiences : [for node in local.group_nodes : local.simulated_nodes ? local.node_sim_url : node]

  # createGroup and deleteGroup: the workflow they start, where tasks and locks live, and
  # groupTask's URL for the 202's Location. A PENDING task holds its group for
  # GROUP_TASK_START_GRACE_SECONDS after its creation (well above the functions' 30 s timeout).
  group_operation_environment = {
    WORKFLOW_LOCATION              = var.region
    WORKFLOW_NAME                  = local.groups.workflow_name
    GROUP_TASK_URL                 = "${local.function_base_url}/group-task"
    GROUP_TASKS_COLLECTION         = local.groups.tasks_collection
    GROUP_LOCKS_COLLECTION         = local.groups.locks_collection
    GROUP_TASK_START_GRACE_SECONDS = "300"
    GROUP_TASK_RETENTION_DAYS      = tostring(local.groups.task_retention_days)
  }
  group_task_environment = {
    GROUP_TASKS_COLLECTION = local.groups.tasks_collection
    GROUP_LOCKS_COLLECTION = local.groups.locks_collection
  }

  # nodeSim, only when deployed (merged into local.functions). A hang may last up to 600 s
  # (functions/groups/nodeSim.ts), so its timeout is above that.
  node_sim_function = {
    for name, function in {
      nodeSim = {
        description     = "Simulated cluster nodes (the node API plus switches to fail, hang or redirect), for local runs and tests."
        public          = false
        memory          = "256Mi"
        cpu             = "1"
        timeout_seconds = 660
        concurrency     = 80
        min_instances   = 0
        max_instances   = 5
        environment     = { NODE_SIM_COLLECTION = local.groups.node_sim_collection }
      }
    } : name => function if var.deploy_node_simulator
  }
  node_sim_roles = { for name, roles in { nodeSim = ["roles/datastore.user"] } : name => roles if var.deploy_node_simulator }

  # The workflow's timing. Each node request times out after group_node_timeout_seconds; an
  # unknown outcome is read group_node_late_seconds after its request was sent; a create/delete
  # is sent at most 3 times, a GET retried 3 times, a compensation retried
  # var.group_compensation_max_retries times. Back-off (1 s doubling to 30 s) is written in the
  # workflow.
  groups_workflow_timing = {
    NODE_TIMEOUT_SECONDS     = tostring(var.group_node_timeout_seconds)
    NODE_LATE_SECONDS        = tostring(var.group_node_late_seconds)
    NODE_APPLY_MAX_ATTEMPTS  = "3"
    NODE_CHECK_MAX_RETRIES   = "3"
    COMPENSATION_MAX_RETRIES = tostring(var.group_compensation_max_retries)
  }

  # Everything groups.yaml reads with sys.get_env (the local cloud gives it the same names,
  # local/workflowDeployments.ts). No resource attributes, so the infra tests can evaluate it.
  groups_workflow_environment = merge(local.groups_workflow_timing, {
    GROUP_TASKS_COLLECTION    = local.groups.tasks_collection
    GROUP_LOCKS_COLLECTION    = local.groups.locks_collection
    GROUP_TASK_RETENTION_DAYS = tostring(local.groups.task_retention_days)
    NODES                     = join(",", local.group_nodes)
    NODE_AUDIENCES            = join(",", local.group_node_audiences)
  })
}

resource "google_service_account" "groups_workflow" {
  project      = var.project_id
  account_id   = "wf-${local.groups.workflow_name}"
  display_name = "Workflow ${local.groups.workflow_name}"
  description  = "Identity the group operations workflow runs as: writes tasks, locks and dead letters, calls the nodes."

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "groups_workflow" {
  for_each = toset(local.groups_workflow_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.groups_workflow.email}"
}

# The workflow calls nodeSim's simulated nodes with OIDC tokens of its own account. Real nodes
# that are Cloud Run services need the same grant, given where they live.
resource "google_cloud_run_service_iam_member" "groups_workflow_invoker" {
  for_each = toset(local.groups_workflow_invoked_functions)

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.groups_workflow.email}"
}

# Who may call the group operations while they are private (public_group_operations opens them
# to allUsers through local.public_functions instead).
locals {
  member_invoked_functions = ["createGroup", "deleteGroup", "groupTask"]
}

resource "google_cloud_run_service_iam_member" "group_operation_invoker" {
  for_each = { for pair in setproduct(local.member_invoked_functions, var.group_operation_invokers) : "${pair[0]} ${pair[1]}" => { function = pair[0], member = pair[1] } }

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.function[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member
}

resource "google_workflows_workflow" "groups" {
  project         = var.project_id
  region          = var.region
  name            = local.groups.workflow_name
  description     = "Group operations (System C): apply a create or delete on every node, or roll it back on every node it changed."
  service_account = google_service_account.groups_workflow.id
  source_contents = file("${path.module}/../workflows/groups.yaml")
  labels          = local.common_labels
  call_log_level  = "LOG_ERRORS_ONLY"
  # Holds no data (tasks, locks and dead letters are in Firestore) and is recreated from the file.
  deletion_protection = false

  user_env_vars = local.groups_workflow_environment

  lifecycle {
    precondition {
      condition     = length(local.group_nodes) > 0
      error_message = "group_nodes must list the real nodes (or, in a test project, deploy_node_simulator = true simulates three)."
    }
    precondition {
      condition     = length(local.group_node_audiences) == length(local.group_nodes)
      error_message = "group_node_audiences must list one audience per node of group_nodes."
    }
    precondition {
      condition     = var.group_node_late_seconds >= var.group_node_timeout_seconds
      error_message = "group_node_late_seconds must be at least group_node_timeout_seconds: a node may still apply a request it received until then."
    }
  }

  depends_on = [google_project_iam_member.groups_workflow]
}
