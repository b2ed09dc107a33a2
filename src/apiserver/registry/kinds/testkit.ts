/**
 * Test support for the kind strategies: a real Registry over an LMDB backend in a temporary directory, and helpers
 * that capture the Status a failing request would answer with.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KObject } from '../../../apimachinery/object.ts';
import { StatusError, type Status } from '../../../apimachinery/status.ts';
import { openLmdbBackend } from '../../../storage/lmdb/lmdb-backend.ts';
import type { Backend } from '../../../storage/backend.ts';
import { Registry, type RegistryOptions } from '../index.ts';
import type { Store } from '../store.ts';

export interface TestCluster {
  registry: Registry;
  backend: Backend;
  dir: string;
  store(group: string, resource: string): Store;
  /** Closes the registry and the backend (keeps the directory). */
  close(): Promise<void>;
  /** Closes and removes the directory. */
  destroy(): Promise<void>;
}

const VERSIONS: Record<string, string> = { autoscaling: 'v2' };

export async function openCluster(opts: RegistryOptions = {}, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-kinds-'))): Promise<TestCluster> {
  const backend = await openLmdbBackend({ dir });
  const registry = new Registry(backend, opts);
  await registry.start();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    registry.stop();
    await backend.close();
  };
  return {
    registry,
    backend,
    dir,
    store(group, resource) {
      const s = registry.store(group, VERSIONS[group] ?? 'v1', resource);
      assert.ok(s, `no store for ${group}/${resource}`);
      return s;
    },
    close,
    async destroy() {
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Status a rejected promise carries (fails the test when it resolves or throws something else). */
export async function statusOf(p: Promise<unknown>): Promise<Status> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StatusError) return err.status;
    throw err;
  }
  assert.fail('expected the request to fail');
}

/** Asserts a 422 Invalid with exactly this message. */
export async function rejects422(p: Promise<unknown>, message: string): Promise<Status> {
  const s = await statusOf(p);
  assert.equal(s.message, message);
  assert.equal(s.code, 422);
  assert.equal(s.reason, 'Invalid');
  return s;
}

export const obj = (o: Record<string, unknown>): KObject => o as unknown as KObject;

/** A minimal valid pod spec. */
export const podSpec = (extra: Record<string, unknown> = {}) => ({ containers: [{ name: 'c', image: 'busybox:1.36' }], ...extra });
