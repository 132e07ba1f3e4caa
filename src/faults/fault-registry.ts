/**
 * The fault rules of one server process, in memory. Rules are tried in the
 * order they were added; the first one that matches a call and fires decides
 * it. The hot path asks `size` first, so with no rules a call costs one
 * property read.
 *
 * Per process: several instances on one PostgreSQL database each have their
 * own rules (a rule added through one instance's admin API changes only the
 * calls that instance answers).
 */
import { BUSINESS_APIS, parseFaultRule, PUSH_API, type FaultRule, type FaultRuleInput } from './fault-rule.ts';
import { seededRandom } from './seeded-random.ts';

/** What a call offers to the rules: the API's name, the calling app, the request body. */
export interface FaultCall {
  api: string;
  appid: string | undefined;
  body: Readonly<Record<string, unknown>> | undefined;
}

/** The fields of a push a rule can match. */
export interface FaultPush {
  appid: string;
  event: string;
  order_id: string | undefined;
  delivery_id: string | undefined;
}

interface Entry {
  rule: FaultRule;
  draw: (() => number) | undefined;
}

const businessApis = new Set(BUSINESS_APIS);

export class FaultRegistry {
  #entries: Entry[] = [];
  #nextId = 1;
  #pushRules = 0;

  /** Rules listed (exhausted ones included). Zero: no call is looked at. */
  get size(): number {
    return this.#entries.length;
  }

  /** Push rules listed: the dispatcher looks only when there are some. */
  get pushRules(): number {
    return this.#pushRules;
  }

  /**
   * Checks and stores a rule; answers it with its id.
   * @example registry.add({ api: 'getOrder', errcode: -1, times: 2 })
   */
  add(input: FaultRuleInput | Record<string, unknown>): FaultRule {
    const parsed = parseFaultRule(input);
    const drawn = parsed.probability !== undefined && parsed.probability < 1;
    // A probability without a seed gets a random one, listed with the rule: a failing run can be replayed with it.
    if (drawn && parsed.seed === undefined) parsed.seed = Math.random().toString(36).slice(2, 10);
    const rule: FaultRule = { id: this.#nextId++, ...parsed, hits: 0, matched: 0, remaining: parsed.times ?? null, created_at: Date.now() };
    const draw = drawn ? seededRandom(rule.seed ?? '') : undefined;
    this.#entries.push({ rule, draw });
    if (rule.api === PUSH_API) this.#pushRules++;
    return { ...rule };
  }

  /** Every rule with its counts, in the order they are tried. */
  list(): FaultRule[] {
    return this.#entries.map((e) => ({ ...e.rule }));
  }

  get(id: number): FaultRule | undefined {
    const entry = this.#entries.find((e) => e.rule.id === id);
    return entry ? { ...entry.rule } : undefined;
  }

  /** Removes one rule; false when there is none with that id. */
  remove(id: number): boolean {
    const index = this.#entries.findIndex((e) => e.rule.id === id);
    if (index < 0) return false;
    const [removed] = this.#entries.splice(index, 1);
    if (removed?.rule.api === PUSH_API) this.#pushRules--;
    return true;
  }

  /** Removes every rule (ids keep counting up, so an old id never names a new rule). */
  clear(): void {
    this.#entries = [];
    this.#pushRules = 0;
  }

  /** The rule that fires for this WeChat call, counted as a hit; undefined when none does. */
  match(call: FaultCall): FaultRule | undefined {
    for (const entry of this.#entries) {
      const { rule } = entry;
      if (rule.api === PUSH_API || !(rule.api === call.api || (rule.api === '*' && businessApis.has(call.api)))) continue;
      if (rule.appid !== undefined && rule.appid !== call.appid) continue;
      if (!bodyMatches(rule, call.body)) continue;
      if (fires(entry)) return { ...rule };
    }
    return undefined;
  }

  /** The push rule that fires for this delivery attempt, counted as a hit. */
  matchPush(push: FaultPush): FaultRule | undefined {
    if (this.#pushRules === 0) return undefined;
    for (const entry of this.#entries) {
      const { rule } = entry;
      if (rule.api !== PUSH_API) continue;
      if (rule.appid !== undefined && rule.appid !== push.appid) continue;
      if (rule.event !== undefined && rule.event !== push.event) continue;
      if (rule.order_id !== undefined && rule.order_id !== push.order_id) continue;
      if (rule.delivery_id !== undefined && rule.delivery_id !== push.delivery_id) continue;
      if (fires(entry)) return { ...rule };
    }
    return undefined;
  }

  /** The longest delay a push rule asks for: the dispatcher holds its lease that much longer. */
  maxPushDelayMs(): number {
    let max = 0;
    for (const { rule } of this.#entries) if (rule.api === PUSH_API && (rule.delay_ms ?? 0) > max) max = rule.delay_ms ?? 0;
    return max;
  }
}

/** Exhausted rules stop matching; a probability rule draws once per matching call. */
function fires(entry: Entry): boolean {
  const { rule } = entry;
  if (rule.remaining === 0) return false;
  rule.matched++;
  if (entry.draw && !(entry.draw() < (rule.probability ?? 1))) return false;
  rule.hits++;
  if (rule.remaining !== null) rule.remaining--;
  return true;
}

const field = (o: Readonly<Record<string, unknown>> | undefined, key: string): unknown => (o === undefined ? undefined : o[key]);

/** order_id / delivery_id of the body; batchGetOrder names its orders in `order_list`. */
function bodyMatches(rule: FaultRule, body: Readonly<Record<string, unknown>> | undefined): boolean {
  if (rule.order_id === undefined && rule.delivery_id === undefined) return true;
  const same = (o: Readonly<Record<string, unknown>> | undefined) =>
    (rule.order_id === undefined || field(o, 'order_id') === rule.order_id) &&
    (rule.delivery_id === undefined || field(o, 'delivery_id') === rule.delivery_id);
  if (same(body)) return true;
  const list = field(body, 'order_list');
  return Array.isArray(list) && list.some((item) => item !== null && typeof item === 'object' && same(item as Record<string, unknown>));
}
