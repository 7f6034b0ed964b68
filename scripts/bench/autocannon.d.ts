// The parts of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  type RequestData = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
  type Request = RequestData & {
    /** Makes each request as it is sent (the next body of a list, its own signature). */
    setupRequest?: (request: RequestData, context: Record<string, unknown>) => RequestData;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  };
  type Options = {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    pipelining?: number;
    requests?: Request[];
  };
  type Histogram = { average: number; mean: number; p50: number; p90: number; p99: number; max: number };
  type Result = { requests: Histogram & { total: number; sent: number }; latency: Histogram; non2xx: number; errors: number; timeouts: number; duration: number };
  /** The running measurement: a promise of its result that reports each response (latency in ms). */
  type Instance = Promise<Result> & { on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): Instance };
  function autocannon(options: Options): Instance;
  export default autocannon;
}
