// The option table: the single place an option is declared, with its kind, default and
// description. The CLI's --help, the action's inputs and the action.yml check are made from it.
// size: data table, one entry per option, each declared once.

export type OptionKind = 'string' | 'boolean' | 'number' | 'list';

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  description: string;
  default?: string;
  /** Where it applies: the action only (GitHub), the CLI only, or both. */
  scope?: 'action' | 'cli';
  choices?: readonly string[];
  /** A CLI flag that may repeat (paths, values files). */
  repeat?: boolean;
  alias?: string;
}

/** The target name when none is given: too common to prune by. */
export const DEFAULT_TARGET = 'default';

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'path',
    kind: 'list',
    repeat: true,
    alias: 'p',
    description:
      'Path of manifests to render: a directory of YAML, a Kustomize directory, a Helm chart, or a Flux cluster directory. Several allowed (newline- or comma-separated in the action).',
    default: '.',
  },
  {
    name: 'source',
    kind: 'string',
    choices: ['auto', 'plain', 'kustomize', 'helm', 'flux', 'argocd'],
    default: 'auto',
    description:
      'How to render each path; auto detects kustomization.yaml and Chart.yaml, Flux Kustomizations and Argo CD Applications.',
  },
  {
    name: 'strict',
    kind: 'boolean',
    default: 'false',
    description:
      'Treat YAML/JSON files found in a directory that are plainly not Kubernetes objects (no apiVersion and no kind: docker-compose.yml, mkdocs.yml, package.json) as errors instead of skipping them with a notice.',
  },
  {
    name: 'target',
    kind: 'string',
    default: DEFAULT_TARGET,
    description:
      'Name of this cluster/path set, e.g. production. Names the PR comment, check run, drift issue, owner labels and inventory; prune needs one given explicitly.',
  },
  {
    name: 'owner',
    kind: 'string',
    description:
      'Who owns the target, recorded in its inventory: by default the repository (GITHUB_REPOSITORY in the action, else the normalized origin URL). A target another owner holds is refused, and prune never crosses owners. Set it when several repositories (or a renamed one) share a target on purpose.',
  },
  {
    name: 'kubeconfig',
    kind: 'string',
    description: 'Kubeconfig: a file path (CLI), or in the action the kubeconfig content, plain or base64.',
  },
  { name: 'context', kind: 'string', description: 'Kubeconfig context to use instead of current-context.' },
  {
    name: 'namespace',
    kind: 'string',
    alias: 'n',
    default: 'default',
    description: 'Namespace for namespaced objects that name none.',
  },
  {
    name: 'helm-release-name',
    kind: 'string',
    default: 'release',
    description: 'Release name for Helm chart paths.',
  },
  {
    name: 'helm-namespace',
    kind: 'string',
    description: 'Namespace for Helm chart paths (default: --namespace).',
  },
  { name: 'helm-values', kind: 'list', repeat: true, description: 'Values files for Helm chart paths.' },
  {
    name: 'helm-set',
    kind: 'list',
    repeat: true,
    description: 'key=value overrides for Helm chart paths (as helm --set).',
  },
  {
    name: 'sops-age-key',
    kind: 'string',
    description:
      'age identities (AGE-SECRET-KEY-1…, one a line) that decrypt the SOPS-encrypted Secrets of Flux Kustomizations with decryption.provider sops. SOPS_AGE_KEY is read too. Registered as a secret.',
  },
  {
    name: 'sops-age-key-file',
    kind: 'string',
    description: 'File of age identities for SOPS, as SOPS_AGE_KEY_FILE (which is read too).',
  },
  {
    name: 'sops-pgp-key',
    kind: 'string',
    description:
      'Armored OpenPGP private keys, without passphrase, for SOPS files encrypted with PGP (the CLI also takes a file path). Registered as a secret.',
  },
  {
    name: 'sops-keys-from-cluster',
    kind: 'boolean',
    default: 'false',
    description:
      "Also decrypt with the keys in the Secret a Flux Kustomization names in spec.decryption.secretRef (its *.agekey and *.asc entries), read with the run's credentials as kustomize-controller reads it. Ignored on untrusted runs (see trusted).",
  },
  {
    name: 'argocd-repos',
    kind: 'list',
    repeat: true,
    description:
      "Argo CD sources: Git repositories that stand for a directory of the checkout, one url=directory per line (e.g. https://github.com/org/deploy.git=deploy). The checkout's own remotes stand for it without this.",
  },
  {
    name: 'argocd-clusters',
    kind: 'list',
    repeat: true,
    description:
      'Argo CD destinations (server URLs or cluster names) that are the cluster diffed, besides https://kubernetes.default.svc and in-cluster; Applications for other destinations are skipped with a note.',
  },
  {
    name: 'argocd-remediate',
    kind: 'boolean',
    default: 'false',
    description:
      'Let apply correct (and its prune delete) objects an Argo CD Application manages; by default their drift is reported, never corrected, so that kube-drift does not fight Argo CD.',
  },
  {
    name: 'ignore-file',
    kind: 'string',
    description:
      'YAML file of ignore rules in Flux shape: [{paths: [JSON pointers], target: {group, version, kind, name, namespace, labelSelector, annotationSelector}}].',
  },
  {
    name: 'ignore',
    kind: 'string',
    scope: 'action',
    description: 'Ignore rules inline, as YAML (same shape as ignore-file).',
  },
  {
    name: 'field-manager',
    kind: 'string',
    default: 'kube-drift',
    description: 'Field manager for dry-runs and applies.',
  },
  {
    name: 'takeover-managers',
    kind: 'list',
    repeat: true,
    default: 'kubectl*,before-first-apply,helm',
    description:
      "Field managers whose fields kube-drift takes over, as Flux's --override-manager: fields they own that Git does not set are drift, and apply removes them. * matches any characters; controllers are never taken over. Other non-controller managers get a note.",
  },
  { name: 'concurrency', kind: 'number', default: '16', description: 'Dry-run requests in flight at once.' },
  {
    name: 'diff-mode',
    kind: 'string',
    choices: ['server', 'client', 'auto'],
    default: 'server',
    description:
      'server: server-side apply dry-run (needs patch permission); client: compare without write verbs; auto: server, falling back to client on 403.',
  },
  {
    name: 'verify',
    kind: 'string',
    choices: ['auto', 'all'],
    default: 'auto',
    description:
      'auto: skip the dry-run of an object its live state proves in sync (docs/in-sync-proof.md), dry-run the rest; all: dry-run every object.',
  },
  {
    name: 'verify-kinds',
    kind: 'list',
    repeat: true,
    description:
      'Kinds always dry-run, as Kind or Kind.group (Ingress.networking.k8s.io): for clusters whose admission webhooks must see every object.',
  },
  {
    name: 'output',
    kind: 'string',
    scope: 'cli',
    alias: 'o',
    choices: ['text', 'markdown', 'json'],
    default: 'text',
    description: 'Report format on standard output.',
  },
  {
    name: 'report-file',
    kind: 'string',
    description:
      'Write the JSON report to this file (the action defaults to $RUNNER_TEMP/kube-drift-<target>.json).',
  },
  {
    name: 'color',
    kind: 'string',
    scope: 'cli',
    choices: ['auto', 'always', 'never'],
    default: 'auto',
    description: 'Colour in text output.',
  },
  {
    name: 'verbose',
    kind: 'boolean',
    scope: 'cli',
    alias: 'v',
    default: 'false',
    description: 'List unchanged objects too.',
  },
  {
    name: 'fail-on-drift',
    kind: 'boolean',
    scope: 'action',
    default: 'true',
    description: 'Fail the check run (and the action) when drift is found. Errors always fail.',
  },
  {
    name: 'three-way',
    kind: 'string',
    choices: ['auto', 'off'],
    default: 'auto',
    description:
      "Three-way PR preview: auto renders the pull request base (or --base) too and tells the PR's own changes from drift already in the cluster; off diffs head against the cluster only.",
  },
  {
    name: 'base',
    kind: 'string',
    scope: 'cli',
    description:
      'Git ref of the base to compare with for a three-way preview, e.g. origin/main (the action uses the pull request base).',
  },
  {
    name: 'fail-on',
    kind: 'string',
    choices: ['any', 'drift', 'pr'],
    default: 'any',
    description:
      "In a three-way preview, what fails the check and the exit status: any change, only drift already in the cluster, or only the PR's own changes (fields both changed count for both).",
  },
  {
    name: 'risk-review',
    kind: 'boolean',
    default: 'true',
    description:
      'Review what the change could break, measured against the live cluster (immutable fields, stateful deletions, config without rollout, RBAC, privilege, exposure, availability, images): a Review section in every report.',
  },
  {
    name: 'fail-on-risk',
    kind: 'string',
    choices: ['none', 'warning', 'danger'],
    default: 'none',
    description:
      'Fail the check run and the exit status when the risk review has a finding (not accepted) at or above this severity: danger, warning, or none.',
  },
  {
    name: 'accept-risk',
    kind: 'string',
    description:
      'Risk findings accepted, as YAML: [{rule: delete-stateful, object: PersistentVolumeClaim/db/data, reason: "migrated"}] (object may use * wildcards). For objects Git does not hold (deletions, chart output); objects in Git can carry the annotation kube-drift.dev/accept-risk instead. Accepted findings are listed as accepted, with the reason.',
  },
  {
    name: 'trusted',
    kind: 'string',
    choices: ['auto', 'false'],
    default: 'auto',
    description:
      'Whether the manifests may read cluster Secrets while rendering (Helm lookup). auto: not on pull_request and pull_request_target runs (GITHUB_EVENT_NAME), whose head is the pull request\'s; there lookups of Secrets answer "not found". false: never.',
  },
  {
    name: 'chart-credentials',
    kind: 'list',
    repeat: true,
    description:
      'Credentials for private Helm repositories and OCI registries, one host=username:password per line (e.g. ghcr.io=user:<token>). Each is sent only to that host: a HelmRepository or OCIRepository pointing elsewhere gets none.',
  },
  {
    name: 'docker-config',
    kind: 'string',
    description:
      'A docker config.json (docker login, helm registry login) whose auths are chart credentials too, each bound to its host. Without it helm uses no login the runner holds.',
  },
  {
    name: 'remediate',
    kind: 'boolean',
    default: 'false',
    description:
      'Apply Git to the cluster (action; the CLI has the apply command). Refused on pull requests and refs outside allowed-refs.',
  },
  {
    name: 'prune',
    kind: 'boolean',
    default: 'false',
    description: 'Delete objects kube-drift applied earlier that are gone from Git.',
  },
  {
    name: 'wait',
    kind: 'boolean',
    default: 'false',
    description: 'After applying, wait until workloads are healthy.',
  },
  { name: 'timeout', kind: 'number', default: '300', description: 'Seconds to wait for health with wait.' },
  {
    name: 'force',
    kind: 'boolean',
    default: 'false',
    description: 'Delete and recreate objects whose immutable fields changed.',
  },
  { name: 'dry-run', kind: 'boolean', default: 'false', description: 'Plan remediation without writing.' },
  {
    name: 'allowed-refs',
    kind: 'list',
    description: 'Refs remediation may run on (default: the repository default branch).',
  },
  {
    name: 'max-deletions',
    kind: 'number',
    default: '25',
    description: 'Refuse to prune more objects than this in one run.',
  },
  {
    name: 'inventory-namespace',
    kind: 'string',
    default: 'kube-drift-system',
    description: 'Namespace of the inventory kube-drift keeps of what it applied.',
  },
  {
    name: 'suspend',
    kind: 'boolean',
    default: 'false',
    description: 'Suspend remediation for this target: report everything as skipped.',
  },
  {
    name: 'skip-unhealthy',
    kind: 'boolean',
    default: 'false',
    description: 'Leave workloads that are unhealthy before remediation alone.',
  },
  {
    name: 'config',
    kind: 'string',
    description:
      'Fleet config file (kube-drift.yaml): run every target in it, or those named by target (comma-separated). In the action, kube-drift.yaml at the repository root is used when present and neither path nor target is given; on pull requests it is read from the base commit.',
  },
  {
    name: 'summarize',
    kind: 'string',
    scope: 'action',
    description:
      "Glob of JSON reports (reports/*.json) from matrix jobs: post one roll-up PR comment and job summary from them, with no cluster access. With config, a target without a report is reported as that target's error.",
  },
  {
    name: 'github-token',
    kind: 'string',
    scope: 'action',
    default: '${{ github.token }}',
    description: 'Token for comments, check runs and issues.',
  },
  {
    name: 'comment',
    kind: 'boolean',
    scope: 'action',
    default: 'true',
    description: 'Post a sticky drift comment on pull requests.',
  },
  {
    name: 'check-run',
    kind: 'boolean',
    scope: 'action',
    default: 'true',
    description: 'Create a check run named "kube-drift / <target>".',
  },
  {
    name: 'issue',
    kind: 'boolean',
    scope: 'action',
    default: 'false',
    description: 'On non-PR runs, open/update/close one drift issue per target.',
  },
  {
    name: 'issue-labels',
    kind: 'list',
    scope: 'action',
    default: 'drift',
    description: 'Labels of the drift issue.',
  },
  {
    name: 'webhook-url',
    kind: 'string',
    scope: 'action',
    description: 'Webhook to notify on drift found, resolved and remediated.',
  },
  {
    name: 'webhook-format',
    kind: 'string',
    scope: 'action',
    choices: ['slack', 'teams', 'json'],
    default: 'json',
    description: 'Payload shape for webhook-url.',
  },
];
