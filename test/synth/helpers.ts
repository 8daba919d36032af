/** Reading a synthesized document in tests: the bodies of one resource type, by component. */
import { componentOf } from '../../src/synth/component-of.ts';
import type { TerraformBlock, TerraformJson } from '../../src/plan/terraform-json.ts';

export function blocks(doc: TerraformJson, type: string, component?: string): TerraformBlock[] {
  const all = Object.values(doc.resource?.[type] ?? {});
  return component === undefined ? all : all.filter((block) => componentOf(block) === component);
}

/** The single block of `type` belonging to `component`; fails the test when there is not exactly one. */
export function only(doc: TerraformJson, type: string, component: string): TerraformBlock {
  const found = blocks(doc, type, component);
  if (found.length !== 1) throw new Error(`expected one ${type} for ${component}, found ${found.length}`);
  return found[0];
}

export function dataBlocks(doc: TerraformJson, type: string): TerraformBlock[] {
  return Object.values(doc.data?.[type] ?? {});
}

/** Parsed container definitions of a task definition. */
export function containers(taskDefinition: TerraformBlock): Record<string, any>[] {
  return JSON.parse(String(taskDefinition.container_definitions));
}

export function countResources(doc: TerraformJson): number {
  return Object.values(doc.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}
