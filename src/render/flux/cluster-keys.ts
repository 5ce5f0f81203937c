// SOPS keys from the Secret a Kustomization names in `spec.decryption.secretRef`, read through
// the run's own cluster connection as kustomize-controller reads them (opt-in, trusted runs).
import type { KubeObject } from '../../model.ts';
import { keysFromSecretData, noKeys, type SopsKeys } from '../sops/keys.ts';
import { dataOf } from './values.ts';

/** Reads a Secret: null when it does not exist; throws when it cannot be read. */
export type SecretReader = (namespace: string, name: string) => Promise<KubeObject | null>;

export interface ClusterKeySource {
  read: SecretReader;
  /** Every Secret read goes to the redactor before anything else sees it. */
  onSecret: (secret: KubeObject) => void;
  warn: (message: string) => void;
}

/** Reads each decryption Secret once; one that cannot be read is a warning, then no key. */
export class ClusterKeys {
  private readonly read = new Map<string, Promise<SopsKeys>>();
  private readonly source: ClusterKeySource;

  constructor(source: ClusterKeySource) {
    this.source = source;
  }

  keysFor(namespace: string, secretName: string, kustomization: string): Promise<SopsKeys> {
    const id = `${namespace}/${secretName}`;
    let keys = this.read.get(id);
    if (!keys) {
      keys = this.load(namespace, secretName, kustomization);
      this.read.set(id, keys);
    }
    return keys;
  }

  private async load(namespace: string, name: string, kustomization: string): Promise<SopsKeys> {
    const subject = `Secret/${namespace}/${name}`;
    const unread = (why: string) => {
      this.source.warn(
        `${subject}, named by ${kustomization} spec.decryption.secretRef, ${why}: its Secrets are decrypted without its keys`,
      );
      return noKeys();
    };
    let secret: KubeObject | null;
    try {
      secret = await this.source.read(namespace, name);
    } catch (error) {
      return unread(`cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!secret) return unread('does not exist');
    this.source.onSecret(secret);
    return keysFromSecretData(dataOf(secret), subject);
  }
}
