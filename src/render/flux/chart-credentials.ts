// Credentials for private chart sources, each bound to the host it was given for: a chart
// source that names another host (a pull request may point a HelmRepository anywhere) is
// fetched with no credentials at all.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.ts';

export interface ChartCredential {
  /** `host` or `host:port`, as in the source's URL. */
  host: string;
  username: string;
  password: string;
}

/** `host=username:password`, one per line (the password may hold `:` and `=`). */
export function parseChartCredentials(entries: string[], origin: string): ChartCredential[] {
  return entries.map((entry) => {
    const equals = entry.indexOf('=');
    const colon = entry.indexOf(':', equals + 1);
    const host = entry.slice(0, equals).trim().toLowerCase();
    if (equals <= 0 || colon === -1 || !/^[a-z0-9.-]+(:\d+)?$/.test(host))
      // The entry is not quoted: it may be a password given in the wrong shape.
      throw new InputError(`${origin} has an entry that is not host=username:password`, {
        hint: 'Write one entry per line, e.g. ghcr.io=my-user:<token>, with the bare host (and port) of the chart source.',
      });
    return { host, username: entry.slice(equals + 1, colon), password: entry.slice(colon + 1) };
  });
}

/** The `auths` of a docker config file (`docker login`, `helm registry login`) as credentials. */
export function dockerConfigCredentials(text: string, file: string): ChartCredential[] {
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(text);
  } catch {
    throw new InputError(`docker config ${file} is not JSON`, { file });
  }
  const found: ChartCredential[] = [];
  for (const [server, entry] of Object.entries(config.auths ?? {})) {
    const host = server
      .replace(/^[a-z]+:\/\//, '')
      .replace(/\/.*$/, '')
      .toLowerCase();
    let { username, password } = entry;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      username = decoded.slice(0, decoded.indexOf(':'));
      password = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (username !== undefined && password !== undefined) found.push({ host, username, password });
  }
  return found;
}

/** The credential for the host of a chart source URL (`oci://`, `https://`), if one was given for exactly that host. */
export function credentialFor(
  credentials: readonly ChartCredential[],
  url: string,
): ChartCredential | undefined {
  let host: string;
  try {
    host = new URL(url.replace(/^oci:\/\//, 'https://')).host.toLowerCase();
  } catch {
    return undefined;
  }
  return credentials.find((credential) => credential.host === host);
}

/**
 * A private directory with a docker-style config holding at most this one credential, for
 * HELM_REGISTRY_CONFIG and DOCKER_CONFIG: helm then finds no other login (the runner's
 * `docker login`, `helm registry login`) to send anywhere.
 */
export function registryConfigDir(workDir: string, credential: ChartCredential | undefined): string {
  const dir = mkdtempSync(join(workDir, 'registry-auth-'));
  const auths: Record<string, { auth: string }> = {};
  if (credential)
    auths[credential.host] = {
      auth: Buffer.from(`${credential.username}:${credential.password}`).toString('base64'),
    };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }), { mode: 0o600 });
  return dir;
}
