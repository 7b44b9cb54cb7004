#!/usr/bin/env python3
"""How much arrow of time do the cue series carry on real footage? A probe without the network: per-column
time-asymmetry statistics of each clip's centred window, a classifier trained forwards (1) vs mirrored (0) on the real
corpus's training split, scored on its validation split (each clip right when f(x) > f(mirror(x))).

  /usr/bin/python3 models/probe_arrow.py --data .train/data/real [--columns all|nogrid|grid]

Needs numpy and scikit-learn (apt-get install python3-numpy python3-sklearn). `--data` is an exportDataset folder made
with realCorpus (groups.json rows carry the fixed `split`)."""
import argparse
import json
import os

import numpy as np


def stats(x, m, odd):
    """Per column: trend (ramp-weighted mean), onset minus decay (first third minus last third), skew of increments,
    and the mean of odd columns, each over measured rows and scaled by the column's spread in the window."""
    x = x[m > 0].astype(np.float64)
    T = len(x)
    t = np.linspace(-1, 1, T)[:, None]
    sd = x.std(0) + 1e-6
    third = max(1, T // 3)
    d = np.diff(x, axis=0)
    dsd = d.std(0) + 1e-9
    return np.nan_to_num(np.concatenate([(t * x).mean(0) / sd, (x[:third].mean(0) - x[-third:].mean(0)) / sd,
                                         ((d - d.mean(0)) ** 3).mean(0) / dsd ** 3, np.where(odd, x.mean(0) / sd, 0)]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True)
    ap.add_argument('--columns', choices=['all', 'nogrid', 'grid'], default='all')
    a = ap.parse_args()
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    cols = json.load(open(os.path.join(a.data, 'columns.json')))
    groups = json.load(open(os.path.join(a.data, 'groups.json')))
    X = np.load(os.path.join(a.data, 'X.npy'), mmap_mode='r')
    M = np.load(os.path.join(a.data, 'mask.npy'))
    yv = np.load(os.path.join(a.data, 'y_verdict.npy'))
    keep = [i for i, n in enumerate(cols['names'])
            if a.columns == 'all' or (n.startswith('grid_') == (a.columns == 'grid'))]
    odd = np.array([cols['parity'][i] == 'odd' for i in keep])
    sign = np.where(odd, -1.0, 1.0)
    rows = [i for i, g in enumerate(groups) if int(g.get('window', 0)) == 0 and 'split' in g]
    if not rows:
        raise SystemExit(f'{a.data}: no real corpus rows (export it with realCorpus)')
    fwd = np.array([stats(X[i][:, keep], M[i], odd) for i in rows])
    bwd = np.array([stats(X[i][::-1][:, keep] * sign, M[i][::-1], odd) for i in rows])
    val = np.array([groups[i]['split'] == 'val' for i in rows])
    tr = ~val
    y = yv[rows]
    fit_x, fit_y = np.concatenate([fwd[tr], bwd[tr]]), np.r_[np.ones(tr.sum()), np.zeros(tr.sum())]
    print(f'{a.data}: {len(rows)} clips ({tr.sum()} training, {val.sum()} validation), '
          f'{len(keep)} columns ({a.columns})')
    classifiers = (('gradient-boosted trees', HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05,
                                                                             random_state=0)),
                   ('logistic regression', LogisticRegression(C=0.1, max_iter=3000)))
    for name, clf in classifiers:
        clf.fit(fit_x, fit_y)
        right = clf.predict_proba(fwd)[:, 1] > clf.predict_proba(bwd)[:, 1]
        by = {v: float(right[val & (y == k)].mean()) for k, v in enumerate(['invariant', 'equivariant', 'irreversible'])
              if (val & (y == k)).any()}
        nan = float('nan')
        print(f'{name}: arrow accuracy, validation clips {right[val].mean():.3f} (irreversible '
              f'{by.get("irreversible", nan):.3f}, equivariant {by.get("equivariant", nan):.3f}, invariant '
              f'{by.get("invariant", nan):.3f}); training {right[tr].mean():.3f}')


if __name__ == '__main__':
    main()
