/**
 * Attributes whose change makes Terraform destroy and re-create the resource (`ForceNew` in the
 * AWS provider's schema, https://registry.terraform.io/providers/hashicorp/aws/latest/docs).
 * Kept as data: the diff marks a change `replace` (with `replaceInferred: true`) when one of these
 * top-level attributes, or anything inside it, changes. `'*'` means the resource is immutable:
 * any change replaces it.
 */
// Stryker disable all: facts copied from the provider's schema; a mutant here changes a fact, which
// only that schema can check (docs/testing.md). The logic that reads the table is mutated.
export const forceNewAttributes: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: [
    'engine', 'identifier', 'identifier_prefix', 'availability_zone', 'storage_encrypted', 'kms_key_id',
    'username', 'db_subnet_group_name', 'db_name', 'character_set_name', 'snapshot_identifier',
    'replicate_source_db', 'timezone', 'nchar_character_set_name', 'custom_iam_instance_profile',
  ],
  aws_rds_cluster: [
    'cluster_identifier', 'engine', 'availability_zones', 'database_name', 'master_username',
    'storage_encrypted', 'kms_key_id', 'db_subnet_group_name', 'snapshot_identifier', 'engine_mode',
  ],
  aws_db_subnet_group: ['name', 'name_prefix'],
  aws_s3_bucket: ['bucket', 'bucket_prefix', 'object_lock_enabled'],
  aws_sqs_queue: ['name', 'name_prefix', 'fifo_queue'],
  aws_sns_topic: ['name', 'name_prefix', 'fifo_topic'],
  aws_elasticache_replication_group: [
    'replication_group_id', 'engine', 'at_rest_encryption_enabled', 'subnet_group_name',
    'availability_zones', 'preferred_cache_cluster_azs', 'kms_key_id', 'snapshot_name',
    'snapshot_arns', 'data_tiering_enabled', 'port',
  ],
  aws_elasticache_cluster: ['cluster_id', 'engine', 'subnet_group_name', 'availability_zone', 'port', 'snapshot_name'],
  aws_elasticache_subnet_group: ['name'],
  // Task definitions are immutable revisions: any change registers a new one.
  aws_ecs_task_definition: ['*'],
  aws_ecs_service: ['name', 'cluster', 'launch_type', 'scheduling_strategy', 'iam_role'],
  aws_ecs_cluster: ['name'],
  aws_ecr_repository: ['name'],
  aws_lb: ['name', 'name_prefix', 'internal', 'load_balancer_type'],
  aws_lb_target_group: ['name', 'name_prefix', 'port', 'protocol', 'vpc_id', 'target_type', 'protocol_version', 'ip_address_type'],
  aws_lb_listener: ['load_balancer_arn'],
  aws_lb_listener_rule: ['listener_arn'],
  aws_security_group: ['name', 'name_prefix', 'vpc_id', 'description'],
  aws_vpc_security_group_ingress_rule: ['security_group_id'],
  aws_vpc_security_group_egress_rule: ['security_group_id'],
  aws_security_group_rule: ['type', 'from_port', 'to_port', 'protocol', 'cidr_blocks', 'security_group_id', 'source_security_group_id', 'self'],
  aws_lambda_function: ['function_name'],
  aws_lambda_permission: ['statement_id', 'action', 'function_name', 'principal', 'source_arn', 'source_account', 'qualifier'],
  aws_lambda_event_source_mapping: ['event_source_arn', 'starting_position'],
  aws_lambda_function_url: ['function_name', 'qualifier'],
  aws_cloudwatch_log_group: ['name', 'name_prefix'],
  aws_iam_role: ['name', 'name_prefix', 'path'],
  aws_iam_role_policy: ['name', 'name_prefix', 'role'],
  aws_iam_role_policy_attachment: ['role', 'policy_arn'],
  aws_iam_policy: ['name', 'name_prefix', 'path'],
  aws_appautoscaling_target: ['resource_id', 'scalable_dimension', 'service_namespace'],
  aws_appautoscaling_policy: ['name', 'resource_id', 'scalable_dimension', 'service_namespace'],
  aws_appautoscaling_scheduled_action: ['name', 'service_namespace', 'resource_id', 'scalable_dimension'],
  aws_scheduler_schedule: ['name', 'name_prefix', 'group_name'],
  aws_s3_bucket_policy: ['bucket'],
  aws_s3_bucket_public_access_block: ['bucket'],
  aws_s3_bucket_versioning: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_server_side_encryption_configuration: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_ownership_controls: ['bucket'],
  aws_s3_bucket_lifecycle_configuration: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_notification: ['bucket'],
  aws_cloudfront_origin_access_control: [],
  aws_dynamodb_table: ['name', 'hash_key', 'range_key'],
  aws_efs_file_system: ['creation_token', 'encrypted', 'kms_key_id', 'performance_mode', 'availability_zone_name'],
  aws_secretsmanager_secret: ['name', 'name_prefix'],
  aws_ssm_parameter: ['name'],
  aws_kms_key: ['customer_master_key_spec', 'key_usage', 'multi_region'],
  aws_nat_gateway: ['allocation_id', 'subnet_id', 'connectivity_type'],
  aws_vpc: ['cidr_block', 'instance_tenancy'],
  aws_subnet: ['vpc_id', 'cidr_block', 'availability_zone', 'availability_zone_id'],
};
// Stryker restore all

/** True when changing `path` (dotted) on a resource of `type` forces a replacement. */
export function forcesReplacement(type: string, path: string): boolean {
  const attributes = forceNewAttributes[type];
  if (!attributes) return false;
  const top = path.split('.', 1)[0];
  // Tags are updated in place even on immutable resources.
  if (attributes.includes('*')) return top !== 'tags' && top !== 'tags_all';
  return attributes.includes(top);
}
