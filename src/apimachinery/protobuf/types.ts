/**
 * Shapes shared by the generated message table and the decoder.
 *
 * A field type is one of:
 *   - a scalar: 'string' | 'bool' | 'int32' | 'int64' | 'double' | 'bytes'
 *   - a well-known type with its own JSON form:
 *       'time'         metav1.Time           {seconds, nanos} → RFC 3339, seconds precision
 *       'microtime'    metav1.MicroTime      {seconds, nanos} → RFC 3339 with 6 fractional digits
 *       'duration'     metav1.Duration       {duration: int64 ns} → Go duration string ("1h2m3s")
 *       'fieldsv1'     metav1.FieldsV1       {Raw: bytes} → the raw JSON it holds
 *       'quantity'     resource.Quantity     {string} → that string
 *       'intorstring'  intstr.IntOrString    {type, intVal, strVal} → number or string
 *       'rawextension' runtime.RawExtension  {raw: bytes} → the JSON it holds
 *       'stringlist'   a named []string map value (ExtraValue) {repeated string items = 1} → string array
 *   - a message name, `package.Struct` (e.g. 'core/v1.PodSpec'), looked up in MESSAGES.
 */
export type FieldSpec = readonly [num: number, json: string, type: string, flags: number];

/** The field is a list (`[]T`, proto `repeated`); `bytes` alone is never repeated. */
export const F_REPEATED = 1;
/** The field is a `map[string]T` (proto map entry messages: key = 1, value = 2). */
export const F_MAP = 2;
/** The Go field is a pointer: presence on the wire means "set", so zero values are kept. */
export const F_POINTER = 4;
/** The JSON tag has `omitempty`: a non-pointer zero scalar is left out, as encoding/json would. */
export const F_OMITEMPTY = 8;
/** An embedded struct whose JSON fields are inlined into the parent (proto: a nested message field). */
export const F_INLINE = 16;
