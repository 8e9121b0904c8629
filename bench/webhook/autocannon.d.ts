// The part of autocannon's API the webhook bench uses (the package ships no types).
declare module 'autocannon' {
  export interface Histogram {
    readonly average: number;
    readonly mean: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  }
  export interface Result {
    readonly latency: Histogram;
    readonly requests: Histogram & { readonly total: number; readonly sent: number };
    readonly errors: number;
    readonly timeouts: number;
    readonly non2xx: number;
    readonly duration: number;
    readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
  }
  export interface Options {
    readonly url: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string | Buffer;
    readonly duration?: number;
    readonly connections?: number;
    readonly overallRate?: number;
    readonly timeout?: number;
    readonly pipelining?: number;
  }
  /** A running load: awaits to its Result, and emits events while it runs. */
  export interface Instance extends PromiseLike<Result> {
    /**
     * Each response as it completes (lib/run.js onResponse): the status code,
     * bytes read, and the time from writing the request to parsing the whole
     * response, in fractional milliseconds (process.hrtime).
     */
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
