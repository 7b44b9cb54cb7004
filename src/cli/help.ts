// Help texts of the CLI commands: what they do, what the outputs mean, examples.

export const SCAN_HELP = `
Decodes every clip (ffmpeg), measures dense optical flow both ways between analysis frames (DIS),
removes camera motion (robust similarity fit) and writes motion and gravity cues per clip.

INPUT is a folder (searched recursively for video files), one video file, or a manifest
(.csv, .tsv, .jsonl, .parquet, .arrow) with a path column; relative paths resolve against the
manifest's folder, and every other column is kept (under "input" in the outputs).

Outputs in --out:
  clips.jsonl, clips.parquet  one row per analysed clip: probe facts, analysis window, clip summaries,
                              and where its [pairs x columns] float32 cue series is stored
  series/*.f32                the cue series (column names, units and meaning in cues.json)
  errors.jsonl                one row per clip or manifest row that failed: where, code, why
  summary.json                counts, timings, settings, tool version
Every input row ends up exactly once in clips or errors. Running the same command again with the
same --out resumes: finished rows are skipped.

Exit codes: 0 all ok, 1 failure, 2 usage error, 3 finished but some rows failed, 130 interrupted.

Examples:
  audit scan samples/ --out out/samples
  audit scan corpus.parquet --path-column video --out out/corpus --workers 16
  audit scan corpus.csv --out out/shard-3 --shard 3/8      # then: audit merge out/shard-* --out out/all
`;

export const MERGE_HELP = `
Combines the --out folders of a sharded scan (--shard i/n) into one folder, checking that every
shard is present once, finished, from the same input, and that no clip appears twice.

Example:
  audit merge out/shard-0 out/shard-1 out/shard-2 --out out/all
`;

export const CUES_HELP = `
Prints the cue series columns and the clip summaries with their units and meaning
(the same table as cues.json in every scan output).
`;

export const SYNTH_HELP = `
Renders procedural physics scenes (Rapier 2D physics, Skia canvas) to mp4 with real codec artefacts,
each with its ground truth: verdict (invariant / equivariant / irreversible), and its reversed twin
(<id>_rev.mp4, direction "backward"). Textures, backgrounds, colours, sizes, speeds, frame rates,
durations, noise, blur, lighting drift, camera motion, overlays and the temporal crop are randomised.

Outputs in --out: clips/*.mp4, labels.jsonl (one row per file), manifest.csv (for audit scan).

Example:
  audit synth --out corpus --count 2000 --seed 1 && audit scan corpus/manifest.csv --out corpus/scan
`;

export const EVAL_HELP = `
Scans the clips of a labelled manifest (resumable with --out), runs the model on each clip and on its
mirrored series (exactly what the clip played backwards gives) and scores it:
  confusion matrix, per-class precision/recall/F1, macro-F1, accuracy;
  arrow-of-time accuracy: each clip counted twice, the forwards-playing version must get
    p_forward > 0.5 and the reversed one < 0.5 (overall and per true verdict; about 0.5 is right for
    invariant clips, which carry no arrow); mean |p_forward - 0.5| per verdict;
  expected calibration error of the verdict (10 equal bins of the winning probability).

The label column holds invariant, equivariant or irreversible; any other value (or a clip that cannot
be analysed) becomes an error row in the report, never a silent drop. A direction column
(forward|backward, optional) marks clips that already play backwards in the corpus.
With --out the folder also gets eval.json (the report) and eval-predictions.jsonl (one row per clip).

Exit codes: 0 all rows scored, 1 failure, 2 usage error, 3 scored but some rows were error rows,
130 interrupted (run again with the same --out to resume).

Examples:
  audit eval dev/manifest.csv --model models/reversal-v1.onnx --out out/dev-eval
  audit eval corpus/manifest.csv --label-column verdict --json > eval.json
`;
