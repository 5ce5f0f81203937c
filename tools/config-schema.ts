// Writes schema/config.schema.json from the option table: run it when an option changes.
import { writeFileSync } from 'node:fs';
import { configSchema } from '../src/settings/config-schema.ts';

writeFileSync(
  new URL('../schema/config.schema.json', import.meta.url),
  `${JSON.stringify(configSchema(), null, 2)}\n`,
);
