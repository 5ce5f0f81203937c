// A ValidatingAdmissionPolicy (and its binding) that refuses ConfigMaps labelled `<label>=true`
// in one namespace: a real admission denial for tests on the local control plane.

export function rejectLabelledConfigMaps(
  name: string,
  namespace: string,
  label: string,
  who: string,
): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["configmaps"]
  validations:
  - expression: "!has(object.metadata.labels) || !('${label}' in object.metadata.labels) || object.metadata.labels['${label}'] != 'true'"
    message: "kube-drift ${who}: ConfigMaps labelled ${label}=true are refused"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ${name}
spec:
  policyName: ${name}
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: ${namespace}
`;
}
