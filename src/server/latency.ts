/**
 * The latency monitor (Redis's latency.c) and the per-command latency
 * histograms (INFO latencystats, LATENCY HISTOGRAM).
 *
 * Latency monitor: a named event ("command", "fast-command", "expire-cycle",
 * "expire-del", "command-unblocking", "aof-write", …) that took at least
 * latency-monitor-threshold milliseconds is recorded as a sample in the
 * event's time series: at most LATENCY_TS_LEN samples, one per second (a
 * second sample within the same second only raises that second's latency),
 * plus the all-time maximum. Threshold 0 turns the monitor off. LATENCY
 * LATEST / HISTORY / RESET / GRAPH / DOCTOR read it, with Redis's replies and
 * texts (GRAPH draws Redis's sparkline, DOCTOR writes Redis's report).
 *
 * Latency histograms: with latency-tracking on, call() records every
 * command's duration (whole microseconds, as nanoseconds, like Redis) in an
 * HdrHistogram kept in the command's stats (CONFIG RESETSTAT drops them).
 *
 * This file is the monitor itself and GRAPH's drawing; the LATENCY command,
 * DOCTOR's report and INFO latencystats are commands/families/latency.ts.
 */

/** samples kept per event (Redis's LATENCY_TS_LEN) */
export const LATENCY_TS_LEN = 160;

interface LatencySample {
  /** unix time in seconds; 0 = unused slot */
  time: number;
  /** milliseconds */
  latency: number;
}

export class LatencyTimeSeries {
  idx = 0;
  max = 0;
  readonly samples: LatencySample[] = [];
  constructor() {
    for (let i = 0; i < LATENCY_TS_LEN; i++) this.samples.push({ time: 0, latency: 0 });
  }
}

export class LatencyMonitor {
  /** latency-monitor-threshold in ms; 0 = off */
  threshold = 0;
  /** event name → time series, in the order events first happened */
  readonly events = new Map<string, LatencyTimeSeries>();
  /** the clock (seconds); tests replace it */
  now: () => number = () => Math.floor(Date.now() / 1000);

  /** Redis's latencyAddSampleIfNeeded: records ms for event when the monitor is on and ms reaches the threshold. */
  addSampleIfNeeded(event: string, ms: number): void {
    if (this.threshold !== 0 && ms >= this.threshold) this.addSample(event, Math.floor(ms));
  }

  /** Redis's latencyAddSample. */
  addSample(event: string, ms: number): void {
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = new LatencyTimeSeries();
      this.events.set(event, ts);
    }
    const now = this.now();
    if (ms > ts.max) ts.max = ms;
    // a sample in the same second as the previous one only raises it
    const prev = ts.samples[(ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
    if (prev.time === now) {
      if (ms > prev.latency) prev.latency = ms;
      return;
    }
    const slot = ts.samples[ts.idx];
    slot.time = now;
    slot.latency = ms;
    ts.idx = (ts.idx + 1) % LATENCY_TS_LEN;
  }

  /** Redis's latencyResetEvent: drops one event (case-insensitive) or all (null); returns how many. */
  reset(event: string | null): number {
    let n = 0;
    for (const name of [...this.events.keys()]) {
      if (event === null || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }

  /** The samples of an event, oldest first. */
  samplesOf(ts: LatencyTimeSeries): LatencySample[] {
    const out: LatencySample[] = [];
    for (let j = 0; j < LATENCY_TS_LEN; j++) {
      const s = ts.samples[(ts.idx + j) % LATENCY_TS_LEN];
      if (s.time !== 0) out.push(s);
    }
    return out;
  }
}

// ------------------------------------------------------------------ the sparkline (Redis's sparkline.c)

const CHARSET_FILL = '_o#';
const LABEL_MARGIN_TOP = 1;

interface SparkSample {
  value: number;
  label: string;
}

/** Redis's sparklineRenderRange with SPARKLINE_FILL (what LATENCY GRAPH draws). */
function renderRange(seq: SparkSample[], min: number, max: number, rows: number, offset: number, len: number): string {
  let relmax = max - min;
  const steps = CHARSET_FILL.length * rows;
  if (relmax === 0) relmax = 1;
  const hasLabels = seq.some((s) => s.label !== '');
  let out = '';
  let row = 0;
  for (;;) {
    let loop = false;
    const chars: string[] = new Array(len).fill(' ');
    for (let j = 0; j < len; j++) {
      const s = seq[j + offset];
      const relval = s.value - min;
      let step = Math.trunc(Math.trunc(relval * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < rows) {
        const charidx = step - (rows - row - 1) * CHARSET_FILL.length;
        loop = true;
        if (charidx >= 0 && charidx < CHARSET_FILL.length) chars[j] = CHARSET_FILL[charidx];
        else if (charidx >= CHARSET_FILL.length) chars[j] = '|';
      } else {
        // a blank line between the graph and the labels
        if (hasLabels && row - rows < LABEL_MARGIN_TOP) {
          loop = true;
          break;
        }
        const labelChar = row - rows - LABEL_MARGIN_TOP;
        if (s.label.length > labelChar) {
          loop = true;
          chars[j] = s.label[labelChar];
        }
      }
    }
    if (!loop) break;
    row++;
    out += chars.join('') + '\n';
  }
  return out;
}

/** Redis's sparklineRender: the samples in chunks of `columns`, each `rows` high. */
function renderSparkline(seq: SparkSample[], columns: number, rows: number): string {
  let min = 0;
  let max = 0;
  for (let i = 0; i < seq.length; i++) {
    const v = seq[i].value;
    if (i === 0) min = max = v;
    else if (v < min) min = v;
    else if (v > max) max = v;
  }
  let out = '';
  for (let j = 0; j < seq.length; j += columns) {
    const sublen = Math.min(seq.length - j, columns);
    if (j !== 0) out += '\n';
    out += renderRange(seq, min, max, rows, j, sublen);
  }
  return out;
}

const LATENCY_GRAPH_COLS = 80;

/** Redis's latencyCommandGenSparkeline: LATENCY GRAPH's text for an event, null when it has no samples. */
export function latencyGraph(m: LatencyMonitor, event: string): string | null {
  const ts = m.events.get(event);
  if (ts === undefined) return null;
  const seq: SparkSample[] = [];
  let min = 0;
  let max = 0;
  const now = m.now();
  for (const s of m.samplesOf(ts)) {
    if (seq.length === 0) min = max = s.latency;
    else {
      if (s.latency > max) max = s.latency;
      if (s.latency < min) min = s.latency;
    }
    // label: how long ago, in seconds / minutes / hours / days
    const elapsed = now - s.time;
    const label = elapsed < 60 ? `${elapsed}s` : elapsed < 3600 ? `${Math.trunc(elapsed / 60)}m` : elapsed < 86400 ? `${Math.trunc(elapsed / 3600)}h` : `${Math.trunc(elapsed / 86400)}d`;
    seq.push({ value: s.latency, label });
  }
  let graph = `${event} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n`;
  graph += '-'.repeat(LATENCY_GRAPH_COLS) + '\n';
  return graph + renderSparkline(seq, LATENCY_GRAPH_COLS, 4);
}

// ------------------------------------------------------------------ LATENCY DOCTOR (Redis's createLatencyReport)
