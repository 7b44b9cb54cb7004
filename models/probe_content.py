#!/usr/bin/env python3
"""Would what is in the picture help the verdict? A probe outside the network: gradient-boosted trees (and a logistic
regression) trained on the real corpus's training split, scored on its fixed validation split (weak labels of
confidence high and medium, macro-F1), from
  - series: per-clip summaries of the cue series over all the clip's exported windows, each unchanged by reversal
    (per column: the mean, or its size for odd columns; the spread; median and 90th percentile of the size; the mean
    size of the increments; lag-1 autocorrelation; the size of the trend);
  - objects: the 80 COCO class scores of scripts/probe-content.js (CenterNet on one frame per clip);
  - both.
With --scan (an `audit scan` of the corpus with the shipped model), also the shipped model alone and averaged with the
trees, on the clips it judged.

  node scripts/probe-content.js --clips ../shared/data/real-corpus/clips --out .train/objects.jsonl
  /usr/bin/python3 models/probe_content.py --data .train/data/real --objects .train/objects.jsonl [--scan DIR]

Needs numpy and scikit-learn (apt-get install python3-numpy python3-sklearn). `--data` is an exportDataset folder
made with realCorpus and windows (groups.json rows carry the fixed `split`)."""
import argparse
import json
import os

import numpy as np

SETTINGS = ((0.05, 200, 20), (0.1, 100, 20), (0.03, 300, 40))  # learning rate, trees, smallest leaf
SEEDS = (0, 1)
CLASSES = ('invariant', 'equivariant', 'irreversible')


def summaries(x, odd):
    """Reversal-invariant summaries of one clip's measured rows x [T, F]."""
    if len(x) < 3:
        x = np.zeros((3, x.shape[1]))
    sd = x.std(0) + 1e-9
    m = x.mean(0)
    size = np.abs(x)
    t = np.linspace(-1, 1, len(x))[:, None]
    lag1 = ((x[1:] - m) * (x[:-1] - m)).mean(0) / sd ** 2
    return np.nan_to_num(np.concatenate([np.where(odd, np.abs(m), m), x.std(0), np.quantile(size, 0.5, 0),
                                         np.quantile(size, 0.9, 0), np.abs(np.diff(x, axis=0)).mean(0), lag1,
                                         np.abs((t * x).mean(0)) / sd]))


def load(a):
    groups = json.load(open(os.path.join(a.data, 'groups.json')))
    cols = json.load(open(os.path.join(a.data, 'columns.json')))
    X = np.load(os.path.join(a.data, 'X.npy'), mmap_mode='r')
    M = np.load(os.path.join(a.data, 'mask.npy'))
    y = np.load(os.path.join(a.data, 'y_verdict.npy'))
    odd = np.array([p == 'odd' for p in cols['parity']])
    rows = {}
    for i, g in enumerate(groups):
        if 'split' in g:
            rows.setdefault(g['id'], []).append(i)
    objects = {}
    for path in a.objects:
        for line in open(path):
            r = json.loads(line)
            objects[r['file']] = np.array(r['scores'])
    ids = [k for k, v in rows.items() if y[v[0]] >= 0 and k in objects]
    if not ids:
        raise SystemExit(f'{a.data}: no labelled real corpus clip with object scores in {", ".join(a.objects)}')
    series = np.array([summaries(np.concatenate([X[i][M[i] > 0] for i in rows[k]]).astype(np.float64), odd)
                       for k in ids])
    first = [groups[rows[k][0]] for k in ids]
    return (ids, series, np.array([objects[k] for k in ids]), y[[rows[k][0] for k in ids]],
            np.array([g['split'] for g in first]), np.array([g['confidence'] for g in first]),
            np.array([g['verdict_weight'] for g in first]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True)
    ap.add_argument('--objects', required=True, nargs='+')
    ap.add_argument('--scan', help='an audit scan of the corpus with the shipped model (its clips.jsonl)')
    a = ap.parse_args()
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import StandardScaler
    ids, series, objects, y, split, conf, weight = load(a)
    tr = split == 'train'
    va = (split == 'val') & (conf != 'low')
    judged = np.zeros(len(ids), bool)
    shipped = np.zeros((len(ids), 3))
    if a.scan:
        at = {k: i for i, k in enumerate(ids)}
        for line in open(os.path.join(a.scan, 'clips.jsonl')):
            r = json.loads(line)
            if r['id'] in at and r.get('p_invariant') is not None:
                judged[at[r['id']]] = True
                shipped[at[r['id']]] = [r[f'p_{c}'] for c in CLASSES]
        sub = va & judged
        print(f'shipped model alone on the {sub.sum()} validation clips it judged: macro-F1 '
              f'{f1_score(y[sub], shipped[sub].argmax(1), average="macro"):.3f}')
    print(f'{len(ids)} clips ({tr.sum()} training, {va.sum()} validation with labels high + medium)')
    for name, Z in (('series', series), ('objects', objects), ('both', np.concatenate([series, objects], 1))):
        scores, probs = [], []
        for lr, trees, leaf in SETTINGS:
            for seed in SEEDS:
                clf = HistGradientBoostingClassifier(max_iter=trees, learning_rate=lr, min_samples_leaf=leaf,
                                                     random_state=seed, class_weight='balanced')
                clf.fit(Z[tr], y[tr], sample_weight=weight[tr])
                scores.append(f1_score(y[va], clf.predict(Z[va]), average='macro'))
                probs.append(clf.predict_proba(Z))
        scale = StandardScaler().fit(Z[tr])
        lin = LogisticRegression(C=0.1, max_iter=5000, class_weight='balanced')
        lin.fit(scale.transform(Z[tr]), y[tr], sample_weight=weight[tr])
        line = (f'{name:8s} trees macro-F1 {np.mean(scores):.3f} ({min(scores):.3f}-{max(scores):.3f}); logistic '
                f'regression {f1_score(y[va], lin.predict(scale.transform(Z[va])), average="macro"):.3f}')
        if a.scan:
            sub = va & judged
            mixed = (np.mean(probs, 0)[sub] + shipped[sub]).argmax(1)
            line += f'; averaged with the shipped model {f1_score(y[sub], mixed, average="macro"):.3f}'
        print(line)


if __name__ == '__main__':
    main()
