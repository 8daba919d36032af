/** `type: queue` → an SQS queue with server-side encryption and a dead-letter queue behind it. */
import type { QueueResource } from '../src/config/schema.ts';
import { durationToSeconds } from '../src/config/units.ts';
import type { AppContext, ComponentRef } from './app-context.ts';
import { componentTags } from './app-context.ts';
import { awsName } from './naming.ts';
import { aws, constructs } from './cdk.ts';

const { Construct } = constructs;
type Construct = InstanceType<typeof Construct>;
const { SqsQueue } = aws<typeof import('@cdktf/provider-aws/lib/sqs-queue/index.js')>('sqs-queue');
type SqsQueue = InstanceType<typeof SqsQueue>;

/** Dead letters are kept as long as SQS allows (14 days) so that someone can look at them. */
const deadLetterRetentionSeconds = 14 * 24 * 3600;

export class Queue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly ref: ComponentRef;

  constructor(scope: Construct, name: string, resource: QueueResource, ctx: AppContext) {
    super(scope, name);
    const tags = componentTags(name);
    const suffix = resource.fifo ? '.fifo' : '';
    const base = awsName([ctx.app, ctx.environment, name], 80 - 4 - suffix.length);
    this.deadLetterQueue = new SqsQueue(this, 'dead-letter-queue', {
      name: `${base}-dlq${suffix}`,
      fifoQueue: resource.fifo || undefined,
      messageRetentionSeconds: deadLetterRetentionSeconds,
      sqsManagedSseEnabled: true,
      tags,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: `${base}${suffix}`,
      fifoQueue: resource.fifo || undefined,
      visibilityTimeoutSeconds: durationToSeconds(resource.visibilityTimeout),
      messageRetentionSeconds: durationToSeconds(resource.retention),
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: resource.deadLetterAfter }),
      tags,
    });
    this.ref = {
      name,
      type: 'queue',
      arn: this.queue.arn,
      outputs: {
        url: { kind: 'value', value: this.queue.url },
        name: { kind: 'value', value: this.queue.name },
        arn: { kind: 'value', value: this.queue.arn },
      },
      access: [
        {
          Effect: 'Allow',
          Action: ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
          Resource: [this.queue.arn],
        },
      ],
    };
    ctx.components.set(name, this.ref);
  }

  /** What a worker or function consuming this queue may do. */
  consumeStatement(): { Effect: 'Allow'; Action: string[]; Resource: string[] } {
    return {
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Resource: [this.queue.arn],
    };
  }
}
