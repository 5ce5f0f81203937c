// The server's OpenAPI v3 documents are kept compact for the run: only schemas, and only the
// keys list semantics and the in-sync proof read. What is kept must answer as the full document.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaListSemantics } from '../../../src/drift/list-semantics.ts';
import { compactDocument, type OpenApiDocument } from '../../../src/kube/openapi.ts';

// Shaped as kube-apiserver 1.35 serves a group-version: operations under `paths`, descriptions everywhere.
const SERVED = {
  openapi: '3.0.0',
  info: { title: 'Kubernetes', version: 'v1.35.4' },
  paths: {
    '/apis/test.kube-drift.dev/v1/namespaces/{namespace}/routes': {
      get: { description: 'list or watch objects of kind Route', operationId: 'listRoute' },
    },
  },
  components: {
    schemas: {
      'dev.kube-drift.test.v1.Route': {
        description: 'A Route.',
        type: 'object',
        required: ['spec'],
        'x-kubernetes-group-version-kind': [{ group: 'test.kube-drift.dev', version: 'v1', kind: 'Route' }],
        properties: {
          // Field names that are also schema keywords stay: they are the object's fields.
          description: { description: 'Free text.', type: 'string', default: '' },
          type: { type: 'string', enum: ['a', 'b'] },
          spec: {
            type: 'object',
            description: 'The spec.',
            properties: {
              backends: {
                type: 'array',
                description: 'Backends by host and port.',
                'x-kubernetes-list-type': 'map',
                'x-kubernetes-list-map-keys': ['host', 'port'],
                items: {
                  type: 'object',
                  properties: { host: { type: 'string', format: 'hostname' }, port: { type: 'integer' } },
                },
              },
              labels: { type: 'object', additionalProperties: { type: 'string', description: 'A label.' } },
              extra: {
                type: 'object',
                additionalProperties: true,
                'x-kubernetes-preserve-unknown-fields': true,
              },
            },
          },
          metadata: {
            description: 'Standard object metadata.',
            allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
            default: {},
          },
        },
      },
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
        type: 'object',
        description: 'ObjectMeta is metadata that all persisted resources must have.',
        properties: { name: { type: 'string', description: 'Name must be unique.' } },
      },
    },
  },
} as OpenApiDocument;

describe('compactDocument', () => {
  it('keeps the schemas with the keys that are read, and every field name', () => {
    assert.deepEqual(compactDocument(SERVED), {
      components: {
        schemas: {
          'dev.kube-drift.test.v1.Route': {
            type: 'object',
            'x-kubernetes-group-version-kind': [
              { group: 'test.kube-drift.dev', version: 'v1', kind: 'Route' },
            ],
            properties: {
              // `default` is kept: the in-sync proof fills published defaults in.
              description: { type: 'string', default: '' },
              type: { type: 'string' },
              spec: {
                type: 'object',
                properties: {
                  backends: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['host', 'port'],
                    items: {
                      type: 'object',
                      properties: { host: { type: 'string' }, port: { type: 'integer' } },
                    },
                  },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  extra: {
                    type: 'object',
                    additionalProperties: true,
                    'x-kubernetes-preserve-unknown-fields': true,
                  },
                },
              },
              metadata: {
                allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
                default: {},
              },
            },
          },
          'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
            type: 'object',
            properties: { name: { type: 'string' } },
          },
        },
      },
    });
  });

  it('answers list semantics as the document as served does', () => {
    const served = schemaListSemantics(new Map([['test.kube-drift.dev/v1', SERVED]]));
    const compact = schemaListSemantics(new Map([['test.kube-drift.dev/v1', compactDocument(SERVED)]]));
    const paths = [
      ['spec', 'backends'],
      ['spec', 'labels'],
      ['spec', 'extra'],
      ['metadata', 'name'],
    ];
    for (const path of paths) {
      const args = ['test.kube-drift.dev/v1', 'Route', path] as const;
      assert.deepEqual(compact.listType(...args), served.listType(...args));
      for (const item of [false, true])
        assert.deepEqual(compact.structure?.(...args, item), served.structure?.(...args, item));
    }
    assert.deepEqual(compact.listType('test.kube-drift.dev/v1', 'Route', ['spec', 'backends']), {
      type: 'map',
      keys: ['host', 'port'],
    });
  });
});
