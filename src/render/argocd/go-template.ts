// ApplicationSet `goTemplate: true`: each string of the template evaluated as a Go template
// with Sprig, as the ApplicationSet controller evaluates them, by Helm's template engine (`tpl`).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { failureMessage, findTool, runTool } from '../tools.ts';

/** The template's string leaves, in walk order. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

/** The template with its string leaves replaced, in walk order, by `values`. */
function withStrings(value: unknown, values: string[], at = { i: 0 }): unknown {
  if (typeof value === 'string') return values[at.i++];
  if (Array.isArray(value)) return value.map((v) => withStrings(v, values, at));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withStrings(v, values, at)]));
  return value;
}

const TEMPLATE = `{{- range $i, $p := .Values.params }}
{{- range $j, $s := $.Values.strings }}
{{ printf "%d-%d" $i $j | quote }}: {{ tpl $s $p | toJson }}
{{- end }}
{{- end }}
`;

/**
 * The template filled with each set of parameters. One `helm template` run evaluates every
 * string for every parameter set; a template that does not evaluate throws Helm's message.
 */
export async function fillGoTemplate(
  template: unknown,
  params: Record<string, unknown>[],
  dir: string,
  helm?: string,
): Promise<unknown[]> {
  const strings = stringsOf(template);
  if (params.length === 0) return [];
  if (!strings.some((s) => s.includes('{{'))) return params.map(() => structuredClone(template));
  await mkdir(join(dir, 'templates'), { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: applicationset\nversion: 0.0.0\n');
  await writeFile(join(dir, 'values.yaml'), JSON.stringify({ params, strings }));
  await writeFile(join(dir, 'templates', 'applications.yaml'), TEMPLATE);
  const run = await runTool(helm ?? findTool('helm'), ['template', 'applicationset', '.'], dir);
  if (run.exitCode !== 0) throw new Error(failureMessage(run));
  const filled = new Map<string, string>();
  for (const doc of parseAllDocuments(run.stdout)) {
    const map = doc.toJS() as Record<string, string> | null;
    for (const [key, value] of Object.entries(map ?? {})) filled.set(key, value);
  }
  return params.map((_, i) =>
    withStrings(
      template,
      strings.map((s, j) => filled.get(`${i}-${j}`) ?? s),
    ),
  );
}
