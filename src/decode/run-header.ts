// Reads the stream dump and filter set-up a verbose decode run prints before its first frame: per run, or per
// clip of a run that decodes several (BatchHeaders routes each line to its clip's reader).

import { parseFfmpegInfo } from './probe.js';
import type { ProbeInfo } from './types.js';

/**
 * What a verbose decode run printed before its first frame: the input's stream dump (the text `ffmpeg -i`
 * prints, read by {@link parseFfmpegInfo}), the frame rate ffmpeg fed the filter chain, the rate the fps filter
 * settled on, and the size of the raw frames it writes.
 */
export class RunHeader {
  private readonly dump: string[] = [];
  private stage: 'input' | 'between' | 'output' | 'done' = 'input';
  /** The rate ffmpeg gives the filter chain (r_frame_rate as a rational, exact), 0 until seen. */
  sourceRate = 0;
  /** The fps filter's output rate, 0 until seen. */
  filterRate = 0;
  width = 0;
  height = 0;

  /** Read one stderr line; true when it completed the header (the output stream is described: frames follow). */
  add(line: string): boolean {
    if (this.stage === 'done') return false;
    if (this.stage === 'input') {
      if (/^(Stream mapping:|Output #0, )/.test(line)) this.stage = 'between';
      else if (this.dump.length < 500) this.dump.push(line);
    }
    const fr = /^\[graph \d+ input from stream [^\]]*\] w:\d+ h:\d+ pixfmt:\S+ tb:\d+\/\d+ fr:(\d+)\/(\d+)/.exec(line);
    if (fr && !this.sourceRate && Number(fr[2]) > 0) this.sourceRate = Number(fr[1]) / Number(fr[2]);
    const fps = /^\[(?:Parsed_fps_\d+|fps@c\d+) @ [^\]]*\] fps=(\d+)\/(\d+)/.exec(line);
    if (fps && Number(fps[2]) > 0) this.filterRate = Number(fps[1]) / Number(fps[2]);
    if (/^Output #0, /.test(line)) this.stage = 'output';
    else if (this.stage === 'output' && /^\s+Stream #\d+:\d+.*: Video: /.test(line)) {
      const geom = /, ([a-z][a-z0-9_]*)(?:\([^)]*\))?, (\d+)x(\d+)/.exec(line);
      this.width = geom ? Number(geom[2]) : 0;
      this.height = geom ? Number(geom[3]) : 0;
      this.stage = 'done';
      return true;
    }
    return false;
  }

  get complete(): boolean {
    return this.stage === 'done';
  }

  /** Video streams in the input's dump (cover pictures included). */
  get videoStreams(): number {
    return this.dump.filter((l) => /^\s+Stream #\d+:\d+.*: Video: /.test(l)).length;
  }

  /**
   * The clip's facts from the stream dump, as {@link parseFfmpegInfo} gives them (null: no video stream; undefined:
   * the input was not recognised). ffmpeg prints the average rate to 0.01 fps; when the exact rational it feeds the
   * filter chain agrees with that, the exact one is kept (30000/1001, not 29.97).
   */
  probe(): ProbeInfo | null | undefined {
    const info = parseFfmpegInfo(this.dump.join('\n'));
    if (info && this.sourceRate > 0 && Math.abs(this.sourceRate - info.fps) <= 0.005 + 1e-9) info.fps = this.sourceRate;
    return info;
  }
}

/**
 * The readers of a run that decodes several clips, input k through output k: each line goes to the clip it is about,
 * rewritten to read as that clip's own run would print it (`Input #k` and `Output #k` as `#0`). The dump of input k
 * runs from its `Input #k` line to the next input or the stream mapping; the filter set-up lines carry the graph
 * number (k) or the fps filter's instance name (`fps@ck`); the description of output k runs to the next output.
 */
export class BatchHeaders {
  readonly headers: RunHeader[];
  private current = -1;

  constructor(clips: number) {
    this.headers = Array.from({ length: clips }, () => new RunHeader());
  }

  /** Read one stderr line; the index of the clip whose header it completed, else -1. */
  add(line: string): number {
    const io = /^(Input|Output) #(\d+), /.exec(line);
    if (io) {
      this.current = Number(io[2]);
      return this.feed(this.current, line.replace(/#\d+, /, '#0, '));
    }
    if (/^Stream mapping:/.test(line)) {
      this.current = -1;
      for (const h of this.headers) h.add(line);
      return -1;
    }
    const setup = /^\[(?:graph (\d+) input from stream |fps@c(\d+) @ )/.exec(line);
    if (setup) return this.feed(Number(setup[1] ?? setup[2]), line);
    return this.current >= 0 ? this.feed(this.current, line) : -1;
  }

  private feed(k: number, line: string): number {
    const h = this.headers[k];
    return h?.add(line) ? k : -1;
  }
}
