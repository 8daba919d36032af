/**
 * Resource types AWS does not bill for by themselves (their cost, if any, shows up on another
 * resource: a task definition through the service running it, a listener rule through its load
 * balancer). Priced at $0 explicitly, so "free" is a decision, not a missing price.
 */
// Stryker disable all: a list of facts about AWS billing (docs/testing.md); estimate-cost's use of it is mutated.
export const freeTypes: ReadonlySet<string> = new Set([
  'aws_iam_role', 'aws_iam_role_policy', 'aws_iam_role_policy_attachment', 'aws_iam_policy', 'aws_iam_instance_profile',
  'aws_iam_user', 'aws_iam_user_policy', 'aws_iam_group', 'aws_iam_openid_connect_provider',
  'aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule',
  'aws_lb_listener', 'aws_lb_listener_rule', 'aws_lb_target_group', 'aws_lb_target_group_attachment', 'aws_alb_listener', 'aws_alb_target_group',
  'aws_appautoscaling_target', 'aws_appautoscaling_policy', 'aws_appautoscaling_scheduled_action',
  'aws_ecs_cluster', 'aws_ecs_cluster_capacity_providers', 'aws_ecs_task_definition',
  'aws_db_subnet_group', 'aws_db_parameter_group', 'aws_db_option_group', 'aws_rds_cluster_parameter_group',
  'aws_elasticache_subnet_group', 'aws_elasticache_parameter_group',
  'aws_s3_bucket_policy', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_versioning', 'aws_s3_bucket_versioning_a',
  'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_ownership_controls', 'aws_s3_bucket_lifecycle_configuration',
  'aws_s3_bucket_notification', 'aws_s3_bucket_cors_configuration', 'aws_s3_bucket_website_configuration', 'aws_s3_bucket_acl',
  'aws_cloudfront_origin_access_control', 'aws_cloudfront_origin_access_identity', 'aws_cloudfront_cache_policy', 'aws_cloudfront_function',
  'aws_lambda_permission', 'aws_lambda_event_source_mapping', 'aws_lambda_function_url', 'aws_lambda_alias',
  'aws_sqs_queue_policy', 'aws_sqs_queue_redrive_policy', 'aws_sqs_queue_redrive_allow_policy',
  'aws_ssm_parameter', 'aws_acm_certificate', 'aws_acm_certificate_validation', 'aws_route53_record',
  'aws_vpc', 'aws_subnet', 'aws_route_table', 'aws_route', 'aws_route_table_association', 'aws_internet_gateway',
  'aws_default_security_group', 'aws_default_route_table', 'aws_kms_alias', 'aws_secretsmanager_secret_version',
  'aws_ecr_lifecycle_policy', 'aws_ecr_repository_policy', 'aws_scheduler_schedule_group',
  'aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target', 'aws_cloudwatch_log_stream', 'aws_cloudwatch_log_subscription_filter',
  'aws_sns_topic_subscription', 'aws_sns_topic_policy',
  'random_id', 'random_password', 'random_string', 'null_resource', 'terraform_data', 'time_sleep',
]);
// Stryker restore all
