/**
 * The values a saved plan marks sensitive (`terraform show -json`: `*_sensitive` markers beside
 * resource values, sensitive outputs and variables), so the log of the apply that follows can
 * mask them wherever they surface (a provider's error message quoting an attribute, say).
 */
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function sensitiveValues(plan: unknown): string[] {
  const found: string[] = [];
  if (!isRecord(plan)) return found;
  const strings = (value: unknown) => {
    if (typeof value === 'string') found.push(value);
    else if (typeof value === 'number') found.push(String(value));
    else if (Array.isArray(value)) value.forEach(strings);
    else if (isRecord(value)) Object.values(value).forEach(strings);
  };
  // `marker` mirrors `value`: true where the value below is sensitive.
  const marked = (value: unknown, marker: unknown) => {
    if (marker === true) strings(value);
    else if (Array.isArray(marker) && Array.isArray(value)) marker.forEach((m, i) => marked(value[i], m));
    else if (isRecord(marker) && isRecord(value)) for (const [key, m] of Object.entries(marker)) marked(value[key], m);
  };
  const modules = (module: unknown) => {
    if (!isRecord(module)) return;
    for (const resource of Array.isArray(module.resources) ? module.resources : []) {
      if (isRecord(resource)) marked(resource.values, resource.sensitive_values);
    }
    for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) modules(child);
  };
  for (const values of [plan.planned_values, isRecord(plan.prior_state) ? plan.prior_state.values : undefined]) {
    if (!isRecord(values)) continue;
    if (isRecord(values.outputs)) for (const output of Object.values(values.outputs)) if (isRecord(output) && output.sensitive === true) strings(output.value);
    modules(values.root_module);
  }
  for (const change of Array.isArray(plan.resource_changes) ? plan.resource_changes : []) {
    if (!isRecord(change) || !isRecord(change.change)) continue;
    marked(change.change.before, change.change.before_sensitive);
    marked(change.change.after, change.change.after_sensitive);
  }
  const configuration = isRecord(plan.configuration) && isRecord(plan.configuration.root_module) ? plan.configuration.root_module : undefined;
  const declared = configuration && isRecord(configuration.variables) ? configuration.variables : {};
  const given = isRecord(plan.variables) ? plan.variables : {};
  for (const [name, variable] of Object.entries(declared)) {
    if (isRecord(variable) && variable.sensitive === true && isRecord(given[name])) strings(given[name].value);
  }
  return found;
}
