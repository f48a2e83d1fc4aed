import type { EmulatorResponse } from './github-emulator-routes.js';
import { seededRandom } from './seeded-random.js';

/** Fault injection for the GitHub emulator: failures by predicate and count, or by probability. */

export interface FaultSpec {
  /** Which requests fail; default every request. */
  match?: (req: { method: string; path: string; json: unknown }) => boolean;
  /**
   * Status to answer. 403 and 429 answer as a secondary rate limit (with `retry-after`);
   * omit to only delay the normal response.
   */
  status?: number;
  /** Failures before the fault disarms. Default 1, or unlimited with `probability`. */
  times?: number;
  /** Fail each matching request with this probability (the emulator's seeded RNG). */
  probability?: number;
  /** `retry-after` seconds for rate limits. Default 1. */
  retryAfter?: number;
  /** Apply the request first, then answer with the fault (a lost response). */
  applyFirst?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface Fault {
  readonly spec: FaultSpec;
  /** Requests this fault has answered. */
  hits: number;
}

export class FaultInjector {
  private readonly faults: Fault[] = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  add(spec: FaultSpec): Fault {
    const fault: Fault = { spec, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first armed fault matching the request (counting it as a hit), or null. */
  pick(req: { method: string; path: string; json: unknown }): Fault | null {
    for (const fault of this.faults) {
      const { spec } = fault;
      if (spec.match && !spec.match(req)) continue;
      const limit = spec.times ?? (spec.probability === undefined ? 1 : Infinity);
      if (fault.hits >= limit) continue;
      if (spec.probability !== undefined && this.random() >= spec.probability) continue;
      fault.hits++;
      return fault;
    }
    return null;
  }

  /** The response a fault answers with. */
  static response(spec: FaultSpec): EmulatorResponse {
    const status = spec.status ?? 500;
    if (status === 403 || status === 429) {
      return {
        status,
        headers: { 'retry-after': String(spec.retryAfter ?? 1) },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
      };
    }
    return { status, body: { message: status === 502 ? 'Bad Gateway' : 'Server Error' } };
  }
}
