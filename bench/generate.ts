// The benchmark's repository: N objects in app units of ten (a Deployment, a Service, three
// ConfigMaps, two Secrets, a Role, a RoleBinding and a Widget custom resource) spread over
// 20 namespaces, written three ways: a plain YAML tree, a Kustomize directory and a Helm
// chart. Object i is the same in every size, so a larger run is a superset of a smaller one.
// The namespaces are `<prefix>-0..19` (`bench` unless told), so that benchmark runs on a shared
// control plane keep apart.
// Deployments carry what the in-sync proof must handle: probes on a named and a numbered port,
// a CPU limit written as a number (`cpu: 0.5`, stored as `500m`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NAMESPACES = 20;
export const CRD_GROUP = 'bench.kube-drift.dev';
export const BENCH_LABEL = 'kube-drift.dev/bench';

const UNIT = [
  'Deployment',
  'Service',
  'ConfigMap',
  'ConfigMap',
  'ConfigMap',
  'Secret',
  'Secret',
  'Role',
  'RoleBinding',
  'Widget',
] as const;
export type BenchKind = (typeof UNIT)[number];

export interface BenchObject {
  index: number;
  kind: BenchKind;
  namespace: string;
  name: string;
}

/** `Kind/namespace/name`, as both tools' outputs are reduced to. */
export function subjectOfBench(o: Pick<BenchObject, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

export function benchObject(index: number, prefix = 'bench'): BenchObject {
  const app = Math.floor(index / UNIT.length);
  const slot = index % UNIT.length;
  const kind = UNIT[slot];
  const suffix = {
    Deployment: 'web',
    Service: 'web',
    ConfigMap: `config-${slot - 1}`,
    Secret: `secret-${slot - 5}`,
    Role: 'reader',
    RoleBinding: 'reader',
    Widget: 'widget',
  }[kind];
  return {
    index,
    kind,
    namespace: `${prefix}-${app % NAMESPACES}`,
    name: `app-${String(app).padStart(4, '0')}-${suffix}`,
  };
}

/**
 * The 5% that the benchmark drifts: one object in every 20, cycling through the unit's slots
 * so that every kind is drifted.
 */
export function driftedIndices(n: number): number[] {
  const out: number[] = [];
  for (let k = 0; 20 * k < n; k++) {
    const index = 20 * k + (k % UNIT.length);
    if (index < n) out.push(index);
  }
  return out;
}

function manifest(o: BenchObject): string {
  const app = o.name.replace(/-[a-z]+(-\d)?$/, '');
  const meta = `metadata:\n  name: ${o.name}\n  namespace: ${o.namespace}\n  labels:\n    app: ${app}\n    tier: bench\n`;
  switch (o.kind) {
    case 'Deployment':
      return `apiVersion: apps/v1\nkind: Deployment\n${meta}spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: ${app}\n  template:\n    metadata:\n      labels:\n        app: ${app}\n    spec:\n      containers:\n        - name: web\n          image: registry.example/web:1.${o.index % 7}\n          ports:\n            - name: http\n              containerPort: 8080\n          readinessProbe:\n            httpGet:\n              path: /ready\n              port: http\n          livenessProbe:\n            tcpSocket:\n              port: 8080\n          env:\n            - name: LOG_LEVEL\n              value: info\n          resources:\n            requests:\n              cpu: 10m\n              memory: 16Mi\n            limits:\n              cpu: 0.5\n              memory: 64Mi\n`;
    case 'Service':
      return `apiVersion: v1\nkind: Service\n${meta}spec:\n  selector:\n    app: ${app}\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n`;
    case 'ConfigMap':
      return `apiVersion: v1\nkind: ConfigMap\n${meta}data:\n  level: info\n  app.properties: |\n    name=${o.name}\n    threads=${(o.index % 8) + 1}\n    endpoint=https://${app}.${o.namespace}.svc:8080/api\n`;
    case 'Secret':
      return `apiVersion: v1\nkind: Secret\n${meta}type: Opaque\nstringData:\n  username: user-${o.index}-x7\n  password: s3cret-${o.index}-q9\n`;
    case 'Role':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n${meta}rules:\n  - apiGroups: [""]\n    resources: [configmaps, secrets]\n    verbs: [get, list, watch]\n`;
    case 'RoleBinding':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n${meta}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: ${app}-reader\nsubjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: ${o.namespace}\n`;
    case 'Widget':
      return `apiVersion: ${CRD_GROUP}/v1\nkind: Widget\n${meta}spec:\n  size: ${(o.index % 5) + 1}\n  color: blue\n`;
  }
}

/**
 * What the repository needs in the cluster first and does not hold itself: namespaces (labelled
 * with the prefix, which cleaning up selects) and the Widget CRD (shared by every prefix).
 */
export function prerequisites(prefix = 'bench'): string {
  const docs = [
    `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${CRD_GROUP}
spec:
  group: ${CRD_GROUP}
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
                color: {type: string}
`,
  ];
  for (let i = 0; i < NAMESPACES; i++)
    docs.push(
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${prefix}-${i}\n  labels:\n    ${BENCH_LABEL}: "${prefix}"\n`,
    );
  return docs.join('---\n');
}

export interface BenchRepository {
  root: string;
  /** A plain YAML tree: one multi-document file per app, a folder per namespace. */
  plain: string;
  kustomize: string;
  chart: string;
  objects: BenchObject[];
  drifted: BenchObject[];
}

export function writeRepository(root: string, n: number, prefix = 'bench'): BenchRepository {
  const objects = Array.from({ length: n }, (_, i) => benchObject(i, prefix));
  const plain = join(root, 'plain');
  const kustomize = join(root, 'kustomize');
  const chart = join(root, 'chart');
  const files = new Map<string, string[]>();
  for (const o of objects) {
    const file = join(o.namespace, `${o.name.slice(0, 8)}.yaml`);
    const docs = files.get(file) ?? [];
    docs.push(manifest(o));
    files.set(file, docs);
  }
  const resources: string[] = [];
  for (const [file, docs] of files) {
    for (const dir of [plain, kustomize]) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), docs.join('---\n'));
    }
    resources.push(file);
  }
  writeFileSync(
    join(kustomize, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`,
  );
  writeChart(chart, n, prefix);
  return { root, plain, kustomize, chart, objects, drifted: driftedIndices(n).map((i) => objects[i]) };
}

/** A chart whose one template ranges over `count`, giving the same mix as the plain tree. */
function writeChart(dir: string, n: number, prefix: string): void {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: bench\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'values.yaml'), `count: ${n}\nimage: registry.example/web\n`);
  writeFileSync(
    join(dir, 'templates', 'objects.yaml'),
    `{{- range $i := until (int .Values.count) }}
{{- $app := printf "app-%04d" (div $i 10) }}
{{- $ns := printf "${prefix}-%d" (mod (div $i 10) ${NAMESPACES}) }}
{{- $slot := mod $i 10 }}
---
{{- if eq $slot 0 }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $app }}-web
  namespace: {{ $ns }}
  labels: {app: {{ $app }}, tier: bench}
spec:
  replicas: 1
  selector:
    matchLabels: {app: {{ $app }}}
  template:
    metadata:
      labels: {app: {{ $app }}}
    spec:
      containers:
        - name: web
          image: {{ $.Values.image }}:1.{{ mod $i 7 }}
          ports: [{containerPort: 8080}]
          env: [{name: LOG_LEVEL, value: info}]
{{- else if eq $slot 1 }}
apiVersion: v1
kind: Service
metadata:
  name: {{ $app }}-web
  namespace: {{ $ns }}
  labels: {app: {{ $app }}, tier: bench}
spec:
  selector: {app: {{ $app }}}
  ports: [{name: http, port: 80, targetPort: 8080}]
{{- else if le $slot 4 }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $app }}-config-{{ sub $slot 1 }}
  namespace: {{ $ns }}
  labels: {app: {{ $app }}, tier: bench}
data:
  level: info
  app.properties: |
    name={{ $app }}
    threads={{ add (mod $i 8) 1 }}
{{- else if le $slot 6 }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $app }}-secret-{{ sub $slot 5 }}
  namespace: {{ $ns }}
  labels: {app: {{ $app }}, tier: bench}
type: Opaque
stringData: {username: user-{{ $i }}-x7, password: s3cret-{{ $i }}-q9}
{{- else if eq $slot 7 }}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $app }}-reader
  namespace: {{ $ns }}
  labels: {app: {{ $app }}, tier: bench}
rules:
  - {apiGroups: [""], resources: [configmaps, secrets], verbs: [get, list, watch]}
{{- else if eq $slot 8 }}
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $app }}-reader
  namespace: {{ $ns }}
  labels: {app: {{ $app }}, tier: bench}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: {{ $app }}-reader}
subjects: [{kind: ServiceAccount, name: default, namespace: {{ $ns }}}]
{{- else }}
apiVersion: ${CRD_GROUP}/v1
kind: Widget
metadata:
  name: {{ $app }}-widget
  namespace: {{ $ns }}
  labels: {app: {{ $app }}, tier: bench}
spec: {size: {{ add (mod $i 5) 1 }}, color: blue}
{{- end }}
{{- end }}
`,
  );
}
