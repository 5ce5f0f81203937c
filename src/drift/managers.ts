// Field managers by who they are: controllers (never fought), take-over managers (tools that
// applied the target before kube-drift: their fields are Git's to decide), and the rest.

/**
 * Managers taken over unless configured otherwise: people (`kubectl`, `kubectl-edit`,
 * `kubectl-client-side-apply`, … and `kubectl.exe` on Windows), `before-first-apply` (what
 * the API server names the fields of an object first changed by server-side apply) and Helm
 * (`helm install`/`upgrade` record the binary's name, `helm`, as client-side Update or, with
 * Helm 4's server-side apply, Apply). These are the tools a team moves from to a GitOps tool.
 */
export const DEFAULT_TAKEOVER_MANAGERS: readonly string[] = ['kubectl*', 'before-first-apply', 'helm'];

const KNOWN_CONTROLLERS = new Set([
  'kube-controller-manager',
  'kube-scheduler',
  'kube-apiserver',
  'kubelet',
  'horizontal-pod-autoscaler',
  'cluster-autoscaler',
  'vpa-updater',
  'vpa-recommender',
  'keda-operator',
  'kustomize-controller',
  'helm-controller',
  'source-controller',
  'image-automation-controller',
  'flux',
  'argocd-controller',
  'argocd-application-controller',
  'argocd-server',
  'cert-manager-cainjector',
  'cainjector',
]);

/**
 * Well-known controllers, plus any manager named `*-controller`, `*-controller-manager` or
 * `*-operator`: by convention those are controllers, and a reader needs to know a controller
 * is fighting Git (it wants an ignore rule, not a revert).
 */
export function isKnownController(manager: string): boolean {
  return (
    KNOWN_CONTROLLERS.has(manager) ||
    manager.startsWith('cert-manager') ||
    /-(controller|controller-manager|operator)$/.test(manager)
  );
}

/** A `*` matches any run of characters (as Flux's `--override-manager` matches by prefix). */
function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Why `pattern` cannot be a take-over manager, or undefined when it can. */
export function takeoverPatternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'is empty';
  if (pattern.replace(/\*/g, '') === '') return 'would take over every manager, controllers included';
  if (pattern.length > 128) return 'is longer than a field manager name (128 characters)';
  if (isKnownController(pattern))
    return 'is a controller; kube-drift does not take over controllers (add an ignore rule for the fields it owns)';
  return undefined;
}

/** A predicate: is `manager` one whose fields kube-drift takes over? Controllers never are. */
export type ManagerMatcher = (manager: string) => boolean;

export function takeoverMatcher(patterns: readonly string[] = DEFAULT_TAKEOVER_MANAGERS): ManagerMatcher {
  const expressions = patterns.map(patternRegExp);
  return (manager) => !isKnownController(manager) && expressions.some((e) => e.test(manager));
}

/** The default take-over managers: people, `before-first-apply` and Helm. */
export const isManualManager: ManagerMatcher = takeoverMatcher();

const KUBECTL_VERB = /^kubectl(\.exe)?(-|$)/;
const CREATION_MANAGERS = new Set(['before-first-apply', 'kubectl-client-side-apply', 'kubectl-create']);

/**
 * Whether an Update entry of `manager` may record a whole object at creation, server defaults
 * included: `kubectl create`, client-side `kubectl apply`, `before-first-apply`, and any other
 * tool that creates objects (`helm install`, a CI script). kubectl's own verbs (`kubectl-edit`,
 * `kubectl-label`, `kubectl-scale`, …) record only what they changed.
 */
export function isCreationManager(manager: string): boolean {
  return CREATION_MANAGERS.has(manager) || !KUBECTL_VERB.test(manager);
}
