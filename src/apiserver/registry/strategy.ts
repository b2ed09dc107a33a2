/**
 * What makes one resource different from another: a small strategy object per kind (apiserver's RESTCreateStrategy /
 * RESTUpdateStrategy). The generic store does everything else.
 */
import type { KObject } from '../../apimachinery/object.ts';

export interface FieldError {
  type: string;
  field: string;
  /** The whole upstream-formatted message, e.g. `spec.replicas: Invalid value: -1: must be greater than or equal to 0` */
  message: string;
  /** The part after the field, for Status causes */
  detail?: string;
}

export interface Strategy {
  /** Sets defaults (called on create, and on the result of every update and patch). */
  defaults?(obj: KObject): void;
  /** Clears what a client may not set on create (e.g. status of kinds with a status subresource). */
  prepareForCreate?(obj: KObject): void;
  /** Carries over from `old` what the main resource may not change (e.g. status). */
  prepareForUpdate?(obj: KObject, old: KObject): void;
  validate?(obj: KObject): FieldError[];
  validateUpdate?(obj: KObject, old: KObject): FieldError[];
  /** PUT of a missing object creates it (true for a few kinds upstream). */
  allowCreateOnUpdate?: boolean;
  /** metadata.generation is maintained and bumped when anything but metadata and status changes. */
  generation?: boolean;
  /** Seconds of graceful deletion for this object (pods on a node); 0/undefined = delete at once. */
  gracePeriod?(obj: KObject, requested: number | undefined): number;
  /** Keeps a deleted object until something else lets go (a namespace's spec.finalizers). */
  holdsDeletion?(obj: KObject): boolean;
  /** Changes made when an object is marked for deletion (a namespace's phase becomes Terminating). */
  prepareForDeletion?(obj: KObject): void;
  /** Carries over / backfills what a status update may not change (called instead of prepareForUpdate). */
  prepareForStatusUpdate?(obj: KObject, old: KObject): void;
  /** Validation of the status subresource's update. */
  validateStatusUpdate?(obj: KObject, old: KObject): FieldError[];
  /** Side effects after a delete (e.g. release a ClusterIP). */
  afterDelete?(obj: KObject): Promise<void> | void;
  /** Allocations before create (ClusterIP, NodePort); throws StatusError. */
  beforeCreate?(obj: KObject): Promise<void> | void;
  beforeUpdate?(obj: KObject, old: KObject): Promise<void> | void;
  /** After an update was written: release what `old` held and `obj` no longer does. */
  afterUpdate?(obj: KObject, old: KObject): Promise<void> | void;
  /** After beforeUpdate succeeded but the write did not happen: release what beforeUpdate took for `obj`. */
  abortUpdate?(obj: KObject, old: KObject): Promise<void> | void;
}
