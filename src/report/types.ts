// The plain data the HTML report is rendered from (built from a scan folder, or by `audit physics`).

/** A table cell: shown as text, sorted as a number when it is one. */
export type Cell = string | number | boolean | null;

/** A plain table (classes, leaderboard): column names and rows of cells. */
export interface PlainTable {
  columns: string[];
  rows: Cell[][];
  /** Where it was read from (shown under the table). */
  source?: string;
  /** Rows left out of `rows` to keep the page small. */
  omitted?: number;
}

/** One error row (errors.jsonl). */
export interface ErrorEntry {
  id?: string;
  path?: string;
  row?: number;
  stage?: string;
  code: string;
  message: string;
}

/** A histogram split into layers (one per verdict), over equal bins of [min, max]. */
export interface LayeredHistogram {
  name: string;
  unit?: string;
  description?: string;
  min: number;
  max: number;
  layers: Array<{ name: string; counts: number[] }>;
  /** Values outside [min, max]. */
  outside: number;
  /** Values the histogram was drawn from, and how many there were in all (more when sampled). */
  sampled: number;
  total: number;
}

/** One clip in a gallery. */
export interface GalleryItem {
  id: string;
  path: string;
  label?: string | null;
  caption?: string | null;
  verdict?: string | null;
  decision?: string | null;
  reason?: string | null;
  p_forward?: number | null;
  confidence?: number | null;
  p_irreversible?: number | null;
  reversed_in_corpus?: boolean | null;
  window?: [number, number] | null;
  /** The contact sheet, relative to report.html (or a data: URI); null when it could not be made. */
  image?: { src: string; width: number; height: number } | null;
  /** Inline SVG of the cue curves from the report's own generator (checked again before it is inlined). */
  curvesSvg?: string | null;
  /** Why the picture or curves are missing, when they are. */
  note?: string | null;
}

/** A gallery: a titled list of clips with a line saying how they were chosen. */
export interface Gallery {
  key: string;
  title: string;
  note: string;
  items: GalleryItem[];
  /** Clips that qualified but were left out (shown as a note). */
  omitted: number;
}

/** The table of clips: fixed columns, the first rows of the run, and where the rest is. */
export interface ClipTable {
  columns: Array<{ key: string; title: string; numeric: boolean }>;
  rows: Array<{ cells: Cell[]; verdict: string; decision: string; label: string }>;
  total: number;
  /** The file that holds every row (shown when rows were left out). */
  fullFile: string | null;
}

/** One rule or check of a physics run, with its 0/1/2 score and evidence in words. */
export interface PhysicsCheck {
  name: string;
  rule?: string | null;
  score: number | null;
  evidence: string;
}

/** One video of a physics run. */
export interface PhysicsVideo {
  videopath: string;
  caption?: string | null;
  model?: string | null;
  artefact?: boolean | null;
  artefact_score?: number | null;
  pc?: number | null;
  checks: PhysicsCheck[];
}

/** Everything the page shows; every string in it is escaped when rendered. */
export interface ReportData {
  title: string;
  generatedAt: string;
  tool: { name: string; version: string };
  /** What was scanned, when, with which settings (from summary.json), or null when unknown. */
  run: {
    input: string | null;
    inputKind: string | null;
    outDir: string;
    status: string | null;
    startedAt: string | null;
    finishedAt: string | null;
    settings: Record<string, Cell>;
  };
  models: string[];
  counts: { clips: number; errors: number; inputRows: number | null; reversedInCorpus: number };
  verdicts: Record<string, number>;
  decisions: Record<string, number>;
  /** Facts from decisions.json (policy and the like), shown as key/value pairs. */
  decisionFacts: Record<string, Cell>;
  errors: { total: number; byCode: Record<string, number>; rows: ErrorEntry[] };
  pForward: LayeredHistogram | null;
  cues: LayeredHistogram[];
  /** The per-class table (classes.* of the decision step), or the verdict mix per label. */
  classes: PlainTable | null;
  galleries: Gallery[];
  table: ClipTable | null;
  physics: { videos: PhysicsVideo[]; total: number; leaderboard: PlainTable | null } | null;
  /** Things the reader should know (report problems, sampling). */
  notes: string[];
}
