#!/usr/bin/env python3
"""The peer that `npm run bench:peers` measures `audit scan` against.

What a user would write in an afternoon with OpenCV-Python to get per-pair motion of a folder of clips:
decode with cv2.VideoCapture, convert to gray, resize to short side 96, resample to 24 fps, dense optical
flow per consecutive pair (DIS ultrafast, or Farneback with the textbook parameters), mean flow magnitude
per pair, one clip per task over a process pool.

Modes:
  scan   [--flow dis|farneback] [--workers N] [--size 96] [--fps 24] [--max-seconds 10] CLIP...
         prints one JSON line: clips, pairs, errors, flow, workers, opencv version.
  pairs  --raw FILE --width W --height H [--repeats 5] [--threads 1]
         DIS ultrafast on consecutive 8-bit gray frames of a raw file; prints one JSON line with the
         CPU milliseconds per pair of each repeat (process CPU time, so other load on the machine does not
         count; frames are read before timing starts).
"""

import argparse
import json
import multiprocessing
import sys
import time

import cv2
import numpy as np


def analysis_frames(path, size, fps, max_seconds):
    """Gray frames of the clip at short side `size`, resampled to `fps` (never above the source rate)."""
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise RuntimeError(f"cannot open {path}")
    src_fps = cap.get(cv2.CAP_PROP_FPS) or fps
    step = 1.0 / min(fps, src_fps)
    frames = []
    next_t = 0.0
    index = 0
    while True:
        if not cap.grab():
            break
        t = index / src_fps
        index += 1
        if t > max_seconds:
            break
        # Keep the first source frame at or past each analysis instant (half a source frame early counts).
        if t + 0.5 / src_fps < next_t:
            continue
        next_t += step
        ok, frame = cap.retrieve()
        if not ok:
            break
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        h, w = gray.shape
        scale = size / min(h, w)
        gray = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        frames.append(gray)
    cap.release()
    return frames


_flow = None


def _init(kind):
    global _flow
    # One thread per process: the pool already has one process per core.
    cv2.setNumThreads(1)
    if kind == "dis":
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        _flow = lambda a, b: dis.calc(a, b, None)
    else:
        _flow = lambda a, b: cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 15, 3, 5, 1.2, 0)


def _clip(job):
    path, size, fps, max_seconds = job
    try:
        frames = analysis_frames(path, size, fps, max_seconds)
        if len(frames) < 2:
            raise RuntimeError(f"{path}: fewer than two frames")
        means = []
        for a, b in zip(frames, frames[1:]):
            f = _flow(a, b)
            means.append(float(np.mean(np.hypot(f[..., 0], f[..., 1]))))
        return path, len(means), None
    except Exception as e:  # one bad clip must not stop the run
        return path, 0, str(e)


def scan(args):
    jobs = [(p, args.size, args.fps, args.max_seconds) for p in args.clips]
    pairs = 0
    errors = []
    with multiprocessing.Pool(args.workers, initializer=_init, initargs=(args.flow,)) as pool:
        for path, n, err in pool.imap_unordered(_clip, jobs):
            pairs += n
            if err:
                errors.append(err)
    print(json.dumps({"clips": len(jobs), "pairs": pairs, "errors": errors, "flow": args.flow,
                      "workers": args.workers, "opencv": cv2.__version__}))
    return 1 if errors else 0


def pairs(args):
    cv2.setNumThreads(args.threads)
    raw = np.fromfile(args.raw, np.uint8)
    n = raw.size // (args.width * args.height)
    frames = raw[: n * args.width * args.height].reshape(n, args.height, args.width)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    for i in range(min(n - 1, 20)):  # warm-up
        dis.calc(frames[i], frames[i + 1], None)
    ms = []
    for _ in range(args.repeats):
        t0 = time.process_time()
        for i in range(n - 1):
            dis.calc(frames[i], frames[i + 1], None)
        ms.append((time.process_time() - t0) * 1000 / (n - 1))
    print(json.dumps({"pairs": n - 1, "ms_per_pair": ms, "threads": args.threads, "opencv": cv2.__version__}))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("scan")
    s.add_argument("--flow", choices=["dis", "farneback"], default="dis")
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--size", type=int, default=96)
    s.add_argument("--fps", type=float, default=24)
    s.add_argument("--max-seconds", type=float, default=10)
    s.add_argument("clips", nargs="+")
    p = sub.add_parser("pairs")
    p.add_argument("--raw", required=True)
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    return scan(args) if args.mode == "scan" else pairs(args)


if __name__ == "__main__":
    sys.exit(main())
