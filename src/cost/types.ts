/** The cost model. Monthly = hourly × 730. `null` means "depends on usage" or "not priced", never 0. */
export type CostComponent = {
  name: string;
  unit: string;
  /** Monthly quantity in `unit`, or null when it depends on usage that is not known. */
  quantity: number | null;
  unitPrice: number;
  monthly: number | null;
};

export type CostLine = {
  address: string;
  type: string;
  /** The `paas.yaml` service or resource this belongs to, when known. */
  component?: string;
  /** Known monthly cost in USD (fixed part plus usage estimated from config or metrics). */
  monthly: number;
  /** False when the resource type is not in the price table ("not priced"). */
  priced: boolean;
  /** True when part of the cost depends on usage that is not known; the report says so. */
  usageBased: boolean;
  components: CostComponent[];
  note?: string;
};

export type CostEstimate = {
  region: string;
  currency: 'USD';
  monthly: number;
  lines: CostLine[];
  /** Addresses of resources whose type has no price: listed, never dropped. */
  unpriced: string[];
  /** Addresses whose cost partly depends on unknown usage. */
  usageBased: string[];
  byComponent: Record<string, number>;
};

export type CostDiff = {
  before: CostEstimate;
  after: CostEstimate;
  delta: number;
  /** null when before is 0. */
  deltaPercent: number | null;
  lines: CostDiffLine[];
  /** Per `paas.yaml` component (lines with none under `(shared)`). */
  byComponent?: Record<string, { before: number; after: number; delta: number }>;
};

export type CostDiffLine = {
  address: string;
  component?: string;
  before: number;
  after: number;
  delta: number;
  type?: string;
  /** Part of the after (or, when deleted, before) cost depends on usage that is not known. */
  usageBased?: boolean;
  /** False when the resource type is not priced on the side that exists. */
  priced?: boolean;
  /** Present in before / after. */
  inBefore?: boolean;
  inAfter?: boolean;
};
