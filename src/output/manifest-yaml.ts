// Objects printed as YAML for people and for kubectl: `kube-drift render | kubectl apply -f -`.

import { dump } from 'js-yaml';

/**
 * The object as YAML that kubectl (go-yaml, YAML 1.1) reads back to the same object: strings
 * that YAML 1.1 would read as something else (`yes`, `on`, `y`, `1:20`, `0644`) are quoted,
 * which the `yaml` package's 1.2 output does not do. js-yaml also writes straight from the
 * values, without a document model per object: less time and memory for megabytes of CRDs.
 */
export function manifestYaml(object: unknown): string {
  try {
    return dump(object, { lineWidth: -1, noRefs: true, quoteStyle: 'double', skipInvalid: true });
  } catch (error) {
    // js-yaml's style checks overflow the stack on a string of megabytes; JSON is YAML too,
    // every string in it quoted.
    if (!(error instanceof RangeError)) throw error;
    return `${JSON.stringify(object, null, 2)}\n`;
  }
}
