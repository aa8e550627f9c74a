// Labels every container of the stack carries: `npm run drift` lists the containers on a host that carry
// them (`docker ps --filter label=...`) to find the ones the stack does not declare (docs/drift.md).

export function stackLabels(project: string, stack: string): Record<string, string> {
  return { "aistack.project": project, "aistack.stack": stack };
}
