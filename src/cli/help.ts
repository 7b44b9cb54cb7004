// Help texts of the CLI commands: what they do, what the outputs mean, examples.

export const SCAN_HELP = `
Decodes every clip (ffmpeg), measures dense optical flow between consecutive analysis frames (DIS; one
pass per pair, --both-ways averages both directions), removes camera motion (robust similarity fit) and
writes motion and gravity cues per clip, then the model's verdict and the decisions.

INPUT is a folder (searched recursively for video files), one video file, or a manifest
(.csv, .tsv, .jsonl, .parquet, .arrow) with a path column; relative paths resolve against the
manifest's folder, and every other column is kept (under "input" in the outputs).

Outputs in --out:
  clips.jsonl, clips.parquet  one row per analysed clip: probe facts, analysis window, clip summaries,
                              and where its [pairs x columns] float32 cue series is stored
  series/*.f32                the cue series (column names, units and meaning in cues.json)
  errors.jsonl                one row per clip or manifest row that failed: where, code, why
  summary.json                counts, timings, settings, tool version
  report.html, report/        one page to open in a browser (no network): counts, charts, errors, galleries
                              with contact sheets and cue curves, a sortable table (--no-report skips it)
  reverse-safe.<ext>,         the input's rows split by decision (same format as the input: CSV, TSV,
  excluded.<ext>              JSONL, Parquet; a folder gives CSV and Parquet), every original column, then
                              reverse, label_reversed, caption_reversed, verdict, decision, confidence, reason
  decisions.jsonl, .json      the decision of every row; counts under each --policy
  classes.csv, .parquet       with --label-column: verdict mix per class, inconsistent classes, pairs
Every input row ends up exactly once in clips or errors. Running the same command again with the
same --out resumes: finished rows are skipped. One run at a time per --out: a second scan, physics,
decide, merge or report on a folder in use exits 1 naming the run that holds it (<out>/.audit.lock).

Exit codes: 0 all ok, 1 failure (also: folder in use), 2 usage error, 3 finished but some rows failed,
4 finished but report.html could not be written (wins over 3), 130 interrupted.

Examples:
  audit scan samples/ --out out/samples
  audit scan corpus.parquet --path-column video --out out/corpus --workers 16
  audit scan corpus.csv --out out/shard-3 --shard 3/8      # then: audit merge out/shard-* --out out/all
  audit scan ssv2.csv --label-column label --policy strict --out out/ssv2
  audit scan lab.csv --label-column action --label-map my-labels.csv --out out/lab
  audit scan captions.jsonl --caption-column caption --out out/t2v
  audit scan real-footage/ --content --out out/real    # what is in the picture joins the verdict (slower)
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
A rerun into the same --out reads the labels from the manifest again: fixed labels, or another
--label-column, are scored without scanning the clips again.

Exit codes: 0 all rows scored, 1 failure, 2 usage error, 3 scored but some rows were error rows,
130 interrupted (with --out, run the same command again to resume; without it, a rerun starts over).

Examples:
  audit eval dev/manifest.csv --model models/reversal-v1.onnx --out out/dev-eval
  audit eval corpus/manifest.csv --label-column verdict --json > eval.json
`;

export const REPORT_HELP = `
Writes report.html into a scan's --out folder (audit scan does this at the end unless --no-report):
one self-contained page that opens from disk and loads nothing from the network.
  header      what was scanned, when, with which model and settings; clips per verdict and decision
  errors      every failed row's code and reason (the first 200; all are in errors.jsonl)
  charts      verdicts, decisions, p_forward (1 = plays forwards), key clip summaries by verdict
  classes     per label: verdict mix, class verdict, inconsistent classes, pairs (when labelled)
  galleries   most confident irreversible, most doubtful, and clips flagged reversed_in_corpus, each with
              a contact sheet (report/*.jpg: frames forwards, reversed, residual motion) and cue curves
  table       the first --max-table-rows clips, sortable and filterable (the rest are in clips.parquet)
  physics     per video the rules scored 0/1/2 with evidence, and the leaderboard (audit physics folders)
Contact sheets are reused when the clip did not change, so writing the report again is quick.

Examples:
  audit report out/samples
  audit report out/corpus --max-table-rows 500 --galleries 24
`;

export const INSPECT_HELP = `
Analyses one video file exactly as audit scan does (same decode, optical flow, camera fit, cues,
summaries and model) and prints:
  probe and analysis facts (size, rate, the analysed window)
  the verdict with p_invariant / p_equivariant / p_irreversible and p_forward (1 = plays forwards;
    below 0.1 the clip is flagged as probably reversed in the corpus), when a model runs
  the clip summaries with units (see audit cues)
  reasoning: which measured cues point which way (object motion, camera share, vertical velocity
    and acceleration, build-up or decay, spreading, periodicity); no causes are guessed
With --png FILE it also writes a picture: the contact sheet (frames forwards, the same frames
reversed, and the residual motion after the camera fit as a heat map) above the cue curves.
--json prints the same as one JSON object.

Exit codes: 0 ok, 1 the clip could not be analysed (missing, not a video, ...) or the model failed,
2 usage error.

Examples:
  audit inspect samples/drop.mp4 --png drop.png
  audit inspect clip.mp4 --model none --json
`;

export const TAXONOMY_HELP = `
Prints a class taxonomy: every class of an action dataset with its verdict under time reversal
  invariant     played backwards it is the same action (keep the label)
  equivariant   played backwards it is another action: its counterpart class (swap the label);
                "-" when the dataset has no class for the reversed action (the reason says why)
  irreversible  played backwards it is physically implausible (never reverse)
and how the verdict was reached: derived (SSv2 only: action B undoes action A in the PDDL domain of
Migimatsu and Bohg, ICRA 2022), rule (a keyword or direction-word rule), or override (the reviewed
table), each with its reason. Pairs are symmetric. NAME is ssv2 (Something-Something v2, 174
classes; default) or jester (27 gestures). The data ships in data/taxonomy/ with the sources'
sha256 (rebuild with npm run taxonomy).

Examples:
  audit taxonomy
  audit taxonomy jester
  audit taxonomy ssv2 --json > ssv2-taxonomy.json
`;

export const DECIDE_HELP = `
Decides again, from an existing scan folder, which clips may be reversed for augmentation, without
scanning again (try the policies: the counts under all three are printed either way). Rewrites
reverse-safe.<ext>, excluded.<ext>, decisions.jsonl, decisions.json and, with a label column,
classes.csv and classes.parquet. The input manifest must still be where the scan read it, unchanged.

Decisions:
  reverse_keep_label   reversed, the clip is plausible and keeps its label and caption
  reverse_swap_label   reversed, it is a different action: label_reversed / caption_reversed hold the new text
  exclude              never reverse it; reason says why ("model: irreversible 0.93", "caption says 'falls'",
                       "no counterpart label", or the error of a row that failed)

Policies (the whole table is in src/decide/README.md):
  strict      reverse only when every source agrees it is safe: a model at >= 0.8, p_irreversible < 0.2,
              every label in a taxonomy and every caption judged
  balanced    the default: excluded at p_irreversible >= 0.5; a label class or caption analysis is enough,
              else the model must give its reading >= 0.6
  permissive  reverse unless there is positive evidence of irreversibility (text, or p_irreversible >= 0.8)

Label and caption columns, the taxonomy and the label map default to those of the folder's last decision step.

Labels no taxonomy knows: when fewer than half of the labelled rows match the taxonomy in use (or --taxonomy
auto matches none), a warning with the match rate of each taxonomy is printed and written to decisions.json
(warnings) and the report. --label-map FILE brings your own classes instead of ssv2/jester: a CSV with the
header label,verdict,counterpart (and optionally reason, for notes); verdict is invariant, equivariant or irreversible;
counterpart, the label a reversed clip carries, is required for equivariant and empty otherwise, and must pair
back. A bad row exits 2 naming the file and line, before anything is written.
  label,verdict,counterpart
  open jar,equivariant,close jar
  close jar,equivariant,open jar
  stir soup,invariant,
  crack egg,irreversible,

Examples:
  audit decide out/corpus --policy strict
  audit decide out/ssv2 --label-column label --taxonomy ssv2 --json
  audit decide out/lab --label-column action --label-map my-labels.csv
`;

export const ADAPT_HELP = `
Fine-tunes the model on your own corpus, from the folders of finished scans (nothing is decoded again).
Every clip plays forwards as filmed, so the corpus teaches the arrow of time by itself; where --label-column
or --caption-column give a verdict (taxonomy class, caption motion words), that weak verdict trains the
verdict too. A share of the groups (--holdout, by --group-column, default each clip's folder) is held out:
the base and the adapted model are both measured there, and the adapted model is written only when its
arrow of time is better by at least 1 point without the verdict agreement falling by more than 2. Beside
the shipped model the base's arrow is the shipped arrow head's, the one audit scan gives; the adapted
model uses its own arrow.
Group by source video where you can: pieces of one video on both sides would flatter the held-out score.
--anchor (default 1) holds every weight near the base model's (L2-SP), so other footage drifts less;
--anchor 0 lets the weights move freely, for a corpus far from the base model's footage.
A corpus of more than 10,000 usable clips is sampled (--max-clips): the same clips every run, about 4-7
minutes on 2 cores, about 1 GB of tensors in the work folder; each 10,000 more clips adds about as much.

Needs python3 with PyTorch and numpy (Debian: apt-get install python3-torch python3-numpy).
Writes <dir>/<name>.onnx, .card.json (base model and its sha256, the corpus, held-out numbers before and
after, settings, the in_domain reference of this corpus) and .parity.json; prints the before/after table.
Interrupted or refused, it writes nothing; a rerun starts over.

Exit codes: 0 adapted, 1 refused (not better, or the corpus too small to hold out) or failed, 2 usage error.

Example:
  audit scan corpus.csv --out out/corpus && audit adapt out/corpus --out models/mine --group-column video
  audit scan new.csv --out out/new --model models/mine.onnx
`;

export const PHYSICS_HELP = `
Checks generated (or any) videos for physics violations and reversal artefacts, in VideoPhy-2's formats.
Every video is scanned once (into DIR/scan, resumable) and judged by five motion checks, each answering
0 violated / 1 followed / 2 cannot be determined with evidence (frame range, measured values, one line):
  time_direction     the arrow of time (the arrow head's) says the video plays backwards (p_forward far below 0.5);
                     2 "no model" without one (--model none, or no models/reversal-v1.onnx shipped)
  gravity            nothing at rest leaps up with nothing moving near it first; a rising body does not keep
                     speeding up; a falling one does not slow down in mid-air (impacts stop within a pair)
  caption_direction  the object motion does not go against a direction the caption or rule states
                     ("tumbles down", "falls", "rises", "left to right", "towards the camera", "blown away from")
  momentum           rebounds leave slower than they came in; a body does not turn round in mid-air or jump
  persistence        moving regions do not pop into or out of view; the picture does not jump
The gravity and momentum checks judge one compact moving body (a ball, a rock); the motion of people and
crowds is left unjudged rather than guessed.

INPUT is a folder of videos, one video, or a CSV: the AutoEval rule input (videopath,rule), the SA/PC
input (caption,videopath), or a released VideoPhy-2 CSV (caption, video_url, sa, pc, joint,
physics_rules_followed / _unfollowed / _cannot_be_determined as stringified Python lists, metadata_rules,
model_name, ...). Paths resolve against the CSV's folder; an http(s) video_url is looked up by its file
name there (or in --videos DIR). Without a caption column the caption is read from a VideoPhy-2 style file
name (A_rock_tumbles_down_a_hill_0.mp4). A row whose video is missing or unreadable is an error row.

Routing: each rule goes to the checks that can judge it, by its law (metadata_rules) and its words
(src/physics/route.ts); a rule no check can judge scores 2 "no motion check applies".

Scores:
  artefact_score  0-1, the strongest reversal-artefact evidence of any check; artefact = score >= 0.5
  pc              1-5 from the strongest violation evidence v of any check: v < 0.15 -> 5, < 0.35 -> 4,
                  < 0.5 -> 3, < 0.75 -> 2, else 1 (a check answering 0 means PC <= 2); 3 when no check
                  could judge anything

Outputs in --out:
  output_rule.csv   ,videopath,rule,score    (AutoEval rule format, score 0.0/1.0/2.0; rule inputs and
                                              released CSVs)
  output_pc.csv     ,caption,videopath,score (AutoEval PC format, score 1.0-5.0)
  physics.jsonl     one row per video: videopath, caption, artefact, artefact_score, pc, every check's
                    answer and evidence, every rule's answer with the checks that judged it
  leaderboard.csv/.md  per model_name: share with PC>=4, SA>=4 and PC>=4 (SA from the input), reversal-
                    artefact rate, and the human shares when the input has them
  agreement.json/.md   against the input's human answers: accuracy on the rules we judged, coverage,
                    confusion matrix, Pearson with human PC
  errors.jsonl, summary.json, scan/ (the scan of every video, with its cue series)
Video rows that failed have an empty score in the CSVs.

Exit codes: 0 all ok, 1 failure (also: --out in use by another run), 2 usage error, 3 finished but
some rows failed, 4 finished but report.html could not be written (wins over 3), 130 interrupted.

Examples:
  audit physics ../shared/data/videophy2/rule.csv --out out/vp-rule
  audit physics videophy2_test.csv --videos downloads/ --out out/vp2-test
  audit physics generated/ --out out/generated --model none
`;

export const TOP_HELP = `
Typical runs:
  audit scan samples/ --out out/samples                      # cues, verdicts, decisions, report.html
  audit scan corpus.csv --label-column label --out out/c     # labels: class verdicts and swapped labels
  audit decide out/c --policy strict                         # decide again, no rescanning
  audit scan corpus.csv --out out/s-3 --shard 3/8            # one of 8 array jobs; then: audit merge out/s-* --out out/all
  audit adapt out/c --out models/mine --group-column video   # fine-tune to your corpus (python3 + PyTorch)
  audit physics generated/ --out out/gen                     # physics checks of generated videos
  audit eval labelled.csv --json                             # score a model on labelled clips

Exit codes:
  0  everything finished
  1  the run could not be done (unreadable input, output folder in use, merge mismatch, ffmpeg missing,
     a file that cannot be written; audit adapt: refused or failed)
  2  usage error (bad command line)
  3  finished, but some clips or manifest rows failed (their reasons are in errors.jsonl)
  4  finished, outputs written, but report.html could not be written (audit report OUT tries again)
  130 interrupted (run the same command again to resume)
Set AUDIT_DEBUG=1 for stack traces. Each command's --help lists its options, outputs and examples.
`;
