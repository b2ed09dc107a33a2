/**
 * Label selectors: the `labelSelector` query parameter grammar of kube-apiserver and metav1.LabelSelector objects.
 *
 * Grammar (upstream labels.Parse): requirements separated by ',' (AND), each one of
 *   key | !key | key=value | key==value | key!=value | key in (v1,v2) | key notin (v1,v2) | key>N | key<N
 * Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored; there is no quoting. Keys must be
 * qualified names, values label values; an empty value is allowed. Errors carry upstream's wording and map to 400.
 */
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { aggregateMessage, fieldInvalid, fieldNotSupported, goQuote, isQualifiedName, isValidLabelValue } from './validation.ts';
import type { FieldError } from './validation.ts';

/** selection.Operator values */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

const BINARY_OPERATORS: Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const VALID_OPERATORS: Operator[] = [...BINARY_OPERATORS, 'exists', '!'];

/** A bad label selector: the API answers 400 BadRequest with this message. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
  readonly status = 400;
  readonly reason = 'BadRequest';
  /** the field errors behind the message, when it came from requirement validation */
  readonly fieldErrors: FieldError[];
  constructor(message: string, fieldErrors: FieldError[] = []) {
    super(message);
    this.fieldErrors = fieldErrors;
  }
}

export const isLabelSelectorError = (err: unknown): err is LabelSelectorError => err instanceof LabelSelectorError;

export type Labels = Readonly<Record<string, string>> | undefined | null;

const has = (labels: Labels, key: string) => labels != null && Object.prototype.hasOwnProperty.call(labels, key);

/** Go's strconv.ParseInt(s, 10, 64) */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

export class Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** values as given (in/notin values are deduplicated and sorted by the parser) */
  readonly values: readonly string[];

  private constructor(key: string, operator: Operator, values: readonly string[]) {
    this.key = key;
    this.operator = operator;
    this.values = values;
  }

  /**
   * upstream NewRequirement: validates the key, the operator and its value count, and each value.
   * `path` prefixes the error fields (upstream passes none from the string parser: fields read "key", "values[0][k]").
   */
  static create(key: string, operator: Operator, values: readonly string[] | null, path?: string): Requirement {
    const errs: FieldError[] = [];
    const child = (name: string) => (path ? `${path}.${name}` : name);
    for (const msg of labelKeyProblems(key)) errs.push(fieldInvalid(child('key'), key, msg));
    const vals = values ?? [];
    const valuesPath = child('values');
    const shown = values ?? null;
    switch (operator) {
      case 'in':
      case 'notin':
        if (vals.length === 0) errs.push(fieldInvalid(valuesPath, shown ?? [], "for 'in', 'notin' operators, values set can't be empty"));
        break;
      case '=':
      case '==':
      case '!=':
        if (vals.length !== 1) errs.push(fieldInvalid(valuesPath, shown ?? [], 'exact-match compatibility requires one single value'));
        break;
      case 'exists':
      case '!':
        if (vals.length !== 0) errs.push(fieldInvalid(valuesPath, shown ?? [], 'values set must be empty for exists and does not exist'));
        break;
      case 'gt':
      case 'lt':
        if (vals.length !== 1) errs.push(fieldInvalid(valuesPath, shown ?? [], "for 'Gt', 'Lt' operators, exactly one value is required"));
        vals.forEach((v, i) => {
          if (parseInt64(v) === undefined) {
            errs.push(fieldInvalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
          }
        });
        break;
      default:
        errs.push(fieldNotSupported(child('operator'), operator, VALID_OPERATORS));
    }
    vals.forEach((v, i) => {
      const problems = isValidLabelValue(v);
      if (problems.length) errs.push(fieldInvalid(`${valuesPath}[${i}][${key}]`, v, problems.join('; ')));
    });
    if (errs.length) throw new LabelSelectorError(aggregateMessage(errs.map((e) => e.message)), errs);
    return new Requirement(key, operator, [...vals]);
  }

  /** A requirement built without validation (upstream's pre-validated sets). */
  static unchecked(key: string, operator: Operator, values: readonly string[]): Requirement {
    return new Requirement(key, operator, [...values]);
  }

  matches(labels: Labels): boolean {
    switch (this.operator) {
      case 'in':
      case '=':
      case '==':
        return has(labels, this.key) && this.values.includes(labels![this.key]!);
      case 'notin':
      case '!=':
        return !has(labels, this.key) || !this.values.includes(labels![this.key]!);
      case 'exists':
        return has(labels, this.key);
      case '!':
        return !has(labels, this.key);
      case 'gt':
      case 'lt': {
        if (!has(labels, this.key) || this.values.length !== 1) return false;
        const actual = parseInt64(labels![this.key]!);
        const bound = parseInt64(this.values[0]!);
        if (actual === undefined || bound === undefined) return false;
        return this.operator === 'gt' ? actual > bound : actual < bound;
      }
    }
  }

  toString(): string {
    const vals = this.values.length === 1 ? this.values[0]! : [...this.values].sort(compareStrings).join(',');
    switch (this.operator) {
      case 'exists':
        return this.key;
      case '!':
        return '!' + this.key;
      case '=':
      case '==':
      case '!=':
        return this.key + this.operator + vals;
      case 'gt':
        return `${this.key}>${vals}`;
      case 'lt':
        return `${this.key}<${vals}`;
      case 'in':
      case 'notin':
        return `${this.key} ${this.operator} (${vals})`;
    }
  }
}

/** Byte-wise string order, as Go's sort.Strings. */
function compareStrings(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ab, bb);
}

function labelKeyProblems(key: string): string[] {
  return isQualifiedName(key);
}

/** A parsed label selector: the AND of its requirements (sorted by key), or the selector that matches nothing. */
export class LabelSelector {
  readonly requirements: readonly Requirement[];
  /** true only for the selector built from a nil metav1.LabelSelector: it matches no object */
  readonly matchesNothing: boolean;

  private constructor(requirements: readonly Requirement[], nothing: boolean) {
    this.requirements = requirements;
    this.matchesNothing = nothing;
  }

  static of(requirements: readonly Requirement[]): LabelSelector {
    const sorted = requirements
      .map((r, i) => ({ r, i }))
      .sort((a, b) => compareStrings(a.r.key, b.r.key) || a.i - b.i)
      .map(({ r }) => r);
    return new LabelSelector(sorted, false);
  }

  private static readonly EVERYTHING = new LabelSelector([], false);
  private static readonly NOTHING = new LabelSelector([], true);

  static everything(): LabelSelector {
    return LabelSelector.EVERYTHING;
  }

  static nothing(): LabelSelector {
    return LabelSelector.NOTHING;
  }

  matches(labels: Labels): boolean {
    if (this.matchesNothing) return false;
    return this.requirements.every((r) => r.matches(labels));
  }

  /** Does not restrict anything (matches every object). */
  empty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** If the selector pins `key` to a single value (=, ==, or in with one value), that value. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  toString(): string {
    return this.requirements.map((r) => r.toString()).join(',');
  }
}


// ---------------------------------------------------------------------------------------------------------------------
// Lexer and parser for the string form
// ---------------------------------------------------------------------------------------------------------------------

enum Tok {
  Error,
  End,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const STRING_TO_TOKEN: Record<string, Tok> = {
  ')': Tok.ClosedPar,
  ',': Tok.Comma,
  '!': Tok.DoesNotExist,
  '==': Tok.DoubleEquals,
  '=': Tok.Equals,
  '>': Tok.GreaterThan,
  in: Tok.In,
  '<': Tok.LessThan,
  '!=': Tok.NotEquals,
  notin: Tok.NotIn,
  '(': Tok.OpenPar,
};
const tokenOf = (s: string): Tok | undefined => (Object.prototype.hasOwnProperty.call(STRING_TO_TOKEN, s) ? STRING_TO_TOKEN[s] : undefined);

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string) => ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';

interface Item {
  tok: Tok;
  lit: string;
}

function lex(input: string): Item[] {
  let pos = 0;
  // A NUL ends the input, as upstream's byte reader treats 0 as end of string.
  const read = (): string => (pos < input.length ? input[pos++]! : '\0');
  const unread = () => {
    pos--;
  };
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Item;
    if (ch === '\0') {
      item = { tok: Tok.End, lit: '' };
    } else if (isSpecial(ch)) {
      unread();
      let buffer = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c)) {
          buffer += c;
          const t = tokenOf(buffer);
          if (t !== undefined) last = { tok: t, lit: buffer };
          else if (last) {
            unread();
            break;
          }
        } else {
          unread();
          break;
        }
      }
      item = last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buffer}'` };
    } else {
      unread();
      let buffer = '';
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c) || isWhitespace(c)) {
          unread();
          break;
        }
        buffer += c;
      }
      const t = tokenOf(buffer);
      item = { tok: t ?? Tok.Identifier, lit: buffer };
    }
    items.push(item);
    if (item.tok === Tok.End) return items;
  }
}

enum Ctx {
  KeyAndOperator,
  Values,
}

class Parser {
  private readonly items: Item[];
  private position = 0;

  constructor(input: string) {
    this.items = lex(input);
  }

  private item(i: number): Item {
    return this.items[Math.min(i, this.items.length - 1)]!;
  }

  private lookahead(ctx: Ctx): Item {
    const { tok, lit } = this.item(this.position);
    return { tok: ctx === Ctx.Values && (tok === Tok.In || tok === Tok.NotIn) ? Tok.Identifier : tok, lit };
  }

  private consume(ctx: Ctx): Item {
    const it = this.lookahead(ctx);
    this.position++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(Ctx.Values);
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (err) {
            if (err instanceof LabelSelectorError) {
              throw new LabelSelectorError(`unable to parse requirement: ${err.message}`, err.fieldErrors);
            }
            throw err;
          }
          reqs.push(r);
          const next = this.consume(Ctx.Values);
          if (next.tok === Tok.End) return reqs;
          if (next.tok === Tok.Comma) {
            const after = this.lookahead(Ctx.Values);
            if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
              throw new LabelSelectorError(`found '${after.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new LabelSelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
        case Tok.End:
          return reqs;
        default:
          throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return Requirement.create(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return Requirement.create(key, op, [...values].sort(compareStrings));
  }

  private parseKeyAndInferOperator(): { key: string; operator?: Operator } {
    let operator: Operator | undefined;
    let { tok, lit } = this.consume(Ctx.Values);
    if (tok === Tok.DoesNotExist) {
      operator = '!';
      ({ tok, lit } = this.consume(Ctx.Values));
    }
    if (tok !== Tok.Identifier) throw new LabelSelectorError(`found '${lit}', expected: identifier`);
    const problems = labelKeyProblems(lit);
    if (problems.length) {
      // upstream validates with a nil field path here, which prints as "<nil>"
      const e = fieldInvalid('<nil>', lit, problems.join('; '));
      throw new LabelSelectorError(e.message, [e]);
    }
    const next = this.lookahead(Ctx.Values).tok;
    if ((next === Tok.End || next === Tok.Comma) && operator !== '!') operator = 'exists';
    return { key: lit, operator };
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(Ctx.KeyAndOperator);
    switch (tok) {
      case Tok.In:
        return 'in';
      case Tok.Equals:
        return '=';
      case Tok.DoubleEquals:
        return '==';
      case Tok.GreaterThan:
        return 'gt';
      case Tok.LessThan:
        return 'lt';
      case Tok.NotIn:
        return 'notin';
      case Tok.NotEquals:
        return '!=';
      default:
        throw new LabelSelectorError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(Ctx.Values);
    if (open.tok !== Tok.OpenPar) throw new LabelSelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(Ctx.Values);
    switch (tok) {
      case Tok.Identifier:
      case Tok.Comma: {
        const s = this.parseIdentifiersList();
        if (this.consume(Ctx.Values).tok !== Tok.ClosedPar) {
          // upstream reports the literal seen before the list here
          throw new LabelSelectorError(`found '${lit}', expected: ')'`);
        }
        return s;
      }
      case Tok.ClosedPar:
        this.consume(Ctx.Values);
        return new Set(['']);
      default:
        throw new LabelSelectorError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(Ctx.Values);
      switch (tok) {
        case Tok.Identifier: {
          s.add(lit);
          const next = this.lookahead(Ctx.Values);
          if (next.tok === Tok.Comma) continue;
          if (next.tok === Tok.ClosedPar) return s;
          throw new LabelSelectorError(`found '${next.lit}', expected: ',' or ')'`);
        }
        case Tok.Comma: {
          if (s.size === 0) s.add('');
          const next = this.lookahead(Ctx.Values).tok;
          if (next === Tok.ClosedPar) {
            s.add('');
            return s;
          }
          if (next === Tok.Comma) s.add('');
          continue;
        }
        default:
          throw new LabelSelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(Ctx.Values).tok;
    if (next === Tok.End || next === Tok.Comma) return new Set(['']);
    const { tok, lit } = this.consume(Ctx.Values);
    if (tok === Tok.Identifier) return new Set([lit]);
    throw new LabelSelectorError(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses the `labelSelector` query string. The empty string (or only whitespace) selects everything.
 * @throws LabelSelectorError with upstream's message
 */
export function parseLabelSelector(selector: string): LabelSelector {
  return LabelSelector.of(new Parser(selector).parse());
}

/**
 * upstream metav1.LabelSelectorAsSelector: a nil selector matches nothing, an empty one everything; matchLabels
 * become `key=value`, matchExpressions In/NotIn/Exists/DoesNotExist.
 * @throws LabelSelectorError when a key, value or operator is invalid
 */
export function labelSelectorFromObject(ls: LabelSelectorObject | null | undefined): LabelSelector {
  if (ls == null) return LabelSelector.nothing();
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return LabelSelector.everything();
  const reqs: Requirement[] = [];
  for (const key of Object.keys(matchLabels).sort(compareStrings)) {
    reqs.push(Requirement.create(key, '=', [matchLabels[key]!]));
  }
  for (const expr of exprs) {
    let op: Operator;
    switch (expr.operator) {
      case 'In':
        op = 'in';
        break;
      case 'NotIn':
        op = 'notin';
        break;
      case 'Exists':
        op = 'exists';
        break;
      case 'DoesNotExist':
        op = '!';
        break;
      default:
        throw new LabelSelectorError(`${goQuote(String(expr.operator ?? ''))} is not a valid label selector operator`);
    }
    reqs.push(Requirement.create(expr.key, op, expr.values ?? null));
  }
  return LabelSelector.of(reqs);
}

/** The selector matching exactly the given labels (key=value for each, not validated); empty selects everything. */
export function selectorFromSet(labels: Labels): LabelSelector {
  const keys = Object.keys(labels ?? {}).sort(compareStrings);
  return LabelSelector.of(keys.map((k) => Requirement.unchecked(k, '=', [labels![k]!])));
}

/** labels.Set.String(): sorted `k=v` pairs joined by ','. */
export function labelsToString(labels: Labels): string {
  return Object.keys(labels ?? {})
    .sort(compareStrings)
    .map((k) => `${k}=${labels![k]}`)
    .join(',');
}

/** upstream labels.FormatLabels: like labelsToString, "<none>" when empty. */
export function formatLabels(labels: Labels): string {
  return labelsToString(labels) || '<none>';
}

/** upstream metav1.FormatLabelSelector: the selector's string form, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(ls: LabelSelectorObject | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorFromObject(ls).toString();
  } catch {
    return '<error>';
  }
  return s || '<none>';
}
